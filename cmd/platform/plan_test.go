package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aks-cilium/aks-cilium/automation/automationtest"
)

func readPage(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	return string(data)
}

// plan --html writes the page of a stack config file, invalid ones too
// (exit 1), with no engine and no pulumi process.
func TestPlanConfig(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "vnet.html")
	code, stdout, _ := cli(t, "plan", "--config", "../../stacks/Pulumi.vnet.yaml", "--html", out)
	require.Equal(t, exitOK, code)
	assert.Contains(t, stdout, out)
	page := readPage(t, out)
	assert.Contains(t, page, `data-cidr="10.10.32.0/20"`)
	assert.Contains(t, page, `data-from="shop" data-to="payments"`, "the config's policies are in the matrix")

	bad := writeConfig(t, dir, "bad", "dnsServiceIP: 10.0.0.10", "dnsServiceIP: 10.99.0.10")
	code, stdout, _ = cli(t, "plan", "--config", bad, "--html", out)
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, stdout, "INVALID")
	assert.Contains(t, readPage(t, out), `data-field="network.dnsServiceIP"`)

	code, _, stderr := cli(t, "plan", "--config", bad)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "--html")
	code, _, _ = cli(t, "plan", "--html", out)
	assert.Equal(t, exitUsage, code, "a config or a stack is needed")
}

// plan --stack writes the page of a stack the engine folder holds: the spec
// of its last up, and its stored policies.
func TestPlanStack(t *testing.T) {
	automationtest.CLI(t)
	useAPIServer = false // the up below applies no Kubernetes object
	t.Cleanup(func() { useAPIServer = true })
	t.Setenv("PULUMI_CONFIG_PASSPHRASE", "")
	dir, cfgDir := filepath.Join(t.TempDir(), "engine"), t.TempDir()
	out := filepath.Join(cfgDir, "plan.html")
	sim := []string{"--simulate", "--dir", dir}

	code, _, stderr := cli(t, append([]string{"plan", "--stack", "pl", "--html", out}, sim...)...)
	assert.Equal(t, exitUsage, code, "no such stack yet")
	assert.Contains(t, stderr, "no spec stored")

	cfg := writeConfig(t, cfgDir, "pl")
	code, _, _ = cli(t, append([]string{"up", "--config", cfg, "--create-stack"}, sim...)...)
	require.Equal(t, exitOK, code)
	code, stdout, _ := cli(t, append([]string{"plan", "--stack", "pl", "--html", out}, sim...)...)
	require.Equal(t, exitOK, code)
	assert.Contains(t, stdout, "stack pl")
	page := readPage(t, out)
	assert.Contains(t, page, "the spec of its last up")
	assert.Contains(t, page, `data-cidr="192.168.0.0/16"`, "the demo stack's pod CIDR")
	assert.Contains(t, page, `data-reach="none"`, "the demo stack's up ran without policies")
}
