// Package props is the one rule for how a Go struct becomes the properties of
// a Pulumi schema object: the component plugin decodes inputs with it and the
// schema generator describes them with it, so the two cannot disagree.
//
// A property is an exported field with a `pulumi:"name"` tag (a Pulumi input
// such as pulumi.StringInput, which may be unknown during a preview) or a
// `json:"name"` tag (plain data, decoded with encoding/json exactly as a
// stack config value is). An embedded struct without a tag contributes its
// fields, as encoding/json flattens it. `json:"-"` and untagged fields are
// not properties.
package props

import (
	"reflect"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Property is one property of a struct.
type Property struct {
	// Name is the schema (and wire) name.
	Name string
	// Index is the field's index path from the outer struct
	// (reflect.Value.FieldByIndex), through embedded structs.
	Index []int
	// Field is the Go field.
	Field reflect.StructField
	// Owner is the struct type that declares the field (an embedded one
	// for a promoted field): the type whose doc comments describe it.
	Owner reflect.Type
	// Optional is true for `json:",omitempty"`, `pulumi:",optional"` and
	// pointer fields.
	Optional bool
	// Input is true for a pulumi-tagged Pulumi input, false for plain data.
	Input bool
}

// Of lists the properties of struct type t in field order.
func Of(t reflect.Type) []Property {
	var out []Property
	collect(t, nil, &out)
	return out
}

func collect(t reflect.Type, prefix []int, out *[]Property) {
	for i := range t.NumField() {
		f := t.Field(i)
		index := append(append([]int(nil), prefix...), i)
		if f.Anonymous && f.Tag.Get("json") == "" && f.Tag.Get("pulumi") == "" && f.Type.Kind() == reflect.Struct {
			collect(f.Type, index, out)
			continue
		}
		if !f.IsExported() {
			continue
		}
		p := Property{Index: index, Field: f, Owner: t, Optional: f.Type.Kind() == reflect.Pointer}
		if tag, ok := f.Tag.Lookup("pulumi"); ok {
			name, opts, _ := strings.Cut(tag, ",")
			p.Name, p.Input = name, IsInput(f.Type)
			p.Optional = p.Optional || strings.Contains(opts, "optional")
		} else if tag, ok := f.Tag.Lookup("json"); ok {
			name, opts, _ := strings.Cut(tag, ",")
			if name == "-" {
				continue
			}
			p.Name = name
			p.Optional = p.Optional || strings.Contains(opts, "omitempty")
		}
		if p.Name == "" {
			continue
		}
		*out = append(*out, p)
	}
}

var (
	inputType  = reflect.TypeFor[pulumi.Input]()
	outputType = reflect.TypeFor[pulumi.Output]()
)

// IsInput reports whether t is a Pulumi input or output type (a value that
// may be unknown during a preview).
func IsInput(t reflect.Type) bool { return t.Implements(inputType) || t.Implements(outputType) }
