// Package acns reads and sets a cluster's Advanced Container Networking
// Services (networkProfile.advancedNetworking) through Azure Resource
// Manager: the part of ACNS that the ManagedCluster of azure-native 2.88.0
// (API 2024-10-01) cannot express or cannot change in place.
//
// Pulumi creates a cluster with advancedNetworking's enabled,
// observability.enabled and security.enabled. API 2024-10-01 has no
// security.advancedNetworkPolicies (the L7 level, API 2025-08-01 and later;
// FQDN when unset), no security.transitEncryption (WireGuard) and no
// performance.accelerationMode (eBPF host routing, BpfVeth), both API
// 2026-01-01 and GA in April 2026; on an existing cluster every ACNS change
// goes through here too (components.ACNSIgnorePath says why). Get and Ensure
// speak API 2026-01-01 (EnsureAPIVersion) with requests built on azcore,
// since no Azure SDK for Go served here has that version; FromARM and ToARM
// map the typed armcontainerservice/v8 model (API 2025-10-01) that
// automation/migrate uses. The automation Engine calls Client.Ensure after
// every up whose spec involves ACNS and then refreshes the stack, so that the
// next preview shows no diff.
//
//	client, err := acns.NewClient(acns.ClientOptions{}) // DefaultAzureCredential
//	u, err := client.Ensure(ctx, clusterID, spec.ACNS{Enabled: true, Security: spec.ACNSSecurityL7,
//		TransitEncryption: spec.TransitEncryptionWireGuard})
//	if u.Changed { /* refresh the stack */ }
package acns

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v8"

	"github.com/aks-cilium/aks-cilium/components/spec"
)

// APIVersion is the ARM API version of the typed model FromARM and ToARM
// map (armcontainerservice/v8).
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

	rawMu sync.Mutex
	raw   *arm.Client // API 2026-01-01 requests, made on first use
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

// Get reads a cluster's ACNS, at API 2026-01-01.
func (c *Client) Get(ctx context.Context, clusterID string) (spec.ACNS, error) {
	rid, err := clusterRID(clusterID)
	if err != nil {
		return spec.ACNS{}, err
	}
	m, err := c.get2026(ctx, rid)
	if err != nil {
		return spec.ACNS{}, fmt.Errorf("acns: read cluster %s: %w", clusterID, err)
	}
	return FromJSON(m.advancedNetworking()), nil
}

// Ensure makes the cluster's ACNS want, idempotently: it reads the cluster
// at API 2026-01-01 and, only when its ACNS differs, sends the cluster back
// as read with networkProfile.advancedNetworking set to ToJSON(want) and
// nothing else changed (a PUT with If-Match on the ETag, as az aks update
// does), then waits for the long-running operation. A cluster already at
// want is not written. The caller refreshes its Pulumi stack when
// Update.Changed.
func (c *Client) Ensure(ctx context.Context, clusterID string, want spec.ACNS) (Update, error) {
	want = want.Effective()
	u := Update{ClusterID: clusterID}
	rid, err := clusterRID(clusterID)
	if err != nil {
		return u, err
	}
	m, err := c.get2026(ctx, rid)
	if err != nil {
		return u, fmt.Errorf("acns: read cluster %s: %w", clusterID, err)
	}
	u.Before = FromJSON(m.advancedNetworking())
	u.After = u.Before
	if u.Before == want {
		return u, nil
	}
	np := m.networkProfile()
	if np == nil {
		return u, fmt.Errorf("acns: cluster %s: ARM returned no networkProfile", clusterID)
	}
	np["advancedNetworking"] = ToJSON(want)
	u.Changed = true
	res, err := c.put2026(ctx, rid, m)
	if err != nil {
		return u, fmt.Errorf("acns: cluster %s: set ACNS %s (API %s): %w", clusterID, want, EnsureAPIVersion, err)
	}
	u.After = FromJSON(res.advancedNetworking())
	if u.After != want {
		return u, fmt.Errorf("acns: cluster %s: ARM reported success but returned ACNS %s, not %s", clusterID, u.After, want)
	}
	return u, nil
}

// clusterRID parses a managed cluster's ARM ID.
func clusterRID(clusterID string) (*arm.ResourceID, error) {
	rid, err := arm.ParseResourceID(clusterID)
	if err != nil || !strings.EqualFold(rid.ResourceType.String(), "Microsoft.ContainerService/managedClusters") || rid.ResourceGroupName == "" {
		return nil, fmt.Errorf("acns: %q is not a managed cluster ID", clusterID)
	}
	return rid, nil
}
