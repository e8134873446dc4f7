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
	"github.com/aks-cilium/aks-cilium/sim/azuresim"
)

// simulatedBanner is printed, to stderr, by every --simulate run.
const simulatedBanner = "SIMULATED: no Azure was contacted"

// useAPIServer lets --simulate start a real local kube-apiserver (from
// `make tools`) for kubesim; tests of commands that apply no Kubernetes
// object turn it off to save its start-up.
var useAPIServer = true

// simulatorOptions configure the simulated Azure of --simulate; tests set
// latencies here (the CLI has no flag for them).
var simulatorOptions azuresim.Options

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
// nothing).
func openSession(ctx context.Context, o *options, pass passphrase, policies *components.PoliciesArgs, stderr io.Writer) (*session, *components.PoliciesArgs, error) {
	if err := os.MkdirAll(o.dir, 0o700); err != nil {
		return nil, nil, err
	}
	if pass.value == "" { // --simulate without a passphrase given: the engine folder's own
		var err error
		if pass, err = simulatedPassphrase(o.dir); err != nil {
			return nil, nil, err
		}
	}
	fmt.Fprintf(stderr, "passphrase: %s\n", pass.source)
	s := &session{simulated: o.simulate}
	opts := automation.Options{Dir: o.dir, Passphrase: pass.value, Progress: stderr, BackendURL: o.wf.backend, Now: o.now}
	if o.simulate {
		// The simulated Azure outlives a Ctrl-C, as Azure does: the run is
		// interrupted, the operations in flight are not (close stops it).
		env, err := simulated.Start(context.WithoutCancel(ctx), simulated.Options{
			Dir: o.dir, Passphrase: pass.value, Engine: opts, Azure: simulatorOptions, NoAPIServer: !useAPIServer, Log: stderr,
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

// passphrase is the secrets passphrase and where it comes from.
type passphrase struct {
	value  string
	source string // said on every run, never the value
}

// maxPassphraseFile caps what is read from PULUMI_CONFIG_PASSPHRASE_FILE.
const maxPassphraseFile = 64 << 10

// resolvePassphrase finds the passphrase as pulumi does:
// PULUMI_CONFIG_PASSPHRASE, else the file PULUMI_CONFIG_PASSPHRASE_FILE
// names (trimmed). Without either, --simulate uses the engine folder's own
// (openSession: an empty value here), and a real run is a usage error.
func resolvePassphrase(ctx context.Context, o *options) (passphrase, error) {
	if v := os.Getenv("PULUMI_CONFIG_PASSPHRASE"); v != "" {
		return passphrase{v, "PULUMI_CONFIG_PASSPHRASE"}, nil
	}
	if file := os.Getenv("PULUMI_CONFIG_PASSPHRASE_FILE"); file != "" {
		data, err := readBounded(ctx, file, maxPassphraseFile)
		if err != nil {
			return passphrase{}, usageError{"PULUMI_CONFIG_PASSPHRASE_FILE: " + err.Error()}
		}
		v := strings.TrimSpace(string(data))
		if v == "" {
			return passphrase{}, usageError{fmt.Sprintf("PULUMI_CONFIG_PASSPHRASE_FILE: %s is empty", file)}
		}
		return passphrase{v, "PULUMI_CONFIG_PASSPHRASE_FILE (" + file + ")"}, nil
	}
	if !o.simulate {
		return passphrase{}, usageError{"set PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE (the passphrase encrypts the stack's secrets), or use --simulate"}
	}
	return passphrase{}, nil
}

// simulatedPassphrase reads, or creates once, the passphrase of a simulated
// engine folder: random, in a 0600 file beside the state. The file is
// written whole under a temporary name and linked into place, which fails
// when it exists: of two first runs at once, one creates it and the other
// reads it; it is never overwritten. A folder that already holds stacks but
// no passphrase file was used with a passphrase from the environment: a new
// one could not decrypt them, so that is an error, not a new passphrase.
func simulatedPassphrase(dir string) (passphrase, error) {
	path := filepath.Join(dir, passphraseFile)
	if pass, err := readPassphraseFile(path); err == nil || !errors.Is(err, fs.ErrNotExist) {
		return passphrase{pass, path + " (the --simulate folder's own)"}, err
	}
	stacks, err := automation.LocalStacks(dir, automation.DefaultProject)
	if err != nil {
		return passphrase{}, err
	}
	if len(stacks) > 0 {
		return passphrase{}, usageError{fmt.Sprintf("%s holds stacks (%s) but no passphrase file: they were made with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE; set it again (a new passphrase could not decrypt them)",
			dir, strings.Join(stacks, ", "))}
	}
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return passphrase{}, err
	}
	tmp, err := os.CreateTemp(dir, ".passphrase-*")
	if err != nil {
		return passphrase{}, err
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.WriteString(hex.EncodeToString(b) + "\n")
	if err := errors.Join(werr, tmp.Sync(), tmp.Close()); err != nil {
		return passphrase{}, fmt.Errorf("writing the passphrase file: %w", err)
	}
	source := path + " (generated now for --simulate)"
	if err := os.Link(tmp.Name(), path); errors.Is(err, fs.ErrExist) {
		source = path + " (the --simulate folder's own)" // another run made it first: use that one
	} else if err != nil {
		return passphrase{}, err
	}
	pass, err := readPassphraseFile(path)
	return passphrase{pass, source}, err
}

// passphraseFile is the generated passphrase of a --simulate folder.
const passphraseFile = "passphrase"

func readPassphraseFile(path string) (string, error) {
	data, err := readBounded(context.Background(), path, maxPassphraseFile)
	if err != nil {
		return "", err
	}
	pass := strings.TrimSpace(string(data))
	if pass == "" {
		return "", fmt.Errorf("%s is empty", path)
	}
	return pass, nil
}
