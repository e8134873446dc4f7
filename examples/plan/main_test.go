package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aks-cilium/aks-cilium/components/planview"
)

// The shipped stack configs plan cleanly, and the demo's broken spec reports
// every mistake with its field path (make demo shows both).
func TestPlanShippedConfigs(t *testing.T) {
	for _, f := range []string{"../../stacks/Pulumi.overlay.yaml", "../../stacks/Pulumi.vnet.yaml", "../../stacks/Pulumi.nodesubnet.yaml"} {
		require.NoError(t, plan(f, testToday), f)
	}
	err := plan("invalid.yaml", testToday)
	require.Error(t, err)
	for _, path := range []string{"name:", "location:", "network.vnet.nodeSubnet.cidr:", "network.dnsServiceIP:", "userPools[0].osType:", "acns.security:"} {
		assert.Contains(t, err.Error(), path)
	}
	assert.Contains(t, err.Error(), "8 problems", "1.28 is also past its LTS on the day")
	assert.Contains(t, err.Error(), "AKS no longer creates clusters with Kubernetes 1.28")
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

// testToday is the day the tests judge support windows on.
var testToday = time.Date(2026, time.December, 1, 0, 0, 0, 0, time.UTC)

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
	err = plan(bad, testToday)
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

// TestPlanShowsProductionSettings: plan prints every production setting of
// the production-like stack.
func TestPlanShowsProductionSettings(t *testing.T) {
	r, w, err := os.Pipe()
	require.NoError(t, err)
	stdout := os.Stdout
	os.Stdout = w
	perr := plan("../../stacks/Pulumi.vnet.yaml", testToday)
	os.Stdout = stdout
	require.NoError(t, w.Close())
	out, err := io.ReadAll(r)
	require.NoError(t, err)
	require.NoError(t, perr)
	for _, want := range []string{
		"support      community on 2026-12-01 (GA 2026-03-01, community support to 2027-03-31, LTS to 2028-03-31)",
		"tier         Standard (uptime SLA), support plan KubernetesOfficial",
		"upgrades     channel patch, node OS NodeImage",
		"window       aksManagedAutoUpgradeSchedule: every 1 week(s) on Sunday, 02:00 +01:00 for 4h, 1 blackout span(s)",
		"window       aksManagedNodeOSUpgradeSchedule: every 1 week(s) on Saturday, 02:00 +01:00 for 4h",
		"egress       NAT gateway natgw-aks-cilium-prod (new, 2 public IP(s), no zone, idle timeout 4 min)",
		"identity     user-assigned control plane id-aks-cilium-prod, kubelet id-aks-cilium-prod-kubelet",
		"node RG      rg-aks-cilium-prod-nodes",
		"WireGuard encryption, BpfVeth host routing",
		"AzureLinux (Azure Linux 3.0), OS disk Ephemeral 150 GiB (the VM's temp storage)",
		"limits       36 of 5000 nodes per cluster",
		"note         the NAT gateway is zonal",
	} {
		assert.Contains(t, string(out), want)
	}
}
