package automation

import (
	"context"
	"fmt"

	"github.com/aks-cilium/aks-cilium/automation/verify"
)

// Verify runs the post-deploy checks (package verify) against a deployed
// stack's cluster: it reads the stack's kubeconfig output (a secret, kept
// masked everywhere) and, unless opts sets one, takes the expected minimum
// Cilium version from the minCiliumVersion output. The kubeconfig logs in
// with kubelogin, so the machine needs kubelogin and an Azure login that
// can read the cluster.
func (e *Engine) Verify(ctx context.Context, stack string, opts verify.Options) (*verify.Report, error) {
	outs, err := e.rawOutputs(ctx, stack) // one read for both outputs
	if err != nil {
		return nil, err
	}
	kubeconfig, err := secretString(stack, outs, "kubeconfig")
	if err != nil {
		return nil, err
	}
	e.addSecret(kubeconfig)
	cfg, err := verify.RESTConfigFromKubeconfig([]byte(kubeconfig))
	if err != nil {
		return nil, fmt.Errorf("stack %s: %s", stack, e.mask(err.Error()))
	}
	if v, ok := outs["minCiliumVersion"].Value.(string); ok && opts.MinCiliumVersion == "" {
		opts.MinCiliumVersion = v
	}
	return verify.Run(ctx, cfg, opts)
}
