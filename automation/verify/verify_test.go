package verify

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/version"
	fakediscovery "k8s.io/client-go/discovery/fake"
)

func TestCiliumVersionFromImage(t *testing.T) {
	good := map[string]string{
		"mcr.microsoft.com/oss/cilium/cilium:1.17.9-250121":                        "1.17.9",
		"mcr.microsoft.com/oss/cilium/cilium:1.16.16":                              "1.16.16",
		"quay.io/cilium/cilium:v1.18.6@sha256:" + strings.Repeat("a", 64):          "1.18.6",
		"myregistry.azurecr.io:5000/mirror/cilium/cilium:1.17.0-rc.2":              "1.17.0",
		"localhost:5000/cilium:1.14.19":                                            "1.14.19",
		"mcr.microsoft.com/oss/cilium/cilium:1.17.9-250121@sha256:" + "0123456789": "1.17.9",
	}
	for image, want := range good {
		v, err := CiliumVersionFromImage(image)
		if assert.NoError(t, err, image) {
			assert.Equal(t, want, v.String(), image)
		}
	}
	bad := map[string]string{
		"mcr.microsoft.com/oss/cilium/cilium@sha256:abcdef": "pinned by digest only",
		"mcr.microsoft.com/oss/cilium/cilium":               "has no tag",
		"localhost:5000/cilium":                             "has no tag",
		"quay.io/cilium/cilium:latest":                      `tag "latest" does not start with a version`,
		"quay.io/cilium/cilium:1.17":                        `tag "1.17" does not start with a version`,
	}
	for image, want := range bad {
		_, err := CiliumVersionFromImage(image)
		if assert.Error(t, err, image) {
			assert.Contains(t, err.Error(), want)
		}
	}
}

func TestRESTConfigFromKubeconfig(t *testing.T) {
	// The shape of an AKS kubeconfig with Entra ID: the user execs kubelogin.
	aks := `apiVersion: v1
kind: Config
clusters:
- name: aks-cilium
  cluster:
    server: https://aks-cilium-dns-12345678.hcp.westeurope.azmk8s.io:443
    certificate-authority-data: ""
contexts:
- name: aks-cilium
  context: {cluster: aks-cilium, user: clusterUser}
current-context: aks-cilium
users:
- name: clusterUser
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: kubelogin
      args: [get-token, --login, workloadidentity, --server-id, 6dae42f8-4368-4678-94ff-3960e28e3630]
      interactiveMode: IfAvailable
`
	cfg, err := RESTConfigFromKubeconfig([]byte(aks))
	require.NoError(t, err)
	assert.Equal(t, "https://aks-cilium-dns-12345678.hcp.westeurope.azmk8s.io:443", cfg.Host)
	require.NotNil(t, cfg.ExecProvider)
	assert.Equal(t, "kubelogin", cfg.ExecProvider.Command)

	_, err = RESTConfigFromKubeconfig(nil)
	assert.EqualError(t, err, "verify: the kubeconfig is empty")

	secret := "sup3r-s3cret-t0ken-value"
	_, err = RESTConfigFromKubeconfig([]byte("users:\n- name: admin\n  user:\n    token: [" + secret + "\n"))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), secret, "errors never quote the kubeconfig")
	_, err = RESTConfigFromKubeconfig([]byte("users: " + secret))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), secret)
}

func TestOptionsAreValidated(t *testing.T) {
	_, clients := fakeClients()
	_, err := RunClients(context.Background(), clients, Options{Checks: []string{"cilium-dameonset", CheckNoKubeProxy, CheckNoKubeProxy}, ProbePort: 70000})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `unknown check "cilium-dameonset" (valid: cilium-daemonset, cilium-operator, no-kube-proxy, cilium-logs, cilium-endpoint-slices, cilium-version, policy-enforcement)`)
	assert.Contains(t, err.Error(), `"no-kube-proxy" is listed twice`)
	assert.Contains(t, err.Error(), "Options.ProbePort: 70000 is not a port")

	_, err = RunClients(context.Background(), Clients{}, Options{})
	assert.EqualError(t, err, "verify: Clients.Kube and Clients.Dynamic are required")
	_, err = Run(context.Background(), nil, Options{})
	assert.EqualError(t, err, "verify: no rest.Config")
}

func TestCancelledBeforeRun(t *testing.T) {
	_, clients := fakeClients()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	report, err := RunClients(ctx, clients, Options{})
	require.ErrorIs(t, err, context.Canceled)
	require.Len(t, report.Checks, len(AllChecks))
	for i, c := range report.Checks {
		assert.Equal(t, AllChecks[i], c.Name)
		assert.Equal(t, Fail, c.Verdict)
		assert.Equal(t, "not run: context canceled", c.Summary)
	}
	assert.False(t, report.Passed())
}

// With fakes, the version comes from the fake discovery; a version the
// table does not know fails the version checks with the table's message,
// unless AllowNewerKubernetes.
func TestKubernetesVersionOutsideTheTable(t *testing.T) {
	kube, clients := fakeClients()
	kube.Discovery().(*fakediscovery.FakeDiscovery).FakedServerVersion = &version.Info{GitVersion: "v1.40.2"}
	opts := Options{Checks: []string{CheckEndpointSlices}}
	report, err := RunClients(context.Background(), clients, opts)
	require.NoError(t, err)
	c := mustCheck(t, report, CheckEndpointSlices)
	assert.Equal(t, Fail, c.Verdict)
	assert.Contains(t, evidenceText(c), "Kubernetes 1.40 is newer than the version table")

	opts.AllowNewerKubernetes = true
	report, err = RunClients(context.Background(), clients, opts)
	require.NoError(t, err)
	c = mustCheck(t, report, CheckEndpointSlices)
	assert.Equal(t, "1.40.2", report.KubernetesVersion)
	assert.Contains(t, evidenceText(c), "Kubernetes 1.40.2 (from the API server, v1.40.2); newer than the version table, whose last row (1.36) applies")
	// The fake discovery serves no cilium.io group.
	assert.Equal(t, "the API server does not serve ciliumendpointslices.cilium.io v2alpha1: Cilium's CRD is missing", c.Summary)

	assert.Equal(t, "1.29.1", normalizeGitVersion("v1.29.1-eks-abc+123"))
	assert.Equal(t, "1.32.4", normalizeGitVersion("v1.32.4"))
}
