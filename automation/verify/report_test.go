package verify

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sampleReport() *Report {
	return &Report{
		KubernetesVersion: "1.32.4",
		Started:           time.Date(2025, 1, 21, 10, 0, 0, 0, time.UTC),
		Duration:          2340 * time.Millisecond,
		Checks: []Check{
			{Name: CheckCiliumDaemonSet, Verdict: Pass, Summary: "all 3 schedulable Linux nodes run a ready Cilium pod; the DaemonSet is rolled out",
				Evidence: []string{"DaemonSet kube-system/cilium: desired 3, current 3, ready 3, available 3, up-to-date 3, misscheduled 0"}, Duration: 12345 * time.Microsecond},
			{Name: CheckNoKubeProxy, Verdict: Fail, Summary: "DaemonSet kube-system/kube-proxy exists",
				Evidence: []string{"DaemonSet kube-system/kube-proxy exists: desired 3, ready 3", "a line\nwith a break and \x1b[31mcolour\x1b[0m"}, Duration: 3 * time.Millisecond},
			{Name: CheckEndpointSlices, Verdict: Skipped, Summary: "Kubernetes 1.31: Cilium Endpoint Slices need Kubernetes 1.32 or newer", Duration: 1500 * time.Microsecond},
		},
	}
}

func TestHuman(t *testing.T) {
	want := `Cilium verification: FAILED (1 passed, 1 failed, 1 skipped) on Kubernetes 1.32.4 in 2.3s

✓ cilium-daemonset        all 3 schedulable Linux nodes run a ready Cilium pod; the DaemonSet is rolled out (12ms)
    DaemonSet kube-system/cilium: desired 3, current 3, ready 3, available 3, up-to-date 3, misscheduled 0
✗ no-kube-proxy           DaemonSet kube-system/kube-proxy exists (3ms)
    DaemonSet kube-system/kube-proxy exists: desired 3, ready 3
    a line with a break and colour
- cilium-endpoint-slices  skipped: Kubernetes 1.31: Cilium Endpoint Slices need Kubernetes 1.32 or newer (2ms)
`
	r := sampleReport()
	assert.Equal(t, want, r.Human())
	assert.NotContains(t, r.Human(), "\x1b", "no terminal codes unless asked")

	short := r.Format(HumanOptions{NoEvidence: true})
	assert.Equal(t, 5, strings.Count(short, "\n"), "a title, a blank line and a line a check:\n%s", short)

	color := r.Format(HumanOptions{Color: true})
	assert.Contains(t, color, "\x1b[32m✓\x1b[0m cilium-daemonset")
	assert.Contains(t, color, "\x1b[31m✗\x1b[0m no-kube-proxy")
	assert.Contains(t, color, "\x1b[31mFAILED\x1b[0m")
	assert.NotContains(t, color, "\x1b[31mcolour", "evidence never carries its own terminal codes")

	ok := &Report{Checks: []Check{{Name: CheckCiliumOperator, Verdict: Pass, Summary: "2 of 2 operator replicas ready"}}}
	assert.True(t, strings.HasPrefix(ok.Human(), "Cilium verification: PASSED (1 passed, 0 failed, 0 skipped) in 0s\n"))
}

func TestJSON(t *testing.T) {
	out, err := sampleReport().JSON()
	require.NoError(t, err)
	var got map[string]any
	require.NoError(t, json.Unmarshal(out, &got))
	assert.Equal(t, false, got["passed"])
	assert.Equal(t, map[string]any{"passed": 1.0, "failed": 1.0, "skipped": 1.0}, got["counts"])
	assert.Equal(t, "1.32.4", got["kubernetesVersion"])
	assert.Equal(t, "2025-01-21T10:00:00Z", got["started"])
	assert.Equal(t, 2340.0, got["durationMs"])
	checks := got["checks"].([]any)
	require.Len(t, checks, 3)
	assert.Equal(t, map[string]any{
		"name": "cilium-daemonset", "verdict": "pass",
		"summary":    "all 3 schedulable Linux nodes run a ready Cilium pod; the DaemonSet is rolled out",
		"evidence":   []any{"DaemonSet kube-system/cilium: desired 3, current 3, ready 3, available 3, up-to-date 3, misscheduled 0"},
		"durationMs": 12.0,
	}, checks[0])
	skipped := checks[2].(map[string]any)
	assert.Equal(t, "skipped", skipped["verdict"])
	assert.Equal(t, []any{}, skipped["evidence"], "evidence is always a list")
	assert.Contains(t, string(out), "\n  \"passed\": false,", "indented for people reading CI logs")
}

func TestPassedAndCounts(t *testing.T) {
	r := &Report{Checks: []Check{{Verdict: Pass}, {Verdict: Skipped}}}
	assert.True(t, r.Passed())
	r.Checks = append(r.Checks, Check{Verdict: Fail})
	assert.False(t, r.Passed())
	p, f, s := r.Counts()
	assert.Equal(t, []int{1, 1, 1}, []int{p, f, s})
	_, found := r.Check(CheckCiliumLogs)
	assert.False(t, found)
}
