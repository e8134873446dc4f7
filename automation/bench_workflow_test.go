package automation_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"

	. "github.com/aks-cilium/aks-cilium/automation"
	"github.com/aks-cilium/aks-cilium/components"
	"github.com/aks-cilium/aks-cilium/components/spec"
	"github.com/aks-cilium/aks-cilium/sim/azuresim"
	"github.com/aks-cilium/aks-cilium/sim/azurite"
)

// BenchmarkUp compares an Engine Up of a one-tag change on the deployed
// reference stack (its guardrail preview saves the plan the update applies;
// the outputs come from the update's events) with what a program written
// on the Automation API alone does for the same guarded Up: st.Preview,
// then st.Up, which reads the outputs twice and the history once. Both
// sides update the same stack, alternating, with ARM latencies; it reports
// the pulumi processes per Up, the wall time ratio, and each side's wall
// time against the deploy span ARM saw.
func BenchmarkUp(b *testing.B) {
	latency := map[azuresim.OpKey]time.Duration{
		{Type: "ResourceGroup", Op: azuresim.OpUpdate}:  100 * time.Millisecond,
		{Type: "VirtualNetwork", Op: azuresim.OpUpdate}: 200 * time.Millisecond,
		{Type: "ManagedCluster", Op: azuresim.OpUpdate}: 500 * time.Millisecond,
		{Type: "AgentPool", Op: azuresim.OpUpdate}:      300 * time.Millisecond,
	}
	h := newHarness(b, harnessOptions{Sim: azuresim.Options{Latency: latency}})
	ctx := b.Context()
	c := referenceSpec("benchup")
	if _, err := h.eng.Up(ctx, "ref", c, UpOptions{}); err != nil {
		b.Fatal(err)
	}
	naiveCLI, err := FindCLI()
	if err != nil {
		b.Fatal(err)
	}
	env := map[string]string{"PULUMI_CONFIG_PASSPHRASE": "e2e-passphrase", "PULUMI_SKIP_UPDATE_CHECK": "true"}
	for k, v := range h.env {
		env[k] = v
	}
	project := workspace.Project{
		Name:    tokens.PackageName(DefaultProject),
		Runtime: workspace.NewProjectRuntimeInfo("go", nil),
		Backend: &workspace.ProjectBackend{URL: "file://" + filepath.ToSlash(h.eng.StateDir())},
	}
	naiveStack, err := auto.UpsertStackInlineSource(ctx, "ref", DefaultProject, components.StackProgram,
		auto.Project(project), auto.SecretsProvider("passphrase"), auto.EnvVars(env), auto.WorkDir(h.eng.WorkDir("ref")),
		auto.PulumiHome(filepath.Join(h.dir, "home")), auto.Pulumi(naiveCLI.Command()))
	if err != nil {
		b.Fatal(err)
	}
	tag := 0
	next := func() spec.Cluster {
		tag++
		changed := c
		changed.Tags = map[string]string{"environment": fmt.Sprintf("t%d", tag)}
		return changed
	}
	// The naive side writes the spec as the Engine does (the same stack
	// settings file), then previews (the guardrail) and updates.
	naive := func(cl spec.Cluster) (time.Duration, int64) {
		if _, err := h.eng.Preview(ctx, "ref", cl, PreviewOptions{}); err != nil { // writes the spec; not timed below
			b.Fatal(err)
		}
		p0, t0 := naiveCLI.Processes(), time.Now()
		pre, err := naiveStack.Preview(ctx, optpreview.Diff())
		if err != nil {
			b.Fatal(err)
		}
		if pre.ChangeSummary["replace"] > 0 {
			b.Fatal("unexpected replacement")
		}
		if _, err := naiveStack.Up(ctx, optup.ShowSecrets(false)); err != nil {
			b.Fatal(err)
		}
		return time.Since(t0), naiveCLI.Processes() - p0
	}
	var engineWall, engineSpan, naiveWall, naiveSpan time.Duration
	var engineProcs, naiveProcs int64
	runs := 0
	span := func() time.Duration {
		var writes []azuresim.Operation
		for _, op := range h.sim.Operations() {
			if op.Op == azuresim.OpUpdate {
				writes = append(writes, op)
			}
		}
		// The tag is on the resource group, VNet, cluster and both pools
		// (the role assignment has none).
		if len(writes) != 5 {
			b.Fatalf("want 5 updates, got %d", len(writes))
		}
		return azuresim.Span(writes)
	}
	for b.Loop() {
		h.sim.ResetStats()
		p0, t0 := h.eng.CLI().Processes(), time.Now()
		if _, err := h.eng.Up(ctx, "ref", next(), UpOptions{}); err != nil {
			b.Fatal(err)
		}
		engineWall += time.Since(t0)
		engineProcs += h.eng.CLI().Processes() - p0
		engineSpan += span()

		h.sim.ResetStats()
		wall, procs := naive(next())
		naiveWall += wall
		naiveProcs += procs
		naiveSpan += span()
		runs++
	}
	n := float64(runs)
	b.ReportMetric(float64(engineProcs)/n, "engine-procs/up")
	b.ReportMetric(float64(naiveProcs)/n, "naive-procs/up")
	b.ReportMetric(float64(engineWall.Milliseconds())/n, "engine-ms/up")
	b.ReportMetric(float64(naiveWall.Milliseconds())/n, "naive-ms/up")
	b.ReportMetric(float64(naiveWall)/float64(engineWall), "naive/engine")
	b.ReportMetric(float64(engineWall)/float64(engineSpan), "engine-up/span")
	b.ReportMetric(float64(naiveWall)/float64(naiveSpan), "naive-up/span")
}

// BenchmarkAzblobFleetShards previews a fleet of 32 stacks kept in Azure
// Blob Storage (Azurite) from one process and from two (as on two CI
// runners, each previewing its shard of 16), every process with its own
// Engine folder, simulator and a pool of 4 workers, and reports the
// throughput ratio. Each process warms up (selects its stacks) first; the
// timed passes start together. On a machine with few cores the processes
// compete for the CPU, so the ratio says what sharding buys here, not on
// separate runners.
func BenchmarkAzblobFleetShards(b *testing.B) {
	emu := azuriteFor(b)
	const size, workers = 32, 4
	var all []string
	for i := range size {
		all = append(all, fmt.Sprintf("shard%02d", i))
	}
	// Make the stacks once, from one process.
	warm := startFleetChild(b, emu, all, workers)
	warm.run(b)

	var one, two time.Duration
	runs := 0
	for b.Loop() {
		single := startFleetChild(b, emu, all, workers)
		one += runTogether(b, single)
		a := startFleetChild(b, emu, all[:size/2], workers)
		c := startFleetChild(b, emu, all[size/2:], workers)
		two += runTogether(b, a, c)
		runs++
	}
	b.ReportMetric(float64(size*runs)/one.Seconds(), "one-process-stacks/s")
	b.ReportMetric(float64(size*runs)/two.Seconds(), "two-process-stacks/s")
	b.ReportMetric(float64(one)/float64(two), "two/one-throughput")
}

// fleetChild is the test binary run as one fleet previewer
// (helperFleetPreview): it warms up, says "ready", waits for "go", runs
// the timed pass and prints its duration.
type fleetChild struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Scanner
	log   *syncBuffer
}

func startFleetChild(b *testing.B, emu *azurite.Emulator, stacks []string, workers int) *fleetChild {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=fleet-preview",
		"AKS_CILIUM_E2E_DIR="+filepath.Join(b.TempDir(), "fleet-engine"),
		"AKS_CILIUM_E2E_BACKEND="+emu.BackendURL(stateContainer),
		"AKS_CILIUM_E2E_STACKS="+strings.Join(stacks, ","),
		fmt.Sprintf("AKS_CILIUM_E2E_WORKERS=%d", workers))
	for k, v := range emu.Env() {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	c := &fleetChild{cmd: cmd, stdin: stdin, out: bufio.NewScanner(stdout), log: &syncBuffer{}}
	cmd.Stderr = c.log
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	return c
}

// expect reads the child's next line, which must start with prefix.
func (c *fleetChild) expect(b *testing.B, prefix string) string {
	b.Helper()
	if !c.out.Scan() {
		b.Fatalf("fleet child ended before %q:\n%s", prefix, c.log.String())
	}
	line := c.out.Text()
	if !strings.HasPrefix(line, prefix) {
		b.Fatalf("fleet child said %q, want %q:\n%s", line, prefix, c.log.String())
	}
	return strings.TrimPrefix(line, prefix)
}

// run lets one child do its pass alone.
func (c *fleetChild) run(b *testing.B) { runTogether(b, c) }

// runTogether waits for every child to be warm, starts their timed passes
// at once and returns the wall time until the last one is done.
func runTogether(b *testing.B, children ...*fleetChild) time.Duration {
	b.Helper()
	for _, c := range children {
		c.expect(b, "ready")
	}
	t0 := time.Now()
	for _, c := range children {
		if _, err := io.WriteString(c.stdin, "go\n"); err != nil {
			b.Fatal(err)
		}
	}
	for _, c := range children {
		c.expect(b, "done ")
	}
	wall := time.Since(t0)
	for _, c := range children {
		_ = c.stdin.Close()
		if err := c.cmd.Wait(); err != nil {
			b.Fatalf("fleet child: %v\n%s", err, c.log.String())
		}
	}
	return wall
}

// helperFleetPreview is the fleet child: an Engine on the shared backend
// previews its stacks (the reference spec named after each) once to warm
// up, then again when told to, and prints the timed pass's duration.
func helperFleetPreview() int {
	fail := func(err error) int {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 1
	}
	eng, err := backendChildEngine(azuresim.Options{}, nil)
	if err != nil {
		return fail(err)
	}
	var workers int
	fmt.Sscan(os.Getenv("AKS_CILIUM_E2E_WORKERS"), &workers)
	var stacks []StackSpec
	for _, name := range strings.Split(os.Getenv("AKS_CILIUM_E2E_STACKS"), ",") {
		stacks = append(stacks, StackSpec{Name: name, Spec: referenceSpec(name)})
	}
	pass := func() error {
		for _, r := range eng.PreviewFleet(context.Background(), stacks, workers) {
			if r.Err != nil {
				return fmt.Errorf("%s: %w", r.Stack, r.Err)
			}
		}
		return nil
	}
	if err := pass(); err != nil {
		return fail(err)
	}
	fmt.Println("ready")
	in := bufio.NewScanner(os.Stdin)
	if !in.Scan() {
		return fail(fmt.Errorf("no go"))
	}
	t0 := time.Now()
	if err := pass(); err != nil {
		return fail(err)
	}
	fmt.Println("done", time.Since(t0))
	return 0
}
