package spec

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// decodeCases make each decoding rule fire.
var decodeCases = map[Code]string{
	CodeSyntax:            `{"name":`,
	CodeUnknownField:      `{"nmae":"a"}`,
	CodeDuplicateKey:      `{"name":"a","name":"b"}`,
	CodeMultipleDocuments: "name: a\n---\nname: b\n",
	CodeWrongType:         `{"systemPool":{"count":"three"}}`,
}

// Every rule in Rules has a test case that makes it fire, and every code
// declared in the package is listed in Rules, once, with its fields, summary
// and source.
func TestEveryRuleIsListedAndFires(t *testing.T) {
	fired := map[Code]string{}
	for _, tc := range invalidCases() {
		fired[tc.code] = "invalid case " + tc.name
	}
	for _, tc := range updateCases() {
		fired[tc.code] = "update case " + tc.name
	}
	for _, tc := range productionCases() {
		fired[tc.code] = "production case " + tc.name
	}
	for _, tc := range productionUpdateCases() {
		fired[tc.code] = "production update case " + tc.name
	}
	for _, tc := range supportCases() {
		for _, e := range tc.spec(t).ValidateSupport(tc.on) {
			fired[CodeOf(e)] = "support case " + tc.name
		}
	}
	for code, doc := range decodeCases {
		_, err := DecodeYAML([]byte(doc))
		var inv *InvalidError
		require.ErrorAs(t, err, &inv, doc)
		assert.Contains(t, inv.Codes(), code, doc)
		fired[code] = "decode case"
	}

	listed := map[Code]bool{}
	for _, r := range Rules {
		assert.False(t, listed[r.Code], "%s is listed twice", r.Code)
		listed[r.Code] = true
		assert.Regexp(t, `^SPEC[0-9]{3}$`, r.Code)
		assert.NotEmpty(t, r.Fields, r.Code)
		assert.NotEmpty(t, r.Summary, r.Code)
		assert.NotEmpty(t, r.Source, r.Code)
		assert.NotEmpty(t, fired[r.Code], "%s (%s) has no test case that makes it fire", r.Code, r.Summary)
		assert.Equal(t, r.Replaceable, strings.HasPrefix(string(r.Code), "SPEC5") && r.Replaceable, "only update rules are replaceable: %s", r.Code)
	}
	for code, where := range fired {
		assert.True(t, listed[code], "%s fires (%s) but is not in Rules", code, where)
	}
	for _, code := range declaredCodes(t) {
		assert.True(t, listed[code], "%s is declared but not in Rules", code)
	}
}

// declaredCodes reads the package's source for its Code constants.
func declaredCodes(t *testing.T) []Code {
	t.Helper()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	var out []Code
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, 0)
		require.NoError(t, err)
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, s := range gd.Specs {
				vs := s.(*ast.ValueSpec)
				if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Code" {
					continue
				}
				for _, v := range vs.Values {
					if lit, ok := v.(*ast.BasicLit); ok {
						out = append(out, Code(strings.Trim(lit.Value, `"`)))
					}
				}
			}
		}
	}
	require.NotEmpty(t, out)
	return out
}

func TestCodeIsInTheErrorAndReadBack(t *testing.T) {
	e := CodeWindowsPool.Invalid(field.NewPath("systemPool", "osType"), "Windows", WindowsPoolsUnsupported)
	assert.Equal(t, `systemPool.osType: Invalid value: "Windows": [SPEC201] `+WindowsPoolsUnsupported, e.Error())
	assert.Equal(t, CodeWindowsPool, CodeOf(e))
	assert.Equal(t, Code(""), CodeOf(field.Invalid(field.NewPath("x"), 1, "no code")))

	err := NewInvalidError(field.ErrorList{e, CodeDNSPrefix.Required(field.NewPath("dnsPrefix"), "a prefix"), e})
	var inv *InvalidError
	require.ErrorAs(t, err, &inv)
	assert.Equal(t, []Code{CodeWindowsPool, CodeDNSPrefix}, inv.Codes())
	var fe *field.Error
	require.ErrorAs(t, err, &fe, "errors.As reaches the field errors")
	assert.Equal(t, "systemPool.osType", fe.Field)
	assert.Regexp(t, regexp.MustCompile(`^invalid spec \(3 problems\):\n  - systemPool.osType`), err.Error())
	assert.NoError(t, NewInvalidError(nil))
}

func TestIsWindowsPool(t *testing.T) {
	for _, tc := range []struct {
		osType, osSKU string
		want          bool
	}{
		{"Windows", "", true}, {"windows", "Windows2022", true}, {"", "Windows2019", true},
		{"Linux", "AzureLinux", false}, {"Linux", "Ubuntu", false}, {"", "", false},
	} {
		assert.Equal(t, tc.want, IsWindowsPool(tc.osType, tc.osSKU), "%q %q", tc.osType, tc.osSKU)
	}
}
