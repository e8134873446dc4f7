package automation

import (
	"errors"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aks-cilium/aks-cilium/automation/result"
)

const (
	urnPlatform = "urn:pulumi:dev::aks-cilium::aks-cilium:index:Platform::platform"
	urnPool     = "urn:pulumi:dev::aks-cilium::aks-cilium:index:Platform$aks-cilium:azure:Cluster$azure-native:containerservice/v20241001:AgentPool::platform-cluster-pool-apps"
)

// The engine's plan violations, as pulumi v3.274.1 words them in a
// resource's diagnostic, become a *PlanViolationError naming the resource
// and the properties, without the values.
func TestAsPlanViolation(t *testing.T) {
	for _, tc := range []struct {
		name, urn, message string
		want               PlanDifference
	}{
		{"properties changed", urnPlatform,
			"resource " + urnPlatform + " violates plan: properties changed: ~=spec[{map[tags:{map[environment:{prod}]}]}!={map[tags:{map[environment:{test}]}]}], =~tags[{map[environment:{test}]}], ~tags[{x}]",
			PlanDifference{URN: urnPlatform, Type: "aks-cilium:index:Platform", Name: "platform", Reason: "properties changed: spec, tags"}},
		{"operation not allowed", urnPool,
			"update is not allowed by the plan: this resource is constrained to same",
			PlanDifference{URN: urnPool, Type: "azure-native:containerservice/v20241001:AgentPool", Name: "platform-cluster-pool-apps",
				Reason: "update is not allowed by the plan: this resource is constrained to same"}},
		{"no plan", "", "no plan for resource " + urnPool,
			PlanDifference{URN: urnPool, Type: "azure-native:containerservice/v20241001:AgentPool", Name: "platform-cluster-pool-apps",
				Reason: "the plan has no entry for this resource"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			applied := []result.Step{{Name: "platform-network-rg", Op: result.OpUpdate}}
			err := asPlanViolation(&EngineError{Stack: "dev", Operation: "up", Message: tc.message,
				Diagnostics: []result.Diagnostic{{URN: tc.urn, Severity: "error", Message: tc.message}}}, "pr.plan.json", applied)
			var pv *PlanViolationError
			require.ErrorAs(t, err, &pv)
			assert.Equal(t, []PlanDifference{tc.want}, pv.Resources)
			assert.Equal(t, applied, pv.Applied)
			assert.Contains(t, err.Error(), "stack dev: the update does not match the plan pr.plan.json")
			assert.Contains(t, err.Error(), "applied, as planned, before the difference was found: update platform-network-rg")
		})
	}
	other := &EngineError{Stack: "dev", Message: "boom", Diagnostics: []result.Diagnostic{{Severity: "error", Message: "Status=409"}}}
	assert.Same(t, error(other), asPlanViolation(other, "p", nil), "other engine errors pass unchanged")
	plain := errors.New("x")
	assert.Same(t, plain, asPlanViolation(plain, "p", nil))
}

// The configuration check lists the spec's fields that differ after
// defaulting, and other plain keys whole; secrets are not compared.
func TestConfigDiffs(t *testing.T) {
	obj := func(s string) config.Value { return config.NewObjectValue(s) }
	planned := config.Map{
		config.MustMakeKey("aks-cilium", "cluster"):       obj(`{"name":"a","tags":{"environment":"test"},"userPools":[{"name":"apps","count":1}]}`),
		config.MustMakeKey("aks-cilium", "kubeloginMode"): config.NewValue("azurecli"),
		config.MustMakeKey("aks-cilium", "token"):         config.NewSecureValue("c2VjcmV0MQ=="),
	}
	current := config.Map{
		config.MustMakeKey("aks-cilium", "cluster"):  obj(`{"name":"a","tags":{"environment":"prod"},"userPools":[{"name":"apps","count":2}]}`),
		config.MustMakeKey("aks-cilium", "policies"): obj(`{"namespaces":["shop"]}`),
		config.MustMakeKey("aks-cilium", "token"):    config.NewSecureValue("c2VjcmV0Mg=="),
	}
	diffs, err := configDiffs(planned, current)
	require.NoError(t, err)
	assert.Equal(t, []string{
		`aks-cilium:kubeloginMode: azurecli -> (none)`,
		`aks-cilium:policies: (none) -> {"namespaces":["shop"]}`,
		`spec.tags.environment: "test" -> "prod"`,
		`spec.userPools[0].count: 1 -> 2`,
	}, diffs)

	same, err := configDiffs(planned, planned)
	require.NoError(t, err)
	assert.Empty(t, same)
}

// Two plans differ where a resource's operation or its input changes
// differ; secret values are not compared (their ciphertext changes).
func TestPlanDifferences(t *testing.T) {
	secret := map[string]any{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "v1"}
	secret2 := map[string]any{"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", "ciphertext": "v2"}
	goal := func(updates map[string]any) *struct {
		InputDiff planDiff `json:"inputDiff"`
	} {
		return &struct {
			InputDiff planDiff `json:"inputDiff"`
		}{InputDiff: planDiff{Updates: updates}}
	}
	reviewed := &planFile{ResourcePlans: map[string]resourcePlan{
		urnPool:     {Steps: []result.Op{result.OpUpdate}, Goal: goal(map[string]any{"tags": map[string]any{"env": "x"}, "token": secret})},
		urnPlatform: {Steps: []result.Op{result.OpSame}, Goal: goal(nil)},
	}}
	now := &planFile{ResourcePlans: map[string]resourcePlan{
		urnPool:     {Steps: []result.Op{result.OpUpdate}, Goal: goal(map[string]any{"tags": map[string]any{"env": "x"}, "maxCount": 7, "token": secret2})},
		urnPlatform: {Steps: []result.Op{result.OpSame}, Goal: goal(nil)},
	}}
	assert.Equal(t, []PlanDifference{{URN: urnPool, Type: "azure-native:containerservice/v20241001:AgentPool", Name: "platform-cluster-pool-apps",
		Reason: "the planned update changes otherwise now: maxCount"}}, planDifferences(reviewed, now))
	assert.Empty(t, planDifferences(reviewed, reviewed))

	now.ResourcePlans[urnPool] = resourcePlan{Steps: []result.Op{result.OpCreateReplacement, result.OpReplace, result.OpDeleteReplaced}}
	assert.Equal(t, "planned update, now replace", planDifferences(reviewed, now)[0].Reason)
	assert.Equal(t, []result.Step{
		{URN: urnPool, Type: "azure-native:containerservice/v20241001:AgentPool", Name: "platform-cluster-pool-apps", Op: result.OpReplace},
		{URN: urnPlatform, Type: "aks-cilium:index:Platform", Name: "platform", Op: result.OpSame},
	}, now.steps(), "a replacement's halves fold into replace")
}

// The guardrail reads a saved plan's operations: a replaced ManagedCluster
// is refused (Up does this before any process), an updated one is not.
func TestPlanGuardrail(t *testing.T) {
	mc := "urn:pulumi:dev::aks-cilium::aks-cilium:index:Platform$aks-cilium:azure:Cluster$" + typeManagedCluster + "::platform-cluster-aks"
	replacing := &planFile{ResourcePlans: map[string]resourcePlan{
		mc:      {Steps: []result.Op{result.OpCreateReplacement, result.OpReplace, result.OpDeleteReplaced}},
		urnPool: {Steps: []result.Op{result.OpUpdate}},
	}}
	refused := result.Guarded(replacing.steps())
	if assert.Len(t, refused, 1) {
		assert.Equal(t, "platform-cluster-aks", refused[0].Name)
		assert.Equal(t, result.OpReplace, refused[0].Op)
	}
	updating := &planFile{ResourcePlans: map[string]resourcePlan{mc: {Steps: []result.Op{result.OpUpdate}}}}
	assert.Empty(t, result.Guarded(updating.steps()))
}
