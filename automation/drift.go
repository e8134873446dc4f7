package automation

import (
	"context"

	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"

	"github.com/aks-cilium/aks-cilium/automation/result"
	"github.com/aks-cilium/aks-cilium/components/spec"
)

// DriftOptions control Drift. The zero value is the default; fields may be
// added without breaking callers.
type DriftOptions struct{}

// Drift checks a stack against Azure and changes neither: a preview that
// refreshes first, in memory (`pulumi preview --refresh`: the refreshed
// state is not written; the stack's state stays byte for byte as it was).
// The result (Kind result.KindDrift) names in Drift every resource that was
// changed or deleted outside Pulumi, with the properties that differ (the
// state's value, then Azure's), and in Steps what an Up of the spec c with
// UpOptions.Refresh would do now to bring Azure back to it (with any change
// of the spec itself; a plain Up compares with the state only and leaves
// drift as it is).
// One pulumi process; the spec is validated first, as for Preview, and
// written to the stack's settings.
//
// A resource created outside Pulumi is not in the state, so a refresh does
// not find it; nor does Drift.
func (e *Engine) Drift(ctx context.Context, stack string, c spec.Cluster, _ DriftOptions) (*result.Result, error) {
	st, err := e.prepare(ctx, stack, &c)
	if err != nil {
		return nil, err
	}
	r, err := e.preview(ctx, st, "drift check (preview --refresh, nothing written)", optpreview.Refresh())
	if err != nil {
		return nil, err
	}
	r.Kind = result.KindDrift
	return withUpgrades(r, c), nil
}
