package provider

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	pulumiprovider "github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/aks-cilium/aks-cilium/components/spec"
	"github.com/aks-cilium/aks-cilium/provider/internal/props"
)

var anyType = reflect.TypeFor[any]()

// decodeInputs fills dst, a pointer to an inputs struct, from a Construct
// request. Pulumi inputs (pulumi-tagged fields) keep their outputs, so they
// may be unknown during a preview. Plain data (json-tagged fields) is turned
// into JSON and decoded by the spec's strict decoders, exactly as a stack
// config value is: the cluster by spec.DecodeJSON, everything else by
// spec.DecodeStrictJSON under its property's name. Every problem of every
// property comes back at once, as one *spec.InvalidError.
func decodeInputs(inputs pulumiprovider.ConstructInputs, dst any) error {
	v := reflect.ValueOf(dst).Elem()
	all := props.Of(v.Type())

	// A shadow struct with the same pulumi names: inputs keep their type,
	// plain data arrives as maps, slices and scalars.
	fields := make([]reflect.StructField, len(all))
	for i, p := range all {
		t := anyType
		if p.Input {
			t = p.Field.Type
		}
		fields[i] = reflect.StructField{Name: fmt.Sprintf("F%d", i), Type: t, Tag: reflect.StructTag(`pulumi:"` + p.Name + `"`)}
	}
	shadow := reflect.New(reflect.StructOf(fields))
	if err := inputs.CopyTo(shadow.Interface()); err != nil {
		return plainDataError(err)
	}

	var errs field.ErrorList
	var problems []string
	for i, p := range all {
		f, dest := shadow.Elem().Field(i), v.FieldByIndex(p.Index)
		if p.Input {
			dest.Set(f)
			continue
		}
		if f.IsNil() {
			continue
		}
		data, err := json.Marshal(coerce(f.Interface(), p.Field.Type, p.Name, &problems))
		if err != nil {
			return err
		}
		if dest.Type() == clusterType {
			var c spec.Cluster
			if c, err = spec.DecodeJSON(data); err == nil {
				dest.Set(reflect.ValueOf(c))
			}
		} else {
			err = spec.DecodeStrictJSON(data, dest.Addr().Interface(), field.NewPath(p.Name))
		}
		var invalid *spec.InvalidError
		switch {
		case errors.As(err, &invalid):
			errs = append(errs, invalid.Errs...)
		case err != nil:
			return err
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "; "))
	}
	return spec.NewInvalidError(errs)
}

var clusterType = reflect.TypeFor[spec.Cluster]()

// plainDataError explains the SDK's error for an output (unknown or secret)
// where plain data is expected.
func plainDataError(err error) error {
	if strings.Contains(err.Error(), "expected destination type to implement") {
		return fmt.Errorf("%w: the cluster spec, the policies and the kubelogin choice are plain data, known at preview: "+
			"give literal values or stack config, not secrets or outputs of other resources", err)
	}
	return err
}

// coerce turns integral numbers where the Go type wants a string into
// strings: a YAML program's config values that look like numbers (zones
// "1", a maxSurge of "1") reach a component as numbers, because the CLI
// types stack config values by their look. A fractional number there (a
// kubernetesVersion of 1.30 arrives as 1.3) cannot be turned back into the
// string it was, so it is a problem, with its path. Values under an
// interface type (the pod IP mode union) are left as they are.
func coerce(value any, t reflect.Type, path string, problems *[]string) any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch v := value.(type) {
	case float64:
		if t.Kind() != reflect.String {
			return v
		}
		if v == math.Trunc(v) && math.Abs(v) < 1e15 {
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
		*problems = append(*problems, fmt.Sprintf("%s: got the number %v where a string is expected: "+
			"a config value that looks like a number arrives as one; write the value as a quoted string in the program", path, v))
	case []any:
		if t.Kind() == reflect.Slice {
			for i := range v {
				v[i] = coerce(v[i], t.Elem(), fmt.Sprintf("%s[%d]", path, i), problems)
			}
		}
	case map[string]any:
		switch t.Kind() {
		case reflect.Map:
			for k := range v {
				v[k] = coerce(v[k], t.Elem(), path+"."+k, problems)
			}
		case reflect.Struct:
			for _, p := range props.Of(t) {
				if fv, ok := v[p.Name]; ok {
					v[p.Name] = coerce(fv, p.Field.Type, path+"."+p.Name, problems)
				}
			}
		}
	}
	return value
}
