package acns

import (
	"context"
	"net/http"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	acs "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v8/fake"
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

// fakeARM is one cluster behind the SDK's fake server; puts counts writes.
type fakeARM struct {
	mc      acs.ManagedCluster
	puts    int
	ifMatch string
}

func (f *fakeARM) client(t *testing.T) *Client {
	t.Helper()
	transport := fake.NewManagedClustersServerTransport(&fake.ManagedClustersServer{
		Get: func(_ context.Context, rg, name string, _ *acs.ManagedClustersClientGetOptions) (resp azfake.Responder[acs.ManagedClustersClientGetResponse], errResp azfake.ErrorResponder) {
			resp.SetResponse(http.StatusOK, acs.ManagedClustersClientGetResponse{ManagedCluster: f.mc}, nil)
			return
		},
		BeginCreateOrUpdate: func(_ context.Context, rg, name string, body acs.ManagedCluster, o *acs.ManagedClustersClientBeginCreateOrUpdateOptions) (resp azfake.PollerResponder[acs.ManagedClustersClientCreateOrUpdateResponse], errResp azfake.ErrorResponder) {
			f.puts++
			if o != nil && o.IfMatch != nil {
				f.ifMatch = *o.IfMatch
			}
			f.mc = body
			resp.SetTerminalResponse(http.StatusOK, acs.ManagedClustersClientCreateOrUpdateResponse{ManagedCluster: body}, nil)
			return
		},
	})
	c, err := NewClient(ClientOptions{Credential: &azfake.TokenCredential{},
		ARM: arm.ClientOptions{ClientOptions: policy.ClientOptions{Transport: transport}}, PollInterval: 1})
	require.NoError(t, err)
	return c
}

// Ensure writes only what differs, with If-Match, and touches nothing else
// of the cluster; a second Ensure sends nothing.
func TestEnsureIsIdempotent(t *testing.T) {
	f := &fakeARM{mc: acs.ManagedCluster{ID: to.Ptr(testID), ETag: to.Ptr(`"e1"`), Location: to.Ptr("westeurope"),
		Properties: &acs.ManagedClusterProperties{DNSPrefix: to.Ptr("aks"), NetworkProfile: &acs.NetworkProfile{
			NetworkDataplane:   to.Ptr(acs.NetworkDataplaneCilium),
			AdvancedNetworking: &acs.AdvancedNetworking{Enabled: to.Ptr(true), Security: &acs.AdvancedNetworkingSecurity{Enabled: to.Ptr(true)}}}}}}
	c := f.client(t)
	want := spec.ACNS{Enabled: true, Observability: true, Security: spec.ACNSSecurityL7}
	u, err := c.Ensure(context.Background(), testID, want)
	require.NoError(t, err)
	assert.True(t, u.Changed)
	assert.Equal(t, spec.ACNS{Enabled: true, Observability: true, Security: spec.ACNSSecurityFQDN}, u.Before, "ARM's default level")
	assert.Equal(t, want, u.After)
	assert.Equal(t, 1, f.puts)
	assert.Equal(t, `"e1"`, f.ifMatch, "the update is conditional on what was read")
	assert.Equal(t, "aks", *f.mc.Properties.DNSPrefix, "the rest of the cluster is sent as read")
	assert.Equal(t, acs.NetworkDataplaneCilium, *f.mc.Properties.NetworkProfile.NetworkDataplane)

	u, err = c.Ensure(context.Background(), testID, want)
	require.NoError(t, err)
	assert.False(t, u.Changed)
	assert.Equal(t, 1, f.puts, "a cluster at the target is not written")

	_, err = c.Ensure(context.Background(), "not-an-id", want)
	assert.ErrorContains(t, err, "not a managed cluster ID")
}
