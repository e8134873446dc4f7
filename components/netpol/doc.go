// Package netpol writes, checks and evaluates network policies for AKS
// clusters running Azure CNI powered by Cilium. It is pure Go (no Pulumi)
// so that platforms can build and analyse policies in microseconds.
//
// One concern per file:
//
//   - build.go, config.go: Build turns a Config into a Baseline of
//     Kubernetes NetworkPolicies (default deny, DNS to kube-dns, same
//     namespace, internet egress, the AKS guide's two examples, ingress
//     controller and monitoring allowances) and, with ACNS security on,
//     CiliumNetworkPolicies for FQDN egress and L7 HTTP rules. Config.Validate
//     reports every problem at once with field paths.
//   - cilium.go: a small hand-written subset of the cilium.io/v2
//     CiliumNetworkPolicy types with Cilium's JSON field names. Importing
//     github.com/cilium/cilium for them would weigh on every user.
//   - lint.go: Lint finds policies that behave differently under Cilium than
//     they read: ipBlocks covering pod or node addresses (Cilium never
//     matches them), egress rules ignored for want of policyTypes, toFQDNs
//     combined with other peers, named ports, endPort on old Cilium.
//   - eval.go, index.go: Evaluator answers "may this pod reach that one on
//     this port" with Kubernetes NetworkPolicy semantics plus Cilium's
//     ipBlock rule, with reasons, and computes whole reachability matrices
//     with precomputed selections and bitsets. It is hand-written because
//     the libraries that evaluate policies either give ipBlock plain
//     Kubernetes semantics or carry heavy dependency trees; the tests check
//     it against np-guard's netpol-analyzer, which models ipBlock as Cilium
//     does.
//   - render.go: Render writes one YAML file per object.
//
// Baseline.Objects returns every object as unstructured, in stable order,
// for appliers such as the Pulumi component.
package netpol
