// Package pulumitest gives tests the real pulumi CLI that `make tools`
// builds, found once per test binary with automation.FindCLI
// (AKS_CILIUM_PULUMI, a recent enough pulumi on the PATH, or the tools
// cache). Without one a test skips and says how to build it, unless
// AKS_CILIUM_REQUIRE_TOOLS=1 (make test, CI), where it fails instead.
package pulumitest

import (
	"os"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"

	"github.com/aks-cilium/aks-cilium/automation"
)

// RequireToolsEnv names the variable that turns a missing tool from a skip
// into a failure.
const RequireToolsEnv = "AKS_CILIUM_REQUIRE_TOOLS"

var (
	once sync.Once
	cli  *automation.CLI
	err  error
)

// CLI returns the shared pulumi CLI, or skips (fails) the test.
func CLI(t testing.TB) *automation.CLI {
	t.Helper()
	once.Do(func() { cli, err = automation.FindCLI() })
	if err != nil {
		if os.Getenv(RequireToolsEnv) == "1" {
			t.Fatalf("%v (%s=1, so this fails instead of skipping)", err, RequireToolsEnv)
		}
		t.Skipf("skipped: %v", err)
	}
	return cli
}

// Command is CLI(t) as the Automation API's command, for auto.Pulumi.
func Command(t testing.TB) auto.PulumiCommand {
	t.Helper()
	return CLI(t).Command()
}
