package automation

import (
	"context"
	"sync"

	"github.com/aks-cilium/aks-cilium/automation/result"
	"github.com/aks-cilium/aks-cilium/components/spec"
)

// StackSpec names a stack and its desired cluster.
type StackSpec struct {
	Name string
	Spec spec.Cluster
	// Preview are the stack's preview options (e.g. its own SavePlan file).
	Preview PreviewOptions
}

// FleetResult is one stack's outcome in a fleet operation.
type FleetResult struct {
	Stack  string
	Result *result.Result
	Err    error
}

// PreviewFleet previews many stacks with at most workers running at once
// (each stack in its own workspace; 4 when workers < 1). Results come back in
// the order of stacks; one stack's failure does not stop the others.
func (e *Engine) PreviewFleet(ctx context.Context, stacks []StackSpec, workers int) []FleetResult {
	if workers < 1 {
		workers = 4
	}
	results := make([]FleetResult, len(stacks))
	sem := make(chan struct{}, workers)
	var wg sync.WaitGroup
	for i, s := range stacks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			r, err := e.Preview(ctx, s.Name, s.Spec, s.Preview)
			results[i] = FleetResult{Stack: s.Name, Result: r, Err: err}
		}()
	}
	wg.Wait()
	return results
}
