// Package simulator is a SIMULATED Azure: a stand-in for the azure-native
// Pulumi provider (package "azure-native", version 2.88.0) that the real
// Pulumi engine talks to over the provider gRPC protocol, with its own
// in-memory (optionally file-backed) Azure Resource Manager behind it. No
// Azure API is ever called and no credentials are needed.
//
// It serves aks-cilium's own tests, the credential-free demo, and anyone who
// tests a platform built on aks-cilium, the way net/http/httptest serves
// HTTP code: start it, point the workspace at it, run preview / up /
// refresh / destroy with the real CLI, and inspect what "Azure" now holds.
// It is always labelled: the constant Simulated, Simulator.String, every
// Resource's Simulated field, the state file's "simulated" flag, and an info
// diagnostic the engine prints for every run ("azure-native 2.88.0 is
// SIMULATED ...").
//
// # What is simulated
//
// Resource types (tokens exactly as the v2.88.0 Go SDK registers them):
//
//	azure-native:resources:ResourceGroup                      (resources/v2)
//	azure-native:network:VirtualNetwork                       (network/v2, inline subnets)
//	azure-native:network:Subnet                               (network/v2)
//	azure-native:containerservice/v20241001:ManagedCluster    (containerservice/v2/v20241001)
//	azure-native:containerservice/v20241001:AgentPool         (containerservice/v2/v20241001)
//	azure-native:resources:DeploymentStackAtResourceGroup     (resources/v2; the monitoring templates)
//	azure-native:authorization:RoleAssignment                 (authorization/v2, API 2022-04-01)
//	azure-native:network:NatGateway                           (network/v2; outboundType userAssignedNATGateway)
//	azure-native:network:PublicIPAddress                      (network/v2; the NAT gateway's IPs)
//	azure-native:network:RouteTable                           (network/v2; outboundType userDefinedRouting)
//	azure-native:containerservice/v20241001:MaintenanceConfiguration (containerservice/v2/v20241001)
//
// User-assigned managed identities are not served (aks-cilium brings them
// by resource ID, as they exist before the cluster): AddUserAssignedIdentity
// puts one in the simulated directory, with its principal and client IDs,
// so a cluster may name it and role assignments may grant its principal.
//
// A role assignment's ID is its scope's plus
// /providers/Microsoft.Authorization/roleAssignments/<name>; ARM's
// PrincipalNotFound (a principal the simulated directory does not know: the
// clusters' identities are the ones it knows) and
// RoleAssignmentUpdateNotPermitted (principal or role changed in place) are
// reproduced.
//
// Two API versions meet here: the gRPC provider speaks the ManagedCluster of
// API 2024-10-01 (azure-native 2.88.0), ARMTransport the Azure SDK's
// armcontainerservice/v8 (API 2025-10-01). What only the newer version has
// (networkProfile.advancedNetworking.security.advancedNetworkPolicies, the
// ACNS L7 level) is not returned to the provider, and a provider update
// resets it (apiversions.go says why). Managed-cluster GET and PUT at API
// 2026-01-01 (API2026) are answered as raw JSON by the same ARMTransport:
// ACNS's WireGuard transit encryption and eBPF host routing exist only
// there, neither older front end shows them, and their PUTs reset them.
//
// A deployment stack is simulated as one resource: its template's resources
// are listed as managed (outputs.resources) and its [resourceId(...)]
// outputs are evaluated; the resources inside are not simulated one by one.
//
// and the functions azure-native:containerservice/v20241001:
// listManagedClusterUserCredentials and azure-native:authorization:
// getClientConfig. Any other type or function fails with an error that
// names it and says it is not simulated.
//
// Outputs are shaped like ARM's: ARM IDs under a simulated subscription
// (DefaultSubscriptionID), name, type, provisioningState Succeeded, VNet
// subnets[].id, and for a ManagedCluster fqdn
// (<dnsPrefix>-<hash>.hcp.<location>.azmk8s.io), privateFQDN for a private
// cluster, nodeResourceGroup (MC_<rg>_<name>_<location> unless set),
// oidcIssuerProfile.issuerURL, identity principalId/tenantId, the kubelet
// identity, networkProfile echoed with AKS's defaults, kubernetesVersion and
// currentKubernetesVersion (a <major.minor> version gets patch .0), and
// powerState. Computed values derive from the ARM ID, so the same program
// gives the same outputs in every run (golden files stay stable).
//
// The user kubeconfig is what AKS returns for a Microsoft Entra ID cluster in
// exec format: a kubelogin user with --login devicecode, server
// https://<fqdn>:443 and a fixed, parseable but otherwise meaningless CA. It
// is returned base64 in kubeconfigs[0].value as a secret and never logged.
// Options.KubeconfigServer points it at a real API server (for example a
// local kube-apiserver) instead.
//
// Diff behaves exactly like azure-native 2.88.0's (provider/pkg/provider/
// diff.go): the old inputs (not the outputs) are compared with the new ones,
// a detailed diff names every changed leaf (networkProfile.networkDataplane,
// subnets[0].addressPrefix), a change under a replace key (every ARM path
// parameter, plus v2's forceNew list) is a replacement when it is an update,
// not when it is an add or a delete below the key, Replaces lists full
// property paths, and a replacement deletes first (it has the same ARM ID).
// In v2.88.0 the whole ManagedCluster networkProfile is such a key: changing
// any value under it replaces the cluster, adding advancedNetworking does not
// (pulumi-azure-native issue 4756). The table is resourceTypes in
// resources.go.
//
// Writes are ARM long-running operations, the same for the engine's calls
// and for the ARM front end (ARMTransport, the Azure SDK for Go): ARM judges
// the request, runs it for its latency while a GET shows Creating, Updating
// or Deleting, then commits it with a new eTag. AKS runs one operation at a
// time on a cluster and its agent pools, and answers another with 409
// OperationNotAllowed, which azure-native does not retry. A cluster read back
// lists every pool in agentPoolProfiles, AgentPool resources included
// (pulumi-azure-native issue 2719).
//
// ARM's own rejections come back as errors formatted the way azure-native
// surfaces ARM errors, Status=<code> Code="<Code>" Message="<text>" (an
// *ARMError inside the simulator's own API); for AKS the message is the
// whole flat body with the reason as subcode. The rules are one table
// (rules.go), each with its source: coupling of the Cilium data plane and
// policy, overlay and pod subnets, Windows pools, IPAM changes, immutable
// fields (PropertyChangeNotAllowed), pools added through the cluster,
// Kubernetes versions, maxPods, subnet existence, placement and sizing
// (InsufficientSubnetSize), CIDR overlaps, dnsServiceIP, subnets in use,
// eTags (If-Match), ARM's resource group and parent checks, and the
// production settings (production.go): maintenance windows, outbound types
// and their NAT gateway or route table, NAT gateway zones and IPs, the LTS
// tier, the node resource group, user-assigned and kubelet identities, and
// ACNS's WireGuard and eBPF host routing.
// docs/simulator.md is the contract: every behaviour, its source, the test
// that shows it, and what the simulator does not model.
//
// # What is not simulated
//
// Everything else: other resource types and functions, ARM's full schema
// validation, quotas, regions and VM sizes, the node resource group and the
// VMs in it, a reachable Kubernetes API (see KubeconfigServer). Provider
// configuration is ignored except azure-native:location (the default
// location). Every operation ARM accepted succeeds. docs/simulator.md lists
// the rest.
//
// An accepted operation belongs to the simulated ARM, as on Azure: it is
// kept with the simulated Azure (in the state file, when there is one) and
// finishes at its due time even when its request is cancelled, the engine
// killed or the simulator stopped; until then the resource shows Creating,
// Updating or Deleting, and AKS's one-operation rule holds.
// FinishOperations lets a test skip the wait.
//
// # Using it in your tests
//
// Start a simulator, put its EnvVars in the workspace's environment, and run
// the real engine; azure-native resources then live in the simulator:
//
//	sim := azuresim.New(azuresim.Options{})
//	if _, err := sim.Start(ctx); err != nil { ... }
//	defer sim.Stop()
//	env := sim.EnvVars() // PULUMI_DEBUG_PROVIDERS=azure-native:<port>
//	env["PULUMI_CONFIG_PASSPHRASE"] = "test"
//	env["PULUMI_SKIP_UPDATE_CHECK"] = "true"
//	env["PULUMI_IGNORE_AMBIENT_PLUGINS"] = "true"
//	stack, err := auto.NewStackInlineSource(ctx, "dev", "myplatform", program,
//		auto.Project(workspace.Project{Name: "myplatform", Runtime: workspace.NewProjectRuntimeInfo("go", nil),
//			Backend: &workspace.ProjectBackend{URL: "file://" + dir}}),
//		auto.SecretsProvider("passphrase"), auto.PulumiHome(home), auto.EnvVars(env))
//	res, err := stack.Up(ctx)
//	cluster, ok := sim.Get(res.Outputs["clusterId"].Value.(string))
//
// One simulator serves any number of stacks and runs; the engine's Cancel
// after each run does not stop it. Inspect the simulated Azure with
// Resources and Get, cause drift with DeleteOutOfBand and PatchOutOfBand (a
// JSON merge patch, as `az aks update` or the portal would change a
// resource), and measure with Calls, CallCount and Operations (every ARM
// call with its start and end, for the critical path of a deployment).
//
// The plugin binary in cmd/pulumi-resource-azure-native is the same
// simulator for the engine to start itself (a project's plugins.providers
// path, or `pulumi plugin install resource azure-native v2.88.0 --file`); it
// reads its options from AKS_CILIUM_SIMULATOR_STATE, _LATENCY and _FAULTS.
//
// # Latency and faults
//
// Options.Latency delays ARM calls per type and operation (OpKey; an empty
// Type or Op is a wildcard, the most specific entry wins), for example
// {Type: "ManagedCluster", Op: OpCreate}: 300 * time.Millisecond. Waits end
// when the engine cancels the request or the simulator stops.
//
// Options.Faults and InjectFault make matching calls fail: Fault{Type,
// Op, Kind, Times} with Kind FaultTooManyRequests (429),
// FaultAnotherOperationInProgress (409), FaultInternalServerError (500) or
// FaultTimeout. Like azure-native, 429, 5xx and 409 AnotherOperationInProgress
// are retried (Options.Retry.MaxRetries times, default 3, with a short
// doubling backoff, default 10ms) and fail the operation only when the
// retries are used up; a timeout lets ARM accept and finish a write and then
// fails the call, as a partial failure that the engine records as created
// (or updated) with an initialization error. Every attempt counts as a call
// in Calls, so a test can assert that a throttled create took three calls.
// An AKS write without a latency entry takes DefaultAKSOperationTime, so
// overlapping cluster and pool operations meet OperationNotAllowed in every
// test.
//
// # The state file
//
// With Options.StateFile the simulated Azure is a JSON file (mode 0600,
// folder 0700) read before every operation and rewritten atomically (a
// temporary file renamed over it) after every change, under a lock shared
// by all gRPC calls of the process. Separate processes on the same file see
// one Azure: the preview, up and destroy of a CLI demo run in turn, or a
// test that kills a child process mid-update and resumes in another, or two
// processes deploying at once (two CI runners). Each change is a
// read-modify-write under a file lock (flock on <file>.lock), so two
// processes writing at the same instant lose none of each other's changes.
// Removing the file empties the simulated Azure. It holds request
// bodies as Azure would, so a secret input would be stored in plain text: do
// not feed real secrets to a simulated stack.
//
// Calls, operations and faults live in memory only, per process.
package azuresim
