package azuresim

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every rule names its source, and docs/simulator.md (the contract) lists it.
func TestEveryRuleHasASourceAndIsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/simulator.md")
	require.NoError(t, err)
	for _, r := range rules {
		assert.NotEmpty(t, r.source, r.name)
		assert.True(t, strings.Contains(string(doc), r.name), "docs/simulator.md does not list the rule %q", r.name)
	}
	for token, paths := range immutableFields {
		for _, p := range paths {
			assert.Contains(t, string(doc), "`"+p+"`", "docs/simulator.md does not list the immutable %s %s", shortName(token), p)
		}
	}
}
