package verify

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/Masterminds/semver/v3"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/aks-cilium/aks-cilium/components/spec"
)

// EndpointSliceGVR is the CiliumEndpointSlice resource the check lists.
var EndpointSliceGVR = schema.GroupVersionResource{Group: "cilium.io", Version: "v2alpha1", Resource: "ciliumendpointslices"}

// clusterVersion is the Kubernetes version the checks use and where it
// comes from.
type clusterVersion struct {
	used  string // the version looked up, "1.32.13"
	from  string // where it comes from, for the evidence
	notes []string
	info  spec.KubernetesVersion
	err   error
}

// display is the version for the report, or "" when unknown.
func (v *clusterVersion) display() string {
	if v == nil || v.err != nil {
		return ""
	}
	return v.used
}

// evidence describes the version in the checks' evidence.
func (v *clusterVersion) evidence() []string {
	line := fmt.Sprintf("Kubernetes %s (from %s)", v.used, v.from)
	if v.info.NewerThanTable {
		line += fmt.Sprintf("; newer than the version table, whose last row (%s) applies (AllowNewerKubernetes)", v.info.Row.Kubernetes)
	}
	return append([]string{line}, v.notes...)
}

// kubeVersion resolves the cluster's Kubernetes version once: from
// Options.KubernetesVersion when set, else from the API server. A failure is
// not kept, so a later check tries again.
func (r *runner) kubeVersion() *clusterVersion {
	if r.version != nil && r.version.err == nil {
		return r.version
	}
	v := &clusterVersion{}
	r.version = v
	info, serverErr := r.Kube.Discovery().ServerVersion()
	server := ""
	if serverErr == nil {
		server = info.GitVersion
	}
	switch {
	case r.opts.KubernetesVersion != "":
		v.used, v.from = r.opts.KubernetesVersion, "Options.KubernetesVersion"
		if server != "" && minorOf(normalizeGitVersion(server)) != minorOf(strings.TrimPrefix(v.used, "v")) {
			v.notes = append(v.notes, fmt.Sprintf("the API server reports %s, another minor than Options.KubernetesVersion %s", server, v.used))
		}
	case serverErr != nil:
		v.err = fmt.Errorf("reading the API server's version: %w", serverErr)
		return v
	default:
		v.used, v.from = normalizeGitVersion(server), "the API server, "+server
	}
	v.info, v.err = spec.LookupKubernetes(v.used, r.opts.AllowNewerKubernetes)
	return v
}

// normalizeGitVersion turns "v1.32.4" or "v1.29.1-eks-abc+123" into "1.29.1".
func normalizeGitVersion(s string) string {
	s = strings.TrimPrefix(s, "v")
	if i := strings.IndexAny(s, "-+"); i >= 0 {
		s = s[:i]
	}
	return s
}

// minorOf is "1.32" of "1.32.4".
func minorOf(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return v
	}
	return parts[0] + "." + parts[1]
}

// minKubernetesFor is the first Kubernetes minor with a gated feature.
func minKubernetesFor(f spec.Feature) string {
	for _, g := range spec.FeatureGates {
		if g.Feature == f {
			return g.MinKubernetes
		}
	}
	return "?"
}

// checkEndpointSlices: on Kubernetes 1.32+, the API server serves
// ciliumendpointslices.cilium.io/v2alpha1 and at least one exists; skipped
// before 1.32.
func (r *runner) checkEndpointSlices(ctx context.Context) Check {
	kv := r.kubeVersion()
	if kv.err != nil {
		return fail("cannot tell the cluster's Kubernetes version", "error: "+kv.err.Error())
	}
	evidence := kv.evidence()
	gate := minKubernetesFor(spec.FeatureCiliumEndpointSlices)
	evidence = append(evidence, fmt.Sprintf("feature %s needs Kubernetes %s or newer", spec.FeatureCiliumEndpointSlices, gate))
	if !kv.info.Available(spec.FeatureCiliumEndpointSlices) {
		return skip(fmt.Sprintf("Kubernetes %s: Cilium Endpoint Slices need Kubernetes %s or newer", kv.info.Minor, gate), evidence...)
	}

	gv := EndpointSliceGVR.GroupVersion().String()
	resource := EndpointSliceGVR.Resource + "." + EndpointSliceGVR.Group + " " + EndpointSliceGVR.Version
	resources, err := r.Kube.Discovery().ServerResourcesForGroupVersion(gv)
	served := false
	if err == nil {
		for _, res := range resources.APIResources {
			if res.Name == EndpointSliceGVR.Resource {
				served = true
			}
		}
	}
	switch {
	case err != nil && !apierrors.IsNotFound(err):
		return fail("cannot read the API server's discovery of "+gv, append(evidence, "error: "+err.Error())...)
	case !served:
		return fail("the API server does not serve "+resource+": Cilium's CRD is missing",
			append(evidence, "discovery of "+gv+": no resource "+EndpointSliceGVR.Resource)...)
	}
	evidence = append(evidence, "the API server serves "+resource)

	list, err := r.Dynamic.Resource(EndpointSliceGVR).List(ctx, metav1.ListOptions{Limit: 500})
	if err != nil {
		return fail("cannot list CiliumEndpointSlices", append(evidence, "error: "+err.Error())...)
	}
	n := len(list.Items)
	if n == 0 {
		return fail("no CiliumEndpointSlice exists: Cilium's endpoint slices are off, or the operator has not batched any endpoint",
			append(evidence, "LIST "+EndpointSliceGVR.Resource+": 0 items")...)
	}
	count := fmt.Sprint(n)
	if list.GetContinue() != "" {
		count = "at least " + count
		if rest := list.GetRemainingItemCount(); rest != nil {
			count = fmt.Sprint(int64(n) + *rest)
		}
	}
	var names []string
	namespaces := map[string]bool{}
	endpoints := 0
	for _, item := range list.Items {
		names = append(names, item.GetName())
		if ns, ok := item.Object["namespace"].(string); ok {
			namespaces[ns] = true
		}
		if eps, ok := item.Object["endpoints"].([]any); ok {
			endpoints += len(eps)
		}
	}
	sort.Strings(names)
	evidence = append(evidence, fmt.Sprintf("%s CiliumEndpointSlices (%s), %s in the first %d, over %s",
		count, nameList(names, 5), plural(endpoints, "endpoint"), n, plural(len(namespaces), "namespace")))
	return pass(count+" CiliumEndpointSlices exist", evidence...)
}

// versionInTag is the MAJOR.MINOR.PATCH an image tag starts with.
var versionInTag = regexp.MustCompile(`^v?(\d+)\.(\d+)\.(\d+)`)

// CiliumVersionFromImage reads the Cilium version from an image reference:
// the MAJOR.MINOR.PATCH its tag starts with, with or without a leading "v",
// ignoring a digest and any suffix after the version (AKS tags images
// 1.17.9-250121: the suffix is a build, not a pre-release, so it is dropped
// rather than compared). An image pinned by digest only, or with a tag that
// is not a version, is an error.
func CiliumVersionFromImage(image string) (*semver.Version, error) {
	ref, _, _ := strings.Cut(image, "@") // drop the digest
	name := ref
	if i := strings.LastIndex(ref, "/"); i >= 0 {
		name = ref[i+1:] // a registry's port comes before the last slash
	}
	_, tag, ok := strings.Cut(name, ":")
	switch {
	case !ok && strings.Contains(image, "@"):
		return nil, fmt.Errorf("image %s is pinned by digest only: its name carries no version", image)
	case !ok:
		return nil, fmt.Errorf("image %s has no tag: its name carries no version", image)
	}
	m := versionInTag.FindStringSubmatch(tag)
	if m == nil {
		return nil, fmt.Errorf("image %s: tag %q does not start with a version (MAJOR.MINOR.PATCH)", image, tag)
	}
	return semver.NewVersion(m[1] + "." + m[2] + "." + m[3])
}

// agentImage is the cilium-agent container's image in a pod spec, or "".
func agentImage(pod *corev1.PodSpec) string {
	for _, c := range pod.Containers {
		if c.Name == CiliumAgentContainer {
			return c.Image
		}
	}
	return ""
}

// checkVersion: the cilium-agent image of the DaemonSet, and of every Cilium
// pod, is at least the minimum Cilium version: Options.MinCiliumVersion, or
// the version table's minimum for the cluster's Kubernetes version.
func (r *runner) checkVersion(ctx context.Context) Check {
	ds, err := r.daemonSet(ctx)
	if err != nil {
		return daemonSetMissing(err)
	}
	image := agentImage(&ds.Spec.Template.Spec)
	if image == "" {
		return fail(fmt.Sprintf("DaemonSet %s/%s has no %s container", CiliumNamespace, CiliumDaemonSet, CiliumAgentContainer))
	}
	evidence := []string{fmt.Sprintf("DaemonSet %s/%s container %s: image %s", CiliumNamespace, CiliumDaemonSet, CiliumAgentContainer, image)}
	running, err := CiliumVersionFromImage(image)
	if err != nil {
		return fail("cannot tell the running Cilium version", append(evidence, "error: "+err.Error())...)
	}
	evidence = append(evidence, "running Cilium "+running.String())

	minimum, from, more, err := r.minimumCilium()
	evidence = append(evidence, more...)
	if err != nil {
		return fail("cannot tell the minimum Cilium version", append(evidence, "error: "+err.Error())...)
	}
	evidence = append(evidence, fmt.Sprintf("minimum Cilium %s (from %s)", minimum, from))

	var problems []string
	if running.LessThan(minimum) {
		problems = append(problems, fmt.Sprintf("Cilium %s is older than the minimum %s", running, minimum))
	}
	// The pods show what runs now; during a rollout some still run the old image.
	pods, err := r.Kube.CoreV1().Pods(CiliumNamespace).List(ctx, metav1.ListOptions{LabelSelector: CiliumPodSelector})
	if err != nil {
		return fail("cannot list Cilium pods", append(evidence, "error: "+err.Error())...)
	}
	byVersion := map[string][]string{}
	var old []string
	for i := range pods.Items {
		p := &pods.Items[i]
		v, err := CiliumVersionFromImage(agentImage(&p.Spec))
		if err != nil {
			byVersion["unknown"] = append(byVersion["unknown"], p.Name)
			continue
		}
		byVersion[v.String()] = append(byVersion[v.String()], p.Name)
		if v.LessThan(minimum) {
			old = append(old, p.Name+" ("+v.String()+")")
		}
	}
	if len(pods.Items) > 0 {
		var parts []string
		for v, names := range byVersion {
			parts = append(parts, fmt.Sprintf("%s: %s", v, plural(len(names), "pod")))
		}
		sort.Strings(parts)
		evidence = append(evidence, "Cilium pods by version: "+strings.Join(parts, ", "))
	}
	if len(old) > 0 {
		sort.Strings(old)
		problems = append(problems, fmt.Sprintf("%s run an older Cilium than %s: %s", plural(len(old), "pod"), minimum, nameList(old, 5)))
	}
	if len(problems) > 0 {
		return fail(strings.Join(problems, "; "), evidence...)
	}
	return pass(fmt.Sprintf("Cilium %s meets the minimum %s", running, minimum), evidence...)
}

// minimumCilium is the expected minimum Cilium version and where it comes from.
func (r *runner) minimumCilium() (min *semver.Version, from string, evidence []string, err error) {
	if r.opts.MinCiliumVersion != "" {
		v, err := semver.NewVersion(r.opts.MinCiliumVersion)
		if err != nil {
			return nil, "", nil, fmt.Errorf("Options.MinCiliumVersion %q is not a version", r.opts.MinCiliumVersion)
		}
		return v, "Options.MinCiliumVersion", nil, nil
	}
	kv := r.kubeVersion()
	if kv.err != nil {
		return nil, "", nil, kv.err
	}
	row := kv.info.Row
	v, err := semver.NewVersion(row.MinCilium)
	if err != nil {
		return nil, "", nil, errors.New("the version table's minimum " + row.MinCilium + " is not a version")
	}
	from = "the version table's row for Kubernetes " + row.Kubernetes
	if row.Notes != "" {
		from += "; " + row.Notes
	}
	return v, from, kv.evidence(), nil
}
