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
// etcd and kube-apiserver die with the process that started them: on Linux
// they run under `setpriv --pdeathsig KILL` (util-linux), so even a kill -9
// of that process ends them (envtest starts them itself and offers no hook
// to set a parent-death signal). Their data and certificates live in a
// per-process folder, <TMPDIR>/aks-cilium-apiserver-<pid>-*, removed by
// Stop; the next Start removes the folders of processes that are gone, and
// kills what still runs from them (where there was no parent-death signal).
//
// Start is slow (2-4 s), so start one server per test package in TestMain:
//
//	var env *apiserver.Env
//	func TestMain(m *testing.M) { os.Exit(apiserver.Main(m, &env)) }
//	func TestX(t *testing.T) { cfg := env.Require(t) ... }
package apiserver

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/aks-cilium/aks-cilium/internal/proc"
	"github.com/aks-cilium/aks-cilium/internal/tooltest"
)

// Env is a running API server, or the reason there is none.
type Env struct {
	env *envtest.Environment
	// Config reaches the server as an admin.
	Config *rest.Config
	// Missing says why no server runs (a tool is not built); empty when it runs.
	Missing string
	// Dir is the server's private folder (etcd's data, the certificates).
	Dir string
	// DiesWithParent says how etcd and kube-apiserver are tied to this
	// process ("" when they are not: no setpriv, or not Linux).
	DiesWithParent string
	// Cleaned are the folders of earlier, killed runs that Start removed.
	Cleaned []string
}

// runDirPrefix names the servers' private folders (proc.TempDir).
const runDirPrefix = "aks-cilium-apiserver-"

// startMu serialises Start: envtest takes the binaries' paths from the
// TEST_ASSET_* variables, which Start sets for the moment of the start.
var startMu sync.Mutex

// Start runs kube-apiserver and etcd and installs Cilium's CRDs. When a tool
// is missing it returns an Env with Missing set and no error.
func Start() (*Env, error) {
	assets, crds, missing := locate()
	if missing != "" {
		return &Env{Missing: missing}, nil
	}
	e := &Env{Cleaned: proc.CleanStale("", runDirPrefix)}
	dir, err := proc.TempDir("", runDirPrefix)
	if err != nil {
		return nil, err
	}
	e.Dir = dir
	apiserverPath, etcdPath := filepath.Join(assets, "kube-apiserver"), filepath.Join(assets, "etcd")
	if setpriv, err := exec.LookPath("setpriv"); err == nil && proc.ParentDeathSignal {
		if apiserverPath, err = deathsigWrapper(dir, setpriv, apiserverPath); err == nil {
			etcdPath, err = deathsigWrapper(dir, setpriv, etcdPath)
		}
		if err != nil {
			_ = os.RemoveAll(dir)
			return nil, err
		}
		e.DiesWithParent = "setpriv --pdeathsig KILL"
	}
	e.env = &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDDirectoryPaths:     []string{filepath.Join(crds, "v2"), filepath.Join(crds, "v2alpha1")},
		ErrorIfCRDPathMissing: true,
		ControlPlane: envtest.ControlPlane{
			APIServer: &envtest.APIServer{CertDir: filepath.Join(dir, "certs")},
			Etcd:      &envtest.Etcd{DataDir: filepath.Join(dir, "etcd")},
		},
	}
	for _, sub := range []string{"certs", "etcd"} {
		if err := os.Mkdir(filepath.Join(dir, sub), 0o700); err != nil {
			_ = os.RemoveAll(dir)
			return nil, err
		}
	}
	startMu.Lock()
	restore := setenv(map[string]string{"TEST_ASSET_KUBE_APISERVER": apiserverPath, "TEST_ASSET_ETCD": etcdPath})
	cfg, err := e.env.Start()
	restore()
	startMu.Unlock()
	if err != nil {
		_ = e.env.Stop()
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("starting kube-apiserver from %s: %w", assets, err)
	}
	e.Config = cfg
	return e, nil
}

// deathsigWrapper writes a script into dir that runs binary under setpriv
// with a parent-death signal (KILL: their data is in the folder the next Start removes), and
// returns its path. exec keeps the process, so the server's parent is the
// process that ran the script.
func deathsigWrapper(dir, setpriv, binary string) (string, error) {
	if err := os.MkdirAll(filepath.Join(dir, "bin"), 0o700); err != nil {
		return "", err
	}
	path := filepath.Join(dir, "bin", filepath.Base(binary))
	script := fmt.Sprintf("#!/bin/sh\nexec %s --pdeathsig KILL -- %s \"$@\"\n", shellQuote(setpriv), shellQuote(binary))
	return path, os.WriteFile(path, []byte(script), 0o700)
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'"'"'`) + "'" }

// setenv sets environment variables and returns a function that restores
// their previous values.
func setenv(vars map[string]string) func() {
	type old struct {
		value string
		set   bool
	}
	saved := map[string]old{}
	for k, v := range vars {
		value, set := os.LookupEnv(k)
		saved[k] = old{value, set}
		_ = os.Setenv(k, v)
	}
	return func() {
		for k, o := range saved {
			if o.set {
				_ = os.Setenv(k, o.value)
			} else {
				_ = os.Unsetenv(k)
			}
		}
	}
}

// Stop ends the server and removes its folder; it is safe on an Env that
// never started.
func (e *Env) Stop() error {
	if e == nil || e.env == nil {
		return nil
	}
	err := e.env.Stop()
	if e.Dir != "" {
		err = errors.Join(err, os.RemoveAll(e.Dir))
	}
	return err
}

// Require returns the server's config, or skips the test saying which tool is
// missing (fails it when AKS_CILIUM_REQUIRE_TOOLS=1).
func (e *Env) Require(t TB) *rest.Config {
	t.Helper()
	switch {
	case e == nil:
		t.Fatalf("%s", "apiserver: the package's TestMain did not start the server (use apiserver.Main)")
	case e.Missing != "":
		tooltest.Missing(t, "apiserver: no real API server: "+e.Missing)
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
