package verify_test

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/aks-cilium/aks-cilium/automation/verify"
)

// A CI job verifies a cluster after `up`: the kubeconfig and the minimum
// Cilium version come from the stack's outputs (with automation's Engine:
// engine.SecretOutput(ctx, stack, "kubeconfig")), and the job fails when a
// check fails. (Compiled, not run: it needs a cluster.)
func ExampleRun() {
	ctx := context.Background()
	deployedAt := time.Now().Add(-10 * time.Minute)
	var kubeconfig []byte // the stack output "kubeconfig" (secret)

	cfg, err := verify.RESTConfigFromKubeconfig(kubeconfig)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	report, err := verify.Run(ctx, cfg, verify.Options{
		Since:            deployedAt, // errors logged since the deployment
		MinCiliumVersion: "1.17.9",   // the stack output minCiliumVersion
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Print(report.Human())
	if out, err := report.JSON(); err == nil {
		_ = os.WriteFile("verify-report.json", out, 0o644)
	}
	if !report.Passed() {
		os.Exit(1)
	}
}
