package azuresim

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"strings"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/client-go/tools/clientcmd"
)

func (f *fixture) userKubeconfig(args map[string]any) ([]byte, error) {
	resp, err := f.srv.Invoke(context.Background(), &pulumirpc.InvokeRequest{
		Tok: FuncListManagedClusterUserCredentials, Args: wire(f.t, args),
	})
	if err != nil {
		return nil, err
	}
	ret, err := decode(resp.GetReturn(), "return")
	require.NoError(f.t, err)
	kcs := ret["kubeconfigs"].ArrayValue()
	require.Len(f.t, kcs, 1)
	kc := kcs[0].ObjectValue()
	assert.Equal(f.t, "clusterUser", kc["name"].StringValue())
	require.True(f.t, kc["value"].IsSecret(), "the kubeconfig is a secret")
	raw, err := base64.StdEncoding.DecodeString(kc["value"].SecretValue().Element.StringValue())
	require.NoError(f.t, err)
	return raw, nil
}

func TestUserKubeconfigIsAnEntraIDExecKubeconfig(t *testing.T) {
	f := newFixture(t, Options{})
	f.mustCreate(TypeResourceGroup, "rg", rgInputs())
	f.mustCreate(TypeVirtualNetwork, "vnet", vnetInputs())
	_, mc := f.mustCreate(TypeManagedCluster, "aks", clusterInputs())

	raw, err := f.userKubeconfig(map[string]any{"resourceGroupName": testRG, "resourceName": "aks-sim", "format": "exec"})
	require.NoError(t, err)
	cfg, err := clientcmd.Load(raw)
	require.NoError(t, err)
	assert.Equal(t, "aks-sim", cfg.CurrentContext)
	cluster := cfg.Clusters["aks-sim"]
	require.NotNil(t, cluster)
	assert.Equal(t, "https://"+str(mc, "fqdn")+":443", cluster.Server)
	block, _ := pem.Decode(cluster.CertificateAuthorityData)
	require.NotNil(t, block)
	ca, err := x509.ParseCertificate(block.Bytes)
	require.NoError(t, err)
	assert.True(t, ca.IsCA)
	assert.Contains(t, ca.Subject.CommonName, "simulated")
	user := cfg.AuthInfos["clusterUser_rg-sim_aks-sim"]
	require.NotNil(t, user)
	require.NotNil(t, user.Exec)
	assert.Equal(t, "kubelogin", user.Exec.Command)
	assert.Equal(t, []string{"get-token", "--environment", "AzurePublicCloud", "--server-id", aksServerID,
		"--client-id", azureCLIClient, "--tenant-id", DefaultTenantID, "--login", "devicecode"}, user.Exec.Args)

	again, err := f.userKubeconfig(map[string]any{"resourceGroupName": testRG, "resourceName": "aks-sim"})
	require.NoError(t, err)
	assert.Equal(t, raw, again, "the kubeconfig is stable, so nothing downstream drifts")
	assert.Equal(t, 2, f.sim.CallCount(FuncListManagedClusterUserCredentials, OpInvoke))

	for _, line := range f.log.all() {
		assert.NotContains(t, line, "kubelogin")
		assert.NotContains(t, line, base64.StdEncoding.EncodeToString(raw)[:40])
	}
}

func TestUserKubeconfigCanPointAtARealServer(t *testing.T) {
	caPEM := []byte("-----BEGIN CERTIFICATE-----\nTUlJ\n-----END CERTIFICATE-----\n")
	f := newFixture(t, Options{KubeconfigServer: &KubeconfigServer{URL: "https://127.0.0.1:6443", CAData: caPEM}})
	f.mustCreate(TypeResourceGroup, "rg", rgInputs())
	f.mustCreate(TypeVirtualNetwork, "vnet", vnetInputs())
	f.mustCreate(TypeManagedCluster, "aks", clusterInputs())
	raw, err := f.userKubeconfig(map[string]any{"resourceGroupName": testRG, "resourceName": "aks-sim"})
	require.NoError(t, err)
	cfg, err := clientcmd.Load(raw)
	require.NoError(t, err)
	assert.Equal(t, "https://127.0.0.1:6443", cfg.Clusters["aks-sim"].Server)
	assert.Equal(t, caPEM, cfg.Clusters["aks-sim"].CertificateAuthorityData)
}

func TestUserKubeconfigOfAMissingClusterIsNotFound(t *testing.T) {
	f := newFixture(t, Options{})
	_, err := f.srv.Invoke(context.Background(), &pulumirpc.InvokeRequest{
		Tok: FuncListManagedClusterUserCredentials, Args: wire(t, map[string]any{"resourceGroupName": testRG, "resourceName": "nope"}),
	})
	require.Error(t, err)
	assert.Equal(t, "ResourceNotFound", armCode(t, err))
	assert.Contains(t, err.Error(), "Status=404")
	assert.Contains(t, err.Error(), "'Microsoft.ContainerService/managedClusters/nope' under resource group 'rg-sim'")
}

func TestGetClientConfig(t *testing.T) {
	f := newFixture(t, Options{SubscriptionID: "sub-1", TenantID: "tenant-1"})
	resp, err := f.srv.Invoke(context.Background(), &pulumirpc.InvokeRequest{Tok: FuncGetClientConfig, Args: wire(t, map[string]any{})})
	require.NoError(t, err)
	ret := unwire(t, resp.GetReturn())
	assert.Equal(t, "sub-1", ret["subscriptionId"])
	assert.Equal(t, "tenant-1", ret["tenantId"])
	assert.Regexp(t, `^[0-9a-f-]{36}$`, ret["clientId"])
}

// Logs carry IDs and outcomes, never property values.
func TestLogsCarryNoValues(t *testing.T) {
	f := newFixture(t, Options{})
	const secret = "s3cr3t-tag-value"
	f.mustCreate(TypeResourceGroup, "rg", with(rgInputs(), map[string]any{"tags": map[string]any{"token": secret}}))
	_, _, err := f.create(TypeManagedCluster, "aks", with(clusterInputs(), map[string]any{"tags": map[string]any{"token": secret},
		"networkProfile": map[string]any{"networkPolicy": "azure"}}))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), secret)
	lines := f.log.all()
	require.NotEmpty(t, lines)
	for _, l := range lines {
		assert.False(t, strings.Contains(l, secret), l)
	}
}
