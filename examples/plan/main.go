// Command plan validates cluster specs and prints their plan, with no cloud
// and no Pulumi: the IP mode, the expected minimum Cilium version, the
// features the Kubernetes version allows, the minor's AKS support window,
// the tier, upgrade channels and maintenance windows, egress, identities,
// each pool's OS disk, AKS's limits, how full each range gets at the pools'
// autoscaler maximum plus surge, and the baseline policies. It is what an
// internal platform runs before it queues a deployment, and the first step
// of `make demo`.
//
//	go run ./examples/plan [--today 2026-12-01] stacks/Pulumi.overlay.yaml my-spec.yaml
//	go run ./examples/plan --html plan.html stacks/Pulumi.vnet.yaml
//
// A file is either a Pulumi stack config (the spec under the key
// "aks-cilium:cluster", the baseline policies under "aks-cilium:policies")
// or a bare spec. --html FILE writes the plan of one file as a page
// (components/planview): the address map drawn to scale and the policies'
// reachability matrix, one self-contained HTML file. The text plan judges
// the spec for a cluster created on --today (default: today, UTC): a
// Kubernetes minor AKS no longer creates then is an error
// (spec.Cluster.ValidateAt). Exit code 1 when any spec is invalid (the page
// is written all the same: it shows why), 2 on bad usage.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aks-cilium/aks-cilium/components/netpol"
	"github.com/aks-cilium/aks-cilium/components/planview"
	"github.com/aks-cilium/aks-cilium/components/spec"
)

const usage = "usage: plan [--today YYYY-MM-DD] [--html PAGE] FILE...  (Pulumi.<stack>.yaml or a bare cluster spec; --html takes one FILE)"

func main() {
	html := flag.String("html", "", "write the plan of the one FILE as a self-contained HTML page to `PAGE`")
	today := flag.String("today", time.Now().UTC().Format(time.DateOnly), "judge AKS support windows for a cluster created on this day, `YYYY-MM-DD`")
	flag.Usage = func() { fmt.Fprintln(os.Stderr, usage); flag.PrintDefaults() }
	flag.Parse()
	files := flag.Args()
	day, err := time.Parse(time.DateOnly, *today)
	if err != nil || len(files) == 0 || *html != "" && len(files) != 1 {
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
		if err := plan(file, day); err != nil {
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

// plan prints the plan of one file for a cluster created on today.
func plan(file string, today time.Time) error {
	in, err := planview.ReadFile(file)
	if err != nil {
		return err
	}
	c := in.Cluster.WithDefaults()
	errs := c.ValidateAt(today)
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
	fmt.Printf("  support      %s\n", support(c, today))
	fmt.Printf("  tier         %s\n", tier(c.SKU))
	fmt.Printf("  upgrades     channel %s, node OS %s\n", c.Upgrades.Channel, c.Upgrades.NodeOSChannel)
	for _, w := range []struct {
		name   string
		window *spec.MaintenanceWindow
	}{{spec.MaintenanceClusterAutoUpgrade, c.Upgrades.ClusterWindow}, {spec.MaintenanceNodeOSUpgrade, c.Upgrades.NodeOSWindow}} {
		if w.window != nil {
			fmt.Printf("  window       %s: %s\n", w.name, w.window)
		}
	}
	fmt.Printf("  egress       %s\n", c.Egress)
	fmt.Printf("  identity     %s\n", c.Identity)
	fmt.Printf("  node RG      %s\n", c.EffectiveNodeResourceGroup())
	fmt.Printf("  ACNS         %s\n", c.ACNS)
	fmt.Printf("  monitoring   %s\n", monitoring(c.Monitoring))
	for _, p := range c.Pools() {
		fips := ""
		if p.FIPS {
			fips = ", FIPS"
		}
		fmt.Printf("  pool %-7s %s, %d-%d nodes, maxPods %d, surge %s, %s (%s)%s, OS disk %s\n", p.Name, p.VMSize, p.Count, p.MaxNodes(), p.MaxPods,
			p.MaxSurge, p.OSSKU, spec.NodeOS(p.OSSKU, k), fips, p.OSDisk())
	}
	for _, capa := range c.Capacity() {
		fmt.Printf("  capacity     %s\n", capa)
	}
	fmt.Printf("  limits       %s\n", limits(c))
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
	for _, n := range notes(c) {
		fmt.Printf("  note         %s\n", n)
	}
	fmt.Println()
	return nil
}

// support says where the cluster's minor stands in its AKS support window.
func support(c spec.Cluster, today time.Time) string {
	status, w := c.Support(today)
	if status == spec.SupportUnknown {
		return "not in the AKS release calendar of the version table (allowNewerKubernetes); not judged"
	}
	return fmt.Sprintf("%s on %s (%s)", status, today.Format(time.DateOnly), w)
}

// tier says the tier and support plan with what they give.
func tier(s spec.SKU) string {
	what := map[spec.Tier]string{
		spec.TierFree:     "no uptime SLA; AKS recommends it for at most 10 nodes",
		spec.TierStandard: "uptime SLA",
		spec.TierPremium:  "uptime SLA, long-term support available",
	}[s.Tier]
	return fmt.Sprintf("%s (%s), support plan %s", s.Tier, what, s.SupportPlan)
}

// limits says how close the spec gets to AKS's stated limits.
func limits(c spec.Cluster) string {
	nodes := 0
	for _, p := range c.Pools() {
		nodes += p.MaxNodes()
	}
	return fmt.Sprintf("%d of %d nodes per cluster (%s tier; default quota %d), %d of %d pools, %d of %d authorized IP ranges",
		nodes, c.SKU.MaxNodes(), c.SKU.Tier, spec.DefaultNodesPerClusterCap, len(c.Pools()), spec.MaxPoolsPerCluster,
		len(c.Security.AuthorizedIPRanges), spec.MaxAuthorizedIPRanges)
}

// notes are what is valid but worth a second look.
func notes(c spec.Cluster) []string {
	var out []string
	nodes := 0
	zones := map[string]bool{}
	for _, p := range c.Pools() {
		nodes += p.MaxNodes()
		for _, z := range p.Zones {
			zones[z] = true
		}
	}
	if c.SKU.Tier == spec.TierFree && nodes > spec.FreeTierRecommendedNodes {
		out = append(out, fmt.Sprintf("the pools reach %d nodes on the Free tier, which AKS recommends for at most %d: consider sku.tier Standard", nodes, spec.FreeTierRecommendedNodes))
	}
	if nodes > spec.DefaultNodesPerClusterCap {
		out = append(out, fmt.Sprintf("more than %d nodes needs a quota increase from Azure support", spec.DefaultNodesPerClusterCap))
	}
	if g := c.Egress.NATGateway; g != nil && c.Egress.OutboundType == spec.OutboundUserAssignedNATGateway && len(zones) > 1 {
		where := "no zone (Azure places it in one)"
		if g.Zone != "" {
			where = "zone " + g.Zone
		}
		if g.ID == "" {
			out = append(out, fmt.Sprintf("the NAT gateway is zonal, in %s, and the pools span %d zones: an outage of its zone stops egress for every pool", where, len(zones)))
		}
	}
	if c.ACNS.UsesAPI2026() {
		out = append(out, "WireGuard and eBPF host routing are set through ARM (API "+spec.ACNSAPI2026+") after the create, by the automation Engine's up (docs/acns.md)")
	}
	return out
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
