package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aks-cilium/aks-cilium/components/planview"
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
	_, err := planview.ReadFile(twice)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "[SPEC003]")
	two := filepath.Join(dir, "two.yaml")
	require.NoError(t, os.WriteFile(two, []byte("name: a\n---\nname: b\n"), 0o600))
	_, err = planview.ReadFile(two)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "[SPEC004]")
}

func TestLoadBareSpecAndStackConfig(t *testing.T) {
	in, err := planview.ReadFile("invalid.yaml")
	require.NoError(t, err, "a bare spec decodes")
	assert.Equal(t, "aks.demo", in.Cluster.Name)
	assert.Nil(t, in.Policies)
	in, err = planview.ReadFile("../../stacks/Pulumi.vnet.yaml")
	require.NoError(t, err, "the spec under aks-cilium:cluster decodes")
	assert.NotEmpty(t, in.Cluster.Name)
	require.NotNil(t, in.Policies, "and the policies under aks-cilium:policies")
	assert.Equal(t, []string{"shop", "payments"}, in.Policies.Namespaces)
}

// A stack config whose policies do not validate is invalid, with the
// policies' field paths, like the spec's.
func TestPlanChecksPolicies(t *testing.T) {
	data, err := os.ReadFile("../../stacks/Pulumi.vnet.yaml")
	require.NoError(t, err)
	bad := filepath.Join(t.TempDir(), "Pulumi.bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte(strings.Replace(string(data), "namespaces: [shop, payments]", "namespaces: [shop, Payments]", 1)), 0o600))
	err = plan(bad)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "policies.namespaces[1]")
}

// --html writes the page of the plan; an invalid spec's page is written
// too, and says it is invalid.
func TestWriteHTML(t *testing.T) {
	dir := t.TempDir()
	valid, err := writeHTML("../../stacks/Pulumi.vnet.yaml", filepath.Join(dir, "vnet.html"))
	require.NoError(t, err)
	assert.True(t, valid)
	page, err := os.ReadFile(filepath.Join(dir, "vnet.html"))
	require.NoError(t, err)
	assert.Contains(t, string(page), `data-cidr="10.10.32.0/20"`)
	assert.Contains(t, string(page), `id="matrix"`)

	valid, err = writeHTML("invalid.yaml", filepath.Join(dir, "invalid.html"))
	require.NoError(t, err)
	assert.False(t, valid)
	page, err = os.ReadFile(filepath.Join(dir, "invalid.html"))
	require.NoError(t, err)
	assert.Contains(t, string(page), `data-verdict="invalid"`)
	assert.Contains(t, string(page), `data-code="SPEC111"`)
}
