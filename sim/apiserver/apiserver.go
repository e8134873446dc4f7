// Package apiserver starts a real local kube-apiserver and etcd, with
// Cilium's CRDs installed, so Kubernetes objects are checked by the server's
// own validation (and Cilium policies by Cilium's schema), not by a fake. It
// is the API server behind kubesim in tests and in simulated runs, offered to
// platforms for their own tests. It does not import package testing: Require
// and Main take the few methods they use.
//
// The binaries come from `make tools` (tools/build.sh): KUBEBUILDER_ASSETS
// names the folder with kube-apiserver and etcd, AKS_CILIUM_CRDS the CRDs.
// Without them a test skips and says how to build them, unless
// AKS_CILIUM_REQUIRE_TOOLS=1 (set by `make test` and CI), where a missing
// tool fails the test instead: CI never turns green by skipping.
//
// Start is slow (2-4 s), so start one server per test package in TestMain:
//
//	var env *apiserver.Env
//	func TestMain(m *testing.M) { os.Exit(apiserver.Main(m, &env)) }
//	func TestX(t *testing.T) { cfg := env.Require(t) ... }
package apiserver

import (
	"fmt"
	"os"
	"path/filepath"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// Env is a running API server, or the reason there is none.
type Env struct {
	env *envtest.Environment
	// Config reaches the server as an admin.
	Config *rest.Config
	// Missing says why no server runs (a tool is not built); empty when it runs.
	Missing string
}

// Start runs kube-apiserver and etcd and installs Cilium's CRDs. When a tool
// is missing it returns an Env with Missing set and no error.
func Start() (*Env, error) {
	assets, crds, missing := locate()
	if missing != "" {
		return &Env{Missing: missing}, nil
	}
	env := &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDDirectoryPaths:     []string{filepath.Join(crds, "v2"), filepath.Join(crds, "v2alpha1")},
		ErrorIfCRDPathMissing: true,
	}
	cfg, err := env.Start()
	if err != nil {
		return nil, fmt.Errorf("starting kube-apiserver from %s: %w", assets, err)
	}
	return &Env{env: env, Config: cfg}, nil
}

// Stop ends the server; it is safe on an Env that never started.
func (e *Env) Stop() error {
	if e == nil || e.env == nil {
		return nil
	}
	return e.env.Stop()
}

// Require returns the server's config, or skips the test saying which tool is
// missing (fails it when AKS_CILIUM_REQUIRE_TOOLS=1).
func (e *Env) Require(t TB) *rest.Config {
	t.Helper()
	switch {
	case e == nil:
		t.Fatalf("%s", "apiserver: the package's TestMain did not start the server (use apiserver.Main)")
	case e.Missing != "" && os.Getenv("AKS_CILIUM_REQUIRE_TOOLS") == "1":
		t.Fatalf("apiserver: %s (AKS_CILIUM_REQUIRE_TOOLS=1, so this fails instead of skipping)", e.Missing)
	case e.Missing != "":
		t.Skipf("apiserver: skipped, no real API server: %s", e.Missing)
	}
	return rest.CopyConfig(e.Config)
}

// TB is the part of testing.TB that Require uses.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Skipf(format string, args ...any)
}

// Main starts the server for a test package, runs its tests and stops it.
func Main(m interface{ Run() int }, env **Env) int {
	e, err := Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	*env = e
	code := m.Run()
	if err := e.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, "apiserver: stopping the API server:", err)
	}
	return code
}

// locate finds the API server binaries and the CRDs from the environment or
// the default tools cache, or says what is missing and how to build it.
func locate() (assets, crds, missing string) {
	cache := os.Getenv("TOOLS_CACHE")
	if cache == "" {
		if dir, err := os.UserCacheDir(); err == nil {
			cache = filepath.Join(dir, "aks-cilium", "tools")
		}
	}
	assets = firstDir(os.Getenv("KUBEBUILDER_ASSETS"), filepath.Join(cache, "kubernetes-v*"), "kube-apiserver")
	crds = firstDir(os.Getenv("AKS_CILIUM_CRDS"), filepath.Join(cache, "cilium-crds-v*"), filepath.Join("v2", "ciliumnetworkpolicies.yaml"))
	switch {
	case assets == "":
		return "", "", "kube-apiserver and etcd are not built: run `make tools` (or set KUBEBUILDER_ASSETS)"
	case crds == "":
		return "", "", "Cilium's CRDs are not fetched: run `make tools` (or set AKS_CILIUM_CRDS)"
	}
	return assets, crds, ""
}

// firstDir returns explicit when set, else the last match of pattern, provided
// it holds the file want.
func firstDir(explicit, pattern, want string) string {
	candidates := []string{explicit}
	if explicit == "" {
		candidates, _ = filepath.Glob(pattern)
	}
	for i := len(candidates) - 1; i >= 0; i-- {
		if _, err := os.Stat(filepath.Join(candidates[i], want)); err == nil {
			return candidates[i]
		}
	}
	return ""
}
