package prcomment

import (
	"fmt"
	"sort"
	"strings"
)

// A comment is built as a list of blocks. Fixed blocks (marker, header,
// counts, warnings) are always written; sections (per-resource details,
// diagnostics) are lists of items of which as many are written as the size
// budget allows, in order; the note says what was left out.
type block struct {
	text string   // a fixed block
	sec  *section // or a section
	note bool     // or the place of the truncation note
}

type section struct {
	head, tail string   // written when the section has items
	items      []string // in display order
	noun       string   // what an item is, plural: "changed resources"
	shown      int      // how many fit; set by render
}

// omitted is the line that ends a section whose items did not all fit.
func (s *section) omitted(n int) string {
	return fmt.Sprintf("\n_… and %s more %s, not shown to keep this comment under GitHub's size limit._\n\n", thousands(n), s.noun)
}

func (s *section) itemBytes() int {
	n := 0
	for _, it := range s.items {
		n += len(it)
	}
	return n
}

type doc struct {
	blocks []block
	runURL string // for the note: where the full output is
	cmd    string // the command that prints the full output
}

func (d *doc) fixed(parts ...string) {
	d.blocks = append(d.blocks, block{text: strings.Join(parts, "")})
}

func (d *doc) section(s *section) {
	if len(s.items) > 0 {
		d.blocks = append(d.blocks, block{sec: s})
	}
}

func (d *doc) notePlace() { d.blocks = append(d.blocks, block{note: true}) }

// render fits the sections into max bytes and writes the comment. Fixed
// blocks, section heads and the longest possible note are paid first; the
// rest is shared among sections, smallest first, each taking at most an
// equal share of what is left, so one huge section cannot starve the others.
func (d *doc) render(max int, c cleaner) string {
	var secs []*section
	used := 0
	for _, b := range d.blocks {
		switch {
		case b.sec != nil:
			secs = append(secs, b.sec)
			used += len(b.sec.head) + len(b.sec.tail) + len(b.sec.omitted(len(b.sec.items)))
		case b.note:
			used += len(d.note(d.sections(), true))
		default:
			used += len(b.text)
		}
	}

	left := max - used
	order := append([]*section(nil), secs...)
	sort.SliceStable(order, func(i, j int) bool { return order[i].itemBytes() < order[j].itemBytes() })
	for i, s := range order {
		share := left / (len(order) - i)
		n, size := 0, 0
		for n < len(s.items) && size+len(s.items[n]) <= share {
			size += len(s.items[n])
			n++
		}
		s.shown = n
		left -= size
	}

	var b strings.Builder
	for _, bl := range d.blocks {
		switch {
		case bl.sec != nil:
			s := bl.sec
			b.WriteString(s.head)
			for _, it := range s.items[:s.shown] {
				b.WriteString(it)
			}
			if s.shown < len(s.items) {
				b.WriteString(s.omitted(len(s.items) - s.shown))
			}
			b.WriteString(s.tail)
		case bl.note:
			b.WriteString(d.note(d.sections(), false))
		default:
			b.WriteString(bl.text)
		}
	}
	// Defence in depth: every field was masked already; mask the whole.
	return hardLimit(c.mask(b.String()), max)
}

func (d *doc) sections() []*section {
	var secs []*section
	for _, b := range d.blocks {
		if b.sec != nil {
			secs = append(secs, b.sec)
		}
	}
	return secs
}

// note says what was left out, per kind of item, or is empty when nothing
// was. worst renders the longest possible note (everything left out), to
// reserve its room before fitting.
func (d *doc) note(secs []*section, worst bool) string {
	type count struct{ omitted, total int }
	counts := map[string]*count{}
	var nouns []string
	for _, s := range secs {
		cn := counts[s.noun]
		if cn == nil {
			cn = &count{}
			counts[s.noun] = cn
			nouns = append(nouns, s.noun)
		}
		cn.total += len(s.items)
		if worst {
			cn.omitted += len(s.items)
		} else {
			cn.omitted += len(s.items) - s.shown
		}
	}
	var parts []string
	for _, noun := range nouns {
		if cn := counts[noun]; cn.omitted > 0 {
			parts = append(parts, fmt.Sprintf("%s of %s %s", thousands(cn.omitted), thousands(cn.total), noun))
		}
	}
	if len(parts) == 0 && !worst {
		return ""
	}
	where := "Run " + code(d.cmd) + " for the full output."
	if d.runURL != "" {
		where = "The full output is in the [CI run](" + d.runURL + ")."
	}
	return "> [!NOTE]\n> **This comment is shortened** to stay under GitHub's size limit: " +
		strings.Join(parts, " and ") + " are not shown below. " + where + "\n\n"
}

// hardLimit is the last guard, for a budget too small for even the fixed
// blocks: it cuts at a line break and says so.
func hardLimit(s string, max int) string {
	if len(s) <= max {
		return s
	}
	const cutNote = "\n\n_(cut: comment size limit)_\n"
	end := max - len(cutNote)
	if end < 0 {
		end = 0
	}
	if i := strings.LastIndexByte(s[:end], '\n'); i > 0 {
		end = i
	}
	return s[:end] + cutNote
}
