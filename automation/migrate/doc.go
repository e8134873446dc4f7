// Package migrate moves an existing AKS cluster with Azure CNI to the Cilium
// data plane in place, without replacing it, and switches Advanced Container
// Networking Services (ACNS) on or off the same way. It is the Go equivalent
// of
//
//	az aks update -g <rg> -n <cluster> --network-dataplane cilium --network-policy cilium
//	az aks update -g <rg> -n <cluster> --enable-acns          (or --disable-acns)
//
// with a pre-flight that reports every blocker at once, and a hook to bring
// the Pulumi stack along.
//
// # Why not just change the Pulumi program
//
// With azure-native v2.88.0, a changed value under a ManagedCluster's
// networkProfile (the data plane, the network policy, an ACNS switch that
// was set before) plans a replacement of the whole cluster
// (pulumi/pulumi-azure-native#4756; its diff promotes nested updates, not
// nested adds or deletes): every workload and everything stored in it would
// start over. The Cluster component leaves advancedNetworking to ARM after
// the create (components.ACNSIgnorePath), and the automation Engine makes
// ACNS switches through automation/acns; the ACNS change here is the same
// switch for a cluster outside the Engine. The automation package refuses such a preview. The
// safe path is:
//
//  1. Plan: read the live cluster and check it (this package).
//  2. Apply: update the cluster in place through ARM (this package).
//  3. Refresh the stack, so its state records networkDataplane cilium and
//     networkPolicy cilium. ApplyToStack does steps 2 and 3 with an
//     automation Engine; Client.Apply alone calls ApplyOptions.AfterUpdate
//     for it.
//  4. Change the stack's cluster spec to the same values.
//  5. Preview: state, program and cluster agree, so no replacement is
//     planned; up as usual.
//
// Steps 3 and 4 both come before the next up. A refreshed stack whose
// program still says "azure" plans a replacement back to the old data
// plane; the automation package's guardrail refuses it, and the fix is
// step 4, never AllowReplace.
//
// # Use
//
//	client, err := migrate.NewClient(migrate.ClientOptions{}) // DefaultAzureCredential
//	plan, err := client.Plan(ctx, subscriptionID, "rg-prod", "aks-prod", migrate.PlanOptions{
//		Policies:    clientset.NetworkingV1().NetworkPolicies(metav1.NamespaceAll),
//		SubnetCIDRs: map[string][]string{nodeSubnetID: {"10.10.0.0/22"}},
//	})
//	fmt.Print(plan.Human()) // or plan.JSON() for a CI gate
//	if plan.Blocked() {
//		return
//	}
//	res, err := migrate.ApplyToStack(ctx, engine, "prod", client, plan, migrate.ApplyOptions{
//		Timeout:  3 * time.Hour,
//		Progress: func(e migrate.Event) { log.Print(e) },
//	})
//
// Plan and Apply are methods of Client because Plan is also the name of the
// result type. The zero PlanOptions.Change is the Cilium data plane;
// Change{ACNS: &ACNS{...}} plans an ACNS switch instead (or as well).
//
// # What Plan checks
//
// Blockers (Apply refuses the plan): networkPlugin kubenet ("must move to
// Azure CNI overlay first", with the az command that does it),
// networkPlugin none (bring your own CNI), Windows node pools (named), node
// auto-provisioning, a cluster or pool mid-operation, a Failed or stopped
// cluster, NetworkPolicy lint findings of severity error (unless
// PlanOptions.AcceptPolicyFindings), and ACNS security without Cilium.
//
// Warnings: components/netpol's lint of the cluster's NetworkPolicies
// against its pod CIDR, pod subnets and node subnets (an ipBlock that covers
// pod or node addresses never matches them under Cilium), the Azure NPM to
// Cilium differences, Calico's own policies no longer enforced,
// NetworkPolicies that start being enforced on a cluster without a policy
// engine, subnets whose ranges are unknown, ACNS cost.
//
// A cluster already at the target gives a NoOp plan, not an error. The plan
// also lists the impact (every pool reimaged, with node counts and max
// surge; NPM or Calico removed; kube-proxy removed; the IP mode kept) and
// the next steps. An excerpt of Plan.Human:
//
//	Migration plan for AKS cluster aks-prod
//	  resource group rg-prod, subscription 00000000-0000-0000-0000-000000000001, westeurope
//	  Kubernetes 1.32.4 (Cilium 1.17.9 or later), provisioningState Succeeded
//
//	Change:   networkDataplane azure -> cilium
//	          networkPolicy    azure -> cilium
//	IP mode:  overlay (pod CIDR 192.168.0.0/16), unchanged by the update
//	Pools:    system       System Linux     3 nodes  max surge 10%
//	          win1         User   Windows   2 nodes  max surge 10%
//
//	Verdict:  BLOCKED by 2 blocker(s): nothing will be changed
//
//	Blockers:
//	  [WindowsPool] Windows node pools are not supported with Azure CNI powered by Cilium: win1
//	      fix: move their workloads to Linux pools and delete them (az aks nodepool delete -g rg-prod --cluster-name aks-prod -n <pool>), then plan again
//	  [PolicyLintErrors] 1 policy finding(s) of severity error: the policies do not do what they say under Cilium
//	      fix: fix the policies (see the findings), or set PlanOptions.AcceptPolicyFindings to go ahead anyway
//
//	Policy findings: 3 NetworkPolicies checked, 1 error(s), 2 warning(s), 0 info
//	  CIL001 warning shop/allow-from-pods spec.ingress[0].from[0].ipBlock.cidr
//	      ipBlock 192.168.0.0/16 covers pod addresses (192.168.0.0/16), entirely: under Cilium ipBlock peers never match pods, so pod traffic is not allowed by it
//	      fix: select pods with namespaceSelector/podSelector; if only external addresses are meant, add 192.168.0.0/16 to except
//
//	Impact:
//	  - every node pool is reimaged, node by node like a node image upgrade: 8 nodes in 2 pools: ...
//	  - Azure Network Policy Manager (NPM) is removed; Cilium enforces the NetworkPolicies
//	  - kube-proxy is removed: Cilium's eBPF data plane serves Services from then on
//	  - the pod IP mode stays overlay: the update cannot change it
//
//	Azure CLI equivalent:
//	  az aks update -g rg-prod -n aks-prod --network-dataplane cilium --network-policy cilium
//
// # What Apply does
//
// Apply reads the cluster again, refuses if it changed since the plan, sets
// networkProfile.networkDataplane and networkPolicy to cilium (ARM requires
// both) and/or networkProfile.advancedNetworking, and sends the cluster
// back as read (a PUT with If-Match on its ETag, as az aks update does),
// then polls the long-running operation. Its progress, one Event per step:
//
//	[0s] read: reading cluster aks-prod in rg-prod
//	[1s] submit: updating aks-prod: networkDataplane cilium and networkPolicy cilium
//	[2s] submit: ARM accepted the update; AKS now reimages every node pool (Accepted)
//	[17s] poll: poll 1 (InProgress)
//	...
//	[41m3s] poll: poll 164 (Succeeded)
//	[41m3s] done: the cluster has networkDataplane cilium and networkPolicy cilium after 164 poll(s) (Succeeded)
//	[41m3s] afterUpdate: running AfterUpdate (refresh the stack)
//
// Errors are typed (errors.go): BlockedError, StalePlanError, ConflictError
// (409 OperationNotAllowed or AnotherOperationInProgress, 412, or an
// operation already running), ThrottledError (429 after the SDK's retries),
// OperationFailedError (the operation ended Failed, with ARM's code and
// message), InterruptedError (deadline or cancel; if the update had been
// submitted it continues in Azure) and AfterUpdateError (the cluster was
// updated, the refresh failed: run it again). Apply is safe to rerun: a
// cluster already at the target is not updated again, only refreshed; after
// a failed operation, plan again: the plan says it will resubmit, and Apply
// sends the same values again, which is how AKS retries. A plan kept as
// JSON (json.Marshal or Plan.JSON, for an approval step in CI) decodes back
// into a Plan that Apply takes; Apply re-reads the cluster either way.
//
// # Azure SDK and testing seam
//
// The client is armcontainerservice/v8 (API version 2025-10-01, which has
// networkDataplane, advancedNetworking and its L7 level; the project's one
// version of the ARM SDK) with azidentity's DefaultAzureCredential unless
// ClientOptions.Credential says otherwise. Plan reads
// nodeProvisioningProfile.mode from the raw response (from before the SDK
// typed it), so it hears ARM whatever the SDK's model. The PUT body is the
// cluster as read through that API version: properties newer than it are
// neither read nor sent.
//
// Everything goes through ClientOptions.ARM (an arm.ClientOptions), so a
// test or a local stand-in of ARM plugs in there: the SDK's fake servers
// (armcontainerservice/fake.NewServerFactoryTransport) as this package's
// tests do, or an HTTP simulator reached through a custom cloud
// configuration with InsecureAllowCredentialWithHTTP.
package migrate
