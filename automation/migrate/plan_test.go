package migrate

import (
	"github.com/aks-cilium/aks-cilium/components/spec"

	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	acs "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v8"
	"github.com/aks-cilium/aks-cilium/components/netpol"
	"github.com/stretchr/testify/require"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	netv1client "k8s.io/client-go/kubernetes/typed/networking/v1"
)

func codes(is []Issue) []string {
	var out []string
	for _, i := range is {
		out = append(out, i.Code)
	}
	return out
}

func issue(t *testing.T, is []Issue, code string) Issue {
	t.Helper()
	for _, i := range is {
		if i.Code == code {
			return i
		}
	}
	t.Fatalf("no issue %s in %v", code, codes(is))
	return Issue{}
}

func TestPlanOverlayNPMIsReady(t *testing.T) {
	h := newHarness(t, overlayCluster(), linuxPools())
	p := h.plan(PlanOptions{NetworkPolicies: []networkingv1.NetworkPolicy{}, SubnetCIDRs: map[string][]string{nodeSubnet: {"10.10.0.0/22"}}})

	require.Empty(t, p.Blockers)
	require.False(t, p.NoOp)
	require.Equal(t, Change{Dataplane: "cilium"}, p.Change, "the zero change is the Cilium data plane")
	require.Equal(t, IPModeOverlay, p.IPMode)
	require.Equal(t, NetworkState{Plugin: "azure", PluginMode: "overlay", Policy: "azure", Dataplane: "azure", PodCIDR: "192.168.0.0/16"}, p.Current)
	require.Equal(t, "cilium", p.Target.Dataplane)
	require.Equal(t, "cilium", p.Target.Policy)
	require.Equal(t, "1.32.4", p.KubernetesVersion)
	require.Equal(t, "1.17.9", p.MinCiliumVersion)
	require.Len(t, p.Pools, 2)
	require.Equal(t, Pool{Name: "system", Mode: "System", OSType: "Linux", OSSKU: "Ubuntu", Count: 3, MaxSurge: "10%",
		VNetSubnetID: nodeSubnet, ProvisioningState: "Succeeded", PowerState: "Running"}, p.Pools[0])
	require.Equal(t, []string{CodeNPMDifferences}, codes(p.Warnings))
	require.True(t, p.PoliciesChecked)
	require.Equal(t, "az aks update -g rg-prod -n aks-prod --network-dataplane cilium --network-policy cilium", p.Command)

	impact := strings.Join(p.Impact, "\n")
	for _, want := range []string{"every node pool is reimaged", "8 nodes in 2 pools", "system (System, Linux, 3 nodes, max surge 10%)",
		"Azure Network Policy Manager (NPM) is removed", "kube-proxy is removed", "pod IP mode stays overlay", "node image upgrade", "Cilium 1.17.9"} {
		require.Contains(t, impact, want)
	}
	require.Contains(t, strings.Join(p.NextSteps, "\n"), "no replacement of the ManagedCluster")
	require.Equal(t, 1, h.rec.count(http.MethodGet, clusterPath))
	require.Zero(t, h.rec.count(http.MethodPut, clusterPath), "Plan only reads")
}

func TestPlanRefusesKubenet(t *testing.T) {
	mc := overlayCluster()
	mc.Properties.NetworkProfile = &acs.NetworkProfile{NetworkPlugin: to.Ptr(acs.NetworkPluginKubenet), PodCidr: to.Ptr("10.244.0.0/16")}
	h := newHarness(t, mc, linuxPools())
	p := h.plan(PlanOptions{NetworkPolicies: []networkingv1.NetworkPolicy{}})

	require.Equal(t, IPModeNone, p.IPMode)
	b := issue(t, p.Blockers, CodeKubenet)
	require.Contains(t, b.Message, "must move to Azure CNI overlay first")
	require.Equal(t, "az aks update -g rg-prod -n aks-prod --network-plugin azure --network-plugin-mode overlay --pod-cidr 10.244.0.0/16, then plan again", b.Fix)
	require.Contains(t, p.Human(), "BLOCKED")
}

func TestPlanRefusesBringYourOwnCNI(t *testing.T) {
	mc := overlayCluster()
	mc.Properties.NetworkProfile = &acs.NetworkProfile{NetworkPlugin: to.Ptr(acs.NetworkPluginNone)}
	p := newHarness(t, mc, linuxPools()).plan(PlanOptions{NetworkPolicies: []networkingv1.NetworkPolicy{}})
	require.Equal(t, []string{CodeBringYourOwnCNI}, codes(p.Blockers))
}

func TestPlanRefusesWindowsPools(t *testing.T) {
	pools := append(linuxPools(),
		agentPool("win1", acs.AgentPoolModeUser, acs.OSTypeWindows, 2, nodeSubnet, ""),
		agentPool("win2", acs.AgentPoolModeUser, acs.OSTypeWindows, 1, nodeSubnet, ""))
	p := newHarness(t, overlayCluster(), pools).plan(PlanOptions{NetworkPolicies: []networkingv1.NetworkPolicy{}})

	b := issue(t, p.Blockers, CodeWindowsPool)
	require.Contains(t, b.Message, "win1, win2", "the blocker names every Windows pool")
	require.Contains(t, b.Fix, "az aks nodepool delete")
	require.Len(t, p.Blockers, 1)
}

func TestPlanRefusesNodeAutoProvisioning(t *testing.T) {
	h := newHarness(t, overlayCluster(), linuxPools())
	// Plan reads nodeProvisioningProfile from the raw body: add it on the
	// wire, as ARM would, behind the fake's back.
	h.rec.edit = func(req *http.Request, body []byte) []byte {
		if req.Method != http.MethodGet || !strings.HasSuffix(req.URL.Path, clusterPath) {
			return body
		}
		var doc map[string]any
		require.NoError(t, json.Unmarshal(body, &doc))
		doc["properties"].(map[string]any)["nodeProvisioningProfile"] = map[string]any{"mode": "Auto"}
		out, _ := json.Marshal(doc)
		return out
	}
	p := h.plan(PlanOptions{NetworkPolicies: []networkingv1.NetworkPolicy{}})
	b := issue(t, p.Blockers, CodeNodeAutoProvisioning)
	require.Contains(t, b.Fix, "--node-provisioning-mode Manual")
}

func TestPlanReportsEveryBlockerAtOnce(t *testing.T) {
	mc := overlayCluster()
	mc.Properties.NetworkProfile = &acs.NetworkProfile{NetworkPlugin: to.Ptr(acs.NetworkPluginKubenet)}
	mc.Properties.ProvisioningState = to.Ptr("Failed")
	mc.Properties.PowerState = &acs.PowerState{Code: to.Ptr(acs.CodeStopped)}
	pools := append(linuxPools(), agentPool("win1", acs.AgentPoolModeUser, acs.OSTypeWindows, 2, nodeSubnet, ""))
	p := newHarness(t, mc, pools).plan(PlanOptions{})

	require.ElementsMatch(t, []string{CodeClusterFailed, CodeClusterStopped, CodeKubenet, CodeWindowsPool}, codes(p.Blockers))
	require.Contains(t, codes(p.Warnings), CodePoliciesNotChecked)
	require.Contains(t, issue(t, p.Blockers, CodeKubenet).Fix, "--pod-cidr 192.168.0.0/16", "no pod CIDR: the fix suggests one")
	require.Equal(t, []string{"resolve every blocker, then plan again; nothing is changed until then"}, p.NextSteps)
}

func TestPlanRefusesBusyCluster(t *testing.T) {
	mc := overlayCluster()
	mc.Properties.ProvisioningState = to.Ptr("Updating")
	pools := linuxPools()
	pools[1].Properties.ProvisioningState = to.Ptr("Upgrading")
	p := newHarness(t, mc, pools).plan(PlanOptions{NetworkPolicies: []networkingv1.NetworkPolicy{}})
	require.Equal(t, []string{CodeOperationInProgress, CodeOperationInProgress}, codes(p.Blockers))
	require.Contains(t, p.Blockers[1].Message, "node pool user")
}

func TestPlanAlreadyCiliumIsNoOp(t *testing.T) {
	mc := overlayCluster()
	mc.Properties.NetworkProfile.NetworkDataplane = to.Ptr(acs.NetworkDataplaneCilium)
	mc.Properties.NetworkProfile.NetworkPolicy = to.Ptr(acs.NetworkPolicyCilium)
	p := newHarness(t, mc, linuxPools()).plan(PlanOptions{})

	require.True(t, p.NoOp)
	require.Empty(t, p.Blockers)
	require.Empty(t, p.Warnings, "a no-op plan does not ask for policies")
	require.Contains(t, p.Human(), "NOTHING TO DO: the cluster already has networkDataplane cilium and networkPolicy cilium")
}

func TestPlanFailedAtTargetResubmits(t *testing.T) {
	mc := overlayCluster()
	mc.Properties.NetworkProfile.NetworkDataplane = to.Ptr(acs.NetworkDataplaneCilium)
	mc.Properties.NetworkProfile.NetworkPolicy = to.Ptr(acs.NetworkPolicyCilium)
	mc.Properties.ProvisioningState = to.Ptr("Failed")
	p := newHarness(t, mc, linuxPools()).plan(PlanOptions{NetworkPolicies: []networkingv1.NetworkPolicy{}})
	require.False(t, p.NoOp)
	require.Empty(t, p.Blockers)
	require.Contains(t, codes(p.Warnings), CodeResubmit)
}

func TestPlanIPModes(t *testing.T) {
	for _, tc := range []struct {
		name       string
		pluginMode *acs.NetworkPluginMode
		pools      []*acs.AgentPool
		want       IPMode
	}{
		{"overlay", to.Ptr(acs.NetworkPluginModeOverlay), linuxPools(), IPModeOverlay},
		{"pod subnet", nil, []*acs.AgentPool{agentPool("system", acs.AgentPoolModeSystem, acs.OSTypeLinux, 3, nodeSubnet, podSubnet)}, IPModePodSubnet},
		{"node subnet", nil, linuxPools(), IPModeNodeSubnet},
	} {
		t.Run(tc.name, func(t *testing.T) {
			mc := overlayCluster()
			mc.Properties.NetworkProfile.NetworkPluginMode = tc.pluginMode
			if tc.pluginMode == nil {
				mc.Properties.NetworkProfile.PodCidr = nil
			}
			p := newHarness(t, mc, tc.pools).plan(PlanOptions{NetworkPolicies: []networkingv1.NetworkPolicy{}})
			require.Equal(t, tc.want, p.IPMode)
			require.Contains(t, strings.Join(p.Impact, "\n"), "pod IP mode stays "+string(tc.want))
		})
	}
}

// policies: one ipBlock over the pod CIDR, one over the node subnet, and
// one policy whose egress rules policyTypes makes inert (a lint error).
func testPolicies() []networkingv1.NetworkPolicy {
	peers := func(p networkingv1.NetworkPolicyPeer) []networkingv1.NetworkPolicyPeer {
		return []networkingv1.NetworkPolicyPeer{p}
	}
	return []networkingv1.NetworkPolicy{
		{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "allow-from-pods"}, Spec: networkingv1.NetworkPolicySpec{
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			Ingress:     []networkingv1.NetworkPolicyIngressRule{{From: peers(networkingv1.NetworkPolicyPeer{IPBlock: &networkingv1.IPBlock{CIDR: "192.168.0.0/16"}})}},
		}},
		{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "allow-from-nodes"}, Spec: networkingv1.NetworkPolicySpec{
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			Ingress:     []networkingv1.NetworkPolicyIngressRule{{From: peers(networkingv1.NetworkPolicyPeer{IPBlock: &networkingv1.IPBlock{CIDR: "10.10.0.0/16"}})}},
		}},
		{ObjectMeta: metav1.ObjectMeta{Namespace: "shop", Name: "limit-egress"}, Spec: networkingv1.NetworkPolicySpec{
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			Egress:      []networkingv1.NetworkPolicyEgressRule{{To: peers(networkingv1.NetworkPolicyPeer{PodSelector: &metav1.LabelSelector{}})}},
		}},
	}
}

func findingCodes(fs []netpol.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Code+" "+f.Namespace+"/"+f.Name)
	}
	return out
}

func TestPlanPolicyFindings(t *testing.T) {
	h := newHarness(t, overlayCluster(), linuxPools())
	p := h.plan(PlanOptions{NetworkPolicies: testPolicies(), SubnetCIDRs: map[string][]string{strings.ToUpper(nodeSubnet): {"10.10.0.0/22"}}})

	require.Equal(t, []string{
		netpol.CodeIPBlockPods + " shop/allow-from-pods",
		netpol.CodeIPBlockNodes + " shop/allow-from-nodes",
		netpol.CodePolicyTypes + " shop/limit-egress",
	}, findingCodes(p.Findings))
	f := p.Findings[0]
	require.Equal(t, netpol.SeverityWarning, f.Severity)
	require.Equal(t, "spec.ingress[0].from[0].ipBlock.cidr", f.Field)
	require.Contains(t, f.Message, "covers pod addresses (192.168.0.0/16)")
	require.Contains(t, p.Findings[1].Message, "covers node addresses (10.10.0.0/22)", "the subnet ID matched case-insensitively")

	require.Equal(t, []string{CodePolicyErrors}, codes(p.Blockers), "a finding of severity error blocks")
	require.Contains(t, codes(p.Warnings), CodePolicyFindings)
	require.Equal(t, 3, p.PolicyCount)

	human := p.Human()
	require.Contains(t, human, "Policy findings: 3 NetworkPolicies checked, 1 error(s), 2 warning(s), 0 info")
	require.Contains(t, human, "CIL001 warning shop/allow-from-pods spec.ingress[0].from[0].ipBlock.cidr")

	// Accepted, the errors become a warning.
	p = h.plan(PlanOptions{NetworkPolicies: testPolicies(), AcceptPolicyFindings: true, SubnetCIDRs: map[string][]string{nodeSubnet: {"10.10.0.0/22"}}})
	require.Empty(t, p.Blockers)
	require.Contains(t, codes(p.Warnings), CodePolicyErrorsAccepted)
}

// pagedLister serves policies one per page, as a kube-apiserver with limit 1 would.
type pagedLister struct {
	items []networkingv1.NetworkPolicy
	calls int
}

func (l *pagedLister) List(_ context.Context, opts metav1.ListOptions) (*networkingv1.NetworkPolicyList, error) {
	l.calls++
	i := 0
	if opts.Continue != "" {
		i = int(opts.Continue[0] - '0')
	}
	list := &networkingv1.NetworkPolicyList{Items: l.items[i : i+1]}
	if i+1 < len(l.items) {
		list.Continue = string(rune('0' + i + 1))
	}
	return list, nil
}

func TestPlanPoliciesFromListerAndSubnetLookup(t *testing.T) {
	lister := &pagedLister{items: testPolicies()}
	var looked []string
	p := newHarness(t, overlayCluster(), linuxPools()).plan(PlanOptions{
		Policies:             lister,
		AcceptPolicyFindings: true,
		LookupSubnet: func(_ context.Context, id string) ([]string, error) {
			looked = append(looked, id)
			return []string{"10.10.0.0/22"}, nil
		},
	})
	require.Equal(t, 3, lister.calls, "every page is read")
	require.Equal(t, []string{nodeSubnet}, looked, "each subnet is looked up once")
	require.Len(t, p.Findings, 3)
}

func TestPlanListerErrorFails(t *testing.T) {
	h := newHarness(t, overlayCluster(), linuxPools())
	_, err := h.client.Plan(context.Background(), testSub, testRG, testCluster, PlanOptions{Policies: failingLister{}})
	require.ErrorContains(t, err, "list NetworkPolicies of cluster aks-prod: forbidden")
}

type failingLister struct{}

func (failingLister) List(context.Context, metav1.ListOptions) (*networkingv1.NetworkPolicyList, error) {
	return nil, errors.New("forbidden")
}

func TestPlanUnknownSubnetsWarn(t *testing.T) {
	pools := []*acs.AgentPool{
		agentPool("system", acs.AgentPoolModeSystem, acs.OSTypeLinux, 3, nodeSubnet, podSubnet),
		agentPool("managed", acs.AgentPoolModeUser, acs.OSTypeLinux, 1, "", ""),
	}
	mc := overlayCluster()
	mc.Properties.NetworkProfile.NetworkPluginMode = nil
	p := newHarness(t, mc, pools).plan(PlanOptions{NetworkPolicies: []networkingv1.NetworkPolicy{}})
	var subnetWarnings []string
	for _, w := range p.Warnings {
		if w.Code == CodeSubnetUnknown {
			subnetWarnings = append(subnetWarnings, w.Message)
		}
	}
	require.Len(t, subnetWarnings, 3, "node subnet, pod subnet, managed VNet: %v", subnetWarnings)
}

func TestPlanNoPolicyEngineWarnsPoliciesStartBeingEnforced(t *testing.T) {
	mc := overlayCluster()
	mc.Properties.NetworkProfile.NetworkPolicy = nil
	p := newHarness(t, mc, linuxPools()).plan(PlanOptions{NetworkPolicies: testPolicies()[:1], SubnetCIDRs: map[string][]string{nodeSubnet: {"10.10.0.0/22"}}})
	require.Contains(t, issue(t, p.Warnings, CodePoliciesStartEnforced).Message, "its 1 NetworkPolicies are not enforced today")
	require.Contains(t, strings.Join(p.Impact, "\n"), "Cilium starts enforcing NetworkPolicies")
}

func TestPlanCalicoWarns(t *testing.T) {
	mc := overlayCluster()
	mc.Properties.NetworkProfile.NetworkPolicy = to.Ptr(acs.NetworkPolicyCalico)
	p := newHarness(t, mc, linuxPools()).plan(PlanOptions{NetworkPolicies: []networkingv1.NetworkPolicy{}, SubnetCIDRs: map[string][]string{nodeSubnet: {"10.10.0.0/22"}}})
	require.Equal(t, []string{CodeCalicoPolicies}, codes(p.Warnings))
	require.Contains(t, strings.Join(p.Impact, "\n"), "Calico is removed")
}

func TestPlanACNS(t *testing.T) {
	on := &ACNS{Enabled: true, Observability: true, Security: spec.ACNSSecurityFQDN}

	// Security needs Cilium.
	p := newHarness(t, overlayCluster(), linuxPools()).plan(PlanOptions{Change: Change{ACNS: on}})
	require.Equal(t, []string{CodeACNSNeedsCilium}, codes(p.Blockers))

	// With the data plane in the same change it is fine.
	p = newHarness(t, overlayCluster(), linuxPools()).plan(PlanOptions{Change: Change{Dataplane: "cilium", ACNS: on}, NetworkPolicies: []networkingv1.NetworkPolicy{}, SubnetCIDRs: map[string][]string{nodeSubnet: {"10.10.0.0/22"}}})
	require.Empty(t, p.Blockers)
	require.Equal(t, "az aks update -g rg-prod -n aks-prod --network-dataplane cilium --network-policy cilium --enable-acns", p.Command)

	// Observability alone on the Azure data plane is fine, and costs.
	p = newHarness(t, overlayCluster(), linuxPools()).plan(PlanOptions{Change: Change{ACNS: &ACNS{Enabled: true, Observability: true}}})
	require.Empty(t, p.Blockers)
	require.Equal(t, []string{CodeACNSCost}, codes(p.Warnings))
	require.Equal(t, "az aks update -g rg-prod -n aks-prod --enable-acns --disable-acns-security", p.Command)

	// Already on: a no-op. ARM's "enabled" alone means both features on.
	mc := overlayCluster()
	mc.Properties.NetworkProfile.NetworkDataplane = to.Ptr(acs.NetworkDataplaneCilium)
	mc.Properties.NetworkProfile.NetworkPolicy = to.Ptr(acs.NetworkPolicyCilium)
	mc.Properties.NetworkProfile.AdvancedNetworking = &acs.AdvancedNetworking{Enabled: to.Ptr(true)}
	p = newHarness(t, mc, linuxPools()).plan(PlanOptions{Change: Change{ACNS: on}})
	require.True(t, p.NoOp)

	// L7 is a change from ARM's default (FQDN), with the CLI's flag for it.
	p = newHarness(t, mc, linuxPools()).plan(PlanOptions{Change: Change{ACNS: &ACNS{Enabled: true, Observability: true, Security: spec.ACNSSecurityL7}}})
	require.False(t, p.NoOp, "ARM's enabled alone is FQDN, not L7")
	require.Equal(t, "az aks update -g rg-prod -n aks-prod --enable-acns --acns-advanced-networkpolicies L7", p.Command)

	// Turning security off warns about FQDN and L7 policies.
	p = newHarness(t, mc, linuxPools()).plan(PlanOptions{Change: Change{ACNS: &ACNS{}}})
	require.Equal(t, []string{CodeACNSSecurityOff}, codes(p.Warnings))
	require.Equal(t, "az aks update -g rg-prod -n aks-prod --disable-acns", p.Command)
}

func TestPlanRejectsInvalidChange(t *testing.T) {
	h := newHarness(t, overlayCluster(), linuxPools())
	for _, c := range []Change{{Dataplane: "azure"}, {ACNS: &ACNS{Security: spec.ACNSSecurityFQDN}}, {ACNS: &ACNS{Enabled: true}}, {ACNS: &ACNS{Enabled: true, Security: "HTTP"}}} {
		_, err := h.client.Plan(context.Background(), testSub, testRG, testCluster, PlanOptions{Change: c})
		require.ErrorContains(t, err, "invalid change")
	}
	require.Zero(t, h.rec.count(http.MethodGet, clusterPath), "an invalid change is refused before any request")
}

func TestPlanReadErrors(t *testing.T) {
	h := newHarness(t, overlayCluster(), linuxPools())
	_, err := h.client.Plan(context.Background(), testSub, testRG, "missing", PlanOptions{})
	require.ErrorContains(t, err, "cluster missing: read cluster")
	require.ErrorContains(t, err, "ResourceNotFound")
}

func TestPlanHumanAndJSON(t *testing.T) {
	pools := append(linuxPools(), agentPool("win1", acs.AgentPoolModeUser, acs.OSTypeWindows, 2, nodeSubnet, ""))
	p := newHarness(t, overlayCluster(), pools).plan(PlanOptions{NetworkPolicies: testPolicies(), SubnetCIDRs: map[string][]string{nodeSubnet: {"10.10.0.0/22"}}})

	human := p.Human()
	for _, want := range []string{
		"Migration plan for AKS cluster aks-prod",
		"resource group rg-prod, subscription " + testSub + ", westeurope",
		"Kubernetes 1.32.4 (Cilium 1.17.9 or later), provisioningState Succeeded",
		"Change:   networkDataplane azure -> cilium\n          networkPolicy    azure -> cilium",
		"IP mode:  overlay (pod CIDR 192.168.0.0/16), unchanged by the update",
		"Pools:    system",
		"win1         User   Windows   2 nodes  max surge 10%",
		"Verdict:  BLOCKED by 2 blocker(s): nothing will be changed",
		"[WindowsPool] Windows node pools are not supported with Azure CNI powered by Cilium: win1",
		"[PolicyLintErrors]",
		"Impact:\n  - every node pool is reimaged",
		"Azure CLI equivalent:\n  az aks update -g rg-prod -n aks-prod --network-dataplane cilium --network-policy cilium",
		"Next steps:\n  1. resolve every blocker",
	} {
		require.Contains(t, human, want)
	}

	raw, err := p.JSON()
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(raw, &doc))
	require.Equal(t, true, doc["blocked"])
	require.Equal(t, "overlay", doc["ipMode"])
	require.Equal(t, map[string]any{"dataplane": "cilium"}, doc["change"])
	require.Equal(t, "cilium", doc["target"].(map[string]any)["networkDataplane"])
	require.Len(t, doc["blockers"], 2)
	findings := doc["findings"].([]any)
	require.Len(t, findings, 3)
	require.Equal(t, "CIL001", findings[0].(map[string]any)["code"])
	require.Equal(t, "spec.ingress[0].from[0].ipBlock.cidr", findings[0].(map[string]any)["field"])
	require.Len(t, doc["pools"], 3)
}

// client-go's NetworkPolicies client is a PolicyLister as it is.
var _ PolicyLister = netv1client.NetworkPolicyInterface(nil)
