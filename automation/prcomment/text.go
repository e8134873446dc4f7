package prcomment

import (
	"fmt"
	"html"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"
)

// secretMask is what a masked secret shows as; the Engine uses the same.
const secretMask = "[secret]"

// minSecretLen: shorter Options.Secrets are ignored, as the Engine does;
// masking "abc" everywhere would garble the comment and no real secret is
// that short.
const minSecretLen = 4

var (
	// Terminal escape sequences: CSI (colours, cursor moves), OSC (titles,
	// hyperlinks) ended by BEL or ST, and the other two-byte escapes.
	ansiRE = regexp.MustCompile(`\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]`)
	// Pulumi's colour tags, e.g. <{%fg 1%}> and <{%reset%}>.
	colorTagRE = regexp.MustCompile(`<\{%[^%]*%\}>`)
)

// cleaner makes untrusted text safe to put into the comment: it removes
// terminal codes and invisible control characters and masks secrets. It
// does not escape: that depends on where the text goes (see code, mdText,
// htmlText and fenced).
type cleaner struct {
	secrets []string // longest first, so a secret containing another is masked whole
}

func newCleaner(secrets []string) cleaner {
	var c cleaner
	seen := map[string]bool{}
	for _, s := range secrets {
		if len(s) < minSecretLen || seen[s] {
			continue
		}
		seen[s] = true
		c.secrets = append(c.secrets, s)
	}
	sort.SliceStable(c.secrets, func(i, j int) bool { return len(c.secrets[i]) > len(c.secrets[j]) })
	return c
}

// text cleans s and keeps its line breaks. Secrets are masked before and
// after the cleaning: before, for a secret that contains a control
// character, and after, for one split by a terminal code.
func (c cleaner) text(s string) string {
	s = c.mask(strings.ToValidUTF8(s, "\uFFFD"))
	s = ansiRE.ReplaceAllString(s, "")
	s = colorTagRE.ReplaceAllString(s, "")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\n':
			return r
		case r == '\t':
			return ' '
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f: // C0 and C1 controls, ESC left over
			return -1
		case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069: // bidi overrides
			return -1
		}
		return r
	}, s)
	return c.mask(s)
}

// line cleans s and folds it to one line.
func (c cleaner) line(s string) string {
	return strings.Join(strings.Fields(c.text(s)), " ")
}

// mask replaces every secret in s with [secret].
func (c cleaner) mask(s string) string {
	for _, secret := range c.secrets {
		s = strings.ReplaceAll(s, secret, secretMask)
	}
	return s
}

// truncate shortens s to at most max bytes (plus a short note), cutting at
// a rune boundary. Clean s first, so a secret is never cut in half.
func truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("… (%s more bytes)", thousands(len(s)-cut))
}

// code is s as an inline code span: nothing in it is Markdown or HTML. The
// fence is one backtick longer than the longest run of backticks in s.
// Newlines become spaces (a code span is one line).
func code(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if s == "" {
		return "` `"
	}
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") || (strings.HasPrefix(s, " ") && strings.HasSuffix(s, " ")) {
		s = " " + s + " "
	}
	return fence + s + fence
}

// cell is code(s) for a table cell: a pipe would end the cell, even inside a
// code span, so it is escaped (GFM renders `\|` in a code span as |).
func cell(s string) string {
	return strings.ReplaceAll(code(s), "|", `\|`)
}

// mdReplacer escapes the characters that start Markdown inline syntax
// (emphasis, links, images, code, tables, strikethrough) and turns < > &
// into entities, so text cannot open an HTML tag or comment.
var mdReplacer = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`,
	`|`, `\|`, `~`, `\~`, `!`, `\!`, `<`, `&lt;`, `>`, `&gt;`, `&`, `&amp;`,
	// A zero-width space after @ keeps "@someone" from notifying anyone.
	`@`, "@\u200b",
)

// mdText is s as plain Markdown text on one line.
func mdText(s string) string {
	return mdReplacer.Replace(strings.ReplaceAll(s, "\n", " "))
}

// htmlText is s as the text of an HTML element (e.g. <summary>), where
// Markdown is not parsed.
func htmlText(s string) string {
	return html.EscapeString(strings.ReplaceAll(s, "\n", " "))
}

// fenced is s as a fenced code block with the given info string; the fence
// is longer than any run of backticks in s, so no line of s can close it.
func fenced(info, s string) string {
	fence := strings.Repeat("`", max(3, longestRun(s, '`')+1))
	return fence + info + "\n" + strings.TrimRight(s, "\n") + "\n" + fence + "\n"
}

func longestRun(s string, ch byte) int {
	best, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == ch {
			run++
			best = max(best, run)
		} else {
			run = 0
		}
	}
	return best
}

// thousands formats n with comma separators: 12345 -> "12,345".
func thousands(n int) string {
	s := fmt.Sprint(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// plural is "1 resource", "2 resources".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return thousands(n) + " " + many
}
