package planview

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/aks-cilium/aks-cilium/components/spec"
)

// Kind is what a range is for.
type Kind string

// The kinds of ranges on the address map, in the order a lane stacks them
// when two are the same CIDR.
const (
	KindVNet         Kind = "vnet"
	KindNodeSubnet   Kind = "node-subnet"
	KindPodSubnet    Kind = "pod-subnet"
	KindPodCIDR      Kind = "pod-cidr"
	KindServiceCIDR  Kind = "service-cidr"
	KindDNSServiceIP Kind = "dns-service-ip"
	KindPeered       Kind = "peered"
	KindReserved     Kind = "reserved"
)

var kindOrder = []Kind{KindVNet, KindPodCIDR, KindServiceCIDR, KindPeered, KindReserved, KindNodeSubnet, KindPodSubnet, KindDNSServiceIP}

// Range is one range (or, for the DNS service IP, one address) on the map.
type Range struct {
	// ID is the range's anchor on the page, "r0", "r1", ...
	ID string
	// Kind and Name say what it is: "node subnet nodes".
	Kind Kind
	Name string
	// CIDR is the range as written (an address for the DNS service IP).
	CIDR string
	// Field is the spec field that holds it; "" for an AKS-reserved range.
	Field string
	// Prefix is the parsed CIDR; Drawn is false when it does not parse
	// (the range is listed with its problem, not drawn).
	Prefix netip.Prefix
	Drawn  bool
	// Use says how much of it the cluster takes at autoscaler max plus
	// surge, Headroom what is left; Detail is the rule and the breakdown.
	Use, Headroom, Detail string
	// UsedFraction is the share of the range in use at max plus surge
	// (0 when not counted), for the fill.
	UsedFraction float64
	// Problems are the validation problems of its field.
	Problems []Problem

	// Placement on its region's lane, in SVG pixels.
	Region, Row int
	X, W        float64
	// Label is where its CIDR and use are written: inside the bar or in a
	// callout under the lane with a leader line.
	Label label
}

// Error reports whether validation failed on the range.
func (r *Range) Error() bool { return len(r.Problems) > 0 }

// Codes are the rule codes of its problems.
func (r *Range) Codes() string {
	var cs []string
	for _, p := range r.Problems {
		if p.Code != "" && !slices.Contains(cs, "["+string(p.Code)+"]") {
			cs = append(cs, "["+string(p.Code)+"]")
		}
	}
	return strings.Join(cs, " ")
}

// Tooltip is the range's hover text.
func (r *Range) Tooltip() string {
	lines := []string{r.CIDR + " " + r.Name, r.Use}
	if r.Headroom != "" {
		lines = append(lines, r.Headroom)
	}
	if r.Detail != "" {
		lines = append(lines, r.Detail)
	}
	for _, p := range r.Problems {
		lines = append(lines, p.Text())
	}
	return strings.Join(slices.DeleteFunc(lines, func(s string) bool { return s == "" }), "\n")
}

// Text is the problem as one line: "[SPEC111] field: message".
func (p Problem) Text() string {
	s := p.Field + ": " + p.Message
	if p.Field == "" {
		s = p.Message
	}
	if p.Code != "" {
		s = "[" + string(p.Code) + "] " + s
	}
	return s
}

// label is a range's text on the lane.
type label struct {
	Lines  []string
	X, Y   float64 // top left of the text box
	W, H   float64
	Inside bool
	// Leader goes from the bar (X1, Y1) to the callout (X2, Y2).
	X1, Y1, X2, Y2 float64
}

// Region is a lane of the map: one maximal range and every range inside
// it (ranges overlap only by one containing the other, so each region is
// the largest range of a group), drawn to the region's scale.
type Region struct {
	Prefix netip.Prefix
	// Ranges are indices into AddressMap.Ranges, in address order.
	Ranges []int
	// Compact is a region of one range without problems: a thin lane with
	// a one-line label and no table.
	Compact bool
	// Rows of bars and of callouts.
	Rows, CalloutRows int
	// Height of the lane's SVG.
	Height float64
	// Bands mark conflicts: where a range overlaps another it must stay
	// apart from, or an AKS-reserved range.
	Bands []band
	// Ticks are addresses along the axis.
	Ticks []tick
}

// Addresses is the region's size, formatted.
func (g *Region) Addresses() string { return count(spec.Size(g.Prefix)) + " addresses" }

type band struct {
	X, W float64
	Why  string
}

type tick struct {
	X      float64
	Text   string
	Anchor string
}

// AddressMap is every range, grouped into lanes.
type AddressMap struct {
	Ranges  []Range
	Regions []Region
	// Undrawn are ranges whose CIDR does not parse, listed apart.
	Undrawn []int
	// Width of every lane's SVG.
	Width float64
}

// Geometry of a lane, in SVG pixels.
const (
	mapWidth    = 1180.0
	laneX0      = 8.0
	laneX1      = mapWidth - 8
	rowHeight   = 40.0
	barHeight   = 34.0
	lineHeight  = 14.0
	charWidth   = 6.7 // 11px monospace
	calloutGap  = 10.0
	axisHeight  = 16.0
	calloutPadY = 6.0
	compactBar  = 22.0
)

// newAddressMap lays out the ranges of a defaulted spec with its
// validation errors, each shown beside the range of its field; it returns
// the map and every problem.
func newAddressMap(c spec.Cluster, errs field.ErrorList) (AddressMap, []Problem) {
	m := AddressMap{Width: mapWidth}
	n := c.Network
	net := field.NewPath("network")
	add := func(k Kind, name, cidr string, path *field.Path) *Range {
		r := Range{ID: fmt.Sprintf("r%d", len(m.Ranges)), Kind: k, Name: name, CIDR: cidr}
		if path != nil {
			r.Field = path.String()
		}
		if k == KindDNSServiceIP {
			if a, err := netip.ParseAddr(cidr); err == nil && a.Is4() {
				r.Prefix, r.Drawn = netip.PrefixFrom(a, 32), true
			}
		} else if p, err := spec.ParseCIDR(cidr); err == nil {
			r.Prefix, r.Drawn = p, true
		}
		m.Ranges = append(m.Ranges, r)
		return &m.Ranges[len(m.Ranges)-1]
	}
	vnetName := n.VNet.Name
	if vnetName == "" {
		vnetName = "(existing)"
	}
	for i, a := range n.VNet.AddressSpace {
		add(KindVNet, "VNet "+vnetName, a, net.Child("vnet", "addressSpace").Index(i))
	}
	add(KindNodeSubnet, "node subnet "+n.VNet.NodeSubnet.Name, n.VNet.NodeSubnet.CIDR, net.Child("vnet", "nodeSubnet", "cidr"))
	switch mode := n.Mode.(type) {
	case spec.Overlay:
		add(KindPodCIDR, "overlay pod CIDR", mode.PodCIDR, net.Child("mode", "overlay", "podCidr"))
	case spec.PodSubnet:
		for i, s := range mode.Subnets {
			add(KindPodSubnet, "pod subnet "+s.Name, s.CIDR, net.Child("mode", "podSubnet", "subnets").Index(i).Child("cidr"))
		}
	}
	svc := add(KindServiceCIDR, "service CIDR", n.ServiceCIDR, net.Child("serviceCidr"))
	svc.Use = "ClusterIP services"
	if svc.Drawn {
		svc.Use = fmt.Sprintf("ClusterIP services: %s addresses; the first is the kubernetes service", count(spec.Size(svc.Prefix)))
	}
	if n.DNSServiceIP != "" {
		d := add(KindDNSServiceIP, "kube-dns service IP", n.DNSServiceIP, net.Child("dnsServiceIP"))
		d.Use = "the address of kube-dns, inside the service CIDR"
	}
	for i, r := range n.PeeredRanges {
		p := add(KindPeered, "peered / on-premises", r, net.Child("peeredRanges").Index(i))
		p.Use = "reachable from the cluster: no cluster range may overlap it"
	}
	for _, r := range spec.AKSReservedRanges {
		x := add(KindReserved, "AKS-reserved", r.Prefix.String(), nil)
		x.Use = r.Why + ": no cluster range may use it"
	}
	m.capacity(c)
	m.vnetUse()
	problems := make([]Problem, len(errs))
	for i, e := range errs {
		problems[i] = m.attach(problemOf(e))
	}
	m.layout()
	return m, problems
}

// capacity fills in use and headroom from spec.Capacity.
func (m *AddressMap) capacity(c spec.Cluster) {
	for _, capa := range c.Capacity() {
		r := m.byField(capa.Field.String())
		if r == nil {
			continue
		}
		pct := 0.0
		if capa.Available > 0 {
			pct = 100 * float64(capa.Needed) / float64(capa.Available)
		}
		r.Use = fmt.Sprintf("%s of %s %s (%.0f%%) at autoscaler max plus surge", count(capa.Needed), count(capa.Available), capa.Unit, pct)
		if free := capa.Available - capa.Needed; free >= 0 {
			r.Headroom = fmt.Sprintf("headroom %s %s", count(free), capa.Unit)
		} else {
			r.Headroom = fmt.Sprintf("short by %s %s: use a /%d or larger", count(-free), capa.Unit, capa.Suggest)
		}
		r.Detail = capa.Rule + "; " + strings.Join(capa.Breakdown, ", ")
		if r.Drawn {
			used := capa.Needed
			switch capa.Unit {
			case "addresses":
				used += spec.AzureReservedPerSubnet
			default: // "/24 blocks"
				used <<= 32 - spec.OverlayNodeBlockBits
			}
			r.UsedFraction = min(1, float64(used)/float64(spec.Size(r.Prefix)))
		}
	}
}

// vnetUse says how much of each VNet address space its subnets take.
func (m *AddressMap) vnetUse() {
	for i := range m.Ranges {
		v := &m.Ranges[i]
		if v.Kind != KindVNet || !v.Drawn {
			continue
		}
		var in int64
		for _, s := range m.Ranges {
			if (s.Kind == KindNodeSubnet || s.Kind == KindPodSubnet) && s.Drawn && spec.Contains(v.Prefix, s.Prefix) {
				in += spec.Size(s.Prefix)
			}
		}
		size := spec.Size(v.Prefix)
		v.Use = fmt.Sprintf("subnets take %s of %s addresses (%.0f%%)", count(in), count(size), 100*float64(in)/float64(size))
		if in <= size {
			v.Headroom = fmt.Sprintf("headroom %s addresses for more subnets", count(size-in))
		}
	}
}

func (m *AddressMap) byField(f string) *Range {
	for i := range m.Ranges {
		if m.Ranges[i].Field == f {
			return &m.Ranges[i]
		}
	}
	return nil
}

// attach puts a problem beside the range of its field (if any) and returns
// it with the range's ID.
func (m *AddressMap) attach(p Problem) Problem {
	if r := m.byField(p.Field); r != nil {
		p.Range = r.ID
		r.Problems = append(r.Problems, p)
	}
	return p
}

// The rule codes whose problem is a conflict between two ranges: drawn as a
// red band where they meet.
var conflictCodes = map[spec.Code]bool{spec.CodeOverlap: true, spec.CodeReservedRange: true}

var cidrRE = regexp.MustCompile(`\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}/\d{1,2}\b`)

// layout groups the drawn ranges into regions, stacks each region's ranges
// into rows (a range sits below every range that contains it) and places
// the bars, labels and conflict bands.
func (m *AddressMap) layout() {
	var order []int
	for i, r := range m.Ranges {
		if r.Drawn {
			order = append(order, i)
		} else {
			m.Undrawn = append(m.Undrawn, i)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int {
		pa, pb := m.Ranges[a].Prefix, m.Ranges[b].Prefix
		if c := pa.Addr().Compare(pb.Addr()); c != 0 {
			return c
		}
		if pa.Bits() != pb.Bits() {
			return pa.Bits() - pb.Bits()
		}
		return slices.Index(kindOrder, m.Ranges[a].Kind) - slices.Index(kindOrder, m.Ranges[b].Kind)
	})
	for _, i := range order {
		r := &m.Ranges[i]
		if len(m.Regions) == 0 || !spec.Contains(m.Regions[len(m.Regions)-1].Prefix, r.Prefix) {
			m.Regions = append(m.Regions, Region{Prefix: r.Prefix})
		}
		g := &m.Regions[len(m.Regions)-1]
		for _, j := range g.Ranges {
			if spec.Contains(m.Ranges[j].Prefix, r.Prefix) {
				r.Row++
			}
		}
		r.Region = len(m.Regions) - 1
		g.Ranges = append(g.Ranges, i)
		g.Rows = max(g.Rows, r.Row+1)
	}
	for gi := range m.Regions {
		m.layoutRegion(&m.Regions[gi])
	}
}

// x is an address's position on a region's lane.
func x(g *Region, a netip.Addr) float64 {
	return laneX0 + float64(offset(g.Prefix, a))/float64(spec.Size(g.Prefix))*(laneX1-laneX0)
}

// offset is a's distance from the start of p, in addresses.
func offset(p netip.Prefix, a netip.Addr) int64 {
	return int64(u32(a) - u32(p.Masked().Addr()))
}

func u32(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func (m *AddressMap) layoutRegion(g *Region) {
	width := laneX1 - laneX0
	if len(g.Ranges) == 1 && !m.Ranges[g.Ranges[0]].Error() {
		m.layoutCompact(g)
		return
	}
	for _, i := range g.Ranges {
		r := &m.Ranges[i]
		r.X = x(g, r.Prefix.Addr())
		r.W = max(2, float64(spec.Size(r.Prefix))/float64(spec.Size(g.Prefix))*width)
		lines := []string{r.CIDR + " " + r.Name}
		if r.Error() {
			lines = append(lines, "✗ "+r.Codes())
		} else if r.Use != "" {
			lines = append(lines, shortUse(r))
		}
		r.Label = label{Lines: lines, H: float64(len(lines)) * lineHeight}
		for _, l := range lines {
			r.Label.W = max(r.Label.W, float64(len([]rune(l)))*charWidth+8)
		}
	}
	barsBottom := float64(g.Rows) * rowHeight
	// Labels that fit go inside their bar; the others become callouts under
	// the lane, left to right, each in the first callout row with room.
	var rowEnds []float64
	for _, i := range g.Ranges {
		r := &m.Ranges[i]
		l := &r.Label
		top := float64(r.Row)*rowHeight + (barHeight-l.H)/2
		if l.W <= r.W {
			l.Inside, l.X, l.Y = true, r.X+4, top
			continue
		}
		cx := r.X + r.W/2
		want := min(max(laneX0, cx-12), laneX1-l.W)
		row := -1
		for k, end := range rowEnds {
			if want >= end+calloutGap {
				row = k
				break
			}
		}
		if row < 0 {
			rowEnds = append(rowEnds, 0)
			row = len(rowEnds) - 1
		}
		rowEnds[row] = want + l.W
		l.X = want
		l.Y = barsBottom + axisHeight + calloutPadY + float64(row)*(2*lineHeight+calloutPadY)
		l.X1, l.Y1 = cx, float64(r.Row)*rowHeight+barHeight
		l.X2, l.Y2 = want+4, l.Y
	}
	g.CalloutRows = len(rowEnds)
	g.Height = barsBottom + axisHeight + float64(g.CalloutRows)*(2*lineHeight+calloutPadY) + calloutPadY
	// Ticks: the region's first and last address, and its quarters.
	first, last := g.Prefix.Masked().Addr(), spec.LastAddr(g.Prefix)
	g.Ticks = append(g.Ticks, tick{X: laneX0, Text: first.String(), Anchor: "start"})
	if g.Prefix.Bits() <= 30 {
		q := uint32(spec.Size(g.Prefix) / 4)
		for k := uint32(1); k < 4; k++ {
			a := addrOf(u32(first) + k*q)
			g.Ticks = append(g.Ticks, tick{X: x(g, a), Text: a.String(), Anchor: "middle"})
		}
	}
	g.Ticks = append(g.Ticks, tick{X: laneX1, Text: last.String(), Anchor: "end"})
	m.bands(g)
}

// layoutCompact lays out a region of one range: the bar across the lane
// with its CIDR, name, field, size and use on one line.
func (m *AddressMap) layoutCompact(g *Region) {
	r := &m.Ranges[g.Ranges[0]]
	g.Compact, g.Rows = true, 1
	r.X, r.W = laneX0, laneX1-laneX0
	text := r.CIDR + " " + r.Name
	if r.Field != "" {
		text += " (" + r.Field + ")"
	}
	text += " · " + g.Addresses()
	if r.Use != "" {
		text += " · " + r.Use
	}
	r.Label = label{Lines: []string{text}, Inside: true, X: laneX0 + 4, Y: (compactBar - lineHeight) / 2, H: lineHeight}
	r.Label.W = float64(len([]rune(text)))*charWidth + 8
	g.Height = compactBar + axisHeight
	first, last := g.Prefix.Masked().Addr(), spec.LastAddr(g.Prefix)
	g.Ticks = []tick{{X: laneX0, Text: first.String(), Anchor: "start"}, {X: laneX1, Text: last.String(), Anchor: "end"}}
}

// bands marks, for each range with an overlap or reserved-range problem,
// where it meets the ranges its message names (in this region).
func (m *AddressMap) bands(g *Region) {
	for _, i := range g.Ranges {
		r := &m.Ranges[i]
		for _, p := range r.Problems {
			if !conflictCodes[p.Code] {
				continue
			}
			for _, s := range cidrRE.FindAllString(p.Message, -1) {
				other, err := netip.ParsePrefix(s)
				if err != nil || !other.Overlaps(r.Prefix) || !spec.Contains(g.Prefix, other) && !spec.Contains(other, g.Prefix) {
					continue
				}
				meet := r.Prefix // prefixes overlap only by containment: the smaller is where they meet
				if other.Bits() > meet.Bits() {
					meet = other
				}
				b := band{X: x(g, meet.Addr()), Why: p.Text()}
				b.W = max(2, float64(spec.Size(meet))/float64(spec.Size(g.Prefix))*(laneX1-laneX0))
				if k := slices.IndexFunc(g.Bands, func(o band) bool { return o.X == b.X && o.W == b.W }); k >= 0 {
					g.Bands[k].Why += "\n" + b.Why // one band where two problems meet at the same place
					continue
				}
				g.Bands = append(g.Bands, b)
			}
		}
	}
}

func addrOf(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// shortUse is the second line of a bar's label.
func shortUse(r *Range) string {
	switch r.Kind {
	case KindNodeSubnet, KindPodSubnet, KindPodCIDR, KindVNet:
		s := strings.TrimSuffix(r.Use, " at autoscaler max plus surge")
		if r.Headroom != "" {
			s += " · " + r.Headroom
		}
		return s
	case KindServiceCIDR:
		return "ClusterIP services"
	case KindDNSServiceIP:
		return "kube-dns"
	case KindPeered:
		return "keep apart"
	case KindReserved:
		return "reserved"
	}
	return ""
}

// count formats n with thousands separators: 65,536.
func count(n int64) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, ch := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(ch)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
