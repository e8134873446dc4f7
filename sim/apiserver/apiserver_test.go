package apiserver

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
)

var env *Env

func TestMain(m *testing.M) { os.Exit(Main(m, &env)) }

// The server is the real one at the version the tools pin, and it serves
// Cilium's policy CRD with Cilium's schema.
func TestServerAndCiliumCRDs(t *testing.T) {
	cfg := env.Require(t)
	info, err := discovery.NewDiscoveryClientForConfigOrDie(cfg).ServerVersion()
	require.NoError(t, err)
	assert.Equal(t, "1", info.Major)
	assert.Equal(t, "32", info.Minor)

	dyn := dynamic.NewForConfigOrDie(cfg)
	cnp := schema.GroupVersionResource{Group: "cilium.io", Version: "v2", Resource: "ciliumnetworkpolicies"}
	good := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "cilium.io/v2", "kind": "CiliumNetworkPolicy",
		"metadata": map[string]any{"name": fmt.Sprintf("fqdn-%d", time.Now().UnixNano()), "namespace": "default"},
		"spec": map[string]any{
			"endpointSelector": map[string]any{},
			"egress":           []any{map[string]any{"toFQDNs": []any{map[string]any{"matchName": "example.com"}}}},
		},
	}}
	_, err = dyn.Resource(cnp).Namespace("default").Create(context.Background(), good, metav1.CreateOptions{})
	require.NoError(t, err)

	bad := good.DeepCopy()
	bad.SetName(good.GetName() + "-bad")
	require.NoError(t, unstructured.SetNestedField(bad.Object, "not-a-list", "spec", "egress"))
	_, err = dyn.Resource(cnp).Namespace("default").Create(context.Background(), bad, metav1.CreateOptions{})
	require.Error(t, err, "Cilium's schema rejects a malformed policy")
	assert.True(t, apierrors.IsInvalid(err), "a schema error, got %v", err)
}
