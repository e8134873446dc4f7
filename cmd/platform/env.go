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

	"github.com/aks-cilium/aks-cilium/automation"
	"github.com/aks-cilium/aks-cilium/automation/simulated"
	"github.com/aks-cilium/aks-cilium/components"
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
	sim       *simulated.Environment // nil unless simulated
	simulated bool
}

func (s *session) close() {
	if s.sim != nil {
		s.sim.Close()
	}
}

// openSession makes the Engine for the options. With o.simulate it starts
// the simulators (package simulated: the simulated Azure kept in a state file
// in the engine folder, so separate commands see one Azure; kubesim on a
// local kube-apiserver when one is built, else a stand-in that applies
// nothing), and generates a passphrase when none is set.
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
		env, err := simulated.Start(ctx, simulated.Options{
			Dir: o.dir, Passphrase: pass, Engine: opts, NoAPIServer: !useAPIServer, Log: stderr,
		})
		if err != nil {
			return nil, nil, err
		}
		s.sim, s.eng = env, env.Engine
		if env.APIServer == nil && policies != nil {
			fmt.Fprintln(stderr, "SIMULATED: the baseline policies (aks-cilium:policies) are left out of this run")
			policies = nil
		}
	} else {
		eng, err := automation.New(opts)
		if err != nil {
			return nil, nil, err
		}
		s.eng = eng
	}
	fmt.Fprintf(stderr, "pulumi %s (%s: %s)\n", s.eng.CLI().Version, s.eng.CLI().Source, s.eng.CLI().Path)
	return s, policies, nil
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
