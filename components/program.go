package components

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/aks-cilium/aks-cilium/components/kubeconfig"
	"github.com/aks-cilium/aks-cilium/components/spec"
)

// Configuration keys of a Platform stack (project "aks-cilium").
const (
	// ConfigCluster holds the cluster spec as a structured object.
	ConfigCluster = "aks-cilium:cluster"
	// ConfigKubeloginMode chooses the kubeconfig's non-interactive login:
	// azurecli (default), workloadidentity, spn or msi.
	ConfigKubeloginMode = "aks-cilium:kubeloginMode"
	// ConfigKubeloginClientID is the client ID for the spn, msi or
	// workloadidentity login.
	ConfigKubeloginClientID = "aks-cilium:kubeloginClientId"
	// ConfigPolicies holds the baseline network policies (PoliciesArgs) as
	// a structured object; optional.
	ConfigPolicies = "aks-cilium:policies"
)

// StackPlatformName is the Pulumi name of the Platform a stack program
// deploys; fixed, so URNs do not move when the cluster is renamed.
const StackPlatformName = "platform"

// StackProgram is the Pulumi program of a Platform stack: it reads the spec
// from the stack config (ConfigCluster), deploys it with NewPlatformWithArgs
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
	raw, ok := ctx.GetConfig(ConfigCluster)
	if !ok || raw == "" {
		return PlatformArgs{}, errors.New("missing required configuration key " + ConfigCluster +
			": set the cluster spec in Pulumi." + ctx.Stack() + ".yaml (see stacks/Pulumi.overlay.yaml)")
	}
	c, err := spec.DecodeJSON([]byte(raw))
	if err != nil {
		return PlatformArgs{}, fmt.Errorf("configuration key %s: %w", ConfigCluster, err)
	}
	mode, _ := ctx.GetConfig(ConfigKubeloginMode)
	login, err := kubeconfig.ParseLoginMode(mode)
	if err != nil {
		return PlatformArgs{}, fmt.Errorf("configuration key %s: %w", ConfigKubeloginMode, err)
	}
	clientID, _ := ctx.GetConfig(ConfigKubeloginClientID)
	args := PlatformArgs{Spec: c, Kubelogin: kubeconfig.Options{Login: login, ClientID: clientID}}
	if raw, ok := ctx.GetConfig(ConfigPolicies); ok && raw != "" {
		var p PoliciesArgs
		dec := json.NewDecoder(strings.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			return PlatformArgs{}, fmt.Errorf("configuration key %s: %w", ConfigPolicies, err)
		}
		args.Policies = &p
	}
	return args, nil
}
