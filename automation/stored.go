package automation

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"sigs.k8s.io/yaml"

	"github.com/aks-cilium/aks-cilium/components"
	"github.com/aks-cilium/aks-cilium/components/spec"
)

// StoredConfig is what the Engine keeps in a stack's config for its next
// operations: the spec and the baseline policies. The plan page of a running
// stack (components/planview, `platform plan --stack`) is made from it.
type StoredConfig struct {
	// Stack is the stack's name.
	Stack string
	// Cluster is the spec of the stack's last successful Up (defaulted)
	// when Applied; otherwise the spec the last Preview or Up was given,
	// which is not deployed.
	Cluster spec.Cluster
	// Applied says whether Cluster is what the last successful Up deployed.
	Applied bool
	// Policies are the stack's baseline policies (SetPolicies); nil when
	// it has none.
	Policies *components.PoliciesArgs
}

// ErrNoStoredConfig is returned (wrapped) by StoredConfig for a stack the
// Engine holds no spec for: no Preview or Up has run on it here.
var ErrNoStoredConfig = errors.New("no spec stored for the stack")

// StoredConfig reads a stack's stored spec and policies from its config
// file, in Go: no pulumi process runs, and the stack's lock is not taken.
func (e *Engine) StoredConfig(stack string) (*StoredConfig, error) {
	values, err := e.configFile(stack)
	if err != nil {
		return nil, err
	}
	sc := &StoredConfig{Stack: stack}
	raw, ok := values[configApplied]
	sc.Applied = ok
	if !ok {
		if raw, ok = values[spec.ConfigCluster]; !ok {
			return nil, fmt.Errorf("automation: stack %s: %w (run a preview or an up first)", stack, ErrNoStoredConfig)
		}
	}
	if sc.Cluster, err = spec.DecodeJSON(raw); err != nil {
		return nil, fmt.Errorf("automation: stack %s: its stored spec: %w", stack, err)
	}
	if raw, ok := values[spec.ConfigPolicies]; ok && string(raw) != "null" {
		if sc.Policies, err = components.DecodePolicies(raw); err != nil {
			return nil, fmt.Errorf("automation: stack %s: its stored policies: %w", stack, err)
		}
	}
	return sc, nil
}

// configFile reads the structured values of a stack's config file
// (Pulumi.<stack>.yaml in its work directory) as JSON, by key; a stack with
// no file is ErrNoStoredConfig.
func (e *Engine) configFile(stack string) (map[string]json.RawMessage, error) {
	if err := ValidateStackName(stack); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(filepath.Join(e.WorkDir(stack), "Pulumi."+stack+".yaml"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("automation: stack %s: %w (no config file in %s)", stack, ErrNoStoredConfig, e.WorkDir(stack))
	}
	if err != nil {
		return nil, fmt.Errorf("automation: %w", err)
	}
	var file struct {
		Config map[string]json.RawMessage `json:"config"`
	}
	if err := yaml.Unmarshal(data, &file); err != nil {
		return nil, fmt.Errorf("automation: stack %s: its config file: %w", stack, err)
	}
	return file.Config, nil
}
