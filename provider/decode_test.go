package provider

import (
	"reflect"
	"testing"

	pulumiprovider "github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	"github.com/stretchr/testify/assert"

	"github.com/aks-cilium/aks-cilium/components/spec"
)

// TestCoerce: config values that look like numbers arrive as numbers; an
// integral one becomes the string again where the Go type wants a string, a
// fractional one is a problem with its path, and numbers stay numbers where
// the Go type wants a number.
func TestCoerce(t *testing.T) {
	in := map[string]any{
		"kubernetesVersion": 1.3,
		"systemPool": map[string]any{
			"count":    float64(3),
			"maxSurge": float64(1),
			"zones":    []any{float64(1), float64(2), "3"},
			"labels":   map[string]any{"tier": float64(7)},
		},
	}
	var problems []string
	out := coerce(in, reflect.TypeFor[spec.Cluster](), "cluster", &problems).(map[string]any)
	pool := out["systemPool"].(map[string]any)
	assert.Equal(t, float64(3), pool["count"], "an int field keeps its number")
	assert.Equal(t, "1", pool["maxSurge"])
	assert.Equal(t, []any{"1", "2", "3"}, pool["zones"])
	assert.Equal(t, map[string]any{"tier": "7"}, pool["labels"])
	assert.Equal(t, []string{`cluster.kubernetesVersion: got the number 1.3 where a string is expected: ` +
		`a config value that looks like a number arrives as one; write the value as a quoted string in the program`}, problems)
}

// TestConstructUnknownType names the served tokens.
func TestConstructUnknownType(t *testing.T) {
	_, err := Construct(nil, "aks-cilium:index:Nope", "x", pulumiprovider.ConstructInputs{}, nil)
	assert.ErrorContains(t, err, `unknown component type "aks-cilium:index:Nope"`)
	assert.ErrorContains(t, err, "aks-cilium:index:Platform")
}
