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
// take simulator.ParseLatency and simulator.ParseFaults syntax, for example
// "ManagedCluster/create=2s" and "ManagedCluster/create=429x2".
package main

import (
	"fmt"
	"os"

	"github.com/aks-cilium/aks-cilium/automation/simulator"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func main() {
	opts, err := options()
	if err != nil {
		fmt.Fprintln(os.Stderr, "pulumi-resource-azure-native (simulated):", err)
		os.Exit(1)
	}
	sim := simulator.New(opts)
	err = provider.Main(simulator.Package, func(host *provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return sim.Server(host), nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "pulumi-resource-azure-native (simulated):", err)
		os.Exit(1)
	}
}

// options reads the simulator's settings from the environment.
func options() (simulator.Options, error) {
	opts := simulator.Options{StateFile: os.Getenv(simulator.EnvStateFile)}
	if s := os.Getenv(simulator.EnvLatency); s != "" {
		latency, err := simulator.ParseLatency(s)
		if err != nil {
			return opts, fmt.Errorf("%s: %w", simulator.EnvLatency, err)
		}
		opts.Latency = latency
	}
	if s := os.Getenv(simulator.EnvFaults); s != "" {
		faults, err := simulator.ParseFaults(s)
		if err != nil {
			return opts, fmt.Errorf("%s: %w", simulator.EnvFaults, err)
		}
		opts.Faults = faults
	}
	return opts, nil
}
