package planview

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/html"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/aks-cilium/aks-cilium/components/netpol"
	"github.com/aks-cilium/aks-cilium/components/spec"
)

// screenshotDir is where the browser tests write their screenshots:
// $AKS_CILIUM_SCREENSHOTS when set (kept), else the test's temporary folder.
func screenshotDir(t *testing.T) string {
	if d := os.Getenv("AKS_CILIUM_SCREENSHOTS"); d != "" {
		require.NoError(t, os.MkdirAll(d, 0o755))
		return d
	}
	return t.TempDir()
}

// The page of every shipped stack config and of the demo's broken spec,
// loaded by headless Chromium: the DOM it builds has every range with its
// CIDR and field, red marks exactly where validation failed with the
// message beside the range, and matrix cells that match netpol's Matrix
// (and Allowed, for the internet and for each reason); a screenshot of each
// shows the red marks (or none) rendered.
func TestPlanPageInChromium(t *testing.T) {
	chromiumPath(t)
	stacks, err := filepath.Glob("../../stacks/Pulumi.*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, stacks)
	shots := screenshotDir(t)
	for _, file := range append(stacks, "../../examples/plan/invalid.yaml") {
		name := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(file), "Pulumi."), ".yaml")
		t.Run(name, func(t *testing.T) {
			in, err := ReadFile(file)
			require.NoError(t, err)
			in.Title = filepath.Base(file)
			page, err := HTML(in)
			require.NoError(t, err)
			path := filepath.Join(t.TempDir(), name+".html")
			require.NoError(t, os.WriteFile(path, page, 0o600))

			doc := dumpDOM(t, path)
			c := in.Cluster.WithDefaults()
			errs := c.Validate()
			checkRanges(t, doc, c, errs)
			checkProblems(t, doc, errs)
			if in.Policies != nil {
				checkMatrix(t, doc, c, *in.Policies)
			} else {
				assert.Len(t, findAll(doc, func(n *html.Node) bool { return attr(n, "data-reach") == "none" }), 1, "the page says there are no policies")
			}

			png := filepath.Join(shots, "plan-"+name+".png")
			screenshot(t, path, png, 1280, 2200)
			errorPixels := countErrorRed(t, png)
			if len(errs) > 0 {
				assert.Positive(t, errorPixels, "the invalid ranges are drawn red")
			} else {
				assert.Zero(t, errorPixels, "nothing is red on a valid spec's map")
			}
			t.Logf("screenshot: %s", png)
			if name == "vnet" {
				// The address map alone, as the README shows it (make docs-img).
				var b bytes.Buffer
				require.NoError(t, Build(in).RenderAddressMap(&b))
				mapPage := filepath.Join(t.TempDir(), "address-map.html")
				require.NoError(t, os.WriteFile(mapPage, b.Bytes(), 0o600))
				assert.Len(t, elements(dumpDOM(t, mapPage), "td", "cell"), 0, "the map alone has no matrix")
				mapPNG := filepath.Join(shots, "address-map-vnet.png")
				screenshot(t, mapPage, mapPNG, 1280, 1600)
				cropWhiteBottom(t, mapPNG, 12)
				t.Logf("screenshot of the address map: %s", mapPNG)
			}
		})
	}
}

// rangeFields are the address ranges of a spec by field, read from the
// spec itself (not from the page's model), with the AKS-reserved ranges.
func rangeFields(c spec.Cluster) map[string]string {
	n := c.Network
	out := map[string]string{
		"network.vnet.nodeSubnet.cidr": n.VNet.NodeSubnet.CIDR,
		"network.serviceCidr":          n.ServiceCIDR,
		"network.dnsServiceIP":         n.DNSServiceIP,
	}
	for i, a := range n.VNet.AddressSpace {
		out[fmt.Sprintf("network.vnet.addressSpace[%d]", i)] = a
	}
	for i, r := range n.PeeredRanges {
		out[fmt.Sprintf("network.peeredRanges[%d]", i)] = r
	}
	switch m := n.Mode.(type) {
	case spec.Overlay:
		out["network.mode.overlay.podCidr"] = m.PodCIDR
	case spec.PodSubnet:
		for i, s := range m.Subnets {
			out[fmt.Sprintf("network.mode.podSubnet.subnets[%d].cidr", i)] = s.CIDR
		}
	}
	return out
}

// checkRanges: each range is drawn (an SVG group with its CIDR as text) and
// named with its field; it is red, with each problem's code beside it, iff
// validation failed on its field.
func checkRanges(t *testing.T, doc *html.Node, c spec.Cluster, errs field.ErrorList) {
	t.Helper()
	failed := map[string][]string{}
	for _, e := range errs {
		failed[e.Field] = append(failed[e.Field], string(spec.CodeOf(e)))
	}
	groups := elements(doc, "g", "range")
	rows := elements(doc, "tr", "range")
	check := func(fieldPath, cidr string) {
		// The range's bar: its CIDR, and its field in its label or its row
		// (two ranges may have one CIDR: the demo's pod CIDR is its VNet).
		var g, row *html.Node
		for _, n := range groups {
			if attr(n, "data-cidr") != cidr {
				continue
			}
			where := ownText(n)
			if r := rowFor(rows, n); r != nil {
				where += text(r)
			}
			if fieldPath == "" && attr(n, "data-kind") == string(KindReserved) || fieldPath != "" && strings.Contains(where, fieldPath) {
				g, row = n, rowFor(rows, n)
			}
		}
		if !assert.NotNil(t, g, "no drawn range %s named with its field %q", cidr, fieldPath) {
			return
		}
		assert.Contains(t, ownText(g), cidr, "the bar's label names its CIDR")
		codes := failed[fieldPath]
		if len(codes) == 0 || fieldPath == "" {
			assert.Equal(t, "ok", attr(g, "data-state"), "%s (%s) has no problem", cidr, fieldPath)
			assert.False(t, hasClass(g, "error"))
			return
		}
		assert.Equal(t, "error", attr(g, "data-state"), "%s (%s) failed validation: %v", cidr, fieldPath, codes)
		assert.True(t, hasClass(g, "error"))
		require.NotNil(t, row, "a range with problems has a table row")
		assert.True(t, hasClass(row, "error"))
		msgs := problemsRow(row)
		require.NotNil(t, msgs, "the messages are beside the range")
		var got []string
		for _, li := range elements(msgs, "li", "msg") {
			got = append(got, attr(li, "data-code"))
		}
		assert.ElementsMatch(t, codes, got, "every problem of %s beside it", fieldPath)
	}
	for f, cidr := range rangeFields(c) {
		if cidr != "" {
			check(f, cidr)
		}
	}
	for _, r := range spec.AKSReservedRanges {
		check("", r.Prefix.String())
	}
}

// rowFor is the table row of a drawn range (compact lanes have none).
func rowFor(rows []*html.Node, g *html.Node) *html.Node {
	for _, r := range rows {
		if attr(r, "data-range") == attr(g, "data-range") {
			return r
		}
	}
	return nil
}

// problemsRow is the row of messages right under a range's row.
func problemsRow(row *html.Node) *html.Node {
	for n := row.NextSibling; n != nil; n = n.NextSibling {
		if n.Type != html.ElementNode {
			continue
		}
		if hasClass(n, "range-problems") && attr(n, "data-range") == attr(row, "data-range") {
			return n
		}
		return nil
	}
	return nil
}

// checkProblems: the verdict, and every problem listed with its code and field.
func checkProblems(t *testing.T, doc *html.Node, errs field.ErrorList) {
	t.Helper()
	verdict := findAll(doc, func(n *html.Node) bool { return attr(n, "data-verdict") != "" })
	require.Len(t, verdict, 1)
	items := elements(doc, "li", "problem")
	if len(errs) == 0 {
		assert.Equal(t, "valid", attr(verdict[0], "data-verdict"))
		assert.Empty(t, items)
		return
	}
	assert.Equal(t, "invalid", attr(verdict[0], "data-verdict"))
	require.Len(t, items, len(errs), "every problem, once")
	for i, e := range errs {
		assert.Equal(t, string(spec.CodeOf(e)), attr(items[i], "data-code"))
		assert.Equal(t, e.Field, attr(items[i], "data-field"))
		assert.Contains(t, text(items[i]), e.Field)
	}
}

var probeRE = regexp.MustCompile(`^(TCP|UDP|SCTP)/(\d+)=(\d+)/(\d+)$`)

// checkMatrix recomputes every cell from netpol: the baseline built for the
// cluster, BaselineWorkloads, and the evaluator's Matrix for each probe (the
// internet with Allowed); each cell's example reason must agree with Matrix.
func checkMatrix(t *testing.T, doc *html.Node, c spec.Cluster, policies netpol.Config) {
	t.Helper()
	cfg, err := netpol.StackPolicies{Config: policies}.CheckFor(c)
	require.NoError(t, err)
	b, err := netpol.Build(cfg)
	require.NoError(t, err)
	w := BaselineWorkloads(cfg)
	ev, err := netpol.NewEvaluator(b.NetworkPolicies, w.Namespaces, w.Pods)
	require.NoError(t, err)
	podsOf := map[string][]int{}
	byName := map[string]int{}
	var dns []int
	for i, p := range w.Pods {
		podsOf[p.Namespace] = append(podsOf[p.Namespace], i)
		byName[p.Namespace+"/"+p.Name] = i
		if p.Namespace == netpol.KubeDNSNamespace && p.Labels[netpol.KubeDNSLabelKey] == netpol.KubeDNSLabel {
			dns = append(dns, i)
		}
	}
	matrices := map[string]*netpol.Matrix{}
	matrix := func(proto string, port int) *netpol.Matrix {
		k := fmt.Sprintf("%s/%d", proto, port)
		if matrices[k] == nil {
			matrices[k] = ev.Matrix(port, corev1.Protocol(proto))
		}
		return matrices[k]
	}

	cells := elements(doc, "td", "cell")
	require.Len(t, cells, len(w.Namespaces)*(len(w.Namespaces)+2), "namespaces x (namespaces, DNS, internet)")
	seen := map[string]bool{}
	for _, cell := range cells {
		from, to, kind := attr(cell, "data-from"), attr(cell, "data-to"), attr(cell, "data-kind")
		seen[from+">"+to] = true
		allowedAll, pairsAll := 0, 0
		title := strings.Split(attr(cell, "title"), "\n")
		require.True(t, strings.HasPrefix(title[0], from+" → "+to+": "), "title %q", title[0])
		probes := strings.Fields(attr(cell, "data-probes"))
		require.Len(t, title, len(probes)+1, "one reason a probe")
		for k, pr := range probes {
			m := probeRE.FindStringSubmatch(pr)
			require.NotNil(t, m, "probe %q", pr)
			port, _ := strconv.Atoi(m[2])
			var allowed, pairs int
			switch kind {
			case string(ColumnInternet):
				for _, a := range podsOf[from] {
					v, err := ev.Allowed(netpol.PodEndpoint(w.Pods[a].Namespace, w.Pods[a].Name), netpol.ExternalEndpoint(InternetAddress), port, corev1.Protocol(m[1]))
					require.NoError(t, err)
					pairs++
					if v.Allowed {
						allowed++
					}
				}
			default:
				dst := podsOf[to]
				if kind == string(ColumnDNS) {
					dst = dns
				}
				mx := matrix(m[1], port)
				for _, a := range podsOf[from] {
					for _, b := range dst {
						if a != b {
							pairs++
							if mx.Allowed(a, b) {
								allowed++
							}
						}
					}
				}
				// The example's verdict (from Allowed) agrees with Matrix.
				ex := regexp.MustCompile(`e\.g\. (\S+) → (\S+): (allowed|denied):`).FindStringSubmatch(title[k+1])
				if assert.NotNil(t, ex, "reason of %s", title[k+1]) {
					assert.Equal(t, mx.Allowed(byName[ex[1]], byName[ex[2]]), ex[3] == "allowed", "%s → %s on %s", ex[1], ex[2], pr)
				}
			}
			assert.Equal(t, fmt.Sprintf("%s/%s=%d/%d", m[1], m[2], allowed, pairs), pr, "%s → %s", from, to)
			allowedAll += allowed
			pairsAll += pairs
		}
		want := StatePartial
		switch {
		case pairsAll == 0:
			want = StateEmpty
		case allowedAll == pairsAll:
			want = StateAllowed
		case allowedAll == 0:
			want = StateDenied
		}
		assert.Equal(t, string(want), attr(cell, "data-state"), "%s → %s", from, to)
		assert.True(t, hasClass(cell, string(want)), "the cell is coloured as %s", want)
	}
	for _, ns := range w.Namespaces {
		for _, to := range append(namespaceNames(w), "DNS", "internet") {
			assert.True(t, seen[ns.Name+">"+to], "cell %s → %s", ns.Name, to)
		}
	}
}

func namespaceNames(w Workloads) []string {
	var out []string
	for _, ns := range w.Namespaces {
		out = append(out, ns.Name)
	}
	return out
}

// cropWhiteBottom cuts the white rows under the last drawn one, keeping a
// margin.
func cropWhiteBottom(t *testing.T, file string, margin int) {
	t.Helper()
	f, err := os.Open(file)
	require.NoError(t, err)
	img, err := png.Decode(f)
	f.Close()
	require.NoError(t, err)
	b := img.Bounds()
	last := b.Min.Y
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if r, g, bl, _ := img.At(x, y).RGBA(); r < 0xf000 || g < 0xf000 || bl < 0xf000 {
				last = y
				break
			}
		}
	}
	sub, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	})
	require.True(t, ok)
	out, err := os.Create(file)
	require.NoError(t, err)
	defer out.Close()
	require.NoError(t, png.Encode(out, sub.SubImage(image.Rect(b.Min.X, b.Min.Y, b.Max.X, min(b.Max.Y, last+1+margin)))))
}

// countErrorRed counts the screenshot's pixels of the page's error reds
// (#c62828 for an invalid range's outline, #b71c1c for messages), with a
// margin for anti-aliasing and colour management; the matrix's red for a
// denied cell (#ef5350) is not one of them.
func countErrorRed(t *testing.T, file string) int {
	t.Helper()
	f, err := os.Open(file)
	require.NoError(t, err)
	defer f.Close()
	img, err := png.Decode(f)
	require.NoError(t, err)
	n := 0
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			if c := color.RGBAModel.Convert(img.At(x, y)).(color.RGBA); c.R >= 170 && c.R <= 215 && c.G < 60 && c.B < 60 {
				n++
			}
		}
	}
	return n
}
