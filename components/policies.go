package components

import (
	"fmt"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	k8scorev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	k8smetav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	k8snetv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/aks-cilium/aks-cilium/components/netpol"
)

// BaselinePoliciesType is the Pulumi type token of BaselinePolicies.
const BaselinePoliciesType = "aks-cilium:kubernetes:BaselinePolicies"

// BaselinePoliciesArgs are the inputs of NewBaselinePolicies.
type BaselinePoliciesArgs struct {
	// Config says which policies go where (netpol.Build builds them).
	Config netpol.Config
	// CreateNamespaces creates the target namespaces with the policies;
	// otherwise they must exist already.
	CreateNamespaces bool
	// DependsOn are resources every object waits for, typically the
	// Cluster's ManagedCluster.
	DependsOn []pulumi.Resource
}

// BaselinePolicies applies the baseline network policies of netpol.Build
// to a cluster: NetworkPolicies as typed pulumi-kubernetes resources, and
// CiliumNetworkPolicies (ACNS FQDN and L7 rules) as custom resources. Give
// it the cluster's Kubernetes provider with pulumi.Providers(cluster.Provider)
// (children inherit it) and the cluster in Args.DependsOn.
type BaselinePolicies struct {
	pulumi.ResourceState

	// Applied names every object applied, "<namespace>/<Kind>/<name>", in
	// the builder's stable order.
	Applied pulumi.StringArrayOutput `pulumi:"applied"`
	// Namespaces are the namespaces that received the baseline.
	Namespaces pulumi.StringArrayOutput `pulumi:"namespaces"`

	// NetworkPolicies and CiliumPolicies are the resources, keyed like Applied.
	NetworkPolicies map[string]*k8snetv1.NetworkPolicy
	CiliumPolicies  map[string]*apiextensions.CustomResource
}

// NewBaselinePolicies builds the baseline and, only if the config is valid,
// registers the component and its objects. An invalid config returns a
// *spec.InvalidError (every problem with its field path and rule code) and
// registers nothing.
func NewBaselinePolicies(ctx *pulumi.Context, name string, args BaselinePoliciesArgs, opts ...pulumi.ResourceOption) (*BaselinePolicies, error) {
	baseline, err := netpol.Build(args.Config)
	if err != nil {
		return nil, fmt.Errorf("aks-cilium: %s: nothing was deployed: %w", name, err)
	}
	bp := &BaselinePolicies{
		NetworkPolicies: map[string]*k8snetv1.NetworkPolicy{},
		CiliumPolicies:  map[string]*apiextensions.CustomResource{},
	}
	if err := ctx.RegisterComponentResourceV2(BaselinePoliciesType, name, pulumi.Map{
		"namespaces": pulumi.ToStringArray(baseline.Namespaces),
	}, bp, opts...); err != nil {
		return nil, err
	}

	deps := args.DependsOn
	if args.CreateNamespaces {
		for _, ns := range baseline.Namespaces {
			n, err := k8scorev1.NewNamespace(ctx, childName(name, "ns-"+ns), &k8scorev1.NamespaceArgs{
				Metadata: k8smetav1.ObjectMetaArgs{
					Name:   pulumi.String(ns),
					Labels: pulumi.StringMap{netpol.LabelManagedBy: pulumi.String(netpol.ManagedByValue)},
				},
			}, pulumi.Parent(bp), pulumi.DependsOn(args.DependsOn))
			if err != nil {
				return nil, err
			}
			deps = append(deps, n)
		}
	}
	childOpts := []pulumi.ResourceOption{pulumi.Parent(bp), pulumi.DependsOn(deps)}

	var applied []string
	for _, np := range baseline.NetworkPolicies {
		key := fmt.Sprintf("%s/NetworkPolicy/%s", np.Namespace, np.Name)
		res, err := k8snetv1.NewNetworkPolicy(ctx, childName(name, np.Namespace+"-"+np.Name), networkPolicyArgs(np), childOpts...)
		if err != nil {
			return nil, err
		}
		bp.NetworkPolicies[key] = res
		applied = append(applied, key)
	}
	for _, cnp := range baseline.CiliumPolicies {
		key := fmt.Sprintf("%s/%s/%s", cnp.Metadata.Namespace, netpol.CiliumPolicyKind, cnp.Metadata.Name)
		obj, err := cnp.ToUnstructured()
		if err != nil {
			return nil, fmt.Errorf("aks-cilium: %s: %s: %w", name, key, err)
		}
		res, err := apiextensions.NewCustomResource(ctx, childName(name, cnp.Metadata.Namespace+"-"+cnp.Metadata.Name), &apiextensions.CustomResourceArgs{
			ApiVersion: pulumi.String(netpol.CiliumAPIVersion),
			Kind:       pulumi.String(netpol.CiliumPolicyKind),
			Metadata:   objectMeta(cnp.Metadata),
			OtherFields: map[string]any{
				"spec": obj.Object["spec"],
			},
		}, childOpts...)
		if err != nil {
			return nil, err
		}
		bp.CiliumPolicies[key] = res
		applied = append(applied, key)
	}

	bp.Applied = pulumi.ToStringArray(applied).ToStringArrayOutput()
	bp.Namespaces = pulumi.ToStringArray(baseline.Namespaces).ToStringArrayOutput()
	if err := ctx.RegisterResourceOutputs(bp, pulumi.Map{
		"applied":    bp.Applied,
		"namespaces": bp.Namespaces,
	}); err != nil {
		return nil, err
	}
	return bp, nil
}

// networkPolicyArgs converts a k8s.io/api NetworkPolicy into the typed
// pulumi-kubernetes arguments, field for field (the two type families do
// not convert into each other).
func networkPolicyArgs(np networkingv1.NetworkPolicy) *k8snetv1.NetworkPolicyArgs {
	spec := k8snetv1.NetworkPolicySpecArgs{
		PodSelector: labelSelector(np.Spec.PodSelector),
	}
	var types pulumi.StringArray
	for _, t := range np.Spec.PolicyTypes {
		types = append(types, pulumi.String(t))
	}
	spec.PolicyTypes = types
	if len(np.Spec.Ingress) > 0 {
		var rules k8snetv1.NetworkPolicyIngressRuleArray
		for _, r := range np.Spec.Ingress {
			rules = append(rules, k8snetv1.NetworkPolicyIngressRuleArgs{From: peers(r.From), Ports: ports(r.Ports)})
		}
		spec.Ingress = rules
	}
	if len(np.Spec.Egress) > 0 {
		var rules k8snetv1.NetworkPolicyEgressRuleArray
		for _, r := range np.Spec.Egress {
			rules = append(rules, k8snetv1.NetworkPolicyEgressRuleArgs{To: peers(r.To), Ports: ports(r.Ports)})
		}
		spec.Egress = rules
	}
	return &k8snetv1.NetworkPolicyArgs{Metadata: objectMeta(np.ObjectMeta), Spec: spec}
}

func objectMeta(m metav1.ObjectMeta) k8smetav1.ObjectMetaArgs {
	return k8smetav1.ObjectMetaArgs{
		Name:        pulumi.String(m.Name),
		Namespace:   pulumi.String(m.Namespace),
		Labels:      pulumi.ToStringMap(m.Labels),
		Annotations: pulumi.ToStringMap(m.Annotations),
	}
}

func labelSelector(s metav1.LabelSelector) k8smetav1.LabelSelectorArgs {
	out := k8smetav1.LabelSelectorArgs{}
	if len(s.MatchLabels) > 0 {
		out.MatchLabels = pulumi.ToStringMap(s.MatchLabels)
	}
	if len(s.MatchExpressions) > 0 {
		var exprs k8smetav1.LabelSelectorRequirementArray
		for _, e := range s.MatchExpressions {
			exprs = append(exprs, k8smetav1.LabelSelectorRequirementArgs{
				Key: pulumi.String(e.Key), Operator: pulumi.String(string(e.Operator)), Values: pulumi.ToStringArray(e.Values),
			})
		}
		out.MatchExpressions = exprs
	}
	return out
}

func optionalSelector(s *metav1.LabelSelector) k8smetav1.LabelSelectorPtrInput {
	if s == nil {
		return nil
	}
	return labelSelector(*s)
}

func peers(in []networkingv1.NetworkPolicyPeer) k8snetv1.NetworkPolicyPeerArray {
	var out k8snetv1.NetworkPolicyPeerArray
	for _, p := range in {
		peer := k8snetv1.NetworkPolicyPeerArgs{
			PodSelector:       optionalSelector(p.PodSelector),
			NamespaceSelector: optionalSelector(p.NamespaceSelector),
		}
		if p.IPBlock != nil {
			peer.IpBlock = k8snetv1.IPBlockArgs{Cidr: pulumi.String(p.IPBlock.CIDR), Except: pulumi.ToStringArray(p.IPBlock.Except)}
		}
		out = append(out, peer)
	}
	return out
}

func ports(in []networkingv1.NetworkPolicyPort) k8snetv1.NetworkPolicyPortArray {
	var out k8snetv1.NetworkPolicyPortArray
	for _, p := range in {
		port := k8snetv1.NetworkPolicyPortArgs{}
		if p.Protocol != nil {
			port.Protocol = pulumi.String(string(*p.Protocol))
		}
		if p.Port != nil {
			if p.Port.Type == intstr.String {
				port.Port = pulumi.String(p.Port.StrVal)
			} else {
				port.Port = pulumi.Int(int(p.Port.IntVal))
			}
		}
		if p.EndPort != nil {
			port.EndPort = pulumi.Int(int(*p.EndPort))
		}
		out = append(out, port)
	}
	return out
}
