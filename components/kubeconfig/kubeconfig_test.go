package kubeconfig

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// aksExecKubeconfig is the shape ListClusterUserCredentials(format=exec)
// returns for an Entra ID cluster: a device-code kubelogin user.
const aksExecKubeconfig = `apiVersion: v1
kind: Config
clusters:
- name: aks-prod
  cluster:
    certificate-authority-data: Q0FEQVRB
    server: https://aks-prod-abc123.hcp.westeurope.azmk8s.io:443
contexts:
- name: aks-prod
  context:
    cluster: aks-prod
    user: clusterUser_rg-prod_aks-prod
current-context: aks-prod
users:
- name: clusterUser_rg-prod_aks-prod
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: kubelogin
      args:
      - get-token
      - --environment
      - AzurePublicCloud
      - --server-id
      - 6dae42f8-4368-4678-94ff-3960e28e3630
      - --client-id
      - 80faf920-1908-4b52-b5ef-a8e7bedfc67a
      - --tenant-id
      - 11111111-2222-3333-4444-555555555555
      - --login
      - devicecode
      env: null
      installHint: install kubelogin
      provideClusterInfo: false
`

func rewriteUser(t *testing.T, opts Options) *clientcmdapi.ExecConfig {
	t.Helper()
	out, err := Rewrite([]byte(aksExecKubeconfig), opts)
	require.NoError(t, err)
	cfg, err := clientcmd.Load(out)
	require.NoError(t, err)
	user := cfg.AuthInfos["clusterUser_rg-prod_aks-prod"]
	require.NotNil(t, user)
	require.NotNil(t, user.Exec)
	return user.Exec
}

func TestRewriteLoginModes(t *testing.T) {
	cases := []struct {
		name string
		opts Options
		want []string
	}{
		{
			name: "default is azurecli without the kubeconfig's tenant",
			opts: Options{},
			want: []string{"get-token", "--login", "azurecli", "--server-id", AKSServerID},
		},
		{
			name: "azurecli with an explicit tenant",
			opts: Options{Login: LoginAzureCLI, TenantID: "tenant-x"},
			want: []string{"get-token", "--login", "azurecli", "--server-id", AKSServerID, "--tenant-id", "tenant-x"},
		},
		{
			name: "workload identity reads its identity from the environment",
			opts: Options{Login: LoginWorkloadIdentity},
			want: []string{"get-token", "--login", "workloadidentity", "--server-id", AKSServerID},
		},
		{
			name: "workload identity with a client ID",
			opts: Options{Login: LoginWorkloadIdentity, ClientID: "app-1"},
			want: []string{"get-token", "--login", "workloadidentity", "--server-id", AKSServerID, "--client-id", "app-1"},
		},
		{
			name: "spn keeps environment and tenant, takes the given client ID",
			opts: Options{Login: LoginSPN, ClientID: "sp-1"},
			want: []string{"get-token", "--login", "spn", "--server-id", AKSServerID,
				"--environment", "AzurePublicCloud", "--client-id", "sp-1", "--tenant-id", "11111111-2222-3333-4444-555555555555"},
		},
		{
			name: "msi with a user-assigned identity",
			opts: Options{Login: LoginMSI, ClientID: "uami-1", TenantID: "ignored"},
			want: []string{"get-token", "--login", "msi", "--server-id", AKSServerID, "--client-id", "uami-1"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			exec := rewriteUser(t, tc.opts)
			assert.Equal(t, "kubelogin", exec.Command)
			assert.Equal(t, tc.want, exec.Args)
			assert.Equal(t, clientcmdapi.NeverExecInteractiveMode, exec.InteractiveMode)
			assert.Equal(t, "client.authentication.k8s.io/v1beta1", exec.APIVersion)
			assert.Equal(t, "install kubelogin", exec.InstallHint)
			assert.NotContains(t, exec.Args, "devicecode")
			assert.NotContains(t, exec.Args, "80faf920-1908-4b52-b5ef-a8e7bedfc67a",
				"the Azure CLI device-code client ID must not be carried over")
		})
	}
}

func TestRewriteKeepsClustersAndContexts(t *testing.T) {
	out, err := Rewrite([]byte(aksExecKubeconfig), Options{})
	require.NoError(t, err)
	cfg, err := clientcmd.Load(out)
	require.NoError(t, err)
	assert.Equal(t, "aks-prod", cfg.CurrentContext)
	require.Contains(t, cfg.Clusters, "aks-prod")
	assert.Equal(t, "https://aks-prod-abc123.hcp.westeurope.azmk8s.io:443", cfg.Clusters["aks-prod"].Server)
	assert.Equal(t, []byte("CADATA"), cfg.Clusters["aks-prod"].CertificateAuthorityData)
	assert.Equal(t, "clusterUser_rg-prod_aks-prod", cfg.Contexts["aks-prod"].AuthInfo)
}

func TestRewriteIsIdempotent(t *testing.T) {
	once, err := Rewrite([]byte(aksExecKubeconfig), Options{Login: LoginSPN, ClientID: "sp-1"})
	require.NoError(t, err)
	twice, err := Rewrite(once, Options{Login: LoginSPN, ClientID: "sp-1"})
	require.NoError(t, err)
	assert.Equal(t, string(once), string(twice))
}

func TestRewriteLeavesOtherUsersAlone(t *testing.T) {
	cfg, err := clientcmd.Load([]byte(aksExecKubeconfig))
	require.NoError(t, err)
	cfg.AuthInfos["token-user"] = &clientcmdapi.AuthInfo{Token: "static"}
	data, err := clientcmd.Write(*cfg)
	require.NoError(t, err)

	out, err := Rewrite(data, Options{})
	require.NoError(t, err)
	got, err := clientcmd.Load(out)
	require.NoError(t, err)
	assert.Equal(t, "static", got.AuthInfos["token-user"].Token)
	assert.Nil(t, got.AuthInfos["token-user"].Exec)
}

func TestRewriteErrorsNeverLeakTheKubeconfig(t *testing.T) {
	const secret = "s3cr3t-token-value"
	cases := map[string]string{
		"not yaml":        "users: [ {name: x, user: {token: " + secret + "}",
		"wrong type":      "apiVersion: v1\nkind: Config\nusers:\n- name: x\n  user:\n    token: [" + secret + "]\n",
		"no kubelogin":    "apiVersion: v1\nkind: Config\nusers:\n- name: x\n  user:\n    token: " + secret + "\n",
		"unknown version": "apiVersion: " + secret + "\nkind: Config\n",
	}
	for name, doc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := Rewrite([]byte(doc), Options{})
			require.Error(t, err)
			assert.NotContains(t, err.Error(), secret)
		})
	}
	_, err := Rewrite([]byte("apiVersion: v1\nkind: Config\nusers:\n- name: x\n  user:\n    token: t\n"), Options{})
	assert.ErrorIs(t, err, ErrNoKubeloginUser)
	_, err = Rewrite(nil, Options{})
	assert.Error(t, err)
}

func TestLoginModes(t *testing.T) {
	for _, m := range LoginModes {
		got, err := ParseLoginMode(strings.ToUpper(string(m)))
		require.NoError(t, err)
		assert.Equal(t, m, got)
	}
	got, err := ParseLoginMode("")
	require.NoError(t, err)
	assert.Equal(t, LoginAzureCLI, got)

	_, err = ParseLoginMode("devicecode")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "azurecli, workloadidentity, spn, msi")

	_, err = Rewrite([]byte(aksExecKubeconfig), Options{Login: "interactive"})
	require.Error(t, err, "interactive logins are refused")
}
