package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aks-cilium/aks-cilium/automation"
	"github.com/aks-cilium/aks-cilium/automation/automationtest"
	"github.com/aks-cilium/aks-cilium/components/spec"
	"github.com/aks-cilium/aks-cilium/internal/pulumitest"
	"github.com/aks-cilium/aks-cilium/sim/azuresim"
)

// What an operator can get wrong on the command line or in a stack config
// is refused as a usage error (exit 2) before anything starts: no
// simulator, no engine folder, no pulumi process.
func TestRefusedBeforeAnythingStarts(t *testing.T) {
	dir := t.TempDir()
	base := writeConfig(t, dir, "ci")
	text, err := os.ReadFile(base)
	require.NoError(t, err)
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
		return path
	}
	fifo := filepath.Join(dir, "Pulumi.fifo.yaml")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	big := write("Pulumi.big.yaml", string(text)+"# "+strings.Repeat("x", 2<<20)+"\n")
	for _, tc := range []struct {
		name, want string
		args       []string
	}{
		{"stack .", `stack name "."`, []string{"destroy", "--stack", "."}},
		{"stack ..", `stack name ".."`, []string{"outputs", "--stack", ".."}},
		{"stack named by a config file Pulumi...yaml", `stack name ".."`, []string{"preview", "--config", write("Pulumi....yaml", string(text))}},
		{"duplicate key", "already set in map", []string{"preview", "--config",
			write("Pulumi.dup.yaml", strings.Replace(string(text), "    location: westeurope\n", "    location: westeurope\n    location: northeurope\n", 1))}},
		{"a config key platform would drop", "azure-native:location would be ignored", []string{"preview", "--config",
			write("Pulumi.loc.yaml", strings.Replace(string(text), "config:\n", "config:\n  azure-native:location: westeurope\n", 1))}},
		{"a secure value", "holds a secure: value at location", []string{"preview", "--config",
			write("Pulumi.sec.yaml", strings.Replace(string(text), "    location: westeurope\n", "    location:\n      secure: AAABAD\n", 1))}},
		{"/dev/zero", "not a regular file (a character device)", []string{"preview", "--config", "/dev/zero"}},
		{"a named pipe without a writer", "not a regular file (a named pipe)", []string{"preview", "--config", fifo}},
		{"a folder", "not a regular file (a folder)", []string{"preview", "--config", dir}},
		{"a 2 MiB config", "more than the 1048576 a stack config may have", []string{"preview", "--config", big}},
		{"migrate without a cluster", "platform migrate needs the cluster", []string{"migrate", "--stack", "ci"}},
		{"a malformed --today", `--today "2026-13-01": want a day as YYYY-MM-DD`, []string{"preview", "--config", base, "--today", "2026-13-01"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			engine := filepath.Join(t.TempDir(), "engine")
			t.Setenv("PULUMI_CONFIG_PASSPHRASE", "usage test")
			code, stdout, stderr := cli(t, append(tc.args, "--simulate", "--dir", engine)...)
			assert.Equal(t, exitUsage, code)
			assert.Contains(t, stderr, tc.want)
			assert.Empty(t, stdout)
			assert.NotContains(t, stderr, "SIMULATED: Azure is simulated", "no simulator was started")
			assert.NoDirExists(t, engine, "nothing was written")
		})
	}
}

// Top-level settings platform does not use are warnings, not silence.
func TestUnusedSettingsWarn(t *testing.T) {
	dir := t.TempDir()
	text, err := os.ReadFile(writeConfig(t, dir, "ci"))
	require.NoError(t, err)
	path := filepath.Join(dir, "Pulumi.salt.yaml")
	require.NoError(t, os.WriteFile(path, append([]byte("encryptionsalt: v1:abc\n"), text...), 0o600))
	_, warnings, err := loadStackConfig(context.Background(), path)
	require.NoError(t, err)
	assert.Equal(t, []string{path + ": encryptionsalt is not used: platform keeps its own stack settings in --dir"}, warnings)
}

// A config read is bounded and cancellable.
func TestReadBoundedStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := readBounded(ctx, writeConfig(t, t.TempDir(), "ci"), maxConfigFile)
	assert.ErrorIs(t, err, context.Canceled)
	code, _, stderr := cliContext(t, ctx, "preview", "--config", writeConfig(t, t.TempDir(), "ci"), "--simulate", "--dir", t.TempDir())
	assert.Equal(t, exitCancelled, code, "a cancelled run exits 130")
	assert.Contains(t, stderr, "cancelled (exit 130)")
}

// Two first runs on one fresh folder race for its passphrase: exactly one
// file is made, once, and both runs use it.
func TestSimulatedPassphraseRace(t *testing.T) {
	for round := range 20 {
		dir := t.TempDir()
		const runs = 8
		got := make([]passphrase, runs)
		errs := make([]error, runs)
		var wg sync.WaitGroup
		for i := range runs {
			wg.Add(1)
			go func() { defer wg.Done(); got[i], errs[i] = simulatedPassphrase(dir) }()
		}
		wg.Wait()
		data, err := os.ReadFile(filepath.Join(dir, passphraseFile))
		require.NoError(t, err)
		generated := 0
		for i := range runs {
			require.NoError(t, errs[i], "round %d", round)
			assert.Equal(t, strings.TrimSpace(string(data)), got[i].value, "round %d: every run uses the one file", round)
			if strings.Contains(got[i].source, "generated now") {
				generated++
			}
		}
		assert.Equal(t, 1, generated, "round %d: one run made it", round)
		info, err := os.Stat(filepath.Join(dir, passphraseFile))
		require.NoError(t, err)
		assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
		left, _ := filepath.Glob(filepath.Join(dir, ".passphrase-*"))
		assert.Empty(t, left, "no temporary file is left")
	}
}

// The passphrase sources, and a folder whose stacks were made with a
// passphrase from the environment: no new passphrase is generated for it.
func TestPassphraseSources(t *testing.T) {
	ctx := context.Background()
	t.Setenv("PULUMI_CONFIG_PASSPHRASE", "from the environment")
	t.Setenv("PULUMI_CONFIG_PASSPHRASE_FILE", "")
	p, err := resolvePassphrase(ctx, &options{})
	require.NoError(t, err)
	assert.Equal(t, passphrase{"from the environment", "PULUMI_CONFIG_PASSPHRASE"}, p)

	file := filepath.Join(t.TempDir(), "pass")
	require.NoError(t, os.WriteFile(file, []byte("  from a file\n"), 0o600))
	t.Setenv("PULUMI_CONFIG_PASSPHRASE", "")
	t.Setenv("PULUMI_CONFIG_PASSPHRASE_FILE", file)
	p, err = resolvePassphrase(ctx, &options{})
	require.NoError(t, err)
	assert.Equal(t, passphrase{"from a file", "PULUMI_CONFIG_PASSPHRASE_FILE (" + file + ")"}, p, "trimmed, as pulumi does")
	t.Setenv("PULUMI_CONFIG_PASSPHRASE_FILE", "/dev/zero")
	_, err = resolvePassphrase(ctx, &options{})
	assert.ErrorContains(t, err, "not a regular file")

	t.Setenv("PULUMI_CONFIG_PASSPHRASE_FILE", "")
	_, err = resolvePassphrase(ctx, &options{})
	assert.ErrorContains(t, err, "set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE")

	// A --simulate folder with stacks but no passphrase file.
	dir := t.TempDir()
	stacks := filepath.Join(dir, "state", ".pulumi", "stacks", automation.DefaultProject)
	require.NoError(t, os.MkdirAll(stacks, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(stacks, "ci.json"), []byte(`{"checkpoint":{}}`), 0o600))
	code, _, stderr := cli(t, "outputs", "--stack", "ci", "--simulate", "--dir", dir)
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "holds stacks (ci) but no passphrase file")
	assert.NoFileExists(t, filepath.Join(dir, passphraseFile), "no new passphrase was written")
}

// A mistyped stack name creates nothing: only preview and up (with
// --create-stack) make a stack; every other command names the stacks that
// exist. A relative --dir is made absolute (pulumi's home stays in it), and
// PULUMI_CONFIG_PASSPHRASE_FILE is used and said.
func TestMistypedStack(t *testing.T) {
	automationtest.CLI(t)
	useAPIServer = false
	t.Cleanup(func() { useAPIServer = true })
	work := t.TempDir()
	t.Chdir(work)
	passFile := filepath.Join(work, "pass")
	require.NoError(t, os.WriteFile(passFile, []byte("mistyped stack test\n"), 0o600))
	t.Setenv("PULUMI_CONFIG_PASSPHRASE", "")
	t.Setenv("PULUMI_CONFIG_PASSPHRASE_FILE", passFile)
	cfg := writeConfig(t, work, "prod")
	with := func(args ...string) []string { return append(args, "--simulate", "--dir", "engine") }
	stateFile := func(stack string) string {
		return filepath.Join(work, "engine", "state", ".pulumi", "stacks", automation.DefaultProject, stack+".json")
	}

	code, _, stderr := cli(t, with("up", "--config", cfg)...)
	assert.Equal(t, exitFailure, code, "up does not create a stack by itself")
	assert.Contains(t, stderr, "stack prod does not exist (the stacks are: none)")
	assert.Contains(t, stderr, "--create-stack")
	assert.Contains(t, stderr, "passphrase: PULUMI_CONFIG_PASSPHRASE_FILE ("+passFile+")")
	assert.NoFileExists(t, stateFile("prod"))

	code, _, stderr = cli(t, with("up", "--config", cfg, "--create-stack")...)
	require.Equal(t, exitOK, code)
	assert.Contains(t, stderr, "stack prod is new: this up creates it")
	assert.DirExists(t, filepath.Join(work, "engine", "home"), "pulumi's home is in the engine folder")
	assert.NoDirExists(t, filepath.Join(work, "engine", "stacks", "prod", "engine"), "not under the stack's work directory")

	for _, cmd := range []string{"destroy", "refresh", "outputs", "recover"} {
		code, stdout, stderr := cli(t, with(cmd, "--stack", "prodd")...)
		assert.Equal(t, exitFailure, code, cmd)
		assert.Contains(t, stderr, "stack prodd does not exist (the stacks are: prod)", cmd)
		assert.Contains(t, stderr, "nothing was created", cmd)
		assert.NotContains(t, stdout, "no changes", cmd)
		assert.NoFileExists(t, stateFile("prodd"), cmd)
	}
	code, stdout, _ := cli(t, with("destroy", "--stack", "prodd", "--json")...)
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, stdout, `"kind": "stackNotFound"`)
	code, _, _ = cli(t, with("destroy", "--stack", "prod")...)
	assert.Equal(t, exitOK, code)
}

// Ctrl-C during an up that outlasts the grace period: exit 130 with a
// message that says so, the lock released. ARM goes on with the cluster's
// create (15 s here, past pulumi's 10 s grace): the next up imports the
// cluster, waits for AKS to finish it if need be, and converges.
func TestCancelledUp(t *testing.T) {
	automationtest.CLI(t)
	useAPIServer = false
	simulatorOptions = azuresim.Options{Latency: map[azuresim.OpKey]time.Duration{{Type: "ManagedCluster", Op: azuresim.OpCreate}: 15 * time.Second}}
	t.Cleanup(func() { useAPIServer, simulatorOptions = true, azuresim.Options{} })
	t.Setenv("PULUMI_CONFIG_PASSPHRASE", "")
	dir := filepath.Join(t.TempDir(), "engine")
	cfg := writeConfig(t, t.TempDir(), "ci")

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout bytes.Buffer
	stderr := &pulumitest.SyncBuffer{}
	go func() {
		for ctx.Err() == nil {
			out := stderr.String()
			if i := strings.LastIndex(out, "up of stack ci:"); i >= 0 && strings.Contains(out[i:], "ManagedCluster") {
				cancel() // the cluster's create is in flight
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	code := run(ctx, []string{"up", "--config", cfg, "--create-stack", "--simulate", "--dir", dir}, &stdout, stderr)
	t.Logf("cancelled up:\n%s", stderr.String())
	assert.Equal(t, exitCancelled, code)
	assert.Contains(t, stderr.String(), "cancelled (exit 130)")
	data, err := os.ReadFile(filepath.Join(dir, "state", ".pulumi", "stacks", automation.DefaultProject, "ci.json"))
	require.NoError(t, err)
	require.Contains(t, string(data), `"pending_operations"`, "the cluster's create was cut short")

	simulatorOptions = azuresim.Options{}
	code, stdout2, stderr2 := cli(t, "up", "--config", cfg, "--simulate", "--dir", dir)
	require.Equal(t, exitOK, code)
	assert.Contains(t, stderr2, "refresh (pending operations of an earlier run)")
	assert.Contains(t, stdout2, "warning: imported platform-cluster-aks: its create had gone on in Azure")
	data, err = os.ReadFile(filepath.Join(dir, "state", ".pulumi", "stacks", automation.DefaultProject, "ci.json"))
	require.NoError(t, err)
	assert.NotContains(t, string(data), `"pending_operations"`, "the next up cleared it")
}

// cliContext is cli with a context.
func cliContext(t *testing.T, ctx context.Context, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(ctx, args, &stdout, &stderr)
	t.Logf("platform %s: exit %d\n%s", strings.Join(args, " "), code, stderr.String())
	return code, stdout.String(), stderr.String()
}

// --today judges the AKS support windows on another day: the demo stack's
// Kubernetes 1.35 leaves community support on 2027-03-31, so a preview of a
// new stack on the Free tier is refused the day after, with the dates,
// before any pulumi process starts.
func TestToday(t *testing.T) {
	useAPIServer = false
	dir := t.TempDir()
	config := writeConfig(t, dir, "later")
	args := []string{"preview", "--config", config, "--simulate", "--dir", filepath.Join(dir, "engine"), "--json"}

	code, stdout, stderr := cli(t, append(args, "--today", "2027-04-01")...)
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, stderr, "[SPEC023]")
	assert.Contains(t, stderr, "1.35")
	var out output
	require.NoError(t, json.Unmarshal([]byte(stdout), &out))
	require.NotNil(t, out.Error)
	require.NotEmpty(t, out.Error.Problems)
	assert.Equal(t, spec.Code("SPEC023"), out.Error.Problems[0].Rule)
	assert.NotContains(t, stderr, "preview of stack", "refused before the preview ran")

	code, _, stderr = cli(t, append(args, "--today", "2026-12-01")...)
	assert.Equal(t, exitOK, code, "on a day AKS creates 1.35 clusters")
	assert.NotContains(t, stderr, "SPEC023")
}
