package automation

import (
	"context"

	"github.com/aks-cilium/aks-cilium/automation/migrate"
)

// Migrate applies an in-place migration plan (migrate.Client.Plan) through
// ARM and then refreshes the stack, so its state records the cluster's new
// network profile. azure-native v2.88.0 replaces a ManagedCluster on any
// change under networkProfile, so the safe order is: Migrate, then change
// the spec (or program) to the new data plane; the next preview plans no
// replacement, because the program and the refreshed state agree. An
// AfterUpdate hook in opts runs after the refresh.
func (e *Engine) Migrate(ctx context.Context, stack string, client *migrate.Client, plan *migrate.Plan, opts migrate.ApplyOptions) (*migrate.Result, error) {
	after := opts.AfterUpdate
	opts.AfterUpdate = func(ctx context.Context) error {
		if _, err := e.Refresh(ctx, stack); err != nil {
			return err
		}
		if after != nil {
			return after(ctx)
		}
		return nil
	}
	return client.Apply(ctx, plan, opts)
}
