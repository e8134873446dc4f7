package automation

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"

	"github.com/aks-cilium/aks-cilium/internal/proc"
)

// MinPulumiVersion is the oldest pulumi CLI the package accepts: the version
// of the SDK it is built with (tools/pulumi/go.mod builds exactly this one).
var MinPulumiVersion = semver.MustParse("3.274.1")

// CLI is the pulumi command the Engine shares between all its stacks and
// operations, with where it came from and how many processes it started.
type CLI struct {
	// Path of the pulumi binary.
	Path string
	// Version it reported once, when found.
	Version semver.Version
	// Source says how it was chosen: "AKS_CILIUM_PULUMI", "PATH" or "tools cache".
	Source string

	count atomic.Int64
}

// FindCLI chooses the pulumi CLI: $AKS_CILIUM_PULUMI when set, else `pulumi`
// on the PATH when it is at least MinPulumiVersion, else the one `make tools`
// builds into the tools cache. It runs `pulumi version` once; every later
// operation reuses the answer. An Engine with Options.PulumiHome finds its
// CLI with that home instead (FindCLIWithHome), so the version check writes
// nothing outside it.
func FindCLI() (*CLI, error) { return FindCLIWithHome("") }

// FindCLIWithHome is FindCLI with PULUMI_HOME set to home for the `pulumi
// version` call (pulumi writes a log file under its home even for that);
// "" leaves pulumi's default (~/.pulumi).
func FindCLIWithHome(home string) (*CLI, error) {
	var tried []string
	try := func(path, source string) (*CLI, error) {
		v, err := pulumiVersion(path, home)
		if err != nil {
			tried = append(tried, fmt.Sprintf("%s (%s): %v", path, source, err))
			return nil, err
		}
		return &CLI{Path: path, Version: v, Source: source}, nil
	}
	if p := os.Getenv("AKS_CILIUM_PULUMI"); p != "" {
		return try(p, "AKS_CILIUM_PULUMI")
	}
	if p, err := exec.LookPath("pulumi"); err == nil {
		if abs, err := filepath.Abs(p); err == nil {
			if cli, err := try(abs, "PATH"); err == nil {
				return cli, nil
			}
		}
	}
	if p := toolsCachePulumi(); p != "" {
		if cli, err := try(p, "tools cache"); err == nil {
			return cli, nil
		}
	}
	return nil, fmt.Errorf("no usable pulumi CLI >= %s: %s; run `make tools` to build one (or set AKS_CILIUM_PULUMI)",
		MinPulumiVersion, strings.Join(append(tried, "none in the tools cache"), "; "))
}

// pulumiVersion runs `pulumi version` (with PULUMI_HOME=home when set) and
// checks the answer against MinPulumiVersion.
func pulumiVersion(path, home string) (semver.Version, error) {
	cmd := exec.Command(path, "version")
	cmd.Env = append(os.Environ(), "PULUMI_SKIP_UPDATE_CHECK=true")
	if home != "" {
		cmd.Env = append(cmd.Env, "PULUMI_HOME="+home)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := proc.Run(cmd, syscall.SIGKILL); err != nil {
		return semver.Version{}, fmt.Errorf("`pulumi version`: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	text := strings.TrimSpace(stdout.String())
	v, err := semver.ParseTolerant(text)
	if err != nil {
		return semver.Version{}, fmt.Errorf("`pulumi version` answered %q, not a version (a build without its version flag)", text)
	}
	if v.LT(MinPulumiVersion) {
		return semver.Version{}, fmt.Errorf("version %s is older than %s", v, MinPulumiVersion)
	}
	return v, nil
}

// toolsCachePulumi is where tools/build.sh puts the CLI, if it is there.
func toolsCachePulumi() string {
	cache := os.Getenv("TOOLS_CACHE")
	if cache == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			return ""
		}
		cache = filepath.Join(dir, "aks-cilium", "tools")
	}
	matches, _ := filepath.Glob(filepath.Join(cache, "pulumi-v*", "bin", "pulumi"))
	if len(matches) == 0 {
		return ""
	}
	return matches[len(matches)-1]
}

// Processes is the number of pulumi processes this CLI has started.
func (c *CLI) Processes() int64 { return c.count.Load() }

// Command is the CLI as the Automation API's command (auto.Pulumi), sharing
// the version check made once and counting the processes it starts.
func (c *CLI) Command() auto.PulumiCommand { return command{c} }

// command runs the pulumi CLI for the Automation API. It does what the
// Automation API's own command does (non-interactive, PULUMI_AUTOMATION_API,
// the binary's folder first on PATH, its own process group, interrupt on
// cancel then kill after 10 s), written here so that the process also gets
// a parent-death signal (package proc: killing this process interrupts its
// pulumi, which then finishes the resource operations in flight, records
// them and releases the stack's lock) and so that no symlinked root folder
// is needed for a binary outside a bin/ folder.
type command struct{ cli *CLI }

// cancelGrace is how long pulumi may take to stop after an interrupt before
// it is killed: the Automation API's own WaitDelay.
const cancelGrace = 10 * time.Second

func (c command) Run(ctx context.Context, workdir string, stdin io.Reader, out, errOut []io.Writer,
	env []string, args ...string,
) (string, string, int, error) {
	if isFollowUpRead(ctx, args) {
		return "", "", 0, errFollowUpRead // answered from the update's events (see Engine.up)
	}
	c.cli.count.Add(1)
	flags := args
	if i := slices.Index(args, "--"); i >= 0 {
		flags = args[:i]
	}
	if !slices.Contains(flags, "--non-interactive") {
		args = append([]string{"--non-interactive"}, args...)
	}
	cmd := exec.CommandContext(ctx, c.cli.Path, args...)
	cmd.Dir = workdir
	cmd.Env = withPathFirst(append(append(os.Environ(), env...), "PULUMI_AUTOMATION_API=true"), filepath.Dir(c.cli.Path))
	var stdout, stderr bytes.Buffer
	cmd.Stdout = io.MultiWriter(append(out, &stdout)...)
	cmd.Stderr = io.MultiWriter(append(errOut, &stderr)...)
	cmd.Stdin = stdin
	cmd.Cancel = func() error {
		if err := cmd.Process.Signal(os.Interrupt); err != nil {
			_ = cmd.Process.Kill()
		}
		return nil
	}
	cmd.WaitDelay = cancelGrace
	err := proc.Run(cmd, syscall.SIGINT)
	code := -2 // the Automation API's "unknown" exit code
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err == nil {
		code = 0
	}
	return stdout.String(), stderr.String(), code, err
}

func (c command) Version() semver.Version { return c.cli.Version }

// withPathFirst puts dir first on the PATH of env (pulumi finds its
// language hosts and plugins beside itself).
func withPathFirst(env []string, dir string) []string {
	out := make([]string, 0, len(env)+1)
	path := dir
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = dir + string(os.PathListSeparator) + v
			continue
		}
		out = append(out, kv)
	}
	return append(out, "PATH="+path)
}
