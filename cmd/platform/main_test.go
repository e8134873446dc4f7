package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aks-cilium/aks-cilium/automation/automationtest"
	"github.com/aks-cilium/aks-cilium/components/spec"

	"github.com/aks-cilium/aks-cilium/internal/pulumitest"
	"github.com/aks-cilium/aks-cilium/internal/tooltest"
)

// TestMain runs the tests on automationtest's fixed day (testClock) unless
// a test passes --today: a Kubernetes version leaving AKS support must not
// fail them on that day.
func TestMain(m *testing.M) {
	testClock = func() time.Time { return automationtest.Today }
	os.Exit(pulumitest.PrivateTemp(m.Run))
}

// cli runs the command line in-process and returns the exit code, stdout
// and stderr.
func cli(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	t.Logf("platform %s: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
	return code, stdout.String(), stderr.String()
}

// writeConfig writes a stack config file Pulumi.<stack>.yaml: the demo
// stack with edits applied to its YAML text, and no policies.
func writeConfig(t *testing.T, dir, stack string, edits ...string) string {
	t.Helper()
	text := string(demoConfig)
	text = text[:strings.Index(text, "  aks-cilium:policies:")]
	for i := 0; i+1 < len(edits); i += 2 {
		require.Contains(t, text, edits[i])
		text = strings.Replace(text, edits[i], edits[i+1], 1)
	}
	path := filepath.Join(dir, "Pulumi."+stack+".yaml")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	return path
}

func TestUsageErrors(t *testing.T) {
	cfg := writeConfig(t, t.TempDir(), "demo")
	for _, tc := range []struct {
		name, args, want string
	}{
		{"no command", "", "no command given"},
		{"unknown command", "deploy", `unknown command "deploy"`},
		{"misspelt command", "previw", "did you mean preview?"},
		{"unknown flag", "preview --bogus", "unknown flag: --bogus"},
		{"another command's flag", "destroy --allow-replace", "unknown flag: --allow-replace"},
		{"the flag that did nothing", "migrate --plan", "unknown flag: --plan"},
		{"positional argument", "preview --config " + cfg + " extra", `unexpected arguments ["extra"]`},
		{"preview without a config", "preview --simulate", "needs --config"},
		{"up without a config", "up", "needs --config"},
		{"missing config file", "preview --config no/such/Pulumi.x.yaml", "no/such/Pulumi.x.yaml"},
		{"bad duration", "verify --since soon", "invalid argument"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := cli(t, strings.Fields(tc.args)...)
			assert.Equal(t, exitUsage, code)
			assert.Contains(t, stderr, tc.want)
			assert.Contains(t, stderr, "--help` for its flags", "says where the usage is")
			assert.Empty(t, stdout, "nothing on stdout: it is for results")
		})
	}
}

// Every command's --help (and `help COMMAND`) prints that command's own
// flags and the shared ones, not the others' flags, and exits 0.
func TestHelp(t *testing.T) {
	code, stdout, _ := cli(t, "help")
	assert.Equal(t, exitOK, code)
	for _, c := range []string{"preview", "up", "refresh", "destroy", "outputs", "pr-comment", "recover", "verify", "migrate", "plan", "demo", "completion"} {
		assert.Contains(t, stdout, "\n  "+c+" ", "the command list names %s", c)
	}
	assert.Contains(t, stdout, "4  up refused to replace", "the exit codes are documented")

	own := map[string][]string{
		"preview":    {"--detailed-exitcode", "--save-plan", "--fleet", "--shard", "--workers", "--plan-dir", "--comment-dir", "--title"},
		"up":         {"--allow-replace", "--create-stack", "--plan", "--refresh", "--fleet", "--shard", "--workers", "--plan-dir"},
		"drift":      {"--out", "--title", "--fleet", "--shard", "--workers", "--comment-dir"},
		"refresh":    nil,
		"destroy":    nil,
		"outputs":    nil,
		"pr-comment": {"--out", "--title", "--detailed-exitcode", "--save-plan"},
		"comment":    {"--repo", "--number", "--api-url", "--author"},
		"recover":    nil,
		"verify":     {"--since"},
		"migrate":    {"--apply", "--subscription", "--resource-group", "--cluster", "--timeout", "--poll-interval"},
		"demo":       {"--keep"},
		"plan":       {"--html"},
	}
	all := map[string]bool{}
	for _, flags := range own {
		for _, f := range flags {
			all[f] = true
		}
	}
	for cmd, flags := range own {
		t.Run(cmd, func(t *testing.T) {
			for _, args := range [][]string{{cmd, "--help"}, {"help", cmd}, {cmd, "-h"}} {
				code, stdout, stderr := cli(t, args...)
				assert.Equal(t, exitOK, code, args)
				assert.Empty(t, stderr)
				assert.Contains(t, stdout, "platform "+cmd+" [flags]")
				for _, f := range flags {
					assert.Contains(t, stdout, f+" ", "%s has its flag %s", cmd, f)
				}
				for f := range all {
					if !slices.Contains(flags, f) {
						assert.NotContains(t, stdout, f+" ", "%s does not list another command's flag %s", cmd, f)
					}
				}
				for _, f := range []string{"--dir", "--stack", "--config", "--simulate", "--json", "--backend", "--today"} {
					assert.Contains(t, stdout, f+" ", "the shared flag %s", f)
				}
			}
		})
	}
}

// Shell completion scripts for bash, zsh and fish.
func TestCompletion(t *testing.T) {
	for shell, want := range map[string]string{
		"bash": "complete -o default -F __start_platform platform",
		"zsh":  "#compdef platform",
		"fish": "complete -c platform",
	} {
		code, stdout, _ := cli(t, "completion", shell)
		assert.Equal(t, exitOK, code, shell)
		assert.Contains(t, stdout, want, shell)
	}
	// What a shell asks while the user types `platform ver<TAB>`.
	code, stdout, _ := cli(t, "__complete", "ver")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, stdout, "verify")
}

func TestLoadStackConfig(t *testing.T) {
	ctx := context.Background()
	vnet, warnings, err := loadStackConfig(ctx, "../../stacks/Pulumi.vnet.yaml")
	require.NoError(t, err)
	assert.Equal(t, "vnet", vnet.Stack)
	assert.Equal(t, "aks-cilium-prod", vnet.Cluster.Name)
	require.NotNil(t, vnet.Policies, "aks-cilium:policies is read")
	assert.True(t, vnet.Policies.CreateNamespaces)
	assert.Equal(t, []string{"shop", "payments"}, vnet.Policies.Namespaces)
	assert.Empty(t, warnings)

	overlay, _, err := loadStackConfig(ctx, "../../stacks/Pulumi.overlay.yaml")
	require.NoError(t, err)
	assert.Equal(t, "overlay", overlay.Stack)
	assert.Nil(t, overlay.Policies)

	dir := t.TempDir()
	_, _, err = loadStackConfig(ctx, writeConfig(t, dir, "typo", "    location: westeurope", "    locaton: westeurope"))
	assert.ErrorContains(t, err, "locaton", "unknown fields are errors")
	empty := filepath.Join(dir, "Pulumi.empty.yaml")
	require.NoError(t, os.WriteFile(empty, []byte("config: {}\n"), 0o600))
	_, _, err = loadStackConfig(ctx, empty)
	assert.ErrorContains(t, err, "aks-cilium:cluster")
	bad := filepath.Join(dir, "Pulumi.bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("config:\n  aks-cilium:cluster: {name: x}\n  aks-cilium:policies: {namespace: [a]}\n"), 0o600))
	_, _, err = loadStackConfig(ctx, bad)
	assert.ErrorContains(t, err, "aks-cilium:policies")
}

// The commands against the simulator, as a CI job would run them, with the
// exit codes it branches on.
func TestSimulatedCommands(t *testing.T) {
	automationtest.CLI(t)
	useAPIServer = false // no Kubernetes objects in these stacks
	t.Cleanup(func() { useAPIServer = true })
	t.Setenv("PULUMI_CONFIG_PASSPHRASE", "")
	dir, cfgDir := filepath.Join(t.TempDir(), "engine"), t.TempDir()
	base := writeConfig(t, cfgDir, "ci")
	sim := []string{"--simulate", "--dir", dir}
	with := func(args ...string) []string { return append(args, sim...) }

	code, stdout, stderr := cli(t, with("preview", "--config", base, "--detailed-exitcode")...)
	assert.Equal(t, exitChanges, code, "changes are planned")
	assert.Contains(t, stdout, "preview of stack ci: ")
	assert.Contains(t, stdout, "platform-cluster-aks")
	assert.Contains(t, stderr, simulatedBanner)
	info, err := os.Stat(filepath.Join(dir, "passphrase"))
	require.NoError(t, err, "a passphrase is generated for the simulated stack")
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	code, stdout, _ = cli(t, with("up", "--config", base)...)
	require.Equal(t, exitOK, code)
	assert.Regexp(t, `kubeconfig\s+\[secret\]`, stdout)
	assert.Contains(t, stdout, "/providers/Microsoft.ContainerService/managedClusters/aks-cilium-demo")

	code, stdout, _ = cli(t, with("preview", "--config", base, "--detailed-exitcode")...)
	assert.Equal(t, exitOK, code, "nothing to do after up")
	assert.Contains(t, stdout, "no changes")

	code, stdout, _ = cli(t, with("outputs", "--stack", "ci", "--json")...)
	require.Equal(t, exitOK, code)
	var out struct {
		Simulated bool
		Outputs   map[string]struct {
			Value  any
			Secret bool
		}
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &out), stdout)
	assert.True(t, out.Simulated)
	assert.Equal(t, "[secret]", out.Outputs["kubeconfig"].Value)
	assert.True(t, out.Outputs["kubeconfig"].Secret)
	assert.Equal(t, "overlay", out.Outputs["ipMode"].Value)

	changed := writeConfig(t, t.TempDir(), "ci", "autoscale: {min: 1, max: 5}", "autoscale: {min: 1, max: 9}")
	md := filepath.Join(cfgDir, "comment.md")
	code, _, _ = cli(t, with("pr-comment", "--config", changed, "--out", md, "--detailed-exitcode", "--title", "more apps nodes")...)
	assert.Equal(t, exitChanges, code)
	data, err := os.ReadFile(md)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(data), "<!-- aks-cilium:preview project=aks-cilium stack=ci -->"))
	assert.Contains(t, string(data), "more apps nodes")
	assert.Contains(t, string(data), "maxCount")
	assert.Contains(t, string(data), "SIMULATED")

	replacing := writeConfig(t, t.TempDir(), "ci", "podCidr: 192.168.0.0/16", "podCidr: 172.16.0.0/16")
	code, stdout, stderr = cli(t, with("up", "--config", replacing, "--json")...)
	assert.Equal(t, exitRefused, code, "a change only a replacement of the cluster makes is refused (spec.ValidateUpdate)")
	assert.Contains(t, stderr, "network.mode.overlay.podCidr")
	var refused struct{ Error errorJSON }
	require.NoError(t, json.Unmarshal([]byte(stdout), &refused), stdout)
	assert.Equal(t, errorJSON{Kind: "replacementRefused", Message: refused.Error.Message, Code: exitRefused,
		Problems: []problemJSON{{Rule: spec.CodePodCIDRChanged, Field: "network.mode.overlay.podCidr", Message: refused.Error.Problems[0].Message}}}, refused.Error)
	assert.Contains(t, refused.Error.Problems[0].Message, `cannot change from "192.168.0.0/16"`)
	code, _, _ = cli(t, with("preview", "--config", base, "--detailed-exitcode")...)
	assert.Equal(t, exitOK, code, "the refused up changed nothing")

	code, stdout, _ = cli(t, with("recover", "--stack", "ci")...)
	assert.Equal(t, exitOK, code)
	assert.Contains(t, stdout, "0 stale lock(s) removed")
	code, _, _ = cli(t, with("refresh", "--config", base)...)
	assert.Equal(t, exitOK, code, "the stack name comes from the config file's name")
	code, stdout, _ = cli(t, with("destroy", "--stack", "ci")...)
	assert.Equal(t, exitOK, code)
	assert.Contains(t, stdout, "delete")

	invalid := writeConfig(t, t.TempDir(), "ci", "dnsServiceIP: 10.0.0.10", "dnsServiceIP: 10.99.0.10")
	code, _, stderr = cli(t, with("preview", "--config", invalid)...)
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, stderr, "network.dnsServiceIP", "the field path of the problem")

	code, _, stderr = cli(t, "preview", "--config", base, "--dir", dir)
	assert.Equal(t, exitUsage, code, "no passphrase without --simulate")
	assert.Contains(t, stderr, "PULUMI_CONFIG_PASSPHRASE")
}

// The demo as `make demo` runs it, in-process.
func TestDemo(t *testing.T) {
	automationtest.CLI(t)
	code, stdout, _ := cli(t, "demo", "--dir", filepath.Join(t.TempDir(), "engine"))
	require.Equal(t, exitOK, code, stdout)
	for _, want := range []string{
		"== 1. preview of a new stack", "== 2. up", "== 3. preview again: nothing to do", "no changes",
		"== 4. a change: pool apps autoscales to 8 nodes (was 5)", "maxCount: 5 → 8", "<!-- aks-cilium:preview",
		"== 5. a replacing change: the overlay pod CIDR 192.168.0.0/16 → 172.16.0.0/16", "refused before any pulumi process ran", "[SPEC506]",
		"nothing was changed", "== 6. destroy", "simulated Azure now holds 0 resources", simulatedBanner,
	} {
		assert.Contains(t, stdout, want)
	}
	if strings.Contains(stdout, "baseline policies: not applied") {
		t.Log("no local kube-apiserver: the policies were left out (make tools builds one)")
	} else {
		assert.Contains(t, stdout, "shop/default-deny", "the policies are on the API server")
	}
}

// TestVerifyAndMigrateCommands: verify checks the local API server of
// --simulate (no Cilium there: exit 1 with the failing check named), and
// migrate plans the stack's cluster through the simulator's ARM front end:
// a Platform cluster already runs Cilium, so the plan is a no-op and
// --apply sends nothing.
func TestVerifyAndMigrateCommands(t *testing.T) {
	automationtest.CLI(t)
	t.Setenv("PULUMI_CONFIG_PASSPHRASE", "")
	dir := filepath.Join(t.TempDir(), "engine")
	base := writeConfig(t, t.TempDir(), "ops")
	sim := []string{"--simulate", "--dir", dir}
	with := func(args ...string) []string { return append(args, sim...) }

	code, _, _ := cli(t, with("up", "--config", base, "--create-stack")...)
	require.Equal(t, exitOK, code)

	code, stdout, stderr := cli(t, with("verify", "--config", base)...)
	if strings.Contains(stderr, "needs the local kube-apiserver") {
		tooltest.Missing(t, "no local kube-apiserver (make tools builds it): "+stderr)
	}
	assert.Equal(t, exitFailure, code, stdout+stderr)
	assert.Contains(t, stdout, "✗ cilium-daemonset")
	assert.Contains(t, stdout, "✓ no-kube-proxy")
	assert.Contains(t, stderr, "SIMULATED: verifying the local kube-apiserver")

	code, stdout, stderr = cli(t, with("migrate", "--config", base)...)
	require.Equal(t, exitOK, code, stderr)
	assert.Contains(t, stdout, "Migration plan for AKS cluster aks-cilium-demo")
	assert.Contains(t, stdout, "networkDataplane", "the plan names the data plane")

	code, stdout, stderr = cli(t, with("migrate", "--apply", "--poll-interval", "10ms", "--config", base, "--json")...)
	require.Equal(t, exitOK, code, stderr)
	var out struct {
		MigrationPlan struct{ NoOp bool }
		Migration     struct{ NoOp bool }
	}
	require.NoError(t, json.Unmarshal([]byte(stdout), &out), stdout)
	assert.True(t, out.MigrationPlan.NoOp, "a Platform cluster already runs Cilium")
	assert.True(t, out.Migration.NoOp, "so nothing is sent")

	code, _, _ = cli(t, with("destroy", "--config", base)...)
	assert.Equal(t, exitOK, code)
}
