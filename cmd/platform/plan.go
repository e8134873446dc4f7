package main

// The plan command: the plan page (components/planview) of a stack config
// file or of a stack the Engine holds.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/aks-cilium/aks-cilium/automation"
	"github.com/aks-cilium/aks-cilium/components/planview"
)

// newPlanCommand is `platform plan`; it sets *code.
func newPlanCommand(o *options, code *int) *cobra.Command {
	c := &cobra.Command{
		Use:   "plan",
		Short: "Write the plan page: the address map and the policies' reachability matrix",
		Long: "Plan writes the plan page (--html FILE): the address map and the baseline policies' reachability\n" +
			"matrix of --config, or of --stack as the engine folder holds it. Exit 1 when the spec is invalid\n" +
			"(the page is written all the same: it shows why).",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			*code, err = runPlan(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
			return err
		},
	}
	c.Flags().StringVar(&o.html, "html", "", "write the plan page (one self-contained HTML file) to this `file`")
	_ = c.MarkFlagFilename("html", "html")
	return c
}

// runPlan writes the plan page of --config, or of --stack: the spec of the
// stack's last up (else of its last preview) and its policies, read from
// the engine folder (--dir) without a pulumi process. The page is written
// for an invalid spec too (it shows why); the exit code is then 1.
func runPlan(ctx context.Context, o *options, stdout, stderr io.Writer) (int, error) {
	if o.html == "" {
		return 0, usageError{"platform plan needs --html FILE (the page to write)"}
	}
	var in planview.Input
	switch {
	case o.config != "":
		cfg, warnings, err := loadStackConfig(ctx, o.config)
		if err != nil {
			return 0, usageError{err.Error()}
		}
		for _, w := range warnings {
			fmt.Fprintln(stderr, "warning: "+w)
		}
		in = planview.Input{Title: o.config, Source: "the stack config file " + o.config, Cluster: cfg.Cluster}
		if cfg.Policies != nil {
			in.Policies = &cfg.Policies.Config
		}
	case o.stack != "":
		sc, err := storedConfig(ctx, o, stderr)
		if err != nil {
			return 0, err
		}
		in = planview.Input{Title: "stack " + sc.Stack, Cluster: sc.Cluster}
		in.Source = fmt.Sprintf("stack %s in %s: the spec of its last up", sc.Stack, o.dir)
		if !sc.Applied {
			in.Source = fmt.Sprintf("stack %s in %s: the spec of its last preview (not deployed: no up has succeeded)", sc.Stack, o.dir)
		}
		if sc.Policies != nil {
			in.Policies = &sc.Policies.Config
		}
	default:
		return 0, usageError{"platform plan needs --config stacks/Pulumi.<stack>.yaml or --stack NAME"}
	}
	page := planview.Build(in)
	f, err := os.Create(o.html)
	if err != nil {
		return 0, err
	}
	if err := page.Render(f); err != nil {
		f.Close()
		return 0, err
	}
	if err := f.Close(); err != nil {
		return 0, err
	}
	fmt.Fprintf(stdout, "wrote the plan page of %s to %s\n", in.Title, o.html)
	if !page.Valid() {
		fmt.Fprintf(stdout, "%s is INVALID: %d problems, listed on the page\n", in.Title, len(page.Problems))
		return exitFailure, nil
	}
	return exitOK, nil
}

// storedConfig reads the stack's stored spec and policies through an
// Engine on --dir (automation.Engine.StoredConfig; no pulumi process).
// Nothing is decrypted, but the Engine wants the passphrase the other
// commands use (resolvePassphrase, or with --simulate the folder's).
func storedConfig(ctx context.Context, o *options, stderr io.Writer) (*automation.StoredConfig, error) {
	if err := automation.ValidateStackName(o.stack); err != nil {
		return nil, usageError{strings.TrimPrefix(err.Error(), "automation: ")}
	}
	if err := defaultDir(o); err != nil {
		return nil, err
	}
	pass, err := resolvePassphrase(ctx, o)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.dir, 0o700); err != nil {
		return nil, err
	}
	if pass.value == "" {
		if pass, err = simulatedPassphrase(o.dir); err != nil {
			return nil, err
		}
	}
	fmt.Fprintf(stderr, "passphrase: %s\n", pass.source)
	eng, err := automation.New(automation.Options{Dir: o.dir, Passphrase: pass.value, Progress: stderr})
	if err != nil {
		return nil, err
	}
	sc, err := eng.StoredConfig(o.stack)
	if errors.Is(err, automation.ErrNoStoredConfig) {
		return nil, usageError{err.Error()}
	}
	return sc, err
}
