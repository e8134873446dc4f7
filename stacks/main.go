// Command stacks is the root Pulumi program of this repository (Pulumi.yaml,
// main: ./stacks). Each stack deploys one AKS cluster with Azure CNI powered
// by Cilium from its Pulumi.<stack>.yaml:
//
//	config:
//	  aks-cilium:cluster:          # the spec.Cluster, structured YAML
//	    name: aks-prod
//	    ...
//	  aks-cilium:kubeloginMode: azurecli   # optional: azurecli (default),
//	                                       # workloadidentity, spn or msi
//	  aks-cilium:kubeloginClientId: ...    # optional: the spn / msi / federated identity
//
// The spec is decoded strictly (an unknown key is an error), defaulted and
// validated before anything is registered. The outputs are the platform's,
// with the kubeconfig as a secret.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aks-cilium/aks-cilium/components"
)

// program is components.StackProgram: the automation package runs the very
// same program, so a stack deployed by either is the same.
var program = components.StackProgram

func main() {
	pulumi.Run(program)
}
