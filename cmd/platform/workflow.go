package main

// The pull-request-to-production workflow: fleets sharded across CI
// runners (preview, up and drift with --fleet), saved plans and drift
// reports written per stack. cli.go declares the flags with each command.

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/spf13/pflag"

	"github.com/aks-cilium/aks-cilium/automation"
	"github.com/aks-cilium/aks-cilium/automation/prcomment"
	"github.com/aks-cilium/aks-cilium/automation/result"
)

// workflowOptions are the flags of the workflow commands.
type workflowOptions struct {
	fleet, shard         string // --fleet DIR, --shard i/n
	savePlan, plan       string // preview --save-plan FILE, up --plan FILE
	planDir, commentDir  string // fleet: a plan and a comment per stack
	backend              string // --backend URL
	workers              int
	repo, apiURL, author string // comment
	number               int
	refresh              bool // up --refresh
}

// fleetFlags adds --fleet, --shard and --workers to a command that can run
// a fleet's shard (preview, up, drift).
func fleetFlags(f *pflag.FlagSet, w *workflowOptions) {
	f.StringVar(&w.fleet, "fleet", "", "run every stack config `folder/Pulumi.<stack>.yaml` of a fleet (with --shard: this runner's share); leave out --config and --stack")
	f.StringVar(&w.shard, "shard", "1/1", "with --fleet: `i/n`, this runner's shard of n; a stack's shard depends on its name only")
	f.IntVar(&w.workers, "workers", 4, "with --fleet: stacks run at once")
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// --- shards ---------------------------------------------------------------

// shard is this runner's share of a fleet: Index of Count (1-based).
type shard struct{ Index, Count int }

// parseShard reads "i/n" with 1 <= i <= n.
func parseShard(s string) (shard, error) {
	i, n, ok := strings.Cut(s, "/")
	idx, err1 := strconv.Atoi(i)
	cnt, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || cnt < 1 || idx < 1 || idx > cnt {
		return shard{}, usageError{fmt.Sprintf("--shard %q: want i/n with 1 <= i <= n, e.g. 2/4", s)}
	}
	return shard{idx, cnt}, nil
}

// shardOf is the shard (1-based) of a stack among n: FNV-1a of its name
// mod n. It depends on the name and n only, so every stack is in exactly
// one shard, and adding or removing a stack moves no other: a plan saved
// by one run's shard is found by the same shard of a later run.
func shardOf(stack string, n int) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(stack))
	return int(h.Sum32()%uint32(n)) + 1
}

// fleetStack is one stack of a fleet: its config file and what it says.
type fleetStack struct {
	Name, File string
	Config     *stackConfig
}

// loadFleet reads every Pulumi.<stack>.yaml of dir (sorted by stack) and
// keeps the stacks of shard s. A file that does not load is a usage error
// naming it (every file is read, so a broken one fails every shard alike).
func loadFleet(ctx context.Context, dir string, s shard, stderr io.Writer) ([]fleetStack, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, usageError{fmt.Sprintf("--fleet: %v", err)}
	}
	var all []fleetStack
	var problems []string
	for _, e := range entries {
		m := stackFileRE.FindStringSubmatch(e.Name())
		if e.IsDir() || m == nil {
			continue
		}
		path := filepath.Join(dir, e.Name())
		if err := automation.ValidateStackName(m[1]); err != nil {
			problems = append(problems, path+": "+strings.TrimPrefix(err.Error(), "automation: "))
			continue
		}
		cfg, warnings, err := loadStackConfig(ctx, path)
		if err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			problems = append(problems, err.Error())
			continue
		}
		for _, w := range warnings {
			fmt.Fprintln(stderr, "warning: "+w)
		}
		all = append(all, fleetStack{Name: m[1], File: path, Config: cfg})
	}
	if len(problems) > 0 {
		return nil, usageError{"--fleet " + dir + ":\n  " + strings.Join(problems, "\n  ")}
	}
	if len(all) == 0 {
		return nil, usageError{fmt.Sprintf("--fleet %s: no Pulumi.<stack>.yaml files", dir)}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name < all[j].Name })
	var mine []fleetStack
	for _, st := range all {
		if shardOf(st.Name, s.Count) == s.Index {
			mine = append(mine, st)
		}
	}
	return mine, nil
}

// --- commands -----------------------------------------------------------------

// fleetOutput is the JSON document of a fleet command.
type fleetOutput struct {
	Command   string        `json:"command"`
	Shard     string        `json:"shard"`
	Simulated bool          `json:"simulated"`
	Stacks    []stackOutput `json:"stacks"`
}

type stackOutput struct {
	Stack   string         `json:"stack"`
	Result  *result.Result `json:"result,omitempty"`
	Plan    string         `json:"planFile,omitempty"`
	Comment string         `json:"commentFile,omitempty"`
	Error   *errorJSON     `json:"error,omitempty"`
}

// runFleet runs preview, up or drift on this runner's shard of a fleet.
// Every stack runs (a failure stops only its own); the exit code is the
// worst: a failure (or 4, 5 for up), else 3 for planned changes
// (--detailed-exitcode) or drift, else 0.
func runFleet(ctx context.Context, cmd string, o *options, stdout, stderr io.Writer) (int, error) {
	if cmd != "preview" && cmd != "up" && cmd != "drift" {
		return 0, usageError{fmt.Sprintf("--fleet works with preview, up and drift, not %s", cmd)}
	}
	if o.config != "" || o.stack != "" {
		return 0, usageError{"--fleet takes the stacks from the folder: leave out --config and --stack"}
	}
	sh, err := parseShard(o.wf.shard)
	if err != nil {
		return 0, err
	}
	stacks, err := loadFleet(ctx, o.wf.fleet, sh, stderr)
	if err != nil {
		return 0, err
	}
	for _, d := range []string{o.wf.planDir, o.wf.commentDir} {
		if d != "" {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return 0, err
			}
		}
	}
	if err := defaultDir(o); err != nil {
		return 0, err
	}
	pass, err := resolvePassphrase(ctx, o)
	if err != nil {
		return 0, err
	}
	if o.simulate {
		defer fmt.Fprintln(stderr, simulatedBanner)
	}
	fmt.Fprintf(stderr, "shard %d/%d: %d stack(s)\n", sh.Index, sh.Count, len(stacks))
	s, _, err := openSession(ctx, o, pass, nil, stderr)
	if err != nil {
		return 0, err
	}
	defer s.close()
	existing, err := s.eng.Stacks(ctx)
	if err != nil {
		return 0, err
	}

	outs := make([]stackOutput, len(stacks))
	codes := make([]int, len(stacks))
	workers := max(o.wf.workers, 1)
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for i, st := range stacks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			outs[i], codes[i] = fleetOne(ctx, cmd, o, s, st, existing)
		}()
	}
	wg.Wait()

	code := exitOK
	for i, c := range codes {
		code = worse(code, c)
		if e := outs[i].Error; e != nil {
			fmt.Fprintf(stderr, "platform %s: stack %s: %s\n", cmd, outs[i].Stack, e.Message)
		}
	}
	if o.json {
		return code, writeJSON(stdout, fleetOutput{Command: cmd, Shard: o.wf.shard, Simulated: s.simulated, Stacks: outs})
	}
	for _, so := range outs {
		switch {
		case so.Error != nil:
			fmt.Fprintf(stdout, "%s of stack %s: FAILED (%s)\n", cmd, so.Stack, so.Error.Kind)
		case so.Result != nil:
			printHuman(stdout, output{Result: so.Result})
			if so.Result.Drifted() {
				fmt.Fprintf(stdout, "  drifted: %d resource(s)\n", len(so.Result.Drift))
			}
		}
		for _, f := range []string{so.Plan, so.Comment} {
			if f != "" {
				fmt.Fprintf(stdout, "  wrote %s\n", f)
			}
		}
	}
	return code, nil
}

// fleetOne runs the command on one stack of the fleet.
func fleetOne(ctx context.Context, cmd string, o *options, s *session, st fleetStack, existing []string) (stackOutput, int) {
	out := stackOutput{Stack: st.Name}
	fail := func(err error) (stackOutput, int) {
		code, kind := classify(ctx, err)
		out.Error = &errorJSON{Kind: kind, Message: err.Error(), Code: code}
		return out, code
	}
	eng := s.eng
	// As for one stack (runStackCommand): only a preview creates a stack;
	// up (--create-stack) and drift need it to exist.
	if !slices.Contains(existing, st.Name) && (cmd == "drift" || cmd == "up" && !o.createStack) {
		return fail(&automation.StackNotFoundError{Stack: st.Name, Existing: existing})
	}
	if st.Config.Policies != nil && s.sim != nil && s.sim.APIServer == nil {
		st.Config.Policies = nil // as openSession does for one stack: no API server to apply them to
	}
	if err := eng.SetPolicies(ctx, st.Name, st.Config.Policies); err != nil {
		return fail(err)
	}
	code := exitOK
	switch cmd {
	case "preview":
		var po automation.PreviewOptions
		if o.wf.planDir != "" {
			out.Plan = filepath.Join(o.wf.planDir, st.Name+".plan.json")
			po.SavePlan = out.Plan
		}
		res, err := eng.Preview(ctx, st.Name, st.Config.Cluster, po)
		if err != nil {
			out.Plan = ""
			return fail(err)
		}
		out.Result = res
		if o.detailedExitCode && res.HasChanges() {
			code = exitChanges
		}
		if o.wf.commentDir != "" {
			out.Comment = filepath.Join(o.wf.commentDir, st.Name+".md")
			if err := os.WriteFile(out.Comment, []byte(renderComment(res, o)), 0o644); err != nil {
				return fail(err)
			}
		}
	case "up":
		uo := automation.UpOptions{AllowReplace: o.allowReplace, Refresh: o.wf.refresh}
		if o.wf.planDir != "" {
			uo.Plan = filepath.Join(o.wf.planDir, st.Name+".plan.json")
			if _, err := os.Stat(uo.Plan); err != nil {
				return fail(fmt.Errorf("no reviewed plan for stack %s (%w): preview it with --plan-dir first", st.Name, err))
			}
			out.Plan = uo.Plan
		}
		res, err := eng.Up(ctx, st.Name, st.Config.Cluster, uo)
		if err != nil {
			return fail(err)
		}
		out.Result = res
	case "drift":
		res, err := eng.Drift(ctx, st.Name, st.Config.Cluster, automation.DriftOptions{})
		if err != nil {
			return fail(err)
		}
		out.Result = res
		if res.Drifted() {
			code = exitChanges
		}
		if o.wf.commentDir != "" {
			out.Comment = filepath.Join(o.wf.commentDir, st.Name+".md")
			if err := os.WriteFile(out.Comment, []byte(renderDrift(res, o)), 0o644); err != nil {
				return fail(err)
			}
		}
	}
	return out, code
}

// renderComment is a stack's PR comment, with the CI run's commit and link.
func renderComment(res *result.Result, o *options) string {
	md := prcomment.Render(res, prcomment.Options{Title: o.title, CommitSHA: os.Getenv("GITHUB_SHA"), RunURL: githubRunURL()})
	if o.simulate {
		md += "\n<sub>" + simulatedBanner + ": this preview ran against aks-cilium's Azure simulator.</sub>\n"
	}
	return md
}

// renderDrift is a stack's drift report.
func renderDrift(res *result.Result, o *options) string {
	md := prcomment.RenderDrift(res, prcomment.Options{Title: o.title, CommitSHA: os.Getenv("GITHUB_SHA"), RunURL: githubRunURL()})
	if o.simulate {
		md += "\n<sub>" + simulatedBanner + ": this check ran against aks-cilium's Azure simulator.</sub>\n"
	}
	return md
}

// worse is the exit code that wins: a failure over a refusal over a
// planned change over success.
func worse(a, b int) int {
	rank := func(c int) int {
		switch c {
		case exitOK:
			return 0
		case exitChanges:
			return 1
		case exitRefused, exitPlanViolation:
			return 2
		}
		return 3
	}
	if rank(b) > rank(a) {
		return b
	}
	return a
}

// planViolation reports an *automation.PlanViolationError.
func planViolation(err error) bool {
	var pv *automation.PlanViolationError
	return errors.As(err, &pv)
}
