package acns

import (
	"context"
	"fmt"
	"net/http"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"

	"github.com/aks-cilium/aks-cilium/components/spec"
)

// EnsureAPIVersion is the ARM API version of Get and Ensure: 2026-01-01,
// the first with WireGuard transit encryption
// (security.transitEncryption.type) and eBPF host routing
// (performance.accelerationMode: BpfVeth), GA in April 2026. No Azure SDK
// for Go served to this project speaks it (armcontainerservice v8.2.0 stops
// at 2025-10-01), so the requests are built with azcore's ARM pipeline (the
// credential, retries and long-running-operation polling of every Azure SDK
// client) and the cluster is kept as JSON: a PUT sends back every property
// as read, so nothing this package does not model is lost or reset.
const EnsureAPIVersion = spec.ACNSAPI2026

// moduleName and moduleVersion identify the raw client in ARM's telemetry
// (User-Agent), as an SDK client would.
const (
	moduleName    = "github.com/aks-cilium/aks-cilium/automation/acns"
	moduleVersion = "v1.0.0"
)

// FromJSON is the ACNS state of an advancedNetworking object as API
// 2026-01-01 returns it, with ARM's defaults applied (see FromARM), plus
// transit encryption and acceleration, both None when unset ("If not
// specified, the default value is None"; WireGuard "is disabled by default
// even after enabling Advanced Container Networking Services", AKS docs:
// how-to-apply-wireguard).
func FromJSON(a map[string]any) spec.ACNS {
	if enabled, _ := a["enabled"].(bool); !enabled {
		return spec.ACNS{}
	}
	out := spec.ACNS{Enabled: true, Observability: true, Security: spec.ACNSSecurityFQDN}
	if o, ok := a["observability"].(map[string]any); ok {
		if v, ok := o["enabled"].(bool); ok {
			out.Observability = v
		}
	}
	if s, ok := a["security"].(map[string]any); ok {
		if v, ok := s["enabled"].(bool); ok && !v {
			out.Security = ""
		} else if level, ok := s["advancedNetworkPolicies"].(string); ok && level != "" {
			out.Security = spec.ACNSSecurity(level)
		}
		if te, ok := s["transitEncryption"].(map[string]any); ok {
			if typ, _ := te["type"].(string); typ != "" {
				out.TransitEncryption = spec.TransitEncryption(typ)
			}
		}
	}
	if p, ok := a["performance"].(map[string]any); ok {
		if mode, _ := p["accelerationMode"].(string); mode != "" {
			out.Acceleration = spec.ACNSAcceleration(mode)
		}
	}
	return out.Effective()
}

// ToJSON is the advancedNetworking object that sets a at API 2026-01-01,
// every switch spelled out (ARM disables ACNS only when enabled: false is
// sent, pulumi-azure-native#4206; a feature left out of an enabled ACNS is
// on, or ARM's default).
func ToJSON(a spec.ACNS) map[string]any {
	a = a.Effective()
	security := map[string]any{
		"enabled":           a.Security.FQDN(),
		"transitEncryption": map[string]any{"type": orNone(string(a.TransitEncryption), string(spec.TransitEncryptionNone))},
	}
	if a.Security.FQDN() {
		security["advancedNetworkPolicies"] = string(a.Security)
	}
	return map[string]any{
		"enabled":       a.Enabled,
		"observability": map[string]any{"enabled": a.Observability},
		"security":      security,
		"performance":   map[string]any{"accelerationMode": orNone(string(a.Acceleration), string(spec.AccelerationNone))},
	}
}

func orNone(v, none string) string {
	if v == "" {
		return none
	}
	return v
}

// rawClient is the azcore ARM client of API 2026-01-01, made once.
func (c *Client) rawClient() (*arm.Client, error) {
	c.rawMu.Lock()
	defer c.rawMu.Unlock()
	if c.raw == nil {
		opts := c.o.ARM
		cl, err := arm.NewClient(moduleName, moduleVersion, c.o.Credential, &opts)
		if err != nil {
			return nil, fmt.Errorf("acns: azure client: %w", err)
		}
		c.raw = cl
	}
	return c.raw, nil
}

// cluster2026 is a managed cluster read at API 2026-01-01: the whole JSON
// body and its ETag.
type cluster2026 struct {
	body map[string]any
	etag string
}

// advancedNetworking is properties.networkProfile.advancedNetworking, nil
// when absent.
func (m cluster2026) advancedNetworking() map[string]any {
	np := m.networkProfile()
	a, _ := np["advancedNetworking"].(map[string]any)
	return a
}

func (m cluster2026) networkProfile() map[string]any {
	props, _ := m.body["properties"].(map[string]any)
	np, _ := props["networkProfile"].(map[string]any)
	return np
}

// get2026 reads a cluster at API 2026-01-01.
func (c *Client) get2026(ctx context.Context, rid *arm.ResourceID) (cluster2026, error) {
	cl, err := c.rawClient()
	if err != nil {
		return cluster2026{}, err
	}
	req, err := c.request(ctx, cl, http.MethodGet, rid)
	if err != nil {
		return cluster2026{}, err
	}
	resp, err := cl.Pipeline().Do(req)
	if err != nil {
		return cluster2026{}, err
	}
	if !runtime.HasStatusCode(resp, http.StatusOK) {
		return cluster2026{}, runtime.NewResponseError(resp)
	}
	var out cluster2026
	if err := runtime.UnmarshalAsJSON(resp, &out.body); err != nil {
		return cluster2026{}, err
	}
	out.etag, _ = out.body["eTag"].(string)
	if out.etag == "" {
		out.etag = resp.Header.Get("ETag")
	}
	return out, nil
}

// put2026 sends a cluster back at API 2026-01-01 (If-Match on the ETag it
// was read with) and waits for the long-running operation.
func (c *Client) put2026(ctx context.Context, rid *arm.ResourceID, m cluster2026) (cluster2026, error) {
	cl, err := c.rawClient()
	if err != nil {
		return cluster2026{}, err
	}
	req, err := c.request(ctx, cl, http.MethodPut, rid)
	if err != nil {
		return cluster2026{}, err
	}
	if m.etag != "" {
		req.Raw().Header.Set("If-Match", m.etag)
	}
	if err := runtime.MarshalAsJSON(req, m.body); err != nil {
		return cluster2026{}, err
	}
	resp, err := cl.Pipeline().Do(req)
	if err != nil {
		return cluster2026{}, err
	}
	if !runtime.HasStatusCode(resp, http.StatusOK, http.StatusCreated) {
		return cluster2026{}, runtime.NewResponseError(resp)
	}
	poller, err := runtime.NewPoller[map[string]any](resp, cl.Pipeline(), &runtime.NewPollerOptions[map[string]any]{Tracer: cl.Tracer()})
	if err != nil {
		return cluster2026{}, err
	}
	body, err := poller.PollUntilDone(ctx, &runtime.PollUntilDoneOptions{Frequency: c.o.PollInterval})
	if err != nil {
		return cluster2026{}, err
	}
	out := cluster2026{body: body}
	out.etag, _ = body["eTag"].(string)
	return out, nil
}

func (c *Client) request(ctx context.Context, cl *arm.Client, method string, rid *arm.ResourceID) (*policy.Request, error) {
	req, err := runtime.NewRequest(ctx, method, runtime.JoinPaths(cl.Endpoint(), rid.String()))
	if err != nil {
		return nil, err
	}
	q := req.Raw().URL.Query()
	q.Set("api-version", EnsureAPIVersion)
	req.Raw().URL.RawQuery = q.Encode()
	req.Raw().Header.Set("Accept", "application/json")
	return req, nil
}
