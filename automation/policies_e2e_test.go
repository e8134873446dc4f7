package automation_test

import (
	"context"
	"errors"
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
