package planview

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
)

//go:embed page.html.tmpl
var pageTemplate string

var tmpl = template.Must(template.New("page").Funcs(template.FuncMap{
	"px":  func(f float64) string { return fmt.Sprintf("%.1f", f) },
	"add": func(a, b float64) float64 { return a + b },
	"mul": func(a, b float64) float64 { return a * b },
	"lineY": func(l label, k int) float64 {
		return l.Y + float64(k+1)*lineHeight - 3
	},
	"rowY": func(row int) float64 { return float64(row) * rowHeight },
	"lanesH": func(g Region) float64 {
		if g.Compact {
			return compactBar
		}
		return float64(g.Rows) * rowHeight
	},
	"rangeAt": func(m AddressMap, i int) *Range { return &m.Ranges[i] },
	"barH": func(g Region) float64 {
		if g.Compact {
			return compactBar
		}
		return barHeight
	},
	"laneX0": func() float64 { return laneX0 },
	"laneW":  func() float64 { return laneX1 - laneX0 },
	"axisY": func(g Region) float64 {
		if g.Compact {
			return compactBar + 2
		}
		return float64(g.Rows)*rowHeight + 3
	},
	"tickY": func(g Region) float64 {
		if g.Compact {
			return compactBar + 13
		}
		return float64(g.Rows)*rowHeight + 14
	},
	"problems": func(n int) string { return plural(n, "problem") },
}).Parse(pageTemplate))

// Render writes the page as one self-contained HTML document: inline CSS
// and SVG, no script, nothing loaded from anywhere (a Content-Security-
// Policy of default-src 'none' says so to the browser too). Every value is
// escaped by html/template.
func (p *Page) Render(w io.Writer) error {
	return tmpl.Execute(w, view{Page: p})
}

// RenderAddressMap writes a page with the address map alone (its title,
// the map and the problems beside its ranges), to embed or to picture.
func (p *Page) RenderAddressMap(w io.Writer) error {
	return tmpl.Execute(w, view{Page: p, MapOnly: true})
}

// view is what the template renders.
type view struct {
	*Page
	MapOnly bool
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
