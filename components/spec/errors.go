package spec

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Code is the stable identifier of one validation rule, such as "SPEC013".
// Every field.Error this module makes carries its rule's code at the start of
// its Detail, as "[SPEC013] ...", so the code shows in every rendering of the
// error and CodeOf reads it back. Codes are never reused; Rules (and
// docs/rules.md, generated from it) lists each with its field, rule and source.
type Code string

// codeRE matches the code at the start of a Detail.
var codeRE = regexp.MustCompile(`^\[([A-Z]+[0-9]+)\] `)

// CodeOf returns the rule code of a field error made by this module (or
// by netpol), or "" for an error without one.
func CodeOf(e *field.Error) Code {
	if e == nil {
		return ""
	}
	if m := codeRE.FindStringSubmatch(e.Detail); m != nil {
		return Code(m[1])
	}
	return ""
}

// detail prefixes a detail with the code and caps its length.
func (c Code) detail(d string) string {
	return "[" + string(c) + "] " + capString(d, MaxEchoDetail)
}

// Invalid is field.Invalid with the rule's code; a long value is capped (Echo).
func (c Code) Invalid(p *field.Path, value any, detail string) *field.Error {
	return field.Invalid(p, Echo(value), c.detail(detail))
}

// Required is field.Required with the rule's code.
func (c Code) Required(p *field.Path, detail string) *field.Error {
	return field.Required(p, c.detail(detail))
}

// Forbidden is field.Forbidden with the rule's code.
func (c Code) Forbidden(p *field.Path, detail string) *field.Error {
	return field.Forbidden(p, c.detail(detail))
}

// NotSupported is field.NotSupported with the rule's code; a long value is capped.
func (c Code) NotSupported(p *field.Path, value any, valid []string) *field.Error {
	e := field.NotSupported(p, Echo(value), valid)
	e.Detail = c.detail(e.Detail)
	return e
}

// Duplicate is field.Duplicate with the rule's code; a long value is capped.
func (c Code) Duplicate(p *field.Path, value any, detail string) *field.Error {
	e := field.Duplicate(p, Echo(value))
	e.Detail = c.detail(detail)
	return e
}

// TooLong is field.TooLong with the rule's code (the value is not echoed).
func (c Code) TooLong(p *field.Path, value any, maxLength int, detail string) *field.Error {
	e := field.TooLong(p, Echo(value), maxLength)
	e.Detail = c.detail(detail)
	return e
}

// TooMany is field.TooMany with the rule's code.
func (c Code) TooMany(p *field.Path, actual, maxItems int, detail string) *field.Error {
	e := field.TooMany(p, actual, maxItems)
	e.Detail = c.detail(detail)
	return e
}

// Tag gives errors made elsewhere (apimachinery's label and selector
// checks) the rule's code, capping their values as this module does.
func (c Code) Tag(errs field.ErrorList) field.ErrorList {
	out := make(field.ErrorList, len(errs))
	for i, e := range errs {
		copied := *e
		copied.BadValue = Echo(e.BadValue)
		copied.Detail = c.detail(e.Detail)
		out[i] = &copied
	}
	return out
}

// The most an error echoes of what it was given: a value or a map key is cut
// at MaxEchoValue bytes, a detail (which may quote values) at MaxEchoDetail,
// so a 10 MB name makes a short error.
const (
	MaxEchoValue  = 128
	MaxEchoDetail = 4096
)

// Echo returns value for an error message: a string longer than
// MaxEchoValue bytes is cut (at a rune boundary) and says its full length.
// Other values are returned as they are.
func Echo(value any) any {
	if s, ok := value.(string); ok {
		return capString(s, MaxEchoValue)
	}
	return value
}

// capString cuts s to at most max bytes plus a note of its length.
func capString(s string, maxBytes int) string {
	if len(s) <= maxBytes {
		return s
	}
	cut := maxBytes / 2
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s…(%d bytes)", s[:cut], len(s))
}

// keyPath is p.Key(key) with a long key capped, for maps of user keys
// (labels, tags) whose keys end up in the error's path.
func keyPath(p *field.Path, key string) *field.Path {
	return p.Key(capString(key, MaxEchoValue))
}

// InvalidError is the error for an invalid spec: a cluster spec, its
// baseline policies (netpol.Config) or an update of either. It holds every
// problem at once, each a field.Error with its path, the offending value,
// what would be valid and its rule code (CodeOf). Nothing was deployed or run
// when it is returned. The components, the automation engine and netpol all
// return it (automation wraps it with the stack's name); find it with
// errors.As.
type InvalidError struct {
	// Errs are the problems, in field order.
	Errs field.ErrorList
}

// NewInvalidError returns an *InvalidError for errs, or nil when errs is empty.
func NewInvalidError(errs field.ErrorList) error {
	if len(errs) == 0 {
		return nil
	}
	return &InvalidError{Errs: errs}
}

// Error lists every problem on its own line.
func (e *InvalidError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "invalid spec (%d problem", len(e.Errs))
	if len(e.Errs) != 1 {
		b.WriteString("s")
	}
	b.WriteString("):")
	for _, err := range e.Errs {
		b.WriteString("\n  - ")
		if err.Field == "" {
			b.WriteString(err.ErrorBody())
		} else {
			b.WriteString(err.Error())
		}
	}
	return b.String()
}

// Unwrap returns the problems, so errors.As finds a *field.Error too.
func (e *InvalidError) Unwrap() []error {
	out := make([]error, len(e.Errs))
	for i, err := range e.Errs {
		out[i] = err
	}
	return out
}

// Codes are the rule codes of the problems, each once, in order.
func (e *InvalidError) Codes() []Code {
	var out []Code
	seen := map[Code]bool{}
	for _, err := range e.Errs {
		if c := CodeOf(err); c != "" && !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	return out
}
