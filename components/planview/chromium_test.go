package planview

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/aks-cilium/aks-cilium/internal/tooltest"
)

// The browser tests run Debian's headless Chromium (package chromium; as
// root, tools/build.sh installs it: make tools, CI). They read the page's
// state from the DOM Chromium dumps after loading it (--dump-dom, parsed
// with golang.org/x/net/html) and from screenshots, so no DevTools client
// is needed: the page carries its state in data attributes.

// chromiumPath finds Chromium: $AKS_CILIUM_CHROMIUM, $CHROMIUM, or chromium
// on PATH. Without it the test skips, or fails under
// AKS_CILIUM_REQUIRE_TOOLS=1 (make test, CI).
func chromiumPath(t testing.TB) string {
	for _, env := range []string{"AKS_CILIUM_CHROMIUM", "CHROMIUM"} {
		if p := os.Getenv(env); p != "" {
			return p
		}
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no headless Chromium: install Debian's chromium package (tools/build.sh does, as root: make tools) or set AKS_CILIUM_CHROMIUM"
	tooltest.Missing(t, msg)
	return ""
}

// chromium runs headless Chromium on one page file with a fresh profile. The flags keep it off the
// network (no background requests to Google, no QUIC, no component updates
// or sync) and let it run as root (no sandbox).
func chromium(t testing.TB, page string, args ...string) []byte {
	t.Helper()
	profile, err := os.MkdirTemp("", "planview-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(profile)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	all := append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--hide-scrollbars", "--user-data-dir=" + profile,
	}, args...)
	abs, err := filepath.Abs(page)
	if err != nil {
		t.Fatal(err)
	}
	all = append(all, "file://"+abs)
	cmd := exec.CommandContext(ctx, chromiumPath(t), all...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes()
}

// dumpDOM loads the page and returns the DOM Chromium built, parsed.
func dumpDOM(t testing.TB, page string) *html.Node {
	t.Helper()
	out := chromium(t, page, "--dump-dom")
	doc, err := html.Parse(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("parsing the dumped DOM: %v", err)
	}
	return doc
}

// screenshot loads the page in a window of w by h pixels and writes a PNG.
func screenshot(t testing.TB, page, png string, w, h int) {
	t.Helper()
	chromium(t, page, "--screenshot="+png, "--window-size="+strconv.Itoa(w)+","+strconv.Itoa(h))
	if _, err := os.Stat(png); err != nil { // Chromium exits 0 when it could not write it
		t.Fatalf("chromium wrote no screenshot: %v", err)
	}
}

// The DOM helpers.

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, class string) bool {
	for _, c := range strings.Fields(attr(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}

// findAll returns the elements below n for which match is true.
func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && match(n) {
			out = append(out, n)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return out
}

// elements are the elements with the tag (and class, if given).
func elements(n *html.Node, tag, class string) []*html.Node {
	return findAll(n, func(e *html.Node) bool { return e.Data == tag && (class == "" || hasClass(e, class)) })
}

// text is the element's text content.
func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// ownText is the element's text without that of its <title> children (an
// SVG group's hover text).
func ownText(n *html.Node) string {
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.Data == "title" {
			continue
		}
		b.WriteString(text(c))
	}
	return b.String()
}
