package netpol

import (
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/aks-cilium/aks-cilium/components/spec"
)

// Config says which baseline policies Build writes and where. The zero
// value of every optional field is the safe default; call WithDefaults (Build
// does) to fill in the defaults before reading a Config.
type Config struct {
	// Namespaces receive the baseline: each is a DNS-1123 label, listed once,
	// and not exempt. Build sorts them.
	Namespaces []string `json:"namespaces"`
	// ExemptNamespaces never receive policies. nil means
	// DefaultExemptNamespaces; an empty, non-nil list exempts nothing.
	ExemptNamespaces []string `json:"exemptNamespaces,omitempty"`

	// DisableSameNamespace leaves out allow-same-namespace (pods of a
	// namespace may then not talk to each other unless another rule allows it).
	DisableSameNamespace bool `json:"disableSameNamespace,omitempty"`
	// DisableInternetEgress leaves out allow-internet-egress.
	DisableInternetEgress bool `json:"disableInternetEgress,omitempty"`
	// InternetEgressExcept are IPv4 ranges left out of allow-internet-egress
	// in addition to DefaultInternetExcept, e.g. peered or on-premises ranges
	// and a pod CIDR outside RFC 1918. Canonical CIDRs ("100.64.0.0/10").
	InternetEgressExcept []string `json:"internetEgressExcept,omitempty"`

	// AllowEgressToExternal adds the AKS guide's example policy
	// allow-egress-to-external exactly as the guide writes it: egress to
	// ipBlock 0.0.0.0/0 with no exceptions. Under Cilium it matches no pod or
	// node (the guide's own warning; Lint reports it as CIL001/CIL005).
	AllowEgressToExternal bool `json:"allowEgressToExternal,omitempty"`
	// AllowAllPods adds the AKS guide's example policy allow-all-pods:
	// egress to every pod in every namespace.
	AllowAllPods bool `json:"allowAllPods,omitempty"`

	// IngressController, when set, allows ingress from an ingress
	// controller's namespace.
	IngressController *IngressControllerAllowance `json:"ingressController,omitempty"`
	// Monitoring, when set, allows a monitoring namespace to scrape a
	// metrics port.
	Monitoring *MonitoringAllowance `json:"monitoring,omitempty"`

	// ACNS says whether Advanced Container Networking Services is on in the
	// cluster and at which security level: FQDNEgress needs FQDN or L7,
	// HTTPIngress needs L7.
	ACNS ACNS `json:"acns,omitempty"`
	// KubernetesVersion of the cluster ("1.32" or "1.32.4"); required with
	// FQDNEgress or HTTPIngress, which need 1.29 or later.
	KubernetesVersion string `json:"kubernetesVersion,omitempty"`
	// AllowNewerKubernetes accepts a KubernetesVersion newer than the
	// spec package's version table.
	AllowNewerKubernetes bool `json:"allowNewerKubernetes,omitempty"`
	// FQDNEgress are CiliumNetworkPolicies that allow egress to DNS names.
	FQDNEgress []FQDNEgress `json:"fqdnEgress,omitempty"`
	// HTTPIngress are CiliumNetworkPolicies that allow HTTP requests by
	// method and path on a port.
	HTTPIngress []HTTPIngress `json:"httpIngress,omitempty"`
}

// ACNS mirrors the cluster's Advanced Container Networking Services switches.
type ACNS struct {
	// Enabled is networkProfile.advancedNetworking.enabled.
	Enabled bool `json:"enabled,omitempty"`
	// Security is the security level (spec.ACNSSecurity): FQDN is
	// advancedNetworking.security.enabled, L7 also
	// security.advancedNetworkPolicies L7 (API 2025-08-01 and later).
	// Empty means None.
	Security spec.ACNSSecurity `json:"security,omitempty"`
}

// IngressControllerAllowance allows ingress into every pod of the target
// namespaces from an ingress controller.
type IngressControllerAllowance struct {
	// Namespace of the controller. It may not be a target namespace: the
	// baseline would deny the controller's own traffic. Exempt it instead.
	Namespace string `json:"namespace"`
	// PodSelector narrows the peer to the controller's pods; empty means
	// every pod of Namespace.
	PodSelector map[string]string `json:"podSelector,omitempty"`
	// Ports are the backend pods' container ports (the Services'
	// targetPorts, not their ports). Empty allows every port.
	Ports []int32 `json:"ports,omitempty"`
}

// MonitoringAllowance allows a monitoring namespace (for AKS managed
// Prometheus, whose ama-metrics pods run in kube-system) to scrape a port.
type MonitoringAllowance struct {
	// Namespace of the scraper; it may not be a target namespace.
	Namespace string `json:"namespace"`
	// PodSelector narrows the peer to the scraper's pods.
	PodSelector map[string]string `json:"podSelector,omitempty"`
	// Port is the metrics container port (TCP).
	Port int32 `json:"port"`
}

// FQDNEgress allows pods egress to DNS names (a CiliumNetworkPolicy with
// toFQDNs and the DNS rule to kube-dns that FQDN policies need).
type FQDNEgress struct {
	// Name is a DNS-1123 label; the policy is named "fqdn-<name>".
	Name string `json:"name"`
	// Namespaces are target namespaces that get the policy; empty means all.
	Namespaces []string `json:"namespaces,omitempty"`
	// PodSelector selects the pods allowed out; empty means all.
	PodSelector map[string]string `json:"podSelector,omitempty"`
	// MatchNames are exact DNS names, e.g. "login.microsoftonline.com".
	MatchNames []string `json:"matchNames,omitempty"`
	// MatchPatterns are DNS names with "*", e.g. "*.blob.core.windows.net".
	// A bare "*" (every name) is refused.
	MatchPatterns []string `json:"matchPatterns,omitempty"`
	// Ports are TCP ports; default DefaultFQDNPorts (443).
	Ports []int32 `json:"ports,omitempty"`
}

// HTTPIngress allows HTTP requests into pods on a port, by method and
// path (a CiliumNetworkPolicy with rules.http). Cilium adds allow rules
// together: where another rule already allows the same peers on the port at
// L3/L4, the HTTP rules restrict nothing, so Validate refuses sources that
// the baseline allows already.
type HTTPIngress struct {
	// Name is a DNS-1123 label; the policy is named "l7-http-<name>".
	Name string `json:"name"`
	// Namespaces are target namespaces that get the policy; empty means all.
	Namespaces []string `json:"namespaces,omitempty"`
	// PodSelector selects the server pods; empty means all.
	PodSelector map[string]string `json:"podSelector,omitempty"`
	// Port is the servers' container port (TCP).
	Port int32 `json:"port"`
	// FromNamespaces are the clients' namespaces; empty means the server's
	// own namespace. Client namespaces that are targets also get an egress
	// policy so their default deny lets the requests out.
	FromNamespaces []string `json:"fromNamespaces,omitempty"`
	// Rules allow a request that matches any of them.
	Rules []HTTPRule `json:"rules"`
}

// HTTPRule matches requests; Method and Path are regular expressions
// (extended POSIX, as Cilium's proxy reads them) and at least one is set.
type HTTPRule struct {
	// Method, e.g. "GET" or "GET|HEAD".
	Method string `json:"method,omitempty"`
	// Path, e.g. "/api/v1/.*"; it starts with "/".
	Path string `json:"path,omitempty"`
}

// DefaultExemptNamespaces are the namespaces that never receive the
// baseline unless Config.ExemptNamespaces says otherwise:
//   - kube-system: AKS-managed add-ons (CoreDNS, Cilium, konnectivity,
//     ama-metrics); a default deny there breaks the cluster;
//   - kube-public, kube-node-lease: Kubernetes' own, no workloads;
//   - gatekeeper-system: the Azure Policy add-on's webhook, called by the
//     API server;
//   - app-routing-system: the AKS application routing add-on's ingress
//     controller, which must take LoadBalancer traffic;
//   - aks-command: pods of `az aks command invoke`.
var DefaultExemptNamespaces = []string{
	"kube-system", "kube-public", "kube-node-lease",
	"gatekeeper-system", "app-routing-system", "aks-command",
}

// DefaultInternetExcept are the ranges allow-internet-egress leaves out:
// the RFC 1918 private ranges (the VNet, peered networks, pods, services)
// and the Azure instance metadata endpoint.
var DefaultInternetExcept = []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.169.254/32"}

// DefaultFQDNPorts are the ports of FQDNEgress when it lists none.
var DefaultFQDNPorts = []int32{443}

// MinACNSKubernetes is the first Kubernetes minor with ACNS FQDN and L7
// policies, from the spec package's feature gates (spec.FeatureGates).
var MinACNSKubernetes = spec.MinKubernetesFor(spec.FeatureACNSFQDNFiltering)

// WithDefaults returns a copy of c with defaults filled in: the exempt
// namespaces and the FQDN ports. It never overrides a value that is set.
func (c Config) WithDefaults() Config {
	out := c
	out.Namespaces = slices.Clone(c.Namespaces)
	if c.ExemptNamespaces == nil {
		out.ExemptNamespaces = slices.Clone(DefaultExemptNamespaces)
	} else {
		out.ExemptNamespaces = slices.Clone(c.ExemptNamespaces)
	}
	out.FQDNEgress = slices.Clone(c.FQDNEgress)
	for i := range out.FQDNEgress {
		if len(out.FQDNEgress[i].Ports) == 0 {
			out.FQDNEgress[i].Ports = slices.Clone(DefaultFQDNPorts)
		}
	}
	return out
}

// Check applies WithDefaults, then Validate with paths under root (nil:
// the config itself; "policies" where it is a stack's aks-cilium:policies):
// it returns the defaulted config, or a *spec.InvalidError with every
// problem and its rule code (ConfigRules).
func (c Config) Check(root *field.Path) (Config, error) {
	c = c.WithDefaults()
	if err := spec.NewInvalidError(c.Validate(root)); err != nil {
		return Config{}, err
	}
	return c, nil
}

// The Cilium CRD's patterns for toFQDNs and rules.dns names.
var (
	fqdnMatchName    = regexp.MustCompile(`^([-a-zA-Z0-9_]+[.]?)+$`)
	fqdnMatchPattern = regexp.MustCompile(`^([-a-zA-Z0-9_*]+[.]?)+$`)
)

// Validate returns every problem of a defaulted Config at once, each with
// its field path under root (nil: the config itself), the offending value,
// what would be valid and its rule code (ConfigRules).
func (c Config) Validate(root *field.Path) field.ErrorList {
	var errs field.ErrorList
	exempt := map[string]int{}
	for i, ns := range c.ExemptNamespaces {
		p := root.Child("exemptNamespaces").Index(i)
		errs = append(errs, validateNamespaceName(p, ns)...)
		if _, dup := exempt[ns]; dup {
			errs = append(errs, CodeConfigDuplicate.Duplicate(p, ns, "listed twice"))
			continue
		}
		exempt[ns] = i
	}

	targets := map[string]bool{}
	if len(c.Namespaces) == 0 {
		errs = append(errs, CodeConfigNoNamespaces.Required(root.Child("namespaces"), "list at least one namespace to receive the baseline"))
	}
	for i, ns := range c.Namespaces {
		p := root.Child("namespaces").Index(i)
		errs = append(errs, validateNamespaceName(p, ns)...)
		if targets[ns] {
			errs = append(errs, CodeConfigDuplicate.Duplicate(p, ns, "listed twice"))
			continue
		}
		targets[ns] = true
		if j, ok := exempt[ns]; ok {
			errs = append(errs, CodeConfigExemptTarget.Invalid(p, ns, fmt.Sprintf(
				"namespace is exempt (exemptNamespaces[%d]); remove it from namespaces or from exemptNamespaces", j)))
		}
	}

	for i, cidr := range c.InternetEgressExcept {
		p := root.Child("internetEgressExcept").Index(i)
		if c.DisableInternetEgress {
			errs = append(errs, CodeConfigInternetExceptUnused.Forbidden(p, "only used by allow-internet-egress, which disableInternetEgress turns off"))
			continue
		}
		errs = append(errs, validateIPv4CIDR(p, cidr)...)
	}

	if ic := c.IngressController; ic != nil {
		p := root.Child("ingressController")
		errs = append(errs, validatePeerNamespace(p.Child("namespace"), ic.Namespace, targets)...)
		errs = append(errs, CodeConfigSelector.Tag(metav1validation.ValidateLabels(ic.PodSelector, p.Child("podSelector")))...)
		errs = append(errs, validatePorts(p.Child("ports"), ic.Ports)...)
	}
	if m := c.Monitoring; m != nil {
		p := root.Child("monitoring")
		errs = append(errs, validatePeerNamespace(p.Child("namespace"), m.Namespace, targets)...)
		errs = append(errs, CodeConfigSelector.Tag(metav1validation.ValidateLabels(m.PodSelector, p.Child("podSelector")))...)
		errs = append(errs, validatePort(p.Child("port"), m.Port)...)
	}

	errs = append(errs, c.validateACNS(root)...)

	names := map[string]bool{}
	for i, f := range c.FQDNEgress {
		p := root.Child("fqdnEgress").Index(i)
		errs = append(errs, validateRuleName(p.Child("name"), f.Name, names)...)
		errs = append(errs, validateSubset(p.Child("namespaces"), f.Namespaces, targets)...)
		errs = append(errs, CodeConfigSelector.Tag(metav1validation.ValidateLabels(f.PodSelector, p.Child("podSelector")))...)
		if len(f.MatchNames)+len(f.MatchPatterns) == 0 {
			errs = append(errs, CodeConfigFQDN.Required(p.Child("matchNames"), "list at least one DNS name in matchNames or matchPatterns"))
		}
		for j, n := range f.MatchNames {
			errs = append(errs, validateFQDN(p.Child("matchNames").Index(j), n, fqdnMatchName, "a DNS name such as \"login.microsoftonline.com\"")...)
		}
		for j, n := range f.MatchPatterns {
			jp := p.Child("matchPatterns").Index(j)
			if strings.Trim(n, "*.") == "" && n != "" {
				errs = append(errs, CodeConfigFQDN.Invalid(jp, n, "a bare \"*\" pattern allows every DNS name; name the domains, e.g. \"*.blob.core.windows.net\""))
				continue
			}
			errs = append(errs, validateFQDN(jp, n, fqdnMatchPattern, "a DNS name with \"*\" wildcards such as \"*.blob.core.windows.net\"")...)
		}
		errs = append(errs, validatePorts(p.Child("ports"), f.Ports)...)
	}

	names = map[string]bool{}
	for i, h := range c.HTTPIngress {
		p := root.Child("httpIngress").Index(i)
		errs = append(errs, validateRuleName(p.Child("name"), h.Name, names)...)
		errs = append(errs, validateSubset(p.Child("namespaces"), h.Namespaces, targets)...)
		errs = append(errs, CodeConfigSelector.Tag(metav1validation.ValidateLabels(h.PodSelector, p.Child("podSelector")))...)
		errs = append(errs, validatePort(p.Child("port"), h.Port)...)
		seen := map[string]bool{}
		for j, ns := range h.FromNamespaces {
			jp := p.Child("fromNamespaces").Index(j)
			errs = append(errs, validateNamespaceName(jp, ns)...)
			if seen[ns] {
				errs = append(errs, CodeConfigDuplicate.Duplicate(jp, ns, "listed twice"))
			}
			seen[ns] = true
		}
		errs = append(errs, c.validateHTTPShadowing(p, h, targets)...)
		if len(h.Rules) == 0 {
			errs = append(errs, CodeConfigHTTPRule.Required(p.Child("rules"), "list at least one rule with a method or a path"))
		}
		for j, r := range h.Rules {
			errs = append(errs, validateHTTPRule(p.Child("rules").Index(j), r)...)
		}
	}
	return errs
}

// validateACNS checks the ACNS switches and the Kubernetes version when
// Cilium L7 or FQDN policies are asked for: FQDN egress needs the security
// level FQDN or L7, L7 HTTP rules need L7 (ACNS's FQDN level does not
// enforce them).
func (c Config) validateACNS(root *field.Path) field.ErrorList {
	var errs field.ErrorList
	level := c.ACNS.Security.Level()
	if !slices.Contains(spec.ACNSSecurityLevels, level) {
		errs = append(errs, CodeConfigACNSSecurity.NotSupported(root.Child("acns", "security"), string(level), levelNames()))
	}
	if level.FQDN() && !c.ACNS.Enabled {
		errs = append(errs, CodeConfigACNSSecurity.Invalid(root.Child("acns", "security"), string(level), "ACNS security needs acns.enabled: true"))
	}
	if !c.ACNS.Enabled {
		level = spec.ACNSSecurityNone
	}
	type use struct {
		path    *field.Path
		what    string
		feature spec.Feature
		ok      bool
		need    string
	}
	var uses []use
	if len(c.FQDNEgress) > 0 {
		uses = append(uses, use{root.Child("fqdnEgress"), "FQDN egress policies", spec.FeatureACNSFQDNFiltering, level.FQDN(), "FQDN or L7"})
	}
	if len(c.HTTPIngress) > 0 {
		uses = append(uses, use{root.Child("httpIngress"), "L7 HTTP policies", spec.FeatureACNSL7Policies, level.L7(), "L7"})
	}
	if len(uses) == 0 {
		if c.KubernetesVersion != "" {
			if _, err := spec.LookupKubernetes(c.KubernetesVersion, c.AllowNewerKubernetes); err != nil {
				errs = append(errs, spec.CodeKubernetesVersion.Invalid(root.Child("kubernetesVersion"), c.KubernetesVersion, err.Error()))
			}
		}
		return errs
	}
	for _, u := range uses {
		if !u.ok {
			errs = append(errs, CodeConfigACNSRequired.Forbidden(u.path, fmt.Sprintf(
				"%s need Advanced Container Networking Services with security level %s; the cluster has acns.enabled: %t, acns.security: %s",
				u.what, u.need, c.ACNS.Enabled, level)))
		}
	}
	vp := root.Child("kubernetesVersion")
	if c.KubernetesVersion == "" {
		return append(errs, CodeConfigACNSKubernetes.Required(vp, fmt.Sprintf("%s need Kubernetes %s or later: give the cluster's version, e.g. \"1.32\"", uses[0].what, MinACNSKubernetes)))
	}
	k, err := spec.LookupKubernetes(c.KubernetesVersion, c.AllowNewerKubernetes)
	if err != nil {
		return append(errs, spec.CodeKubernetesVersion.Invalid(vp, c.KubernetesVersion, err.Error()))
	}
	for _, u := range uses {
		if !k.Available(u.feature) {
			errs = append(errs, CodeConfigACNSKubernetes.Forbidden(u.path, fmt.Sprintf(
				"%s need Kubernetes %s or later; kubernetesVersion is %s", u.what, MinACNSKubernetes, c.KubernetesVersion)))
		}
	}
	return errs
}

// validateHTTPShadowing refuses HTTP rules whose clients the baseline
// already allows at L3/L4 on the same port: Cilium would then let every
// request through (allow rules are additive; cilium/cilium#3509).
func (c Config) validateHTTPShadowing(p *field.Path, h HTTPIngress, targets map[string]bool) field.ErrorList {
	var errs field.ErrorList
	servers := h.Namespaces
	if len(servers) == 0 {
		servers = c.Namespaces
	}
	check := func(path *field.Path, value any, from string, sameNamespace bool) {
		switch {
		case sameNamespace && !c.DisableSameNamespace:
			errs = append(errs, CodeConfigHTTPShadowed.Invalid(path, value, "allow-same-namespace already allows every port from the server's own namespace, "+
				"and Cilium adds allow rules together, so these HTTP rules would restrict nothing; set disableSameNamespace: true or list other fromNamespaces"))
		case c.IngressController != nil && from == c.IngressController.Namespace && portListed(c.IngressController.Ports, h.Port):
			errs = append(errs, CodeConfigHTTPShadowed.Invalid(path, value, fmt.Sprintf("allow-ingress-controller already allows port %d from this namespace, "+
				"so these HTTP rules would restrict nothing; leave the port out of ingressController.ports or the namespace out of fromNamespaces", h.Port)))
		case c.Monitoring != nil && from == c.Monitoring.Namespace && c.Monitoring.Port == h.Port:
			errs = append(errs, CodeConfigHTTPShadowed.Invalid(path, value, fmt.Sprintf("allow-monitoring already allows port %d from this namespace, "+
				"so these HTTP rules would restrict nothing; use another port or leave the namespace out of fromNamespaces", h.Port)))
		}
	}
	if len(h.FromNamespaces) == 0 {
		check(p.Child("fromNamespaces"), "(empty: the server's own namespace)", "", true)
		return errs
	}
	for j, from := range h.FromNamespaces {
		check(p.Child("fromNamespaces").Index(j), from, from, slices.Contains(servers, from))
	}
	return errs
}

// portListed reports whether port is allowed by a port list, where an empty
// list allows every port.
func portListed(ports []int32, port int32) bool {
	return len(ports) == 0 || slices.Contains(ports, port)
}

func validateNamespaceName(p *field.Path, ns string) field.ErrorList {
	if ns == "" {
		return field.ErrorList{CodeConfigNamespaceName.Required(p, "a namespace name (DNS-1123 label)")}
	}
	var errs field.ErrorList
	for _, msg := range validation.IsDNS1123Label(ns) {
		errs = append(errs, CodeConfigNamespaceName.Invalid(p, ns, msg))
	}
	return errs
}

// validatePeerNamespace checks the namespace of a peer that talks to the
// targets: it must exist and must not be a target itself.
func validatePeerNamespace(p *field.Path, ns string, targets map[string]bool) field.ErrorList {
	errs := validateNamespaceName(p, ns)
	if targets[ns] {
		errs = append(errs, CodeConfigPeerIsTarget.Invalid(p, ns, "is also a target namespace: its default deny would block its own traffic; "+
			"remove it from namespaces (and exempt it)"))
	}
	return errs
}

func validateRuleName(p *field.Path, name string, seen map[string]bool) field.ErrorList {
	if name == "" {
		return field.ErrorList{CodeConfigRuleName.Required(p, "a DNS-1123 label, e.g. \"storage\"")}
	}
	var errs field.ErrorList
	for _, msg := range validation.IsDNS1123Label(name) {
		errs = append(errs, CodeConfigRuleName.Invalid(p, name, msg))
	}
	if seen[name] {
		errs = append(errs, CodeConfigDuplicate.Duplicate(p, name, "each name once"))
	}
	seen[name] = true
	return errs
}

func validateSubset(p *field.Path, list []string, targets map[string]bool) field.ErrorList {
	var errs field.ErrorList
	seen := map[string]bool{}
	for j, ns := range list {
		jp := p.Index(j)
		if !targets[ns] {
			errs = append(errs, CodeConfigNotATarget.Invalid(jp, ns, fmt.Sprintf("not a target namespace; want one of %s", sortedKeys(targets))))
			continue
		}
		if seen[ns] {
			errs = append(errs, CodeConfigDuplicate.Duplicate(jp, ns, "listed twice"))
		}
		seen[ns] = true
	}
	return errs
}

func sortedKeys(m map[string]bool) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return "[" + strings.Join(keys, ", ") + "]"
}

func validatePorts(p *field.Path, ports []int32) field.ErrorList {
	var errs field.ErrorList
	seen := map[int32]bool{}
	for i, port := range ports {
		errs = append(errs, validatePort(p.Index(i), port)...)
		if seen[port] {
			errs = append(errs, CodeConfigDuplicate.Duplicate(p.Index(i), port, "listed twice"))
		}
		seen[port] = true
	}
	return errs
}

func validatePort(p *field.Path, port int32) field.ErrorList {
	if port == 0 {
		return field.ErrorList{CodeConfigPort.Required(p, "a port number between 1 and 65535")}
	}
	if port < 1 || port > 65535 {
		return field.ErrorList{CodeConfigPort.Invalid(p, port, "must be between 1 and 65535")}
	}
	return nil
}

func validateIPv4CIDR(p *field.Path, cidr string) field.ErrorList {
	pfx, err := netip.ParsePrefix(cidr)
	switch {
	case err != nil:
		return field.ErrorList{CodeConfigInternetExceptCIDR.Invalid(p, cidr, "not a CIDR: want an IPv4 range such as \"100.64.0.0/10\"")}
	case !pfx.Addr().Is4():
		return field.ErrorList{CodeConfigInternetExceptCIDR.Invalid(p, cidr, "must be an IPv4 range: allow-internet-egress covers 0.0.0.0/0")}
	case pfx.Masked() != pfx:
		return field.ErrorList{CodeConfigInternetExceptCIDR.Invalid(p, cidr, fmt.Sprintf("not in canonical form: want %q", pfx.Masked().String()))}
	}
	return nil
}

func validateFQDN(p *field.Path, name string, re *regexp.Regexp, want string) field.ErrorList {
	switch {
	case name == "":
		return field.ErrorList{CodeConfigFQDN.Required(p, want)}
	case len(name) > maxDNSName:
		return field.ErrorList{CodeConfigFQDN.TooLong(p, name, maxDNSName, fmt.Sprintf("a DNS name is at most %d characters", maxDNSName))}
	case !re.MatchString(name):
		return field.ErrorList{CodeConfigFQDN.Invalid(p, name, "want "+want+" (letters, digits, '-', '_' and '.')")}
	}
	return nil
}

func validateHTTPRule(p *field.Path, r HTTPRule) field.ErrorList {
	var errs field.ErrorList
	if r.Method == "" && r.Path == "" {
		return field.ErrorList{CodeConfigHTTPRule.Required(p, "a method or a path: an empty rule allows every request")}
	}
	if r.Method != "" {
		if _, err := regexp.CompilePOSIX(r.Method); err != nil {
			errs = append(errs, CodeConfigHTTPRule.Invalid(p.Child("method"), r.Method, "not a regular expression: "+err.Error()))
		}
	}
	if r.Path != "" {
		if !strings.HasPrefix(r.Path, "/") {
			errs = append(errs, CodeConfigHTTPRule.Invalid(p.Child("path"), r.Path, "must start with \"/\", e.g. \"/api/.*\""))
		} else if _, err := regexp.CompilePOSIX(r.Path); err != nil {
			errs = append(errs, CodeConfigHTTPRule.Invalid(p.Child("path"), r.Path, "not a regular expression: "+err.Error()))
		}
	}
	return errs
}

// levelNames are the ACNS security levels as strings, for an error.
func levelNames() []string {
	out := make([]string, len(spec.ACNSSecurityLevels))
	for i, l := range spec.ACNSSecurityLevels {
		out[i] = string(l)
	}
	return out
}
