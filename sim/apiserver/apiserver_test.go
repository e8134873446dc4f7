package apiserver

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
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

	"github.com/aks-cilium/aks-cilium/internal/proc"
)

var env *Env

// helperEnv runs the test binary as a child that starts a server, prints
// its folder and waits to be killed (TestServersDieWithTheirParent).
const helperEnv = "AKS_CILIUM_APISERVER_HELPER"

func TestMain(m *testing.M) {
	if os.Getenv(helperEnv) == "1" {
		e, err := Start()
		if err != nil || e.Missing != "" {
			fmt.Println("ERROR", err, e.Missing)
			os.Exit(1)
		}
		fmt.Printf("DIR=%s\n", e.Dir)
		select {} // until killed
	}
	os.Exit(Main(m, &env))
}

// A process that started the server is killed (kill -9, no Stop): etcd and
// kube-apiserver die with it, and the next start removes its folder.
func TestServersDieWithTheirParent(t *testing.T) {
	env.Require(t)
	if !proc.ParentDeathSignal {
		t.Skip("skipped: no parent-death signal outside Linux; the next Start cleans up instead")
	}
	tmp := t.TempDir()
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), helperEnv+"=1", "TMPDIR="+tmp)
	out, err := child.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, child.Start())
	defer func() { _ = child.Process.Kill(); _ = child.Wait() }()
	line, err := bufio.NewReader(out).ReadString('\n')
	require.NoError(t, err)
	dir, ok := strings.CutPrefix(strings.TrimSpace(line), "DIR=")
	require.True(t, ok, "the child says: %s", line)
	servers := proc.UsingDir(dir)
	require.Len(t, servers, 2, "etcd and kube-apiserver run from %s", dir)
	t.Cleanup(func() {
		for _, pid := range proc.UsingDir(dir) {
			_ = syscall.Kill(pid, syscall.SIGKILL) // only if the test failed
		}
	})

	require.NoError(t, child.Process.Signal(syscall.SIGKILL))
	_ = child.Wait()
	assert.Eventually(t, func() bool { return len(proc.UsingDir(dir)) == 0 }, time.Minute, 50*time.Millisecond,
		"etcd and kube-apiserver (%v) outlived the process that started them", servers)
	assert.DirExists(t, dir, "the killed process could not remove its folder")
	assert.Equal(t, []string{dir}, proc.CleanStale(tmp, runDirPrefix), "the next start removes it")
	assert.NoDirExists(t, dir)
}

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
