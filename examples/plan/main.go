// Command plan validates cluster specs and prints their plan, with no cloud
// and no Pulumi: the IP mode, the expected minimum Cilium version, the
// features the Kubernetes version allows, how full each range gets at the
// pools' autoscaler maximum plus surge, and the baseline policies. It is
// what an internal platform runs before it queues a deployment, and the
// first step of `make demo`.
//
//	go run ./examples/plan stacks/Pulumi.overlay.yaml my-spec.yaml
//	go run ./examples/plan --html plan.html stacks/Pulumi.vnet.yaml
//
// A file is either a Pulumi stack config (the spec under the key
// "aks-cilium:cluster", the baseline policies under "aks-cilium:policies")
// or a bare spec. --html FILE writes the plan of one file as a page
// (components/planview): the address map drawn to scale and the policies'
// reachability matrix, one self-contained HTML file. Exit code 1 when any
// spec is invalid (the page is written all the same: it shows why).
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/aks-cilium/aks-cilium/components/netpol"
	"github.com/aks-cilium/aks-cilium/components/planview"
	"github.com/aks-cilium/aks-cilium/components/spec"
)

const usage = "usage: plan [--html PAGE] FILE...  (Pulumi.<stack>.yaml or a bare cluster spec; --html takes one FILE)"

func main() {
	html := flag.String("html", "", "write the plan of the one FILE as a self-contained HTML page to `PAGE`")
	flag.Usage = func() { fmt.Fprintln(os.Stderr, usage); flag.PrintDefaults() }
	flag.Parse()
	files := flag.Args()
	if len(files) == 0 || *html != "" && len(files) != 1 {
		flag.Usage()
		os.Exit(2)
	}
	if *html != "" {
		valid, err := writeHTML(files[0], *html)
		if err != nil {
			fmt.Fprintf(os.Stderr, "plan: %v\n", err)
			os.Exit(1)
		}
		fmt.Printf("%s: wrote the plan page to %s\n", files[0], *html)
		if !valid {
			fmt.Printf("%s: INVALID: the page lists every problem\n", files[0])
			os.Exit(1)
		}
		return
	}
	failed := false
	for _, file := range files {
		if err := plan(file); err != nil {
			fmt.Printf("%s: INVALID\n%s\n\n", file, indent(err.Error()))
			failed = true
		}
	}
	if failed {
		os.Exit(1)
	}
}

// writeHTML writes the plan page of file; valid is false when the spec or
// its policies have problems (the page shows them).
func writeHTML(file, page string) (valid bool, err error) {
	in, err := planview.ReadFile(file)
	if err != nil {
		return false, err
	}
	p := planview.Build(in)
	f, err := os.Create(page)
	if err != nil {
		return false, err
	}
	if err := p.Render(f); err != nil {
		f.Close()
		return false, err
	}
	return p.Valid(), f.Close()
}

func plan(file string) error {
	in, err := planview.ReadFile(file)
	if err != nil {
		return err
	}
	c := in.Cluster.WithDefaults()
	errs := c.Validate()
	var cfg netpol.Config
	if in.Policies != nil {
		var perr error
		if cfg, perr = (netpol.StackPolicies{Config: *in.Policies}).CheckFor(c); perr != nil {
			var inv *spec.InvalidError
			if !errors.As(perr, &inv) {
				return perr
			}
			errs = append(errs, inv.Errs...)
		}
	}
	if len(errs) > 0 {
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
	if in.Policies != nil {
		b, err := netpol.Build(cfg)
		if err != nil {
			return err
		}
		findings := netpol.Lint(b.PolicySet, netpol.LintContextFor(c))
		fmt.Printf("  policies     baseline for %s: %d NetworkPolicies, %d CiliumNetworkPolicies, %d lint findings\n",
			strings.Join(b.Namespaces, ", "), len(b.NetworkPolicies), len(b.CiliumPolicies), len(findings))
		for _, f := range findings {
			fmt.Printf("  lint         %s\n", f)
		}
	}
	fmt.Println()
	return nil
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
