// Command pulumi-resource-azure-native is the aks-cilium Azure simulator as a
// Pulumi provider plugin binary: a SIMULATED azure-native 2.88.0 that calls
// no Azure API. Point a project at the folder holding it (project settings
// plugins.providers: name azure-native, path <folder>, version 2.88.0) or
// install it with `pulumi plugin install resource azure-native v2.88.0 --file
// <binary>` into a private PULUMI_HOME.
//
// The engine starts a new plugin process for every run, so to keep the
// simulated Azure between runs set AKS_CILIUM_SIMULATOR_STATE to a JSON
// state file. AKS_CILIUM_SIMULATOR_LATENCY and AKS_CILIUM_SIMULATOR_FAULTS
// take azuresim.ParseLatency and azuresim.ParseFaults syntax, for example
// "ManagedCluster/create=2s" and "ManagedCluster/create=429x2".
package main

import (
	"fmt"
	"os"

	"github.com/aks-cilium/aks-cilium/sim/azuresim"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func main() {
	opts, err := options()
	if err != nil {
		fmt.Fprintln(os.Stderr, "pulumi-resource-azure-native (simulated):", err)
		os.Exit(1)
	}
	sim := azuresim.New(opts)
	err = provider.Main(azuresim.Package, func(host *provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return sim.Server(host), nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "pulumi-resource-azure-native (simulated):", err)
		os.Exit(1)
	}
}

// options reads the simulator's settings from the environment.
func options() (azuresim.Options, error) {
	opts := azuresim.Options{StateFile: os.Getenv(azuresim.EnvStateFile)}
	if s := os.Getenv(azuresim.EnvLatency); s != "" {
		latency, err := azuresim.ParseLatency(s)
		if err != nil {
			return opts, fmt.Errorf("%s: %w", azuresim.EnvLatency, err)
		}
		opts.Latency = latency
	}
	if s := os.Getenv(azuresim.EnvFaults); s != "" {
		faults, err := azuresim.ParseFaults(s)
		if err != nil {
			return opts, fmt.Errorf("%s: %w", azuresim.EnvFaults, err)
		}
		opts.Faults = faults
	}
	return opts, nil
}
