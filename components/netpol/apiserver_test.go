package netpol

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/aks-cilium/aks-cilium/sim/apiserver"
)

// env is a real kube-apiserver (v1.32, from `make tools`) with Cilium's CRDs.
var env *apiserver.Env

func TestMain(m *testing.M) { os.Exit(apiserver.Main(m, &env)) }

var (
	gvrNetworkPolicy = schema.GroupVersionResource{Group: "networking.k8s.io", Version: "v1", Resource: "networkpolicies"}
	gvrCiliumPolicy  = schema.GroupVersionResource{Group: "cilium.io", Version: "v2", Resource: "ciliumnetworkpolicies"}
)

// TestBaselineOnARealAPIServer applies every preset, with ACNS off and on,
// to a real API server (server-side validation; Cilium policies against
// Cilium's CRD schema) and reads each object back: its spec must come back
// exactly as built, so the server defaults nothing that a later Pulumi diff
// would show as drift.
func TestBaselineOnARealAPIServer(t *testing.T) {
	cfg := env.Require(t)
	kube := kubernetes.NewForConfigOrDie(cfg)
	dyn := dynamic.NewForConfigOrDie(cfg)
	ctx := context.Background()

	// Namespaces are unique to this run: the shared API server keeps the
	// previous run's (go test -count=2), and it has no namespace controller.
	run := fmt.Sprintf("%x", time.Now().UnixNano()&0xffffff)
	acns := acnsConfig()
	acns.Namespaces = []string{"shop-" + run}
	everything := Config{
		Namespaces: []string{"store-" + run, "blog-" + run}, AllowEgressToExternal: true, AllowAllPods: true,
		IngressController:    &IngressControllerAllowance{Namespace: "ingress-nginx", PodSelector: map[string]string{"app": "ingress-nginx"}, Ports: []int32{8080, 8443}},
		Monitoring:           &MonitoringAllowance{Namespace: "monitoring", Port: 9090},
		InternetEgressExcept: []string{"100.64.0.0/10"},
	}
	cases := map[string]Config{
		"defaults":           {Namespaces: []string{"plain-" + run}},
		"every preset":       everything,
		"acns fqdn and http": acns,
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			b, err := Build(c)
			require.NoError(t, err)
			for _, ns := range b.Namespaces {
				_, err := kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}, metav1.CreateOptions{})
				require.NoError(t, err)
			}
			objects := b.Objects()
			require.NotEmpty(t, objects)
			kinds := map[string]int{}
			for _, obj := range objects {
				gvr := gvrNetworkPolicy
				if obj.GetKind() == CiliumPolicyKind {
					gvr = gvrCiliumPolicy
				}
				kinds[obj.GetKind()]++
				created, err := dyn.Resource(gvr).Namespace(obj.GetNamespace()).Create(ctx, obj, metav1.CreateOptions{FieldValidation: "Strict"})
				require.NoError(t, err, "%s %s/%s rejected by the API server", obj.GetKind(), obj.GetNamespace(), obj.GetName())

				back, err := dyn.Resource(gvr).Namespace(obj.GetNamespace()).Get(ctx, created.GetName(), metav1.GetOptions{})
				require.NoError(t, err)
				want, _, _ := unstructured.NestedMap(obj.Object, "spec")
				got, _, _ := unstructured.NestedMap(back.Object, "spec")
				assert.True(t, equality.Semantic.DeepEqual(want, got), "%s %s/%s read back differently:\nbuilt: %v\nback:  %v",
					obj.GetKind(), obj.GetNamespace(), obj.GetName(), want, got)
				assert.Equal(t, obj.GetLabels(), back.GetLabels())
			}
			if name == "acns fqdn and http" {
				assert.Positive(t, kinds[CiliumPolicyKind], "the ACNS case applies Cilium policies")
			}
		})
	}
}

// TestCiliumSchemaRejectsMalformedPolicy shows the CRD schema is really
// enforcing: a policy that breaks it is refused, so the test above is not
// passing on a server that accepts anything.
func TestCiliumSchemaRejectsMalformedPolicy(t *testing.T) {
	cfg := env.Require(t)
	dyn := dynamic.NewForConfigOrDie(cfg)
	b, err := Build(acnsConfig())
	require.NoError(t, err)
	var cnp *unstructured.Unstructured
	for _, obj := range b.Objects() {
		if obj.GetKind() == CiliumPolicyKind {
			cnp = obj.DeepCopy()
			break
		}
	}
	require.NotNil(t, cnp)
	cnp.SetNamespace("default")
	cnp.SetName(fmt.Sprintf("malformed-%x", time.Now().UnixNano()&0xffffff))
	require.NoError(t, unstructured.SetNestedField(cnp.Object, "tcp", "spec", "egress"))
	_, err = dyn.Resource(gvrCiliumPolicy).Namespace("default").Create(context.Background(), cnp, metav1.CreateOptions{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "spec.egress")
}
