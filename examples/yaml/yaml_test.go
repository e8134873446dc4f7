package yaml_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/yaml"

	"github.com/aks-cilium/aks-cilium/components/spec"
	"github.com/aks-cilium/aks-cilium/internal/pulumitest"
	"github.com/aks-cilium/aks-cilium/internal/stackrepo"
	"github.com/aks-cilium/aks-cilium/internal/tooltest"
	"github.com/aks-cilium/aks-cilium/sim/apiserver"
	"github.com/aks-cilium/aks-cilium/sim/azuresim"
	"github.com/aks-cilium/aks-cilium/sim/kubesim"
)

// These tests run examples/yaml the way a user does: pulumi CLI commands
// (v3.274.1, `make tools`) in the stack repo, with the real YAML language
// host (pulumi-language-yaml v1.25.0), the aks-cilium component plugin and
// the azure simulator plugin installed with `pulumi plugin install --file`,
// a file backend, and kubesim applying the baseline policies to a real local
// kube-apiserver (v1.32 with Cilium's CRDs). Azure is SIMULATED.

// env is the local API server shared by the package's tests.
var env *apiserver.Env

func TestMain(m *testing.M) {
	os.Exit(pulumitest.PrivateTemp(func() int {
		code := apiserver.Main(m, &env)
		if pluginDir != "" {
			os.RemoveAll(pluginDir)
		}
		return code
	}))
}

var (
	pluginOnce sync.Once
	pluginDir  string
	plugins    []stackrepo.Plugin
	pluginErr  error
)

// buildPlugins builds the two plugins once per test binary.
func buildPlugins(t testing.TB) []stackrepo.Plugin {
	t.Helper()
	pluginOnce.Do(func() {
		pluginDir, pluginErr = os.MkdirTemp("", "aks-cilium-plugins-")
		if pluginErr != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		plugins, pluginErr = stackrepo.BuildPlugins(ctx, pluginDir)
	})
	require.NoError(t, pluginErr, "building the plugins")
	return plugins
}

// fixture is a copy of a stack repo ready for pulumi commands, with the
// simulators behind it.
type fixture struct {
	t     testing.TB
	repo  *stackrepo.Repo
	dyn   dynamic.Interface
	azure string // the azure simulator's state file
}

// newFixture copies the stack repo source; passphrase encrypts its secrets
// (a fixed test one when empty).
func newFixture(t testing.TB, source, passphrase string) *fixture {
	t.Helper()
	cli := pulumitest.CLI(t)
	if _, err := stackrepo.LanguageHost(cli.Path, "yaml"); err != nil {
		tooltest.Missing(t, err.Error())
	}
	cfg := env.Require(t)
	kube := kubesim.New(kubesim.Options{Config: cfg, Logf: t.Logf})
	_, err := kube.Start(t.Context())
	require.NoError(t, err)
	t.Cleanup(kube.Stop)

	dir := t.TempDir()
	f := &fixture{t: t, dyn: dynamic.NewForConfigOrDie(cfg), azure: filepath.Join(dir, "azure-simulator.json")}
	f.repo, err = stackrepo.Open(t.Context(), stackrepo.Options{
		Source:     source,
		Dir:        dir,
		Passphrase: passphrase,
		CLI:        cli.Path,
		Plugins:    buildPlugins(t),
		Env: map[string]string{
			"PULUMI_DEBUG_PROVIDERS": kube.DebugProviderEntry(),
			azuresim.EnvStateFile:    f.azure,
		},
	})
	require.NoError(t, err)
	return f
}

// pulumi runs a command that must succeed.
func (f *fixture) pulumi(args ...string) stackrepo.Output {
	f.t.Helper()
	out, err := f.repo.Pulumi(f.t.Context(), args...)
	require.NoError(f.t, err)
	f.t.Logf("pulumi %s: %s", strings.Join(args, " "), out.Duration.Round(time.Millisecond))
	return out
}

// preview is the JSON form of `pulumi preview --json`.
type preview struct {
	Steps []struct {
		Op          string   `json:"op"`
		URN         string   `json:"urn"`
		DiffReasons []string `json:"diffReasons"`
	} `json:"steps"`
	ChangeSummary map[string]int `json:"changeSummary"`
}

func (f *fixture) preview(args ...string) preview {
	f.t.Helper()
	out := f.pulumi(append([]string{"preview", "--json"}, args...)...)
	var p preview
	require.NoError(f.t, json.Unmarshal([]byte(out.Stdout), &p), out.Stdout)
	return p
}

// ops counts the steps of each operation by resource type.
func (p preview) ops() map[string]int {
	n := map[string]int{}
	for _, s := range p.Steps {
		n[s.Op+" "+typeOf(s.URN)]++
	}
	return n
}

// typeOf is a URN's resource type (the last one of a parent chain).
func typeOf(urn string) string {
	parts := strings.Split(urn, "::")
	if len(parts) < 4 {
		return urn
	}
	types := strings.Split(parts[2], "$")
	return types[len(types)-1]
}

var (
	gvrNetworkPolicy = schema.GroupVersionResource{Group: "networking.k8s.io", Version: "v1", Resource: "networkpolicies"}
)

// initDev inits the stack dev of examples/yaml and sets its policies'
// namespaces to two names of this run, which it returns: the API server is
// shared and has no namespace controller, so a destroyed namespace stays
// Terminating and a second run (go test -count=2) needs new names.
func (f *fixture) initDev() (shop, blog string) {
	f.t.Helper()
	b := make([]byte, 3)
	_, err := rand.Read(b)
	require.NoError(f.t, err)
	id := hex.EncodeToString(b)
	shop, blog = "shop-"+id, "blog-"+id
	f.pulumi("stack", "init", "dev")
	f.pulumi("config", "set", "--path", "namespaces[0]", shop)
	f.pulumi("config", "set", "--path", "namespaces[1]", blog)
	return shop, blog
}

// TestYAMLStackRepo deploys examples/yaml with the pulumi CLI: stack init,
// config, preview, up, a no-op preview, a change, destroy.
func TestYAMLStackRepo(t *testing.T) {
	f := newFixture(t, ".", "")
	shop, blog := f.initDev()
	cfg := f.pulumi("config", "--json")
	assert.Contains(t, cfg.Stdout, `"aks-cilium-yaml:appsNodes"`, "the stack file's config is read")

	// The first preview: the Platform and everything under it, to create.
	p := f.preview()
	ops := p.ops()
	for _, typ := range []string{
		"aks-cilium:index:Platform", "aks-cilium:azure:Network", "aks-cilium:azure:Cluster", "aks-cilium:kubernetes:BaselinePolicies",
		"azure-native:resources:ResourceGroup", "azure-native:network:VirtualNetwork",
		"azure-native:containerservice/v20241001:ManagedCluster", "azure-native:containerservice/v20241001:AgentPool",
		"pulumi:providers:kubernetes",
	} {
		assert.Equal(t, 1, ops["create "+typ], "creates one %s; steps: %v", typ, ops)
	}
	assert.Equal(t, 2, ops["create kubernetes:core/v1:Namespace"], "the two namespaces; steps: %v", ops)
	assert.Positive(t, ops["create kubernetes:networking.k8s.io/v1:NetworkPolicy"], "the baseline policies; steps: %v", ops)
	assert.Zero(t, p.ChangeSummary["update"]+p.ChangeSummary["delete"]+p.ChangeSummary["replace"], "a new stack: %v", p.ChangeSummary)

	// up: the policies land on the real API server.
	up := f.pulumi("up", "--yes", "--skip-preview")
	assert.Contains(t, up.Stdout, "SIMULATED", "the run says Azure is simulated")
	for _, ns := range []string{shop, blog} {
		list, err := f.dyn.Resource(gvrNetworkPolicy).Namespace(ns).List(t.Context(), metav1.ListOptions{})
		require.NoError(t, err)
		var names []string
		for _, item := range list.Items {
			names = append(names, item.GetName())
		}
		assert.Contains(t, names, "default-deny", "namespace %s has the baseline; got %v", ns, names)
	}

	// Outputs: the kubeconfig is secret in the output listing and in state.
	var outs map[string]any
	require.NoError(t, json.Unmarshal([]byte(f.pulumi("stack", "output", "--json").Stdout), &outs))
	assert.Equal(t, "[secret]", outs["kubeconfig"])
	assert.Equal(t, "overlay", outs["ipMode"])
	assert.Contains(t, outs["clusterId"], "/providers/Microsoft.ContainerService/managedClusters/aks-cilium-yaml")
	kc := f.pulumi("stack", "output", "kubeconfig", "--show-secrets").Stdout
	parsed, err := clientcmd.Load([]byte(kc))
	require.NoError(t, err, "the kubeconfig output parses")
	for _, u := range parsed.AuthInfos {
		require.NotNil(t, u.Exec, "the kubeconfig user runs kubelogin")
		assert.Equal(t, "kubelogin", u.Exec.Command)
		assert.Contains(t, strings.Join(u.Exec.Args, " "), "--login azurecli", "the YAML program's kubelogin choice")
	}
	assertNotInState(t, f.repo.Backend, "kubelogin")

	// A preview with no changes.
	f.pulumi("preview", "--expect-no-changes")
	p = f.preview()
	assert.Equal(t, map[string]int{"same": p.ChangeSummary["same"]}, p.ChangeSummary, "nothing changes")

	// A change: a third node in the apps pool updates its AgentPool in place.
	// The components record the spec they were given, as in a Go program,
	// so the three that hold the pool show the new spec too.
	f.pulumi("config", "set", "appsNodes", "3")
	p = f.preview("--diff")
	var updates []string
	for _, s := range p.Steps {
		if s.Op != "same" {
			updates = append(updates, s.Op+" "+typeOf(s.URN)+" "+strings.Join(s.DiffReasons, ","))
		}
	}
	assert.ElementsMatch(t, []string{
		"update azure-native:containerservice/v20241001:AgentPool count",
		"update aks-cilium:index:Platform ", "update aks-cilium:azure:Network ", "update aks-cilium:azure:Cluster ",
	}, updates)
	f.pulumi("up", "--yes", "--skip-preview")
	f.pulumi("preview", "--expect-no-changes")

	// destroy: the policies leave the API server, the stack is empty.
	f.pulumi("destroy", "--yes", "--skip-preview")
	for _, ns := range []string{shop, blog} {
		_, err := f.dyn.Resource(gvrNetworkPolicy).Namespace(ns).Get(t.Context(), "default-deny", metav1.GetOptions{})
		assert.True(t, apierrors.IsNotFound(err), "default-deny in %s is deleted: %v", ns, err)
	}
	var export struct {
		Deployment struct {
			Resources []any `json:"resources"`
		} `json:"deployment"`
	}
	require.NoError(t, json.Unmarshal([]byte(f.pulumi("stack", "export").Stdout), &export))
	assert.Empty(t, export.Deployment.Resources, "destroy leaves no resources")
}

// TestYAMLInvalidSpec: a bad spec in a YAML program fails the preview with
// the spec's field errors, every one of them as spec.Cluster.Check words it,
// and creates nothing.
func TestYAMLInvalidSpec(t *testing.T) {
	// What the spec package says of the program's cluster.
	data, err := os.ReadFile(filepath.Join("testdata", "invalid", "Pulumi.yaml"))
	require.NoError(t, err)
	var program struct {
		Resources map[string]struct {
			Properties struct {
				Cluster json.RawMessage `json:"cluster"`
			} `json:"properties"`
		} `json:"resources"`
	}
	require.NoError(t, yaml.Unmarshal(data, &program))
	c, err := spec.DecodeJSON(program.Resources["platform"].Properties.Cluster)
	require.NoError(t, err)
	_, err = c.Check()
	var invalid *spec.InvalidError
	require.ErrorAs(t, err, &invalid)
	require.Len(t, invalid.Errs, 5, "the program's mistakes: %v", err)

	f := newFixture(t, "testdata/invalid", "")
	f.pulumi("stack", "init", "dev")
	out, err := f.repo.Pulumi(t.Context(), "preview")
	require.Error(t, err, "the preview fails")
	text := out.Combined()
	assert.Contains(t, text, "aks-cilium: platform: nothing was deployed: invalid spec (5 problems):")
	for _, e := range invalid.Errs {
		assert.Contains(t, text, e.Error())
	}
	for _, path := range []string{"kubernetesVersion", "network.vnet.nodeSubnet.cidr", "network.vnet.addressSpace[0]",
		"network.dnsServiceIP", "systemPool.osType"} {
		assert.Contains(t, text, "- "+path+": ", "the program's mistake at %s", path)
	}
	_, err = os.Stat(f.azure)
	assert.True(t, os.IsNotExist(err), "the azure simulator never saved any state: nothing was created (%v)", err)
}

// assertNotInState fails when any file of the backend holds s.
func assertNotInState(t *testing.T, backend, s string) {
	t.Helper()
	err := filepath.WalkDir(backend, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		assert.NotContains(t, string(data), s, "%s holds %q in plaintext", path, s)
		return nil
	})
	require.NoError(t, err)
}
