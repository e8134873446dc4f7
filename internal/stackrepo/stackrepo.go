// Package stackrepo runs a Pulumi stack repository (a folder with Pulumi.yaml
// and Pulumi.<stack>.yaml files, in any language) the way a user does: as
// `pulumi` CLI commands in the folder. The provider plugins are installed the
// way a user installs them offline, `pulumi plugin install resource <name>
// <version> --file <binary>`, into a private PULUMI_HOME, with
// PULUMI_IGNORE_AMBIENT_PLUGINS so nothing on the PATH is picked up and
// automatic plugin downloads off; state goes to a private file backend with
// passphrase secrets. The kubernetes provider is whatever the caller names in
// PULUMI_DEBUG_PROVIDERS (kubesim on a local API server).
//
// The repository is copied into the work folder first, so `pulumi stack
// init` and `pulumi config set` never write into the source tree. The tests
// of examples/yaml, the demo and the benchmark use it.
package stackrepo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Plugin is a provider plugin binary and the name and version it is
// installed under.
type Plugin struct {
	// Name and Version are the package name and version (no "v"), e.g.
	// "aks-cilium" and "0.1.0".
	Name, Version string
	// Binary is the plugin executable.
	Binary string
}

// Options configure Open.
type Options struct {
	// Source is the stack repository to copy; required.
	Source string
	// Dir is the work folder (the copy, PULUMI_HOME, the backend); required.
	Dir string
	// CLI is the pulumi binary; required.
	CLI string
	// Plugins are installed into the private PULUMI_HOME.
	Plugins []Plugin
	// Passphrase encrypts the stack's secrets; a fixed value when empty.
	Passphrase string
	// Env adds variables to every command (PULUMI_DEBUG_PROVIDERS, the azure
	// simulator's AKS_CILIUM_SIMULATOR_STATE, ...).
	Env map[string]string
	// Log, when set, receives every command line and its output, as a
	// terminal would show them.
	Log io.Writer
}

// Repo is a stack repository ready for pulumi commands.
type Repo struct {
	// Dir is the copy of the repository the commands run in.
	Dir string
	// Home is the private PULUMI_HOME; Backend the file backend's folder.
	Home, Backend string

	cli string
	env []string
	log io.Writer
}

// Open copies the repository, prepares PULUMI_HOME and the backend, and
// installs the plugins.
func Open(ctx context.Context, o Options) (*Repo, error) {
	if o.Source == "" || o.Dir == "" || o.CLI == "" {
		return nil, errors.New("stackrepo: Options.Source, Dir and CLI are required")
	}
	r := &Repo{
		Dir:     filepath.Join(o.Dir, filepath.Base(filepath.Clean(o.Source))),
		Home:    filepath.Join(o.Dir, "pulumi-home"),
		Backend: filepath.Join(o.Dir, "backend"),
		cli:     o.CLI,
		log:     o.Log,
	}
	if err := copyTree(o.Source, r.Dir); err != nil {
		return nil, fmt.Errorf("stackrepo: copying %s: %w", o.Source, err)
	}
	for _, d := range []string{r.Home, r.Backend} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, err
		}
	}
	pass := o.Passphrase
	if pass == "" {
		pass = "stackrepo-passphrase"
	}
	vars := map[string]string{
		"PULUMI_HOME":                                 r.Home,
		"PULUMI_BACKEND_URL":                          "file://" + r.Backend,
		"PULUMI_CONFIG_PASSPHRASE":                    pass,
		"PULUMI_SKIP_UPDATE_CHECK":                    "true",
		"PULUMI_IGNORE_AMBIENT_PLUGINS":               "true",
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
		"PULUMI_DIY_BACKEND_NO_LEGACY_WARNING":        "true",
		"PULUMI_SKIP_CONFIRMATIONS":                   "true",
	}
	for k, v := range o.Env {
		vars[k] = v
	}
	r.env = environ(vars)
	for _, p := range o.Plugins {
		binary, err := filepath.Abs(p.Binary)
		if err != nil {
			return nil, err
		}
		if _, err := r.Pulumi(ctx, "plugin", "install", "resource", p.Name, p.Version, "--file", binary); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// environ is the process environment with vars set (and replaced).
func environ(vars map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if _, set := vars[k]; !set && !strings.HasPrefix(k, "PULUMI_") {
			env = append(env, kv)
		}
	}
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	return env
}

// Output is what a command wrote.
type Output struct {
	// Stdout and Stderr are the command's streams.
	Stdout, Stderr string
	// Duration is the command's wall time.
	Duration time.Duration
}

// Combined is stdout followed by stderr.
func (o Output) Combined() string { return o.Stdout + o.Stderr }

// Error is a command that exited unsuccessfully, with what it wrote.
type Error struct {
	// Args are the pulumi arguments.
	Args []string
	// Output is what it wrote.
	Output Output
	// Err is the exit error.
	Err error
}

func (e *Error) Error() string {
	return fmt.Sprintf("pulumi %s: %v\n%s", strings.Join(e.Args, " "), e.Err, e.Output.Combined())
}

// Unwrap is the exit error.
func (e *Error) Unwrap() error { return e.Err }

// Pulumi runs `pulumi args...` in the repository; a non-zero exit is an
// *Error that carries the output.
func (r *Repo) Pulumi(ctx context.Context, args ...string) (Output, error) {
	cmd := exec.CommandContext(ctx, r.cli, args...)
	cmd.Dir, cmd.Env = r.Dir, r.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if r.log != nil {
		fmt.Fprintf(r.log, "$ pulumi %s\n", strings.Join(args, " "))
		cmd.Stdout = io.MultiWriter(&stdout, r.log)
		cmd.Stderr = io.MultiWriter(&stderr, r.log)
	}
	start := time.Now()
	err := cmd.Run()
	out := Output{Stdout: stdout.String(), Stderr: stderr.String(), Duration: time.Since(start)}
	if err != nil {
		return out, &Error{Args: args, Output: out, Err: err}
	}
	return out, nil
}

// copyTree copies the regular files of src into dst, leaving out Go files
// (the tests beside a stack repo are no part of it).
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() || strings.HasSuffix(path, ".go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}

// LanguageHost returns the pulumi-language-<lang> the CLI at cli uses: the
// CLI looks for its bundled language hosts (yaml, nodejs, python, go,
// dotnet) beside its own binary, symlinks resolved, as a Pulumi install
// ships them and as `make tools` links them.
func LanguageHost(cli, lang string) (string, error) {
	real, err := filepath.EvalSymlinks(cli)
	if err != nil {
		return "", err
	}
	host := filepath.Join(filepath.Dir(real), "pulumi-language-"+lang)
	if _, err := os.Stat(host); err != nil {
		return "", fmt.Errorf("no pulumi-language-%s beside the pulumi CLI %s (%s): run `make tools`, which builds the language hosts and links them there", lang, cli, real)
	}
	return host, nil
}
