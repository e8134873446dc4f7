package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/aks-cilium/aks-cilium/automation"
	"github.com/aks-cilium/aks-cilium/automation/migrate"
	"github.com/aks-cilium/aks-cilium/automation/result"
	"github.com/aks-cilium/aks-cilium/automation/verify"
	"github.com/aks-cilium/aks-cilium/components"
	"github.com/aks-cilium/aks-cilium/components/spec"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
	exitChanges = 3
	exitRefused = 4
	// exitPlanViolation: up --plan refused a plan the spec, the stack or
	// Azure no longer matches (automation.PlanViolationError).
	exitPlanViolation = 5
	// exitCancelled is a run ended by Ctrl-C or SIGTERM: 128+SIGINT, as a
	// shell reports a process killed by that signal.
	exitCancelled = 130
	defaultStack  = "dev"
)

// options are the parsed flags: the persistent ones (--dir, --stack,
// --config, --simulate, --json) and each command's own.
type options struct {
	config, stack, dir, out, title string
	html                           string // plan
	// today is --today; now is the Engine's clock it makes (nil: the
	// real one, or the tests' testClock).
	today                        string
	now                          func() time.Time
	simulate, allowReplace, json bool
	createStack                  bool
	detailedExitCode, keep       bool
	// verify and migrate
	since                                time.Duration
	apply                                bool
	subscription, resourceGroup, cluster string
	timeout, pollInterval                time.Duration
	// saved plans, fleets, drift, comments (workflow.go)
	wf workflowOptions
}

// usageError is a mistake in the command line: exit code 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// run is the CLI: it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o := &options{}
	code := exitOK
	root := newRootCommand(o, &code)
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return code
	}
	return report(cmd, o, err, stdout, stderr)
}

const rootLong = `platform runs aks-cilium Platform stacks in-process with the automation
package: what an internal platform or a CI job does with the library.

--simulate runs against aks-cilium's Azure simulator in the same process (no
credentials, nothing is sent to Azure; every run says so). Progress goes to
stderr, the result to stdout (--json for a machine-readable one).

Exit codes:
  0  success (preview --detailed-exitcode: no changes)
  1  failure (invalid spec, an engine or Azure error, a locked stack)
  2  usage (unknown command or flag, a missing or unreadable config)
  3  preview or pr-comment --detailed-exitcode: changes are planned
  3  drift: something was changed or deleted outside Pulumi
  4  up refused to replace or delete a guarded resource (the cluster);
     rerun with --allow-replace if that is really meant
  5  up --plan refused a reviewed plan: the spec, the stack or Azure moved
     since the preview that saved it; preview again
  130  cancelled (Ctrl-C or SIGTERM); the next up or recover clears what
       was in flight`

// newRootCommand is the command tree. Each command sets *code (its exit
// code when it returns no error) and fills o.
func newRootCommand(o *options, code *int) *cobra.Command {
	root := &cobra.Command{
		Use:           "platform COMMAND",
		Short:         "Deploy and operate AKS clusters with Azure CNI powered by Cilium",
		Long:          rootLong,
		Args:          cobra.ArbitraryArgs, // an unknown command is reported by RunE, as a usage error
		SilenceErrors: true,                // report prints errors, with the exit code
		SilenceUsage:  true,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				fmt.Fprint(cmd.ErrOrStderr(), cmd.UsageString())
				return usageError{"no command given"}
			}
			msg := fmt.Sprintf("unknown command %q", args[0])
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				msg += fmt.Sprintf(" (did you mean %s?)", strings.Join(s, ", "))
			}
			return usageError{msg}
		},
	}
	root.SuggestionsMinimumDistance = 2
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err.Error()} })
	root.PersistentPreRunE = func(*cobra.Command, []string) error { return setClock(o) }

	pf := root.PersistentFlags()
	pf.StringVar(&o.config, "config", "", "stack config `file`, stacks/Pulumi.<stack>.yaml: the cluster spec (aks-cilium:cluster) and optional baseline policies (aks-cilium:policies)")
	pf.StringVar(&o.stack, "stack", "", "stack `name` (default: <stack> of the config file's name, else "+defaultStack+")")
	pf.StringVar(&o.dir, "dir", "", "engine `folder`: work directories, the local state backend and, with --simulate, the simulated Azure (default: <user cache dir>/aks-cilium/platform)")
	pf.BoolVar(&o.simulate, "simulate", false, "run against the in-process Azure simulator: no credentials, nothing is sent to Azure")
	pf.BoolVar(&o.json, "json", false, "print the result (or the error) as JSON on stdout")
	pf.StringVar(&o.today, "today", "", "judge the AKS support windows (a Kubernetes version AKS no longer creates, or not yet) as on this day, `YYYY-MM-DD` (default: today, UTC)")
	pf.StringVar(&o.wf.backend, "backend", os.Getenv("PULUMI_BACKEND_URL"), "the state backend `URL` (azblob://<container>, file://..., default $PULUMI_BACKEND_URL, else a private folder in --dir)")
	_ = root.MarkPersistentFlagFilename("config", "yaml", "yml")
	_ = root.MarkPersistentFlagDirname("dir")

	stackCmd := func(name, short, long string, flags func(*pflag.FlagSet)) *cobra.Command {
		c := &cobra.Command{
			Use:   name,
			Short: short,
			Long:  long,
			Args:  noArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				var err error
				if o.wf.fleet != "" {
					*code, err = runFleet(cmd.Context(), name, o, cmd.OutOrStdout(), cmd.ErrOrStderr())
				} else {
					*code, err = runStackCommand(cmd.Context(), name, o, cmd.OutOrStdout(), cmd.ErrOrStderr())
				}
				return err
			},
		}
		if flags != nil {
			flags(c.Flags())
		}
		return c
	}
	root.AddCommand(
		stackCmd("preview", "Show what an up would change",
			"Preview validates the spec of --config, then plans the stack's changes without making any.\n"+
				"With --detailed-exitcode it exits 3 when changes are planned (0 when none). --save-plan\n"+
				"keeps the plan for review, for up --plan. With --fleet it previews every stack of this\n"+
				"runner's --shard, saving each plan in --plan-dir and each PR comment in --comment-dir.",
			func(f *pflag.FlagSet) {
				f.BoolVar(&o.detailedExitCode, "detailed-exitcode", false, "exit 3 when changes are planned")
				f.StringVar(&o.wf.savePlan, "save-plan", "", "save the update plan to this `file`, for up --plan")
				fleetFlags(f, &o.wf)
				f.StringVar(&o.wf.planDir, "plan-dir", "", "with --fleet: save each stack's plan as `folder/<stack>.plan.json`")
				f.StringVar(&o.wf.commentDir, "comment-dir", "", "with --fleet: write each stack's PR comment to `folder/<stack>.md`")
				f.StringVar(&o.title, "title", "", "with --comment-dir: a line under each comment's header, e.g. the pull request title")
			}),
		stackCmd("up", "Deploy the stack",
			"Up validates the spec of --config, previews, and deploys. A plan that replaces or deletes\n"+
				"the cluster (or a VNet or subnet it uses) is refused with exit 4 unless --allow-replace.\n"+
				"Up deploys into an existing stack only, unless --create-stack (a preview creates the stack too).\n"+
				"Up applies exactly what its own preview planned; with --plan it applies a plan a preview\n"+
				"saved (its --save-plan) instead, and exits 5 when the spec, the stack or Azure moved since.\n"+
				"With --fleet it deploys every stack of this runner's --shard (--plan-dir: their saved plans).",
			func(f *pflag.FlagSet) {
				f.BoolVar(&o.allowReplace, "allow-replace", false, "allow replacing or deleting the cluster (and a VNet or subnet it uses)")
				f.BoolVar(&o.createStack, "create-stack", false, "create the stack when it does not exist (else that is an error: a mistyped --stack must not deploy a new cluster)")
				f.StringVar(&o.wf.plan, "plan", "", "apply this saved plan `file` exactly (exit 5 when the spec, the stack or Azure moved since)")
				f.BoolVar(&o.wf.refresh, "refresh", false, "read every resource from Azure first, so drift is put back (always on with --plan)")
				fleetFlags(f, &o.wf)
				f.StringVar(&o.wf.planDir, "plan-dir", "", "with --fleet: apply each stack's reviewed plan, `folder/<stack>.plan.json`")
			}),
		stackCmd("drift", "Find what was changed or deleted outside Pulumi, writing nothing",
			"Drift is a preview that refreshes first (pulumi preview --refresh) and writes no state: it names\n"+
				"every resource changed or deleted outside Pulumi with the properties that differ, and exits 3\n"+
				"on drift. --out writes the Markdown report; with --fleet, --comment-dir one per stack.",
			func(f *pflag.FlagSet) {
				f.StringVar(&o.out, "out", "", "write the Markdown report to this `file`")
				f.StringVar(&o.title, "title", "", "a line under the report's header")
				fleetFlags(f, &o.wf)
				f.StringVar(&o.wf.commentDir, "comment-dir", "", "with --fleet: write each stack's report to `folder/<stack>.md`")
			}),
		stackCmd("refresh", "Read the real state of every resource into the stack", "", nil),
		stackCmd("destroy", "Delete every resource of the stack", "", nil),
		stackCmd("outputs", "Print the stack outputs (the kubeconfig masked)", "", nil),
		stackCmd("pr-comment", "Preview, and write the pull request comment Markdown",
			"pr-comment runs a preview and renders it as the Markdown of a pull request comment, on stdout\n"+
				"or in --out.",
			func(f *pflag.FlagSet) {
				f.StringVar(&o.out, "out", "", "write the Markdown to this `file` instead of stdout")
				f.StringVar(&o.title, "title", "", "a line under the header, e.g. the pull request title")
				f.BoolVar(&o.detailedExitCode, "detailed-exitcode", false, "exit 3 when changes are planned")
				f.StringVar(&o.wf.savePlan, "save-plan", "", "save the update plan to this `file`, for up --plan")
			}),
		stackCmd("recover", "Make a stack usable after a crashed run",
			"Recover removes a stale lock a killed run left (never a live one), clears its pending\n"+
				"operations and refreshes, so that the next up converges.", nil),
		stackCmd("verify", "Post-deploy checks of the cluster",
			"Verify checks the deployed cluster: the Cilium DaemonSet and operator, no kube-proxy, Cilium\n"+
				"logs, endpoint slices, the Cilium version and policy enforcement. Exit 1 when a check fails.",
			func(f *pflag.FlagSet) {
				f.DurationVar(&o.since, "since", time.Hour, "scan Cilium logs written since this long ago")
			}),
		stackCmd("migrate", "Plan (or apply) the in-place move of the cluster to the Cilium data plane",
			"Migrate plans the in-place migration of the stack's cluster to the Cilium data plane through\n"+
				"ARM, and prints the plan; --apply performs it, then refreshes the stack. Exit 1 when the\n"+
				"plan is blocked.",
			func(f *pflag.FlagSet) {
				f.BoolVar(&o.apply, "apply", false, "apply the plan (default: print it only)")
				f.StringVar(&o.subscription, "subscription", "", "the cluster's subscription `ID` (default $AZURE_SUBSCRIPTION_ID)")
				f.StringVar(&o.resourceGroup, "resource-group", "", "the cluster's resource group (default: the spec's)")
				f.StringVar(&o.cluster, "cluster", "", "the cluster name (default: the spec's)")
				f.DurationVar(&o.timeout, "timeout", 3*time.Hour, "with --apply: give up waiting after this long (the update goes on in Azure)")
				f.DurationVar(&o.pollInterval, "poll-interval", 15*time.Second, "with --apply: time between polls of the update")
			}),
	)
	root.AddCommand(newPlanCommand(o, code), newCommentCommand(o, code))
	demo := &cobra.Command{
		Use:   "demo",
		Short: "The whole lifecycle against the simulator, in a temporary folder (make demo)",
		Long: "Demo runs preview, up, a no-op preview, an in-place change with its PR comment, a replacing\n" +
			"change refused by the guardrail, and destroy, against the simulator. Nothing is sent to Azure.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDemo(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	demo.Flags().BoolVar(&o.keep, "keep", false, "keep the temporary folder")
	root.AddCommand(demo)
	return root
}

// testClock is the clock of a run without --today when set: the tests'
// fixed day, so that a Kubernetes version leaving AKS support does not
// fail them on that day.
var testClock func() time.Time

// setClock makes o.now from --today (a usage error unless YYYY-MM-DD), else
// testClock. Preview and Up judge a new cluster's Kubernetes version
// against AKS's support windows on that day (automation.Options.Now).
func setClock(o *options) error {
	if o.today == "" {
		o.now = testClock
		return nil
	}
	day, err := time.Parse(time.DateOnly, o.today)
	if err != nil {
		return usageError{fmt.Sprintf("--today %q: want a day as YYYY-MM-DD, e.g. 2026-12-01", o.today)}
	}
	o.now = func() time.Time { return day.Add(12 * time.Hour) }
	return nil
}

// noArgs refuses positional arguments, as a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError{fmt.Sprintf("unexpected arguments %q", args)}
	}
	return nil
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
	// Everything the command line says is checked before anything starts.
	needsSpec := cmd == "preview" || cmd == "up" || cmd == "pr-comment" || cmd == "drift"
	var cfg *stackConfig
	if o.config != "" {
		var warnings []string
		var err error
		if cfg, warnings, err = loadStackConfig(ctx, o.config); err != nil {
			if ctx.Err() != nil {
				return 0, err // cancelled while reading
			}
			return 0, usageError{err.Error()}
		}
		for _, w := range warnings {
			fmt.Fprintln(stderr, "warning: "+w)
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
	if err := automation.ValidateStackName(o.stack); err != nil {
		return 0, usageError{strings.TrimPrefix(err.Error(), "automation: ")}
	}
	if err := defaultDir(o); err != nil {
		return 0, err
	}
	var target migrateTarget
	if cmd == "migrate" {
		var err error
		if target, err = migrateTargetOf(o, cfg); err != nil {
			return 0, err
		}
	}
	pass, err := resolvePassphrase(ctx, o)
	if err != nil {
		return 0, err
	}

	if o.simulate {
		defer fmt.Fprintln(stderr, simulatedBanner)
	}
	s, policies, err := openSession(ctx, o, pass, policiesOf(cfg), stderr)
	if err != nil {
		return 0, err
	}
	defer s.close()
	eng := s.eng
	if needsSpec {
		stacks, err := eng.Stacks(ctx)
		if err != nil {
			return 0, err
		}
		switch {
		case slices.Contains(stacks, o.stack):
		case cmd == "up" && !o.createStack || cmd == "drift":
			return 0, &automation.StackNotFoundError{Stack: o.stack, Existing: stacks}
		default:
			fmt.Fprintf(stderr, "stack %s is new: this %s creates it\n", o.stack, cmd)
		}
		if err := eng.SetPolicies(ctx, o.stack, policies); err != nil {
			return 0, err
		}
	}
	out := output{Command: cmd, Stack: o.stack, Simulated: s.simulated}
	code := exitOK

	switch cmd {
	case "preview", "pr-comment":
		res, err := eng.Preview(ctx, o.stack, cfg.Cluster, automation.PreviewOptions{SavePlan: o.wf.savePlan})
		if err != nil {
			return 0, err
		}
		out.Result = res
		if o.detailedExitCode && res.HasChanges() {
			code = exitChanges
		}
		if cmd == "pr-comment" {
			md := renderComment(res, o)
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
		res, err := eng.Up(ctx, o.stack, cfg.Cluster, automation.UpOptions{AllowReplace: o.allowReplace, Plan: o.wf.plan, Refresh: o.wf.refresh})
		if err != nil {
			return 0, err
		}
		out.Result, out.Outputs = res, res.Outputs
	case "drift":
		res, err := eng.Drift(ctx, o.stack, cfg.Cluster, automation.DriftOptions{})
		if err != nil {
			return 0, err
		}
		out.Result = res
		if res.Drifted() {
			code = exitChanges
		}
		if o.out != "" {
			if err := os.WriteFile(o.out, []byte(renderDrift(res, o)), 0o644); err != nil {
				return 0, err
			}
			out.Comment = o.out
		}
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
		plan, res, err := runMigrate(ctx, s, o, target, stderr)
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

// defaultDir fills --dir (the user cache folder when unset) and makes it
// absolute: a relative one would name a different folder for each pulumi
// process, which runs in its stack's work directory.
func defaultDir(o *options) error {
	if o.dir == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return usageError{"no user cache folder (" + err.Error() + "): pass --dir"}
		}
		o.dir = filepath.Join(cache, "aks-cilium", "platform")
	}
	abs, err := filepath.Abs(o.dir)
	if err != nil {
		return usageError{"--dir: " + err.Error()}
	}
	o.dir = abs
	return nil
}

func githubRunURL() string {
	server, repo, id := os.Getenv("GITHUB_SERVER_URL"), os.Getenv("GITHUB_REPOSITORY"), os.Getenv("GITHUB_RUN_ID")
	if server == "" || repo == "" || id == "" {
		return ""
	}
	return server + "/" + repo + "/actions/runs/" + id
}

// report prints the error of command c and returns its exit code.
func report(c *cobra.Command, o *options, err error, stdout, stderr io.Writer) int {
	cmd := c.Name()
	code, kind := classify(c.Context(), err)
	fmt.Fprintf(stderr, "%s: %v\n", c.CommandPath(), err)
	switch {
	case code == exitUsage:
		fmt.Fprintf(stderr, "run `%s --help` for its flags\n", c.CommandPath())
	case code == exitCancelled:
		fmt.Fprintf(stderr, "cancelled (exit %d): the stack's lock is released; what was in flight is a pending operation, which the next up or `platform recover` clears\n", exitCancelled)
	case code == exitRefused:
		fmt.Fprintln(stderr, "nothing was changed. To migrate the data plane in place, see automation/migrate; to replace the cluster anyway, rerun with --allow-replace")
	case code == exitPlanViolation:
		fmt.Fprintln(stderr, "nothing was changed: preview again (--save-plan) and review the new plan")
	case kind == "stackNotFound" && cmd == "up":
		fmt.Fprintln(stderr, "to create it, rerun with --create-stack (check the name first: up deploys a whole new cluster there)")
	case kind == "stackNotFound":
		fmt.Fprintln(stderr, "check --stack (or the config file's name, Pulumi.<stack>.yaml) and --dir")
	}
	if o.json && code != exitUsage {
		ej := &errorJSON{Kind: kind, Message: err.Error(), Code: code}
		var invalid *spec.InvalidError
		if errors.As(err, &invalid) {
			ej.Problems = problemsOf(invalid)
		}
		_ = writeJSON(stdout, output{Command: cmd, Stack: o.stack, Simulated: o.simulate, Error: ej})
	}
	return code
}

// classify is an error's exit code and its kind in --json output; ctx is
// the command's (a cancelled one makes any error a cancellation).
func classify(ctx context.Context, err error) (int, string) {
	code, kind := exitFailure, "error"
	var usage usageError
	var refused *automation.ReplacementRefusedError
	var invalid *spec.InvalidError
	var busy *automation.ConcurrentUpdateError
	var cancelled *automation.CancelledError
	var missing *automation.StackNotFoundError
	var engine *automation.EngineError
	switch {
	case errors.As(err, &usage):
		code, kind = exitUsage, "usage"
	case errors.As(err, &cancelled) || errors.Is(err, context.Canceled) || ctx != nil && ctx.Err() != nil:
		code, kind = exitCancelled, "cancelled"
	case errors.As(err, &refused):
		code, kind = exitRefused, "replacementRefused"
	case errors.As(err, &invalid):
		kind = "invalidSpec"
		if !slices.ContainsFunc(invalid.Errs, func(e *field.Error) bool { return !spec.Replaceable(e) }) {
			// Only changes a replacement makes valid (spec.ValidateUpdate):
			// refused like the guardrail's, until --allow-replace.
			code, kind = exitRefused, "replacementRefused"
		}
	case errors.As(err, &missing):
		kind = "stackNotFound"
	case errors.As(err, &busy):
		kind = "concurrentUpdate"
	case planViolation(err):
		code, kind = exitPlanViolation, "planViolation"
	case errors.As(err, &engine):
		kind = "engine"
	}
	return code, kind
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
		fmt.Fprintf(w, "recovered stack %s: %d stale lock(s) removed, %d pending operation(s) resolved\n",
			out.Stack, rep.LocksRemoved, len(rep.PendingOperations))
		if r := rep.Restored; r != nil {
			fmt.Fprintf(w, "  restored the checkpoint from %s (%s); the damaged file is kept in %s\n", r.From, r.Reason, r.DamagedCopy)
		}
		for urn, op := range rep.PendingOperations {
			fmt.Fprintf(w, "  was %s: %s\n", op, urn)
		}
		if p := rep.Pending; p != nil {
			for _, urn := range slices.Sorted(maps.Keys(p.Imported)) {
				fmt.Fprintf(w, "  imported %s: it exists in Azure (%s)\n", urnName(urn), p.Imported[urn])
			}
			for _, urn := range p.Dropped {
				fmt.Fprintf(w, "  dropped the pending create of %s: it does not exist; the next up creates it\n", urnName(urn))
			}
			for i, urn := range p.Unnamed {
				fmt.Fprintf(w, "  cleared the pending create of %s: if it exists, import it: %s\n", urnName(urn), p.Hints[i])
			}
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

// urnName is the resource name at the end of a URN.
func urnName(urn string) string { return urn[strings.LastIndex(urn, "::")+2:] }

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
