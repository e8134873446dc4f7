package stackrepo

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"

	"github.com/aks-cilium/aks-cilium/provider"
	"github.com/aks-cilium/aks-cilium/provider/schemagen"
	"github.com/aks-cilium/aks-cilium/sim/azuresim"
)

// The plugins this module builds: the component provider and the azure
// simulator (a SIMULATED azure-native).
const (
	ComponentPluginPackage = "./cmd/pulumi-resource-aks-cilium"
	AzureSimulatorPackage  = "./sim/azuresim/cmd/pulumi-resource-azure-native"
)

// BuildPlugins builds pulumi-resource-aks-cilium and the azure simulator's
// pulumi-resource-azure-native from the module that holds the working
// directory into out (the Go build cache makes a rebuild a relink), and
// returns them as the plugins to install.
func BuildPlugins(ctx context.Context, out string) ([]Plugin, error) {
	root, err := schemagen.ModuleRoot()
	if err != nil {
		return nil, err
	}
	plugins := []Plugin{
		{Name: provider.Name, Version: provider.Version, Binary: filepath.Join(out, "pulumi-resource-"+provider.Name)},
		{Name: azuresim.Package, Version: azuresim.Version, Binary: filepath.Join(out, "pulumi-resource-"+azuresim.Package)},
	}
	for i, pkg := range []string{ComponentPluginPackage, AzureSimulatorPackage} {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", plugins[i].Binary, pkg)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("stackrepo: go build %s: %w\n%s", pkg, err, out)
		}
	}
	return plugins, nil
}
