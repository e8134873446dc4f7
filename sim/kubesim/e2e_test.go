package kubesim

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/apiextensions"
	k8scorev1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/core/v1"
	k8smetav1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/meta/v1"
	k8snetv1 "github.com/pulumi/pulumi-kubernetes/sdk/v4/go/kubernetes/networking/v1"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/aks-cilium/aks-cilium/components"
	"github.com/aks-cilium/aks-cilium/components/netpol"
	"github.com/aks-cilium/aks-cilium/components/spec"
	"github.com/aks-cilium/aks-cilium/internal/pulumitest"
	"github.com/aks-cilium/aks-cilium/sim/azuresim"
)

// These tests run the real pulumi CLI and engine (v3.274.1, `make tools`)
// with a file backend against both simulators: sim/azuresim for
// azure-native, kubesim for kubernetes, whose objects land on the real
// kube-apiserver of sim/apiserver (v1.32 with Cilium's CRDs).

// startKubesim serves kubesim on the test API server for the test's lifetime.
func startKubesim(t *testing.T) (*Simulator, dynamic.Interface) {
	t.Helper()
	cfg := env.Require(t)
	sim := New(Options{Config: cfg, Logf: t.Logf})
	_, err := sim.Start(t.Context())
	require.NoError(t, err)
	t.Cleanup(sim.Stop)
	return sim, dynamic.NewForConfigOrDie(cfg)
}

// newStack is a stack of an inline program with a private file backend,
// PULUMI_HOME and passphrase secrets, and PULUMI_DEBUG_PROVIDERS set to
// debugProviders.
func newStack(t *testing.T, cli auto.PulumiCommand, program pulumi.RunFunc, debugProviders string) auto.Stack {
	t.Helper()
	dir := t.TempDir()
	backend := filepath.Join(dir, "backend")
	require.NoError(t, os.Mkdir(backend, 0o700))
	require.NoError(t, os.Mkdir(filepath.Join(dir, "work"), 0o700))
	stack, err := auto.NewStackInlineSource(t.Context(), "dev", "kubesimtest", program,
		auto.WorkDir(filepath.Join(dir, "work")), // else auto makes a pulumi_auto* folder and leaves it
		auto.Project(workspace.Project{
			Name:    "kubesimtest",
			Runtime: workspace.NewProjectRuntimeInfo("go", nil),
			Backend: &workspace.ProjectBackend{URL: "file://" + backend},
		}),
		auto.SecretsProvider("passphrase"),
		auto.PulumiHome(filepath.Join(dir, "home")),
		auto.EnvVars(map[string]string{
			"PULUMI_DEBUG_PROVIDERS":        debugProviders,
			"PULUMI_CONFIG_PASSPHRASE":      "simulated",
			"PULUMI_SKIP_UPDATE_CHECK":      "true",
			"PULUMI_IGNORE_AMBIENT_PLUGINS": "true",
		}),
		auto.Pulumi(cli),
	)
	require.NoError(t, err)
	return stack
}

// stepTimer logs how long each step of a scenario took.
func stepTimer(t *testing.T) func(name string) {
	last := time.Now()
	return func(name string) {
		t.Logf("step %-50s %s", name, time.Since(last).Round(time.Millisecond))
		last = time.Now()
	}
}

// previewSteps runs a preview and returns its resource steps.
func previewSteps(t *testing.T, stack auto.Stack) ([]apitype.StepEventMetadata, auto.PreviewResult) {
	t.Helper()
	return pulumitest.PreviewSteps(t, stack)
}

// platform is the test program's knobs; the inline program runs in this
// process, so a test turns them between engine operations.
type platform struct {
	namespaces []string
	fqdnNames  []string
	// shop and blog are the namespaces the FQDN and HTTP policies name.
	shop, blog string
}

// spec is an overlay cluster with ACNS security on, so the baseline has
// CiliumNetworkPolicies (FQDN egress, L7 HTTP) next to the NetworkPolicies.
func (p *platform) spec() spec.Cluster {
	return spec.Cluster{
		Name:              "aks-kubesim",
		Location:          "westeurope",
		ResourceGroup:     spec.ResourceGroup{Name: "rg-aks-kubesim"},
		KubernetesVersion: "1.32",
		Network: spec.Network{
			Mode:         spec.Overlay{PodCIDR: "192.168.0.0/16"},
			ServiceCIDR:  "10.0.0.0/16",
			DNSServiceIP: "10.0.0.10",
			VNet: spec.VNet{
				Name:         "vnet-aks-kubesim",
				AddressSpace: []string{"10.10.0.0/16"},
				NodeSubnet:   spec.Subnet{Name: "nodes", CIDR: "10.10.0.0/22"},
			},
		},
		SystemPool: spec.NodePool{Name: "system", VMSize: "Standard_D4ds_v5", Count: 3, Zones: []string{"1", "2", "3"}},
		UserPools:  []spec.NodePool{{Name: "apps", VMSize: "Standard_D8ds_v5", Count: 2}},
		Security:   spec.Security{AdminGroupObjectIDs: []string{"6f1a9a3e-3c1b-4a53-9d43-2f0c2b7e8a11"}},
		ACNS:       spec.ACNS{Enabled: true, Observability: true, Security: spec.ACNSSecurityL7},
		Tags:       map[string]string{"env": "test"},
	}
}

func (p *platform) policies() components.PoliciesArgs {
	return components.PoliciesArgs{CreateNamespaces: true, Config: netpol.Config{
		Namespaces:        append([]string(nil), p.namespaces...),
		IngressController: &netpol.IngressControllerAllowance{Namespace: "ingress-nginx", Ports: []int32{8080}},
		Monitoring:        &netpol.MonitoringAllowance{Namespace: "kube-system", Port: 9090},
		FQDNEgress: []netpol.FQDNEgress{{
			Name: "storage", Namespaces: []string{p.shop},
			MatchNames: append([]string(nil), p.fqdnNames...), MatchPatterns: []string{"*.blob.core.windows.net"},
		}},
		HTTPIngress: []netpol.HTTPIngress{{
			Name: "api-read", Namespaces: []string{p.shop}, Port: 8081, FromNamespaces: []string{p.blog},
			Rules: []netpol.HTTPRule{{Method: "GET", Path: "/api/.*"}},
		}},
	}}
}

func (p *platform) program(ctx *pulumi.Context) error {
	policies := p.policies()
	plat, err := components.NewPlatformWithArgs(ctx, "plat", components.PlatformArgs{Spec: p.spec(), Policies: &policies})
	if err != nil {
		return err
	}
	ctx.Export("clusterId", plat.ClusterID)
	ctx.Export("applied", plat.Policies.Applied)
	return nil
}

// baseline is what netpol builds for the current knobs, as the Platform
// derives it from the cluster spec.
func (p *platform) baseline(t *testing.T) netpol.Baseline {
	t.Helper()
	b, err := netpol.Build(netpol.ForCluster(p.policies().Config, p.spec().WithDefaults()))
	require.NoError(t, err)
	return b
}

func gvrOf(kind string) schema.GroupVersionResource {
	if kind == netpol.CiliumPolicyKind {
		return gvrCiliumPolicy
	}
	return gvrNetworkPolicy
}

// assertOnServer checks that every object of b is on the API server, with
// its labels and exactly its spec, applied by pulumi-kubernetes' field
// manager, and that its namespaces exist.
func assertOnServer(t *testing.T, dyn dynamic.Interface, b netpol.Baseline) {
	t.Helper()
	ctx := context.Background()
	kinds := map[string]int{}
	for _, want := range b.Objects() {
		got, err := dyn.Resource(gvrOf(want.GetKind())).Namespace(want.GetNamespace()).Get(ctx, want.GetName(), metav1.GetOptions{})
		if !assert.NoError(t, err, "%s %s/%s on the server", want.GetKind(), want.GetNamespace(), want.GetName()) {
			continue
		}
		kinds[want.GetKind()]++
		assert.Equal(t, want.GetLabels(), got.GetLabels(), "%s %s/%s labels", want.GetKind(), want.GetNamespace(), want.GetName())
		wantSpec, _, _ := unstructured.NestedMap(want.Object, "spec")
		gotSpec, _, _ := unstructured.NestedMap(got.Object, "spec")
		assert.True(t, equality.Semantic.DeepEqual(wantSpec, gotSpec), "%s %s/%s spec:\nbuilt:  %v\nserver: %v",
			want.GetKind(), want.GetNamespace(), want.GetName(), wantSpec, gotSpec)
		managers := []string{}
		for _, m := range got.GetManagedFields() {
			managers = append(managers, m.Manager)
		}
		assert.Equal(t, []string{FieldManager}, managers)
	}
	assert.Positive(t, kinds["NetworkPolicy"])
	assert.Positive(t, kinds[netpol.CiliumPolicyKind], "ACNS security on: Cilium policies too")
	for _, ns := range b.Namespaces {
		got, err := dyn.Resource(gvrNamespace).Get(ctx, ns, metav1.GetOptions{})
		if assert.NoError(t, err, "namespace %s", ns) {
			assert.Equal(t, netpol.ManagedByValue, got.GetLabels()[netpol.LabelManagedBy])
		}
	}
}

// assertGone checks that no object of namespace ns is left on the server and
// that the namespace is gone or Terminating (no namespace controller here).
func assertGone(t *testing.T, dyn dynamic.Interface, b netpol.Baseline, ns string) {
	t.Helper()
	ctx := context.Background()
	n := 0
	for _, obj := range b.Objects() {
		if obj.GetNamespace() != ns {
			continue
		}
		n++
		_, err := dyn.Resource(gvrOf(obj.GetKind())).Namespace(ns).Get(ctx, obj.GetName(), metav1.GetOptions{})
		assert.True(t, apierrors.IsNotFound(err), "%s %s/%s is deleted: %v", obj.GetKind(), ns, obj.GetName(), err)
	}
	assert.Positive(t, n, "namespace %s had objects", ns)
	got, err := dyn.Resource(gvrNamespace).Get(ctx, ns, metav1.GetOptions{})
	if err == nil {
		assert.NotNil(t, got.GetDeletionTimestamp(), "namespace %s is Terminating", ns)
	} else {
		assert.True(t, apierrors.IsNotFound(err), "%v", err)
	}
}

// TestEnginePlatformWithPolicies runs components.NewPlatformWithArgs with
// baseline policies through the real engine: the Azure resources go to the
// azure simulator, the namespaces and policies to the real API server.
func TestEnginePlatformWithPolicies(t *testing.T) {
	cli := pulumiCLI(t)
	kube, dyn := startKubesim(t)
	azure := azuresim.New(azuresim.Options{Logf: t.Logf})
	azurePort, err := azure.Start(t.Context())
	require.NoError(t, err)
	t.Cleanup(azure.Stop)
	debug := DebugProviders(fmt.Sprintf("%s:%d", azuresim.Package, azurePort), kube.DebugProviderEntry())
	require.Equal(t, azure.EnvVars()["PULUMI_DEBUG_PROVIDERS"]+","+kube.DebugProviderEntry(), debug)

	// The namespaces are per run: they outlive the test on the shared API
	// server (a deleted one stays Terminating), and go test -count=2 runs
	// the test again.
	shop, blog, docs := uniqueName("e2e-shop"), uniqueName("e2e-blog"), uniqueName("e2e-docs")
	p := &platform{namespaces: []string{shop, blog, docs}, fqdnNames: []string{"login.microsoftonline.com"}, shop: shop, blog: blog}
	stack := newStack(t, cli, p.program, debug)
	ctx := t.Context()
	step := stepTimer(t)

	// A first preview: the kubeconfig is unknown until the cluster exists,
	// so the engine plans the policies without calling the provider.
	pre, err := stack.Preview(ctx)
	require.NoError(t, err, "preview")
	assert.Positive(t, pre.ChangeSummary[apitype.OpCreate])
	nss, err := dyn.Resource(gvrNamespace).Get(ctx, shop, metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "a preview creates nothing: %v %v", nss, err)
	step("preview")

	up, err := stack.Up(ctx)
	require.NoError(t, err, "up")
	step("up")
	b := p.baseline(t)
	want := len(b.Objects()) + len(b.Namespaces)
	assert.Equal(t, want+len(azure.Resources())+4+1+1, (*up.Summary.ResourceChanges)["create"],
		"every Azure resource, object and namespace, the 4 components, the kubernetes provider and the stack: %s", up.StdOut)
	assert.Contains(t, up.StdOut, "simulated: kubernetes objects are applied to the local API server at "+kube.Host())
	assert.Contains(t, up.StdOut, "SIMULATED", "the azure simulator says so too")
	assert.NotContains(t, up.StdOut, "kubelogin", "the kubeconfig is never printed")
	_, ok := azure.Get("/subscriptions/" + azuresim.DefaultSubscriptionID +
		"/resourceGroups/rg-aks-kubesim/providers/Microsoft.ContainerService/managedClusters/aks-kubesim")
	assert.True(t, ok, "the cluster is in the simulated Azure")
	applied, _ := up.Outputs["applied"].Value.([]any)
	assert.Len(t, applied, len(b.Objects()))
	assertOnServer(t, dyn, b)

	_, err = stack.Preview(ctx, optpreview.ExpectNoChanges())
	require.NoError(t, err, "no-op preview")
	step("no-op preview")

	// Drift: a policy deleted behind Pulumi's back; refresh drops it, up
	// puts it back.
	victim := b.NetworkPolicies[0]
	require.NoError(t, dyn.Resource(gvrNetworkPolicy).Namespace(victim.Namespace).Delete(ctx, victim.Name, metav1.DeleteOptions{}))
	ref, err := stack.Refresh(ctx, optrefresh.SuppressProgress())
	require.NoError(t, err, "refresh")
	assert.Equal(t, 1, (*ref.Summary.ResourceChanges)["delete"], ref.StdOut)
	step("refresh after an out-of-band delete")
	up, err = stack.Up(ctx, optup.SuppressProgress())
	require.NoError(t, err, "up after refresh")
	assert.Equal(t, 1, (*up.Summary.ResourceChanges)["create"], up.StdOut)
	assertOnServer(t, dyn, b)
	step("up recreating it")

	// A changed FQDN name previews as an update of the Cilium policy with
	// the leaf's path; dropping a namespace deletes its objects.
	p.fqdnNames = []string{"login.microsoftonline.com", "graph.microsoft.com"}
	p.namespaces = []string{shop, blog}
	steps, pre := previewSteps(t, stack)
	var cnpUpdate *apitype.StepEventMetadata
	deletes := 0
	for i, s := range steps {
		switch {
		case s.Op == apitype.OpUpdate && s.Type == tokCiliumPolicy:
			cnpUpdate = &steps[i]
		case s.Op == apitype.OpDelete && strings.Contains(s.URN, docs):
			deletes++
		}
	}
	require.NotNil(t, cnpUpdate, "the FQDN policy is updated in place: %s", pre.StdOut)
	var paths []string
	for k, d := range cnpUpdate.DetailedDiff {
		paths = append(paths, k)
		assert.False(t, d.Kind == apitype.DiffAddReplace || d.Kind == apitype.DiffUpdateReplace, k)
	}
	assert.Contains(t, strings.Join(paths, " "), "toFQDNs[1].matchName", "the detailed diff names the leaf: %v", paths)
	docsObjects := 0
	for _, o := range b.Objects() {
		if o.GetNamespace() == docs {
			docsObjects++
		}
	}
	assert.Equal(t, docsObjects+1, deletes, "e2e-docs' objects and the namespace are deleted")
	assert.Zero(t, pre.ChangeSummary[apitype.OpReplace])
	step("preview of an FQDN change and a dropped namespace")

	up, err = stack.Up(ctx, optup.SuppressProgress())
	require.NoError(t, err, "up with e2e-docs dropped")
	assert.Equal(t, docsObjects+1, (*up.Summary.ResourceChanges)["delete"], up.StdOut)
	assertGone(t, dyn, b, docs)
	assertOnServer(t, dyn, p.baseline(t))
	step("up: FQDN updated, e2e-docs deleted")

	_, err = stack.Preview(ctx, optpreview.ExpectNoChanges())
	require.NoError(t, err, "converged")
	step("no-op preview")

	_, err = stack.Destroy(ctx, optdestroy.Remove(), optdestroy.SuppressProgress())
	require.NoError(t, err, "destroy")
	assertGone(t, dyn, b, shop)
	assertGone(t, dyn, b, blog)
	assert.Empty(t, azure.Resources(), "the simulated Azure is empty")
	step("destroy")
}

// TestEngineMalformedCiliumPolicy: kubesim alone, on the default kubernetes
// provider. A CiliumNetworkPolicy that breaks Cilium's schema fails the up
// with the server's message; fixed, it applies; an object without a name is
// autonamed; destroy removes everything.
func TestEngineMalformedCiliumPolicy(t *testing.T) {
	cli := pulumiCLI(t)
	kube, dyn := startKubesim(t)
	egress := any("tcp")
	ns := uniqueName("e2e-bad") // per run: a destroyed namespace stays Terminating on this server
	var npName pulumi.StringOutput
	program := func(ctx *pulumi.Context) error {
		nsRes, err := k8scorev1.NewNamespace(ctx, "ns", &k8scorev1.NamespaceArgs{
			Metadata: k8smetav1.ObjectMetaArgs{Name: pulumi.String(ns)},
		})
		if err != nil {
			return err
		}
		_, err = apiextensions.NewCustomResource(ctx, "cnp", &apiextensions.CustomResourceArgs{
			ApiVersion: pulumi.String(netpol.CiliumAPIVersion),
			Kind:       pulumi.String(netpol.CiliumPolicyKind),
			Metadata:   k8smetav1.ObjectMetaArgs{Name: pulumi.String("fqdn"), Namespace: pulumi.String(ns)},
			OtherFields: map[string]any{"spec": map[string]any{
				"endpointSelector": map[string]any{},
				"egress":           egress,
			}},
		}, pulumi.DependsOn([]pulumi.Resource{nsRes}))
		if err != nil {
			return err
		}
		np, err := k8snetv1.NewNetworkPolicy(ctx, "deny", &k8snetv1.NetworkPolicyArgs{
			Metadata: k8smetav1.ObjectMetaArgs{Namespace: pulumi.String(ns)},
			Spec: k8snetv1.NetworkPolicySpecArgs{
				PodSelector: k8smetav1.LabelSelectorArgs{},
				PolicyTypes: pulumi.StringArray{pulumi.String("Ingress")},
			},
		}, pulumi.DependsOn([]pulumi.Resource{nsRes}))
		if err != nil {
			return err
		}
		npName = np.Metadata.Name().Elem()
		ctx.Export("npName", npName)
		return nil
	}
	stack := newStack(t, cli, program, kube.DebugProviderEntry())
	ctx := t.Context()
	step := stepTimer(t)

	_, err := stack.Up(ctx, optup.SuppressProgress())
	require.Error(t, err)
	assert.Contains(t, err.Error(), ".spec.egress: expected list", "the API server's schema error")
	assert.Contains(t, err.Error(), "kubernetes:cilium.io/v2:CiliumNetworkPolicy")
	_, err = dyn.Resource(gvrCiliumPolicy).Namespace(ns).Get(ctx, "fqdn", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err))
	step("up rejected by Cilium's schema")

	egress = []any{map[string]any{"toFQDNs": []any{map[string]any{"matchName": "example.com"}}}}
	up, err := stack.Up(ctx, optup.SuppressProgress())
	require.NoError(t, err)
	step("up with the policy fixed")
	_, err = dyn.Resource(gvrCiliumPolicy).Namespace(ns).Get(ctx, "fqdn", metav1.GetOptions{})
	assert.NoError(t, err)
	name, _ := up.Outputs["npName"].Value.(string)
	assert.Regexp(t, `^deny-[0-9a-f]{8}$`, name, "autonamed")
	np, err := dyn.Resource(gvrNetworkPolicy).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, "true", np.GetAnnotations()[AutonamedAnnotation])

	_, err = stack.Preview(ctx, optpreview.ExpectNoChanges())
	require.NoError(t, err, "no-op preview keeps the autoname")
	step("no-op preview")

	_, err = stack.Destroy(ctx, optdestroy.Remove(), optdestroy.SuppressProgress())
	require.NoError(t, err)
	_, err = dyn.Resource(gvrCiliumPolicy).Namespace(ns).Get(ctx, "fqdn", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err))
	_, err = dyn.Resource(gvrNetworkPolicy).Namespace(ns).Get(ctx, name, metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err))
	step("destroy")
}
