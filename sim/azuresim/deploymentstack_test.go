package azuresim

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDeploymentStackOutputs: a deployment stack (how the components deploy
// monitoring) lists its template's resources and evaluates resourceId outputs
// in its resource group, as ARM does.
func TestDeploymentStackOutputs(t *testing.T) {
	f := newFixture(t, Options{})
	f.mustCreate(TypeResourceGroup, "rg", rgInputs())
	id, out := f.mustCreate(TypeDeploymentStack, "monitoring", map[string]any{
		"resourceGroupName": testRG, "deploymentStackName": "aks-cilium-workspaces",
		"actionOnUnmanage": map[string]any{"resources": "delete"},
		"denySettings":     map[string]any{"mode": "none"},
		"template": map[string]any{
			"resources": []any{map[string]any{"type": "Microsoft.OperationalInsights/workspaces", "name": "log-aks"}},
			"outputs": map[string]any{
				"logAnalyticsWorkspaceId": map[string]any{"type": "string", "value": "[resourceId('Microsoft.OperationalInsights/workspaces', 'log-aks')]"},
			},
		},
	})
	assert.Contains(t, id, "/providers/Microsoft.Resources/deploymentStacks/aks-cilium-workspaces")
	outputs := out["outputs"].(map[string]any)
	la := outputs["logAnalyticsWorkspaceId"].(map[string]any)["value"]
	assert.Equal(t, "/subscriptions/"+DefaultSubscriptionID+"/resourceGroups/"+testRG+"/providers/Microsoft.OperationalInsights/workspaces/log-aks", la)
	require.Len(t, out["resources"], 1)
	require.NoError(t, f.delete(TypeDeploymentStack, "monitoring", id))
}
