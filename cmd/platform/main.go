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
//	platform drift      --config stacks/Pulumi.prod.yaml [--out drift.md]
//	platform preview    --fleet stacks --shard 2/4 --plan-dir plans --comment-dir comments
//	platform up         --fleet stacks --shard 2/4 --plan-dir plans (or --config F --plan F.plan.json)
//	platform comment    --repo owner/name --number 42 comments/*.md
//	platform demo       (the whole lifecycle against the simulator: make demo)
//
// --dir, --stack, --config, --simulate, --json, --backend and --today are
// shared by every command; the other flags belong to their command.
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
//	5  up --plan refused a reviewed plan: the spec, the stack or Azure moved
//	   since the preview that saved it; preview again
//	130  cancelled by Ctrl-C or SIGTERM (the stack's lock is released; the
//	     next up or recover clears what was in flight)
//
// drift exits 3 when it finds drift. With --fleet, preview, up and drift run
// every stack of the shard and exit with the worst code of them.
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
