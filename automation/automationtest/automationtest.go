// Package automationtest gives tests an automation Engine wired to the
// simulators (package simulated), torn down when the test ends, and the
// pulumi CLI that `make tools` builds. It is for the tests of this project
// and of the platforms that import it:
//
//	func TestMyPlatform(t *testing.T) {
//		env := automationtest.New(t, automationtest.Options{})
//		res, err := env.Engine.Up(ctx, "dev", cluster, automation.UpOptions{})
//		...
//		env.Azure.Resources() // what the simulated Azure now holds
//	}
//
// Without the pulumi CLI (or, unless NoAPIServer, the local API server) a
// test skips and says how to build it, unless AKS_CILIUM_REQUIRE_TOOLS=1
// (set by `make test` and CI), where it fails instead.
package automationtest

import (
	"context"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"

	"github.com/aks-cilium/aks-cilium/automation"
	"github.com/aks-cilium/aks-cilium/automation/simulated"
	"github.com/aks-cilium/aks-cilium/internal/pulumitest"
	"github.com/aks-cilium/aks-cilium/internal/tooltest"
	"github.com/aks-cilium/aks-cilium/sim/azuresim"
)

// RequireToolsEnv names the variable that turns a missing tool from a skip
// into a failure.
const RequireToolsEnv = tooltest.RequireEnv

// Today is the day the Engine of New judges AKS support windows on, unless
// Options.Engine.Now is set: 2026-03-15, when Kubernetes 1.32 to 1.35 are in
// AKS community support (spec.Versions), so tests do not age with the
// calendar.
var Today = time.Date(2026, time.March, 15, 12, 0, 0, 0, time.UTC)

// Options configure New; every field is optional.
type Options struct {
	// Dir is the Engine's folder; a fresh t.TempDir() when empty.
	Dir string
	// Passphrase encrypts the stacks' secrets; a fixed test value when empty.
	Passphrase string
	// Engine, Azure and NoAPIServer are as in simulated.Options. The CLI
	// defaults to the shared one (CLI).
	Engine      automation.Options
	Azure       azuresim.Options
	NoAPIServer bool
}

// New starts the simulators and an Engine for the test, and stops them when
// the test ends. It fails the test on an error.
func New(t testing.TB, o Options) *simulated.Environment {
	t.Helper()
	if o.Dir == "" {
		o.Dir = t.TempDir()
	}
	if o.Passphrase == "" {
		o.Passphrase = "automationtest-passphrase"
	}
	if o.Engine.CLI == nil {
		o.Engine.CLI = CLI(t)
	}
	if o.Engine.Now == nil {
		o.Engine.Now = func() time.Time { return Today }
	}
	env, err := simulated.Start(context.Background(), simulated.Options{
		Dir: o.Dir, Passphrase: o.Passphrase, Engine: o.Engine, Azure: o.Azure, NoAPIServer: o.NoAPIServer,
	})
	if err != nil {
		t.Fatalf("automationtest: starting the simulators: %v", err)
	}
	t.Cleanup(env.Close)
	if !o.NoAPIServer && env.APIServer == nil {
		tooltest.Missing(t, env.NoAPIServerReason)
	}
	return env
}

// CLI returns the pulumi CLI shared by the whole test binary
// (automation.FindCLI, found once), or skips the test saying how to build
// it (fails it under AKS_CILIUM_REQUIRE_TOOLS=1).
func CLI(t testing.TB) *automation.CLI {
	t.Helper()
	return pulumitest.CLI(t)
}

// Command is CLI(t) as the Automation API's command, for auto.Pulumi.
func Command(t testing.TB) auto.PulumiCommand {
	t.Helper()
	return CLI(t).Command()
}
