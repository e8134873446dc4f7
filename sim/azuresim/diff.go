package azuresim

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// diffInputs compares a resource's old inputs with its new ones exactly as
// azure-native 2.88.0 does (provider/pkg/provider/diff.go,
// calculateDetailedDiff, and the Diff method of provider.go):
//
//   - the engine's object diff of old and new inputs: keys only in the new
//     inputs are adds, keys only in the old ones deletes, differing values
//     updates, objects and arrays compared key by key and index by index;
//   - a detailed diff entry per changed leaf, its path joined with "." and
//     [i] and never quoted (tags.kubernetes.io/role);
//   - a change is a replacement when its path, with array indexes written
//     [], is a replace key (a path parameter or a forceNew property:
//     typeSpec.replaceKeys); an update anywhere under a replace key is also
//     one, an add or a delete under it is not (so enabling ACNS by adding
//     networkProfile.advancedNetworking updates the cluster, while changing
//     one of its values replaces it: pulumi-azure-native#4756);
//   - Replaces lists the full paths of the replacing entries, Diffs the first
//     segment of every entry's path, and a replacement deletes first (the
//     replacement has the same ARM ID);
//   - a top-level location that differs only in case or spaces is no change,
//     and a newly set top-level replace key equal to the old output is an
//     add, not a replacement (azure-nextgen#238).
func diffInputs(t *typeSpec, olds, news, oldOutputs map[string]any) *pulumirpc.DiffResponse {
	d := differ{replaceKeys: map[string]bool{}, out: map[string]*pulumirpc.PropertyDiff{}}
	for _, k := range t.replaceKeys() {
		d.replaceKeys[k] = true
	}
	d.object(olds, news, "", "", true)

	var changes, replaces []string
	for k, v := range d.out {
		changes = append(changes, strings.Split(k, ".")[0])
		v.InputDiff = true
		switch v.Kind {
		case pulumirpc.PropertyDiff_ADD_REPLACE:
			_, hasOld := olds[k]
			nv, hasNew := news[k]
			ov, hasOut := oldOutputs[k]
			if !hasOld && hasNew && hasOut && equal(nv, ov) {
				v.Kind = pulumirpc.PropertyDiff_ADD
			} else {
				replaces = append(replaces, k)
			}
		case pulumirpc.PropertyDiff_DELETE_REPLACE, pulumirpc.PropertyDiff_UPDATE_REPLACE:
			replaces = append(replaces, k)
		}
	}
	sort.Strings(changes)
	sort.Strings(replaces)
	resp := &pulumirpc.DiffResponse{
		Changes:             pulumirpc.DiffResponse_DIFF_NONE,
		Replaces:            replaces,
		Stables:             []string{},
		Diffs:               changes,
		DetailedDiff:        d.out,
		HasDetailedDiff:     true,
		DeleteBeforeReplace: len(replaces) > 0,
	}
	if resp.Replaces == nil {
		resp.Replaces = []string{}
	}
	if len(d.out) > 0 {
		resp.Changes = pulumirpc.DiffResponse_DIFF_SOME
	}
	return resp
}

// differ computes azure-native's detailed diff.
type differ struct {
	replaceKeys map[string]bool
	out         map[string]*pulumirpc.PropertyDiff
}

func (d *differ) put(path string, kind pulumirpc.PropertyDiff_Kind) {
	d.out[path] = &pulumirpc.PropertyDiff{Kind: kind}
}

// object diffs two objects under diffBase (the detailed path) and
// replaceBase (the same path with array indexes written []). top is true
// for the resource's own properties, where a location differing only in
// case or spaces is no change.
func (d *differ) object(o, n map[string]any, diffBase, replaceBase string, top bool) {
	for _, k := range unionKeys(o, n) {
		ov, hasOld := present(o, k)
		nv, hasNew := present(n, k)
		path, rpath := diffBase+k, replaceBase+k
		switch {
		case !hasOld && hasNew:
			d.put(path, d.kind(pulumirpc.PropertyDiff_ADD, rpath))
		case hasOld && !hasNew:
			d.put(path, d.kind(pulumirpc.PropertyDiff_DELETE, rpath))
		case equal(ov, nv):
		case top && k == "location" && sameLocation(ov, nv):
		default:
			d.value(ov, nv, path, rpath)
		}
	}
}

// value diffs two present, differing values.
func (d *differ) value(o, n any, path, rpath string) {
	if s, ok := n.(string); !ok || s != unknown {
		switch ov := o.(type) {
		case map[string]any:
			if nv, ok := n.(map[string]any); ok {
				before := d.snapshot()
				d.object(ov, nv, path+".", rpath+".", false)
				if d.replaceKeys[rpath] {
					// An update under a replace key replaces; adds and
					// deletes under it do not.
					for k, v := range d.out {
						if !before[k] && v.Kind == pulumirpc.PropertyDiff_UPDATE {
							v.Kind = pulumirpc.PropertyDiff_UPDATE_REPLACE
						}
					}
				}
				return
			}
		case []any:
			if nv, ok := n.([]any); ok {
				for i := 0; i < len(ov) || i < len(nv); i++ {
					item := fmt.Sprintf("%s[%d]", path, i)
					switch {
					case i >= len(ov):
						d.put(item, pulumirpc.PropertyDiff_ADD)
					case i >= len(nv):
						d.put(item, pulumirpc.PropertyDiff_DELETE)
					case !equal(ov[i], nv[i]):
						d.value(ov[i], nv[i], item, rpath+"[]")
					}
				}
				return
			}
		}
	}
	d.put(path, d.kind(pulumirpc.PropertyDiff_UPDATE, rpath))
}

// snapshot is the set of paths diffed so far.
func (d *differ) snapshot() map[string]bool {
	s := make(map[string]bool, len(d.out))
	for k := range d.out {
		s[k] = true
	}
	return s
}

// kinds maps a plain kind to its replacing counterpart.
var replacing = map[pulumirpc.PropertyDiff_Kind]pulumirpc.PropertyDiff_Kind{
	pulumirpc.PropertyDiff_ADD:    pulumirpc.PropertyDiff_ADD_REPLACE,
	pulumirpc.PropertyDiff_DELETE: pulumirpc.PropertyDiff_DELETE_REPLACE,
	pulumirpc.PropertyDiff_UPDATE: pulumirpc.PropertyDiff_UPDATE_REPLACE,
}

func (d *differ) kind(k pulumirpc.PropertyDiff_Kind, rpath string) pulumirpc.PropertyDiff_Kind {
	if d.replaceKeys[rpath] {
		return replacing[k]
	}
	return k
}

// present returns m[k] unless it is absent or null.
func present(m map[string]any, k string) (any, bool) {
	v, ok := m[k]
	return v, ok && v != nil
}

func unionKeys(a, b map[string]any) []string {
	seen := map[string]bool{}
	for k := range a {
		seen[k] = true
	}
	for k := range b {
		seen[k] = true
	}
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// sameLocation compares ARM locations ignoring case and spaces.
func sameLocation(a, b any) bool {
	as, aok := a.(string)
	bs, bok := b.(string)
	norm := func(s string) string { return strings.ToLower(strings.ReplaceAll(s, " ", "")) }
	return aok && bok && as != unknown && bs != unknown && norm(as) == norm(bs)
}
