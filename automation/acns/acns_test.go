package acns

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	acs "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v8"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/aks-cilium/aks-cilium/components/spec"
)

// FromARM applies ARM's defaults: enabled alone turns every feature on,
// security on without a level is FQDN, and security off or None is None.
func TestFromARM(t *testing.T) {
	l7 := acs.AdvancedNetworkPoliciesL7
	none := acs.AdvancedNetworkPoliciesNone
	for name, tc := range map[string]struct {
		in   *acs.AdvancedNetworking
		want spec.ACNS
	}{
		"absent":        {nil, spec.ACNS{}},
		"disabled":      {&acs.AdvancedNetworking{Enabled: to.Ptr(false), Security: &acs.AdvancedNetworkingSecurity{Enabled: to.Ptr(true)}}, spec.ACNS{}},
		"enabled alone": {&acs.AdvancedNetworking{Enabled: to.Ptr(true)}, spec.ACNS{Enabled: true, Observability: true, Security: spec.ACNSSecurityFQDN}},
		"L7": {&acs.AdvancedNetworking{Enabled: to.Ptr(true), Observability: &acs.AdvancedNetworkingObservability{Enabled: to.Ptr(false)},
			Security: &acs.AdvancedNetworkingSecurity{Enabled: to.Ptr(true), AdvancedNetworkPolicies: &l7}}, spec.ACNS{Enabled: true, Security: spec.ACNSSecurityL7}},
		"security off": {&acs.AdvancedNetworking{Enabled: to.Ptr(true), Security: &acs.AdvancedNetworkingSecurity{Enabled: to.Ptr(false), AdvancedNetworkPolicies: &l7}},
			spec.ACNS{Enabled: true, Observability: true}},
		"level None": {&acs.AdvancedNetworking{Enabled: to.Ptr(true), Security: &acs.AdvancedNetworkingSecurity{Enabled: to.Ptr(true), AdvancedNetworkPolicies: &none}},
			spec.ACNS{Enabled: true, Observability: true}},
	} {
		assert.Equal(t, tc.want, FromARM(tc.in), name)
	}
}

// ToARM spells every switch out (ARM disables ACNS only on enabled:
// false, pulumi-azure-native#4206), and FromARM reads it back.
func TestToARM(t *testing.T) {
	off := ToARM(spec.ACNS{Observability: true})
	assert.Equal(t, &acs.AdvancedNetworking{Enabled: to.Ptr(false),
		Observability: &acs.AdvancedNetworkingObservability{Enabled: to.Ptr(false)},
		Security:      &acs.AdvancedNetworkingSecurity{Enabled: to.Ptr(false)}}, off)
	for _, a := range []spec.ACNS{{}, {Enabled: true, Observability: true}, {Enabled: true, Security: spec.ACNSSecurityFQDN}, {Enabled: true, Security: spec.ACNSSecurityL7}} {
		assert.Equal(t, a, FromARM(ToARM(a)), "%s", a)
	}
	assert.Equal(t, acs.AdvancedNetworkPoliciesL7, *ToARM(spec.ACNS{Enabled: true, Security: spec.ACNSSecurityL7}).Security.AdvancedNetworkPolicies)
}

const testID = "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/aks"

// fakeARM is one cluster behind a fake ARM endpoint that speaks JSON at
// API 2026-01-01 only, as the real one does for that version: requests with
// another api-version are refused. puts counts writes.
type fakeARM struct {
	body    map[string]any
	puts    int
	ifMatch string
	apis    []string
}

func (f *fakeARM) Do(req *http.Request) (*http.Response, error) {
	f.apis = append(f.apis, req.Method+" "+req.URL.Query().Get("api-version"))
	reply := func(code int, v any) (*http.Response, error) {
		data, _ := json.Marshal(v)
		return &http.Response{StatusCode: code, Header: http.Header{"Content-Type": {"application/json"}},
			Body: io.NopCloser(bytes.NewReader(data)), Request: req}, nil
	}
	if req.URL.Query().Get("api-version") != EnsureAPIVersion || !strings.EqualFold(req.URL.Path, testID) {
		return reply(http.StatusBadRequest, map[string]any{"error": map[string]any{"code": "InvalidApiVersionParameter"}})
	}
	switch req.Method {
	case http.MethodGet:
		return reply(http.StatusOK, f.body)
	case http.MethodPut:
		f.puts++
		f.ifMatch = req.Header.Get("If-Match")
		var body map[string]any
		if err := json.NewDecoder(req.Body).Decode(&body); err != nil {
			return reply(http.StatusBadRequest, map[string]any{"error": map[string]any{"code": "InvalidRequestContent"}})
		}
		body["properties"].(map[string]any)["provisioningState"] = "Succeeded"
		f.body = body
		return reply(http.StatusOK, body)
	}
	return reply(http.StatusMethodNotAllowed, nil)
}

func (f *fakeARM) client(t *testing.T) *Client {
	t.Helper()
	c, err := NewClient(ClientOptions{Credential: &azfake.TokenCredential{},
		ARM: arm.ClientOptions{ClientOptions: policy.ClientOptions{Transport: f}}, PollInterval: 1})
	require.NoError(t, err)
	return c
}

// reference is a cluster as API 2026-01-01 returns it, with a property no
// model here knows, to show it survives the update.
func reference() map[string]any {
	return map[string]any{
		"id": testID, "name": "aks", "location": "westeurope", "eTag": `"e1"`,
		"properties": map[string]any{
			"dnsPrefix":         "aks",
			"provisioningState": "Succeeded",
			"futureProperty":    map[string]any{"kept": true},
			"networkProfile": map[string]any{
				"networkDataplane":   "cilium",
				"advancedNetworking": map[string]any{"enabled": true, "security": map[string]any{"enabled": true}},
			},
		},
	}
}

// Ensure writes only what differs, at API 2026-01-01 with If-Match, and
// touches nothing else of the cluster; a second Ensure sends nothing.
func TestEnsureIsIdempotent(t *testing.T) {
	f := &fakeARM{body: reference()}
	c := f.client(t)
	want := spec.ACNS{Enabled: true, Observability: true, Security: spec.ACNSSecurityL7}
	u, err := c.Ensure(context.Background(), testID, want)
	require.NoError(t, err)
	assert.True(t, u.Changed)
	assert.Equal(t, spec.ACNS{Enabled: true, Observability: true, Security: spec.ACNSSecurityFQDN}, u.Before, "ARM's default level")
	assert.Equal(t, want, u.After)
	assert.Equal(t, 1, f.puts)
	assert.Equal(t, `"e1"`, f.ifMatch, "the update is conditional on what was read")
	props := f.body["properties"].(map[string]any)
	assert.Equal(t, "aks", props["dnsPrefix"], "the rest of the cluster is sent as read")
	assert.Equal(t, map[string]any{"kept": true}, props["futureProperty"], "a property no model here knows is sent back as read")
	assert.Equal(t, "cilium", props["networkProfile"].(map[string]any)["networkDataplane"])
	assert.Equal(t, []string{"GET " + EnsureAPIVersion, "PUT " + EnsureAPIVersion}, f.apis)

	u, err = c.Ensure(context.Background(), testID, want)
	require.NoError(t, err)
	assert.False(t, u.Changed)
	assert.Equal(t, 1, f.puts, "a cluster at the target is not written")

	_, err = c.Ensure(context.Background(), "not-an-id", want)
	assert.ErrorContains(t, err, "not a managed cluster ID")
}

// The API 2026-01-01 switches: WireGuard and eBPF host routing on, then
// off again spelled out as None; ACNS off writes every switch off.
func TestEnsureAPI2026Features(t *testing.T) {
	f := &fakeARM{body: reference()}
	c := f.client(t)
	want := spec.ACNS{Enabled: true, Security: spec.ACNSSecurityFQDN, TransitEncryption: spec.TransitEncryptionWireGuard, Acceleration: spec.AccelerationBpfVeth}
	u, err := c.Ensure(context.Background(), testID, want)
	require.NoError(t, err)
	assert.Equal(t, want, u.After)
	an := f.body["properties"].(map[string]any)["networkProfile"].(map[string]any)["advancedNetworking"].(map[string]any)
	assert.Equal(t, map[string]any{"type": "WireGuard"}, an["security"].(map[string]any)["transitEncryption"])
	assert.Equal(t, map[string]any{"accelerationMode": "BpfVeth"}, an["performance"])

	got, err := c.Get(context.Background(), testID)
	require.NoError(t, err)
	assert.Equal(t, want, got)

	u, err = c.Ensure(context.Background(), testID, spec.ACNS{Enabled: true, Security: spec.ACNSSecurityFQDN})
	require.NoError(t, err)
	assert.True(t, u.Changed)
	an = f.body["properties"].(map[string]any)["networkProfile"].(map[string]any)["advancedNetworking"].(map[string]any)
	assert.Equal(t, map[string]any{"type": "None"}, an["security"].(map[string]any)["transitEncryption"], "off is sent, not left out")
	assert.Equal(t, map[string]any{"accelerationMode": "None"}, an["performance"])

	_, err = c.Ensure(context.Background(), testID, spec.ACNS{})
	require.NoError(t, err)
	an = f.body["properties"].(map[string]any)["networkProfile"].(map[string]any)["advancedNetworking"].(map[string]any)
	assert.Equal(t, false, an["enabled"], "ARM disables ACNS only on enabled: false")
}

// FromJSON applies ARM's defaults, and reads ToJSON back.
func TestFromJSON(t *testing.T) {
	assert.Equal(t, spec.ACNS{}, FromJSON(nil))
	assert.Equal(t, spec.ACNS{Enabled: true, Observability: true, Security: spec.ACNSSecurityFQDN}, FromJSON(map[string]any{"enabled": true}),
		"enabled alone: observability and FQDN on, WireGuard and host routing off")
	assert.Equal(t, spec.ACNS{Enabled: true, Observability: true}, FromJSON(map[string]any{"enabled": true,
		"security": map[string]any{"enabled": false, "transitEncryption": map[string]any{"type": "None"}}, "performance": map[string]any{"accelerationMode": "None"}}))
	for _, a := range []spec.ACNS{{}, {Enabled: true, Observability: true}, {Enabled: true, Security: spec.ACNSSecurityL7, TransitEncryption: spec.TransitEncryptionWireGuard},
		{Enabled: true, Acceleration: spec.AccelerationBpfVeth}} {
		assert.Equal(t, a, FromJSON(ToJSON(a)), "%s", a)
	}
}
