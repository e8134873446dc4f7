package yaml_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGoStackMovesToYAML: the overlay stack the Go program deployed before
// the plugin existed (stacks/testdata/upgrade) previews under the YAML form
// of that program (testdata/gostack, the same project and config keys) with
// no change at all: the plugin registers the
// very resources, under the very URNs, with the very inputs, that the Go
// program does.
func TestGoStackMovesToYAML(t *testing.T) {
	// The passphrase the checkpoint's secrets were encrypted with
	// (stacks/upgrade_test.go).
	f := newFixture(t, "testdata/gostack", "upgrade-test-passphrase")
	recorded := filepath.Join("..", "..", "stacks", "testdata", "upgrade")
	state, err := os.ReadFile(filepath.Join(recorded, "overlay.azure-simulator.json"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(f.azure, state, 0o600))
	stackFile, err := os.ReadFile(filepath.Join(recorded, "Pulumi.overlay.yaml"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(f.repo.Dir, "Pulumi.overlay.yaml"), stackFile, 0o644))

	f.pulumi("stack", "init", "overlay")
	f.pulumi("config", "set", "--path", "policies.namespaces[0]", "shop")
	f.pulumi("config", "set", "--path", "policies.namespaces[1]", "blog")
	f.pulumi("config", "set", "--path", "policies.createNamespaces", "true")
	checkpoint, err := filepath.Abs(filepath.Join(recorded, "overlay.checkpoint.json"))
	require.NoError(t, err)
	f.pulumi("stack", "import", "--file", checkpoint)

	p := f.preview()
	assert.Equal(t, map[string]int{"same": resourcesIn(t, checkpoint)}, p.ChangeSummary,
		"every resource the Go program deployed is the same under the YAML program")
	for _, s := range p.Steps {
		if s.Op != "same" {
			t.Errorf("%s %s", s.Op, s.URN)
		}
	}
}

// resourcesIn counts a checkpoint's resources but its default providers
// (which a change summary does not count).
func resourcesIn(t *testing.T, checkpoint string) int {
	data, err := os.ReadFile(checkpoint)
	require.NoError(t, err)
	var cp struct {
		Deployment struct {
			Resources []struct {
				URN  string `json:"urn"`
				Type string `json:"type"`
			} `json:"resources"`
		} `json:"deployment"`
	}
	require.NoError(t, json.Unmarshal(data, &cp))
	n := 0
	for _, r := range cp.Deployment.Resources {
		if !strings.HasPrefix(r.Type, "pulumi:providers:") || !strings.Contains(r.URN, "::default") {
			n++
		}
	}
	require.Greater(t, n, 15, "the checkpoint holds the whole platform")
	return n
}
