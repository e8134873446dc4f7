package spec

import (
	"encoding/json"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"
)

// ModeKind names a pod IP assignment mode.
type ModeKind string

// The three pod IP assignment modes of Azure CNI powered by Cilium.
const (
	// KindOverlay: pods take IPs from a private pod CIDR, decoupled from the VNet.
	KindOverlay ModeKind = "overlay"
	// KindPodSubnet: pods take IPs from a dedicated VNet subnet (podSubnetID).
	KindPodSubnet ModeKind = "podSubnet"
	// KindNodeSubnet: pods share IPs from the node subnet.
	KindNodeSubnet ModeKind = "nodeSubnet"
)

// PodIPMode is the closed union of pod IP modes: Overlay, PodSubnet or
// NodeSubnet. No other type can implement it.
type PodIPMode interface {
	// Kind names the mode.
	Kind() ModeKind
	isPodIPMode()
}

// Overlay assigns pod IPs from PodCIDR; every node takes a /24 of it.
type Overlay struct {
	// PodCIDR is the private pod range, e.g. "192.168.0.0/16".
	PodCIDR string `json:"podCidr"`
}

// PodSubnet assigns pod IPs from dedicated VNet subnets, in batches of 16
// per node (dynamic IP allocation).
type PodSubnet struct {
	// Subnets are the pod subnets; pools choose one by name.
	Subnets []Subnet `json:"subnets"`
}

// NodeSubnet assigns pod IPs from the node subnet itself.
type NodeSubnet struct{}

// Kind implements PodIPMode.
func (Overlay) Kind() ModeKind { return KindOverlay }

// Kind implements PodIPMode.
func (PodSubnet) Kind() ModeKind { return KindPodSubnet }

// Kind implements PodIPMode.
func (NodeSubnet) Kind() ModeKind { return KindNodeSubnet }

func (Overlay) isPodIPMode()    {}
func (PodSubnet) isPodIPMode()  {}
func (NodeSubnet) isPodIPMode() {}

// modeJSON is the wire form of PodIPMode: exactly one key set.
type modeJSON struct {
	Overlay    *Overlay    `json:"overlay,omitempty"`
	PodSubnet  *PodSubnet  `json:"podSubnet,omitempty"`
	NodeSubnet *NodeSubnet `json:"nodeSubnet,omitempty"`
}

// MarshalJSON writes Mode as {"overlay": {...}} and friends.
func (n Network) MarshalJSON() ([]byte, error) {
	type plain Network
	var wire modeJSON
	switch m := n.Mode.(type) {
	case Overlay:
		wire.Overlay = &m
	case PodSubnet:
		wire.PodSubnet = &m
	case NodeSubnet:
		wire.NodeSubnet = &m
	}
	return json.Marshal(struct {
		plain
		Mode modeJSON `json:"mode"`
	}{plain(n), wire})
}

// UnmarshalJSON reads Mode from an object with exactly one of the keys
// overlay, podSubnet or nodeSubnet, as strictly as DecodeJSON: a problem is
// an *InvalidError with paths under "network" (the cluster's field).
func (n *Network) UnmarshalJSON(data []byte) error {
	root := field.NewPath("network")
	v, errs := decodeNetwork(data, root, duplicateKeys(data, root))
	if err := NewInvalidError(errs); err != nil {
		return err
	}
	*n = v
	return nil
}

// decodeNetwork decodes a network strictly, its problems (under root)
// appended to errs.
func decodeNetwork(data []byte, root *field.Path, errs field.ErrorList) (Network, field.ErrorList) {
	type plain Network
	var wire struct {
		plain
		Mode *modeJSON `json:"mode"`
	}
	if len(errs) > 0 && CodeOf(errs[0]) == CodeSyntax {
		return Network{}, errs
	}
	errs = append(errs, decodeInto(data, &wire, root)...)
	n := Network(wire.plain)
	n.Mode = nil
	if wire.Mode == nil {
		return n, errs // Validate reports the missing mode with the others.
	}
	var set []string
	if wire.Mode.Overlay != nil {
		set = append(set, string(KindOverlay))
		n.Mode = *wire.Mode.Overlay
	}
	if wire.Mode.PodSubnet != nil {
		set = append(set, string(KindPodSubnet))
		n.Mode = *wire.Mode.PodSubnet
	}
	if wire.Mode.NodeSubnet != nil {
		set = append(set, string(KindNodeSubnet))
		n.Mode = *wire.Mode.NodeSubnet
	}
	if len(set) > 1 {
		errs = append(errs, CodePodIPMode.Invalid(root.Child("mode"), strings.Join(set, " and "),
			"exactly one of overlay, podSubnet or nodeSubnet may be set (overlay cannot be combined with a pod subnet)"))
	}
	return n, errs
}
