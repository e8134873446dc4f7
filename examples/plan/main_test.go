package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The shipped stack configs plan cleanly, and the demo's broken spec reports
// every mistake with its field path (make demo shows both).
func TestPlanShippedConfigs(t *testing.T) {
	for _, f := range []string{"../../stacks/Pulumi.overlay.yaml", "../../stacks/Pulumi.vnet.yaml", "../../stacks/Pulumi.nodesubnet.yaml"} {
		require.NoError(t, plan(f), f)
	}
	err := plan("invalid.yaml")
	require.Error(t, err)
	for _, path := range []string{"name:", "location:", "network.vnet.nodeSubnet.cidr:", "network.dnsServiceIP:", "userPools[0].osType:", "acns.security:"} {
		assert.Contains(t, err.Error(), path)
	}
	assert.Contains(t, err.Error(), "7 problems")
	assert.Contains(t, err.Error(), "[SPEC201]", "each problem carries its rule code")
}

// A stack config with the cluster key twice, or two documents, was read
// with the last key or the first document; both are errors now.
func TestLoadRefusesAmbiguousFiles(t *testing.T) {
	dir := t.TempDir()
	twice := filepath.Join(dir, "Pulumi.twice.yaml")
	require.NoError(t, os.WriteFile(twice, []byte("config:\n  aks-cilium:cluster: {name: a}\n  aks-cilium:cluster: {name: b}\n"), 0o600))
	_, err := load(twice)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "[SPEC003]")
	two := filepath.Join(dir, "two.yaml")
	require.NoError(t, os.WriteFile(two, []byte("name: a\n---\nname: b\n"), 0o600))
	_, err = load(two)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "[SPEC004]")
}

func TestLoadBareSpecAndStackConfig(t *testing.T) {
	c, err := load("invalid.yaml")
	require.NoError(t, err, "a bare spec decodes")
	assert.Equal(t, "aks.demo", c.Name)
	c, err = load("../../stacks/Pulumi.overlay.yaml")
	require.NoError(t, err, "the spec under aks-cilium:cluster decodes")
	assert.NotEmpty(t, c.Name)
}
