package automation_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	. "github.com/aks-cilium/aks-cilium/automation"
	"github.com/aks-cilium/aks-cilium/automation/verify"
	"github.com/aks-cilium/aks-cilium/sim/apiserver"
	"github.com/aks-cilium/aks-cilium/sim/azuresim"
	"github.com/aks-cilium/aks-cilium/sim/kubesim"
)

// TestVerifyAfterUp: verify.Stack takes the deployed stack's own
// kubeconfig output (a kubelogin exec kubeconfig, pointed by the simulator at
// a real local kube-apiserver), logs in through an exec plugin, and runs the
// checks there. The API server has no Cilium, so the DaemonSet check fails
// and names what is missing, and the kube-proxy check passes: the verdicts
// come from the server, not from the test.
func TestVerifyAfterUp(t *testing.T) {
	env, err := apiserver.Start()
	require.NoError(t, err)
	t.Cleanup(func() { _ = env.Stop() })
	cfg := env.Require(t)

	// A stand-in kubelogin on the PATH: it answers the exec plugin with the
	// API server's client certificate, as kubelogin answers with a token.
	bin := t.TempDir()
	cred, err := json.Marshal(map[string]any{
		"apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential",
		"status": map[string]any{"clientCertificateData": string(cfg.CertData), "clientKeyData": string(cfg.KeyData)},
	})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(bin, "cred.json"), cred, 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(bin, "kubelogin"), []byte("#!/bin/sh\ncat \""+filepath.Join(bin, "cred.json")+"\"\n"), 0o700))
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))

	sim := azuresim.New(azuresim.Options{KubeconfigServer: &azuresim.KubeconfigServer{URL: cfg.Host, CAData: cfg.CAData}})
	_, err = sim.Start(context.Background())
	require.NoError(t, err)
	t.Cleanup(sim.Stop)

	kube := kubesim.New(kubesim.Options{Config: cfg})
	_, err = kube.Start(context.Background())
	require.NoError(t, err)
	t.Cleanup(kube.Stop)
	debug := kubesim.DebugProviders(sim.EnvVars()["PULUMI_DEBUG_PROVIDERS"], kube.DebugProviderEntry())

	eng, err := New(Options{Now: testNow, Dir: t.TempDir(), Passphrase: "verify test passphrase", CLI: testCLI(t),
		Env: map[string]string{"PULUMI_DEBUG_PROVIDERS": debug}})
	require.NoError(t, err)
	ctx := context.Background()
	_, err = eng.Up(ctx, "verify", referenceSpec("verify"), UpOptions{})
	require.NoError(t, err)

	report, err := verify.Stack(ctx, eng, "verify", verify.Options{Checks: []string{verify.CheckNoKubeProxy, verify.CheckCiliumDaemonSet}})
	require.NoError(t, err)
	require.Len(t, report.Checks, 2)
	proxy, ok := report.Check(verify.CheckNoKubeProxy)
	require.True(t, ok)
	assert.Equal(t, verify.Pass, proxy.Verdict, report.Human())
	ds, ok := report.Check(verify.CheckCiliumDaemonSet)
	require.True(t, ok)
	assert.Equal(t, verify.Fail, ds.Verdict, report.Human())
	assert.Contains(t, ds.Summary+report.Human(), "cilium")
	assert.False(t, report.Passed())
	t.Log("\n" + report.Human())
}
