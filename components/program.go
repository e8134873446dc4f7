package components

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aks-cilium/aks-cilium/components/kubeconfig"
	"github.com/aks-cilium/aks-cilium/components/spec"
)

// StackPlatformName is the Pulumi name of the Platform a stack program
// deploys; fixed, so URNs do not move when the cluster is renamed.
const StackPlatformName = "platform"

// StackProgram is the Pulumi program of a Platform stack: it reads the spec
// from the stack config (spec.ConfigCluster), deploys it with NewPlatformWithArgs
// and exports the platform's outputs (the kubeconfig as a secret). The root
// project (stacks/) and the automation package both run it, so a stack
// deployed by either is the same.
func StackProgram(ctx *pulumi.Context) error {
	args, err := PlatformArgsFromConfig(ctx)
	if err != nil {
		return err
	}
	p, err := NewPlatformWithArgs(ctx, StackPlatformName, args)
	if err != nil {
		return err
	}
	for name, value := range p.Outputs() {
		ctx.Export(name, value)
	}
	return nil
}

// PlatformArgsFromConfig reads the stack configuration. Structured config
// values reach the program as JSON, which spec.DecodeJSON reads strictly.
func PlatformArgsFromConfig(ctx *pulumi.Context) (PlatformArgs, error) {
	raw, ok := ctx.GetConfig(spec.ConfigCluster)
	if !ok || raw == "" {
		return PlatformArgs{}, errors.New("missing required configuration key " + spec.ConfigCluster +
			": set the cluster spec in Pulumi." + ctx.Stack() + ".yaml (see stacks/Pulumi.overlay.yaml)")
	}
	c, err := spec.DecodeJSON([]byte(raw))
	if err != nil {
		return PlatformArgs{}, fmt.Errorf("configuration key %s: %w", spec.ConfigCluster, err)
	}
	mode, _ := ctx.GetConfig(spec.ConfigKubeloginMode)
	login, err := kubeconfig.ParseLoginMode(mode)
	if err != nil {
		return PlatformArgs{}, fmt.Errorf("configuration key %s: %w", spec.ConfigKubeloginMode, err)
	}
	clientID, _ := ctx.GetConfig(spec.ConfigKubeloginClientID)
	args := PlatformArgs{Spec: c, Kubelogin: kubeconfig.Options{Login: login, ClientID: clientID}}
	if raw, ok := ctx.GetConfig(spec.ConfigPolicies); ok && raw != "" {
		p, err := DecodePolicies([]byte(raw))
		if err != nil {
			return PlatformArgs{}, fmt.Errorf("configuration key %s: %w", spec.ConfigPolicies, err)
		}
		args.Policies = p
	}
	return args, nil
}
