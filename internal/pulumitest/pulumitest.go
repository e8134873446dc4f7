// Package pulumitest gives tests the real pulumi CLI that `make tools`
// builds, found once per test binary with automation.FindCLI
// (AKS_CILIUM_PULUMI, a recent enough pulumi on the PATH, or the tools
// cache). Without one a test skips and says how to build it, unless
// AKS_CILIUM_REQUIRE_TOOLS=1 (make test, CI), where it fails instead.
package pulumitest

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/events"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"

	"github.com/aks-cilium/aks-cilium/automation"
	"github.com/aks-cilium/aks-cilium/internal/proc"
	"github.com/aks-cilium/aks-cilium/internal/tooltest"
)

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
		tooltest.Missing(t, err.Error())
	}
	return cli
}

// Command is CLI(t) as the Automation API's command, for auto.Pulumi.
func Command(t testing.TB) auto.PulumiCommand {
	t.Helper()
	return CLI(t).Command()
}

// PreviewSteps runs a preview of stack and returns its resource steps (the
// engine's resource-pre events) with the result; an error fails the test.
func PreviewSteps(t testing.TB, stack auto.Stack) ([]apitype.StepEventMetadata, auto.PreviewResult) {
	t.Helper()
	ch := make(chan events.EngineEvent)
	var steps []apitype.StepEventMetadata
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for e := range ch {
			if e.ResourcePreEvent != nil {
				steps = append(steps, e.ResourcePreEvent.Metadata)
			}
		}
	}()
	res, err := stack.Preview(t.Context(), optpreview.EventStreams(ch))
	wg.Wait()
	if err != nil {
		t.Fatalf("preview: %v", err)
	}
	return steps, res
}

// PrivateTemp runs a test package's tests (run, which returns their exit
// code, e.g. m.Run) with TMPDIR set to a fresh folder, and fails the run
// when they leave anything there: a pulumi_auto* workspace (a stack made
// without auto.WorkDir), a server's folder, a temporary root. Use it in
// TestMain, around what starts and stops shared servers. The folder is
// named after the test process (internal/proc.TempDir), so the folder of a
// run that crashed (a panic skips the clean-up) is removed, with any server
// still running from it, by the next run.
func PrivateTemp(run func() int) int {
	const prefix = "aks-cilium-test-tmp-"
	proc.CleanStale("", prefix)
	dir, err := proc.TempDir("", prefix)
	if err != nil {
		fmt.Fprintln(os.Stderr, "pulumitest:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	old, had := os.LookupEnv("TMPDIR")
	_ = os.Setenv("TMPDIR", dir)
	code := run()
	if had {
		_ = os.Setenv("TMPDIR", old)
	} else {
		_ = os.Unsetenv("TMPDIR")
	}
	left, _ := os.ReadDir(dir)
	if len(left) > 0 {
		var names []string
		for _, e := range left {
			names = append(names, e.Name())
		}
		fmt.Fprintf(os.Stderr, "pulumitest: the tests left %s in the temporary folder\n", strings.Join(names, ", "))
		if code == 0 {
			code = 1
		}
	}
	return code
}

// SyncBuffer is a bytes.Buffer safe for concurrent writes and reads: for an
// Engine's progress, or a command's output read while it runs.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
