// Package planview shows the plan of a cluster spec as one self-contained
// HTML page: the address map (the VNet space, node and pod subnets, the pod
// CIDR, the service CIDR, declared peered ranges and AKS-reserved ranges,
// drawn to scale, each with its use at autoscaler max plus surge and its
// headroom, and in red where validation failed, with the message beside it)
// and the reachability matrix of the baseline network policies (namespaces by
// namespaces, DNS and the internet as columns, the evaluator's reason on
// hover) with the policies' lint findings under it.
//
// It is pure Go (no Pulumi): the page is built from spec (Validate,
// Capacity) and netpol (Build, NewEvaluator, Matrix, Lint), and rendered
// with html/template, which escapes every value. The page loads nothing: no
// script, no font, no image from anywhere; CSS and SVG are inline and the
// reasons are title attributes and SVG <title> elements.
//
//	page := planview.Build(planview.Input{Title: "prod", Cluster: c, Policies: &cfg})
//	err := page.Render(w)
//
// Build never fails: an invalid spec is what the page is for. Page is the
// model the HTML shows (for tests and other renderers).
package planview

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/aks-cilium/aks-cilium/components/netpol"
	"github.com/aks-cilium/aks-cilium/components/spec"
)

// Input is what a page shows.
type Input struct {
	// Title names the plan, e.g. the stack config's file name or "stack prod".
	Title string
	// Source says where the spec comes from, a line under the title.
	Source string
	// Cluster is the spec as written; Build defaults and validates it.
	Cluster spec.Cluster
	// Policies are the stack's baseline policies (aks-cilium:policies);
	// nil when it has none. Build completes them for the cluster
	// (netpol.StackPolicies.CheckFor: ACNS, version, internet exceptions).
	Policies *netpol.Config
	// Workloads are the namespaces and pods the matrix is computed for;
	// nil means BaselineWorkloads of the policies (two pods a namespace).
	Workloads *Workloads
}

// Problem is one validation problem of the spec or of its policies.
type Problem struct {
	// Code is the rule code, e.g. "SPEC111" (spec.CodeOf).
	Code spec.Code
	// Field is the path, e.g. "network.mode.overlay.podCidr".
	Field string
	// Message is the problem without its path: the value and what is wrong.
	Message string
	// Range is the ID of the address map range the problem is shown beside;
	// "" when it belongs to no range.
	Range string
}

// Fact is one line of the page's summary.
type Fact struct{ Label, Value string }

// Page is what the HTML shows.
type Page struct {
	// Title and Source head the page.
	Title, Source string
	// Facts summarise the cluster: name, IP mode, Kubernetes and Cilium, pools.
	Facts []Fact
	// Problems are every problem of the spec, then of the policies.
	Problems []Problem
	// Map is the address map.
	Map AddressMap
	// Reach is the reachability matrix; nil without policies, or when the
	// policies are invalid (their problems are in Problems).
	Reach *Reach
	// ReachNote says why there is no matrix, when there is none.
	ReachNote string
	// Lint are the findings of netpol.Lint on the baseline policies.
	Lint []netpol.Finding
	// CiliumPolicies name the CiliumNetworkPolicies of the baseline (FQDN
	// egress, L7 HTTP): listed, not evaluated (the evaluator models
	// Kubernetes NetworkPolicies).
	CiliumPolicies []string
}

// Valid reports whether the spec and its policies have no problem.
func (p *Page) Valid() bool { return len(p.Problems) == 0 }

// Build makes the page of a spec and its policies.
func Build(in Input) *Page {
	c := in.Cluster.WithDefaults()
	p := &Page{Title: in.Title, Source: in.Source}
	if p.Title == "" {
		p.Title = c.Name
	}
	p.Facts = facts(c)
	p.Map, p.Problems = newAddressMap(c, c.Validate())

	if in.Policies == nil {
		p.ReachNote = "This stack has no baseline policies (" + spec.ConfigPolicies + "): no NetworkPolicy selects any pod, so every connection is allowed."
		return p
	}
	cfg, err := netpol.StackPolicies{Config: *in.Policies}.CheckFor(c)
	if err != nil {
		var inv *spec.InvalidError
		if !errors.As(err, &inv) {
			p.ReachNote = "The policies could not be checked: " + err.Error()
			return p
		}
		for _, e := range inv.Errs {
			p.Problems = append(p.Problems, problemOf(e))
		}
		p.ReachNote = fmt.Sprintf("The baseline policies have %d problems (listed above): no matrix is computed for them.", len(inv.Errs))
		return p
	}
	baseline, err := netpol.Build(cfg)
	if err != nil { // CheckFor passed, so Build cannot refuse it; say so if it does
		p.ReachNote = "The baseline policies could not be built: " + err.Error()
		return p
	}
	w := in.Workloads
	if w == nil {
		bw := BaselineWorkloads(cfg)
		w = &bw
	}
	reach, err := NewReach(baseline.NetworkPolicies, *w)
	if err != nil {
		p.ReachNote = "The reachability could not be evaluated: " + err.Error()
	} else {
		p.Reach = reach
	}
	p.Lint = netpol.Lint(baseline.PolicySet, netpol.LintContextFor(c))
	for _, cp := range baseline.CiliumPolicies {
		p.CiliumPolicies = append(p.CiliumPolicies, cp.Metadata.Namespace+"/"+cp.Metadata.Name)
	}
	return p
}

// HTML is Build and Render in one call.
func HTML(in Input) ([]byte, error) {
	var b bytes.Buffer
	if err := Build(in).Render(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// problemOf turns a field error into a Problem; the rule code moves from
// the message to Code.
func problemOf(e *field.Error) Problem {
	code := spec.CodeOf(e)
	msg := e.ErrorBody()
	if code != "" {
		msg = strings.Replace(msg, "["+string(code)+"] ", "", 1)
	}
	return Problem{Code: code, Field: e.Field, Message: msg}
}

// facts summarise a defaulted spec.
func facts(c spec.Cluster) []Fact {
	mode := "(no pod IP mode)"
	if c.Network.Mode != nil {
		mode = string(c.Network.Mode.Kind())
	}
	out := []Fact{
		{"cluster", fmt.Sprintf("%s in %s (resource group %s)", c.Name, c.Location, c.ResourceGroup.Name)},
		{"IP mode", mode + ", Cilium data plane and network policy"},
	}
	k8s := c.KubernetesVersion
	if min, err := c.MinCiliumVersion(); err == nil {
		k8s += ": Cilium " + min + " or later expected"
	}
	out = append(out, Fact{"Kubernetes", k8s}, Fact{"ACNS", c.ACNS.String()})
	var pools []string
	for _, pl := range c.Pools() {
		pools = append(pools, fmt.Sprintf("%s %d-%d nodes, surge %s, maxPods %d", pl.Name, pl.Count, pl.MaxNodes(), pl.MaxSurge, pl.MaxPods))
	}
	out = append(out, Fact{"pools", strings.Join(pools, "; ")})
	return out
}
