// Package automation runs Pulumi operations on Platform stacks in-process:
// Go programs (internal platforms, CI jobs) call Preview, Up, Refresh,
// Destroy and Outputs with a typed spec and get typed results back, through
// the real pulumi CLI and engine (github.com/pulumi/pulumi/sdk/v3/go/auto).
//
// An Engine owns one project and a folder: a stable work directory per stack
// (Pulumi.yaml and Pulumi.<stack>.yaml, kept between calls), and by default a
// private local file backend with passphrase-encrypted secrets. It finds the
// pulumi CLI once (FindCLI) and shares it, so an operation on a known stack
// starts exactly one pulumi process.
//
//	eng, err := automation.New(automation.Options{Dir: dir, Passphrase: pass})
//	res, err := eng.Preview(ctx, "prod", c)             // c: a spec.Cluster
//	res, err = eng.Up(ctx, "prod", c, automation.UpOptions{})
//	var refused *automation.ReplacementRefusedError  // errors.As: a guarded replace
//	var invalid *automation.InvalidSpecError         // a bad spec or an immutable change
//
// Before any pulumi process, Preview and Up validate the spec and compare it
// with the spec of the stack's last successful Up (spec.ValidateUpdate), so
// a change AKS cannot make in place is refused with its rule code instead of
// failing halfway through an up; the preview guardrail stays behind that.
//
// The inline program is components.StackProgram, the same one the root
// project runs: the spec goes to the stack's config (aks-cilium:cluster), so
// a stack made here and one made with `pulumi up` in stacks/ are the same.
package automation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aks-cilium/aks-cilium/automation/acns"
	"github.com/aks-cilium/aks-cilium/components"
	"github.com/aks-cilium/aks-cilium/components/spec"
)

// DefaultProject is the Pulumi project name of the stacks an Engine manages;
// it is the root project's name (Pulumi.yaml), so both share config keys.
const DefaultProject = spec.ProjectName

// Options configure an Engine. Only Dir and (for the default secrets
// provider) Passphrase are needed.
type Options struct {
	// Dir is the Engine's private folder (created 0700): work directories
	// under Dir/stacks/<stack>, and the default backend under Dir/state.
	Dir string
	// Project is the Pulumi project name; DefaultProject when empty.
	Project string
	// BackendURL is any Pulumi backend URL; "file://<Dir>/state" when empty.
	BackendURL string
	// SecretsProvider is "passphrase" (the default) or any provider URL
	// (azurekeyvault://..., awskms://...).
	SecretsProvider string
	// Passphrase encrypts secrets with the passphrase provider. It is passed
	// to pulumi in its environment only, and never logged.
	Passphrase string
	// CLI is the pulumi command to share; FindCLI() when nil.
	CLI *CLI
	// PulumiHome is PULUMI_HOME for every operation (plugins, credentials);
	// the user's ~/.pulumi when empty.
	PulumiHome string
	// Env is added to the environment of every pulumi process, e.g. a
	// simulator's PULUMI_DEBUG_PROVIDERS or Azure's ARM_* variables.
	Env map[string]string
	// Plugins are local provider plugins written into the project settings
	// (for example a simulator binary); name, folder and version.
	Plugins []workspace.PluginOptions
	// Program replaces the inline program; components.StackProgram when nil.
	Program pulumi.RunFunc
	// Progress, when set, receives a line per resource step as it happens.
	Progress io.Writer
	// Parallel bounds resource operations per run (pulumi --parallel); 0 is
	// pulumi's default.
	Parallel int
	// ACNS configures the Engine's own ARM calls for ACNS (automation/acns):
	// after an up whose spec has ACNS on, or had it on before, the Engine
	// makes the cluster's ACNS the spec's through ARM and refreshes the
	// stack. Nil means acns.ClientOptions{} (DefaultAzureCredential), made
	// only when that step first runs. The simulator's ARM front end plugs
	// in here (ARM.Transport).
	ACNS *acns.ClientOptions
	// Now is the Engine's clock for the AKS support windows: Preview and Up
	// refuse a new cluster, or a change to a Kubernetes minor, that AKS
	// would not create on that day (spec.Cluster.ValidateSupport). Nil is
	// time.Now; tests give a fixed day.
	Now func() time.Time
}

// Engine runs operations on the stacks of one project. It is safe for
// concurrent use; operations on different stacks run in parallel, and two
// operations on the same stack are serialised by Pulumi's stack lock (the
// second gets a *ConcurrentUpdateError).
type Engine struct {
	opts Options
	cli  *CLI

	mu     sync.Mutex
	stacks map[string]*stackEntry

	secretsMu sync.Mutex
	secrets   []string          // values to mask, longest first
	masker    *strings.Replacer // replaces every one of secrets

	acnsMu sync.Mutex
	acns   *acns.Client // made on first use (acnsClient)
}

var stackNameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,100}$`)

// New prepares an Engine: it finds the CLI (once) and creates its private
// folder. It starts no pulumi process when Options.CLI is given.
func New(opts Options) (*Engine, error) {
	if opts.Dir == "" {
		return nil, errors.New("automation: Options.Dir is required (the Engine's private folder)")
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("automation: Options.Dir: %w", err)
	}
	opts.Dir = dir
	if opts.Project == "" {
		opts.Project = DefaultProject
	}
	if opts.SecretsProvider == "" {
		opts.SecretsProvider = "passphrase"
	}
	if opts.SecretsProvider == "passphrase" && opts.Passphrase == "" {
		return nil, errors.New("automation: Options.Passphrase is required with the passphrase secrets provider")
	}
	if opts.Program == nil {
		opts.Program = components.StackProgram
	}
	if err := os.MkdirAll(filepath.Join(dir, "stacks"), 0o700); err != nil {
		return nil, fmt.Errorf("automation: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("automation: %w", err)
	}
	if opts.BackendURL == "" {
		state := filepath.Join(dir, "state")
		if err := os.MkdirAll(state, 0o700); err != nil {
			return nil, fmt.Errorf("automation: %w", err)
		}
		opts.BackendURL = "file://" + filepath.ToSlash(state)
	}
	cli := opts.CLI
	if cli == nil {
		if cli, err = FindCLIWithHome(opts.PulumiHome); err != nil {
			return nil, err
		}
	}
	e := &Engine{opts: opts, cli: cli, stacks: map[string]*stackEntry{}}
	e.addSecret(opts.Passphrase)
	return e, nil
}

// CLI is the pulumi command the Engine uses (path, version, source and the
// number of processes it started).
func (e *Engine) CLI() *CLI { return e.cli }

// StateDir is the folder of the default file backend ("" for another backend).
func (e *Engine) StateDir() string {
	if u := e.opts.BackendURL; len(u) > len("file://") && u[:len("file://")] == "file://" {
		return filepath.FromSlash(u[len("file://"):])
	}
	return ""
}

// WorkDir is the stable work directory of one stack.
func (e *Engine) WorkDir(stack string) string { return filepath.Join(e.opts.Dir, "stacks", stack) }

// env is the environment of every pulumi process of this Engine.
func (e *Engine) env() map[string]string {
	env := map[string]string{
		"PULUMI_SKIP_UPDATE_CHECK":                 "true",
		"PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK": "true", // checked once, in FindCLI
	}
	if e.opts.Passphrase != "" {
		env["PULUMI_CONFIG_PASSPHRASE"] = e.opts.Passphrase
	}
	maps.Copy(env, e.opts.Env)
	return env
}

// ValidateStackName reports whether name can be a stack of an Engine: 1-100
// letters, digits, '-', '_' or '.', and not "." or ".." (the stack's work
// directory and state file are named after it).
func ValidateStackName(name string) error {
	if !stackNameRE.MatchString(name) || name == "." || name == ".." {
		return fmt.Errorf("automation: stack name %q: use 1-100 letters, digits, '-', '_' or '.' (not \".\" or \"..\")", name)
	}
	return nil
}

// stackEntry is one stack's workspace, made once, and its handle once the
// stack is known to exist in the backend.
type stackEntry struct {
	// mu serialises the stack's first use (a `pulumi stack select` or
	// `init`) and every read-modify-write of its settings file.
	mu    sync.Mutex
	ws    auto.Workspace
	stack *auto.Stack
}

// entry returns the stack's entry, making its workspace on first use (no
// pulumi process). The caller locks entry.mu around what it does with it.
func (e *Engine) entry(ctx context.Context, name string) (*stackEntry, error) {
	if err := ValidateStackName(name); err != nil {
		return nil, err
	}
	e.mu.Lock()
	entry, ok := e.stacks[name]
	if !ok {
		entry = &stackEntry{}
		e.stacks[name] = entry
	}
	e.mu.Unlock()
	// One stack's first use does not hold up the other stacks.
	entry.mu.Lock()
	defer entry.mu.Unlock()
	if entry.ws == nil {
		ws, err := e.workspace(ctx, name)
		if err != nil {
			return nil, err
		}
		entry.ws = ws
	}
	return entry, nil
}

// open returns the stack's handle, selecting the stack on first use; a
// missing stack is created when create is set (Preview and Up), else it is
// a *StackNotFoundError naming the stacks that exist. The caller holds
// entry.mu.
func (e *Engine) open(ctx context.Context, entry *stackEntry, name string, create bool) (*auto.Stack, error) {
	if entry.stack != nil {
		return entry.stack, nil
	}
	s, err := auto.SelectStack(ctx, name, entry.ws)
	if err != nil && auto.IsSelectStack404Error(err) {
		if !create {
			existing, _ := e.Stacks(ctx)
			return nil, &StackNotFoundError{Stack: name, Existing: existing}
		}
		s, err = auto.NewStack(ctx, name, entry.ws)
	}
	if err != nil {
		return nil, e.classify(ctx, "select stack", name, err, nil)
	}
	entry.stack = &s
	return entry.stack, nil
}

// Stacks lists the stacks of the Engine's project in its backend, sorted.
// With the default file backend it reads the state folder (no pulumi
// process); with another backend it runs `pulumi stack ls`.
func (e *Engine) Stacks(ctx context.Context) ([]string, error) {
	if state := e.StateDir(); state != "" {
		return localStacks(state, e.opts.Project)
	}
	entry, err := e.entry(ctx, listStack)
	if err != nil {
		return nil, err
	}
	list, err := entry.ws.ListStacks(ctx)
	if err != nil {
		return nil, e.classify(ctx, "list stacks", "", err, nil)
	}
	names := make([]string, 0, len(list))
	for _, s := range list {
		names = append(names, s.Name[strings.LastIndex(s.Name, "/")+1:])
	}
	sort.Strings(names)
	return names, nil
}

// LocalStacks lists the stacks of project in the default file backend of
// the Engine folder dir (Options.Dir, without Options.BackendURL), without
// an Engine or a pulumi process: for a caller that must know before it
// starts one (a CLI choosing whether it may generate a passphrase).
func LocalStacks(dir, project string) ([]string, error) {
	return localStacks(filepath.Join(dir, "state"), project)
}

// listStack is the work directory Stacks lists other backends from; no
// stack of that name is ever selected.
const listStack = "_list"

// localStacks lists the stacks of a project in a file backend's state
// folder: .pulumi/stacks/<project>/<stack>.json (or .json.gz / .json.zst,
// Pulumi's compressed checkpoints).
func localStacks(state, project string) ([]string, error) {
	files, err := os.ReadDir(filepath.Join(state, ".pulumi", "stacks", project))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("automation: listing stacks: %w", err)
	}
	var names []string
	for _, f := range files {
		n := f.Name()
		for _, ext := range []string{".json", ".json.gz", ".json.zst"} {
			if stack, ok := strings.CutSuffix(n, ext); ok && !f.IsDir() && ValidateStackName(stack) == nil {
				names = append(names, stack)
				break
			}
		}
	}
	sort.Strings(names)
	return slices.Compact(names), nil
}

// workspace makes the stack's LocalWorkspace in its stable work directory.
func (e *Engine) workspace(ctx context.Context, name string) (auto.Workspace, error) {
	dir := e.WorkDir(name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("automation: %w", err)
	}
	project := workspace.Project{
		Name:    tokens.PackageName(e.opts.Project),
		Runtime: workspace.NewProjectRuntimeInfo("go", nil),
		Backend: &workspace.ProjectBackend{URL: e.opts.BackendURL},
	}
	if len(e.opts.Plugins) > 0 {
		project.Plugins = &workspace.Plugins{Providers: e.opts.Plugins}
	}
	opts := []auto.LocalWorkspaceOption{
		auto.WorkDir(dir),
		auto.Project(project),
		auto.Program(e.opts.Program),
		auto.Pulumi(e.cli.Command()),
		auto.SecretsProvider(e.opts.SecretsProvider),
		auto.EnvVars(e.env()),
	}
	if e.opts.PulumiHome != "" {
		opts = append(opts, auto.PulumiHome(e.opts.PulumiHome))
	}
	ws, err := auto.NewLocalWorkspace(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("automation: workspace for stack %q: %w", name, err)
	}
	return ws, nil
}

// writeSpec stores the spec under spec.ConfigCluster in the stack's
// settings file. The spec holds no secrets.
func writeSpec(ctx context.Context, ws auto.Workspace, stack string, c spec.Cluster) error {
	return writeConfig(ctx, ws, stack, spec.ConfigCluster, c)
}

// writeConfig stores one structured value in the stack's settings file (in
// Go: no pulumi process), keeping everything else there (the encryption
// salt, other keys); a nil value removes the key. The caller holds the
// stack entry's lock.
func writeConfig(ctx context.Context, ws auto.Workspace, stack, configKey string, value any) error {
	settings, err := ws.StackSettings(ctx, stack)
	if err != nil {
		settings = &workspace.ProjectStack{}
	}
	if settings.Config == nil {
		settings.Config = config.Map{}
	}
	key, err := config.ParseKey(configKey)
	if err != nil {
		return err
	}
	if value == nil || reflect.ValueOf(value).Kind() == reflect.Pointer && reflect.ValueOf(value).IsNil() {
		delete(settings.Config, key)
	} else {
		data, err := json.Marshal(value)
		if err != nil {
			return fmt.Errorf("automation: encoding %s: %w", configKey, err)
		}
		settings.Config[key] = config.NewObjectValue(string(data))
	}
	if err := ws.SaveStackSettings(ctx, stack, settings); err != nil {
		return fmt.Errorf("automation: saving %s of stack %q: %w", configKey, stack, err)
	}
	return nil
}

// setConfig writes one key of the stack's settings file (writeConfig)
// under the stack's lock.
func (e *Engine) setConfig(ctx context.Context, stack, configKey string, value any) error {
	entry, err := e.entry(ctx, stack)
	if err != nil {
		return err
	}
	entry.mu.Lock()
	defer entry.mu.Unlock()
	return writeConfig(ctx, entry.ws, stack, configKey, value)
}

// SetPolicies stores the stack's baseline network policies
// (spec.ConfigPolicies) for the next operations; nil removes them. It only
// writes the stack's settings file: the stack need not exist yet (the next
// Preview or Up creates it). Preview and Up check the policies against the
// cluster spec (its ACNS switches and Kubernetes version) before any
// process runs, with the spec's errors.
func (e *Engine) SetPolicies(ctx context.Context, stack string, p *components.PoliciesArgs) error {
	return e.setConfig(ctx, stack, spec.ConfigPolicies, p)
}

// checkPolicies validates the stack's stored policies for the cluster c
// (components.PoliciesArgs.CheckFor), its problems under "policies" as the
// spec's are under their fields.
func checkPolicies(ctx context.Context, ws auto.Workspace, stack string, c spec.Cluster) error {
	settings, err := ws.StackSettings(ctx, stack)
	if err != nil {
		return nil // no settings file yet: no policies
	}
	key, err := config.ParseKey(spec.ConfigPolicies)
	if err != nil {
		return err
	}
	v, ok := settings.Config[key]
	if !ok {
		return nil
	}
	raw, err := v.Value(config.NopDecrypter)
	if err != nil {
		return err
	}
	p, err := components.DecodePolicies([]byte(raw))
	if err == nil {
		_, err = p.CheckFor(c.WithDefaults())
	}
	return invalidSpec(stack, err)
}

// checkSpec defaults and validates a spec before any pulumi process runs.
func checkSpec(stack string, c spec.Cluster) (spec.Cluster, error) {
	c, err := c.Check()
	return c, invalidSpec(stack, err)
}

// configApplied is the Engine's record of the spec (defaulted) of the
// stack's last successful Up, in the stack's config file next to
// spec.ConfigCluster: a Preview rewrites spec.ConfigCluster, so that key
// alone does not say what is deployed. Destroy removes the record.
const configApplied = "aks-cilium:appliedCluster"

// appliedSpec reads the stack's applied spec from its config file, in Go:
// no pulumi process. ok is false for a stack with no successful Up recorded.
func (e *Engine) appliedSpec(stack string) (c spec.Cluster, ok bool, err error) {
	if ValidateStackName(stack) != nil {
		return spec.Cluster{}, false, nil // prepare refuses the name
	}
	values, err := e.configFile(stack)
	if errors.Is(err, ErrNoStoredConfig) {
		return spec.Cluster{}, false, nil
	}
	if err != nil {
		return spec.Cluster{}, false, err
	}
	raw, ok := values[configApplied]
	if !ok {
		return spec.Cluster{}, false, nil
	}
	if c, err = spec.DecodeJSON(raw); err != nil {
		return spec.Cluster{}, false, fmt.Errorf("automation: stack %s: the spec of its last up (%s): %w", stack, configApplied, err)
	}
	return c, true, nil
}

// checkUpdate refuses, before any pulumi process runs, the changes from the
// stack's applied spec to c that AKS cannot make (spec.ValidateUpdate). With
// replacements a change that a replacement makes valid (spec.Replaceable)
// passes: Pulumi then plans the replacement, which Up's guardrail shows and
// refuses unless allowed.
func (e *Engine) checkUpdate(stack string, c spec.Cluster, replacements bool) error {
	old, ok, err := e.appliedSpec(stack)
	if err != nil || !ok {
		return err
	}
	errs := spec.ValidateUpdate(old, c)
	if replacements {
		errs = slices.DeleteFunc(errs, spec.Replaceable)
	}
	return invalidSpec(stack, spec.NewInvalidError(errs))
}

// recordApplied stores (c nil: removes) the stack's applied spec.
func (e *Engine) recordApplied(ctx context.Context, stack string, c *spec.Cluster) error {
	if c == nil {
		return e.setConfig(ctx, stack, configApplied, nil)
	}
	d := c.WithDefaults()
	return e.setConfig(ctx, stack, configApplied, d)
}
