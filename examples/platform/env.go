package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"k8s.io/client-go/rest"

	"github.com/aks-cilium/aks-cilium/automation"
	"github.com/aks-cilium/aks-cilium/automation/kubesim"
	"github.com/aks-cilium/aks-cilium/automation/simulator"
	"github.com/aks-cilium/aks-cilium/components"
	"github.com/aks-cilium/aks-cilium/internal/kubetest"
)

// simulatedBanner is printed, to stderr, by every --simulate run.
const simulatedBanner = "SIMULATED: no Azure was contacted"

// useAPIServer lets --simulate start a real local kube-apiserver (from
// `make tools`) for kubesim; tests of commands that apply no Kubernetes
// object turn it off to save its start-up.
var useAPIServer = true

// session is an Engine and, with --simulate, the simulators behind it.
type session struct {
	eng       *automation.Engine
	azure     *simulator.Simulator // nil unless simulated
	kube      *rest.Config         // the local API server kubesim applies to; nil without one
	kubeNote  string               // why there is no API server
	simulated bool
	stops     []func()
}

func (s *session) close() {
	for i := len(s.stops) - 1; i >= 0; i-- {
		s.stops[i]()
	}
}

// openSession makes the Engine for the options. With o.simulate it starts
// the azure simulator (its Azure kept in a state file in the engine folder,
// so separate commands see one Azure), kubesim on a local kube-apiserver
// when one is built (else a stand-in that applies nothing), a private
// PULUMI_HOME, and a generated passphrase when none is set.
func openSession(ctx context.Context, o *options, policies *components.PoliciesArgs, stderr io.Writer) (*session, *components.PoliciesArgs, error) {
	if err := os.MkdirAll(o.dir, 0o700); err != nil {
		return nil, nil, err
	}
	pass := os.Getenv("PULUMI_CONFIG_PASSPHRASE")
	if pass == "" {
		if !o.simulate {
			return nil, nil, usageError{"set PULUMI_CONFIG_PASSPHRASE (it encrypts the stack's secrets), or use --simulate"}
		}
		var err error
		if pass, err = simulatedPassphrase(o.dir); err != nil {
			return nil, nil, err
		}
	}
	s := &session{simulated: o.simulate}
	opts := automation.Options{Dir: o.dir, Passphrase: pass, Progress: stderr}
	if o.simulate {
		fmt.Fprintf(stderr, "SIMULATED: Azure is simulated in this process (aks-cilium's azure-native %s stand-in; state in %s); nothing is sent to Azure\n",
			simulator.Version, filepath.Join(o.dir, "azure-simulator.json"))
		s.azure = simulator.New(simulator.Options{StateFile: filepath.Join(o.dir, "azure-simulator.json")})
		if _, err := s.azure.Start(ctx); err != nil {
			return nil, nil, err
		}
		s.stops = append(s.stops, s.azure.Stop)
		kubeEntry, err := s.startKube(ctx)
		if err != nil {
			s.close()
			return nil, nil, err
		}
		if s.kube != nil {
			fmt.Fprintf(stderr, "SIMULATED: Kubernetes objects go to a real local kube-apiserver at %s (through kubesim), not to an AKS cluster\n", s.kube.Host)
		} else {
			fmt.Fprintf(stderr, "SIMULATED: no local kube-apiserver (%s); Kubernetes objects cannot be applied\n", s.kubeNote)
			if policies != nil {
				fmt.Fprintln(stderr, "SIMULATED: the baseline policies (aks-cilium:policies) are left out of this run")
				policies = nil
			}
		}
		opts.PulumiHome = filepath.Join(o.dir, "home")
		opts.Env = map[string]string{
			"PULUMI_DEBUG_PROVIDERS":        kubesim.DebugProviders(s.azure.EnvVars()["PULUMI_DEBUG_PROVIDERS"], kubeEntry),
			"PULUMI_IGNORE_AMBIENT_PLUGINS": "true",
		}
	}
	eng, err := automation.New(opts)
	if err != nil {
		s.close()
		return nil, nil, err
	}
	s.eng = eng
	fmt.Fprintf(stderr, "pulumi %s (%s: %s)\n", eng.CLI().Version, eng.CLI().Source, eng.CLI().Path)
	return s, policies, nil
}

// startKube starts kubesim on a local kube-apiserver, or the stand-in, and
// returns its PULUMI_DEBUG_PROVIDERS entry.
func (s *session) startKube(ctx context.Context) (string, error) {
	if useAPIServer {
		env, err := kubetest.Start()
		if err != nil {
			return "", err
		}
		if env.Missing == "" {
			s.stops = append(s.stops, func() { _ = env.Stop() })
			kube := kubesim.New(kubesim.Options{Config: env.Config})
			if _, err := kube.Start(ctx); err != nil {
				return "", err
			}
			s.stops = append(s.stops, kube.Stop)
			s.kube = env.Config
			return kube.DebugProviderEntry(), nil
		}
		s.kubeNote = env.Missing
	} else {
		s.kubeNote = "not started for this run"
	}
	srv, err := kubesim.ServeNoAPIServer()
	if err != nil {
		return "", err
	}
	s.stops = append(s.stops, srv.Stop)
	return fmt.Sprintf("%s:%d", kubesim.Package, srv.Port()), nil
}

// simulatedPassphrase reads, or creates, the passphrase of a simulated
// engine folder: random, in a 0600 file beside the state.
func simulatedPassphrase(dir string) (string, error) {
	path := filepath.Join(dir, "passphrase")
	data, err := os.ReadFile(path)
	if err == nil {
		return strings.TrimSpace(string(data)), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	pass := hex.EncodeToString(b)
	if err := os.WriteFile(path, []byte(pass+"\n"), 0o600); err != nil {
		return "", err
	}
	return pass, nil
}
