package azuresim

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"

	"github.com/aks-cilium/aks-cilium/sim/internal/grpcprovider"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"google.golang.org/protobuf/types/known/structpb"
)

// unknown stands for a value the engine does not know yet (a preview). It
// only lives inside the simulator while it computes preview outputs; it is
// turned back into a Pulumi unknown before anything is returned.
const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"

// wireOptions are the marshalling options of the simulator: unknowns (previews)
// and secrets kept, nulls dropped.
var wireOptions = plugin.MarshalOptions{KeepUnknowns: true, SkipNulls: true, KeepSecrets: true}

// decode turns the engine's wire properties into Pulumi property values.
func decode(s *structpb.Struct, label string) (resource.PropertyMap, error) {
	return codec.Decode(s, label, wireOptions)
}

// encode turns Pulumi property values into the engine's wire form.
func encode(m resource.PropertyMap, label string) (*structpb.Struct, error) {
	return codec.Encode(m, label, wireOptions)
}

// codec names the simulator in marshalling errors.
var codec = &grpcprovider.Base{Label: "azure-native (simulated)"}

// toGo turns property values into plain JSON-like Go values (map[string]any,
// []any, string, float64, bool, nil). Unknowns become the unknown sentinel,
// secrets their plain value (the engine strips secrets before it calls a
// provider that does not accept them, so there are none in practice).
func toGo(m resource.PropertyMap) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		if g, ok := valueToGo(v); ok {
			out[string(k)] = g
		}
	}
	return out
}

func valueToGo(v resource.PropertyValue) (any, bool) {
	switch {
	case v.IsNull():
		return nil, false
	case v.IsBool():
		return v.BoolValue(), true
	case v.IsNumber():
		return v.NumberValue(), true
	case v.IsString():
		return v.StringValue(), true
	case v.IsArray():
		arr := v.ArrayValue()
		out := make([]any, 0, len(arr))
		for _, e := range arr {
			g, ok := valueToGo(e)
			if !ok {
				g = nil
			}
			out = append(out, g)
		}
		return out, true
	case v.IsObject():
		return toGo(v.ObjectValue()), true
	case v.IsComputed():
		return unknown, true
	case v.IsOutput():
		o := v.OutputValue()
		if !o.Known {
			return unknown, true
		}
		return valueToGo(o.Element)
	case v.IsSecret():
		return valueToGo(v.SecretValue().Element)
	default:
		// Assets, archives and resource references do not occur in ARM bodies.
		return nil, false
	}
}

// fromGo turns plain Go values back into property values; the unknown
// sentinel becomes a Pulumi unknown.
func fromGo(m map[string]any) resource.PropertyMap {
	out := make(resource.PropertyMap, len(m))
	for k, v := range m {
		out[resource.PropertyKey(k)] = valueFromGo(v)
	}
	return out
}

func valueFromGo(v any) resource.PropertyValue {
	switch t := v.(type) {
	case nil:
		return resource.NewNullProperty()
	case string:
		if t == unknown {
			return resource.MakeComputed(resource.NewStringProperty(""))
		}
		return resource.NewStringProperty(t)
	case bool:
		return resource.NewBoolProperty(t)
	case float64:
		return resource.NewNumberProperty(t)
	case int:
		return resource.NewNumberProperty(float64(t))
	case []any:
		arr := make([]resource.PropertyValue, len(t))
		for i, e := range t {
			arr[i] = valueFromGo(e)
		}
		return resource.NewArrayProperty(arr)
	case []string:
		arr := make([]resource.PropertyValue, len(t))
		for i, e := range t {
			arr[i] = valueFromGo(e)
		}
		return resource.NewArrayProperty(arr)
	case map[string]any:
		return resource.NewObjectProperty(fromGo(t))
	default:
		// Anything else is normalised through JSON (numbers of other widths).
		b, err := json.Marshal(t)
		if err != nil {
			return resource.NewNullProperty()
		}
		var g any
		if json.Unmarshal(b, &g) != nil {
			return resource.NewNullProperty()
		}
		return valueFromGo(g)
	}
}

// hasUnknown reports whether a Go value holds the unknown sentinel anywhere.
func hasUnknown(v any) bool {
	switch t := v.(type) {
	case string:
		return t == unknown || strings.Contains(t, unknown)
	case []any:
		for _, e := range t {
			if hasUnknown(e) {
				return true
			}
		}
	case map[string]any:
		for _, e := range t {
			if hasUnknown(e) {
				return true
			}
		}
	}
	return false
}

// clone deep-copies a JSON-like Go value.
func clone(v any) any {
	switch t := v.(type) {
	case map[string]any:
		return cloneMap(t)
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = clone(e)
		}
		return out
	default:
		return t
	}
}

// cloneMap deep-copies a JSON-like object (nil stays nil).
func cloneMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = clone(v)
	}
	return out
}

// equal compares two JSON-like values; numbers compare by value whatever
// their Go type.
func equal(a, b any) bool {
	return reflect.DeepEqual(normalise(a), normalise(b))
}

func normalise(v any) any {
	switch t := v.(type) {
	case int:
		return float64(t)
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = normalise(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = normalise(e)
		}
		return out
	default:
		return t
	}
}

// str returns m[key] when it is a string, else "".
func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

// obj returns m[key] when it is an object, else nil.
func obj(m map[string]any, key string) map[string]any {
	o, _ := m[key].(map[string]any)
	return o
}

// list returns m[key] when it is an array, else nil.
func list(m map[string]any, key string) []any {
	l, _ := m[key].([]any)
	return l
}

// truthy returns m[key] when it is a bool, else false.
func truthy(m map[string]any, key string) bool {
	b, _ := m[key].(bool)
	return b
}

// mergePatch applies an RFC 7386 JSON merge patch to target in place: objects
// merge recursively, a nil value deletes the key, anything else replaces.
func mergePatch(target, patch map[string]any) {
	for k, pv := range patch {
		if pv == nil {
			delete(target, k)
			continue
		}
		if po, ok := pv.(map[string]any); ok {
			to, ok := target[k].(map[string]any)
			if !ok {
				to = map[string]any{}
				target[k] = to
			}
			mergePatch(to, po)
			continue
		}
		target[k] = clone(pv)
	}
}

// projectChanges returns inputs updated with what changed between two reads
// of the same resource's outputs, the way azure-native computes inputs on a
// refresh: keys deleted from the outputs leave the inputs, keys added arrive,
// changed leaves are copied, objects and arrays are compared element by
// element, and outputs that did not change never leak into the inputs.
func projectChanges(inputs, oldOut, newOut map[string]any) map[string]any {
	result := map[string]any{}
	for k, v := range inputs {
		_, inOld := oldOut[k]
		_, inNew := newOut[k]
		if inOld && !inNew {
			continue // deleted in Azure
		}
		result[k] = clone(v)
	}
	for k, nv := range newOut {
		ov, inOld := oldOut[k]
		switch {
		case !inOld:
			result[k] = clone(nv) // added in Azure
		case !equal(ov, nv):
			if iv, ok := inputs[k]; ok {
				result[k] = projectValue(iv, ov, nv)
			} else {
				result[k] = clone(nv)
			}
		}
	}
	return result
}

func projectValue(in, old, new any) any {
	io, iok := in.(map[string]any)
	oo, ook := old.(map[string]any)
	no, nok := new.(map[string]any)
	if iok && ook && nok {
		return projectChanges(io, oo, no)
	}
	ia, iok := in.([]any)
	oa, ook := old.([]any)
	na, nok := new.([]any)
	if iok && ook && nok {
		out := make([]any, len(na))
		for i, e := range na {
			if i >= len(ia) || i >= len(oa) {
				out[i] = clone(e)
				continue
			}
			out[i] = projectValue(ia[i], oa[i], e)
		}
		return out
	}
	return clone(new)
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
