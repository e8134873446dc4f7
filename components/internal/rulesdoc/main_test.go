package main

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aks-cilium/aks-cilium/components/netpol"
	"github.com/aks-cilium/aks-cilium/components/spec"
)

// docs/rules.md is generated from the rule tables: a rule added, changed or
// removed in code without `go generate ./components/spec` fails here.
func TestRulesDocIsCurrent(t *testing.T) {
	got, err := os.ReadFile("../../../docs/rules.md")
	require.NoError(t, err, "docs/rules.md is missing: run go generate ./components/spec")
	require.Equal(t, string(Markdown()), string(got), "docs/rules.md is stale: run go generate ./components/spec")
}

func TestEveryRuleIsInTheDoc(t *testing.T) {
	md := string(Markdown())
	for _, r := range append(append([]spec.Rule(nil), spec.Rules...), netpol.ConfigRules...) {
		assert.Contains(t, md, "| "+string(r.Code)+" |", r.Code)
	}
}
