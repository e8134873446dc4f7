package netpol

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aks-cilium/aks-cilium/components/spec"
)

func clusterSpec() spec.Cluster {
	return spec.Cluster{
		Name: "aks", Location: "westeurope", KubernetesVersion: "1.32",
		ResourceGroup: spec.ResourceGroup{Name: "rg"},
		Network: spec.Network{
			Mode:        spec.Overlay{PodCIDR: "100.64.0.0/16"},
			ServiceCIDR: "10.0.0.0/16", DNSServiceIP: "10.0.0.10",
			VNet:         spec.VNet{Name: "vnet", AddressSpace: []string{"10.10.0.0/16"}, NodeSubnet: spec.Subnet{Name: "nodes", CIDR: "10.10.0.0/22"}},
			PeeredRanges: []string{"10.20.0.0/16", "198.18.0.0/15"},
		},
		SystemPool: spec.NodePool{Name: "system", VMSize: "Standard_D4ds_v5", Count: 3},
		ACNS:       spec.ACNS{Enabled: true, Security: spec.ACNSSecurityL7},
	}.WithDefaults()
}

func TestForCluster(t *testing.T) {
	c := clusterSpec()
	require.Empty(t, c.Validate())
	cfg := ForCluster(Config{Namespaces: []string{"app"}, ACNS: ACNS{}, KubernetesVersion: "1.20"}, c)
	assert.Equal(t, ACNS{Enabled: true, Security: spec.ACNSSecurityL7}, cfg.ACNS, "the cluster's ACNS switches win")
	assert.Equal(t, "1.32", cfg.KubernetesVersion)
	assert.Equal(t, []string{"198.18.0.0/15", "100.64.0.0/16"}, cfg.InternetEgressExcept,
		"ranges outside RFC 1918 are left out of internet egress; 10.x ranges are already")

	b, err := Build(cfg)
	require.NoError(t, err)
	for _, f := range Lint(b.PolicySet, LintContextFor(c)) {
		t.Errorf("the baseline of a cluster must lint clean, got %s", f)
	}
	// Without ForCluster the 100.64.0.0/16 pod CIDR would be "internet".
	plain, err := Build(Config{Namespaces: []string{"app"}})
	require.NoError(t, err)
	assert.NotEmpty(t, Lint(plain.PolicySet, LintContextFor(c)), "the lint sees the pod CIDR inside the internet rule")
}

func TestLintContextFor(t *testing.T) {
	c := clusterSpec()
	ctx := LintContextFor(c)
	assert.Equal(t, netip.MustParsePrefix("100.64.0.0/16"), ctx.PodCIDR)
	assert.Equal(t, []netip.Prefix{netip.MustParsePrefix("10.10.0.0/22")}, ctx.NodeSubnets)
	assert.Equal(t, "1.17.9", ctx.CiliumVersion)
	require.NotNil(t, ctx.ACNSSecurity)
	assert.Equal(t, spec.ACNSSecurityL7, *ctx.ACNSSecurity)

	c.Network.Mode = spec.PodSubnet{Subnets: []spec.Subnet{{Name: "pods", CIDR: "10.10.16.0/20"}}}
	ctx = LintContextFor(c)
	assert.Equal(t, []netip.Prefix{netip.MustParsePrefix("10.10.16.0/20")}, ctx.PodSubnets)
	assert.False(t, ctx.PodCIDR.IsValid())
}
