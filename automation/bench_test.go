package automation_test

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"

	. "github.com/aks-cilium/aks-cilium/automation"
	"github.com/aks-cilium/aks-cilium/components"
	"github.com/aks-cilium/aks-cilium/components/spec"
	"github.com/aks-cilium/aks-cilium/sim/azuresim"
)

// The benchmarks report ratios measured side by side in one run (make
// bench), never absolute thresholds: the machine's speed cancels out.

// previewSamples is how many previews each side of a comparison runs per
// benchmark iteration (one pulumi preview takes about a second).
const previewSamples = 4

// BenchmarkPreviewWarm compares a warm preview of the deployed reference
// stack through the Engine (workspace and stack kept, spec written in Go:
// one pulumi process) with the naive Automation API sequence a program
// would write: a new LocalWorkspace for the stack, UpsertStackInlineSource,
// SetConfig, Preview. Both sides preview the same stack in the same
// backend, alternating.
func BenchmarkPreviewWarm(b *testing.B) {
	h := newHarness(b, harnessOptions{})
	ctx := b.Context()
	c := referenceSpec("bench")
	if _, err := h.eng.Up(ctx, "ref", c, UpOptions{}); err != nil {
		b.Fatal(err)
	}
	specJSON, err := json.Marshal(c)
	if err != nil {
		b.Fatal(err)
	}
	// The naive side counts its own processes with a CLI of its own.
	naiveCLI, err := FindCLI()
	if err != nil {
		b.Fatal(err)
	}
	env := map[string]string{"PULUMI_CONFIG_PASSPHRASE": "e2e-passphrase", "PULUMI_SKIP_UPDATE_CHECK": "true"}
	for k, v := range h.env {
		env[k] = v
	}
	naive := func() {
		project := workspace.Project{
			Name:    tokens.PackageName(DefaultProject),
			Runtime: workspace.NewProjectRuntimeInfo("go", nil),
			Backend: &workspace.ProjectBackend{URL: "file://" + filepath.ToSlash(h.eng.StateDir())},
		}
		st, err := auto.UpsertStackInlineSource(ctx, "ref", DefaultProject, components.StackProgram,
			auto.Project(project), auto.SecretsProvider("passphrase"), auto.EnvVars(env),
			auto.PulumiHome(filepath.Join(h.dir, "home")), auto.Pulumi(naiveCLI.Command()))
		if err != nil {
			b.Fatal(err)
		}
		if err := st.SetConfig(ctx, spec.ConfigCluster, auto.ConfigValue{Value: string(specJSON)}); err != nil {
			b.Fatal(err)
		}
		res, err := st.Preview(ctx, optpreview.Diff())
		if err != nil {
			b.Fatal(err)
		}
		if res.ChangeSummary["same"] == 0 || res.ChangeSummary["create"]+res.ChangeSummary["update"]+res.ChangeSummary["replace"] > 0 {
			b.Fatalf("naive preview: want no changes, got %v", res.ChangeSummary)
		}
	}
	engine := func() {
		r, err := h.eng.Preview(ctx, "ref", c, PreviewOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if r.HasChanges() {
			b.Fatalf("engine preview: want no changes, got %s", r.ChangeSummary())
		}
	}
	engine() // warm: the stack's workspace is selected once
	naive()

	var engineTime, naiveTime time.Duration
	var engineProcs, naiveProcs int64
	samples := 0
	for b.Loop() {
		for range previewSamples {
			p0, t0 := h.eng.CLI().Processes(), time.Now()
			engine()
			engineTime += time.Since(t0)
			engineProcs += h.eng.CLI().Processes() - p0

			p0, t0 = naiveCLI.Processes(), time.Now()
			naive()
			naiveTime += time.Since(t0)
			naiveProcs += naiveCLI.Processes() - p0
			samples++
		}
	}
	b.ReportMetric(float64(engineTime.Milliseconds())/float64(samples), "engine-ms/preview")
	b.ReportMetric(float64(naiveTime.Milliseconds())/float64(samples), "naive-ms/preview")
	b.ReportMetric(float64(naiveTime)/float64(engineTime), "naive/engine")
	b.ReportMetric(float64(engineProcs)/float64(samples), "engine-procs/preview")
	b.ReportMetric(float64(naiveProcs)/float64(samples), "naive-procs/preview")
}

// BenchmarkPreviewFleet previews fleets of 8 and 32 stacks (each in its own
// workspace, warm) with PreviewFleet's bounded worker pool, and reports the
// throughput against one stack previewed alone, measured in the same run.
func BenchmarkPreviewFleet(b *testing.B) {
	for _, size := range []int{8, 32} {
		b.Run(fmt.Sprintf("stacks=%d", size), func(b *testing.B) {
			h := newHarness(b, harnessOptions{})
			ctx := b.Context()
			var stacks []StackSpec
			for i := range size {
				name := fmt.Sprintf("fleet%02d", i)
				stacks = append(stacks, StackSpec{Name: name, Spec: referenceSpec(name)})
			}
			const workers = 4
			check := func(rs []FleetResult) {
				for _, r := range rs {
					if r.Err != nil {
						b.Fatalf("%s: %v", r.Stack, r.Err)
					}
				}
			}
			check(h.eng.PreviewFleet(ctx, stacks, workers)) // warm: every stack's workspace exists

			var single, fleet time.Duration
			singles, fleets := 0, 0
			for b.Loop() {
				for range previewSamples / 2 {
					t0 := time.Now()
					check(h.eng.PreviewFleet(ctx, stacks[:1], 1))
					single += time.Since(t0)
					singles++
				}
				t0 := time.Now()
				check(h.eng.PreviewFleet(ctx, stacks, workers))
				fleet += time.Since(t0)
				fleets++
			}
			singleRate := float64(singles) / single.Seconds()
			fleetRate := float64(fleets*size) / fleet.Seconds()
			b.ReportMetric(singleRate, "single-stacks/s")
			b.ReportMetric(fleetRate, "fleet-stacks/s")
			b.ReportMetric(fleetRate/singleRate, "fleet/single")
			b.ReportMetric(workers, "workers")
		})
	}
}

// BenchmarkDeployCriticalPath deploys the reference stack against ARM
// latencies (resource group 200 ms, VNet 400 ms, ManagedCluster 1 s,
// AgentPool 600 ms) and compares the deployment's span as ARM saw it with
// the ideal: the longest chain of dependent operations, RG → VNet →
// ManagedCluster → AgentPool (2.2 s). The two user pools depend only on the
// cluster, so they must run at the same time: a false dependency between
// them is a structural failure, checked on the recorded operations.
func BenchmarkDeployCriticalPath(b *testing.B) {
	latency := map[azuresim.OpKey]time.Duration{
		{Type: "ResourceGroup", Op: azuresim.OpCreate}:  200 * time.Millisecond,
		{Type: "VirtualNetwork", Op: azuresim.OpCreate}: 400 * time.Millisecond,
		{Type: "ManagedCluster", Op: azuresim.OpCreate}: time.Second,
		{Type: "AgentPool", Op: azuresim.OpCreate}:      600 * time.Millisecond,
	}
	var ideal time.Duration
	for _, t := range []string{"ResourceGroup", "VirtualNetwork", "ManagedCluster", "AgentPool"} {
		ideal += latency[azuresim.OpKey{Type: t, Op: azuresim.OpCreate}]
	}
	h := newHarness(b, harnessOptions{Sim: azuresim.Options{Latency: latency}})
	ctx := b.Context()
	c := referenceSpec("critical")
	var span, wall time.Duration
	runs := 0
	for b.Loop() {
		h.sim.ResetStats()
		t0 := time.Now()
		if _, err := h.eng.Up(ctx, "dev", c, UpOptions{}); err != nil {
			b.Fatal(err)
		}
		wall += time.Since(t0)
		var creates []azuresim.Operation
		pools := map[string]azuresim.Operation{}
		for _, op := range h.sim.Operations() {
			if op.Op == azuresim.OpCreate {
				creates = append(creates, op)
				if op.Type == typeAgentPool {
					pools[op.ID] = op
				}
			}
		}
		if len(creates) != referenceResources || len(pools) != 2 {
			b.Fatalf("want %d creates with 2 pools, got %d creates, %d pools", referenceResources, len(creates), len(pools))
		}
		var ps []azuresim.Operation
		for _, p := range pools {
			ps = append(ps, p)
		}
		if !(ps[0].Start.Before(ps[1].End) && ps[1].Start.Before(ps[0].End)) {
			b.Fatalf("the two user pools were created one after the other (a false dependency): %s %s-%s, %s %s-%s",
				ps[0].ID, ps[0].Start.Format(time.StampMilli), ps[0].End.Format(time.StampMilli),
				ps[1].ID, ps[1].Start.Format(time.StampMilli), ps[1].End.Format(time.StampMilli))
		}
		span += azuresim.Span(creates)
		runs++
		b.StopTimer()
		if _, err := h.eng.Destroy(ctx, "dev", DestroyOptions{}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(span.Milliseconds())/float64(runs), "span-ms")
	b.ReportMetric(float64(ideal.Milliseconds()), "ideal-ms")
	b.ReportMetric(float64(span)/float64(runs)/float64(ideal), "span/ideal")
	b.ReportMetric(float64(wall.Milliseconds())/float64(runs), "up-wall-ms")
}
