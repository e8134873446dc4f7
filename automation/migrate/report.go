package migrate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aks-cilium/aks-cilium/components/netpol"
)

// Human renders the plan for a terminal or a CI log: the change, the
// verdict, every blocker and warning with its fix, the policy findings, the
// impact and the next steps. Plain text, no colour.
func (p *Plan) Human() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Migration plan for AKS cluster %s\n", p.Cluster)
	fmt.Fprintf(&b, "  resource group %s, subscription %s", p.ResourceGroup, p.SubscriptionID)
	if p.Location != "" {
		fmt.Fprintf(&b, ", %s", p.Location)
	}
	b.WriteString("\n")
	if p.KubernetesVersion != "" {
		fmt.Fprintf(&b, "  Kubernetes %s", p.KubernetesVersion)
		if p.MinCiliumVersion != "" {
			fmt.Fprintf(&b, " (Cilium %s or later)", p.MinCiliumVersion)
		}
		fmt.Fprintf(&b, ", provisioningState %s\n", orNone(p.ProvisioningState))
	}
	b.WriteString("\n")

	fmt.Fprintf(&b, "Change:   %s\n", strings.Join(p.changeLines(), "\n          "))
	mode := orNone(string(p.IPMode))
	if p.IPMode == IPModeOverlay && p.Current.PodCIDR != "" {
		mode += " (pod CIDR " + p.Current.PodCIDR + ")"
	}
	if p.IPMode != IPModeNone {
		mode += ", unchanged by the update"
	}
	fmt.Fprintf(&b, "IP mode:  %s\n", mode)
	for i, pl := range p.Pools {
		label := "Pools:   "
		if i > 0 {
			label = "         "
		}
		surge := pl.MaxSurge
		if surge == "" {
			surge = "default"
		}
		fmt.Fprintf(&b, "%s %-12s %-6s %-7s %3d nodes  max surge %s\n", label, pl.Name, pl.Mode, pl.OSType, pl.Count, surge)
	}
	b.WriteString("\n")

	switch {
	case p.Blocked():
		fmt.Fprintf(&b, "Verdict:  BLOCKED by %d blocker(s): nothing will be changed\n", len(p.Blockers))
	case p.NoOp:
		fmt.Fprintf(&b, "Verdict:  NOTHING TO DO: the cluster already has %s\n", p.Target.summary(p.Change))
	default:
		fmt.Fprintf(&b, "Verdict:  READY: Apply can run (%d warning(s) to read first)\n", len(p.Warnings))
	}
	issues(&b, "Blockers", p.Blockers)
	issues(&b, "Warnings", p.Warnings)
	if p.PoliciesChecked {
		fmt.Fprintf(&b, "\nPolicy findings: %d NetworkPolicies checked, %s\n", p.PolicyCount, countFindings(p.Findings))
		for _, f := range p.Findings {
			fmt.Fprintf(&b, "  %s %s %s/%s %s\n      %s\n      fix: %s\n", f.Code, f.Severity, f.Namespace, f.Name, f.Field, f.Message, f.Fix)
		}
	}
	list(&b, "Impact", p.Impact, false)
	if p.Command != "" && !p.NoOp {
		fmt.Fprintf(&b, "\nAzure CLI equivalent:\n  %s\n", p.Command)
	}
	list(&b, "Next steps", p.NextSteps, true)
	return b.String()
}

// changeLines are "field old -> new" for each field the change touches.
func (p *Plan) changeLines() []string {
	var out []string
	if p.Change.Dataplane != "" {
		out = append(out,
			fmt.Sprintf("networkDataplane %s -> %s", orNone(p.Current.Dataplane), p.Target.Dataplane),
			fmt.Sprintf("networkPolicy    %s -> %s", orNone(p.Current.Policy), p.Target.Policy))
	}
	if p.Change.ACNS != nil {
		out = append(out, fmt.Sprintf("ACNS             %s -> %s", p.Current.ACNS, p.Target.ACNS))
	}
	return out
}

func issues(b *strings.Builder, title string, is []Issue) {
	if len(is) == 0 {
		return
	}
	fmt.Fprintf(b, "\n%s:\n", title)
	for _, i := range is {
		fmt.Fprintf(b, "  [%s] %s\n", i.Code, i.Message)
		if i.Fix != "" {
			fmt.Fprintf(b, "      fix: %s\n", i.Fix)
		}
	}
}

func list(b *strings.Builder, title string, items []string, numbered bool) {
	if len(items) == 0 {
		return
	}
	fmt.Fprintf(b, "\n%s:\n", title)
	for i, s := range items {
		if numbered {
			fmt.Fprintf(b, "  %d. %s\n", i+1, s)
		} else {
			fmt.Fprintf(b, "  - %s\n", s)
		}
	}
}

func countFindings(fs []netpol.Finding) string {
	n := map[netpol.Severity]int{}
	for _, f := range fs {
		n[f.Severity]++
	}
	return fmt.Sprintf("%d error(s), %d warning(s), %d info", n[netpol.SeverityError], n[netpol.SeverityWarning], n[netpol.SeverityInfo])
}

// finding is netpol.Finding with JSON names.
type finding struct {
	Code      string `json:"code"`
	Severity  string `json:"severity"`
	Kind      string `json:"kind,omitempty"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name,omitempty"`
	Field     string `json:"field"`
	Message   string `json:"message"`
	Fix       string `json:"fix"`
}

// JSON renders the plan as indented JSON for machines (a CI gate, an
// internal platform's API, a plan kept for a later Apply). Field names are
// stable.
func (p *Plan) JSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	err := enc.Encode(p)
	return b.Bytes(), err
}

// planFields is Plan without its methods, so MarshalJSON can embed it.
type planFields Plan

// MarshalJSON adds "blocked" and the policy findings (with JSON names) to
// the plan's fields. A plan decoded back with encoding/json can be applied.
func (p *Plan) MarshalJSON() ([]byte, error) {
	fs := make([]finding, 0, len(p.Findings))
	for _, f := range p.Findings {
		fs = append(fs, finding{Code: f.Code, Severity: string(f.Severity), Kind: f.Kind, Namespace: f.Namespace,
			Name: f.Name, Field: f.Field, Message: f.Message, Fix: f.Fix})
	}
	return json.Marshal(struct {
		*planFields
		Blocked  bool      `json:"blocked"`
		Findings []finding `json:"findings"`
	}{(*planFields)(p), p.Blocked(), fs})
}

// String is a one-line summary of the result.
func (r *Result) String() string {
	if r.NoOp {
		return fmt.Sprintf("cluster %s: nothing to do, it already has %s", r.Cluster, r.After.summary(r.Change))
	}
	return fmt.Sprintf("cluster %s: %s (was %s); provisioningState %s after %s (%d polls)",
		r.Cluster, r.After.summary(r.Change), r.Before.summary(r.Change), r.ProvisioningState, r.Duration.Round(time.Second), r.Polls)
}
