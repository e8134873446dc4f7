package migrate

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	acs "github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v8/fake"
)

const (
	testSub     = "00000000-0000-0000-0000-000000000001"
	testRG      = "rg-prod"
	testCluster = "aks-prod"
	testETag    = `"etag-1"`
	nodeSubnet  = "/subscriptions/" + testSub + "/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-prod/subnets/nodes"
	podSubnet   = "/subscriptions/" + testSub + "/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-prod/subnets/pods"
)

// overlayCluster is a realistic Azure CNI overlay cluster with Azure NPM,
// with many fields set so that a PUT body that drops or changes one is seen.
func overlayCluster() acs.ManagedCluster {
	return acs.ManagedCluster{
		ID:       to.Ptr("/subscriptions/" + testSub + "/resourceGroups/" + testRG + "/providers/Microsoft.ContainerService/managedClusters/" + testCluster),
		Name:     to.Ptr(testCluster),
		Type:     to.Ptr("Microsoft.ContainerService/ManagedClusters"),
		Location: to.Ptr("westeurope"),
		ETag:     to.Ptr(testETag),
		Tags:     map[string]*string{"team": to.Ptr("platform"), "env": to.Ptr("prod")},
		SKU:      &acs.ManagedClusterSKU{Name: to.Ptr(acs.ManagedClusterSKUNameBase), Tier: to.Ptr(acs.ManagedClusterSKUTierStandard)},
		Identity: &acs.ManagedClusterIdentity{Type: to.Ptr(acs.ResourceIdentityTypeSystemAssigned), PrincipalID: to.Ptr("11111111-2222-3333-4444-555555555555"), TenantID: to.Ptr("66666666-7777-8888-9999-000000000000")},
		Properties: &acs.ManagedClusterProperties{
			KubernetesVersion:        to.Ptr("1.32"),
			CurrentKubernetesVersion: to.Ptr("1.32.4"),
			DNSPrefix:                to.Ptr("aks-prod"),
			Fqdn:                     to.Ptr("aks-prod-abc123.hcp.westeurope.azmk8s.io"),
			ProvisioningState:        to.Ptr("Succeeded"),
			PowerState:               &acs.PowerState{Code: to.Ptr(acs.CodeRunning)},
			NodeResourceGroup:        to.Ptr("MC_rg-prod_aks-prod_westeurope"),
			EnableRBAC:               to.Ptr(true),
			DisableLocalAccounts:     to.Ptr(true),
			AADProfile:               &acs.ManagedClusterAADProfile{Managed: to.Ptr(true), EnableAzureRBAC: to.Ptr(true)},
			OidcIssuerProfile:        &acs.ManagedClusterOIDCIssuerProfile{Enabled: to.Ptr(true)},
			SecurityProfile:          &acs.ManagedClusterSecurityProfile{WorkloadIdentity: &acs.ManagedClusterSecurityProfileWorkloadIdentity{Enabled: to.Ptr(true)}},
			AddonProfiles:            map[string]*acs.ManagedClusterAddonProfile{"azurepolicy": {Enabled: to.Ptr(false)}},
			AgentPoolProfiles: []*acs.ManagedClusterAgentPoolProfile{
				{Name: to.Ptr("system"), Mode: to.Ptr(acs.AgentPoolModeSystem), OSType: to.Ptr(acs.OSTypeLinux), Count: to.Ptr[int32](3),
					VMSize: to.Ptr("Standard_D4s_v5"), MaxPods: to.Ptr[int32](250), VnetSubnetID: to.Ptr(nodeSubnet), AvailabilityZones: []*string{to.Ptr("1"), to.Ptr("2"), to.Ptr("3")}},
				{Name: to.Ptr("user"), Mode: to.Ptr(acs.AgentPoolModeUser), OSType: to.Ptr(acs.OSTypeLinux), Count: to.Ptr[int32](5),
					VMSize: to.Ptr("Standard_D8s_v5"), MaxPods: to.Ptr[int32](250), VnetSubnetID: to.Ptr(nodeSubnet), EnableAutoScaling: to.Ptr(true),
					MinCount: to.Ptr[int32](3), MaxCount: to.Ptr[int32](10), NodeLabels: map[string]*string{"workload": to.Ptr("apps")}},
			},
			NetworkProfile: &acs.NetworkProfile{
				NetworkPlugin:     to.Ptr(acs.NetworkPluginAzure),
				NetworkPluginMode: to.Ptr(acs.NetworkPluginModeOverlay),
				NetworkPolicy:     to.Ptr(acs.NetworkPolicyAzure),
				NetworkDataplane:  to.Ptr(acs.NetworkDataplaneAzure),
				PodCidr:           to.Ptr("192.168.0.0/16"),
				PodCidrs:          []*string{to.Ptr("192.168.0.0/16")},
				ServiceCidr:       to.Ptr("10.0.0.0/16"),
				ServiceCidrs:      []*string{to.Ptr("10.0.0.0/16")},
				DNSServiceIP:      to.Ptr("10.0.0.10"),
				IPFamilies:        []*acs.IPFamily{to.Ptr(acs.IPFamilyIPv4)},
				OutboundType:      to.Ptr(acs.OutboundTypeLoadBalancer),
				LoadBalancerSKU:   to.Ptr(acs.LoadBalancerSKUStandard),
				LoadBalancerProfile: &acs.ManagedClusterLoadBalancerProfile{
					ManagedOutboundIPs:   &acs.ManagedClusterLoadBalancerProfileManagedOutboundIPs{Count: to.Ptr[int32](1)},
					EffectiveOutboundIPs: []*acs.ResourceReference{{ID: to.Ptr("/subscriptions/" + testSub + "/resourceGroups/MC_rg-prod_aks-prod_westeurope/providers/Microsoft.Network/publicIPAddresses/out-1")}},
				},
			},
		},
	}
}

// agentPool is an agent pool as the AgentPools list returns it.
func agentPool(name string, mode acs.AgentPoolMode, os acs.OSType, count int32, subnet, podSubnetID string) *acs.AgentPool {
	p := &acs.AgentPool{
		Name: to.Ptr(name),
		ID:   to.Ptr("/subscriptions/" + testSub + "/resourceGroups/" + testRG + "/providers/Microsoft.ContainerService/managedClusters/" + testCluster + "/agentPools/" + name),
		Properties: &acs.ManagedClusterAgentPoolProfileProperties{
			Mode: to.Ptr(mode), OSType: to.Ptr(os), Count: to.Ptr(count), OSSKU: to.Ptr(acs.OSSKUUbuntu),
			UpgradeSettings:   &acs.AgentPoolUpgradeSettings{MaxSurge: to.Ptr("10%")},
			ProvisioningState: to.Ptr("Succeeded"), PowerState: &acs.PowerState{Code: to.Ptr(acs.CodeRunning)},
		},
	}
	if subnet != "" {
		p.Properties.VnetSubnetID = to.Ptr(subnet)
	}
	if podSubnetID != "" {
		p.Properties.PodSubnetID = to.Ptr(podSubnetID)
	}
	if os == acs.OSTypeWindows {
		p.Properties.OSSKU = to.Ptr(acs.OSSKUWindows2022)
	}
	return p
}

func linuxPools() []*acs.AgentPool {
	return []*acs.AgentPool{
		agentPool("system", acs.AgentPoolModeSystem, acs.OSTypeLinux, 3, nodeSubnet, ""),
		agentPool("user", acs.AgentPoolModeUser, acs.OSTypeLinux, 5, nodeSubnet, ""),
	}
}

type putResponder = azfake.PollerResponder[acs.ManagedClustersClientCreateOrUpdateResponse]

// harness is an ARM stand-in built from the SDK's fake servers, with a
// recording transport in front.
type harness struct {
	t *testing.T
	// cluster is what GET returns; getHook, when set, may change it per call
	// (n counts GETs from 1).
	cluster acs.ManagedCluster
	getHook func(n int, mc *acs.ManagedCluster)
	pools   []*acs.AgentPool
	// put answers the PUT; the default echoes the body after two polls.
	put func(body acs.ManagedCluster) (putResponder, azfake.ErrorResponder)

	rec    *recorder
	client *Client
	gets   int
	mu     sync.Mutex
}

func newHarness(t *testing.T, mc acs.ManagedCluster, pools []*acs.AgentPool) *harness {
	h := &harness{t: t, cluster: mc, pools: pools}
	srv := &fake.ServerFactory{
		ManagedClustersServer: fake.ManagedClustersServer{
			Get: func(ctx context.Context, rg, name string, _ *acs.ManagedClustersClientGetOptions) (resp azfake.Responder[acs.ManagedClustersClientGetResponse], errResp azfake.ErrorResponder) {
				h.mu.Lock()
				defer h.mu.Unlock()
				if rg != testRG || name != testCluster {
					errResp.SetResponseError(http.StatusNotFound, "ResourceNotFound")
					return
				}
				h.gets++
				if h.getHook != nil {
					h.getHook(h.gets, &h.cluster)
				}
				resp.SetResponse(http.StatusOK, acs.ManagedClustersClientGetResponse{ManagedCluster: h.cluster}, nil)
				return
			},
			BeginCreateOrUpdate: func(ctx context.Context, rg, name string, body acs.ManagedCluster, _ *acs.ManagedClustersClientBeginCreateOrUpdateOptions) (resp putResponder, errResp azfake.ErrorResponder) {
				if h.put != nil {
					return h.put(body)
				}
				return succeedAfter(2, body), errResp
			},
		},
		AgentPoolsServer: fake.AgentPoolsServer{
			NewListPager: func(rg, name string, _ *acs.AgentPoolsClientListOptions) (resp azfake.PagerResponder[acs.AgentPoolsClientListResponse]) {
				// Two pages, to exercise paging.
				half := len(h.pools) / 2
				resp.AddPage(http.StatusOK, acs.AgentPoolsClientListResponse{AgentPoolListResult: acs.AgentPoolListResult{Value: h.pools[:half]}}, nil)
				resp.AddPage(http.StatusOK, acs.AgentPoolsClientListResponse{AgentPoolListResult: acs.AgentPoolListResult{Value: h.pools[half:]}}, nil)
				return
			},
		},
	}
	h.rec = &recorder{next: fake.NewServerFactoryTransport(srv)}
	client, err := NewClient(ClientOptions{
		Credential: &azfake.TokenCredential{},
		ARM: arm.ClientOptions{ClientOptions: policy.ClientOptions{
			Transport: h.rec,
			Retry:     policy.RetryOptions{MaxRetries: 2, RetryDelay: time.Millisecond, MaxRetryDelay: 5 * time.Millisecond},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	h.client = client
	return h
}

// succeedAfter is an LRO that reports InProgress polls times, then the
// body as the final cluster with provisioningState Succeeded.
func succeedAfter(polls int, body acs.ManagedCluster) putResponder {
	var resp putResponder
	for range polls + 1 { // the first is the PUT's own answer
		resp.AddNonTerminalResponse(http.StatusCreated, nil)
	}
	body.Properties.ProvisioningState = to.Ptr("Succeeded")
	resp.SetTerminalResponse(http.StatusOK, acs.ManagedClustersClientCreateOrUpdateResponse{ManagedCluster: body}, nil)
	return resp
}

func (h *harness) plan(opts PlanOptions) *Plan {
	h.t.Helper()
	p, err := h.client.Plan(context.Background(), testSub, testRG, testCluster, opts)
	if err != nil {
		h.t.Fatalf("Plan: %v", err)
	}
	return p
}

// recorded is one request on the wire and its answer.
type recorded struct {
	Method, Path string
	Header       http.Header
	Body         []byte
	Status       int
	RespBody     []byte
}

// recorder is a policy.Transporter that records every request and
// response, and lets a test answer or rewrite one (hook, edit).
type recorder struct {
	next policy.Transporter
	// hook answers a request itself when it returns a response.
	hook func(req *http.Request, body []byte) *http.Response
	// edit rewrites a response body.
	edit func(req *http.Request, body []byte) []byte

	mu   sync.Mutex
	reqs []recorded
}

func (r *recorder) Do(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		body, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	var resp *http.Response
	if r.hook != nil {
		resp = r.hook(req, body)
	}
	if resp == nil {
		// Like a real transport, give up on a request whose context ended.
		// The fake servers are then called without cancellation: their
		// generated dispatch (seen with v6.6.0) can send on a closed channel when the
		// context ends while they answer.
		if err := req.Context().Err(); err != nil {
			return nil, err
		}
		var err error
		if resp, err = r.next.Do(req.WithContext(context.WithoutCancel(req.Context()))); err != nil {
			r.add(recorded{Method: req.Method, Path: req.URL.Path, Header: req.Header.Clone(), Body: body})
			return nil, err
		}
	}
	respBody, _ := io.ReadAll(resp.Body)
	if r.edit != nil {
		respBody = r.edit(req, respBody)
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	resp.ContentLength = int64(len(respBody))
	resp.Header.Set("Content-Length", strconv.Itoa(len(respBody)))
	r.add(recorded{Method: req.Method, Path: req.URL.Path, Header: req.Header.Clone(), Body: body, Status: resp.StatusCode, RespBody: respBody})
	return resp, nil
}

func (r *recorder) add(x recorded) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = append(r.reqs, x)
}

// count is the number of requests with the method whose path ends in suffix.
func (r *recorder) count(method, suffix string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, x := range r.reqs {
		if x.Method == method && strings.HasSuffix(x.Path, suffix) {
			n++
		}
	}
	return n
}

// last is the last request with the method whose path ends in suffix.
func (r *recorder) last(method, suffix string) (recorded, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.reqs) - 1; i >= 0; i-- {
		if x := r.reqs[i]; x.Method == method && strings.HasSuffix(x.Path, suffix) {
			return x, true
		}
	}
	return recorded{}, false
}

// clusterPath is the suffix of the cluster's URL path.
const clusterPath = "/managedClusters/" + testCluster

// jsonResponse is an HTTP response with a JSON body.
func jsonResponse(req *http.Request, status int, header http.Header, body any) *http.Response {
	b, _ := json.Marshal(body)
	if header == nil {
		header = http.Header{}
	}
	header.Set("Content-Type", "application/json")
	return &http.Response{StatusCode: status, Status: http.StatusText(status), Header: header, Request: req,
		Body: io.NopCloser(bytes.NewReader(b)), ContentLength: int64(len(b))}
}
