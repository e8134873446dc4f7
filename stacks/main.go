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
	"errors"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aks-cilium/aks-cilium/components"
	"github.com/aks-cilium/aks-cilium/components/kubeconfig"
	"github.com/aks-cilium/aks-cilium/components/spec"
)

// Configuration keys of the project "aks-cilium".
const (
	// ConfigCluster holds the cluster spec as a structured object.
	ConfigCluster = "aks-cilium:cluster"
	// ConfigKubeloginMode chooses the kubeconfig's non-interactive login.
	ConfigKubeloginMode = "aks-cilium:kubeloginMode"
	// ConfigKubeloginClientID is the client ID for the spn, msi or
	// workloadidentity login.
	ConfigKubeloginClientID = "aks-cilium:kubeloginClientId"
)

func main() {
	pulumi.Run(program)
}

// program deploys the stack's cluster.
func program(ctx *pulumi.Context) error {
	args, err := platformArgs(ctx)
	if err != nil {
		return err
	}
	p, err := components.NewPlatformWithArgs(ctx, "platform", args)
	if err != nil {
		return err
	}
	for name, value := range p.Outputs() {
		ctx.Export(name, value)
	}
	return nil
}

// platformArgs reads the stack configuration. Structured config values reach
// the program as JSON, which spec.DecodeJSON reads strictly.
func platformArgs(ctx *pulumi.Context) (components.PlatformArgs, error) {
	raw, ok := ctx.GetConfig(ConfigCluster)
	if !ok || raw == "" {
		return components.PlatformArgs{}, errors.New("missing required configuration key " + ConfigCluster +
			": set the cluster spec in Pulumi." + ctx.Stack() + ".yaml (see stacks/Pulumi.overlay.yaml)")
	}
	c, err := spec.DecodeJSON([]byte(raw))
	if err != nil {
		return components.PlatformArgs{}, fmt.Errorf("configuration key %s: %w", ConfigCluster, err)
	}
	mode, _ := ctx.GetConfig(ConfigKubeloginMode)
	login, err := kubeconfig.ParseLoginMode(mode)
	if err != nil {
		return components.PlatformArgs{}, fmt.Errorf("configuration key %s: %w", ConfigKubeloginMode, err)
	}
	clientID, _ := ctx.GetConfig(ConfigKubeloginClientID)
	return components.PlatformArgs{
		Spec:      c,
		Kubelogin: kubeconfig.Options{Login: login, ClientID: clientID},
	}, nil
}
