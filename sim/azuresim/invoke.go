package azuresim

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// The function tokens the simulator answers, exactly as the azure-native Go
// SDK v2.88.0 invokes them.
const (
	// FuncListManagedClusterUserCredentials returns a cluster's user
	// kubeconfig (containerservice/v20241001 ListManagedClusterUserCredentials).
	FuncListManagedClusterUserCredentials = "azure-native:containerservice/v20241001:listManagedClusterUserCredentials"
	// FuncGetClientConfig returns the signed-in identity (authorization
	// GetClientConfig). The SDK never invokes it implicitly; programs may.
	FuncGetClientConfig = "azure-native:authorization:getClientConfig"
)

// function is one simulated invoke: it gets the arguments (plain values)
// and returns the result, secrets marked.
type function func(ctx context.Context, s *Simulator, args map[string]any) (resource.PropertyMap, error)

var functions = map[string]function{
	FuncListManagedClusterUserCredentials: listUserCredentials,
	FuncGetClientConfig:                   getClientConfig,
}

// SimulatedFunctions lists the function tokens the simulator answers.
func SimulatedFunctions() []string {
	return sortedKeys(functions)
}

func lookupFunction(token string) (function, error) {
	if f, ok := functions[token]; ok {
		return f, nil
	}
	return nil, fmt.Errorf("azure-native (simulated): function %q is not simulated; the simulator answers %s",
		token, strings.Join(SimulatedFunctions(), ", "))
}

// listUserCredentials is AKS's listClusterUserCredential: the exec-format
// kubeconfig of an Entra ID cluster, base64 in kubeconfigs[0].value, which
// is secret. A cluster that does not exist is ARM's 404.
func listUserCredentials(ctx context.Context, s *Simulator, args map[string]any) (resource.PropertyMap, error) {
	spec := resourceTypes[TypeManagedCluster]
	id, err := buildID(spec.path, s.subscriptionID(), args)
	if err != nil {
		return nil, err
	}
	var kubeconfig []byte
	_, err = s.armCall(ctx, OpInvoke, FuncListManagedClusterUserCredentials, id, "", func(st *store) (*Resource, error) {
		cluster := st.get(id)
		if cluster == nil {
			return nil, notFound(spec, id)
		}
		kubeconfig = s.userKubeconfig(cluster)
		return cluster, nil
	})
	if err != nil {
		return nil, err
	}
	value := resource.MakeSecret(resource.NewStringProperty(base64.StdEncoding.EncodeToString(kubeconfig)))
	return resource.PropertyMap{
		"kubeconfigs": resource.NewArrayProperty([]resource.PropertyValue{
			resource.NewObjectProperty(resource.PropertyMap{
				"name":  resource.NewStringProperty("clusterUser"),
				"value": value,
			}),
		}),
	}, nil
}

// getClientConfig answers with the simulated identity.
func getClientConfig(ctx context.Context, s *Simulator, _ map[string]any) (resource.PropertyMap, error) {
	_, err := s.armCall(ctx, OpInvoke, FuncGetClientConfig, FuncGetClientConfig, "", func(*store) (*Resource, error) {
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	return resource.PropertyMap{
		"clientId":       resource.NewStringProperty(guid("client", s.tenantID())),
		"objectId":       resource.NewStringProperty(guid("object", s.tenantID())),
		"subscriptionId": resource.NewStringProperty(s.subscriptionID()),
		"tenantId":       resource.NewStringProperty(s.tenantID()),
	}, nil
}

// notFound is ARM's answer for a resource that does not exist.
func notFound(t *typeSpec, id string) *ARMError {
	return armError(404, "ResourceNotFound",
		"The Resource '%s/%s' under resource group '%s' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix",
		armResourceType(t), lastSegment(id), resourceGroupName(id))
}

// armResourceType is the provider-namespaced type ARM quotes in messages
// (Microsoft.ContainerService/managedClusters).
func armResourceType(t *typeSpec) string {
	parts := strings.Split(t.path, "/providers/")
	if len(parts) < 2 {
		return t.armType
	}
	segs := strings.Split(parts[1], "/")
	out := []string{segs[0]}
	for i := 1; i < len(segs); i += 2 {
		out = append(out, segs[i])
	}
	return strings.Join(out, "/")
}
