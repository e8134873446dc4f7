package automation

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/blang/semver"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
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

	cmd   auto.PulumiCommand
	count atomic.Int64
}

// FindCLI chooses the pulumi CLI: $AKS_CILIUM_PULUMI when set, else `pulumi`
// on the PATH when it is at least MinPulumiVersion, else the one `make tools`
// builds into the tools cache. It runs `pulumi version` once; every later
// operation reuses the answer.
func FindCLI() (*CLI, error) {
	var tried []string
	try := func(path, source string) (*CLI, error) {
		cmd, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: rootOf(path), Version: MinPulumiVersion})
		if err != nil {
			tried = append(tried, fmt.Sprintf("%s (%s): %v", path, source, err))
			return nil, err
		}
		return &CLI{Path: path, Version: cmd.Version(), Source: source, cmd: cmd}, nil
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

// rootOf is the folder auto.NewPulumiCommand wants: the one holding bin/pulumi.
// A binary elsewhere is linked into a private root first.
func rootOf(path string) string {
	if filepath.Base(filepath.Dir(path)) == "bin" {
		return filepath.Dir(filepath.Dir(path))
	}
	root, err := os.MkdirTemp("", "aks-cilium-pulumi-")
	if err != nil {
		return filepath.Dir(path)
	}
	_ = os.MkdirAll(filepath.Join(root, "bin"), 0o755)
	_ = os.Symlink(path, filepath.Join(root, "bin", "pulumi"))
	return root
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
func (c *CLI) Command() auto.PulumiCommand { return countingCommand{c} }

type countingCommand struct{ cli *CLI }

func (c countingCommand) Run(ctx context.Context, workdir string, stdin io.Reader, out, errOut []io.Writer,
	env []string, args ...string,
) (string, string, int, error) {
	c.cli.count.Add(1)
	return c.cli.cmd.Run(ctx, workdir, stdin, out, errOut, env, args...)
}

func (c countingCommand) Version() semver.Version { return c.cli.cmd.Version() }
