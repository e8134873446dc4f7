package verify

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// mapLogs is a LogSource with a log per pod (client-go's fake answers
// "fake logs" for every pod, and no kubelet runs in tests). It records the
// requests.
type mapLogs struct {
	logs map[string]string
	errs map[string]error

	mu       sync.Mutex
	requests []LogRequest
}

func (m *mapLogs) Logs(_ context.Context, req LogRequest) (io.ReadCloser, error) {
	m.mu.Lock()
	m.requests = append(m.requests, req)
	m.mu.Unlock()
	if err := m.errs[req.Pod]; err != nil {
		return nil, err
	}
	return io.NopCloser(strings.NewReader(m.logs[req.Pod])), nil
}

func ciliumPods(n int) []runtime.Object {
	var out []runtime.Object
	for i := range n {
		out = append(out, &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("cilium-%d", i), Namespace: CiliumNamespace, Labels: map[string]string{"k8s-app": "cilium"}},
			Spec:       corev1.PodSpec{NodeName: fmt.Sprintf("aks-node-%d", i), Containers: []corev1.Container{{Name: CiliumAgentContainer}}},
			Status:     corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{{Name: CiliumAgentContainer, RestartCount: int32(i)}}},
		})
	}
	return out
}

func runLogs(t *testing.T, src LogSource, opts Options, pods int) Check {
	t.Helper()
	_, clients := fakeClients(ciliumPods(pods)...)
	opts.Checks = []string{CheckCiliumLogs}
	opts.LogSource = src
	report, err := RunClients(context.Background(), clients, opts)
	require.NoError(t, err)
	return mustCheck(t, report, CheckCiliumLogs)
}

const cleanLog = `time="2025-01-21T10:00:00Z" level=info msg="Cilium 1.17.9 started" subsys=daemon
time="2025-01-21T10:00:01Z" level=warning msg="Unable to find a route, retrying" subsys=linux-datapath
time="2025-01-21T10:00:02Z" level=info msg="no error here: level=error appears only inside a message" subsys=daemon
`

func TestLogsClean(t *testing.T) {
	since := time.Date(2025, 1, 21, 9, 30, 0, 0, time.UTC)
	src := &mapLogs{logs: map[string]string{"cilium-0": cleanLog, "cilium-1": cleanLog}}
	c := runLogs(t, src, Options{Since: since}, 2)
	assert.Equal(t, Pass, c.Verdict, evidenceText(c))
	assert.Equal(t, "no error-level line in the logs of 2 Cilium pods (6 lines)", c.Summary)
	assert.Equal(t, []string{
		"read the cilium-agent logs of 2 pods labelled k8s-app=cilium since 2025-01-21T09:30:00Z (at most 16777216 bytes each): 6 lines, 0 error-level lines",
		"cilium-0 on aks-node-0: 3 lines, 0 error-level lines",
		"cilium-1 on aks-node-1: 3 lines, 0 error-level lines; cilium-agent restarted 1 times",
	}, c.Evidence)
	require.Len(t, src.requests, 2)
	for _, req := range src.requests {
		assert.Equal(t, CiliumNamespace, req.Namespace)
		assert.Equal(t, CiliumAgentContainer, req.Container)
		assert.Equal(t, since, req.Since)
		assert.Equal(t, int64(DefaultMaxLogBytes), req.LimitBytes)
	}
}

func TestLogsWithErrors(t *testing.T) {
	jwtToken := "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQifQ.c2lnbmF0dXJlLXZhbHVl"
	logs := map[string]string{
		"cilium-0": cleanLog +
			`time="2025-01-21T10:01:00Z" level=error msg="Unable to sync" error="Unauthorized" password=hunter2 subsys=k8s` + "\n" +
			`{"time":"2025-01-21T10:01:01Z","level":"error","msg":"request failed","authorization":"Bearer ` + jwtToken + `"}` + "\n",
		"cilium-1": cleanLog +
			`time="2025-01-21T10:02:00Z" level=fatal msg="Error while creating daemon" url="https://admin:s3cr3tpass@10.0.0.1:443" subsys=daemon` + "\n" +
			`E0121 10:02:01.000000       1 reflector.go:158] "Unhandled Error" err="failed to list *v1.Node: token=abcdefghijklmnopqrstuvwxyz0123456789ABCD"` + "\n",
		"cilium-2": cleanLog,
	}
	c := runLogs(t, &mapLogs{logs: logs}, Options{}, 3)
	assert.Equal(t, Fail, c.Verdict)
	assert.Equal(t, "4 error-level lines in the logs of 2 of 3 Cilium pods", c.Summary)
	text := evidenceText(c)
	assert.Contains(t, text, "since each agent started (Options.Since not set)")
	assert.Contains(t, text, "cilium-0 on aks-node-0: 5 lines, 2 error-level lines (error 2)")
	assert.Contains(t, text, "cilium-1 on aks-node-1: 5 lines, 2 error-level lines (error 1, fatal 1); cilium-agent restarted 1 times")
	assert.Contains(t, text, "cilium-2 on aks-node-2: 3 lines, 0 error-level lines")
	assert.Contains(t, text, `sample from cilium-0: time="2025-01-21T10:01:00Z" level=error msg="Unable to sync" error="Unauthorized" password=[redacted] subsys=k8s`)
	assert.Contains(t, text, `sample from cilium-1: time="2025-01-21T10:02:00Z" level=fatal msg="Error while creating daemon" url="https://[redacted]@10.0.0.1:443" subsys=daemon`)
	for _, secret := range []string{"hunter2", jwtToken, "eyJ", "s3cr3tpass", "admin:", "abcdefghijklmnopqrstuvwxyz0123456789ABCD"} {
		assert.NotContains(t, text, secret, "a secret from the logs leaks into the evidence")
	}
}

func TestLogsSamplesAreCapped(t *testing.T) {
	var b strings.Builder
	for i := range 10 {
		fmt.Fprintf(&b, "level=error msg=\"failure %d\" %s\n", i, strings.Repeat("x", 1000))
	}
	c := runLogs(t, &mapLogs{logs: map[string]string{"cilium-0": b.String(), "cilium-1": b.String()}}, Options{MaxLogSamples: 4}, 2)
	samples := 0
	for _, e := range c.Evidence {
		if strings.HasPrefix(e, "sample from ") {
			samples++
			assert.Less(t, len(e), 400, "a sample is cut")
			assert.Contains(t, e, "more characters)")
		}
	}
	assert.Equal(t, 4, samples, "at most MaxLogSamples in all, and 3 a pod")
	assert.Equal(t, "20 error-level lines in the logs of 2 of 2 Cilium pods", c.Summary)
}

func TestLogsUnreadable(t *testing.T) {
	src := &mapLogs{logs: map[string]string{"cilium-0": cleanLog}, errs: map[string]error{"cilium-1": errors.New("container \"cilium-agent\" in pod \"cilium-1\" is waiting to start: ContainerCreating")}}
	c := runLogs(t, src, Options{}, 2)
	assert.Equal(t, Fail, c.Verdict)
	assert.Equal(t, "could not read the logs of 1 of 2 Cilium pods", c.Summary)
	assert.Contains(t, evidenceText(c), `cilium-1 on aks-node-1: could not read the log: container "cilium-agent" in pod "cilium-1" is waiting to start: ContainerCreating`)
}

// The default LogSource reads pods/log through client-go; its fake answers
// "fake logs", one clean line.
func TestPodLogSourceThroughTheFakeClient(t *testing.T) {
	_, clients := fakeClients(ciliumPods(2)...)
	report, err := RunClients(context.Background(), clients, Options{Checks: []string{CheckCiliumLogs}})
	require.NoError(t, err)
	c := mustCheck(t, report, CheckCiliumLogs)
	assert.Equal(t, Pass, c.Verdict, evidenceText(c))
	assert.Equal(t, "no error-level line in the logs of 2 Cilium pods (2 lines)", c.Summary)
}

func TestLogsWithoutCiliumPods(t *testing.T) {
	c := runLogs(t, &mapLogs{}, Options{}, 0)
	assert.Equal(t, Fail, c.Verdict)
	assert.Equal(t, "no pod labelled k8s-app=cilium in kube-system: no log to read", c.Summary)
}

func TestLineLevel(t *testing.T) {
	cases := map[string]string{
		`level=info msg="started"`:                                      "",
		`level=warning msg="retrying"`:                                  "",
		`time=x level=error msg="x"`:                                    "error",
		`time=x level="error" msg="x"`:                                  "error",
		`time=x level=ERROR msg="slog text handler"`:                    "error",
		`time=x level=fatal msg="x"`:                                    "fatal",
		`time=x level=panic msg="x"`:                                    "panic",
		`{"level":"error","msg":"x"}`:                                   "error",
		`{"time":"x", "level" : "fatal"}`:                               "fatal",
		`{"level":"info","msg":"level=error inside the message"}`:       "",
		`level=info msg="errors=0 level=errorless"`:                     "",
		`E0121 10:02:01.000000       1 reflector.go:158] "Unhandled"`:   "error",
		`F0121 10:02:01.000000       1 main.go:1] "fatal"`:              "fatal",
		`I0121 10:02:01.000000       1 main.go:1] "E0121 not at start"`: "",
		``: "",
	}
	for line, want := range cases {
		assert.Equal(t, want, lineLevel(line), "%q", line)
	}
}

func TestScanLogLongLinesAndNoTrailingNewline(t *testing.T) {
	long := "level=error msg=\"" + strings.Repeat("y", 200_000) + "\""
	lines, levels, samples, err := scanLog(strings.NewReader("a\n\n" + long + "\nlevel=fatal msg=last"))
	require.NoError(t, err)
	assert.Equal(t, 4, lines)
	assert.Equal(t, map[string]int{"error": 1, "fatal": 1}, levels)
	require.Len(t, samples, 2)
	assert.Contains(t, samples[0], "more characters)")
}

func TestSanitizeLogLine(t *testing.T) {
	cases := map[string]string{
		"plain line":                                        "plain line",
		"\x1b[31mred\x1b[0m and\ttab\r":                     "red and tab",
		"client_secret=abc123 other=1":                      "client_secret=[redacted] other=1",
		`"apiKey": "k-123", "ok": true`:                     `"apiKey": "[redacted]", "ok": true`,
		"Authorization: Bearer abc.def.ghi":                 "Authorization: [redacted] [redacted]",
		"sig=AbCdEf%2B&se=2025":                             "sig=[redacted]&se=2025",
		"signal=SIGTERM":                                    "signal=SIGTERM",
		"key=/sys/fs/bpf/tc/globals/cilium_policy":          "key=/sys/fs/bpf/tc/globals/cilium_policy",
		"blob QWxhZGRpbjpvcGVuIHNlc2FtZQ0K1234567890AB end": "blob [redacted] end",
		"-----BEGIN RSA PRIVATE KEY----- MIIEow... -----END RSA PRIVATE KEY----- after": "[redacted] after",
		"endpoint 1234 regenerated: identity 56789":                                     "endpoint 1234 regenerated: identity 56789",
	}
	for in, want := range cases {
		assert.Equal(t, want, SanitizeLogLine(in), "%q", in)
	}
	long := SanitizeLogLine(strings.Repeat("é", 300))
	assert.Equal(t, strings.Repeat("é", 240)+"… (60 more characters)", long, "cut at 240 characters, not bytes")
}
