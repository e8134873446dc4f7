package schemagen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aks-cilium/aks-cilium/components/spec"
	"github.com/aks-cilium/aks-cilium/provider"
)

// TestSchemaUpToDate fails when provider/schema.json is not what the Go
// types and their doc comments generate now: after a change to the spec or a
// component, run `make schema` (go generate ./provider).
func TestSchemaUpToDate(t *testing.T) {
	root, err := ModuleRoot()
	require.NoError(t, err)
	want, err := Generate(root)
	require.NoError(t, err)
	if !bytes.Equal(want, provider.Schema()) {
		t.Fatalf("provider/schema.json is out of date with the Go types: run `make schema` (go generate ./provider).\n%s",
			firstDifference(provider.Schema(), want))
	}
}

// firstDifference shows the first line where got and want differ.
func firstDifference(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d:\n  schema.json: %s\n  generated:   %s", i+1, gl, wl)
		}
	}
	return ""
}

// The tests below check the committed schema against the Go types by an
// independent route: values of the inputs with every field set, encoded by
// encoding/json (and spec's own MarshalJSON for the pod IP mode), walked
// beside the schema, and the doc comments read from the source with
// go/parser. They do not use the generator.

// TestSchemaMatchesGoTypes: every field of the spec, the policies and the
// kubelogin options is in the schema under its JSON name with its Go doc
// comment, every schema property is a field, and every enum has the Go
// constants' values.
func TestSchemaMatchesGoTypes(t *testing.T) {
	problems := check(t, loadSchema(t, provider.Schema()))
	assert.Empty(t, problems, "the schema does not match the Go types; run `make schema`")
}

// TestSchemaCheckCatches: the check above fails on a schema that lost a
// field, an enum value or a doc string, or has an extra property.
func TestSchemaCheckCatches(t *testing.T) {
	for name, tc := range map[string]struct {
		mutate func(s *Package)
		want   string
	}{
		"a missing spec field": {
			func(s *Package) { delete(s.Types["aks-cilium:spec:NodePool"].Properties, "maxSurge") },
			"cluster.systemPool.maxSurge: the Go field NodePool.MaxSurge is not in schema type aks-cilium:spec:NodePool",
		},
		"a missing field of a union member": {
			func(s *Package) { delete(s.Types["aks-cilium:spec:Overlay"].Properties, "podCidr") },
			"cluster.network.mode.overlay.podCidr: the Go field Overlay.PodCIDR is not in schema type aks-cilium:spec:Overlay",
		},
		"a changed doc string": {
			func(s *Package) { s.Types["aks-cilium:spec:Cluster"].Properties["location"].Description = "Where." },
			`aks-cilium:spec:Cluster.location: description "Where." is not the Go doc of Cluster.Location`,
		},
		"a missing enum value": {
			func(s *Package) {
				e := s.Types["aks-cilium:kubeconfig:LoginMode"]
				e.Enum = e.Enum[:len(e.Enum)-1]
			},
			"enum aks-cilium:kubeconfig:LoginMode has values [azurecli workloadidentity spn], the Go constants of kubeconfig.LoginMode are [azurecli workloadidentity spn msi]",
		},
		"an enum turned into a string": {
			func(s *Package) {
				s.Types["aks-cilium:kubeconfig:Options"].Properties["login"].TypeSpec = TypeSpec{Type: "string", Plain: true}
			},
			"kubelogin.login: Go type kubeconfig.LoginMode has constants [azurecli workloadidentity spn msi] but the schema has no enum here",
		},
		"a property the Go types do not have": {
			func(s *Package) {
				s.Types["aks-cilium:spec:ACNS"].Properties["wireguard"] = &Property{TypeSpec: TypeSpec{Type: "boolean"}, Description: "x"}
			},
			"aks-cilium:spec:ACNS.wireguard: a schema property that no Go field encodes",
		},
		"a type doc that differs": {
			func(s *Package) { s.Types["aks-cilium:spec:Subnet"].Description = "A subnet." },
			`aks-cilium:spec:Subnet: description "A subnet." is not the Go doc of spec.Subnet`,
		},
	} {
		t.Run(name, func(t *testing.T) {
			s := loadSchema(t, provider.Schema())
			tc.mutate(s)
			problems := check(t, s)
			assert.Contains(t, problems, tc.want, "all problems: %s", strings.Join(problems, "\n"))
		})
	}
}

func loadSchema(t *testing.T, data []byte) *Package {
	t.Helper()
	var s Package
	require.NoError(t, json.Unmarshal(data, &s))
	return &s
}

// check walks inputs with every field set beside the schema and returns
// every mismatch.
func check(t *testing.T, s *Package) []string {
	t.Helper()
	root, err := ModuleRoot()
	require.NoError(t, err)
	c := &checker{s: s, src: map[string]*source{}, root: root, seen: map[string]bool{}}
	for _, mode := range []spec.PodIPMode{spec.Overlay{}, spec.PodSubnet{}, spec.NodeSubnet{}} {
		var in provider.PlatformInputs
		fill(reflect.ValueOf(&in).Elem(), mode)
		c.resource("aks-cilium:index:Platform", in)
		var cl provider.ClusterInputs
		fill(reflect.ValueOf(&cl).Elem(), mode)
		c.resource("aks-cilium:azure:Cluster", cl)
	}
	var bp provider.BaselinePoliciesInputs
	fill(reflect.ValueOf(&bp).Elem(), nil)
	c.resource("aks-cilium:kubernetes:BaselinePolicies", bp)
	// Every property of every type the inputs reach was met.
	for _, tok := range c.resources {
		for name := range s.Resources[tok].InputProperties {
			if !c.seen[tok+"."+name] {
				c.problem("%s.%s: an input property that no Go field encodes", tok, name)
			}
		}
	}
	for tok, typ := range s.Types {
		if !c.reached[tok] {
			continue
		}
		for name := range typ.Properties {
			if !c.seen[tok+"."+name] {
				c.problem("%s.%s: a schema property that no Go field encodes", tok, name)
			}
		}
	}
	sort.Strings(c.problems)
	return c.problems
}

type checker struct {
	s         *Package
	root      string
	src       map[string]*source
	seen      map[string]bool
	reached   map[string]bool
	resources []string
	problems  []string
}

func (c *checker) problem(format string, args ...any) {
	p := fmt.Sprintf(format, args...)
	if !slices.Contains(c.problems, p) {
		c.problems = append(c.problems, p)
	}
}

// resource walks the plain-data inputs of one component; Pulumi inputs
// (pulumi-tagged fields) are checked by name only.
func (c *checker) resource(token string, in any) {
	r := c.s.Resources[token]
	if r == nil {
		c.problem("no resource %s", token)
		return
	}
	if c.reached == nil {
		c.reached = map[string]bool{}
	}
	v := reflect.ValueOf(in)
	data, err := json.Marshal(in)
	if err != nil {
		c.problem("%s: %v", token, err)
		return
	}
	var wire map[string]any
	_ = json.Unmarshal(data, &wire)
	for i := range v.NumField() {
		f := v.Type().Field(i)
		if name, ok := f.Tag.Lookup("pulumi"); ok {
			delete(wire, f.Name) // encoding/json's name for an untagged field
			name, _, _ = strings.Cut(name, ",")
			if r.InputProperties[name] == nil {
				c.problem("%s: the Pulumi input %s is not an input property", token, name)
			}
			c.seen[token+"."+name] = true
		}
	}
	c.object(v, wire, r.InputProperties, token, "")
	c.resources = append(c.resources, token)
}

// object walks a Go struct value v, its JSON form wire and the schema
// properties props of type tok.
func (c *checker) object(v reflect.Value, wire map[string]any, props map[string]*Property, tok, path string) {
	for key, value := range wire {
		goType, field, fv := fieldFor(v, key)
		p := props[key]
		if p == nil {
			if !slices.Contains(omit[v.Type()], key) {
				c.problem("%s: the Go field %s.%s is not in schema type %s", join(path, key), goType.Name(), field, tok)
			}
			continue
		}
		c.seen[tok+"."+key] = true
		if doc := c.fieldDoc(goType, field); p.Description != doc {
			c.problem("%s.%s: description %q is not the Go doc of %s.%s", tok, key, p.Description, goType.Name(), field)
		}
		c.value(fv, value, p.TypeSpec, join(path, key))
	}
}

func (c *checker) value(v reflect.Value, wire any, ts TypeSpec, path string) {
	for v.Kind() == reflect.Pointer || (v.Kind() == reflect.Interface && !isUnion(v)) {
		v = v.Elem()
	}
	if ts.Ref != "" {
		tok := strings.TrimPrefix(ts.Ref, "#/types/")
		typ := c.s.Types[tok]
		if typ == nil {
			c.problem("%s: no schema type %s", path, tok)
			return
		}
		c.reached[tok] = true
		if typ.Type == "string" {
			c.enum(v, tok, typ, path)
			return
		}
		obj, _ := wire.(map[string]any)
		if isUnion(v) {
			c.union(v, obj, tok, typ, path)
			return
		}
		if doc := c.typeDoc(v.Type()); typ.Description != doc {
			c.problem("%s: description %q is not the Go doc of %s", tok, typ.Description, goName(v.Type()))
		}
		c.object(v, obj, typ.Properties, tok, path)
		return
	}
	if v.Kind() == reflect.String && v.Type().PkgPath() != "" {
		if values := c.consts(v.Type()); len(values) > 0 {
			c.problem("%s: Go type %s has constants %v but the schema has no enum here", path, goName(v.Type()), values)
		}
	}
	switch ts.Type {
	case "array":
		items, _ := wire.([]any)
		for i := range items {
			c.value(v.Index(i), items[i], *ts.Items, fmt.Sprintf("%s[%d]", path, i))
		}
	case "object":
		m, _ := wire.(map[string]any)
		for _, k := range v.MapKeys() {
			c.value(v.MapIndex(k), m[k.String()], *ts.AdditionalProperties, path+"."+k.String())
		}
	case "string", "boolean", "integer", "number":
		if want := map[reflect.Kind]string{reflect.String: "string", reflect.Bool: "boolean", reflect.Int: "integer",
			reflect.Int32: "integer", reflect.Int64: "integer", reflect.Float64: "number"}[v.Kind()]; want != ts.Type {
			c.problem("%s: schema type %s, Go type %s", path, ts.Type, v.Type())
		}
	default:
		c.problem("%s: unexpected schema type %+v", path, ts)
	}
}

// union checks the pod IP mode: an object with one property per member,
// keyed as spec's JSON keys it, each the member's type.
func (c *checker) union(v reflect.Value, wire map[string]any, tok string, typ *ComplexType, path string) {
	member := v.Elem()
	if doc := c.typeDoc(v.Type()); !strings.HasPrefix(typ.Description, doc) {
		c.problem("%s: description %q does not start with the Go doc of %s", tok, typ.Description, goName(v.Type()))
	}
	if len(wire) != 1 {
		c.problem("%s: the JSON of %s has keys %v, want exactly one", path, goName(member.Type()), wire)
		return
	}
	for key, value := range wire {
		p := typ.Properties[key]
		if p == nil {
			c.problem("%s.%s: the union member %s is not in schema type %s", path, key, goName(member.Type()), tok)
			return
		}
		c.seen[tok+"."+key] = true
		if doc := c.typeDoc(member.Type()); p.Description != doc {
			c.problem("%s.%s: description %q is not the Go doc of %s", tok, key, p.Description, goName(member.Type()))
		}
		obj, _ := value.(map[string]any)
		mtok := strings.TrimPrefix(p.Ref, "#/types/")
		if mt := c.s.Types[mtok]; mt != nil {
			c.reached[mtok] = true
			c.object(member, obj, mt.Properties, mtok, join(path, key))
		}
	}
}

// enum checks a named string type against its schema enum.
func (c *checker) enum(v reflect.Value, tok string, typ *ComplexType, path string) {
	var got []string
	for _, e := range typ.Enum {
		got = append(got, e.Value)
	}
	if want := c.consts(v.Type()); !slices.Equal(got, want) {
		c.problem("enum %s has values %v, the Go constants of %s are %v", tok, got, goName(v.Type()), want)
	}
}

func isUnion(v reflect.Value) bool {
	return v.Kind() == reflect.Interface && v.Type() == reflect.TypeFor[spec.PodIPMode]()
}

// fieldFor finds the field that encoding/json encodes as key in struct v,
// through embedded structs: the declaring struct type, the field name and
// its value.
func fieldFor(v reflect.Value, key string) (reflect.Type, string, reflect.Value) {
	for i := range v.NumField() {
		f := v.Type().Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && tag == "" {
			if t, n, fv := fieldFor(v.Field(i), key); n != "" {
				return t, n, fv
			}
			continue
		}
		if name == key {
			return v.Type(), f.Name, v.Field(i)
		}
	}
	return v.Type(), "", reflect.Value{}
}

// fill sets every field of v: strings, numbers and booleans to a non-zero
// value, one element in each slice and map, every pointer, and the pod IP
// mode to mode (filled too).
func fill(v reflect.Value, mode spec.PodIPMode) {
	switch v.Kind() {
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), mode)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() && v.Field(i).Kind() != reflect.Interface {
				fill(v.Field(i), mode)
			} else if v.Field(i).Type() == reflect.TypeFor[spec.PodIPMode]() && mode != nil {
				m := reflect.New(reflect.TypeOf(mode)).Elem()
				fill(m, mode)
				v.Field(i).Set(m)
			}
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0), mode)
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		e := reflect.New(v.Type().Elem()).Elem()
		fill(e, mode)
		v.SetMapIndex(reflect.ValueOf("k").Convert(v.Type().Key()), e)
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int32, reflect.Int64:
		v.SetInt(1)
	}
}

// source is one package's declarations, read with go/parser.
type source struct {
	types  map[string]*ast.TypeSpec
	docs   map[string]string   // type name -> doc
	consts map[string][]string // type name -> constant values in order
}

func (c *checker) pkg(t reflect.Type) *source {
	if s, ok := c.src[t.PkgPath()]; ok {
		return s
	}
	s := &source{types: map[string]*ast.TypeSpec{}, docs: map[string]string{}, consts: map[string][]string{}}
	c.src[t.PkgPath()] = s
	rel := strings.TrimPrefix(t.PkgPath(), "github.com/aks-cilium/aks-cilium/")
	files, _ := filepath.Glob(filepath.Join(c.root, rel, "*.go"))
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			c.problem("%s: %v", name, err)
			continue
		}
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok {
				continue
			}
			for _, sp := range gd.Specs {
				switch sp := sp.(type) {
				case *ast.TypeSpec:
					s.types[sp.Name.Name] = sp
					doc := sp.Doc
					if doc == nil {
						doc = gd.Doc
					}
					s.docs[sp.Name.Name] = strings.TrimSpace(doc.Text())
				case *ast.ValueSpec:
					id, ok := sp.Type.(*ast.Ident)
					if gd.Tok != token.CONST || !ok {
						continue
					}
					for i, n := range sp.Names {
						if lit, ok := sp.Values[i].(*ast.BasicLit); ok && n.IsExported() {
							val, _ := strconv.Unquote(lit.Value)
							s.consts[id.Name] = append(s.consts[id.Name], val)
						}
					}
				}
			}
		}
	}
	return s
}

func (c *checker) typeDoc(t reflect.Type) string { return c.pkg(t).docs[t.Name()] }

func (c *checker) consts(t reflect.Type) []string { return c.pkg(t).consts[t.Name()] }

func (c *checker) fieldDoc(t reflect.Type, field string) string {
	ts := c.pkg(t).types[t.Name()]
	if ts == nil {
		return ""
	}
	st, _ := ts.Type.(*ast.StructType)
	if st == nil {
		return ""
	}
	for _, f := range st.Fields.List {
		for _, n := range f.Names {
			if n.Name == field {
				return strings.TrimSpace(f.Doc.Text())
			}
		}
	}
	return ""
}

func goName(t reflect.Type) string { return filepath.Base(t.PkgPath()) + "." + t.Name() }

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// TestImplementationsFromSource: the members of a closed union are found in
// the source, so a new member the generator does not list fails generation
// instead of vanishing from the schema.
func TestImplementationsFromSource(t *testing.T) {
	root, err := ModuleRoot()
	require.NoError(t, err)
	d, err := newDocs(root)
	require.NoError(t, err)
	impls, err := d.implementations(reflect.TypeFor[spec.PodIPMode]())
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"Overlay", "PodSubnet", "NodeSubnet"}, impls)
}

func TestCommonPrefix(t *testing.T) {
	assert.Equal(t, "Login", commonPrefix([]string{"LoginAzureCLI", "LoginSPN", "LoginMSI"}))
	assert.Equal(t, "Kind", commonPrefix([]string{"KindOverlay", "KindPodSubnet"}))
	assert.Equal(t, "", commonPrefix([]string{"Overlay", "Other"}), "the rest must start a word")
	assert.Equal(t, "", commonPrefix([]string{"One"}))
}
