package planview

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aks-cilium/aks-cilium/components/netpol"
	"github.com/aks-cilium/aks-cilium/components/spec"
)

func readStack(t *testing.T, path string) Input {
	t.Helper()
	in, err := ReadFile(path)
	require.NoError(t, err)
	return in
}

func rangeByCIDR(m AddressMap, kind Kind, cidr string) *Range {
	for i := range m.Ranges {
		if m.Ranges[i].Kind == kind && m.Ranges[i].CIDR == cidr {
			return &m.Ranges[i]
		}
	}
	return nil
}

// The production-like stack: every range with its use at max plus surge
// and headroom, lanes by containment, no problem.
func TestAddressMapVNetStack(t *testing.T) {
	p := Build(readStack(t, "../../stacks/Pulumi.vnet.yaml"))
	require.True(t, p.Valid(), "%v", p.Problems)
	m := p.Map

	node := rangeByCIDR(m, KindNodeSubnet, "10.10.0.0/22")
	require.NotNil(t, node)
	// 7 system nodes (6 + surge 1) and 40 apps nodes (30 + 33% surge): one address each.
	assert.Equal(t, "47 of 1,019 addresses (5%) at autoscaler max plus surge", node.Use)
	assert.Equal(t, "headroom 972 addresses", node.Headroom)
	assert.InDelta(t, float64(47+5)/1024, node.UsedFraction, 1e-9)
	apps := rangeByCIDR(m, KindPodSubnet, "10.10.32.0/20")
	require.NotNil(t, apps)
	assert.Equal(t, "640 of 4,091 addresses (16%) at autoscaler max plus surge", apps.Use, "40 nodes x 16 IPs a batch")
	vnet := rangeByCIDR(m, KindVNet, "10.10.0.0/16")
	require.NotNil(t, vnet)
	assert.Equal(t, "subnets take 6,144 of 65,536 addresses (9%)", vnet.Use)

	for _, k := range []struct {
		kind Kind
		cidr string
	}{{KindServiceCIDR, "10.0.0.0/16"}, {KindDNSServiceIP, "10.0.0.10"}, {KindPeered, "10.20.0.0/16"}, {KindPeered, "172.16.0.0/16"},
		{KindPodSubnet, "10.10.16.0/22"}, {KindReserved, "169.254.0.0/16"}, {KindReserved, "172.30.0.0/16"}, {KindReserved, "172.31.0.0/16"}, {KindReserved, "192.0.2.0/24"}} {
		assert.NotNil(t, rangeByCIDR(m, k.kind, k.cidr), "%s %s", k.kind, k.cidr)
	}
	// Lanes: the service CIDR with kube-dns's address, the VNet with its
	// subnets one row down, then one lane for each other range.
	var regions []string
	for _, g := range m.Regions {
		regions = append(regions, g.Prefix.String())
	}
	assert.Equal(t, []string{"10.0.0.0/16", "10.10.0.0/16", "10.20.0.0/16", "169.254.0.0/16", "172.16.0.0/16", "172.30.0.0/16", "172.31.0.0/16", "192.0.2.0/24"}, regions)
	assert.Equal(t, 0, vnet.Row)
	assert.Equal(t, 1, node.Row)
	assert.Equal(t, 1, apps.Row)
	// To scale: the /20 is a sixteenth of the /16's lane, 32 /24s from its start.
	lane := laneX1 - laneX0
	assert.InDelta(t, lane/16, apps.W, 1e-9)
	assert.InDelta(t, laneX0+lane*32/256, apps.X, 1e-9)
	assert.True(t, m.Regions[2].Compact, "a lane of one range without problems is compact")
	assert.Empty(t, m.Undrawn)
}

// The demo's broken spec: each range problem beside its range, in red,
// with a band where the overlapping ranges meet; the others listed.
func TestAddressMapInvalidSpec(t *testing.T) {
	p := Build(readStack(t, "../../examples/plan/invalid.yaml"))
	require.False(t, p.Valid())
	c := readStack(t, "../../examples/plan/invalid.yaml").Cluster.WithDefaults()
	assert.Len(t, p.Problems, len(c.Validate()), "every problem of Validate, once")

	vnet := rangeByCIDR(p.Map, KindVNet, "10.10.0.0/16")
	node := rangeByCIDR(p.Map, KindNodeSubnet, "10.10.0.0/24")
	dns := rangeByCIDR(p.Map, KindDNSServiceIP, "10.0.0.1")
	pod := rangeByCIDR(p.Map, KindPodCIDR, "10.10.0.0/16")
	for _, r := range []*Range{vnet, node, dns, pod} {
		require.NotNil(t, r)
	}
	assert.Equal(t, "[SPEC111]", vnet.Codes())
	assert.Equal(t, "[SPEC111]", node.Codes())
	assert.Equal(t, "[SPEC113]", dns.Codes())
	assert.False(t, pod.Error(), "the overlap is reported on the later range of each pair")
	assert.Contains(t, vnet.Label.Lines[1], "SPEC111", "the bar's label says it")

	g := p.Map.Regions[vnet.Region]
	require.Len(t, g.Bands, 2, "the VNet meets the pod CIDR over the whole /16, the node subnet over its /24")
	assert.InDelta(t, laneX1-laneX0, g.Bands[0].W, 1e-9)
	assert.InDelta(t, (laneX1-laneX0)/256, g.Bands[1].W, 1e-9)

	var other []spec.Code
	for _, pr := range p.Problems {
		if pr.Range == "" {
			other = append(other, pr.Code)
		} else {
			assert.NotContains(t, pr.Message, "["+string(pr.Code)+"]", "the code is moved out of the message")
		}
	}
	assert.ElementsMatch(t, []spec.Code{spec.CodeClusterName, spec.CodeLocation, spec.CodeWindowsPool, spec.CodeFeatureGate}, other)
	assert.Nil(t, p.Reach)
	assert.Contains(t, p.ReachNote, "no baseline policies")
}

// A CIDR that does not parse is listed with its problem, not drawn.
func TestAddressMapUndrawn(t *testing.T) {
	in := readStack(t, "../../stacks/Pulumi.overlay.yaml")
	in.Cluster.Network.PeeredRanges = []string{"10.300.0.0/16"}
	p := Build(in)
	r := rangeByCIDR(p.Map, KindPeered, "10.300.0.0/16")
	require.NotNil(t, r)
	assert.False(t, r.Drawn)
	assert.Equal(t, "["+string(spec.CodeCIDR)+"]", r.Codes())
	assert.Contains(t, p.Map.Undrawn, indexOf(p.Map, r))
}

func indexOf(m AddressMap, r *Range) int {
	for i := range m.Ranges {
		if &m.Ranges[i] == r {
			return i
		}
	}
	return -1
}

func cellOf(t *testing.T, r *Reach, from, to string) Cell {
	t.Helper()
	for i, g := range r.Rows {
		for j, col := range r.Columns {
			if g.Namespace == from && col.Name == to {
				return r.Cells[i][j]
			}
		}
	}
	t.Fatalf("no cell %s -> %s", from, to)
	return Cell{}
}

func resultOf(c Cell, probe string) Result {
	for _, r := range c.Results {
		if r.Probe.String() == probe {
			return r
		}
	}
	return Result{}
}

// The baseline of the vnet stack, as the AKS guide and the config say:
// same namespace allowed, across namespaces denied, DNS and the internet
// allowed, the ingress controller on its port, monitoring on the metrics
// port (only its pods), each with the evaluator's reason.
func TestReachVNetBaseline(t *testing.T) {
	p := Build(readStack(t, "../../stacks/Pulumi.vnet.yaml"))
	r := p.Reach
	require.NotNil(t, r, p.ReachNote)
	var rows []string
	for _, g := range r.Rows {
		rows = append(rows, g.Namespace)
	}
	assert.Equal(t, []string{"payments", "shop", "app-routing-system", "kube-system"}, rows)
	var probes []string
	for _, pr := range r.Probes {
		probes = append(probes, pr.String())
	}
	assert.Equal(t, []string{"TCP/8080", "TCP/9090", "TCP/443"}, probes, "the allowances' ports, then any other port")

	assert.Equal(t, StateAllowed, cellOf(t, r, "shop", "shop").State)
	denied := cellOf(t, r, "shop", "payments")
	assert.Equal(t, StateDenied, denied.State)
	assert.Contains(t, resultOf(denied, "TCP/443").Reason, "denied: egress denied (selected by shop/default-deny")
	assert.Equal(t, StateAllowed, cellOf(t, r, "payments", "DNS").State)
	inet := cellOf(t, r, "payments", "internet")
	assert.Equal(t, StateAllowed, inet.State)
	assert.Contains(t, resultOf(inet, "TCP/443").Reason, "payments/allow-internet-egress")

	ing := cellOf(t, r, "app-routing-system", "shop")
	assert.Equal(t, StatePartial, ing.State)
	assert.Equal(t, "8080", ing.Text())
	assert.Equal(t, Result{}.Allowed, resultOf(ing, "TCP/443").Allowed)
	assert.Contains(t, resultOf(ing, "TCP/8080").Reason, "shop/allow-ingress-controller")

	monCell := cellOf(t, r, "kube-system", "payments")
	assert.Equal(t, "◐9090", monCell.Text(), "some pairs, on the metrics port only")
	mon := resultOf(monCell, "TCP/9090")
	assert.Equal(t, 4, mon.Allowed, "the two pods with the monitoring selector's labels, to the two payments pods")
	assert.Equal(t, 6, mon.Pairs, "CoreDNS is in kube-system too, and may not scrape")
	assert.Contains(t, mon.Example, "kube-system/coredns", "the example is a denied pair")
	assert.Empty(t, p.Lint, "the shipped baseline lints clean")
	assert.Equal(t, 12, r.Policies)
}

// Policies the cluster refuses are problems of the page, with their
// paths; no matrix is computed for them.
func TestInvalidPolicies(t *testing.T) {
	in := readStack(t, "../../stacks/Pulumi.vnet.yaml")
	in.Policies.Namespaces = append(in.Policies.Namespaces, "Bad_Name")
	p := Build(in)
	require.False(t, p.Valid())
	assert.Equal(t, "policies.namespaces[2]", p.Problems[len(p.Problems)-1].Field)
	assert.Nil(t, p.Reach)
	assert.Contains(t, p.ReachNote, "problems")
}

// Lint findings come with the page: the AKS guide's allow-egress-to-external
// matches no pod under Cilium (CIL001).
func TestLintFindingsListed(t *testing.T) {
	in := readStack(t, "../../stacks/Pulumi.vnet.yaml")
	in.Policies.AllowEgressToExternal = true
	p := Build(in)
	require.NotEmpty(t, p.Lint)
	var codes []string
	for _, f := range p.Lint {
		codes = append(codes, f.Code)
	}
	assert.Contains(t, codes, netpol.CodeIPBlockPods)
	var b bytes.Buffer
	require.NoError(t, p.Render(&b))
	assert.Contains(t, b.String(), `data-code="`+netpol.CodeIPBlockPods+`"`)
}

// Everything is escaped, and the page refers to nothing outside itself.
func TestRenderEscapesAndLoadsNothing(t *testing.T) {
	in := readStack(t, "../../stacks/Pulumi.vnet.yaml")
	in.Title = `<script>alert("t")</script>`
	in.Cluster.Name = `"><img src=x onerror=alert(1)>`
	in.Cluster.Network.VNet.NodeSubnet.Name = `<b>nodes</b>`
	page, err := HTML(in)
	require.NoError(t, err)
	s := string(page)
	for _, bad := range []string{"<script", "<img", "<b>", "http://", "https://", "<link", `src="`, "@import", "url("} {
		assert.False(t, strings.Contains(s, bad), "the page has %q", bad)
	}
	assert.True(t, strings.Contains(s, "&lt;script&gt;"), "the title is escaped")
	assert.True(t, strings.Contains(s, `content="default-src 'none'; style-src 'unsafe-inline'"`), "the CSP forbids loading anything")
}

func TestReadFileErrors(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "Pulumi.x.yaml")
	require.NoError(t, os.WriteFile(f, []byte("config:\n  aks-cilium:other: 1\n"), 0o600))
	_, err := ReadFile(f)
	assert.ErrorContains(t, err, spec.ConfigCluster)
	require.NoError(t, os.WriteFile(f, []byte("config:\n  aks-cilium:cluster: {name: a}\n  aks-cilium:policies: {namespace: [a]}\n"), 0o600))
	_, err = ReadFile(f)
	assert.ErrorContains(t, err, "policies.namespace")
}

func TestCount(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", 65536: "65,536", 4294967296: "4,294,967,296", -1019: "-1,019"} {
		assert.Equal(t, want, count(n))
	}
	assert.True(t, strings.HasPrefix(Probe{Port: 53, Protocol: "UDP"}.String(), "UDP/53"))
}
