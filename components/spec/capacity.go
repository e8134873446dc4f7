package spec

import (
	"fmt"
	"net/netip"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Capacity is how much of one range the cluster takes at its largest: every
// pool at its autoscaler maximum (or count) plus its upgrade surge.
type Capacity struct {
	// Field is the spec field that holds the range.
	Field *field.Path
	// Range is the CIDR.
	Range string
	// Rule says how the need is counted in this IP mode.
	Rule string
	// Needed and Available are in Unit.
	Needed, Available int64
	// Unit is "addresses" or "/24 blocks".
	Unit string
	// Breakdown is the need per pool, e.g. "apps: 27 nodes".
	Breakdown []string
	// Suggest is the shortest prefix length that would hold the need.
	Suggest int
}

// Problem explains a range that is too small, with the numbers.
func (c Capacity) Problem() string {
	return fmt.Sprintf("too small: %s; at autoscaler max plus surge (%s) the pools need %d %s but a /%s has %d; use a /%d or larger",
		c.Rule, strings.Join(c.Breakdown, ", "), c.Needed, c.Unit, strings.SplitN(c.Range, "/", 2)[1], c.Available, c.Suggest)
}

// String is a one-line report: "network.vnet.nodeSubnet.cidr 10.10.0.0/22: 31 of 1019 addresses (3%)".
func (c Capacity) String() string {
	pct := 0.0
	if c.Available > 0 {
		pct = 100 * float64(c.Needed) / float64(c.Available)
	}
	return fmt.Sprintf("%s %s: %d of %d %s (%.0f%%) at autoscaler max plus surge",
		c.Field, c.Range, c.Needed, c.Available, c.Unit, pct)
}

// Capacity plans the cluster's ranges: for the node subnet, the overlay pod
// CIDR or each pod subnet, what the pools need at their largest against what
// the range offers. Ranges or pools that do not validate are left out, so
// call it on a valid spec (Validate reports every range that is too small).
func (c Cluster) Capacity() []Capacity {
	plan, _ := validateNetwork(c.Network, field.NewPath("network"))
	_, needs := validatePools(c, plan)
	return capacities(c, plan, needs)
}

// The sizing rules of the AKS guide, one per IP mode, with the numbers
// from their constants.
var (
	ruleNodes      = fmt.Sprintf("every node takes one node subnet address (Azure keeps %d per subnet)", AzureReservedPerSubnet)
	ruleNodeSubnet = fmt.Sprintf("every node and each of its pods take a node subnet address (Azure keeps %d per subnet)", AzureReservedPerSubnet)
	ruleOverlay    = fmt.Sprintf("every node takes a /%d of the pod CIDR", OverlayNodeBlockBits)
	rulePodSubnet  = fmt.Sprintf("pod IPs are handed to nodes in batches of %d (Azure keeps %d per subnet)", PodSubnetBatch, AzureReservedPerSubnet)
)

func capacities(c Cluster, plan networkPlan, needs []poolNeed) []Capacity {
	var out []Capacity
	var nodes int64
	node := Capacity{Field: field.NewPath("network", "vnet", "nodeSubnet", "cidr"), Rule: ruleNodes, Unit: "addresses"}
	for _, n := range needs {
		nodes += n.nodes
		if plan.modeKind == KindNodeSubnet {
			node.Rule = ruleNodeSubnet
			node.Needed += n.nodes * (n.maxPods + 1)
			node.Breakdown = append(node.Breakdown, fmt.Sprintf("%s: %d nodes x (%d pods + 1)", n.name, n.nodes, n.maxPods))
		} else {
			node.Needed += n.nodes
			node.Breakdown = append(node.Breakdown, fmt.Sprintf("%s: %d nodes", n.name, n.nodes))
		}
	}
	if plan.nodeSubnet != nil {
		out = append(out, addressCapacity(node, *plan.nodeSubnet))
	}
	switch plan.modeKind {
	case KindOverlay:
		if plan.podCIDR != nil {
			pod := Capacity{Field: field.NewPath("network", "mode", "overlay", "podCidr"), Range: plan.podCIDR.String(),
				Rule: ruleOverlay, Unit: "/24 blocks", Needed: nodes, Available: Count24(*plan.podCIDR),
				Breakdown: node.Breakdown}
			pod.Suggest = bitsFor(nodes << (32 - OverlayNodeBlockBits))
			out = append(out, pod)
		}
	case KindPodSubnet:
		ps, _ := c.Network.Mode.(PodSubnet)
		for i, s := range ps.Subnets {
			pfx := plan.podSubnets[s.Name]
			if pfx == nil {
				continue
			}
			pod := Capacity{Field: field.NewPath("network", "mode", "podSubnet", "subnets").Index(i).Child("cidr"),
				Rule: rulePodSubnet, Unit: "addresses"}
			for _, n := range needs {
				if n.podSubnet == s.Name {
					pod.Needed += n.nodes * PodSubnetBatch
					pod.Breakdown = append(pod.Breakdown, fmt.Sprintf("%s: %d nodes", n.name, n.nodes))
				}
			}
			out = append(out, addressCapacity(pod, *pfx))
		}
	}
	return out
}

// addressCapacity fills in a subnet's usable addresses and the suggestion.
func addressCapacity(c Capacity, p netip.Prefix) Capacity {
	c.Range = p.String()
	c.Available = UsableSubnetIPs(p)
	c.Suggest = bitsFor(c.Needed + AzureReservedPerSubnet)
	return c
}

// bitsFor is the longest prefix length that holds n addresses.
func bitsFor(n int64) int {
	bits := 32
	for bits > 0 && int64(1)<<(32-bits) < n {
		bits--
	}
	return bits
}
