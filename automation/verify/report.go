package verify

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Verdict is a check's outcome.
type Verdict string

// The verdicts.
const (
	// Pass: the cluster is as the check expects.
	Pass Verdict = "pass"
	// Fail: it is not, or the check could not find out (the evidence says which).
	Fail Verdict = "fail"
	// Skipped: the check does not apply (the summary says why).
	Skipped Verdict = "skipped"
)

// Check is the result of one check.
type Check struct {
	// Name is one of AllChecks.
	Name string
	// Verdict is pass, fail or skipped.
	Verdict Verdict
	// Summary is one line: what passed, what is wrong, or why it was skipped.
	Summary string
	// Evidence lists what was looked at: objects, counts, names, samples.
	Evidence []string
	// Duration is how long the check took.
	Duration time.Duration
}

// Report is the outcome of Run.
type Report struct {
	// Checks are the results, in the order they ran.
	Checks []Check
	// KubernetesVersion is the version the checks used ("" when no check
	// needed it or it could not be read).
	KubernetesVersion string
	// Started is when Run started.
	Started time.Time
	// Duration is how long Run took.
	Duration time.Duration
}

// Passed reports whether no check failed (skipped checks do not fail).
func (r *Report) Passed() bool {
	for _, c := range r.Checks {
		if c.Verdict == Fail {
			return false
		}
	}
	return true
}

// Counts is how many checks passed, failed and were skipped.
func (r *Report) Counts() (passed, failed, skipped int) {
	for _, c := range r.Checks {
		switch c.Verdict {
		case Pass:
			passed++
		case Fail:
			failed++
		case Skipped:
			skipped++
		}
	}
	return passed, failed, skipped
}

// Check returns the named check's result, and whether it ran.
func (r *Report) Check(name string) (Check, bool) {
	for _, c := range r.Checks {
		if c.Name == name {
			return c, true
		}
	}
	return Check{}, false
}

// jsonCheck and jsonReport are the JSON shapes: durations in milliseconds.
type jsonCheck struct {
	Name       string   `json:"name"`
	Verdict    Verdict  `json:"verdict"`
	Summary    string   `json:"summary"`
	Evidence   []string `json:"evidence"`
	DurationMS int64    `json:"durationMs"`
}

type jsonReport struct {
	Passed            bool        `json:"passed"`
	Counts            jsonCounts  `json:"counts"`
	KubernetesVersion string      `json:"kubernetesVersion,omitempty"`
	Started           time.Time   `json:"started"`
	DurationMS        int64       `json:"durationMs"`
	Checks            []jsonCheck `json:"checks"`
}

type jsonCounts struct {
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
}

// JSON renders the report for machines, indented:
//
//	{"passed": false, "counts": {"passed": 5, "failed": 1, "skipped": 1},
//	 "kubernetesVersion": "1.32.4", "started": "...", "durationMs": 2300,
//	 "checks": [{"name": "cilium-daemonset", "verdict": "pass",
//	             "summary": "...", "evidence": ["..."], "durationMs": 12}, ...]}
func (r *Report) JSON() ([]byte, error) {
	p, f, s := r.Counts()
	out := jsonReport{
		Passed: r.Passed(), Counts: jsonCounts{p, f, s}, KubernetesVersion: r.KubernetesVersion,
		Started: r.Started.UTC(), DurationMS: r.Duration.Milliseconds(), Checks: []jsonCheck{},
	}
	for _, c := range r.Checks {
		ev := c.Evidence
		if ev == nil {
			ev = []string{}
		}
		out.Checks = append(out.Checks, jsonCheck{c.Name, c.Verdict, c.Summary, ev, c.Duration.Milliseconds()})
	}
	return json.MarshalIndent(out, "", "  ")
}

// HumanOptions tune Report.Format.
type HumanOptions struct {
	// Color marks verdicts with ANSI colours (for a terminal).
	Color bool
	// NoEvidence leaves the evidence out: one line a check.
	NoEvidence bool
}

// Human renders the report for people, without colours:
//
//	Cilium verification: FAILED (5 passed, 1 failed, 1 skipped) on Kubernetes 1.32.4 in 2.3s
//
//	✓ cilium-daemonset        all 3 schedulable Linux nodes run a ready Cilium pod; ... (12ms)
//	    DaemonSet kube-system/cilium: desired 3, ...
//	✗ no-kube-proxy           DaemonSet kube-system/kube-proxy exists: ... (3ms)
//	- cilium-endpoint-slices  skipped: Kubernetes 1.31: ... (1ms)
func (r *Report) Human() string { return r.Format(HumanOptions{}) }

// Format renders the report for people, as Human does, with options.
func (r *Report) Format(o HumanOptions) string {
	paint := func(code, s string) string {
		if !o.Color {
			return s
		}
		return "\x1b[" + code + "m" + s + "\x1b[0m"
	}
	p, f, s := r.Counts()
	status := paint("32", "PASSED")
	if !r.Passed() {
		status = paint("31", "FAILED")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Cilium verification: %s (%d passed, %d failed, %d skipped)", status, p, f, s)
	if r.KubernetesVersion != "" {
		fmt.Fprintf(&b, " on Kubernetes %s", r.KubernetesVersion)
	}
	fmt.Fprintf(&b, " in %s\n\n", roundDuration(r.Duration))

	width := 0
	for _, c := range r.Checks {
		width = max(width, utf8.RuneCountInString(c.Name))
	}
	for _, c := range r.Checks {
		mark, summary := paint("32", "✓"), c.Summary
		switch c.Verdict {
		case Fail:
			mark = paint("31", "✗")
		case Skipped:
			mark, summary = paint("33", "-"), "skipped: "+c.Summary
		}
		fmt.Fprintf(&b, "%s %-*s  %s (%s)\n", mark, width, c.Name, plainText(summary), roundDuration(c.Duration))
		if o.NoEvidence {
			continue
		}
		for _, e := range c.Evidence {
			fmt.Fprintf(&b, "    %s\n", plainText(e))
		}
	}
	return b.String()
}

// plainText keeps evidence on its line and free of terminal codes, whatever
// a check put in it.
func plainText(s string) string {
	s = ansiCodes.ReplaceAllString(s, "")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return ' '
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
			return -1
		}
		return r
	}, s)
}

// roundDuration is d to the millisecond below a second, to 0.1 s above.
func roundDuration(d time.Duration) time.Duration {
	if d < time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Millisecond)
}
