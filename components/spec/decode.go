package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
	sjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
	yamlv2 "sigs.k8s.io/yaml/goyaml.v2"
)

// DecodeJSON decodes a Cluster from JSON strictly: an unknown field (a
// typo), a key given twice, a value of the wrong type or trailing data is
// refused, every such problem at once as an *InvalidError with its path and
// rule code. It is also the decoder of Pulumi structured config, whose
// values arrive as JSON. Defaults are not applied: call WithDefaults.
func DecodeJSON(data []byte) (Cluster, error) {
	errs := duplicateKeys(data, nil)
	if len(errs) > 0 && CodeOf(errs[0]) == CodeSyntax {
		return Cluster{}, NewInvalidError(errs)
	}
	// The network (a union of IP modes) decodes on its own, so its problems
	// are reported with the rest.
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return Cluster{}, NewInvalidError(append(errs, typeError(err, nil, data, &top)))
	}
	var n Network
	if raw, ok := top["network"]; ok {
		n, errs = decodeNetwork(raw, field.NewPath("network"), errs)
		delete(top, "network")
	}
	rest, err := json.Marshal(top)
	if err != nil {
		return Cluster{}, err
	}
	var c Cluster
	errs = append(errs, decodeInto(rest, &c, nil)...)
	if err := NewInvalidError(errs); err != nil {
		return Cluster{}, err
	}
	c.Network = n
	return c, nil
}

// DecodeYAML decodes a Cluster from one YAML document (converted to JSON
// first, so the field names are the JSON ones), as strictly as DecodeJSON.
func DecodeYAML(data []byte) (Cluster, error) {
	j, err := YAMLToJSON(data)
	if err != nil {
		return Cluster{}, err
	}
	return DecodeJSON(j)
}

// DecodeStrictJSON decodes JSON into v as DecodeJSON does a Cluster: unknown
// fields, keys given twice, values of the wrong type and trailing data are
// an *InvalidError, with paths under root (nil: the document itself). It is
// the decoder of every input of the module (netpol.Config and the
// components' PoliciesArgs among them).
func DecodeStrictJSON(data []byte, v any, root *field.Path) error {
	errs := duplicateKeys(data, root)
	if len(errs) > 0 && CodeOf(errs[0]) == CodeSyntax {
		return NewInvalidError(errs)
	}
	return NewInvalidError(append(errs, decodeInto(data, v, root)...))
}

// YAMLToJSON converts one YAML document to JSON. More than one document
// (only the first would be read) or a mapping key given twice (only the last
// would be kept) is an *InvalidError.
func YAMLToJSON(data []byte) ([]byte, error) {
	dec := yamlv2.NewDecoder(bytes.NewReader(data))
	for n := 0; ; n++ {
		var doc any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			break // reported below, with the strict conversion's message
		}
		if n > 0 && doc != nil {
			return nil, NewInvalidError(field.ErrorList{rootError(CodeMultipleDocuments,
				fmt.Sprintf("the YAML has more than one document (document %d is not empty); give one spec per file", n+1))})
		}
	}
	j, err := yaml.YAMLToJSONStrict(data)
	if err != nil {
		code := CodeSyntax
		if strings.Contains(err.Error(), "already set in map") {
			code = CodeDuplicateKey
		}
		return nil, NewInvalidError(field.ErrorList{rootError(code, capString(strings.TrimPrefix(err.Error(), "error converting YAML to JSON: "), MaxEchoDetail))})
	}
	return j, nil
}

// rootError is a problem of the whole document, with no field path.
func rootError(code Code, detail string) *field.Error {
	return &field.Error{Type: field.ErrorTypeInvalid, BadValue: field.OmitValueType{}, Detail: code.detail(detail)}
}

// duplicateKeys reports every key given twice, anywhere in the document
// (JSON decoders keep the last one silently), or the syntax error.
func duplicateKeys(data []byte, root *field.Path) field.ErrorList {
	var doc any
	strict, err := sjson.UnmarshalStrict(data, &doc, sjson.DisallowDuplicateFields)
	if err != nil {
		return field.ErrorList{rootError(CodeSyntax, "not valid JSON: "+capString(err.Error(), MaxEchoValue*2))}
	}
	var errs field.ErrorList
	for _, e := range strict {
		path, key := strictPath(e, root)
		errs = append(errs, &field.Error{Type: field.ErrorTypeDuplicate, Field: path, BadValue: key,
			Detail: CodeDuplicateKey.detail("this key is given twice in one object; give it once (a decoder would silently keep the last value)")})
	}
	return errs
}

// decodeInto decodes data into v refusing unknown fields (all of them, with
// their paths) and reports a value of the wrong type with its path.
func decodeInto(data []byte, v any, root *field.Path) field.ErrorList {
	strict, err := sjson.UnmarshalStrict(data, v, sjson.DisallowUnknownFields)
	if err != nil {
		var inv *InvalidError
		if errors.As(err, &inv) { // from a nested decoder (the network)
			return inv.Errs
		}
		return field.ErrorList{typeError(err, root, data, v)}
	}
	var errs field.ErrorList
	for _, e := range strict {
		path, key := strictPath(e, root)
		errs = append(errs, &field.Error{Type: field.ErrorTypeForbidden, Field: path, BadValue: key,
			Detail: CodeUnknownField.detail(fmt.Sprintf("unknown field %q: check its spelling (fields are case-sensitive)", key))})
	}
	return errs
}

// typeError turns a decoding error into a field error: a value of the wrong
// type with its path. sigs.k8s.io/json's type errors are internal types, so
// the document is read again with encoding/json, whose error has the path.
func typeError(err error, root *field.Path, data []byte, v any) *field.Error {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		fresh := reflect.New(reflect.TypeOf(v).Elem()).Interface()
		if !errors.As(json.Unmarshal(data, fresh), &te) {
			te = nil
		}
	}
	if te == nil {
		e := rootError(CodeWrongType, capString(strings.TrimPrefix(err.Error(), "json: "), MaxEchoValue*2))
		e.Field = rootPath(root)
		return e
	}
	return &field.Error{Type: field.ErrorTypeTypeInvalid, Field: joinPath(root, te.Field), BadValue: field.OmitValueType{},
		Detail: CodeWrongType.detail(fmt.Sprintf("a JSON %s where %s is expected", te.Value, kindOf(te.Type)))}
}

// kindOf names a Go type the way a spec author thinks of it.
func kindOf(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Pointer:
		return kindOf(t.Elem())
	}
	return t.String()
}

// strictPath is a strict error's field path under root, and its last key.
func strictPath(e error, root *field.Path) (string, string) {
	fe, ok := e.(sjson.FieldError)
	if !ok {
		return rootPath(root), e.Error()
	}
	p := capString(fe.FieldPath(), MaxEchoValue*2)
	key := p
	if i := strings.LastIndexAny(p, ".]"); i >= 0 && i+1 < len(p) {
		key = p[i+1:]
	}
	return joinPath(root, p), key
}

func rootPath(root *field.Path) string {
	if root == nil {
		return ""
	}
	return root.String()
}

func joinPath(root *field.Path, p string) string {
	switch {
	case root == nil:
		return p
	case p == "":
		return root.String()
	case strings.HasPrefix(p, "["):
		return root.String() + p
	}
	return root.String() + "." + p
}
