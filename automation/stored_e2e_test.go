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
	"github.com/aks-cilium/aks-cilium/components/planview"
)

// TestStoredConfig: the spec and policies the Engine keeps for a stack are
// read back without a pulumi process: after a preview the spec it was
// given (not applied), after an up the spec deployed; the plan page of the
// running stack is made from them.
func TestStoredConfig(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ctx := context.Background()
	eng := h.eng

	_, err := eng.StoredConfig("none")
	assert.True(t, errors.Is(err, ErrNoStoredConfig), "a stack the Engine never ran: %v", err)

	c := referenceSpec("stored")
	policies := &components.PoliciesArgs{Config: netpol.Config{Namespaces: []string{"shop", "payments"}}}
	require.NoError(t, eng.SetPolicies(ctx, "stored", policies))
	_, err = eng.Preview(ctx, "stored", c, PreviewOptions{})
	require.NoError(t, err)
	before := eng.CLI().Processes()
	sc, err := eng.StoredConfig("stored")
	require.NoError(t, err)
	assert.Equal(t, before, eng.CLI().Processes(), "read in Go")
	assert.False(t, sc.Applied, "previewed, not deployed")
	assert.Equal(t, c.Name, sc.Cluster.Name)
	require.NotNil(t, sc.Policies)
	assert.Equal(t, []string{"shop", "payments"}, sc.Policies.Namespaces)

	page := planview.Build(planview.Input{Title: "stack stored", Cluster: sc.Cluster, Policies: &sc.Policies.Config})
	require.True(t, page.Valid(), "%v", page.Problems)
	require.NotNil(t, page.Reach, page.ReachNote)
	assert.Len(t, page.Reach.Rows, 3, "shop, payments and kube-system")

	require.NoError(t, eng.SetPolicies(ctx, "stored", nil))
	_, err = eng.Up(ctx, "stored", c, UpOptions{})
	require.NoError(t, err)
	sc, err = eng.StoredConfig("stored")
	require.NoError(t, err)
	assert.True(t, sc.Applied)
	assert.Equal(t, c.WithDefaults(), sc.Cluster, "the spec of the last up, defaulted")
	assert.Nil(t, sc.Policies)
}
