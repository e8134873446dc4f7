package azuresim

import (
	"regexp"
	"sort"
	"strconv"
	"strings"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// diffInputs compares a resource's old inputs with its new ones the way
// azure-native does: a detailed diff with one entry per changed leaf
// (property paths such as networkProfile.networkDataplane or
// subnets[1].addressPrefix), each a replacement when its top-level property
// is in the type's replace keys (resourceTypes). Replaces lists those
// top-level keys. oldOutputs lets a newly set input that merely states the
// current value (an output) pass as an update, not a replacement, as in
// azure-native.
func diffInputs(t *typeSpec, olds, news, oldOutputs map[string]any) *pulumirpc.DiffResponse {
	d := differ{out: map[string]*pulumirpc.PropertyDiff{}}
	changed, replaced := map[string]bool{}, map[string]bool{}
	for _, k := range unionKeys(olds, news) {
		ov, hasOld := present(olds, k)
		nv, hasNew := present(news, k)
		replace := t.replaces(k)
		path := topPath(k)
		before := len(d.out)
		switch {
		case !hasOld && hasNew:
			if replace && equal(oldOutputs[k], nv) {
				replace = false
			}
			d.add(path, pulumirpc.PropertyDiff_ADD, replace)
		case hasOld && !hasNew:
			d.add(path, pulumirpc.PropertyDiff_DELETE, replace)
		case k == "location" && sameLocation(ov, nv):
			// ARM locations ignore case and spaces ("West Europe" = "westeurope").
		default:
			d.value(path, ov, nv, replace)
		}
		if len(d.out) > before {
			changed[k] = true
			if replace {
				replaced[k] = true
			}
		}
	}
	resp := &pulumirpc.DiffResponse{
		Changes:         pulumirpc.DiffResponse_DIFF_NONE,
		Replaces:        sortedKeys(replaced),
		Stables:         []string{},
		Diffs:           sortedKeys(changed),
		DetailedDiff:    d.out,
		HasDetailedDiff: true,
		// azure-native deletes before it replaces: the replacement has the
		// same ARM ID as the resource it replaces, and ARM cannot hold both.
		DeleteBeforeReplace: len(replaced) > 0,
	}
	if len(changed) > 0 {
		resp.Changes = pulumirpc.DiffResponse_DIFF_SOME
	}
	return resp
}

type differ struct {
	out map[string]*pulumirpc.PropertyDiff
}

// kinds maps a plain kind to its replacing counterpart.
var replacing = map[pulumirpc.PropertyDiff_Kind]pulumirpc.PropertyDiff_Kind{
	pulumirpc.PropertyDiff_ADD:    pulumirpc.PropertyDiff_ADD_REPLACE,
	pulumirpc.PropertyDiff_DELETE: pulumirpc.PropertyDiff_DELETE_REPLACE,
	pulumirpc.PropertyDiff_UPDATE: pulumirpc.PropertyDiff_UPDATE_REPLACE,
}

func (d *differ) add(path string, kind pulumirpc.PropertyDiff_Kind, replace bool) {
	if replace {
		kind = replacing[kind]
	}
	d.out[path] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
}

// value diffs two present values at path, down to the changed leaves.
func (d *differ) value(path string, old, new any, replace bool) {
	if s, ok := new.(string); ok && s == unknown {
		d.add(path, pulumirpc.PropertyDiff_UPDATE, replace)
		return
	}
	switch o := old.(type) {
	case map[string]any:
		n, ok := new.(map[string]any)
		if !ok {
			break
		}
		for _, k := range unionKeys(o, n) {
			ov, hasOld := present(o, k)
			nv, hasNew := present(n, k)
			child := childPath(path, k)
			switch {
			case !hasOld && hasNew:
				d.add(child, pulumirpc.PropertyDiff_ADD, replace)
			case hasOld && !hasNew:
				d.add(child, pulumirpc.PropertyDiff_DELETE, replace)
			default:
				d.value(child, ov, nv, replace)
			}
		}
		return
	case []any:
		n, ok := new.([]any)
		if !ok {
			break
		}
		for i := 0; i < len(o) || i < len(n); i++ {
			child := path + "[" + strconv.Itoa(i) + "]"
			switch {
			case i >= len(o):
				d.add(child, pulumirpc.PropertyDiff_ADD, replace)
			case i >= len(n):
				d.add(child, pulumirpc.PropertyDiff_DELETE, replace)
			default:
				d.value(child, o[i], n[i], replace)
			}
		}
		return
	}
	if !equal(old, new) {
		d.add(path, pulumirpc.PropertyDiff_UPDATE, replace)
	}
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
	sort.Strings(keys)
	return keys
}

var identifierRE = regexp.MustCompile(`^[A-Za-z_$][A-Za-z0-9_$]*$`)

// topPath and childPath render Pulumi property paths: a.b[0].c, with keys
// that are not identifiers quoted (tags["kubernetes.io/role"]).
func topPath(k string) string {
	if identifierRE.MatchString(k) {
		return k
	}
	return `[` + strconv.Quote(k) + `]`
}

func childPath(parent, k string) string {
	if identifierRE.MatchString(k) {
		return parent + "." + k
	}
	return parent + `[` + strconv.Quote(k) + `]`
}

// sameLocation compares ARM locations ignoring case and spaces.
func sameLocation(a, b any) bool {
	as, aok := a.(string)
	bs, bok := b.(string)
	norm := func(s string) string { return strings.ToLower(strings.ReplaceAll(s, " ", "")) }
	return aok && bok && as != unknown && bs != unknown && norm(as) == norm(bs)
}
