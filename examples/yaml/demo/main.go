// Command demo runs the YAML stack repo (examples/yaml) the way a user does,
// as pulumi CLI commands, against the SIMULATED Azure: the plugins installed
// with `pulumi plugin install --file`, a file backend in a temporary folder,
// and the baseline policies applied by kubesim to a real local
// kube-apiserver. `make demo` runs it after building the plugins:
//
//	go run ./examples/yaml/demo -plugins bin/plugins
//
// It shows stack init, config, preview, up, a preview with no changes, a
// change and its diff, the outputs (the kubeconfig stays secret), destroy,
// and the preview of a YAML program with a bad spec. Nothing reaches Azure.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/aks-cilium/aks-cilium/automation"
	"github.com/aks-cilium/aks-cilium/internal/stackrepo"
	"github.com/aks-cilium/aks-cilium/provider"
	"github.com/aks-cilium/aks-cilium/sim/apiserver"
	"github.com/aks-cilium/aks-cilium/sim/azuresim"
	"github.com/aks-cilium/aks-cilium/sim/kubesim"
)

func main() {
	plugins := flag.String("plugins", "bin/plugins", "folder holding pulumi-resource-aks-cilium and the simulator's pulumi-resource-azure-native")
	repo := flag.String("repo", "examples/yaml", "the YAML stack repo")
	flag.Parse()
	if err := run(context.Background(), *plugins, *repo); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, plugins, repo string) error {
	cli, err := automation.FindCLI()
	if err != nil {
		return err
	}
	if _, err := stackrepo.LanguageHost(cli.Path, "yaml"); err != nil {
		return err
	}
	fmt.Printf("SIMULATED: pulumi %s (%s) with pulumi-language-yaml; Azure is the aks-cilium simulator %s plugin, nothing is sent to Azure\n",
		cli.Version, cli.Source, azuresim.Version)

	server, err := apiserver.Start()
	if err != nil {
		return err
	}
	if server.Missing != "" {
		return errors.New(server.Missing)
	}
	defer func() { _ = server.Stop() }()
	kube := kubesim.New(kubesim.Options{Config: server.Config})
	if _, err := kube.Start(ctx); err != nil {
		return err
	}
	defer kube.Stop()
	fmt.Printf("SIMULATED: Kubernetes objects go to a real local kube-apiserver at %s (through kubesim), not to an AKS cluster\n\n", server.Config.Host)

	dir, err := os.MkdirTemp("", "aks-cilium-yaml-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	installed := []stackrepo.Plugin{
		{Name: provider.Name, Version: provider.Version, Binary: filepath.Join(plugins, "pulumi-resource-"+provider.Name)},
		{Name: azuresim.Package, Version: azuresim.Version, Binary: filepath.Join(plugins, "pulumi-resource-"+azuresim.Package)},
	}
	open := func(source, sub string) (*stackrepo.Repo, error) {
		return stackrepo.Open(ctx, stackrepo.Options{
			Source: source, Dir: filepath.Join(dir, sub), CLI: cli.Path, Plugins: installed, Log: os.Stdout,
			Env: map[string]string{
				"PULUMI_DEBUG_PROVIDERS": kube.DebugProviderEntry(),
				azuresim.EnvStateFile:    filepath.Join(dir, sub, "azure-simulator.json"),
			},
		})
	}
	r, err := open(repo, "repo")
	if err != nil {
		return err
	}
	for _, args := range [][]string{
		{"stack", "init", "dev"},
		{"config"},
		{"preview"},
		{"up", "--yes", "--skip-preview"},
		{"preview", "--expect-no-changes"},
		{"config", "set", "appsNodes", "3"},
		{"preview"},
		{"up", "--yes", "--skip-preview"},
		{"stack", "output"},
		{"destroy", "--yes", "--skip-preview"},
	} {
		if _, err := r.Pulumi(ctx, args...); err != nil {
			return err
		}
		fmt.Println()
	}

	fmt.Println("--- a YAML program with a bad spec: every problem at once, before anything is created:")
	bad, err := open(filepath.Join(repo, "testdata", "invalid"), "invalid")
	if err != nil {
		return err
	}
	if _, err := bad.Pulumi(ctx, "stack", "init", "dev"); err != nil {
		return err
	}
	if _, err := bad.Pulumi(ctx, "preview"); err == nil {
		return errors.New("the preview of the bad spec succeeded")
	}
	return nil
}
