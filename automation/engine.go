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
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
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
		if cli, err = FindCLI(); err != nil {
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

// stack returns the stack's handle, creating its workspace and selecting (or
// creating) the stack on first use only. With a spec it also writes the spec
// into the stack's config file, in Go: no pulumi process.
func (e *Engine) stack(ctx context.Context, name string, c *spec.Cluster) (*auto.Stack, error) {
	if !stackNameRE.MatchString(name) {
		return nil, fmt.Errorf("automation: stack name %q: use 1-100 letters, digits, '-', '_' or '.'", name)
	}
	e.mu.Lock()
	entry, ok := e.stacks[name]
	if !ok {
		entry = &stackEntry{}
		e.stacks[name] = entry
	}
	e.mu.Unlock()

	// One stack's first use (a `pulumi stack select` or `init`) does not hold
	// up the other stacks.
	entry.mu.Lock()
	defer entry.mu.Unlock()
	if entry.stack == nil {
		ws, err := e.workspace(ctx, name)
		if err != nil {
			return nil, err
		}
		s, err := auto.UpsertStack(ctx, name, ws)
		if err != nil {
			return nil, e.classify(ctx, "select stack", name, err, nil)
		}
		entry.stack = &s
	}
	if c != nil {
		if err := writeSpec(ctx, entry.stack, *c); err != nil {
			return nil, err
		}
	}
	return entry.stack, nil
}

// stackEntry is a stack's handle, made once.
type stackEntry struct {
	mu    sync.Mutex
	stack *auto.Stack
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
func writeSpec(ctx context.Context, st *auto.Stack, c spec.Cluster) error {
	return writeConfig(ctx, st, spec.ConfigCluster, c)
}

// writeConfig stores one structured value in the stack's settings file (in
// Go: no pulumi process), keeping everything else there (the encryption
// salt, other keys); a nil value removes the key.
func writeConfig(ctx context.Context, st *auto.Stack, configKey string, value any) error {
	ws := st.Workspace()
	settings, err := ws.StackSettings(ctx, st.Name())
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
	if err := ws.SaveStackSettings(ctx, st.Name(), settings); err != nil {
		return fmt.Errorf("automation: saving %s of stack %q: %w", configKey, st.Name(), err)
	}
	return nil
}

// SetPolicies stores the stack's baseline network policies
// (spec.ConfigPolicies) for the next operations; nil removes them.
// Preview and Up check them against the cluster spec (its ACNS switches and
// Kubernetes version) before any process runs, with the spec's errors.
func (e *Engine) SetPolicies(ctx context.Context, stack string, p *components.PoliciesArgs) error {
	st, err := e.stack(ctx, stack, nil)
	if err != nil {
		return err
	}
	return writeConfig(ctx, st, spec.ConfigPolicies, p)
}

// checkPolicies validates the stack's stored policies for the cluster c
// (components.PoliciesArgs.CheckFor), its problems under "policies" as the
// spec's are under their fields.
func checkPolicies(ctx context.Context, st *auto.Stack, c spec.Cluster) error {
	settings, err := st.Workspace().StackSettings(ctx, st.Name())
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
	return invalidSpec(st.Name(), err)
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
	if !stackNameRE.MatchString(stack) {
		return spec.Cluster{}, false, nil // e.stack refuses the name
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
func recordApplied(ctx context.Context, st *auto.Stack, c *spec.Cluster) error {
	if c == nil {
		return writeConfig(ctx, st, configApplied, nil)
	}
	d := c.WithDefaults()
	return writeConfig(ctx, st, configApplied, d)
}
