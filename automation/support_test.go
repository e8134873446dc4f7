package automation

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aks-cilium/aks-cilium/components/spec"
)

// TestCheckSupport: the Engine refuses a minor AKS would not create on its
// day for a new stack and for a change of minor, and lets an existing
// cluster keep its minor past the minor's support.
func TestCheckSupport(t *testing.T) {
	e := &Engine{opts: Options{Dir: t.TempDir(), Now: func() time.Time { return time.Date(2026, time.December, 1, 9, 0, 0, 0, time.UTC) }}}
	c := testSpec()
	c.KubernetesVersion = "1.31" // LTS ended 2026-11-30
	// applied records prev as the stack's last successful Up, as Up does.
	applied := func(prev spec.Cluster) {
		data, err := json.Marshal(map[string]any{"config": map[string]any{configApplied: prev.WithDefaults()}})
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(e.WorkDir("prod"), 0o700))
		require.NoError(t, os.WriteFile(filepath.Join(e.WorkDir("prod"), "Pulumi.prod.yaml"), data, 0o600))
	}

	err := e.checkSupport("prod", c)
	var invalid *InvalidSpecError
	require.True(t, errors.As(err, &invalid), "a new cluster on 1.31: %v", err)
	require.Len(t, invalid.Errs, 1)
	assert.Equal(t, "kubernetesVersion", invalid.Errs[0].Field)
	assert.Contains(t, invalid.Errs[0].Detail, "long-term support 2026-11-30")

	prev := c
	applied(prev)
	assert.NoError(t, e.checkSupport("prod", c), "an existing 1.31 cluster keeps running and can be updated")
	prev.KubernetesVersion = "1.31.5"
	applied(prev)
	assert.NoError(t, e.checkSupport("prod", c), "a patch is the same minor")

	up := c
	up.KubernetesVersion = "1.32" // LTS only on 2026-12-01
	assert.Error(t, e.checkSupport("prod", up), "an upgrade to a minor AKS offers only under LTS, on Free")
	up.SKU = spec.SKU{Tier: spec.TierPremium, SupportPlan: spec.SupportPlanLTS}
	assert.NoError(t, e.checkSupport("prod", up), "with Premium and LTS")
	up = c
	up.KubernetesVersion = "1.35"
	assert.NoError(t, e.checkSupport("prod", up), "an upgrade into community support")
}

// testSpec is a valid overlay spec.
func testSpec() spec.Cluster {
	return spec.Cluster{
		Name: "aks-unit", Location: "westeurope", ResourceGroup: spec.ResourceGroup{Name: "rg-aks-unit"}, KubernetesVersion: "1.35",
		Network: spec.Network{Mode: spec.Overlay{PodCIDR: "192.168.0.0/16"},
			VNet: spec.VNet{Name: "vnet-unit", AddressSpace: []string{"10.10.0.0/16"}, NodeSubnet: spec.Subnet{Name: "nodes", CIDR: "10.10.0.0/22"}}},
		SystemPool: spec.NodePool{Name: "system", VMSize: "Standard_D4ds_v5", Count: 3},
	}
}
