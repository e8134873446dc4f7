package kubesim

import (
	"github.com/aks-cilium/aks-cilium/components/spec"

	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	utiljson "k8s.io/apimachinery/pkg/util/json"

	"github.com/aks-cilium/aks-cilium/components/netpol"
)

func networkPolicy(ns, name string) map[string]any {
	return map[string]any{
		"apiVersion": "networking.k8s.io/v1",
		"kind":       "NetworkPolicy",
		"metadata": map[string]any{
			"name": name, "namespace": ns,
			"labels": map[string]any{"app.kubernetes.io/managed-by": "kubesim-test", "tier": "gold"},
		},
		"spec": map[string]any{
			"podSelector": map[string]any{},
			"policyTypes": []any{"Ingress", "Egress"},
		},
	}
}

// A NetworkPolicy through Check, Create (preview, then real), Read, Diff,
// Update (adding and removing fields), drift and refresh, and Delete.
func TestNetworkPolicyLifecycle(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ns := uniqueName("np-life")
	f.namespace(ns)
	nps := f.dyn.Resource(gvrNetworkPolicy).Namespace(ns)
	inputs := networkPolicy(ns, "deny")

	checked, failures := f.check(tokNetworkPolicy, "deny", nil, inputs)
	assert.Empty(t, failures)
	assert.Equal(t, inputs, checked, "a named object's inputs are returned as given")

	id, outs, err := f.create(tokNetworkPolicy, "deny", checked, true)
	require.NoError(t, err)
	assert.Empty(t, id, "a preview has no ID")
	assert.Equal(t, inputs, outs, "a preview returns the inputs")
	_, err = nps.Get(ctx, "deny", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "a preview touches nothing: %v", err)

	id, outs = f.mustCreate(tokNetworkPolicy, "deny", checked)
	assert.Equal(t, ns+"/deny", id)
	live, err := nps.Get(ctx, "deny", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, string(live.GetUID()), outs["metadata"].(map[string]any)["uid"], "the outputs are the live object")
	assert.NotContains(t, outs["metadata"], "managedFields")
	assert.Equal(t, "gold", live.GetLabels()["tier"])
	require.Len(t, live.GetManagedFields(), 1)
	assert.Equal(t, FieldManager, live.GetManagedFields()[0].Manager)
	assert.Equal(t, metav1.ManagedFieldsOperationApply, live.GetManagedFields()[0].Operation, "server-side apply")

	rid, routs, rins := f.read(tokNetworkPolicy, "deny", id, outs, inputs)
	assert.Equal(t, id, rid)
	assert.Equal(t, outs["metadata"].(map[string]any)["resourceVersion"], routs["metadata"].(map[string]any)["resourceVersion"])
	assert.Equal(t, inputs, rins, "a refresh without drift keeps the inputs")

	// Add an egress rule, change a label, drop another: an update with leaf paths.
	news := with(inputs, "spec.egress", []any{map[string]any{"ports": []any{map[string]any{"port": 53, "protocol": "UDP"}}}})
	news = with(news, "metadata.labels.tier", "silver")
	news["metadata"].(map[string]any)["labels"] = map[string]any{"tier": "silver"}
	d := f.diff(tokNetworkPolicy, inputs, news)
	assert.Equal(t, pulumirpc.DiffResponse_DIFF_SOME, d.GetChanges())
	assert.Empty(t, d.GetReplaces())
	assert.ElementsMatch(t, []string{"metadata", "spec"}, d.GetDiffs())
	assert.Equal(t, map[string]pulumirpc.PropertyDiff_Kind{
		"spec.egress":          pulumirpc.PropertyDiff_ADD,
		"metadata.labels.tier": pulumirpc.PropertyDiff_UPDATE,
		`metadata.labels["app.kubernetes.io/managed-by"]`: pulumirpc.PropertyDiff_DELETE,
	}, detailed(d))

	outs, err = f.update(tokNetworkPolicy, "deny", id, inputs, news)
	require.NoError(t, err)
	live, err = nps.Get(ctx, "deny", metav1.GetOptions{})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"tier": "silver"}, live.GetLabels(), "a label the inputs no longer state is removed")
	egress, _, _ := unstructured.NestedSlice(live.Object, "spec", "egress")
	require.Len(t, egress, 1)
	assert.Equal(t, map[string]any{"port": int64(53), "protocol": "UDP"}, egress[0].(map[string]any)["ports"].([]any)[0])
	assert.Equal(t, "silver", outs["metadata"].(map[string]any)["labels"].(map[string]any)["tier"])

	// Drift: a label changed behind Pulumi's back; a refresh carries it into
	// the inputs, so the next diff undoes it.
	live.SetLabels(map[string]string{"tier": "bronze", "extra": "x"})
	_, err = nps.Update(ctx, live, metav1.UpdateOptions{FieldManager: "kubectl-edit"})
	require.NoError(t, err)
	_, _, rins = f.read(tokNetworkPolicy, "deny", id, outs, news)
	assert.Equal(t, map[string]any{"tier": "bronze"}, rins["metadata"].(map[string]any)["labels"], "drift in a field the inputs state; the new label is not an input")
	d = f.diff(tokNetworkPolicy, rins, news)
	assert.Equal(t, map[string]pulumirpc.PropertyDiff_Kind{"metadata.labels.tier": pulumirpc.PropertyDiff_UPDATE}, detailed(d))

	// An import: a read with only the ID derives the inputs from the object.
	rid, _, rins = f.read(tokNetworkPolicy, "deny", id, nil, nil)
	assert.Equal(t, id, rid)
	assert.Equal(t, "networking.k8s.io/v1", rins["apiVersion"])
	assert.NotContains(t, rins["metadata"], "uid")
	assert.NotContains(t, rins["metadata"], "resourceVersion")
	assert.Contains(t, rins, "spec")

	require.NoError(t, f.delete(tokNetworkPolicy, "deny", id, outs))
	_, err = nps.Get(ctx, "deny", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "deleted: %v", err)
	require.NoError(t, f.delete(tokNetworkPolicy, "deny", id, outs), "deleting what is gone succeeds")
	rid, _, _ = f.read(tokNetworkPolicy, "deny", id, outs, news)
	assert.Empty(t, rid, "a refresh drops a deleted object")
}

// ciliumPolicy is a real CiliumNetworkPolicy from the netpol builder, as
// BaselinePolicies registers it (apiVersion, kind, metadata, spec).
func ciliumPolicy(t *testing.T, ns string) map[string]any {
	t.Helper()
	b, err := netpol.Build(netpol.Config{
		Namespaces: []string{ns}, ACNS: netpol.ACNS{Enabled: true, Security: spec.ACNSSecurityL7}, KubernetesVersion: "1.32",
		FQDNEgress: []netpol.FQDNEgress{{Name: "storage", MatchPatterns: []string{"*.blob.core.windows.net"}}},
	})
	require.NoError(t, err)
	require.Len(t, b.CiliumPolicies, 1)
	u, err := b.CiliumPolicies[0].ToUnstructured()
	require.NoError(t, err)
	return map[string]any{
		"apiVersion": netpol.CiliumAPIVersion, "kind": netpol.CiliumPolicyKind,
		"metadata": map[string]any{"name": u.GetName(), "namespace": ns, "labels": toAny(u.GetLabels())},
		"spec":     u.Object["spec"],
	}
}

func toAny(m map[string]string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// CiliumNetworkPolicies are validated by Cilium's CRD schema on the real
// server: a good one is stored as built; a malformed one fails with the
// server's message and stores nothing; a misspelt field fails too
// (server-side apply's typed patch).
func TestCiliumNetworkPolicyValidatedBySchema(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ns := uniqueName("cnp-schema")
	f.namespace(ns)
	cnps := f.dyn.Resource(gvrCiliumPolicy).Namespace(ns)

	good := ciliumPolicy(t, ns)
	name := good["metadata"].(map[string]any)["name"].(string)
	id, outs := f.mustCreate(tokCiliumPolicy, "fqdn", good)
	assert.Equal(t, ns+"/"+name, id)
	live, err := cnps.Get(ctx, name, metav1.GetOptions{})
	require.NoError(t, err)
	assert.True(t, equality.Semantic.DeepEqual(roundTrip(t, good["spec"]), live.Object["spec"]),
		"stored as built:\n%v\n%v", good["spec"], live.Object["spec"])
	assert.Equal(t, live.Object["spec"], roundTrip(t, outs["spec"]))

	// The structure breaks the schema: server-side apply refuses it.
	bad := with(good, "metadata.name", "malformed")
	bad["spec"].(map[string]any)["egress"] = "tcp"
	_, _, err = f.create(tokCiliumPolicy, "malformed", bad, false)
	require.Error(t, err)
	assert.Contains(t, err.Error(), ".spec.egress: expected list")
	assert.Contains(t, err.Error(), "simulated, API server "+f.cfg.Host)
	_, err = cnps.Get(ctx, "malformed", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err), "a rejected policy is not stored")

	// A value outside the schema's enum: the CRD's validation refuses it.
	badValue := with(good, "metadata.name", "bad-protocol")
	egress := badValue["spec"].(map[string]any)["egress"].([]any)
	egress[len(egress)-1].(map[string]any)["toPorts"].([]any)[0].(map[string]any)["ports"].([]any)[0].(map[string]any)["protocol"] = "XTP"
	_, _, err = f.create(tokCiliumPolicy, "bad-protocol", badValue, false)
	require.Error(t, err)
	var status apierrors.APIStatus
	require.ErrorAs(t, err, &status, "the API server's own error, wrapped")
	assert.True(t, apierrors.IsInvalid(err), "%v", err)
	assert.Contains(t, err.Error(), `CiliumNetworkPolicy.cilium.io "bad-protocol" is invalid`)
	assert.Contains(t, err.Error(), `Unsupported value: "XTP"`)

	// A misspelt field: server-side apply refuses it.
	typo := with(good, "metadata.name", "typo")
	typo["spec"].(map[string]any)["egress"].([]any)[0].(map[string]any)["toFQDN"] = []any{map[string]any{"matchName": "example.com"}}
	_, _, err = f.create(tokCiliumPolicy, "typo", typo, false)
	require.Error(t, err)
	assert.Contains(t, err.Error(), ".spec.egress[0].toFQDN: field not declared in schema")

	// A kind the server does not serve says so.
	unknown := with(good, "apiVersion", "cilium.io/v9")
	_, _, err = f.create("kubernetes:cilium.io/v9:CiliumNetworkPolicy", "v9", unknown, false)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "does not serve cilium.io/v9 CiliumNetworkPolicy")

	require.NoError(t, f.delete(tokCiliumPolicy, "fqdn", id, outs))
	_, err = cnps.Get(ctx, name, metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err))
}

// roundTrip gives a value the shape client-go decodes JSON into (int64).
func roundTrip(t *testing.T, v any) any {
	t.Helper()
	data, err := json.Marshal(v)
	require.NoError(t, err)
	var back any
	require.NoError(t, utiljson.Unmarshal(data, &back))
	return back
}

// A namespace is cluster-scoped (ID = name), is created Active, and its
// delete returns promptly on a server without a namespace controller
// (Terminating counts as deleted). Objects in a missing namespace fail with
// the server's message.
func TestNamespaceLifecycle(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	name := uniqueName("ns-life")
	inputs := map[string]any{
		"apiVersion": "v1", "kind": "Namespace",
		"metadata": map[string]any{"name": name, "labels": map[string]any{"team": "a"}, "namespace": "ignored"},
	}
	checked, failures := f.check(tokNamespace, "ns", nil, inputs)
	require.Empty(t, failures)
	id, outs := f.mustCreate(tokNamespace, "ns", checked)
	assert.Equal(t, name, id, "a cluster-scoped object's ID is its name")
	assert.Equal(t, "Active", outs["status"].(map[string]any)["phase"], "the outputs carry the status")
	assert.Equal(t, name, outs["metadata"].(map[string]any)["labels"].(map[string]any)["kubernetes.io/metadata.name"],
		"the server's own label")

	_, _, err := f.create(tokNetworkPolicy, "orphan", networkPolicy("ns-missing", "deny"), false)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `namespaces "ns-missing" not found`)

	start := time.Now()
	require.NoError(t, f.delete(tokNamespace, "ns", id, outs))
	assert.Less(t, time.Since(start), 10*time.Second, "a namespace delete does not wait for a controller that is not there")
	ns, err := f.dyn.Resource(gvrNamespace).Get(ctx, name, metav1.GetOptions{})
	if err == nil {
		assert.NotNil(t, ns.GetDeletionTimestamp(), "the namespace is Terminating")
	} else {
		assert.True(t, apierrors.IsNotFound(err), "%v", err)
	}
	assert.Contains(t, f.log.String(), "no kube-controller-manager")
	require.NoError(t, f.delete(tokNamespace, "ns", id, outs), "deleting again succeeds")
}

// Delete waits for an object to go, but only so long: one held by a
// finalizer nobody removes fails the delete, naming the finalizer.
func TestDeleteIsBounded(t *testing.T) {
	f := newFixture(t)
	f.sim.opts.DeleteTimeout = 300 * time.Millisecond
	ns := uniqueName("cm-held")
	f.namespace(ns)
	cm := map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "held", "namespace": ns, "finalizers": []any{"example.com/hold"}},
		"data":     map[string]any{"k": "v"},
	}
	id, outs := f.mustCreate("kubernetes:core/v1:ConfigMap", "held", cm)
	assert.Equal(t, "v", outs["data"].(map[string]any)["k"], "top-level fields other than spec are applied")
	err := f.delete("kubernetes:core/v1:ConfigMap", "held", id, outs)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "ConfigMap "+ns+"/held is still present 300ms after its deletion (finalizers [example.com/hold])")

	_, err = f.kube.CoreV1().ConfigMaps(ns).Patch(context.Background(), "held", types.MergePatchType,
		[]byte(`{"metadata":{"finalizers":null}}`), metav1.PatchOptions{})
	require.NoError(t, err)
	require.NoError(t, f.delete("kubernetes:core/v1:ConfigMap", "held", id, outs), "gone once released")
}

// A name change replaces the object: the engine creates the new one, then
// deletes the old; both names live on the server in between.
func TestReplaceOnNameChange(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	ns := uniqueName("np-replace")
	f.namespace(ns)
	nps := f.dyn.Resource(gvrNetworkPolicy).Namespace(ns)
	old := networkPolicy(ns, "before")
	oldID, oldOuts := f.mustCreate(tokNetworkPolicy, "p", old)

	renamed := with(old, "metadata.name", "after")
	d := f.diff(tokNetworkPolicy, old, renamed)
	assert.Equal(t, []string{"metadata.name"}, d.GetReplaces())
	assert.Equal(t, map[string]pulumirpc.PropertyDiff_Kind{"metadata.name": pulumirpc.PropertyDiff_UPDATE_REPLACE}, detailed(d))
	assert.False(t, d.GetDeleteBeforeReplace(), "a new name can be created before the old one goes")

	newID, _ := f.mustCreate(tokNetworkPolicy, "p", renamed)
	assert.Equal(t, ns+"/after", newID)
	require.NoError(t, f.delete(tokNetworkPolicy, "p", oldID, oldOuts))
	_, err := nps.Get(ctx, "before", metav1.GetOptions{})
	assert.True(t, apierrors.IsNotFound(err))
	_, err = nps.Get(ctx, "after", metav1.GetOptions{})
	assert.NoError(t, err)
}

func TestDiff(t *testing.T) {
	base := networkPolicy("ns", "p")
	cases := []struct {
		name     string
		news     map[string]any
		replaces []string
		dbr      bool
		detailed map[string]pulumirpc.PropertyDiff_Kind
	}{
		{"namespace", with(base, "metadata.namespace", "other"), []string{"metadata.namespace"}, false,
			map[string]pulumirpc.PropertyDiff_Kind{"metadata.namespace": pulumirpc.PropertyDiff_UPDATE_REPLACE}},
		{"kind, same name", with(base, "kind", "CiliumNetworkPolicy"), []string{"kind"}, true,
			map[string]pulumirpc.PropertyDiff_Kind{"kind": pulumirpc.PropertyDiff_UPDATE_REPLACE}},
		{"apiVersion", with(base, "apiVersion", "networking.k8s.io/v2"), []string{"apiVersion"}, true,
			map[string]pulumirpc.PropertyDiff_Kind{"apiVersion": pulumirpc.PropertyDiff_UPDATE_REPLACE}},
		{"name and a label", with(with(base, "metadata.name", "q"), "metadata.labels.tier", "x"), []string{"metadata.name"}, false,
			map[string]pulumirpc.PropertyDiff_Kind{
				"metadata.name":        pulumirpc.PropertyDiff_UPDATE_REPLACE,
				"metadata.labels.tier": pulumirpc.PropertyDiff_UPDATE,
			}},
		{"policy types", with(base, "spec.policyTypes", []any{"Ingress"}), nil, false,
			map[string]pulumirpc.PropertyDiff_Kind{"spec.policyTypes[1]": pulumirpc.PropertyDiff_DELETE}},
	}
	f := &fixture{t: t, srv: New(Options{}).Server()}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f.t = t
			d := f.diff(tokNetworkPolicy, base, c.news)
			assert.Equal(t, pulumirpc.DiffResponse_DIFF_SOME, d.GetChanges())
			assert.Equal(t, c.replaces, d.GetReplaces())
			assert.Equal(t, c.dbr, d.GetDeleteBeforeReplace())
			assert.Equal(t, c.detailed, detailed(d))
		})
	}
	f.t = t
	d := f.diff(tokNetworkPolicy, base, base)
	assert.Equal(t, pulumirpc.DiffResponse_DIFF_NONE, d.GetChanges(), "the old outputs (status) do not count")

	// An unset namespace is "default": stating it is no replacement.
	noNS := with(base, "metadata.namespace", nil)
	d = f.diff(tokNetworkPolicy, noNS, with(base, "metadata.namespace", "default"))
	assert.Empty(t, d.GetReplaces())

	// metadata added as a whole with a name: a replacement.
	d = f.diff(tokNetworkPolicy, with(base, "metadata", nil), base)
	assert.Equal(t, []string{"metadata.name", "metadata.namespace"}, d.GetReplaces())
	assert.Equal(t, pulumirpc.PropertyDiff_ADD_REPLACE, detailed(d)["metadata"])
}

// Check autonames like pulumi-kubernetes: "<name>-<8 hex>" from the random
// seed, annotated, kept on later checks; the engine's autonaming options
// win when given.
func TestCheckAutonaming(t *testing.T) {
	f := &fixture{t: t, srv: New(Options{}).Server()}
	noName := with(networkPolicy("ns", "x"), "metadata.name", nil)

	got, failures := f.check(tokNetworkPolicy, "web", nil, noName)
	require.Empty(t, failures)
	md := got["metadata"].(map[string]any)
	assert.Regexp(t, `^web-[0-9a-f]{8}$`, md["name"])
	assert.Equal(t, "true", md["annotations"].(map[string]any)[AutonamedAnnotation])
	again, _ := f.check(tokNetworkPolicy, "web", nil, noName)
	assert.Equal(t, md["name"], again["metadata"].(map[string]any)["name"], "the same seed, the same name")

	kept, _ := f.check(tokNetworkPolicy, "web", with(got, "metadata.name", "web-0000beef"), noName)
	assert.Equal(t, "web-0000beef", kept["metadata"].(map[string]any)["name"], "an autonamed object keeps its name")

	// No apiVersion or kind: from the type token (core/v1 is "v1").
	ns, failures := f.check(tokNamespace, "n", nil, map[string]any{"metadata": map[string]any{"name": "n"}})
	require.Empty(t, failures)
	assert.Equal(t, "v1", ns["apiVersion"])
	assert.Equal(t, "Namespace", ns["kind"])

	for mode, want := range map[pulumirpc.CheckRequest_AutonamingOptions_Mode]string{
		pulumirpc.CheckRequest_AutonamingOptions_ENFORCE: "team-web",
		pulumirpc.CheckRequest_AutonamingOptions_PROPOSE: "team-web",
	} {
		resp, err := f.srv.Check(context.Background(), &pulumirpc.CheckRequest{
			Urn: urn(tokNetworkPolicy, "web"), Type: tokNetworkPolicy, News: wire(t, noName),
			Autonaming: &pulumirpc.CheckRequest_AutonamingOptions{ProposedName: "team-web", Mode: mode},
		})
		require.NoError(t, err)
		assert.Equal(t, want, unwire(t, resp.GetInputs())["metadata"].(map[string]any)["name"], mode.String())
	}
	resp, err := f.srv.Check(context.Background(), &pulumirpc.CheckRequest{
		Urn: urn(tokNetworkPolicy, "web"), Type: tokNetworkPolicy, News: wire(t, noName),
		Autonaming: &pulumirpc.CheckRequest_AutonamingOptions{Mode: pulumirpc.CheckRequest_AutonamingOptions_DISABLE},
	})
	require.NoError(t, err)
	require.Len(t, resp.GetFailures(), 1)
	assert.Equal(t, "metadata.name", resp.GetFailures()[0].GetProperty())
}

// The gRPC server: plugin info, Cancel leaves it serving, Configure labels
// the run and never logs the kubeconfig, the env helpers, Stop.
func TestServer(t *testing.T) {
	cfg := env.Require(t)
	log := &logBuffer{}
	sim := New(Options{Config: cfg, Logf: log.logf})
	port, err := sim.Start(t.Context())
	require.NoError(t, err)
	t.Cleanup(sim.Stop)
	assert.Contains(t, sim.String(), "simulated")

	conn, err := grpc.NewClient("127.0.0.1:"+strconv.Itoa(port), grpc.WithTransportCredentials(insecure.NewCredentials()))
	require.NoError(t, err)
	defer conn.Close()
	client := pulumirpc.NewResourceProviderClient(conn)
	ctx := context.Background()

	info, err := client.GetPluginInfo(ctx, &emptypb.Empty{})
	require.NoError(t, err)
	assert.Equal(t, "4.32.0", info.GetVersion())
	schema, err := client.GetSchema(ctx, &pulumirpc.GetSchemaRequest{})
	require.NoError(t, err)
	assert.Contains(t, schema.GetSchema(), `"name":"kubernetes"`)

	const secret = "token-that-must-never-be-logged"
	args, err := structpb.NewStruct(map[string]any{"kubeconfig": "apiVersion: v1\nusers:\n- user:\n    token: " + secret})
	require.NoError(t, err)
	for range 2 {
		resp, err := client.Configure(ctx, &pulumirpc.ConfigureRequest{
			Args:      args,
			Variables: map[string]string{"kubernetes:config:kubeconfig": secret},
		})
		require.NoError(t, err)
		assert.True(t, resp.GetSupportsPreview())
		assert.False(t, resp.GetAcceptSecrets(), "the engine unwraps secrets and re-marks outputs")
	}
	_, err = client.Cancel(ctx, &emptypb.Empty{})
	require.NoError(t, err)
	info, err = client.GetPluginInfo(ctx, &emptypb.Empty{})
	require.NoError(t, err, "Cancel does not stop the server")
	assert.Equal(t, Version, info.GetVersion())

	logged := log.String()
	assert.NotContains(t, logged, secret)
	assert.Equal(t, 1, strings.Count(logged, "simulated: kubernetes objects are applied to the local API server at "+cfg.Host),
		"labelled once:\n%s", logged)

	assert.Equal(t, map[string]string{"PULUMI_DEBUG_PROVIDERS": "kubernetes:" + strconv.Itoa(port)}, sim.EnvVars())
	assert.Equal(t, "azure-native:1234,kubernetes:"+strconv.Itoa(port),
		DebugProviders("azure-native:1234", "", sim.DebugProviderEntry()))

	sim.Stop()
	_, err = client.GetPluginInfo(ctx, &emptypb.Empty{})
	assert.Error(t, err, "stopped")
	_, err = sim.Start(ctx)
	assert.Error(t, err, "a stopped simulator does not start again")
}

func TestPrune(t *testing.T) {
	live := map[string]any{
		"metadata": map[string]any{"name": "a", "uid": "u", "labels": map[string]any{"x": "2", "y": "3"}},
		"spec":     map[string]any{"list": []any{map[string]any{"a": 1, "b": 2}, "extra"}},
		"status":   map[string]any{"phase": "Active"},
	}
	old := map[string]any{
		"metadata": map[string]any{"name": "a", "labels": map[string]any{"x": "1", "gone": "z"}},
		"spec":     map[string]any{"list": []any{map[string]any{"a": 0}}},
	}
	assert.Equal(t, map[string]any{
		"metadata": map[string]any{"name": "a", "labels": map[string]any{"x": "2"}},
		"spec":     map[string]any{"list": []any{map[string]any{"a": 1}, "extra"}},
	}, prune(live, old))
}
