// Package schemagen writes the aks-cilium Pulumi package schema from the Go
// types the components take and return: every property, type and enum by
// reflection over the Go types (with the one naming rule of
// provider/internal/props), every description from the types' doc comments
// (go/doc over the module's source). So the schema follows spec.Cluster,
// netpol.Config and the component structs automatically: a field added to
// the spec appears in the schema, with its doc comment, on the next
// `go generate ./provider`, and TestSchemaUpToDate fails until then.
//
// The mapping:
//   - a struct becomes an object type aks-cilium:<module>:<Name>, where the
//     module is the Go package (spec, netpol, kubeconfig; index for
//     components) and Name the Go type name without an "Args" suffix;
//   - a named string type with constants becomes an enum of their values;
//   - spec.PodIPMode, a closed union, becomes an object with one property
//     per member, keyed by its Kind() (the wire form spec's JSON uses);
//   - plain data is marked plain (the SDKs take values, not outputs: the
//     spec is validated, and decides which resources exist, before anything
//     is registered); pulumi-tagged fields stay inputs;
//   - a component's description is the first paragraph of its Go doc;
//   - nothing inside the spec is marked required: spec.Cluster.Validate is
//     the one place that says what is missing, with every problem at once.
//     A resource's own top-level inputs are required unless optional.
//
// The schema is hand-written JSON here (a small subset of
// pkg/codegen/schema's PackageSpec), to keep the heavy pulumi/pkg module out
// of this one; `pulumi package gen-sdk` binds and checks it in the tests.
package schemagen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"reflect"
	"slices"
	"strings"

	"github.com/aks-cilium/aks-cilium/components/netpol"
	"github.com/aks-cilium/aks-cilium/components/spec"
	"github.com/aks-cilium/aks-cilium/provider"
	"github.com/aks-cilium/aks-cilium/provider/internal/props"
)

// Package is the part of a Pulumi package schema this generator writes.
type Package struct {
	Name        string                     `json:"name"`
	DisplayName string                     `json:"displayName,omitempty"`
	Version     string                     `json:"version"`
	Description string                     `json:"description,omitempty"`
	Keywords    []string                   `json:"keywords,omitempty"`
	License     string                     `json:"license,omitempty"`
	Repository  string                     `json:"repository,omitempty"`
	Publisher   string                     `json:"publisher,omitempty"`
	Language    map[string]any             `json:"language,omitempty"`
	Types       map[string]*ComplexType    `json:"types"`
	Resources   map[string]*Resource       `json:"resources"`
	Provider    *ObjectType                `json:"provider,omitempty"`
	Meta        map[string]json.RawMessage `json:"meta,omitempty"`
}

// ObjectType is an object's properties.
type ObjectType struct {
	Description string               `json:"description,omitempty"`
	Type        string               `json:"type,omitempty"`
	Properties  map[string]*Property `json:"properties,omitempty"`
	Required    []string             `json:"required,omitempty"`
}

// ComplexType is an object or an enum type.
type ComplexType struct {
	ObjectType
	Enum []EnumValue `json:"enum,omitempty"`
}

// EnumValue is one value of an enum type.
type EnumValue struct {
	Name        string `json:"name,omitempty"`
	Description string `json:"description,omitempty"`
	Value       string `json:"value"`
}

// TypeSpec is a property's type.
type TypeSpec struct {
	Type                 string    `json:"type,omitempty"`
	Ref                  string    `json:"$ref,omitempty"`
	Items                *TypeSpec `json:"items,omitempty"`
	AdditionalProperties *TypeSpec `json:"additionalProperties,omitempty"`
	Plain                bool      `json:"plain,omitempty"`
}

// Property is a property of an object or a resource.
type Property struct {
	TypeSpec
	Description string `json:"description,omitempty"`
	Secret      bool   `json:"secret,omitempty"`
}

// Resource is a component resource.
type Resource struct {
	ObjectType
	IsComponent     bool                 `json:"isComponent"`
	InputProperties map[string]*Property `json:"inputProperties,omitempty"`
	RequiredInputs  []string             `json:"requiredInputs,omitempty"`
}

// union is a closed Go interface and its members: the schema object has one
// property per member, named by key.
type union struct {
	members []any
	key     func(any) string
}

// unions are the closed unions of the spec. Generate checks the members
// against the interface's implementations in the source, so a new member
// fails generation until it is listed here.
var unions = map[reflect.Type]union{
	reflect.TypeFor[spec.PodIPMode](): {
		members: []any{spec.Overlay{}, spec.PodSubnet{}, spec.NodeSubnet{}},
		key:     func(m any) string { return string(m.(spec.PodIPMode).Kind()) },
	},
}

// modules maps a Go package (its last path element) to a schema module.
var modules = map[string]string{"components": "index"}

// omit leaves properties out of an object type: Platform sets the policies'
// ACNS switches and Kubernetes version from the cluster spec
// (netpol.ForCluster), so they are not Platform inputs; BaselinePolicies,
// used alone, takes them.
var omit = map[reflect.Type][]string{
	reflect.TypeFor[netpol.StackPolicies](): {"acns", "kubernetesVersion", "allowNewerKubernetes"},
}

// Generate writes the schema of the components in provider.Components from
// the module whose root (the folder holding go.mod) is root. The output is
// indented JSON with a trailing newline, stable from run to run.
func Generate(root string) ([]byte, error) {
	d, err := newDocs(root)
	if err != nil {
		return nil, err
	}
	g := &generator{docs: d, pkg: &Package{
		Name:        provider.Name,
		DisplayName: "AKS with Azure CNI powered by Cilium",
		Version:     provider.Version,
		Description: "AKS clusters with Azure CNI powered by Cilium (eBPF data plane, Cilium network policy, no kube-proxy): " +
			"the network, the cluster and baseline network policies from one typed spec, validated before anything is created.",
		Keywords:   []string{"pulumi", "azure", "aks", "kubernetes", "cilium", "category/infrastructure", "kind/component"},
		License:    "Apache-2.0",
		Repository: "https://github.com/aks-cilium/aks-cilium",
		Publisher:  "aks-cilium",
		Language: map[string]any{
			"nodejs": map[string]any{"packageName": "@aks-cilium/aks-cilium", "respectSchemaVersion": true},
			"python": map[string]any{"packageName": "pulumi_aks_cilium", "respectSchemaVersion": true,
				"pyproject": map[string]any{"enabled": true}},
			"go": map[string]any{"importBasePath": "github.com/aks-cilium/aks-cilium/sdk/go/akscilium",
				"respectSchemaVersion": true, "generateResourceContainerTypes": true},
			"csharp": map[string]any{"respectSchemaVersion": true,
				"packageReferences": map[string]string{"Pulumi": "3.*"}},
		},
		Types:     map[string]*ComplexType{},
		Resources: map[string]*Resource{},
	}}
	for _, c := range provider.Components {
		if err := g.resource(c); err != nil {
			return nil, fmt.Errorf("%s: %w", c.Token, err)
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(g.pkg); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

type generator struct {
	docs *docs
	pkg  *Package
}

func (g *generator) resource(c provider.Component) error {
	desc, err := g.docs.typeDoc(c.Outputs)
	if err != nil {
		return err
	}
	// The summary: the rest of a component's doc is about its Go
	// implementation (what it registers and why).
	desc, _, _ = strings.Cut(desc, "\n\n")
	r := &Resource{IsComponent: true, InputProperties: map[string]*Property{}}
	r.Description, r.Type = desc, "object"
	for _, p := range props.Of(c.Inputs) {
		prop, err := g.property(p, !p.Input)
		if err != nil {
			return err
		}
		r.InputProperties[p.Name] = prop
		if !p.Optional {
			r.RequiredInputs = append(r.RequiredInputs, p.Name)
		}
	}
	r.Properties = map[string]*Property{}
	for _, p := range props.Of(c.Outputs) {
		if !p.Input {
			continue
		}
		out, ok := reflect.New(p.Field.Type).Elem().Interface().(interface{ ElementType() reflect.Type })
		if !ok {
			return fmt.Errorf("output %s: %s is not a Pulumi output", p.Name, p.Field.Type)
		}
		ts, err := g.typeOf(out.ElementType(), false)
		if err != nil {
			return fmt.Errorf("output %s: %w", p.Name, err)
		}
		doc, err := g.docs.fieldDoc(p.Owner, p.Field.Name)
		if err != nil {
			return err
		}
		r.Properties[p.Name] = &Property{TypeSpec: ts, Description: doc, Secret: slices.Contains(c.Secrets, p.Name)}
		r.Required = append(r.Required, p.Name)
	}
	for _, s := range c.Secrets {
		if r.Properties[s] == nil {
			return fmt.Errorf("secret output %q is not an output", s)
		}
	}
	slices.Sort(r.Required)
	slices.Sort(r.RequiredInputs)
	g.pkg.Resources[c.Token] = r
	return nil
}

// property describes field p; plain marks plain data.
func (g *generator) property(p props.Property, plain bool) (*Property, error) {
	ts, err := g.typeOf(p.Field.Type, plain)
	if err != nil {
		return nil, fmt.Errorf("%s.%s: %w", p.Owner.Name(), p.Field.Name, err)
	}
	doc, err := g.docs.fieldDoc(p.Owner, p.Field.Name)
	if err != nil {
		return nil, err
	}
	if doc == "" {
		return nil, fmt.Errorf("%s.%s.%s has no doc comment: the schema's description is the Go doc", p.Owner.PkgPath(), p.Owner.Name(), p.Field.Name)
	}
	return &Property{TypeSpec: ts, Description: doc}, nil
}

// typeOf maps a Go type to a schema type, defining object and enum types
// as it meets them.
func (g *generator) typeOf(t reflect.Type, plain bool) (TypeSpec, error) {
	if props.IsInput(t) {
		return g.inputTypeOf(t)
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	ts := TypeSpec{Plain: plain}
	if u, ok := unions[t]; ok {
		tok, err := g.unionType(t, u, plain)
		ts.Ref = "#/types/" + tok
		return ts, err
	}
	switch t.Kind() {
	case reflect.String:
		if t.Name() != "string" && t.PkgPath() != "" {
			tok, ok, err := g.enumType(t)
			if err != nil {
				return ts, err
			}
			if ok {
				ts.Ref = "#/types/" + tok
				return ts, nil
			}
		}
		ts.Type = "string"
	case reflect.Bool:
		ts.Type = "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32:
		ts.Type = "integer"
	case reflect.Float32, reflect.Float64:
		ts.Type = "number"
	case reflect.Slice:
		items, err := g.typeOf(t.Elem(), plain)
		if err != nil {
			return ts, err
		}
		ts.Type, ts.Items = "array", &items
	case reflect.Map:
		if t.Key().Kind() != reflect.String {
			return ts, fmt.Errorf("map key %s: only string keys have a schema form", t.Key())
		}
		elem, err := g.typeOf(t.Elem(), plain)
		if err != nil {
			return ts, err
		}
		ts.Type, ts.AdditionalProperties = "object", &elem
	case reflect.Struct:
		tok, err := g.objectType(t, plain)
		ts.Ref = "#/types/" + tok
		return ts, err
	default:
		return ts, fmt.Errorf("type %s has no schema mapping; extend provider/schemagen", t)
	}
	return ts, nil
}

// inputTypeOf maps a Pulumi input type (pulumi.StringInput, ...) to the
// schema type of the value it carries.
func (g *generator) inputTypeOf(t reflect.Type) (TypeSpec, error) {
	if t.Kind() != reflect.Interface {
		return TypeSpec{}, fmt.Errorf("input type %s: want an input interface such as pulumi.StringInput", t)
	}
	// An input interface names its element type in its To<X>Output method.
	for i := range t.NumMethod() {
		meth := t.Method(i)
		if strings.HasPrefix(meth.Name, "To") && strings.HasSuffix(meth.Name, "Output") && meth.Type.NumOut() == 1 {
			out := reflect.New(meth.Type.Out(0)).Elem().Interface()
			if o, ok := out.(interface{ ElementType() reflect.Type }); ok {
				return g.typeOf(o.ElementType(), false)
			}
		}
	}
	return TypeSpec{}, fmt.Errorf("input type %s: no To...Output method", t)
}

// tokenOf is the schema token of named Go type t.
func tokenOf(t reflect.Type) string {
	module := path.Base(t.PkgPath())
	if m, ok := modules[module]; ok {
		module = m
	}
	return fmt.Sprintf("%s:%s:%s", provider.Name, module, strings.TrimSuffix(t.Name(), "Args"))
}

func (g *generator) objectType(t reflect.Type, plain bool) (string, error) {
	tok := tokenOf(t)
	if _, done := g.pkg.Types[tok]; done {
		return tok, nil
	}
	desc, err := g.docs.typeDoc(t)
	if err != nil {
		return "", err
	}
	ct := &ComplexType{ObjectType: ObjectType{Description: desc, Type: "object", Properties: map[string]*Property{}}}
	g.pkg.Types[tok] = ct // before the fields: types may refer to themselves
	for _, p := range props.Of(t) {
		if slices.Contains(omit[t], p.Name) {
			continue
		}
		prop, err := g.property(p, plain && !p.Input)
		if err != nil {
			return "", err
		}
		ct.Properties[p.Name] = prop
	}
	return tok, nil
}

func (g *generator) enumType(t reflect.Type) (string, bool, error) {
	values, err := g.docs.enumValues(t)
	if err != nil || len(values) == 0 {
		return "", false, err
	}
	tok := tokenOf(t)
	if _, done := g.pkg.Types[tok]; done {
		return tok, true, nil
	}
	desc, err := g.docs.typeDoc(t)
	if err != nil {
		return "", false, err
	}
	ct := &ComplexType{ObjectType: ObjectType{Description: desc, Type: "string"}}
	names := make([]string, len(values))
	for i, v := range values {
		names[i] = v.Name
	}
	prefix := commonPrefix(names)
	for _, v := range values {
		ct.Enum = append(ct.Enum, EnumValue{Name: strings.TrimPrefix(v.Name, prefix), Value: v.Value, Description: v.Doc})
	}
	g.pkg.Types[tok] = ct
	return tok, true, nil
}

func (g *generator) unionType(t reflect.Type, u union, plain bool) (string, error) {
	tok := tokenOf(t)
	if _, done := g.pkg.Types[tok]; done {
		return tok, nil
	}
	impls, err := g.docs.implementations(t)
	if err != nil {
		return "", err
	}
	var listed []string
	for _, m := range u.members {
		listed = append(listed, reflect.TypeOf(m).Name())
	}
	slices.Sort(impls)
	slices.Sort(listed)
	if !slices.Equal(impls, listed) {
		return "", fmt.Errorf("%s.%s is implemented by %v but schemagen's union lists %v: update schemagen.unions",
			t.PkgPath(), t.Name(), impls, listed)
	}
	desc, err := g.docs.typeDoc(t)
	if err != nil {
		return "", err
	}
	keys := make([]string, len(u.members))
	for i, m := range u.members {
		keys[i] = u.key(m)
	}
	ct := &ComplexType{ObjectType: ObjectType{
		Description: desc + "\n\nSet exactly one of " + strings.Join(keys, ", ") + ".",
		Type:        "object", Properties: map[string]*Property{},
	}}
	g.pkg.Types[tok] = ct
	for i, m := range u.members {
		mt := reflect.TypeOf(m)
		ts, err := g.typeOf(mt, plain)
		if err != nil {
			return "", err
		}
		doc, err := g.docs.typeDoc(mt)
		if err != nil {
			return "", err
		}
		ct.Properties[keys[i]] = &Property{TypeSpec: ts, Description: doc}
	}
	return tok, nil
}

// commonPrefix is the longest prefix, ending before an upper-case letter,
// shared by every name, leaving each a non-empty rest ("LoginAzureCLI" and
// "LoginSPN" share "Login").
func commonPrefix(names []string) string {
	if len(names) < 2 {
		return ""
	}
	prefix := names[0]
	for _, n := range names[1:] {
		for !strings.HasPrefix(n, prefix) {
			prefix = prefix[:len(prefix)-1]
		}
	}
	for len(prefix) > 0 {
		ok := true
		for _, n := range names {
			rest := n[len(prefix):]
			ok = ok && rest != "" && rest[0] >= 'A' && rest[0] <= 'Z'
		}
		if ok {
			return prefix
		}
		prefix = prefix[:len(prefix)-1]
	}
	return ""
}
