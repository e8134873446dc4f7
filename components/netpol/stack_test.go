package netpol

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aks-cilium/aks-cilium/components/spec"
)

// The stack's aks-cilium:policies decode strictly, with paths under
// "policies", and CheckFor takes the cluster's ACNS and version.
func TestDecodeStackPolicies(t *testing.T) {
	p, err := DecodeStackPolicies([]byte(`{"createNamespaces": true, "namespaces": ["shop"], "monitoring": {"namespace": "kube-system", "port": 9090}}`))
	require.NoError(t, err)
	assert.True(t, p.CreateNamespaces)
	assert.Equal(t, []string{"shop"}, p.Namespaces)
	require.NotNil(t, p.Monitoring)

	_, err = DecodeStackPolicies([]byte(`{"namespaces": ["shop"], "createNamespace": true}`))
	var inv *spec.InvalidError
	require.True(t, errors.As(err, &inv), "an unknown field is an invalid spec: %v", err)
	assert.Equal(t, "policies.createNamespace", inv.Errs[0].Field)

	c := spec.Cluster{KubernetesVersion: "1.28", ACNS: spec.ACNS{Enabled: true, Security: spec.ACNSSecurityFQDN}}
	_, err = StackPolicies{Config: Config{Namespaces: []string{"shop"}, FQDNEgress: []FQDNEgress{{Name: "x", MatchNames: []string{"a.example.com"}}}}}.CheckFor(c)
	require.True(t, errors.As(err, &inv), "FQDN egress on Kubernetes 1.28 is refused: %v", err)
	assert.Contains(t, inv.Error(), "policies.")
}
