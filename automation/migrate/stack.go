package migrate

import (
	"context"

	"github.com/aks-cilium/aks-cilium/automation"
)

// ApplyToStack applies an in-place migration plan (Client.Plan) through ARM
// and then refreshes the Pulumi stack with the Engine, so its state records
// the cluster's new network profile. azure-native v2.88.0 replaces a
// ManagedCluster on an update under networkProfile, so the safe order is:
// ApplyToStack, then change the spec (or program) to the new data plane; the
// next preview plans no replacement, because the program and the refreshed
// state agree. An AfterUpdate hook in opts runs after the refresh.
func ApplyToStack(ctx context.Context, eng *automation.Engine, stack string, client *Client, plan *Plan, opts ApplyOptions) (*Result, error) {
	after := opts.AfterUpdate
	opts.AfterUpdate = func(ctx context.Context) error {
		if _, err := eng.Refresh(ctx, stack, automation.RefreshOptions{}); err != nil {
			return err
		}
		if after != nil {
			return after(ctx)
		}
		return nil
	}
	return client.Apply(ctx, plan, opts)
}
