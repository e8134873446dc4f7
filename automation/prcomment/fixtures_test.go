package prcomment

import (
	"fmt"
	"strings"
	"time"

	"github.com/aks-cilium/aks-cilium/automation/result"
)

// Results as the Engine records them for a Platform stack: URNs, types and
// names as components.NewPlatform registers them, diff values rendered the
// way the recorder renders inputs (strings quoted, secrets as [secret]).

const (
	tPlatform  = "aks-cilium:index:Platform"
	tNetwork   = "aks-cilium:azure:Network"
	tCluster   = "aks-cilium:azure:Cluster"
	tRG        = "azure-native:resources:ResourceGroup"
	tVNet      = "azure-native:network:VirtualNetwork"
	tMC        = "azure-native:containerservice/v20241001:ManagedCluster"
	tPool      = "azure-native:containerservice/v20241001:AgentPool"
	tK8sProvdr = "pulumi:providers:kubernetes"
)

// res is a resource of a Platform named p: its parents' types, type and name.
type res struct {
	parents []string
	typ     string
	name    string
}

func platformResources(p string) (platform, network, rg, vnet, cluster, mc, pool, k8s res) {
	pl := []string{tPlatform}
	nw := []string{tPlatform, tNetwork}
	cl := []string{tPlatform, tCluster}
	return res{nil, tPlatform, p},
		res{pl, tNetwork, p + "-network"},
		res{nw, tRG, p + "-network-rg"},
		res{nw, tVNet, p + "-network-vnet"},
		res{pl, tCluster, p + "-cluster"},
		res{cl, tMC, p + "-cluster-aks"},
		res{cl, tPool, p + "-cluster-pool-user"},
		res{cl, tK8sProvdr, p + "-cluster-k8s"}
}

func urn(stack string, r res) string {
	return "urn:pulumi:" + stack + "::aks-cilium::" + strings.Join(append(append([]string(nil), r.parents...), r.typ), "$") + "::" + r.name
}

func step(stack string, r res, op result.Op, diffs ...result.PropertyDiff) result.Step {
	return result.Step{URN: urn(stack, r), Type: r.typ, Name: r.name, Op: op, Diffs: diffs}
}

func replaceStep(stack string, r res, keys []string, diffs ...result.PropertyDiff) result.Step {
	s := step(stack, r, result.OpReplace, diffs...)
	s.ReplaceKeys = keys
	return s
}

func diff(path, kind, old, new string) result.PropertyDiff {
	return result.PropertyDiff{Path: path, Kind: kind, Old: old, New: new}
}

func changes(kv ...any) map[result.Op]int {
	m := map[result.Op]int{}
	for i := 0; i < len(kv); i += 2 {
		m[result.Op(kv[i].(string))] = kv[i+1].(int)
	}
	return m
}

func allResources(p string) []res {
	a, b, c, d, e, f, g, h := platformResources(p)
	return []res{a, b, c, d, e, f, g, h}
}

// noChanges: a preview of a deployed stack that matches its spec.
func noChanges() *result.Result {
	r := &result.Result{Stack: "prod", Kind: "preview", Changes: changes("same", 8), Duration: 3 * time.Second}
	for _, x := range allResources("platform") {
		r.Steps = append(r.Steps, step("prod", x, result.OpSame))
	}
	return r
}

// firstDeploy: the first preview of an overlay Platform.
func firstDeploy() *result.Result {
	r := &result.Result{Stack: "dev", Kind: "preview", Changes: changes("create", 8)}
	for _, x := range allResources("platform") {
		r.Steps = append(r.Steps, step("dev", x, result.OpCreate))
	}
	return r
}

// inPlaceUpdate: Kubernetes 1.31 to 1.32, a bigger user pool and a new tag.
func inPlaceUpdate() *result.Result {
	platform, _, _, _, cluster, mc, pool, _ := platformResources("platform")
	specDiffs := []result.PropertyDiff{
		diff("spec.kubernetesVersion", "update", `"1.31.5"`, `"1.32.4"`),
		diff("spec.tags.costCenter", "add", "", `"cc-4711"`),
		diff("spec.userPools[0].count", "update", "3", "5"),
	}
	return &result.Result{Stack: "prod", Kind: "preview", Changes: changes("update", 4, "same", 4),
		Steps: []result.Step{
			step("prod", platform, result.OpUpdate, specDiffs...),
			step("prod", cluster, result.OpUpdate, specDiffs...),
			step("prod", mc, result.OpUpdate,
				diff("agentPoolProfiles[0].orchestratorVersion", "update", `"1.31.5"`, `"1.32.4"`),
				diff("kubernetesVersion", "update", `"1.31.5"`, `"1.32.4"`),
				diff("tags.costCenter", "add", "", `"cc-4711"`)),
			step("prod", pool, result.OpUpdate,
				diff("count", "update", "3", "5"),
				diff("orchestratorVersion", "update", `"1.31.5"`, `"1.32.4"`),
				diff("tags.costCenter", "add", "", `"cc-4711"`)),
		}}
}

// dataplaneReplace: the spec switches an Azure CNI cluster (Azure NPM) to
// the Cilium data plane; azure-native v2.88.0 replaces the whole
// ManagedCluster for it, and the user pool follows its new cluster.
func dataplaneReplace() *result.Result {
	platform, _, _, _, cluster, mc, pool, k8s := platformResources("platform")
	specDiffs := []result.PropertyDiff{
		diff("spec.network.dataplane", "update", `"azure"`, `"cilium"`),
		diff("spec.network.policy", "update", `"azure"`, `"cilium"`),
	}
	return &result.Result{Stack: "prod", Kind: "preview", Changes: changes("replace", 2, "update", 3, "same", 3),
		Steps: []result.Step{
			step("prod", platform, result.OpUpdate, specDiffs...),
			step("prod", cluster, result.OpUpdate, specDiffs...),
			replaceStep("prod", mc, []string{"networkProfile"},
				diff("networkProfile.networkDataplane", "update-replace", `"azure"`, `"cilium"`),
				diff("networkProfile.networkPolicy", "update-replace", `"azure"`, `"cilium"`)),
			replaceStep("prod", pool, []string{"resourceName"}),
			step("prod", k8s, result.OpUpdate, diff("kubeconfig", "update", "[secret]", "[secret]")),
		}}
}

// deletion: the "batch" user pool is removed from the spec.
func deletion() *result.Result {
	platform, _, _, _, cluster, _, _, _ := platformResources("platform")
	batch := res{[]string{tPlatform, tCluster}, tPool, "platform-cluster-pool-batch"}
	specDiffs := []result.PropertyDiff{
		diff("spec.userPools[1]", "delete", `{count: 2, maxPods: 110, name: "batch", vmSize: "Standard_D8ds_v5"}`, ""),
	}
	return &result.Result{Stack: "prod", Kind: "preview", Changes: changes("delete", 1, "update", 2, "same", 6),
		Steps: []result.Step{
			step("prod", platform, result.OpUpdate, specDiffs...),
			step("prod", cluster, result.OpUpdate, specDiffs...),
			step("prod", batch, result.OpDelete),
		}}
}

// diagnostics: an up whose cluster update ARM rejected, with warnings.
func diagnostics() *result.Result {
	_, _, _, _, _, mc, pool, _ := platformResources("platform")
	failed := step("prod", mc, result.OpUpdate,
		diff("networkProfile.advancedNetworking", "add", "", `{enabled: true, observability: {enabled: true}, security: {enabled: true}}`))
	failed.Failed = true
	return &result.Result{Stack: "prod", Kind: "up", Changes: changes("update", 1, "same", 7),
		Steps: []result.Step{failed},
		Diagnostics: []result.Diagnostic{
			{URN: urn("prod", mc), Severity: "error", Message: "error: resource partially created or updated: " +
				"PUT https://management.azure.com/subscriptions/0000/resourceGroups/rg-prod/providers/Microsoft.ContainerService/managedClusters/aks-prod\n" +
				"--------------------------------------------------------------------------------\n" +
				"RESPONSE 400: 400 Bad Request\nERROR CODE: OperationNotAllowed\n" +
				"Advanced Container Networking Services security requires Kubernetes 1.29 or later."},
			{URN: urn("prod", pool), Severity: "warning", Message: "count is ignored because autoscaling is enabled (min 3, max 10)"},
			{Severity: "warning", Message: "the pulumi CLI on PATH (v3.270.0) is older than the SDK (v3.274.1)"},
			{Severity: "info", Message: "Downloading provider: azure-native"},
			{URN: urn("prod", mc), Severity: "warning", Message: "Kubernetes 1.29 reaches end of support on AKS soon; plan an upgrade"},
		}}
}

// huge: 400 tenant Platforms in one stack, 2,000 changing resources with
// long tag diffs, three cluster replacements and five deletions, and 150
// warnings.
func huge() *result.Result {
	r := &result.Result{Stack: "tenants", Kind: "preview"}
	longTags := func(i int, v string) string {
		var parts []string
		for k := 0; k < 12; k++ {
			parts = append(parts, fmt.Sprintf("label%02d: %q", k, fmt.Sprintf("tenant-%03d-%s-%s", i, v, strings.Repeat("x", 30))))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	for i := 0; i < 400; i++ {
		p := fmt.Sprintf("tenant-%03d", i)
		platform, _, _, _, cluster, mc, pool, _ := platformResources(p)
		tags := diff("tags", "update", longTags(i, "old"), longTags(i, "new"))
		specTags := diff("spec.tags", "update", longTags(i, "old"), longTags(i, "new"))
		r.Steps = append(r.Steps,
			step("tenants", platform, result.OpUpdate, specTags),
			step("tenants", cluster, result.OpUpdate, specTags))
		switch {
		case i%150 == 7:
			r.Steps = append(r.Steps, replaceStep("tenants", mc, []string{"networkProfile"},
				diff("networkProfile.advancedNetworking.enabled", "add-replace", "", "true"), tags))
		default:
			r.Steps = append(r.Steps, step("tenants", mc, result.OpUpdate, tags,
				diff("kubernetesVersion", "update", `"1.31.5"`, `"1.32.4"`)))
		}
		if i%80 == 3 {
			r.Steps = append(r.Steps, step("tenants", res{pool.parents, tPool, p + "-cluster-pool-spot"}, result.OpDelete))
		} else {
			r.Steps = append(r.Steps, step("tenants", pool, result.OpUpdate, tags))
		}
		r.Steps = append(r.Steps, step("tenants", res{pool.parents, tPool, p + "-cluster-pool-gpu"}, result.OpCreate))
		if i < 150 {
			r.Diagnostics = append(r.Diagnostics, result.Diagnostic{URN: urn("tenants", mc), Severity: "warning",
				Message: "Kubernetes 1.31 reaches end of support on AKS soon; plan an upgrade"})
		}
	}
	r.Changes = map[result.Op]int{}
	for _, s := range r.Steps {
		r.Changes[s.Op]++
	}
	return r
}

// hostile: names, values and messages that try to break out of the
// comment, with terminal codes.
func hostile() *result.Result {
	evil := res{[]string{tPlatform, tCluster}, tPool, "pool|x`y`</details><img src=x onerror=alert(1)>"}
	_, _, _, _, _, mc, _, _ := platformResources("platform")
	return &result.Result{Stack: "prod-->", Kind: "preview", Changes: changes("update", 2),
		Steps: []result.Step{
			step("prod", evil, result.OpUpdate,
				diff("tags.note", "update", "\x1b[31m\"red\"\x1b[0m", "\"```\\n</details><script>alert(1)</script>\""),
				diff("tags.<b>bold</b>", "add", "", "\"line one\nline two\n```\nstill inside\""),
			),
			step("prod", mc, result.OpUpdate,
				diff("tags.link", "update", `"[click](javascript:alert(1))"`, "\"<!-- hide the rest\"")),
		},
		Diagnostics: []result.Diagnostic{
			{URN: urn("prod", mc), Severity: "warning", Message: "\x1b[1m\x1b[33mwarning:\x1b[0m <{%fg 3%}>ping @octocat <img src=x> **bold** | a | b |<{%reset%}>"},
			{Severity: "error", Message: "\x1b]8;;https://evil.example\x07link\x1b]8;;\x07 failed:\n```\n</details>\n<script>alert(1)</script>"},
		}}
}

// canary is a secret value that must never appear in a comment.
const canary = "canary-7f3a9c1e-d00d-secret"

// leaky: a result where the canary slipped through everywhere the Engine
// should have masked it, and one split by a terminal code.
func leaky() *result.Result {
	_, _, _, _, _, mc, pool, k8s := platformResources("platform")
	return &result.Result{Stack: "prod", Kind: "preview", Changes: changes("update", 3),
		Steps: []result.Step{
			step("prod", mc, result.OpUpdate,
				diff("servicePrincipalProfile.secret", "update", `"`+canary+`"`, "[secret]"),
				diff("tags.note", "update", `"x"`, `"token=canary-7f3a9c1e`+"\x1b[0m"+`-d00d-secret"`)),
			step("prod", pool, result.OpUpdate, diff("tags."+canary, "add", "", `"1"`)),
			step("prod", k8s, result.OpUpdate, diff("kubeconfig", "update", "[secret]", "[secret]")),
		},
		Diagnostics: []result.Diagnostic{
			{URN: urn("prod", mc), Severity: "error", Message: "login failed with client secret " + canary},
		}}
}

// fleet: three stacks, one of which would replace its cluster.
func fleet() []*result.Result {
	return []*result.Result{dataplaneReplace(), nil, onStack(noChanges(), "dev"), onStack(inPlaceUpdate(), "staging")}
}

// onStack moves a prod fixture to another stack.
func onStack(r *result.Result, stack string) *result.Result {
	from := "urn:pulumi:" + r.Stack + "::"
	r.Stack = stack
	for i := range r.Steps {
		r.Steps[i].URN = strings.Replace(r.Steps[i].URN, from, "urn:pulumi:"+stack+"::", 1)
	}
	for i := range r.Diagnostics {
		r.Diagnostics[i].URN = strings.Replace(r.Diagnostics[i].URN, from, "urn:pulumi:"+stack+"::", 1)
	}
	return r
}
