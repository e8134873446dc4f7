package netpol

import (
	"fmt"

	"github.com/aks-cilium/aks-cilium/components/spec"
)

// The codes of the baseline policy config's rules (Config.Validate). They
// share spec's Code type, error form ("[POL001] ...") and *spec.InvalidError;
// the Kubernetes version rule is spec's own (spec.CodeKubernetesVersion).
// Lint's findings have their own codes (CIL001 ...): they describe policies,
// not an invalid config.
const (
	CodeConfigNamespaceName        spec.Code = "POL001"
	CodeConfigDuplicate            spec.Code = "POL002"
	CodeConfigNoNamespaces         spec.Code = "POL003"
	CodeConfigExemptTarget         spec.Code = "POL004"
	CodeConfigInternetExceptUnused spec.Code = "POL005"
	CodeConfigInternetExceptCIDR   spec.Code = "POL006"
	CodeConfigPeerIsTarget         spec.Code = "POL007"
	CodeConfigSelector             spec.Code = "POL008"
	CodeConfigPort                 spec.Code = "POL009"
	CodeConfigACNSSecurity         spec.Code = "POL010"
	CodeConfigACNSRequired         spec.Code = "POL011"
	CodeConfigACNSKubernetes       spec.Code = "POL012"
	CodeConfigRuleName             spec.Code = "POL013"
	CodeConfigNotATarget           spec.Code = "POL014"
	CodeConfigFQDN                 spec.Code = "POL015"
	CodeConfigHTTPShadowed         spec.Code = "POL016"
	CodeConfigHTTPRule             spec.Code = "POL017"
)

// maxDNSName is the longest DNS name (RFC 1035: 255 octets).
const maxDNSName = 255

// ConfigRules lists every rule of Config.Validate, for docs/rules.md.
var ConfigRules = []spec.Rule{
	{Code: CodeConfigNamespaceName, Fields: "namespaces[*], exemptNamespaces[*], *.namespace, httpIngress[*].fromNamespaces[*]", Summary: "a namespace name (a DNS-1123 label)", Source: "Kubernetes: namespace names are DNS-1123 labels (k8s.io/apimachinery validation.IsDNS1123Label)"},
	{Code: CodeConfigDuplicate, Fields: "namespaces, exemptNamespaces, *.ports, *.namespaces, fqdnEgress[*].name, httpIngress[*].name", Summary: "an entry listed twice (a copy-paste slip that would make two equal policies or hide a typo)", Source: "aks-cilium"},
	{Code: CodeConfigNoNamespaces, Fields: "namespaces", Summary: "at least one target namespace", Source: "aks-cilium: the baseline is written per target namespace"},
	{Code: CodeConfigExemptTarget, Fields: "namespaces[*]", Summary: "a target namespace is not also exempt (DefaultExemptNamespaces holds AKS's own: a default deny there breaks the cluster)", Source: "AKS: add-ons in kube-system and the other exempt namespaces (DefaultExemptNamespaces)"},
	{Code: CodeConfigInternetExceptUnused, Fields: "internetEgressExcept", Summary: "exceptions only with allow-internet-egress, which disableInternetEgress turns off", Source: "aks-cilium"},
	{Code: CodeConfigInternetExceptCIDR, Fields: "internetEgressExcept[*]", Summary: "an IPv4 CIDR in canonical form", Source: "Kubernetes NetworkPolicy ipBlock.except (networking.k8s.io/v1)"},
	{Code: CodeConfigPeerIsTarget, Fields: "ingressController.namespace, monitoring.namespace", Summary: "a peer namespace is not a target: its own default deny would block its traffic", Source: "Kubernetes NetworkPolicy semantics: a default deny applies to every pod of its namespace"},
	{Code: CodeConfigSelector, Fields: "*.podSelector", Summary: "pod selectors are Kubernetes labels", Source: "Kubernetes: label selector syntax (k8s.io/apimachinery metav1 validation.ValidateLabels)"},
	{Code: CodeConfigPort, Fields: "*.port, *.ports[*]", Summary: "a port from 1 to 65535", Source: "Kubernetes NetworkPolicyPort and Cilium PortProtocol: a 16-bit port"},
	{Code: CodeConfigACNSSecurity, Fields: "acns.security", Summary: "the ACNS security level is None, FQDN or L7, and a level other than None needs acns.enabled", Source: "AKS REST API, AdvancedNetworking: security is part of ACNS; spec.ACNSSecurityLevels"},
	{Code: CodeConfigACNSRequired, Fields: "fqdnEgress, httpIngress", Summary: "FQDN egress policies need ACNS with the security level FQDN or L7; L7 HTTP policies need the level L7 (FQDN does not enforce them)", Source: "AKS docs: ACNS container network security, FQDN filtering and L7 policies (learn.microsoft.com/azure/aks/container-network-security-concepts)"},
	{Code: CodeConfigACNSKubernetes, Fields: "fqdnEgress, httpIngress, kubernetesVersion", Summary: fmt.Sprintf("FQDN and L7 policies need Kubernetes %s or later (spec.FeatureGates)", MinACNSKubernetes), Source: "spec.FeatureGates; AKS docs: ACNS requirements"},
	{Code: CodeConfigRuleName, Fields: "fqdnEgress[*].name, httpIngress[*].name", Summary: "a rule name is a DNS-1123 label (it names the policy)", Source: "Kubernetes object names (k8s.io/apimachinery validation.IsDNS1123Label)"},
	{Code: CodeConfigNotATarget, Fields: "fqdnEgress[*].namespaces[*], httpIngress[*].namespaces[*]", Summary: "a rule's namespaces are target namespaces", Source: "aks-cilium: rules are written into the target namespaces"},
	{Code: CodeConfigFQDN, Fields: "fqdnEgress[*].matchNames[*], fqdnEgress[*].matchPatterns[*]", Summary: "DNS names and patterns as Cilium's CRD takes them, at least one, not the bare \"*\"", Source: "Cilium CRD toFQDNs matchName/matchPattern patterns (cilium/cilium pkg/policy/api/fqdn.go); AKS docs: ACNS FQDN filtering limitations"},
	{Code: CodeConfigHTTPShadowed, Fields: "httpIngress[*].fromNamespaces", Summary: "HTTP rules whose clients the baseline already allows on the port would restrict nothing (Cilium adds allow rules together)", Source: "Cilium: allow rules are additive (cilium/cilium#3509)"},
	{Code: CodeConfigHTTPRule, Fields: "httpIngress[*].rules", Summary: "at least one rule, each with a method or a path, both extended POSIX regular expressions, a path starting with '/'", Source: "Cilium PortRuleHTTP: method and path are extended POSIX regular expressions (docs.cilium.io, Layer 7 HTTP policy)"},
}
