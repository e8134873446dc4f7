// Package acns reads and sets a cluster's Advanced Container Networking
// Services (networkProfile.advancedNetworking) through Azure Resource
// Manager with the Azure SDK for Go, armcontainerservice/v8 (API version
// 2025-10-01): the part of ACNS that the ManagedCluster of azure-native
// 2.88.0 (API 2024-10-01) cannot express or cannot change in place.
//
// Pulumi creates a cluster with advancedNetworking's enabled,
// observability.enabled and security.enabled; API 2024-10-01 has no
// security.advancedNetworkPolicies, so the L7 level (API 2025-08-01 and
// later; FQDN when unset) can only be set here. On an existing cluster
// every ACNS change goes through here too (components.ACNSIgnorePath says
// why). The automation Engine calls Client.Ensure after every up whose spec
// involves ACNS and then refreshes the stack, so that the next preview shows
// no diff; automation/migrate's ACNS change uses FromARM and ToARM.
//
//	client, err := acns.NewClient(acns.ClientOptions{}) // DefaultAzureCredential
//	u, err := client.Ensure(ctx, clusterID, spec.ACNS{Enabled: true, Security: spec.ACNSSecurityL7})
//	if u.Changed { /* refresh the stack */ }
package acns

import (
	"context"
	"fmt"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v8"

	"github.com/aks-cilium/aks-cilium/components/spec"
)

// APIVersion is the ARM API version of the SDK this package uses.
const APIVersion = "2025-10-01"

// FromARM is the ACNS state of an ARM advancedNetworking object, with ARM's
// defaults applied: absent or enabled false is off; "when enabled, all
// observability and security features are enabled unless explicitly
// disabled" (the REST spec's description of enabled); with security on, an
// unset advancedNetworkPolicies is FQDN, and None turns FQDN filtering off
// too ("Disable Layer 7 network policies (FQDN, HTTP/S, Kafka)").
func FromARM(a *armcontainerservice.AdvancedNetworking) spec.ACNS {
	if a == nil || a.Enabled == nil || !*a.Enabled {
		return spec.ACNS{}
	}
	out := spec.ACNS{Enabled: true, Observability: true, Security: spec.ACNSSecurityFQDN}
	if a.Observability != nil && a.Observability.Enabled != nil {
		out.Observability = *a.Observability.Enabled
	}
	if s := a.Security; s != nil {
		if s.Enabled != nil && !*s.Enabled {
			out.Security = ""
		} else if s.AdvancedNetworkPolicies != nil {
			out.Security = spec.ACNSSecurity(*s.AdvancedNetworkPolicies)
		}
	}
	return out.Effective()
}

// ToARM is the advancedNetworking object that sets a, every switch spelled
// out: ARM disables ACNS only when enabled: false is sent
// (pulumi-azure-native#4206), and leaving a feature out of an enabled ACNS
// turns it on.
func ToARM(a spec.ACNS) *armcontainerservice.AdvancedNetworking {
	a = a.Effective()
	out := &armcontainerservice.AdvancedNetworking{
		Enabled:       to.Ptr(a.Enabled),
		Observability: &armcontainerservice.AdvancedNetworkingObservability{Enabled: to.Ptr(a.Observability)},
		Security:      &armcontainerservice.AdvancedNetworkingSecurity{Enabled: to.Ptr(a.Security.FQDN())},
	}
	if a.Security.FQDN() {
		out.Security.AdvancedNetworkPolicies = to.Ptr(armcontainerservice.AdvancedNetworkPolicies(a.Security))
	}
	return out
}

// ClientOptions configure a Client.
type ClientOptions struct {
	// Credential signs the ARM requests. Nil means azidentity's
	// DefaultAzureCredential (AZURE_* environment, workload identity,
	// managed identity, Azure CLI). It does not read azure-native's ARM_*
	// variables: give a credential when only those are set.
	Credential azcore.TokenCredential
	// ARM are the Azure SDK's client options; the Transport is the seam for
	// tests and for the simulator (sim/azuresim's ARMTransport).
	ARM arm.ClientOptions
	// PollInterval between polls of the update; default 15s.
	PollInterval time.Duration
}

// Client reads and sets ACNS on AKS clusters of any subscription its
// credential reaches.
type Client struct {
	o ClientOptions
}

// NewClient returns a Client; with no Credential it builds a
// DefaultAzureCredential, which fails only when no source is configured.
func NewClient(o ClientOptions) (*Client, error) {
	if o.Credential == nil {
		cred, err := azidentity.NewDefaultAzureCredential(&azidentity.DefaultAzureCredentialOptions{
			ClientOptions: azcore.ClientOptions{Cloud: o.ARM.Cloud},
		})
		if err != nil {
			return nil, fmt.Errorf("acns: azure credential: %w (set ClientOptions.Credential, or sign in with az login)", err)
		}
		o.Credential = cred
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 15 * time.Second
	}
	return &Client{o: o}, nil
}

// Update is what Ensure did.
type Update struct {
	// ClusterID is the cluster's ARM ID.
	ClusterID string
	// Before is ACNS as read; After as ARM returned it at the end (Before
	// when nothing was sent).
	Before, After spec.ACNS
	// Changed is true when an update was sent.
	Changed bool
}

// Get reads a cluster's ACNS.
func (c *Client) Get(ctx context.Context, clusterID string) (spec.ACNS, error) {
	mc, _, err := c.get(ctx, clusterID)
	if err != nil {
		return spec.ACNS{}, err
	}
	return FromARM(advancedNetworking(mc)), nil
}

// Ensure makes the cluster's ACNS want, idempotently: it reads the cluster
// and, only when its ACNS differs, sends the cluster back as read with
// networkProfile.advancedNetworking set to ToARM(want) and nothing else
// changed (a PUT with If-Match on the ETag, as az aks update does), then
// waits for the long-running operation. A cluster already at want is not
// written. The caller refreshes its Pulumi stack when Update.Changed.
func (c *Client) Ensure(ctx context.Context, clusterID string, want spec.ACNS) (Update, error) {
	want = want.Effective()
	mc, rid, err := c.get(ctx, clusterID)
	if err != nil {
		return Update{ClusterID: clusterID}, err
	}
	u := Update{ClusterID: clusterID, Before: FromARM(advancedNetworking(mc))}
	u.After = u.Before
	if u.Before == want {
		return u, nil
	}
	if mc.Properties == nil || mc.Properties.NetworkProfile == nil {
		return u, fmt.Errorf("acns: cluster %s: ARM returned no networkProfile", clusterID)
	}
	mc.Properties.NetworkProfile.AdvancedNetworking = ToARM(want)
	clusters, err := c.clusters(rid.SubscriptionID)
	if err != nil {
		return u, err
	}
	var opts *armcontainerservice.ManagedClustersClientBeginCreateOrUpdateOptions
	if mc.ETag != nil {
		opts = &armcontainerservice.ManagedClustersClientBeginCreateOrUpdateOptions{IfMatch: mc.ETag}
	}
	poller, err := clusters.BeginCreateOrUpdate(ctx, rid.ResourceGroupName, rid.Name, mc, opts)
	if err != nil {
		return u, fmt.Errorf("acns: cluster %s: set ACNS %s: %w", clusterID, want, err)
	}
	u.Changed = true
	res, err := poller.PollUntilDone(ctx, &runtime.PollUntilDoneOptions{Frequency: c.o.PollInterval})
	if err != nil {
		return u, fmt.Errorf("acns: cluster %s: set ACNS %s: the update was sent and did not finish: %w", clusterID, want, err)
	}
	u.After = FromARM(advancedNetworking(res.ManagedCluster))
	if u.After != want {
		return u, fmt.Errorf("acns: cluster %s: ARM reported success but returned ACNS %s, not %s", clusterID, u.After, want)
	}
	return u, nil
}

// get reads the cluster by its ARM ID.
func (c *Client) get(ctx context.Context, clusterID string) (armcontainerservice.ManagedCluster, *arm.ResourceID, error) {
	rid, err := arm.ParseResourceID(clusterID)
	if err != nil || rid.ResourceType.String() == "" || rid.ResourceGroupName == "" {
		return armcontainerservice.ManagedCluster{}, nil, fmt.Errorf("acns: %q is not a managed cluster ID", clusterID)
	}
	clusters, err := c.clusters(rid.SubscriptionID)
	if err != nil {
		return armcontainerservice.ManagedCluster{}, nil, err
	}
	got, err := clusters.Get(ctx, rid.ResourceGroupName, rid.Name, nil)
	if err != nil {
		return armcontainerservice.ManagedCluster{}, nil, fmt.Errorf("acns: read cluster %s: %w", clusterID, err)
	}
	return got.ManagedCluster, rid, nil
}

func (c *Client) clusters(subscription string) (*armcontainerservice.ManagedClustersClient, error) {
	opts := c.o.ARM
	client, err := armcontainerservice.NewManagedClustersClient(subscription, c.o.Credential, &opts)
	if err != nil {
		return nil, fmt.Errorf("acns: azure client for subscription %s: %w", subscription, err)
	}
	return client, nil
}

func advancedNetworking(mc armcontainerservice.ManagedCluster) *armcontainerservice.AdvancedNetworking {
	if mc.Properties == nil || mc.Properties.NetworkProfile == nil {
		return nil
	}
	return mc.Properties.NetworkProfile.AdvancedNetworking
}
