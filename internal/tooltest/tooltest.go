// Package tooltest holds the one rule for a test whose tool (the pulumi CLI,
// kube-apiserver, Chromium, Azurite, a language host) is missing: it skips,
// saying which tool and why, unless AKS_CILIUM_REQUIRE_TOOLS=1 (make test
// sets it), where it fails. It imports only the standard library, so the
// simulators, the pure packages' tests and automation's internal tests can
// all use it.
package tooltest

import "os"

// RequireEnv names the variable that turns a missing tool from a skip into
// a failure.
const RequireEnv = "AKS_CILIUM_REQUIRE_TOOLS"

// TB is the part of testing.TB that Missing uses.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Skipf(format string, args ...any)
}

// Required reports whether missing tools fail tests instead of skipping
// them.
func Required() bool { return os.Getenv(RequireEnv) == "1" }

// Missing skips the test because of why (a missing tool), or fails it when
// tools are required.
func Missing(t TB, why string) {
	t.Helper()
	if Required() {
		t.Fatalf("%s (%s=1, so this fails instead of skipping)", why, RequireEnv)
	}
	t.Skipf("skipped: %s", why)
}
