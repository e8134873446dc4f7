package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"github.com/aks-cilium/aks-cilium/components"
	"github.com/aks-cilium/aks-cilium/components/spec"
)

// stackConfig is what a Pulumi.<stack>.yaml holds for a Platform stack.
type stackConfig struct {
	// Stack is the stack name the file's name gives (Pulumi.<stack>.yaml).
	Stack string
	// Cluster is the spec under aks-cilium:cluster, as written (not
	// defaulted: the Engine defaults and validates it).
	Cluster spec.Cluster
	// Policies are aks-cilium:policies, when the file has them.
	Policies *components.PoliciesArgs
}

var stackFileRE = regexp.MustCompile(`^Pulumi\.([A-Za-z0-9_.-]+)\.ya?ml$`)

// loadStackConfig reads a stack config file: the cluster spec under
// spec.ConfigCluster (required, decoded strictly: an unknown field is
// an error) and the baseline policies under spec.ConfigPolicies
// (optional). Other keys are left to Pulumi.
func loadStackConfig(path string) (*stackConfig, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	// One YAML document, no key given twice (spec.YAMLToJSON): a second
	// aks-cilium:cluster would otherwise silently win.
	j, err := spec.YAMLToJSON(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var file struct {
		Config map[string]json.RawMessage `json:"config"`
	}
	if err := json.Unmarshal(j, &file); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	raw, ok := file.Config[spec.ConfigCluster]
	if !ok {
		return nil, fmt.Errorf("%s: no %q key under config: a stack config file holds the cluster spec there (see stacks/Pulumi.overlay.yaml)", path, spec.ConfigCluster)
	}
	c, err := spec.DecodeJSON(raw)
	if err != nil {
		return nil, fmt.Errorf("%s: %s: %w", path, spec.ConfigCluster, err)
	}
	sc := &stackConfig{Cluster: c}
	if m := stackFileRE.FindStringSubmatch(filepath.Base(path)); m != nil {
		sc.Stack = m[1]
	}
	if raw, ok := file.Config[spec.ConfigPolicies]; ok && string(raw) != "null" {
		p, err := components.DecodePolicies(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", path, spec.ConfigPolicies, err)
		}
		sc.Policies = p
	}
	return sc, nil
}
