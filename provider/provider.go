// Package provider serves the aks-cilium components to every Pulumi language
// as multi-language components: the plugin pulumi-resource-aks-cilium
// (cmd/pulumi-resource-aks-cilium) runs provider.ComponentMain from the
// Pulumi SDK with Name, Version, Schema and Construct.
//
// A TypeScript, Python, C#, YAML or Go program registers, say,
// aks-cilium:index:Platform; the engine calls Construct in the plugin, which
// decodes the inputs into the same Go types a Go program uses (spec.Cluster,
// components.PoliciesArgs, kubeconfig.Options) and calls the same
// constructor (components.NewPlatformWithArgs). The children (the Azure and
// Kubernetes resources) are registered with the engine like those of a Go
// program, so the resources, their URNs and the validation are the same in
// every language. An invalid spec fails Construct with the spec's field
// errors, all at once, before anything is registered.
//
// The schema (schema.json, embedded) is generated from the Go types and their
// doc comments by provider/schemagen; a test fails when it is out of date.
package provider

import (
	_ "embed" // the schema
	"fmt"
	"reflect"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	pulumiprovider "github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"

	"github.com/aks-cilium/aks-cilium/components"
	"github.com/aks-cilium/aks-cilium/components/spec"
)

// Name is the Pulumi package name: the plugin is pulumi-resource-<Name>.
const Name = "aks-cilium"

// Version is the plugin's and the schema's version. Install the plugin under
// it: `pulumi plugin install resource aks-cilium <Version> --file <binary>`.
const Version = "0.1.0"

//go:generate go run ./internal/genschema -o schema.json

//go:embed schema.json
var schema []byte

// Schema is the package schema the plugin serves (GetSchema), from which
// `pulumi package gen-sdk` writes the SDKs.
func Schema() []byte { return schema }

// Component is one multi-language component: its type token, the Go type of
// its inputs and the component struct whose pulumi-tagged fields are its
// outputs.
type Component struct {
	// Token is the type token, the one the Go component registers.
	Token string
	// Inputs is the inputs struct type (PlatformInputs, ...).
	Inputs reflect.Type
	// Outputs is the component struct type (components.Platform, ...).
	Outputs reflect.Type
	// Secrets names the outputs that are always secret.
	Secrets []string
	// construct decodes the inputs and calls the Go constructor.
	construct func(ctx *pulumi.Context, name string, inputs pulumiprovider.ConstructInputs, opts ...pulumi.ResourceOption) (pulumi.ComponentResource, error)
}

// Components are the components the plugin serves, in schema order.
var Components = []Component{
	component(components.PlatformType, []string{spec.OutputKubeconfig},
		func(ctx *pulumi.Context, name string, in PlatformInputs, opts ...pulumi.ResourceOption) (*components.Platform, error) {
			return components.NewPlatformWithArgs(ctx, name, components.PlatformArgs{
				Spec: in.Cluster, Kubelogin: in.Kubelogin, Policies: in.Policies,
			}, opts...)
		}),
	component(components.NetworkType, nil,
		func(ctx *pulumi.Context, name string, in NetworkInputs, opts ...pulumi.ResourceOption) (*components.Network, error) {
			return components.NewNetwork(ctx, name, in.Cluster, opts...)
		}),
	component(components.ClusterType, []string{spec.OutputKubeconfig},
		func(ctx *pulumi.Context, name string, in ClusterInputs, opts ...pulumi.ResourceOption) (*components.Cluster, error) {
			return components.NewCluster(ctx, name, components.ClusterArgs{
				Spec:                    in.Cluster,
				ResourceGroupName:       in.ResourceGroupName,
				NodeSubnetID:            in.NodeSubnetID,
				PodSubnetIDs:            in.PodSubnetIDs,
				Kubelogin:               in.Kubelogin,
				LogAnalyticsWorkspaceID: in.LogAnalyticsWorkspaceID,
			}, opts...)
		}),
	component(components.BaselinePoliciesType, nil,
		func(ctx *pulumi.Context, name string, in BaselinePoliciesInputs, opts ...pulumi.ResourceOption) (*components.BaselinePolicies, error) {
			return components.NewBaselinePolicies(ctx, name, components.BaselinePoliciesArgs{
				Config:           in.Config,
				CreateNamespaces: in.CreateNamespaces,
			}, opts...)
		}),
}

// component ties a token to a typed constructor: I is the inputs struct, R
// the component struct.
func component[I any, R pulumi.ComponentResource](token string, secrets []string,
	newR func(ctx *pulumi.Context, name string, in I, opts ...pulumi.ResourceOption) (R, error),
) Component {
	return Component{
		Token:   token,
		Inputs:  reflect.TypeFor[I](),
		Outputs: reflect.TypeFor[R]().Elem(),
		Secrets: secrets,
		construct: func(ctx *pulumi.Context, name string, inputs pulumiprovider.ConstructInputs, opts ...pulumi.ResourceOption) (pulumi.ComponentResource, error) {
			var in I
			if err := decodeInputs(inputs, &in); err != nil {
				return nil, fmt.Errorf("aks-cilium: %s: nothing was deployed: %w", name, err)
			}
			return newR(ctx, name, in, opts...)
		},
	}
}

// Construct is the plugin's pulumiprovider.ConstructFunc: it builds the
// component of type typ. Errors (an invalid spec above all) fail the
// program's registration of the component, and nothing of it is created.
func Construct(ctx *pulumi.Context, typ, name string, inputs pulumiprovider.ConstructInputs,
	options pulumi.ResourceOption,
) (*pulumiprovider.ConstructResult, error) {
	for _, c := range Components {
		if c.Token != typ {
			continue
		}
		r, err := c.construct(ctx, name, inputs, options)
		if err != nil {
			return nil, err
		}
		return pulumiprovider.NewConstructResult(r)
	}
	return nil, fmt.Errorf("aks-cilium: unknown component type %q; this plugin (v%s) serves %s", typ, Version, tokens())
}

func tokens() []string {
	out := make([]string, len(Components))
	for i, c := range Components {
		out[i] = c.Token
	}
	return out
}
