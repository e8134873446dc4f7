// Command pulumi-resource-aks-cilium is the aks-cilium component provider
// plugin: it serves Platform, Network, Cluster and BaselinePolicies to every
// Pulumi language (TypeScript, Python, C#, YAML, Go) as multi-language
// components, through the Pulumi SDK's provider.ComponentMain (see package
// provider). Install it with
//
//	pulumi plugin install resource aks-cilium 0.1.0 --file pulumi-resource-aks-cilium
//
// or point a project at the folder holding it (Pulumi.yaml plugins.providers:
// name aks-cilium, path <folder>). `pulumi package get-schema` on the binary
// prints its schema and `pulumi package gen-sdk` writes SDKs from it.
package main

import (
	"fmt"
	"os"

	pulumiprovider "github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"

	"github.com/aks-cilium/aks-cilium/provider"
)

func main() {
	if err := pulumiprovider.ComponentMain(provider.Name, provider.Version, provider.Schema(), provider.Construct); err != nil {
		fmt.Fprintln(os.Stderr, "pulumi-resource-aks-cilium:", err)
		os.Exit(1)
	}
}
