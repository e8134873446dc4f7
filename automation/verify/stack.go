package verify

import (
	"context"
	"errors"
	"fmt"

	"github.com/aks-cilium/aks-cilium/automation/result"
	"github.com/aks-cilium/aks-cilium/components/spec"
)

// StackOutputs reads a deployed stack's outputs. *automation.Engine is one;
// the interface keeps this package free of Pulumi.
type StackOutputs interface {
	// OutputsRevealing reads the outputs once, with the named secret
	// outputs in plaintext.
	OutputsRevealing(ctx context.Context, stack string, reveal ...string) (map[string]result.Output, error)
	// Mask hides every secret value the reader knows in s.
	Mask(s string) string
}

// Stack runs the checks against a deployed stack's cluster: it reads the
// stack's kubeconfig output (a secret, kept masked everywhere) and, unless
// opts sets one, takes the expected minimum Cilium version from the stack's
// minCiliumVersion output. The kubeconfig logs in with kubelogin, so the
// machine needs kubelogin and an Azure login that can read the cluster.
//
//	report, err := verify.Stack(ctx, engine, "prod", verify.Options{})
func Stack(ctx context.Context, outputs StackOutputs, stack string, opts Options) (*Report, error) {
	outs, err := outputs.OutputsRevealing(ctx, stack, spec.OutputKubeconfig)
	if err != nil {
		return nil, err
	}
	kubeconfig, _ := outs[spec.OutputKubeconfig].Value.(string)
	cfg, err := RESTConfigFromKubeconfig([]byte(kubeconfig))
	if err != nil {
		return nil, fmt.Errorf("stack %s: %s", stack, outputs.Mask(err.Error()))
	}
	if opts.MinCiliumVersion == "" {
		if v, ok := outs[spec.OutputMinCiliumVersion].Value.(string); ok {
			opts.MinCiliumVersion = v
		} else if _, present := outs[spec.OutputMinCiliumVersion]; present {
			return nil, errors.New("stack " + stack + ": output " + spec.OutputMinCiliumVersion + " is not a string")
		}
	}
	return Run(ctx, cfg, opts)
}
