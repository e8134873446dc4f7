package yaml_test

import (
	"bufio"
	"encoding/json"
	"os/exec"
	"testing"
	"time"

	"github.com/aks-cilium/aks-cilium/automation"
	"github.com/aks-cilium/aks-cilium/automation/automationtest"
	"github.com/aks-cilium/aks-cilium/components"
	"github.com/aks-cilium/aks-cilium/components/netpol"
	"github.com/aks-cilium/aks-cilium/components/spec"
)

// The benchmarks report ratios against baselines measured in the same run
// (make bench): the machine's speed cancels out.

// BenchmarkPreviewYAMLvsGo previews the YAML stack repo through the CLI
// (`pulumi preview` in examples/yaml: the CLI, the YAML language host, the
// component plugin) and the same spec through the Engine's inline Go program
// (one pulumi process, no language host, no plugin), alternating, each a new
// stack with nothing deployed. The Go side's spec is the one the plugin
// built from the YAML program (the Platform's recorded input in the YAML
// preview: the defaulted spec), its policies those the program writes, so
// both sides plan the same resources. Reported: each side's time per
// preview and yaml/go, the ratio.
func BenchmarkPreviewYAMLvsGo(b *testing.B) {
	f := newFixture(b, ".", "")
	shop, blog := f.initDev()

	// The spec the YAML program gives the plugin.
	out := f.pulumi("preview", "--json")
	var p struct {
		Steps []struct {
			URN      string `json:"urn"`
			NewState struct {
				Inputs struct {
					Spec json.RawMessage `json:"spec"`
				} `json:"inputs"`
			} `json:"newState"`
		} `json:"steps"`
	}
	if err := json.Unmarshal([]byte(out.Stdout), &p); err != nil {
		b.Fatal(err)
	}
	var c spec.Cluster
	for _, s := range p.Steps {
		if typeOf(s.URN) == components.PlatformType {
			var err error
			if c, err = spec.DecodeJSON(s.NewState.Inputs.Spec); err != nil {
				b.Fatal(err)
			}
		}
	}
	if c.Name == "" {
		b.Fatal("the YAML preview shows no Platform spec")
	}
	policies := components.PoliciesArgs{Config: netpol.Config{Namespaces: []string{shop, blog}}, CreateNamespaces: true}

	env := automationtest.New(b, automationtest.Options{})
	ctx := b.Context()
	if err := env.Engine.SetPolicies(ctx, "dev", &policies); err != nil {
		b.Fatal(err)
	}
	goPreview := func() {
		res, err := env.Engine.Preview(ctx, "dev", c, automation.PreviewOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Steps) < 15 {
			b.Fatalf("the Go preview plans %d steps", len(res.Steps))
		}
	}
	yamlPreview := func() { f.pulumi("preview") }
	goPreview() // warm both: the stacks exist, the plugins are in the page cache
	yamlPreview()

	var yamlTime, goTime time.Duration
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		yamlPreview()
		yamlTime += time.Since(start)
		start = time.Now()
		goPreview()
		goTime += time.Since(start)
	}
	n := float64(b.N)
	b.ReportMetric(yamlTime.Seconds()*1000/n, "yaml-ms/preview")
	b.ReportMetric(goTime.Seconds()*1000/n, "go-ms/preview")
	b.ReportMetric(yamlTime.Seconds()/goTime.Seconds(), "yaml/go")
}

// BenchmarkPluginStart measures how long pulumi-resource-aks-cilium takes
// from exec to serving (its port on stdout, as the engine waits for it),
// against the azure simulator's plugin (the same SDK provider.Main, a
// smaller binary) in the same run.
func BenchmarkPluginStart(b *testing.B) {
	plugins := buildPlugins(b)
	start := func(binary string) time.Duration {
		begin := time.Now()
		cmd := exec.CommandContext(b.Context(), binary)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			b.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		if _, err := bufio.NewReader(stdout).ReadString('\n'); err != nil {
			b.Fatalf("%s printed no port: %v", binary, err)
		}
		took := time.Since(begin)
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return took
	}
	start(plugins[0].Binary) // page cache
	start(plugins[1].Binary)
	var component, azure time.Duration
	b.ResetTimer()
	for b.Loop() {
		component += start(plugins[0].Binary)
		azure += start(plugins[1].Binary)
	}
	n := float64(b.N)
	b.ReportMetric(component.Seconds()*1000/n, "aks-cilium-ms/start")
	b.ReportMetric(azure.Seconds()*1000/n, "azure-sim-ms/start")
	b.ReportMetric(component.Seconds()/azure.Seconds(), "aks-cilium/azure-sim")
}
