package azuresim

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// API2026 is the Microsoft.ContainerService API version of the ARM front
// end's raw managed-cluster requests: 2026-01-01, the first with ACNS's
// WireGuard transit encryption (networkProfile.advancedNetworking.security.
// transitEncryption) and eBPF host routing (networkProfile.
// advancedNetworking.performance.accelerationMode), GA in April 2026. No
// Azure SDK for Go served to aks-cilium has it (armcontainerservice v8 stops
// at 2025-10-01), so automation/acns builds these requests with azcore, and
// the simulator answers them here, as JSON, through the same operation
// pipeline and rules as every other write.
const API2026 = "2026-01-01"

// clusterPath matches a managed cluster's ARM path (not its children).
var clusterPath = regexp.MustCompile(`(?i)^/subscriptions/[^/]+/resourceGroups/([^/]+)/providers/Microsoft\.ContainerService/managedClusters/([^/]+)$`)

// api2026Transport serves managed-cluster GET and PUT at API 2026-01-01
// and hands every other request to the SDK front end (armTransport).
//
// A GET returns the cluster in ARM's shape with every property the
// simulated Azure holds, eTag included. A PUT is a PUT, as on the SDK front
// end: the body replaces the cluster (If-Match and If-None-Match honoured,
// one operation at a time, the rules judged), and the answer is 200 (201 for
// a create) with the cluster as committed, provisioningState Succeeded, so
// azcore's poller is done at once. Any other request at that version (agent
// pools, DELETE) is answered 501: the simulator does not model it.
type api2026Transport struct {
	s    *Simulator
	next policy.Transporter
}

func (t api2026Transport) Do(req *http.Request) (*http.Response, error) {
	if req.URL.Query().Get("api-version") != API2026 {
		return t.next.Do(req)
	}
	m := clusterPath.FindStringSubmatch(req.URL.Path)
	switch {
	case m != nil && req.Method == http.MethodGet:
		return t.get(req, m[1], m[2])
	case m != nil && req.Method == http.MethodPut:
		return t.put(req, m[1], m[2])
	}
	return armError(http.StatusNotImplemented, "NotModelled",
		"The Azure simulator serves only managed-cluster GET and PUT at api-version %s, not %s %s.", API2026, req.Method, req.URL.Path).response(req), nil
}

func (t api2026Transport) get(req *http.Request, rg, name string) (*http.Response, error) {
	var body map[string]any
	if err := t.s.armRead(req.Context(), TypeManagedCluster, t.s.clusterID(rg, name), &body); err != nil {
		return errorResponse(req, err), nil
	}
	return jsonResponse(req, http.StatusOK, body)
}

func (t api2026Transport) put(req *http.Request, rg, name string) (*http.Response, error) {
	raw, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		return armError(http.StatusBadRequest, "InvalidRequestContent",
			"The request content was invalid and could not be deserialized: %v", err).response(req), nil
	}
	inputs, err := armBody(TypeManagedCluster, body, map[string]any{"resourceGroupName": rg, "resourceName": name})
	if err != nil {
		return errorResponse(req, err), nil
	}
	r := &armRequest{spec: resourceTypes[TypeManagedCluster], id: t.s.clusterID(rg, name), inputs: inputs,
		ifMatch: req.Header.Get("If-Match"), ifNoneMatch: req.Header.Get("If-None-Match")}
	var out map[string]any
	status, err := t.s.armPut(req.Context(), r, &out)
	if err != nil {
		return errorResponse(req, err), nil
	}
	return jsonResponse(req, status, out)
}

// errorResponse is err as ARM answers it (an *ARMError), or a 500.
func errorResponse(req *http.Request, err error) *http.Response {
	var ae *ARMError
	if !errors.As(err, &ae) {
		ae = armError(http.StatusInternalServerError, "InternalServerError", "%v", err)
	}
	return ae.response(req)
}

func jsonResponse(req *http.Request, status int, body map[string]any) (*http.Response, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("azure simulator: encode the %s answer: %w", API2026, err)
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json; charset=utf-8")
	if etag := str(body, "eTag"); etag != "" {
		h.Set("ETag", etag)
	}
	return &http.Response{
		StatusCode: status, Status: fmt.Sprintf("%d %s", status, http.StatusText(status)),
		Header: h, Body: readCloser(data), ContentLength: int64(len(data)), Request: req,
	}, nil
}

// api2026Only are the ManagedCluster properties only API 2026-01-01 (of
// the versions the simulator speaks) has, in the SDK shape: the 2024-10-01
// provider does not see them (apiversions.go) and armcontainerservice v8
// (2025-10-01) has no field for them, so neither front end's PUT carries
// them and, on the strict reading apiversions.go explains, both reset them.
var api2026Only = [][]string{
	// AdvancedNetworkingSecurityTransitEncryption and
	// AdvancedNetworkingPerformance: in 2026-01-01, absent from 2025-10-01
	// and 2024-10-01 (Azure/bicep-types-az generated/containerservice_1/
	// microsoft.containerservice/<version>/types.md).
	{"networkProfile", "advancedNetworking", "security", "transitEncryption"},
	{"networkProfile", "advancedNetworking", "performance"},
}

// acceleration and transitEncryption are the API 2026-01-01 switches of a
// networkProfile ("" when unset: None).
func acceleration(np map[string]any) string {
	return str(obj(obj(np, "advancedNetworking"), "performance"), "accelerationMode")
}

func transitEncryption(np map[string]any) string {
	return str(obj(obj(obj(np, "advancedNetworking"), "security"), "transitEncryption"), "type")
}

// acnsOnCilium is the refusal of an ACNS feature without the Cilium data
// plane or without ACNS, or nil.
func acnsOnCilium(np map[string]any, feature, target string) *ARMError {
	if !strings.EqualFold(str(np, "networkDataplane"), "cilium") {
		return aksError(400, "BadRequest", "InvalidParameter", target,
			"%s can be enabled only on clusters with networkDataplane cilium; the cluster has %q.", feature, str(np, "networkDataplane"))
	}
	if enabled, _ := obj(np, "advancedNetworking")["enabled"].(bool); !enabled {
		return aksError(400, "BadRequest", "InvalidParameter", target,
			"%s is an Advanced Container Networking Services feature: it needs networkProfile.advancedNetworking.enabled true.", feature)
	}
	return nil
}

func checkBpfVeth(st *store, r *armRequest) *ARMError {
	np := clusterNetwork(st, r)
	if !strings.EqualFold(acceleration(np), "BpfVeth") {
		return nil
	}
	const target = "networkProfile.advancedNetworking.performance.accelerationMode"
	if e := acnsOnCilium(np, "eBPF host routing (accelerationMode BpfVeth)", target); e != nil {
		return e
	}
	cluster := r.inputs
	if r.spec.token == TypeAgentPool {
		if c := st.get(parentID(r.id)); c != nil {
			cluster = c.Inputs
		}
	}
	for _, p := range effectivePools(st, r) {
		name := str(p, "name")
		if name == "" {
			name = str(p, "agentPoolName") // an AgentPool's inputs
		}
		version := str(p, "orchestratorVersion")
		if version == "" {
			version = str(cluster, "kubernetesVersion")
		}
		if !minorAtLeast(version, 1, 33) {
			return aksError(400, "BadRequest", "InvalidParameter", target,
				"eBPF host routing needs Kubernetes 1.33 or later; agent pool '%s' runs %q.", name, version)
		}
		if os := nodeOS(str(p, "osSKU"), version); os != "Azure Linux 3.0" && os != "Ubuntu 24.04" {
			return aksError(400, "BadRequest", "InvalidParameter", target,
				"eBPF host routing is supported only on Azure Linux 3.0 or Ubuntu 24.04; agent pool '%s' (osSKU %q, Kubernetes %s) runs %s.", name, str(p, "osSKU"), version, os)
		}
	}
	return nil
}

func checkWireGuard(st *store, r *armRequest) *ARMError {
	np := obj(r.inputs, "networkProfile")
	if !strings.EqualFold(transitEncryption(np), "WireGuard") {
		return nil
	}
	return acnsOnCilium(np, "WireGuard transit encryption", "networkProfile.advancedNetworking.security.transitEncryption.type")
}

// nodeOS is the OS release a Linux pool of osSKU runs on a Kubernetes
// version (AKS docs, upgrade-os-version, 2026-08: osSKU Ubuntu is 22.04 up
// to 1.34 and 24.04 from 1.35; AzureLinux is Azure Linux 3.0 from 1.32, 2.0
// before; the versioned SKUs are what they say). An empty osSKU is Ubuntu.
func nodeOS(osSKU, version string) string {
	switch strings.ToLower(osSKU) {
	case "", "ubuntu":
		if minorAtLeast(version, 1, 35) {
			return "Ubuntu 24.04"
		}
		return "Ubuntu 22.04"
	case "ubuntu2404":
		return "Ubuntu 24.04"
	case "ubuntu2204":
		return "Ubuntu 22.04"
	case "azurelinux", "cblmariner", "mariner":
		if strings.EqualFold(osSKU, "azurelinux") && minorAtLeast(version, 1, 32) {
			return "Azure Linux 3.0"
		}
		return "Azure Linux 2.0"
	case "azurelinux3":
		return "Azure Linux 3.0"
	}
	return osSKU
}

// minorAtLeast reports whether a Kubernetes version ("1.33", "1.33.2") is
// major.minor or later.
func minorAtLeast(version string, major, minor int) bool {
	var ma, mi int
	if n, _ := fmt.Sscanf(version, "%d.%d", &ma, &mi); n != 2 {
		return false
	}
	return ma > major || (ma == major && mi >= minor)
}
