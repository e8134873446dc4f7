// Package simulated runs the automation Engine against the simulators
// instead of Azure: the azure simulator (sim/azuresim) for azure-native, and
// kubesim (sim/kubesim) on a real local kube-apiserver (sim/apiserver) for
// the kubernetes provider, or, without an API server, kubesim's stand-in
// that refuses to apply objects. It is what `platform --simulate`, the demo
// and the tests use, and what an internal platform uses to test its own
// code against the same stand-ins (automationtest wraps it for tests).
//
//	env, err := simulated.Start(ctx, simulated.Options{Dir: dir, Passphrase: pass})
//	defer env.Close()
//	res, err := env.Engine.Preview(ctx, "dev", cluster, automation.PreviewOptions{})
//
// Nothing here reaches Azure; every run says SIMULATED on Options.Log.
package simulated

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"k8s.io/client-go/rest"

	"github.com/aks-cilium/aks-cilium/automation"
	"github.com/aks-cilium/aks-cilium/automation/acns"
	"github.com/aks-cilium/aks-cilium/sim/apiserver"
	"github.com/aks-cilium/aks-cilium/sim/azuresim"
	"github.com/aks-cilium/aks-cilium/sim/kubesim"
)

// Banner starts every line Start writes to Options.Log.
const Banner = "SIMULATED"

// Options configure Start.
type Options struct {
	// Dir is the Engine's folder (automation.Options.Dir). The simulated
	// Azure keeps its state in Dir/azure-simulator.json, so separate runs
	// on one Dir see one Azure, and pulumi's home is Dir/home.
	Dir string
	// Passphrase encrypts the stacks' secrets (automation.Options.Passphrase).
	Passphrase string
	// Engine holds any other Engine options (Progress, Parallel, CLI,
	// Program, ...). Dir, Passphrase, PulumiHome and the provider
	// environment are set by Start; Env entries are added to.
	Engine automation.Options
	// Azure configures the azure simulator (latencies, faults, retries);
	// StateFile defaults to Dir/azure-simulator.json.
	Azure azuresim.Options
	// NoAPIServer skips the local kube-apiserver: Kubernetes objects then
	// cannot be applied (the stand-in refuses them), which saves the
	// server's 2-4 s start for runs that apply none.
	NoAPIServer bool
	// Log receives the SIMULATED lines that say what stands in for what;
	// nil drops them.
	Log io.Writer
}

// Environment is an Engine wired to the simulators, with the simulators.
type Environment struct {
	// Engine runs operations against the simulators.
	Engine *automation.Engine
	// Azure is the simulated Azure: inspect resources, inject faults,
	// change things behind Pulumi's back.
	Azure *azuresim.Simulator
	// Kube is kubesim on the local API server; nil without one.
	Kube *kubesim.Simulator
	// APIServer reaches the local API server as an admin; nil without one.
	APIServer *rest.Config
	// NoAPIServerReason says why there is no API server ("" when there is).
	NoAPIServerReason string

	stops []func()
}

// Start starts the simulators and returns an Engine wired to them. Close
// stops everything, also after an error part-way.
func Start(ctx context.Context, o Options) (*Environment, error) {
	if o.Dir == "" {
		return nil, errors.New("simulated: Options.Dir is required")
	}
	dir, err := filepath.Abs(o.Dir)
	if err != nil {
		return nil, fmt.Errorf("simulated: Options.Dir: %w", err)
	}
	env := &Environment{}
	log := func(format string, args ...any) {
		if o.Log != nil {
			fmt.Fprintf(o.Log, Banner+": "+format+"\n", args...)
		}
	}

	azOpts := o.Azure
	if azOpts.StateFile == "" {
		azOpts.StateFile = filepath.Join(dir, "azure-simulator.json")
	}
	env.Azure = azuresim.New(azOpts)
	if _, err := env.Azure.Start(ctx); err != nil {
		return nil, err
	}
	env.stops = append(env.stops, env.Azure.Stop)
	log("Azure is simulated in this process (aks-cilium's azure-native %s stand-in; state in %s); nothing is sent to Azure",
		azuresim.Version, azOpts.StateFile)

	kubeEntry, err := env.startKube(ctx, o.NoAPIServer)
	if err != nil {
		env.Close()
		return nil, err
	}
	if env.APIServer != nil {
		log("Kubernetes objects go to a real local kube-apiserver at %s (through kubesim), not to an AKS cluster", env.APIServer.Host)
	} else {
		log("no local kube-apiserver (%s); Kubernetes objects cannot be applied", env.NoAPIServerReason)
	}

	eo := o.Engine
	eo.Dir, eo.Passphrase = dir, o.Passphrase
	eo.PulumiHome = filepath.Join(dir, "home")
	eo.Env = maps.Clone(eo.Env)
	if eo.Env == nil {
		eo.Env = map[string]string{}
	}
	eo.Env["PULUMI_DEBUG_PROVIDERS"] = kubesim.DebugProviders(env.Azure.EnvVars()["PULUMI_DEBUG_PROVIDERS"], kubeEntry)
	eo.Env["PULUMI_IGNORE_AMBIENT_PLUGINS"] = "true"
	// The simulated subscription, as azure-native would read it: the Engine
	// names the ARM ID of a pending create from it (Recover).
	eo.Env["ARM_SUBSCRIPTION_ID"] = azOpts.SubscriptionID
	if eo.Env["ARM_SUBSCRIPTION_ID"] == "" {
		eo.Env["ARM_SUBSCRIPTION_ID"] = azuresim.DefaultSubscriptionID
	}
	if eo.ACNS == nil {
		eo.ACNS = ACNSOptions(env.Azure)
	}
	if env.Engine, err = automation.New(eo); err != nil {
		env.Close()
		return nil, err
	}
	return env, nil
}

// ACNSOptions send the Engine's ACNS calls through ARM (automation/acns) to
// the simulated Azure's ARM front end, with a fake credential.
func ACNSOptions(sim *azuresim.Simulator) *acns.ClientOptions {
	return &acns.ClientOptions{
		Credential:   &azfake.TokenCredential{},
		ARM:          arm.ClientOptions{ClientOptions: policy.ClientOptions{Transport: sim.ARMTransport()}},
		PollInterval: time.Millisecond,
	}
}

// startKube starts kubesim on a local API server, or the stand-in, and
// returns its PULUMI_DEBUG_PROVIDERS entry.
func (env *Environment) startKube(ctx context.Context, skip bool) (string, error) {
	if skip {
		env.NoAPIServerReason = "not started for this run (Options.NoAPIServer)"
	} else {
		server, err := apiserver.Start()
		if err != nil {
			return "", err
		}
		if server.Missing == "" {
			env.stops = append(env.stops, func() { _ = server.Stop() })
			kube := kubesim.New(kubesim.Options{Config: server.Config})
			if _, err := kube.Start(ctx); err != nil {
				return "", err
			}
			env.stops = append(env.stops, kube.Stop)
			env.Kube, env.APIServer = kube, server.Config
			return kube.DebugProviderEntry(), nil
		}
		env.NoAPIServerReason = server.Missing
	}
	standIn := &kubesim.NoAPIServer{}
	if err := standIn.Serve(); err != nil {
		return "", err
	}
	env.stops = append(env.stops, standIn.Stop)
	return standIn.DebugProviderEntry(), nil
}

// Close stops the simulators (the Engine needs nothing stopped); safe to
// call more than once.
func (env *Environment) Close() {
	for i := len(env.stops) - 1; i >= 0; i-- {
		env.stops[i]()
	}
	env.stops = nil
}
