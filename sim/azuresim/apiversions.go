package azuresim

// The two front ends speak different API versions of Microsoft.ContainerService:
// the gRPC provider is azure-native 2.88.0, whose ManagedCluster is API
// 2024-10-01, and ARMTransport is armcontainerservice/v8, API 2025-10-01.
// One stored resource serves both, so what only the newer version has must
// not reach azure-native:
//
//   - a GET with api-version 2024-10-01 does not return it (the older
//     version's schema has no such property; Microsoft's API guidelines
//     recommend that reading of an older version, microsoft/api-guidelines#393),
//     so Read strips it, and a refresh neither records it nor plans to
//     remove it;
//   - a PUT with api-version 2024-10-01 cannot carry it (azure-native builds
//     the body from that version's schema). Whether AKS then keeps the
//     newer value or resets it to its default is not documented; the
//     simulator takes the strict reading and resets it (the stored outputs
//     are computed from the PUT's body), so the library must re-apply it
//     after every Pulumi update of the cluster, which the automation Engine
//     does (automation/acns).
//
// A third version, 2026-01-01, is spoken by the raw managed-cluster
// requests of the ARM front end (arm2026.go): its ACNS properties
// (api2026Only) are hidden from azure-native here, and armcontainerservice
// v8 has no field for them, so a v8 GET drops them and a v8 PUT resets them
// on the same strict reading.
//
// newerThan20241001 lists those properties per type, as paths in the SDK
// shape.
var newerThan20241001 = map[string][][]string{
	TypeManagedCluster: {
		// security.advancedNetworkPolicies (None, FQDN, L7): API 2025-08-01
		// and later (specification/containerservice/resource-manager/
		// Microsoft.ContainerService/aks/stable/2025-08-01/managedClusters.json,
		// AdvancedNetworkingSecurity); absent from 2024-10-01.
		{"networkProfile", "advancedNetworking", "security", "advancedNetworkPolicies"},
		// and the API 2026-01-01 properties (arm2026.go).
		api2026Only[0], api2026Only[1],
	},
}

// asSeenByProvider returns outputs as API 2024-10-01 reports them: a copy
// without the properties of newer API versions.
func asSeenByProvider(token string, outputs map[string]any) map[string]any {
	paths := newerThan20241001[token]
	if len(paths) == 0 {
		return outputs
	}
	out := cloneMap(outputs)
	for _, path := range paths {
		m := out
		for _, k := range path[:len(path)-1] {
			next, ok := m[k].(map[string]any)
			if !ok {
				m = nil
				break
			}
			m = next
		}
		if m != nil {
			delete(m, path[len(path)-1])
		}
	}
	return out
}
