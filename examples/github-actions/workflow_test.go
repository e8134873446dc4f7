// Package githubactions holds the example GitHub Actions workflow
// (platform.yml) and its test.
package githubactions

import (
	"io"
	"os"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The shipped workflow passes actionlint: its YAML, expressions, contexts,
// permissions, job dependencies, matrix and the inputs of the actions it
// uses (shellcheck on the run scripts only where it is installed).
func TestWorkflowLints(t *testing.T) {
	opts := &actionlint.LinterOptions{}
	if _, err := os.Stat("/usr/bin/shellcheck"); err == nil {
		opts.Shellcheck = "/usr/bin/shellcheck"
	}
	linter, err := actionlint.NewLinter(io.Discard, opts)
	require.NoError(t, err)
	errs, err := linter.LintFile("platform.yml", nil)
	require.NoError(t, err)
	for _, e := range errs {
		t.Errorf("platform.yml:%d:%d: %s [%s]", e.Line, e.Column, e.Message, e.Kind)
	}
}

// The linter does catch mistakes (so a clean run means something): an
// unknown input of a known action and an unknown context.
func TestLinterCatchesMistakes(t *testing.T) {
	data, err := os.ReadFile("platform.yml")
	require.NoError(t, err)
	broken := strings.Replace(string(data), "go-version-file: go.mod", "go-verison-file: go.mod", 1)
	broken = strings.Replace(broken, "${{ matrix.shard }}", "${{ matrix.shards }}", 1)
	linter, err := actionlint.NewLinter(io.Discard, &actionlint.LinterOptions{})
	require.NoError(t, err)
	errs, err := linter.Lint("platform.yml", []byte(broken), nil)
	require.NoError(t, err)
	var msgs []string
	for _, e := range errs {
		msgs = append(msgs, e.Message)
	}
	joined := strings.Join(msgs, "\n")
	assert.Contains(t, joined, "go-verison-file")
	assert.Contains(t, joined, "shards")
}

// The workflow runs the CLI commands it documents, with the shard count
// in one place.
func TestWorkflowCommands(t *testing.T) {
	data, err := os.ReadFile("platform.yml")
	require.NoError(t, err)
	text := string(data)
	for _, want := range []string{
		`preview --fleet stacks --shard "$SHARD/$SHARDS"`, "--plan-dir plans --comment-dir comments",
		`up --fleet stacks --shard "$SHARD/$SHARDS"`, `drift --fleet stacks --shard "$SHARD/$SHARDS"`,
		`comment --number "$PR" comments/*.md`, `comment --number "$ISSUE" drift/*.md`,
	} {
		assert.Contains(t, text, want)
	}
	assert.Equal(t, 3, strings.Count(text, "shard: [1, 2, 3, 4]"), "three matrices")
	assert.Contains(t, text, `SHARDS: "4"`)
}
