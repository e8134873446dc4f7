package netpol

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
	"sigs.k8s.io/yaml"
)

// Render returns one YAML document per object, keyed by a relative file
// name "<namespace>/<kind>-<name>.yaml" with the kind in lower case
// ("team-a/networkpolicy-default-deny.yaml"). apiVersion and kind are set.
// Namespaces and names must be valid Kubernetes names, so that no file
// name leaves the directory.
func Render(set PolicySet) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, obj := range set.Objects() {
		if msgs := append(validation.IsDNS1123Label(obj.GetNamespace()), validation.IsDNS1123Subdomain(obj.GetName())...); len(msgs) > 0 {
			return nil, fmt.Errorf("%s %q in namespace %q: not a valid name for a file: %s",
				obj.GetKind(), obj.GetName(), obj.GetNamespace(), strings.Join(msgs, "; "))
		}
		name := RenderPath(obj.GetNamespace(), obj.GetKind(), obj.GetName())
		if _, dup := out[name]; dup {
			return nil, fmt.Errorf("two objects render to %s", name)
		}
		data, err := yaml.Marshal(obj.Object)
		if err != nil {
			return nil, fmt.Errorf("rendering %s: %w", name, err)
		}
		out[name] = data
	}
	return out, nil
}

// RenderPath is the file name Render uses for an object.
func RenderPath(namespace, kind, name string) string {
	return filepath.ToSlash(filepath.Join(namespace, strings.ToLower(kind)+"-"+name+".yaml"))
}

// RenderFiles returns Render's file names in sorted order.
func RenderFiles(rendered map[string][]byte) []string {
	names := make([]string, 0, len(rendered))
	for name := range rendered {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// WriteDir renders the set into dir (created if missing), one file per
// object, and returns the files written in sorted order. Existing files
// with other names are left alone.
func WriteDir(set PolicySet, dir string) ([]string, error) {
	rendered, err := Render(set)
	if err != nil {
		return nil, err
	}
	names := RenderFiles(rendered)
	for _, name := range names {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, rendered[name], 0o644); err != nil {
			return nil, err
		}
	}
	return names, nil
}
