package azuresim

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/require"

	"github.com/aks-cilium/aks-cilium/internal/pulumitest"
)

// pulumiCLI is the pulumi CLI `make tools` builds, or skips (fails in CI).
func pulumiCLI(t *testing.T) auto.PulumiCommand { return pulumitest.Command(t) }

// startSimulator serves a simulator for the test's lifetime.
func startSimulator(t *testing.T, opts Options) *Simulator {
	t.Helper()
	opts.Logf = t.Logf
	sim := New(opts)
	_, err := sim.Start(t.Context())
	require.NoError(t, err)
	t.Cleanup(sim.Stop)
	return sim
}

// newStack makes a stack of an inline program with a private file backend,
// PULUMI_HOME and passphrase, and env added to the workspace environment.
func newStack(t *testing.T, cli auto.PulumiCommand, program pulumi.RunFunc, env map[string]string, plugins *workspace.Plugins) auto.Stack {
	t.Helper()
	dir := t.TempDir()
	backend := filepath.Join(dir, "backend")
	require.NoError(t, os.Mkdir(backend, 0o700))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "work"), 0o700))
	vars := map[string]string{
		"PULUMI_CONFIG_PASSPHRASE":      "simulated",
		"PULUMI_SKIP_UPDATE_CHECK":      "true",
		"PULUMI_IGNORE_AMBIENT_PLUGINS": "true",
	}
	for k, v := range env {
		vars[k] = v
	}
	project := workspace.Project{
		Name:    "simtest",
		Runtime: workspace.NewProjectRuntimeInfo("go", nil),
		Backend: &workspace.ProjectBackend{URL: "file://" + backend},
		Plugins: plugins,
	}
	start := time.Now()
	stack, err := auto.NewStackInlineSource(t.Context(), "dev", "simtest", program,
		auto.WorkDir(filepath.Join(dir, "work")), // else auto makes a pulumi_auto* folder and leaves it
		auto.Project(project),
		auto.SecretsProvider("passphrase"),
		auto.PulumiHome(filepath.Join(dir, "home")),
		auto.EnvVars(vars),
		auto.Pulumi(cli),
	)
	require.NoError(t, err)
	t.Logf("stack created in %s", time.Since(start).Round(time.Millisecond))
	return stack
}

// stepTimer logs how long each step of a scenario took.
func stepTimer(t *testing.T) func(name string) {
	last := time.Now()
	return func(name string) {
		t.Logf("step %-45s %s", name, time.Since(last).Round(time.Millisecond))
		last = time.Now()
	}
}

// stepEvents are the resource steps of a preview.
type stepEvents []apitype.StepEventMetadata

// of returns the step of the resource named name with operation op.
func (s stepEvents) of(name string, op apitype.OpType) *apitype.StepEventMetadata {
	for i := range s {
		if s[i].Op == op && strings.HasSuffix(s[i].URN, "::"+name) {
			return &s[i]
		}
	}
	return nil
}

// previewEvents runs a preview and collects its resource steps.
func previewEvents(t *testing.T, stack auto.Stack) (stepEvents, auto.PreviewResult) {
	t.Helper()
	steps, res := pulumitest.PreviewSteps(t, stack)
	return steps, res
}

var (
	pluginOnce sync.Once
	pluginDir  string
	pluginErr  error
)

// buildPlugin builds cmd/pulumi-resource-azure-native once per test binary
// and returns the folder holding it.
func buildPlugin(t *testing.T) string {
	t.Helper()
	pluginOnce.Do(func() {
		dir, err := os.MkdirTemp("", "azure-simulator-plugin-")
		if err != nil {
			pluginErr = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(dir, "pulumi-resource-azure-native"), "./cmd/pulumi-resource-azure-native")
		out, err := cmd.CombinedOutput()
		if err != nil {
			pluginErr = fmt.Errorf("%w: %s", err, out)
			return
		}
		pluginDir = dir
	})
	require.NoError(t, pluginErr, "building the plugin binary")
	return pluginDir
}

func TestMain(m *testing.M) {
	os.Exit(pulumitest.PrivateTemp(func() int {
		code := m.Run()
		if pluginDir != "" {
			os.RemoveAll(pluginDir)
		}
		return code
	}))
}
