// Package kubesim is a SIMULATED AKS API server for Pulumi programs: a
// stand-in for the kubernetes provider (package "kubernetes", version
// 4.32.0) that the real Pulumi engine talks to over the provider gRPC
// protocol, and that applies every object to a REAL kube-apiserver running
// locally (sim/apiserver's, or any envtest server) instead of the AKS
// cluster the program's kubeconfig names.
//
// It is the Kubernetes half of aks-cilium's simulator: sim/azuresim
// stands in for azure-native (the resource group, VNet, cluster and
// kubeconfig), kubesim for the objects inside the cluster (namespaces,
// NetworkPolicies, CiliumNetworkPolicies). Together they run the whole
// Platform, policies included, through the real CLI and engine with no
// Azure and no cluster.
//
// # What is simulated, and what is real
//
// The API server is real: objects are stored in etcd, validated by the
// server (built-in types by their validation, custom resources by their CRD
// schema: a malformed CiliumNetworkPolicy fails the update with Cilium's
// schema error), defaulted and versioned by it, and read back as they are.
// Server-side apply also refuses a field the schema does not declare (a
// misspelt toFQDN fails with ".spec.egress[0].toFQDN: field not declared in
// schema"), as it does for the real provider in its default apply mode.
//
// What is not there: nodes, kubelets, a controller manager, Cilium. Nothing
// runs and nothing is enforced: a NetworkPolicy is stored, not applied to
// traffic (components/netpol's evaluator answers what it allows). The
// provider configuration (the simulated cluster's kubeconfig, which points
// at an FQDN that does not exist) is ignored in favour of Options.Config;
// Configure says so once in Logf and as an info diagnostic in every run:
// "simulated: kubernetes objects are applied to the local API server at
// <host> ...". The kubeconfig is secret and is never logged.
//
// The provider behaves like pulumi-kubernetes 4.32.0 in server-side apply
// mode, for what the engine sees:
//
//   - Check returns the inputs; apiVersion and kind come from the type token
//     when missing; a missing metadata.name becomes "<resource name>-<8
//     hex>" (annotated pulumi.com/autonamed, kept on later updates), or the
//     engine's proposed name under an autonaming configuration.
//   - Diff compares the old inputs (not the live object) with the new ones.
//     A change of apiVersion, kind, metadata.name or metadata.namespace
//     replaces the object (deleting it first when the replacement has the
//     same namespace and name); anything else updates it. The detailed diff
//     names every changed leaf, so previews show property diffs.
//   - Create and Update server-side apply the inputs (field manager
//     "pulumi-kubernetes", forced) through the dynamic client, the resource
//     found by discovery (a CRD installed later is found on a retry). The
//     outputs are the live object with its status (without managedFields);
//     the ID is "namespace/name", or "name" for a cluster-scoped kind; a
//     namespaced object without a namespace goes to "default". Previews
//     return the inputs and touch nothing. There is no await logic (nothing
//     would ever become ready without nodes).
//   - Read gets the live object; a missing one answers an empty ID so a
//     refresh drops it. The refreshed inputs are the live values in the
//     shape of the old inputs, so drift shows in the next preview.
//   - Delete deletes with foreground propagation and waits (up to
//     Options.DeleteTimeout) until the object is gone; not found is success.
//   - An error of the API server (validation, schema, conflict, a missing
//     namespace) fails the resource with the server's message.
//
// # Deletion on a bare API server
//
// sim/apiserver and envtest run kube-apiserver and etcd only: no
// garbage collector and no namespace controller. A foreground deletion
// there would wait forever for the garbage collector, and a deleted
// namespace stays Terminating forever. So kubesim looks once for the
// controller manager's leader-election lease (kube-system/
// kube-controller-manager); without one it deletes with background
// propagation (the object goes at once; it has no dependents to wait for
// here) and counts a Terminating namespace as deleted. What such a
// namespace still holds stays in etcd, and no new object can be created in
// it: give each test its own namespace names, or its own API server.
//
// # Testing your own platform
//
// With the automation Engine, automation/automationtest.New (in tests) or
// automation/simulated.Start does all of the wiring below in one call. For
// your own Automation API code, start a real API server (sim/apiserver, or
// sigs.k8s.io/controller-runtime/pkg/envtest with the CRDs your program
// applies, e.g. Cilium's), both simulators, and point the workspace at
// them through one PULUMI_DEBUG_PROVIDERS list:
//
//	azure := azuresim.New(azuresim.Options{})
//	azurePort, _ := azure.Start(ctx)
//	kube := kubesim.New(kubesim.Options{Config: restConfig})
//	_, _ = kube.Start(ctx)
//	defer azure.Stop(); defer kube.Stop()
//	env := map[string]string{
//		"PULUMI_DEBUG_PROVIDERS": kubesim.DebugProviders(
//			fmt.Sprintf("azure-native:%d", azurePort), kube.DebugProviderEntry()),
//		"PULUMI_SKIP_UPDATE_CHECK": "true", "PULUMI_IGNORE_AMBIENT_PLUGINS": "true",
//		"PULUMI_CONFIG_PASSPHRASE": "...",
//	}
//	stack, _ := auto.NewStackInlineSource(ctx, "dev", "platform", program,
//		auto.Project(...file backend...), auto.SecretsProvider("passphrase"),
//		auto.EnvVars(env))
//	stack.Up(ctx)
//
// then assert with client-go against the same rest.Config what the
// cluster now holds. The provider must be served through
// PULUMI_DEBUG_PROVIDERS (the engine needs Attach, which kubesim
// implements; Cancel, sent after every run, does not stop it), and the
// variable is one comma-separated list: setting it twice keeps only the
// last entry. e2e_test.go runs components.NewPlatformWithArgs this way.
package kubesim
