package planview

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/aks-cilium/aks-cilium/components/netpol"
	"github.com/aks-cilium/aks-cilium/components/spec"
)

// ReadFile reads the Input of a Pulumi stack config file (the spec under
// spec.ConfigCluster, the baseline policies, if any, under
// spec.ConfigPolicies) or of a bare cluster spec, as strictly as the
// engine: one YAML document, no key given twice, no unknown field. The
// Title is the file's path.
func ReadFile(path string) (Input, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Input{}, err
	}
	in, err := Read(data)
	if err != nil {
		return Input{}, err
	}
	in.Title = path
	return in, nil
}

// Read is ReadFile on the file's contents.
func Read(data []byte) (Input, error) {
	j, err := spec.YAMLToJSON(data)
	if err != nil {
		return Input{}, err
	}
	var stack struct {
		Config map[string]json.RawMessage `json:"config"`
	}
	if err := json.Unmarshal(j, &stack); err != nil || stack.Config == nil {
		c, err := spec.DecodeJSON(j)
		return Input{Cluster: c, Source: "a bare cluster spec, without baseline policies"}, err
	}
	raw, ok := stack.Config[spec.ConfigCluster]
	if !ok {
		return Input{}, fmt.Errorf("no %q key in the stack config", spec.ConfigCluster)
	}
	c, err := spec.DecodeJSON(raw)
	if err != nil {
		return Input{}, err
	}
	in := Input{Cluster: c, Source: "a stack config: " + spec.ConfigCluster}
	if raw, ok := stack.Config[spec.ConfigPolicies]; ok && string(raw) != "null" {
		p, err := netpol.DecodeStackPolicies(raw)
		if err != nil {
			return Input{}, err
		}
		in.Policies = &p.Config
		in.Source += " and " + spec.ConfigPolicies
	}
	return in, nil
}
