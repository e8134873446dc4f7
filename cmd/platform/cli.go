package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/aks-cilium/aks-cilium/automation"
	"github.com/aks-cilium/aks-cilium/automation/migrate"
	"github.com/aks-cilium/aks-cilium/automation/prcomment"
	"github.com/aks-cilium/aks-cilium/automation/result"
	"github.com/aks-cilium/aks-cilium/automation/verify"
	"github.com/aks-cilium/aks-cilium/components"
	"github.com/aks-cilium/aks-cilium/components/spec"
)

// Exit codes.
const (
	exitOK       = 0
	exitFailure  = 1
	exitUsage    = 2
	exitChanges  = 3
	exitRefused  = 4
	defaultStack = "dev"
)

const usageText = `usage: platform COMMAND [flags]

commands:
  preview     what an up would change (--detailed-exitcode: exit 3 when it would change something)
  up          deploy the stack; a replaced or deleted cluster is refused (exit 4) without --allow-replace
  refresh     read the real state of every resource into the stack
  destroy     delete every resource of the stack
  outputs     the stack outputs (the kubeconfig masked)
  pr-comment  preview, and write the pull request comment Markdown (--out FILE, default stdout)
  recover     after a crashed run: remove its stale lock, clear pending operations, refresh
  verify      post-deploy checks of the cluster (Cilium DaemonSet, operator, no kube-proxy, logs,
              endpoint slices, version, policy enforcement); exit 1 when one fails
  migrate     plan the in-place move of the cluster to the Cilium data plane (--apply: do it
              through ARM, then refresh the stack); exit 1 when the plan is blocked
` + planUsage + `  demo        the whole lifecycle against the simulator, in a temporary folder (make demo)

flags:
`

// options are the parsed flags.
type options struct {
	config, stack, dir, out, title string
	html                           string // plan
	simulate, allowReplace, json   bool
	detailedExitCode, keep         bool
	// verify and migrate
	since                                time.Duration
	apply                                bool
	subscription, resourceGroup, cluster string
	timeout, pollInterval                time.Duration
}

// usageError is a mistake in the command line: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// run is the CLI: it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stderr, usageText)
		newFlags(&options{}, stderr).PrintDefaults()
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	cmd := args[0]
	o := &options{}
	fs := newFlags(o, stderr)
	if err := fs.Parse(args[1:]); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "platform %s: unexpected arguments %q\n", cmd, fs.Args())
		return exitUsage
	}
	var err error
	code := exitOK
	switch cmd {
	case "preview", "up", "refresh", "destroy", "outputs", "pr-comment", "recover", "verify", "migrate":
		code, err = runStackCommand(ctx, cmd, o, stdout, stderr)
	case "plan":
		code, err = runPlan(o, stdout, stderr)
	case "demo":
		err = runDemo(ctx, o, stdout, stderr)
	default:
		err = usageError{fmt.Sprintf("unknown command %q", cmd)}
	}
	if err == nil {
		return code
	}
	return report(cmd, o, err, stdout, stderr)
}

func newFlags(o *options, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("platform", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.config, "config", "", "stack config file `stacks/Pulumi.<stack>.yaml`: the cluster spec (aks-cilium:cluster) and optional baseline policies (aks-cilium:policies)")
	fs.StringVar(&o.stack, "stack", "", "stack name (default: <stack> of the config file's name, else "+defaultStack+")")
	fs.StringVar(&o.dir, "dir", "", "engine folder: work directories, the local state backend and, with --simulate, the simulated Azure (default: <user cache dir>/aks-cilium/platform)")
	fs.BoolVar(&o.simulate, "simulate", false, "run against the in-process Azure simulator: no credentials, nothing is sent to Azure")
	fs.BoolVar(&o.allowReplace, "allow-replace", false, "up: allow replacing or deleting the cluster (and a VNet or subnet it uses)")
	fs.BoolVar(&o.json, "json", false, "print the result as JSON on stdout")
	fs.BoolVar(&o.detailedExitCode, "detailed-exitcode", false, "preview, pr-comment: exit 3 when changes are planned")
	fs.StringVar(&o.out, "out", "", "pr-comment: write the Markdown to this file instead of stdout")
	fs.StringVar(&o.title, "title", "", "pr-comment: a line under the header, e.g. the pull request title")
	fs.BoolVar(&o.keep, "keep", false, "demo: keep the temporary folder")
	fs.StringVar(&o.html, "html", "", "plan: write the plan page (one self-contained HTML file) to this `file`")
	fs.DurationVar(&o.since, "since", time.Hour, "verify: scan Cilium logs written since this long ago")
	fs.BoolVar(&o.apply, "apply", false, "migrate: apply the plan (default: print it only, as --plan)")
	fs.Bool("plan", true, "migrate: print the plan (the default)")
	fs.StringVar(&o.subscription, "subscription", "", "migrate: the cluster's subscription (default $AZURE_SUBSCRIPTION_ID)")
	fs.StringVar(&o.resourceGroup, "resource-group", "", "migrate: the cluster's resource group (default: the spec's)")
	fs.StringVar(&o.cluster, "cluster", "", "migrate: the cluster name (default: the spec's)")
	fs.DurationVar(&o.timeout, "timeout", 3*time.Hour, "migrate --apply: give up waiting after this long (the update goes on in Azure)")
	fs.DurationVar(&o.pollInterval, "poll-interval", 15*time.Second, "migrate --apply: time between polls of the update")
	return fs
}

// output is the JSON document of --json.
type output struct {
	Command   string                    `json:"command"`
	Stack     string                    `json:"stack"`
	Simulated bool                      `json:"simulated"`
	Result    *result.Result            `json:"result,omitempty"`
	Outputs   map[string]result.Output  `json:"outputs,omitempty"`
	Recover   *automation.RecoverReport `json:"recover,omitempty"`
	Verify    *verify.Report            `json:"verify,omitempty"`
	Migration *migrate.Plan             `json:"migrationPlan,omitempty"`
	Migrated  *migrate.Result           `json:"migration,omitempty"`
	Comment   string                    `json:"commentFile,omitempty"`
	Error     *errorJSON                `json:"error,omitempty"`
}

type errorJSON struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
	Code    int    `json:"exitCode"`
	// Problems are an invalid spec's problems, each with its rule code.
	Problems []problemJSON `json:"problems,omitempty"`
}

// problemJSON is one problem of an invalid spec (a *spec.InvalidError).
type problemJSON struct {
	Rule    spec.Code `json:"rule"`
	Field   string    `json:"field"`
	Message string    `json:"message"`
}

// problemsOf lists an invalid spec's problems for --json.
func problemsOf(inv *spec.InvalidError) []problemJSON {
	out := make([]problemJSON, len(inv.Errs))
	for i, e := range inv.Errs {
		out[i] = problemJSON{Rule: spec.CodeOf(e), Field: e.Field, Message: e.ErrorBody()}
	}
	return out
}

// runStackCommand runs one operation on one stack.
func runStackCommand(ctx context.Context, cmd string, o *options, stdout, stderr io.Writer) (int, error) {
	needsSpec := cmd == "preview" || cmd == "up" || cmd == "pr-comment"
	var cfg *stackConfig
	if o.config != "" {
		var err error
		if cfg, err = loadStackConfig(o.config); err != nil {
			return 0, usageError{err.Error()}
		}
	} else if needsSpec {
		return 0, usageError{fmt.Sprintf("platform %s needs --config stacks/Pulumi.<stack>.yaml (the cluster spec)", cmd)}
	}
	if o.stack == "" {
		o.stack = defaultStack
		if cfg != nil && cfg.Stack != "" {
			o.stack = cfg.Stack
		}
	}
	if err := defaultDir(o); err != nil {
		return 0, err
	}
	if o.simulate {
		defer fmt.Fprintln(stderr, simulatedBanner)
	}
	s, policies, err := openSession(ctx, o, policiesOf(cfg), stderr)
	if err != nil {
		return 0, err
	}
	defer s.close()
	eng := s.eng
	if cfg != nil {
		if err := eng.SetPolicies(ctx, o.stack, policies); err != nil {
			return 0, err
		}
	}
	out := output{Command: cmd, Stack: o.stack, Simulated: s.simulated}
	code := exitOK

	switch cmd {
	case "preview", "pr-comment":
		res, err := eng.Preview(ctx, o.stack, cfg.Cluster, automation.PreviewOptions{})
		if err != nil {
			return 0, err
		}
		out.Result = res
		if o.detailedExitCode && res.HasChanges() {
			code = exitChanges
		}
		if cmd == "pr-comment" {
			md := prcomment.Render(res, prcomment.Options{
				Title: o.title, CommitSHA: os.Getenv("GITHUB_SHA"), RunURL: githubRunURL(),
			})
			if o.simulate {
				md += "\n<sub>" + simulatedBanner + ": this preview ran against aks-cilium's Azure simulator.</sub>\n"
			}
			if o.out == "" && !o.json {
				_, err := io.WriteString(stdout, md)
				return code, err
			}
			file := o.out
			if file == "" {
				file = filepath.Join(o.dir, "pr-comment-"+o.stack+".md")
			}
			if err := os.WriteFile(file, []byte(md), 0o644); err != nil {
				return 0, err
			}
			out.Comment = file
			fmt.Fprintf(stderr, "wrote the PR comment to %s\n", file)
		}
	case "up":
		res, err := eng.Up(ctx, o.stack, cfg.Cluster, automation.UpOptions{AllowReplace: o.allowReplace})
		if err != nil {
			return 0, err
		}
		out.Result, out.Outputs = res, res.Outputs
	case "refresh":
		res, err := eng.Refresh(ctx, o.stack, automation.RefreshOptions{})
		if err != nil {
			return 0, err
		}
		out.Result = res
	case "destroy":
		res, err := eng.Destroy(ctx, o.stack, automation.DestroyOptions{})
		if err != nil {
			return 0, err
		}
		out.Result = res
	case "outputs":
		outs, err := eng.Outputs(ctx, o.stack)
		if err != nil {
			return 0, err
		}
		out.Outputs = outs
	case "recover":
		rep, err := eng.Recover(ctx, o.stack)
		if err != nil {
			return 0, err
		}
		out.Recover = rep
	case "verify":
		rep, err := runVerify(ctx, s, o, stderr)
		if err != nil {
			return 0, err
		}
		out.Verify = rep
		if !rep.Passed() {
			code = exitFailure
		}
	case "migrate":
		plan, res, err := runMigrate(ctx, s, o, cfg, stderr)
		out.Migration, out.Migrated = plan, res
		if plan != nil && plan.Blocked() {
			code = exitFailure
		}
		if err != nil {
			if plan != nil && !o.json {
				fmt.Fprint(stdout, plan.Human())
			}
			return 0, err
		}
	}
	if o.json {
		return code, writeJSON(stdout, out)
	}
	printHuman(stdout, out)
	return code, nil
}

// policiesOf is the config file's baseline policies, if any.
func policiesOf(cfg *stackConfig) *components.PoliciesArgs {
	if cfg == nil {
		return nil
	}
	return cfg.Policies
}

// defaultDir fills --dir: the user cache folder.
func defaultDir(o *options) error {
	if o.dir != "" {
		return nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return usageError{"no user cache folder (" + err.Error() + "): pass --dir"}
	}
	o.dir = filepath.Join(cache, "aks-cilium", "platform")
	return nil
}

func githubRunURL() string {
	server, repo, id := os.Getenv("GITHUB_SERVER_URL"), os.Getenv("GITHUB_REPOSITORY"), os.Getenv("GITHUB_RUN_ID")
	if server == "" || repo == "" || id == "" {
		return ""
	}
	return server + "/" + repo + "/actions/runs/" + id
}

// report prints an error and returns its exit code.
func report(cmd string, o *options, err error, stdout, stderr io.Writer) int {
	code, kind := exitFailure, "error"
	var usage usageError
	var refused *automation.ReplacementRefusedError
	var invalid *spec.InvalidError
	var busy *automation.ConcurrentUpdateError
	var cancelled *automation.CancelledError
	var engine *automation.EngineError
	switch {
	case errors.As(err, &usage):
		code, kind = exitUsage, "usage"
	case errors.As(err, &refused):
		code, kind = exitRefused, "replacementRefused"
	case errors.As(err, &invalid):
		kind = "invalidSpec"
		if !slices.ContainsFunc(invalid.Errs, func(e *field.Error) bool { return !spec.Replaceable(e) }) {
			// Only changes a replacement makes valid (spec.ValidateUpdate):
			// refused like the guardrail's, until --allow-replace.
			code, kind = exitRefused, "replacementRefused"
		}
	case errors.As(err, &busy):
		kind = "concurrentUpdate"
	case errors.As(err, &cancelled):
		kind = "cancelled"
	case errors.As(err, &engine):
		kind = "engine"
	}
	fmt.Fprintf(stderr, "platform %s: %v\n", cmd, err)
	switch code {
	case exitUsage:
		fmt.Fprintln(stderr, "run `platform help` for the commands and flags")
	case exitRefused:
		fmt.Fprintln(stderr, "nothing was changed. To migrate the data plane in place, see automation/migrate; to replace the cluster anyway, rerun with --allow-replace")
	}
	if o.json && code != exitUsage {
		ej := &errorJSON{Kind: kind, Message: err.Error(), Code: code}
		if invalid != nil {
			ej.Problems = problemsOf(invalid)
		}
		_ = writeJSON(stdout, output{Command: cmd, Stack: o.stack, Simulated: o.simulate, Error: ej})
	}
	return code
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printHuman writes a result for people.
func printHuman(w io.Writer, out output) {
	if r := out.Result; r != nil {
		fmt.Fprintf(w, "%s of stack %s: %s (%s)\n", r.Kind, r.Stack, r.ChangeSummary(), r.Duration.Round(1e7))
		printSteps(w, r)
		for _, d := range r.Diagnostics {
			if d.Severity == "warning" || d.Severity == "error" {
				fmt.Fprintf(w, "  %s: %s\n", d.Severity, d.Message)
			}
		}
	}
	if len(out.Outputs) > 0 {
		fmt.Fprintf(w, "outputs of stack %s:\n", out.Stack)
		names := make([]string, 0, len(out.Outputs))
		for k := range out.Outputs {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			v := out.Outputs[k].Value
			if s, ok := v.(string); ok {
				fmt.Fprintf(w, "  %-18s %s\n", k, s)
			} else {
				data, _ := json.Marshal(v)
				fmt.Fprintf(w, "  %-18s %s\n", k, data)
			}
		}
	}
	if rep := out.Recover; rep != nil {
		fmt.Fprintf(w, "recovered stack %s: %d stale lock(s) removed, %d pending operation(s) cleared\n",
			out.Stack, rep.LocksRemoved, len(rep.PendingOperations))
		for urn, op := range rep.PendingOperations {
			fmt.Fprintf(w, "  was %s: %s\n", op, urn)
		}
		if rep.Refresh != nil {
			fmt.Fprintf(w, "  refresh: %s\n", rep.Refresh.ChangeSummary())
		}
	}
	if out.Comment != "" {
		fmt.Fprintf(w, "PR comment: %s\n", out.Comment)
	}
	if out.Verify != nil {
		fmt.Fprint(w, out.Verify.Human())
	}
	if out.Migration != nil {
		fmt.Fprint(w, out.Migration.Human())
	}
	if m := out.Migrated; m != nil {
		fmt.Fprintf(w, "migrated cluster %s in place (no-op: %t); the stack was refreshed\n", m.Cluster, m.NoOp)
	}
}

// printSteps lists the changing resources and their property diffs.
func printSteps(w io.Writer, r *result.Result) {
	for _, s := range r.Steps {
		if s.Op == "same" || s.Type == "pulumi:pulumi:Stack" {
			continue
		}
		line := fmt.Sprintf("  %-8s %s (%s)", s.Op, s.Name, s.Type)
		if len(s.ReplaceKeys) > 0 {
			line += " replaced because of: " + strings.Join(s.ReplaceKeys, ", ")
		}
		if s.Failed {
			line += " FAILED"
		}
		fmt.Fprintln(w, line)
		if s.Op == "create" || s.Op == "delete" {
			continue
		}
		for _, d := range s.Diffs {
			switch {
			case d.Old == "":
				fmt.Fprintf(w, "      %s: + %s\n", d.Path, d.New)
			case d.New == "":
				fmt.Fprintf(w, "      %s: - %s\n", d.Path, d.Old)
			default:
				fmt.Fprintf(w, "      %s: %s → %s\n", d.Path, d.Old, d.New)
			}
		}
	}
}
