package planview

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/aks-cilium/aks-cilium/components/netpol"
)

// largeInput is the size: the vnet stack's cluster with the
// baseline for 50 namespaces (200 NetworkPolicies: four a namespace) and
// 1,000 pods (20 a namespace, in five apps).
func largeInput(tb testing.TB) Input {
	in, err := ReadFile("../../stacks/Pulumi.vnet.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	cfg := netpol.Config{}
	var w Workloads
	for n := range 50 {
		ns := fmt.Sprintf("team-%02d", n)
		cfg.Namespaces = append(cfg.Namespaces, ns)
		w.Namespaces = append(w.Namespaces, netpol.Namespace{Name: ns, Labels: map[string]string{"team": ns}})
		for p := range 20 {
			w.Pods = append(w.Pods, netpol.Pod{Namespace: ns, Name: fmt.Sprintf("app-%d-%d", p%5, p/5), Labels: map[string]string{"app": fmt.Sprintf("app-%d", p%5)}})
		}
	}
	// CoreDNS takes the place of one pod of the last namespace: still 1,000.
	w.Pods[len(w.Pods)-1] = netpol.Pod{Namespace: netpol.KubeDNSNamespace, Name: "coredns", Labels: map[string]string{netpol.KubeDNSLabelKey: netpol.KubeDNSLabel}}
	in.Policies, in.Workloads = &cfg, &w
	p := Build(in)
	if p.Reach == nil || p.Reach.Policies != 200 || p.Reach.Pods != 1000 {
		tb.Fatalf("want 200 policies and 1,000 pods: %+v %s", p.Reach, p.ReachNote)
	}
	return in
}

// BenchmarkPageLarge is the page's generation: Build (validation, the
// address map, the evaluator's matrices and reasons, lint) and Render.
func BenchmarkPageLarge(b *testing.B) {
	in := largeInput(b)
	var size int
	for b.Loop() {
		page, err := HTML(in)
		if err != nil {
			b.Fatal(err)
		}
		size = len(page)
	}
	b.ReportMetric(float64(size)/1e6, "MB/page")
}

// timingScript makes a benchmark copy of a page report, on its body, the
// time from navigation start to the end of a forced layout of the whole
// document (the shipped page has no script; this copy's CSP allows one).
const timingScript = `<script>document.body.offsetHeight;document.body.setAttribute("data-layout-ms",performance.now().toFixed(1))</script>`

func withTiming(page []byte) []byte {
	s := strings.Replace(string(page), "default-src 'none'; style-src 'unsafe-inline'", "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'", 1)
	return []byte(strings.Replace(s, "</body>", timingScript+"</body>", 1))
}

// layoutMS reads the timing script's result from a dumped DOM.
func layoutMS(tb testing.TB, doc *html.Node) float64 {
	bodies := elements(doc, "body", "")
	if len(bodies) != 1 {
		tb.Fatal("no body in the dumped DOM")
	}
	ms, err := strconv.ParseFloat(attr(bodies[0], "data-layout-ms"), 64)
	if err != nil {
		tb.Fatalf("no layout time on the body: %v", err)
	}
	return ms
}

// BenchmarkPageLargeInChromium is generation plus rendering in headless
// Chromium (--dump-dom, which returns once the page has loaded), against a
// baseline measured in the same iteration: the same Chromium loading an
// empty page, which is its start-up and shut-down (after one untimed start
// that warms it up). Metrics per iteration:
// gen-ms (Build and Render), blank-ms and page-ms (Chromium's wall time for
// each), render-ms (page-ms minus blank-ms: what the page costs the
// browser), layout-ms (inside the page: navigation start to the end of a
// forced layout of the whole document).
func BenchmarkPageLargeInChromium(b *testing.B) {
	chromiumPath(b)
	in := largeInput(b)
	dir := b.TempDir()
	blank := filepath.Join(dir, "blank.html")
	if err := os.WriteFile(blank, withTiming([]byte(`<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'"></head><body></body></html>`)), 0o600); err != nil {
		b.Fatal(err)
	}
	pagePath := filepath.Join(dir, "large.html")
	// Chromium's first start on a machine reads its files from disk and
	// builds its font cache; untimed, so that it does not count against
	// the first blank load (a single iteration measured it as slower than
	// the page, a negative render-ms).
	chromium(b, blank, "--dump-dom")
	var gen, blankT, pageT, layout time.Duration
	for b.Loop() {
		start := time.Now()
		page, err := HTML(in)
		if err != nil {
			b.Fatal(err)
		}
		gen += time.Since(start)
		if err := os.WriteFile(pagePath, withTiming(page), 0o600); err != nil {
			b.Fatal(err)
		}
		start = time.Now()
		chromium(b, blank, "--dump-dom")
		blankT += time.Since(start)
		start = time.Now()
		out := chromium(b, pagePath, "--dump-dom")
		pageT += time.Since(start)
		doc, err := html.Parse(bytes.NewReader(out))
		if err != nil {
			b.Fatal(err)
		}
		layout += time.Duration(layoutMS(b, doc) * float64(time.Millisecond))
		// 51 rows (the 50 team namespaces and kube-system, CoreDNS's) by
		// the same 51 namespaces, DNS and the internet.
		if got := len(elements(doc, "td", "cell")); got != 51*53 {
			b.Fatalf("the rendered matrix has %d cells, want %d", got, 51*53)
		}
	}
	n := float64(b.N)
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) / n }
	b.ReportMetric(ms(gen), "gen-ms")
	b.ReportMetric(ms(blankT), "blank-ms")
	b.ReportMetric(ms(pageT), "page-ms")
	b.ReportMetric(ms(pageT-blankT), "render-ms")
	b.ReportMetric(ms(layout), "layout-ms")
}
