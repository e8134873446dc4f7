// Command platform runs aks-cilium Platform stacks in-process with the
// automation package: what an internal platform or a CI job does with the
// library, as a small CLI (on cobra, like the pulumi CLI and kubectl:
// `platform COMMAND --help` lists a command's own flags, and
// `platform completion bash|zsh|fish` prints a shell completion script).
//
//	platform preview    --config stacks/Pulumi.prod.yaml [--detailed-exitcode]
//	platform up         --config stacks/Pulumi.prod.yaml [--allow-replace]
//	platform refresh    --stack prod
//	platform destroy    --stack prod
//	platform outputs    --stack prod [--json]
//	platform pr-comment --config stacks/Pulumi.prod.yaml [--out preview.md]
//	platform recover    --stack prod
//	platform verify     --stack prod [--since 1h]
//	platform migrate    --config stacks/Pulumi.prod.yaml [--apply]
//	platform demo       (the whole lifecycle against the simulator: make demo)
//
// --dir, --stack, --config, --simulate and --json are shared by every
// command; the other flags belong to their command.
//
// --simulate runs against aks-cilium's Azure simulator in the same process
// (no credentials, nothing sent to Azure; it says so on every run), with the
// simulated Azure kept in a state file in the engine folder (--dir) so that
// separate commands see the same resources. Progress goes to stderr, the
// result to stdout (--json for a machine-readable one).
//
// Exit codes, for CI:
//
//	0  success (preview --detailed-exitcode: no changes)
//	1  failure (invalid spec, an engine or Azure error, a locked stack)
//	2  usage (unknown command or flag, a missing or unreadable config)
//	3  preview --detailed-exitcode (or pr-comment): changes are planned
//	4  up refused to replace or delete a guarded resource (the cluster);
//	   rerun with --allow-replace if that is really meant
//	130  cancelled by Ctrl-C or SIGTERM (the stack's lock is released; the
//	     next up or recover clears what was in flight)
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
