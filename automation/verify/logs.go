package verify

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// LogRequest names the log to read.
type LogRequest struct {
	// Namespace, Pod and Container name the container.
	Namespace, Pod, Container string
	// Since is where to start; zero reads everything the kubelet keeps.
	Since time.Time
	// LimitBytes caps the bytes returned; 0 means no cap.
	LimitBytes int64
}

// LogSource reads a container's log. The default, PodLogSource, asks the
// API server (which asks the kubelet); tests and other transports (a log
// archive, Log Analytics) plug in their own.
type LogSource interface {
	// Logs opens the log; the caller closes it.
	Logs(ctx context.Context, req LogRequest) (io.ReadCloser, error)
}

// PodLogSource reads logs through the API server's pods/log subresource.
type PodLogSource struct {
	// Client reaches the API server.
	Client kubernetes.Interface
}

// Logs streams the container's log from req.Since.
func (s PodLogSource) Logs(ctx context.Context, req LogRequest) (io.ReadCloser, error) {
	opts := &corev1.PodLogOptions{Container: req.Container}
	if !req.Since.IsZero() {
		since := metav1.NewTime(req.Since)
		opts.SinceTime = &since
	}
	if req.LimitBytes > 0 {
		limit := req.LimitBytes
		opts.LimitBytes = &limit
	}
	return s.Client.CoreV1().Pods(req.Namespace).GetLogs(req.Pod, opts).Stream(ctx)
}

// klogHeader is the start of a klog line (written by the client-go code
// inside the agent): its first letter is the severity, E0121 or F0121.
var klogHeader = regexp.MustCompile(`^([IWEF])\d{4} \d\d:\d\d:\d\d`)

// lineLevel is "error", "fatal" or "panic" for an error-level line, else
// "". It reads the level the way the Cilium agent writes it: logfmt
// (level=error, or level=ERROR from slog), JSON ("level":"error") and
// klog's header. Only the line's own level field counts, not the words
// "level=error" inside a quoted message. crit and critical count as error.
func lineLevel(line string) string {
	var level string
	switch {
	case strings.HasPrefix(line, "{"):
		var fields struct {
			Level string `json:"level"`
		}
		if json.Unmarshal([]byte(line), &fields) == nil {
			level = fields.Level
		} else if m := jsonLevel.FindStringSubmatch(line); m != nil { // a line cut short
			level = m[1]
		}
	case klogHeader.MatchString(line):
		level = map[byte]string{'E': "error", 'F': "fatal"}[line[0]]
	default:
		level = logfmtLevel(line)
	}
	switch l := strings.ToLower(level); l {
	case "error", "fatal", "panic":
		return l
	case "crit", "critical":
		return "error"
	}
	return ""
}

// jsonLevel finds a level field in JSON that does not parse.
var jsonLevel = regexp.MustCompile(`^\{(?:[^"]|"(?:[^"\\]|\\.)*")*?"level"\s*:\s*"([a-zA-Z]+)"`)

// logfmtLevel is the value of the first level key of a logfmt line, outside
// quoted values.
func logfmtLevel(line string) string {
	inQuote := false
	for i := 0; i < len(line); i++ {
		switch c := line[i]; {
		case inQuote && c == '\\':
			i++ // an escaped character
		case c == '"':
			inQuote = !inQuote
		case !inQuote && (i == 0 || line[i-1] == ' ') && len(line)-i > 6 && strings.EqualFold(line[i:i+6], "level="):
			value := strings.TrimPrefix(line[i+6:], `"`)
			if end := strings.IndexAny(value, "\" "); end >= 0 {
				value = value[:end]
			}
			return value
		}
	}
	return ""
}

// Limits of what a scan keeps of a log.
const (
	maxLineBytes      = 64 << 10 // longer lines are read to their end but only this much is looked at
	maxSampleRunes    = 240      // a quoted line is cut to this
	maxSamplesPerPod  = 3
	maxLogConcurrency = 4
)

// logScan is what one agent's log held.
type logScan struct {
	pod, node string
	restarts  int32
	lines     int
	levels    map[string]int // error-level lines by level
	samples   []string       // sanitised
	err       error
}

func (s logScan) errors() int {
	n := 0
	for _, c := range s.levels {
		n += c
	}
	return n
}

// scanLog counts the lines and error-level lines of a log and keeps a few
// sanitised samples.
func scanLog(r io.Reader) (lines int, levels map[string]int, samples []string, err error) {
	levels = map[string]int{}
	br := bufio.NewReaderSize(r, 32<<10)
	for {
		line, readErr := readLine(br)
		if line != "" || readErr == nil {
			lines++
			if level := lineLevel(line); level != "" {
				levels[level]++
				if len(samples) < maxSamplesPerPod {
					samples = append(samples, SanitizeLogLine(line))
				}
			}
		}
		if errors.Is(readErr, io.EOF) {
			return lines, levels, samples, nil
		}
		if readErr != nil {
			return lines, levels, samples, readErr
		}
	}
}

// readLine reads one line without its newline, keeping at most maxLineBytes
// of it and discarding the rest.
func readLine(br *bufio.Reader) (string, error) {
	var b []byte
	for {
		chunk, isPrefix, err := br.ReadLine()
		if len(b) < maxLineBytes {
			b = append(b, chunk[:min(len(chunk), maxLineBytes-len(b))]...)
		}
		if err != nil || !isPrefix {
			return string(b), err
		}
	}
}

// checkLogs: the cilium-agent containers of the pods labelled k8s-app=cilium
// logged no error-level line since Options.Since.
func (r *runner) checkLogs(ctx context.Context) Check {
	pods, err := r.Kube.CoreV1().Pods(CiliumNamespace).List(ctx, metav1.ListOptions{LabelSelector: CiliumPodSelector})
	if err != nil {
		return fail("cannot list Cilium pods", "error: "+err.Error())
	}
	if len(pods.Items) == 0 {
		return fail(fmt.Sprintf("no pod labelled %s in %s: no log to read", CiliumPodSelector, CiliumNamespace))
	}
	scans := make([]logScan, len(pods.Items))
	var wg sync.WaitGroup
	sem := make(chan struct{}, maxLogConcurrency)
	for i := range pods.Items {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			scans[i] = r.scanPod(ctx, &pods.Items[i])
		}(i)
	}
	wg.Wait()
	sort.Slice(scans, func(i, j int) bool { return scans[i].pod < scans[j].pod })

	since := "since each agent started (Options.Since not set)"
	if !r.opts.Since.IsZero() {
		since = "since " + r.opts.Since.UTC().Format(time.RFC3339)
	}
	totalLines, totalErrors, failedReads := 0, 0, 0
	var perPod, samples []string
	for _, s := range scans {
		line := fmt.Sprintf("%s on %s: ", s.pod, orNone(s.node))
		switch {
		case s.err != nil:
			failedReads++
			line += "could not read the log: " + clip(SanitizeLogLine(s.err.Error()), maxSampleRunes)
		default:
			line += fmt.Sprintf("%s, %s", plural(s.lines, "line"), plural(s.errors(), "error-level line"))
			if s.errors() > 0 {
				line += " (" + levelCounts(s.levels) + ")"
			}
		}
		if s.restarts > 0 {
			line += fmt.Sprintf("; %s restarted %d times", CiliumAgentContainer, s.restarts)
		}
		perPod = append(perPod, line)
		totalLines += s.lines
		totalErrors += s.errors()
		for _, sample := range s.samples {
			if len(samples) < r.opts.MaxLogSamples {
				samples = append(samples, "sample from "+s.pod+": "+sample)
			}
		}
	}
	evidence := []string{fmt.Sprintf("read the %s logs of %s labelled %s %s (at most %d bytes each): %s, %s",
		CiliumAgentContainer, plural(len(scans), "pod"), CiliumPodSelector, since, r.opts.MaxLogBytes,
		plural(totalLines, "line"), plural(totalErrors, "error-level line"))}
	evidence = append(evidence, perPod...)
	evidence = append(evidence, samples...)

	var problems []string
	if totalErrors > 0 {
		withErrors := 0
		for _, s := range scans {
			if s.errors() > 0 {
				withErrors++
			}
		}
		problems = append(problems, fmt.Sprintf("%s in the logs of %d of %s", plural(totalErrors, "error-level line"), withErrors, plural(len(scans), "Cilium pod")))
	}
	if failedReads > 0 {
		problems = append(problems, fmt.Sprintf("could not read the logs of %d of %s", failedReads, plural(len(scans), "Cilium pod")))
	}
	if len(problems) > 0 {
		return fail(strings.Join(problems, "; "), evidence...)
	}
	return pass(fmt.Sprintf("no error-level line in the logs of %s (%s)", plural(len(scans), "Cilium pod"), plural(totalLines, "line")), evidence...)
}

// scanPod reads and scans one agent's log.
func (r *runner) scanPod(ctx context.Context, p *corev1.Pod) logScan {
	s := logScan{pod: p.Name, node: p.Spec.NodeName}
	for _, cs := range p.Status.ContainerStatuses {
		if cs.Name == CiliumAgentContainer {
			s.restarts = cs.RestartCount
		}
	}
	rc, err := r.opts.LogSource.Logs(ctx, LogRequest{
		Namespace: p.Namespace, Pod: p.Name, Container: CiliumAgentContainer,
		Since: r.opts.Since, LimitBytes: r.opts.MaxLogBytes,
	})
	if err != nil {
		s.err = err
		return s
	}
	defer rc.Close()
	s.lines, s.levels, s.samples, s.err = scanLog(rc)
	return s
}

// levelCounts is "error 2, fatal 1".
func levelCounts(levels map[string]int) string {
	var parts []string
	for _, l := range []string{"error", "fatal", "panic"} {
		if levels[l] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", l, levels[l]))
		}
	}
	return strings.Join(parts, ", ")
}

// Patterns of secret-looking text in log lines.
var (
	ansiCodes = regexp.MustCompile(`\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]`)
	// key=value and "key":"value" where the key names a secret.
	secretKV = regexp.MustCompile(`(?i)([\w.-]*(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|account[_-]?key|credentials?|authorization|private[_-]?key|signature|\bsig)"?\s*[=:]\s*"?)([^\s",;&}]+)`)
	// An Authorization header's value.
	authScheme = regexp.MustCompile(`(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+`)
	// A JSON Web Token.
	jwt = regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`)
	// user:password@ in a URL.
	userinfo = regexp.MustCompile(`(://)[^/\s:@]+:[^/\s@]+@`)
	// A PEM block, or its header when the line is cut.
	pemBlock = regexp.MustCompile(`-----BEGIN [A-Z ]+-----.*?(?:-----END [A-Z ]+-----|$)`)
	// Long opaque runs (keys, SAS signatures, base64 blobs).
	opaque = regexp.MustCompile(`[A-Za-z0-9+/_-]{32,}=*`)
)

// redacted replaces what looks secret.
const redacted = "[redacted]"

// SanitizeLogLine makes a log line fit to quote as evidence: log lines are
// user data, so it drops terminal codes and control characters, replaces
// anything secret-looking (values of password/secret/token/key fields,
// Authorization headers, JWTs, URL credentials, PEM blocks, and opaque runs
// of 32 or more base64 or hex characters that look like keys) with
// [redacted], and cuts the line to 240 characters. It is a safety net,
// not a guarantee: quote as few lines as the evidence needs.
func SanitizeLogLine(line string) string {
	s := strings.ToValidUTF8(line, "\uFFFD")
	s = ansiCodes.ReplaceAllString(s, "")
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\t':
			return ' '
		case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return -1
		}
		return r
	}, s)
	s = pemBlock.ReplaceAllString(s, redacted)
	s = userinfo.ReplaceAllString(s, "${1}"+redacted+"@")
	s = authScheme.ReplaceAllString(s, "${1} "+redacted)
	s = jwt.ReplaceAllString(s, redacted)
	s = secretKV.ReplaceAllStringFunc(s, func(m string) string {
		sub := secretKV.FindStringSubmatch(m)
		if sub[2] == redacted || strings.HasPrefix(sub[2], "[redacted]") {
			return m
		}
		return sub[1] + redacted
	})
	s = opaque.ReplaceAllStringFunc(s, func(m string) string {
		// Keep file paths (slashes, no capitals) and long words; a digit
		// among letters of both cases, or base64 padding, looks like a key.
		digit := strings.ContainsAny(m, "0123456789")
		upper := strings.ContainsAny(m, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
		if strings.ContainsAny(m, "+=") || digit && (upper || !strings.Contains(m, "/")) {
			return redacted
		}
		return m
	})
	return clip(strings.TrimSpace(s), maxSampleRunes)
}

// clip cuts s to at most n runes, marking the cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := []rune(s)
	return string(runes[:n]) + fmt.Sprintf("… (%d more characters)", len(runes)-n)
}
