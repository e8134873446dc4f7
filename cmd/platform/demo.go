package main

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"

	"github.com/aks-cilium/aks-cilium/automation/result"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/aks-cilium/aks-cilium/automation"
	"github.com/aks-cilium/aks-cilium/automation/prcomment"
	"github.com/aks-cilium/aks-cilium/components/spec"
	"github.com/aks-cilium/aks-cilium/internal/proc"
)

// demoConfig is the stack the demo deploys unless --config names another.
//
//go:embed stacks/Pulumi.demo.yaml
var demoConfig []byte

// runDemo runs the whole lifecycle against the simulator in one process,
// in a temporary folder (or --dir): preview, up, a no-op preview, an
// in-place change with its diff and PR comment, a replacing change refused
// by the guardrail with nothing touched, destroy. With a local
// kube-apiserver (make tools) the baseline policies are applied to it
// through kubesim and read back from it.
func runDemo(ctx context.Context, o *options, stdout, stderr io.Writer) (err error) {
	cfg, err := demoStackConfig(ctx, o)
	if err != nil {
		return usageError{err.Error()}
	}
	if o.stack == "" {
		o.stack = "demo"
	}
	if err := automation.ValidateStackName(o.stack); err != nil {
		return usageError{strings.TrimPrefix(err.Error(), "automation: ")}
	}
	o.simulate = true
	pass, err := resolvePassphrase(ctx, o)
	if err != nil {
		return err
	}
	where := "engine folder " + o.dir
	if o.dir == "" {
		// A demo killed before it removed its folder left it; remove those.
		for _, stale := range proc.CleanStale("", demoDirPrefix) {
			fmt.Fprintf(stderr, "removed %s, left by a demo that was killed\n", stale)
		}
		if o.dir, err = proc.TempDir("", demoDirPrefix); err != nil {
			return err
		}
		where = "a temporary engine folder, " + o.dir
		if !o.keep {
			defer os.RemoveAll(o.dir)
			where += ", now removed"
		}
	} else if err := defaultDir(o); err != nil {
		return err
	}
	defer func() {
		fmt.Fprintf(stdout, "\n%s: the azure-native provider was aks-cilium's simulator and Kubernetes objects went to a local API server (%s)\n", simulatedBanner, where)
	}()

	s, policies, err := openSession(ctx, o, pass, cfg.Policies, stderr)
	if err != nil {
		return err
	}
	defer s.close()
	eng, stack, c := s.eng, o.stack, cfg.Cluster
	if err := eng.SetPolicies(ctx, stack, policies); err != nil {
		return err
	}
	step := stepper(stdout)

	step("preview of a new stack")
	res, err := eng.Preview(ctx, stack, c, automation.PreviewOptions{})
	if err != nil {
		return err
	}
	printHuman(stdout, output{Result: res})

	step("up")
	res, err = eng.Up(ctx, stack, c, automation.UpOptions{})
	if err != nil {
		return err
	}
	printHuman(stdout, output{Result: &result.Result{Kind: res.Kind, Stack: stack, Changes: res.Changes, Duration: res.Duration}, Outputs: res.Outputs, Stack: stack})
	fmt.Fprintf(stdout, "simulated Azure now holds %d resources\n", len(s.sim.Azure.Resources()))
	if err := showPolicies(ctx, s, policies != nil, stdout); err != nil {
		return err
	}

	step("preview again: nothing to do")
	res, err = eng.Preview(ctx, stack, c, automation.PreviewOptions{})
	if err != nil {
		return err
	}
	printHuman(stdout, output{Result: res})
	if res.HasChanges() {
		return fmt.Errorf("the preview right after up plans changes: %s", res.ChangeSummary())
	}

	changed, what := inPlaceChange(c)
	step("a change: " + what)
	res, err = eng.Preview(ctx, stack, changed, automation.PreviewOptions{})
	if err != nil {
		return err
	}
	printHuman(stdout, output{Result: res})
	md := prcomment.Render(res, prcomment.Options{Title: "demo: " + what}) +
		"\n<sub>" + simulatedBanner + ": this preview ran against aks-cilium's Azure simulator.</sub>\n"
	file := filepath.Join(o.dir, "pr-comment.md")
	if err := os.WriteFile(file, []byte(md), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nthe pull request comment (%s):\n%s\n%s%s\n", file, rule, md, rule)

	replacing, what := replacingChange(c)
	step("a replacing change: " + what)
	before := s.sim.Azure.Resources()
	_, err = eng.Up(ctx, stack, replacing, automation.UpOptions{})
	var refused *automation.ReplacementRefusedError
	var invalid *automation.InvalidSpecError
	switch {
	case errors.As(err, &invalid):
		// spec.ValidateUpdate, against the spec of the last up: before any
		// pulumi process; the preview guardrail stays behind it.
		fmt.Fprintf(stdout, "refused before any pulumi process ran (spec.ValidateUpdate, rules %v):\n  %s\n",
			invalid.Codes(), strings.ReplaceAll(invalid.Error(), "\n", "\n  "))
	case errors.As(err, &refused):
		fmt.Fprintf(stdout, "refused by the replacement guardrail, as it should be:\n  %s\n", strings.ReplaceAll(refused.Error(), "\n", "\n  "))
	default:
		return fmt.Errorf("the replacement was not refused: %v", err)
	}
	if after := s.sim.Azure.Resources(); !reflect.DeepEqual(before, after) {
		return errors.New("the refused up changed the simulated Azure")
	}
	fmt.Fprintf(stdout, "nothing was changed: the simulated Azure holds the same %d resources, untouched\n", len(before))

	step("destroy")
	res, err = eng.Destroy(ctx, stack, automation.DestroyOptions{})
	if err != nil {
		return err
	}
	printHuman(stdout, output{Result: &result.Result{Kind: res.Kind, Stack: stack, Changes: res.Changes, Duration: res.Duration}})
	fmt.Fprintf(stdout, "simulated Azure now holds %d resources\n", len(s.sim.Azure.Resources()))
	return eng.Remove(ctx, stack)
}

// demoDirPrefix names the demo's temporary folders (proc.TempDir).
const demoDirPrefix = "aks-cilium-demo-"

const rule = "--------------------------------------------------------------------------------\n"

// stepper prints numbered section headers.
func stepper(w io.Writer) func(string) {
	n := 0
	return func(title string) {
		n++
		fmt.Fprintf(w, "\n== %d. %s\n", n, title)
	}
}

// demoStackConfig is --config, or the embedded demo stack.
func demoStackConfig(ctx context.Context, o *options) (*stackConfig, error) {
	var cfg *stackConfig
	var err error
	if o.config != "" {
		cfg, _, err = loadStackConfig(ctx, o.config)
	} else {
		cfg, _, err = parseStackConfig("Pulumi.demo.yaml", demoConfig)
	}
	return cfg, err
}

// inPlaceChange raises the first autoscaled user pool's maximum (or a
// pool's count) and adds a tag: updates in place.
func inPlaceChange(c spec.Cluster) (spec.Cluster, string) {
	out := c
	out.Tags = map[string]string{}
	for k, v := range c.Tags {
		out.Tags[k] = v
	}
	out.Tags["change"] = "demo"
	out.UserPools = append([]spec.NodePool(nil), c.UserPools...)
	for i, p := range out.UserPools {
		if p.Autoscale != nil {
			a := *p.Autoscale
			a.Max += 3
			out.UserPools[i].Autoscale = &a
			return out, fmt.Sprintf("pool %s autoscales to %d nodes (was %d), and a tag", p.Name, a.Max, p.Autoscale.Max)
		}
	}
	if len(out.UserPools) > 0 {
		out.UserPools[0].Count++
		return out, fmt.Sprintf("pool %s gets %d nodes, and a tag", out.UserPools[0].Name, out.UserPools[0].Count)
	}
	return out, "a tag"
}

// replacingChange changes what azure-native v2.88.0 replaces the cluster
// for: the pod CIDR in overlay mode (anything under networkProfile), else
// the location.
func replacingChange(c spec.Cluster) (spec.Cluster, string) {
	out := c
	if o, ok := c.Network.Mode.(spec.Overlay); ok {
		for _, cidr := range []string{"172.16.0.0/16", "100.64.0.0/16"} {
			out.Network.Mode = spec.Overlay{PodCIDR: cidr}
			if len(out.WithDefaults().Validate()) == 0 {
				return out, fmt.Sprintf("the overlay pod CIDR %s → %s", o.PodCIDR, cidr)
			}
		}
		out.Network.Mode = c.Network.Mode
	}
	out.Location = "northeurope"
	if c.Location == out.Location {
		out.Location = "westeurope"
	}
	return out, fmt.Sprintf("the location %s → %s", c.Location, out.Location)
}

// showPolicies lists what the local API server now holds: the policies
// came through the real engine and kubesim, and were validated and stored
// by the server.
func showPolicies(ctx context.Context, s *session, wanted bool, w io.Writer) error {
	if s.sim.APIServer == nil {
		if wanted {
			fmt.Fprintf(w, "baseline policies: not applied (no local kube-apiserver: %s)\n", s.sim.NoAPIServerReason)
		}
		return nil
	}
	if !wanted {
		return nil
	}
	cs, err := kubernetes.NewForConfig(s.sim.APIServer)
	if err != nil {
		return err
	}
	nps, err := cs.NetworkingV1().NetworkPolicies(metav1.NamespaceAll).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	var names []string
	for _, np := range nps.Items {
		names = append(names, np.Namespace+"/"+np.Name)
	}
	dyn, err := dynamic.NewForConfig(s.sim.APIServer)
	if err != nil {
		return err
	}
	for _, r := range []string{"ciliumnetworkpolicies", "ciliumclusterwidenetworkpolicies"} {
		list, err := dyn.Resource(schema.GroupVersionResource{Group: "cilium.io", Version: "v2", Resource: r}).List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		for _, item := range list.Items {
			names = append(names, strings.TrimSuffix(r, "s")+" "+strings.TrimPrefix(item.GetNamespace()+"/"+item.GetName(), "/"))
		}
	}
	sort.Strings(names)
	fmt.Fprintf(w, "the local kube-apiserver (%s) now holds %d network policies, applied through kubesim:\n", s.sim.APIServer.Host, len(names))
	for _, n := range names {
		fmt.Fprintf(w, "  %s\n", n)
	}
	return nil
}
