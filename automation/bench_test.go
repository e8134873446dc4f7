package automation_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	containerservice "github.com/pulumi/pulumi-azure-native-sdk/containerservice/v2/v20241001"
	network "github.com/pulumi/pulumi-azure-native-sdk/network/v2"
	resources "github.com/pulumi/pulumi-azure-native-sdk/resources/v2"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

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
	if err := os.MkdirAll(filepath.Join(h.dir, "naive"), 0o700); err != nil {
		b.Fatal(err)
	}
	naive := func() {
		project := workspace.Project{
			Name:    tokens.PackageName(DefaultProject),
			Runtime: workspace.NewProjectRuntimeInfo("go", nil),
			Backend: &workspace.ProjectBackend{URL: "file://" + filepath.ToSlash(h.eng.StateDir())},
		}
		st, err := auto.UpsertStackInlineSource(ctx, "ref", DefaultProject, components.StackProgram,
			auto.WorkDir(filepath.Join(h.dir, "naive")), auto.Project(project), auto.SecretsProvider("passphrase"), auto.EnvVars(env),
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

// criticalPathLatency are the ARM latencies of the critical-path
// benchmarks: resource group 200 ms, VNet 400 ms, ManagedCluster 1 s,
// AgentPool 600 ms (for the creates; the simulator's AKS writes take the
// same time whatever the cluster's inline pools).
var criticalPathLatency = map[azuresim.OpKey]time.Duration{
	{Type: "ResourceGroup", Op: azuresim.OpCreate}:  200 * time.Millisecond,
	{Type: "VirtualNetwork", Op: azuresim.OpCreate}: 400 * time.Millisecond,
	{Type: "ManagedCluster", Op: azuresim.OpCreate}: time.Second,
	{Type: "AgentPool", Op: azuresim.OpCreate}:      600 * time.Millisecond,
}

// BenchmarkDeployCriticalPath deploys the reference stack (two user pools)
// against criticalPathLatency and compares the deployment's span as ARM saw
// it with the ideal on the real ARM model: AKS runs one operation at a time
// per cluster and its pools, so the longest chain is RG -> VNet ->
// ManagedCluster -> AgentPool -> AgentPool (2.8 s). The pools are checked to
// run one after the other, in the spec's order (overlapping ones would meet
// 409 OperationNotAllowed).
func BenchmarkDeployCriticalPath(b *testing.B) {
	lat := func(t string) time.Duration {
		return criticalPathLatency[azuresim.OpKey{Type: t, Op: azuresim.OpCreate}]
	}
	ideal := lat("ResourceGroup") + lat("VirtualNetwork") + lat("ManagedCluster") + 2*lat("AgentPool")
	h := newHarness(b, harnessOptions{Sim: azuresim.Options{Latency: criticalPathLatency}})
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
		creates := createOps(h.sim)
		pools := poolOps(h.sim, azuresim.OpCreate)
		if len(creates) != referenceResources || len(pools) != 2 {
			b.Fatalf("want %d creates with 2 pools, got %d creates, %d pools", referenceResources, len(creates), len(pools))
		}
		if pools[1].Start.Before(pools[0].End) {
			b.Fatalf("the user pools overlapped: %s %s-%s, %s %s-%s", pools[0].ID, pools[0].Start.Format(time.StampMilli),
				pools[0].End.Format(time.StampMilli), pools[1].ID, pools[1].Start.Format(time.StampMilli), pools[1].End.Format(time.StampMilli))
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

// BenchmarkPoolLayouts measures the two ways past AKS's one operation per
// cluster for the reference stack's two user pools, on criticalPathLatency:
// chained AgentPool resources (what components.Cluster does) and every pool
// inline in the ManagedCluster's agentPoolProfiles (one cluster create).
// It reports each layout's span; the Cluster's doc comment says why the
// faster inline layout is not the one used.
func BenchmarkPoolLayouts(b *testing.B) {
	layouts := []struct {
		name    string
		program pulumi.RunFunc // nil: the aks-cilium stack program
		creates int
	}{
		{"chained", nil, referenceResources},
		{"inline", inlinePools, 3},
	}
	for _, l := range layouts {
		b.Run(l.name, func(b *testing.B) {
			h := newHarness(b, harnessOptions{Sim: azuresim.Options{Latency: criticalPathLatency}})
			eng := h.eng
			if l.program != nil {
				var err error
				eng, err = New(Options{Now: testNow, Dir: b.TempDir(), Passphrase: "e2e-passphrase", CLI: h.eng.CLI(), Env: h.env, Program: l.program})
				if err != nil {
					b.Fatal(err)
				}
			}
			ctx := b.Context()
			c := referenceSpec("layout")
			var span time.Duration
			runs := 0
			for b.Loop() {
				h.sim.ResetStats()
				if _, err := eng.Up(ctx, "dev", c, UpOptions{}); err != nil {
					b.Fatal(err)
				}
				creates := createOps(h.sim)
				if len(creates) != l.creates {
					b.Fatalf("want %d creates, got %d", l.creates, len(creates))
				}
				span += azuresim.Span(creates)
				runs++
				b.StopTimer()
				if _, err := eng.Destroy(ctx, "dev", DestroyOptions{}); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(span.Milliseconds())/float64(runs), "span-ms")
		})
	}
}

// createOps are the recorded creates.
func createOps(sim *azuresim.Simulator) []azuresim.Operation {
	var out []azuresim.Operation
	for _, op := range sim.Operations() {
		if op.Op == azuresim.OpCreate {
			out = append(out, op)
		}
	}
	return out
}

// inlinePools is the reference stack's network and cluster with all three
// pools inline in the ManagedCluster (the layout BenchmarkPoolLayouts
// compares with the chained AgentPools).
func inlinePools(ctx *pulumi.Context) error {
	rg, err := resources.NewResourceGroup(ctx, "rg", &resources.ResourceGroupArgs{
		ResourceGroupName: pulumi.String("rg-layout"), Location: pulumi.String("westeurope"),
	})
	if err != nil {
		return err
	}
	vnet, err := network.NewVirtualNetwork(ctx, "vnet", &network.VirtualNetworkArgs{
		ResourceGroupName: rg.Name, VirtualNetworkName: pulumi.String("vnet-layout"), Location: pulumi.String("westeurope"),
		AddressSpace: &network.AddressSpaceArgs{AddressPrefixes: pulumi.StringArray{pulumi.String("10.10.0.0/16")}},
		Subnets:      network.SubnetTypeArray{network.SubnetTypeArgs{Name: pulumi.String("nodes"), AddressPrefix: pulumi.String("10.10.0.0/22")}},
	})
	if err != nil {
		return err
	}
	subnetID := vnet.Subnets.Index(pulumi.Int(0)).Id().Elem()
	pool := func(name, mode, size string, count int) containerservice.ManagedClusterAgentPoolProfileArgs {
		return containerservice.ManagedClusterAgentPoolProfileArgs{
			Name: pulumi.String(name), Mode: pulumi.String(mode), Count: pulumi.Int(count), VmSize: pulumi.String(size),
			OsType: pulumi.String("Linux"), VnetSubnetID: subnetID,
		}
	}
	_, err = containerservice.NewManagedCluster(ctx, "aks", &containerservice.ManagedClusterArgs{
		ResourceGroupName: rg.Name, ResourceName: pulumi.String("layout"), Location: pulumi.String("westeurope"),
		DnsPrefix: pulumi.String("layout"), KubernetesVersion: pulumi.String("1.32"),
		Identity: &containerservice.ManagedClusterIdentityArgs{Type: containerservice.ResourceIdentityTypeSystemAssigned},
		NetworkProfile: &containerservice.ContainerServiceNetworkProfileArgs{
			NetworkPlugin: pulumi.String("azure"), NetworkPluginMode: pulumi.String("overlay"), PodCidr: pulumi.String("192.168.0.0/16"),
			NetworkDataplane: pulumi.String("cilium"), NetworkPolicy: pulumi.String("cilium"),
			ServiceCidr: pulumi.String("10.0.0.0/16"), DnsServiceIP: pulumi.String("10.0.0.10"),
		},
		AgentPoolProfiles: containerservice.ManagedClusterAgentPoolProfileArray{
			pool("system", "System", "Standard_D4ds_v5", 2), pool("apps", "User", "Standard_D4ds_v5", 1), pool("batch", "User", "Standard_D8ds_v5", 1),
		},
	})
	return err
}
