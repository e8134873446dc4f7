// Command plan validates cluster specs and prints their plan, with no cloud
// and no Pulumi: the IP mode, the expected minimum Cilium version, the
// features the Kubernetes version allows, and how full each range gets at the
// pools' autoscaler maximum plus surge. It is what an internal platform runs
// before it queues a deployment, and the first step of `make demo`.
//
//	go run ./examples/plan stacks/Pulumi.overlay.yaml my-spec.yaml
//
// A file is either a Pulumi stack config (the spec under the key
// "aks-cilium:cluster") or a bare spec. Exit code 1 when any spec is invalid.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/aks-cilium/aks-cilium/components/spec"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: plan FILE...  (Pulumi.<stack>.yaml or a bare cluster spec)")
		os.Exit(2)
	}
	failed := false
	for _, file := range os.Args[1:] {
		if err := plan(file); err != nil {
			fmt.Printf("%s: INVALID\n%s\n\n", file, indent(err.Error()))
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
}

func plan(file string) error {
	c, err := load(file)
	if err != nil {
		return err
	}
	c = c.WithDefaults()
	if errs := c.Validate(); len(errs) > 0 {
		var lines []string
		for _, e := range errs {
			lines = append(lines, e.Error())
		}
		return fmt.Errorf("%d problems:\n%s", len(errs), strings.Join(lines, "\n"))
	}
	k, _ := spec.LookupKubernetes(c.KubernetesVersion, c.AllowNewerKubernetes)
	fmt.Printf("%s: valid\n", file)
	fmt.Printf("  cluster      %s in %s (resource group %s)\n", c.Name, c.Location, c.ResourceGroup.Name)
	fmt.Printf("  IP mode      %s, Cilium data plane and network policy\n", c.Network.Mode.Kind())
	fmt.Printf("  Kubernetes   %s: Cilium %s or later expected\n", c.KubernetesVersion, k.Row.MinCilium)
	fmt.Printf("  features     %s\n", joinFeatures(k.Features()))
	fmt.Printf("  ACNS         %s\n", c.ACNS)
	fmt.Printf("  monitoring   %s\n", monitoring(c.Monitoring))
	for _, p := range c.Pools() {
		fmt.Printf("  pool %-7s %s, %d-%d nodes, maxPods %d, surge %s, %s\n", p.Name, p.VMSize, p.Count, p.MaxNodes(), p.MaxPods, p.MaxSurge, p.OSSKU)
	}
	for _, capa := range c.Capacity() {
		fmt.Printf("  capacity     %s\n", capa)
	}
	fmt.Println()
	return nil
}

// load reads a bare spec or the spec inside a Pulumi stack config file,
// as strictly as the engine: one YAML document, no key given twice, no
// unknown field.
func load(file string) (spec.Cluster, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return spec.Cluster{}, err
	}
	j, err := spec.YAMLToJSON(data)
	if err != nil {
		return spec.Cluster{}, err
	}
	var stack struct {
		Config map[string]json.RawMessage `json:"config"`
	}
	if err := json.Unmarshal(j, &stack); err == nil && stack.Config != nil {
		inner, ok := stack.Config[spec.ConfigCluster]
		if !ok {
			return spec.Cluster{}, fmt.Errorf("no %q key in the stack config", spec.ConfigCluster)
		}
		return spec.DecodeJSON(inner)
	}
	return spec.DecodeJSON(j)
}

// monitoring says which billed monitoring parts are on.
func monitoring(m spec.Monitoring) string {
	var parts []string
	if ci := m.ContainerInsights; ci != nil {
		where := ci.WorkspaceID
		if where == "" {
			where = fmt.Sprintf("new workspace %s, %d days", ci.WorkspaceName, ci.RetentionDays)
		}
		parts = append(parts, "Container Insights ("+where+")")
	}
	if p := m.Prometheus; p != nil {
		where := p.WorkspaceID
		if where == "" {
			where = "new workspace " + p.WorkspaceName
		}
		parts = append(parts, "managed Prometheus ("+where+")")
	}
	if m.Alerts != nil {
		parts = append(parts, fmt.Sprintf("Cilium alerts (severity %d, %d action groups)", *m.Alerts.Severity, len(m.Alerts.ActionGroupIDs)))
	}
	if len(parts) == 0 {
		return "off (each part is billed; see docs/monitor.md)"
	}
	return strings.Join(parts, ", ")
}

func joinFeatures(fs []spec.Feature) string {
	if len(fs) == 0 {
		return "(none of the gated features)"
	}
	var s []string
	for _, f := range fs {
		s = append(s, string(f))
	}
	return strings.Join(s, ", ")
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}
