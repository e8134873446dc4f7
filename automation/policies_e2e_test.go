package automation_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	. "github.com/aks-cilium/aks-cilium/automation"
	"github.com/aks-cilium/aks-cilium/components"
	"github.com/aks-cilium/aks-cilium/components/netpol"
	"github.com/aks-cilium/aks-cilium/sim/azuresim"
)

// TestSetPoliciesCheckedAgainstTheCluster: the stack's stored policies are
// checked against the cluster spec before any process runs: FQDN egress on a
// cluster without ACNS security is an *InvalidSpecError under "policies.";
// removing them makes the same preview run.
func TestSetPoliciesCheckedAgainstTheCluster(t *testing.T) {
	sim := azuresim.New(azuresim.Options{})
	_, err := sim.Start(context.Background())
	require.NoError(t, err)
	t.Cleanup(sim.Stop)
	eng, err := New(Options{Now: testNow, Dir: t.TempDir(), Passphrase: "policies test passphrase", CLI: testCLI(t), Env: providerEnv(t, sim)})
	require.NoError(t, err)
	ctx := context.Background()
	c := referenceSpec("pol") // ACNS off

	require.NoError(t, eng.SetPolicies(ctx, "pol", &components.PoliciesArgs{Config: netpol.Config{
		Namespaces: []string{"shop"},
		FQDNEgress: []netpol.FQDNEgress{{Name: "storage", MatchPatterns: []string{"*.blob.core.windows.net"}}},
	}}))
	before := eng.CLI().Processes()
	_, err = eng.Preview(ctx, "pol", c, PreviewOptions{})
	var invalid *InvalidSpecError
	require.True(t, errors.As(err, &invalid), "got %v", err)
	require.NotEmpty(t, invalid.Errs)
	assert.Equal(t, "policies.fqdnEgress", invalid.Errs[0].Field)
	assert.Equal(t, before, eng.CLI().Processes(), "refused before any pulumi process")

	require.NoError(t, eng.SetPolicies(ctx, "pol", nil))
	res, err := eng.Preview(ctx, "pol", c, PreviewOptions{})
	require.NoError(t, err)
	assert.True(t, res.HasChanges())
}

// A refused spec touches nothing: policies that do not fit the cluster stop
// Preview before the stack is created (new stack) and before the new spec
// is written over the stack's settings (existing stack).
func TestPolicyRefusalTouchesNothing(t *testing.T) {
	sim := azuresim.New(azuresim.Options{})
	_, err := sim.Start(context.Background())
	require.NoError(t, err)
	t.Cleanup(sim.Stop)
	dir := t.TempDir()
	eng, err := New(Options{Now: testNow, Dir: dir, Passphrase: "policies test passphrase", CLI: testCLI(t), Env: providerEnv(t, sim)})
	require.NoError(t, err)
	ctx := context.Background()
	fqdn := &components.PoliciesArgs{Config: netpol.Config{
		Namespaces: []string{"shop"},
		FQDNEgress: []netpol.FQDNEgress{{Name: "storage", MatchPatterns: []string{"*.blob.core.windows.net"}}},
	}}
	checkpoint := func(stack string) string {
		return filepath.Join(eng.StateDir(), ".pulumi", "stacks", DefaultProject, stack+".json")
	}

	// A new stack: refused, and not created.
	require.NoError(t, eng.SetPolicies(ctx, "fresh", fqdn))
	_, err = eng.Preview(ctx, "fresh", referenceSpec("fresh"), PreviewOptions{})
	var invalid *InvalidSpecError
	require.ErrorAs(t, err, &invalid)
	assert.NoFileExists(t, checkpoint("fresh"), "the refused preview created no stack")

	// An existing stack: refused, and its settings still hold the old spec.
	c := referenceSpec("kept")
	_, err = eng.Preview(ctx, "kept", c, PreviewOptions{})
	require.NoError(t, err)
	require.FileExists(t, checkpoint("kept"))
	require.NoError(t, eng.SetPolicies(ctx, "kept", fqdn))
	changed := c
	changed.Tags = map[string]string{"environment": "refused"}
	_, err = eng.Preview(ctx, "kept", changed, PreviewOptions{})
	require.ErrorAs(t, err, &invalid)
	settings, err := os.ReadFile(filepath.Join(eng.WorkDir("kept"), "Pulumi.kept.yaml"))
	require.NoError(t, err)
	assert.NotContains(t, string(settings), "refused", "the refused spec was not written")
	assert.Contains(t, string(settings), "environment: test", "the last accepted spec is there")
}
