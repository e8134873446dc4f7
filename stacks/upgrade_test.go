package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aks-cilium/aks-cilium/components/spec"
	"github.com/aks-cilium/aks-cilium/internal/pulumitest"
	"github.com/aks-cilium/aks-cilium/sim/apiserver"
	"github.com/aks-cilium/aks-cilium/sim/azuresim"
	"github.com/aks-cilium/aks-cilium/sim/kubesim"
)

// The upgrade test: a Go stack deployed before the component plugin existed
// (the checkpoint in testdata/upgrade with its stack file and simulated
// Azure, recorded with this program at commit 931c175 of main, before the
// multi-language change) previews with no changes under today's program. Go stack repos import the components directly; moving to
// the plugin must not move a URN.

// env is a local API server (kubesim applies the recorded stack's policies
// to it), shared by the package's tests.
var env *apiserver.Env

func TestMain(m *testing.M) {
	os.Exit(pulumitest.PrivateTemp(func() int { return apiserver.Main(m, &env) }))
}

// record rewrites the checkpoint with the current program. Only when a
// change means to alter deployed stacks (say why in its commit, and give
// moved resources aliases): recording makes the test compare the program
// with itself.
var record = flag.Bool("record-upgrade", false, "record testdata/upgrade from the current program")

const (
	upgradeStack      = "overlay"
	upgradePassphrase = "upgrade-test-passphrase"
	// upgradeNamespaces are the policies' namespaces in the checkpoint.
	upgradePolicies = `{"namespaces":["shop","blog"],"createNamespaces":true}`
)

var upgradeDir = filepath.Join("testdata", "upgrade")

// upgradeStackOf is an inline stack of this program (project aks-cilium,
// the stack overlay with Pulumi.overlay.yaml's spec and baseline policies)
// on the simulators, in a fresh backend.
func upgradeStackOf(t *testing.T, azureState string) (auto.Stack, auto.PulumiCommand) {
	t.Helper()
	cli := pulumitest.Command(t)
	cfg := env.Require(t)
	azure := azuresim.New(azuresim.Options{Logf: t.Logf, StateFile: azureState})
	_, err := azure.Start(t.Context())
	require.NoError(t, err)
	t.Cleanup(azure.Stop)
	kube := kubesim.New(kubesim.Options{Config: cfg, Logf: t.Logf})
	_, err = kube.Start(t.Context())
	require.NoError(t, err)
	t.Cleanup(kube.Stop)

	dir := t.TempDir()
	backend := filepath.Join(dir, "backend")
	require.NoError(t, os.Mkdir(backend, 0o700))
	stack, err := auto.NewStackInlineSource(t.Context(), upgradeStack, spec.ProjectName, program,
		auto.Project(workspace.Project{
			Name:    spec.ProjectName,
			Runtime: workspace.NewProjectRuntimeInfo("go", nil),
			Backend: &workspace.ProjectBackend{URL: "file://" + backend},
		}),
		auto.SecretsProvider("passphrase"),
		auto.WorkDir(dir), // not a pulumi_auto* folder left in the temporary folder
		auto.PulumiHome(filepath.Join(dir, "home")),
		auto.EnvVars(map[string]string{
			"PULUMI_CONFIG_PASSPHRASE":      upgradePassphrase,
			"PULUMI_SKIP_UPDATE_CHECK":      "true",
			"PULUMI_IGNORE_AMBIENT_PLUGINS": "true",
			"PULUMI_DEBUG_PROVIDERS":        kubesim.DebugProviders(azure.EnvVars()["PULUMI_DEBUG_PROVIDERS"], kube.DebugProviderEntry()),
		}),
		auto.Pulumi(cli),
	)
	require.NoError(t, err)
	config := auto.ConfigMap{spec.ConfigPolicies: {Value: upgradePolicies}}
	// The stack's config as it was recorded, not today's stack file.
	for k, v := range recordedConfig(t) {
		config[k] = auto.ConfigValue{Value: v}
	}
	require.NoError(t, stack.SetAllConfigWithOptions(t.Context(), config, &auto.ConfigOptions{Path: false}))
	return stack, cli
}

// TestUpgradeFromBeforeThePlugin imports the recorded checkpoint and
// previews it with today's program: every resource is the same, none is
// created, updated, replaced or deleted.
func TestUpgradeFromBeforeThePlugin(t *testing.T) {
	checkpoint := filepath.Join(upgradeDir, upgradeStack+".checkpoint.json")
	azureState := filepath.Join(upgradeDir, upgradeStack+".azure-simulator.json")
	if !*record {
		// The simulated Azure holds the recorded stack's resources (a
		// preview lists the cluster's credentials); a copy, so the test
		// never writes to testdata.
		data, err := os.ReadFile(azureState)
		require.NoError(t, err)
		azureState = filepath.Join(t.TempDir(), "azure-simulator.json")
		require.NoError(t, os.WriteFile(azureState, data, 0o600))
	}
	stack, cli := upgradeStackOf(t, azureState)
	if *record {
		_, err := stack.Up(t.Context(), optup.SuppressProgress())
		require.NoError(t, err)
		// The CLI's export keeps the secrets encrypted (the Automation
		// API's Export shows them).
		ws := stack.Workspace()
		var env []string
		for k, v := range ws.GetEnvVars() {
			env = append(env, k+"="+v)
		}
		out, stderr, _, err := cli.Run(t.Context(), ws.WorkDir(), nil, nil, nil, env, "stack", "export", "--stack", stack.Name())
		require.NoError(t, err, stderr)
		require.NoError(t, os.MkdirAll(upgradeDir, 0o755))
		require.NoError(t, os.WriteFile(checkpoint, []byte(out), 0o644))
		t.Logf("recorded %s", checkpoint)
	}

	data, err := os.ReadFile(checkpoint)
	require.NoError(t, err)
	var dep apitype.UntypedDeployment
	require.NoError(t, json.Unmarshal(data, &dep))
	require.NoError(t, stack.Import(t.Context(), dep))
	recorded := checkpointURNs(t, dep)
	require.Greater(t, len(recorded), 15, "the checkpoint holds the whole platform")

	// The promise to users: upgrading the library previews no changes in a
	// deployed stack. A create, delete or replace (a moved URN, a recreated
	// resource) is never acceptable. An in-place update can be intended (a
	// release that sets a new ARM field): then it belongs in the release
	// notes, and the fixture is recorded again (-record-upgrade) so that
	// this test keeps guarding the next release.
	steps, res := pulumitest.PreviewSteps(t, stack)
	var previewed []string
	for _, s := range steps {
		switch s.Op {
		case apitype.OpSame:
		case apitype.OpUpdate:
			t.Errorf("update %s %v: today's program changes a stack deployed before it; if that is intended, say so in the release notes and re-record with -record-upgrade", s.URN, s.Diffs)
		default:
			t.Errorf("%s %s: an upgrade must not create, delete or replace a resource", s.Op, s.URN)
		}
		previewed = append(previewed, s.URN)
	}
	t.Logf("change summary: %v", res.ChangeSummary)
	sort.Strings(previewed)
	assert.Equal(t, recorded, slices.Compact(previewed), "the same URNs, none moved")
}

// checkpointURNs are the URNs of a checkpoint's resources, sorted.
func checkpointURNs(t *testing.T, dep apitype.UntypedDeployment) []string {
	t.Helper()
	var d apitype.DeploymentV3
	require.NoError(t, json.Unmarshal(dep.Deployment, &d))
	var urns []string
	for _, r := range d.Resources {
		urns = append(urns, string(r.URN))
	}
	sort.Strings(urns)
	return urns
}

// recordedConfig is the config of testdata/upgrade/Pulumi.overlay.yaml, the
// stack file the checkpoint was deployed with, the way the engine hands
// config to a program (stackConfig reads it). Recording copies
// stacks/Pulumi.overlay.yaml there.
func recordedConfig(t *testing.T) map[string]string {
	t.Helper()
	recorded := filepath.Join(upgradeDir, "Pulumi."+upgradeStack+".yaml")
	if *record {
		data, err := os.ReadFile("Pulumi." + upgradeStack + ".yaml")
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(recorded, data, 0o644))
	}
	return stackConfigFile(t, recorded)
}
