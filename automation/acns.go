package automation

import (
	"context"
	"errors"
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"

	"github.com/aks-cilium/aks-cilium/automation/acns"
	"github.com/aks-cilium/aks-cilium/automation/result"
	"github.com/aks-cilium/aks-cilium/components"
	"github.com/aks-cilium/aks-cilium/components/spec"
)

// configACNSPending holds the ACNS an up must still ensure through ARM. It
// is written before the up and removed once ARM has it, so an up that
// stops in between (a crash, a failed ARM call) is finished by the next.
const configACNSPending = spec.ConfigACNSPending

// acnsProperty is the ARM property the ACNS step sets.
const acnsProperty = components.ACNSIgnorePath

// acnsL7Note is the note of the L7 level, WireGuard or eBPF host routing
// after a Pulumi update of the cluster, which API 2024-10-01 may reset: the
// up checks them again.
const acnsL7Note = "API 2024-10-01 has no L7 level, WireGuard or eBPF host routing (and its updates may reset them); the Engine checks and sets them with API " + acns.EnsureAPIVersion

// acnsNote says why ACNS goes through ARM, for results and PR comments.
const acnsNote = "azure-native 2.88.0 (API 2024-10-01) can neither set the L7 level, WireGuard or eBPF host routing nor switch ACNS on an existing cluster in place; the Engine sets it with API " + acns.EnsureAPIVersion

// ACNSError is an up whose Pulumi part succeeded but whose ACNS step
// through ARM did not: the cluster's ACNS is not yet what the spec says.
// The next Up retries it (the stack remembers the pending change).
type ACNSError struct {
	Stack string
	// Result is the up's result (the Pulumi part).
	Result *result.Result
	// Err is the ARM or refresh error.
	Err error
}

func (e *ACNSError) Error() string {
	return fmt.Sprintf("stack %s: the update succeeded, but setting ACNS through ARM failed (the next up retries it): %v", e.Stack, e.Err)
}

func (e *ACNSError) Unwrap() error { return e.Err }

// acnsInvolved reports whether an up of want must check ACNS through ARM:
// when the spec wants ACNS on, when the stack's previous spec had it on (it
// may have to be switched off), or when an earlier up left it pending.
func acnsInvolved(prev *spec.Cluster, want spec.ACNS, pending bool) bool {
	return want.Effective().Enabled || pending || (prev != nil && prev.ACNS.Effective().Enabled)
}

// plannedACNS is what a preview says the ACNS step will do, without reading
// ARM: a change of the spec's ACNS, an unfinished one, the L7 level,
// WireGuard or eBPF host routing of a new cluster, or those after a Pulumi
// update of the cluster (which API 2024-10-01 may reset).
func plannedACNS(prev *spec.Cluster, want spec.ACNS, pending bool, steps []result.Step, clusterName string) []result.ARMChange {
	want = want.Effective()
	change := result.ARMChange{Resource: clusterName, Property: acnsProperty, New: want.String(), Note: acnsNote}
	switch {
	case pending:
		change.Note = "left pending by an earlier up; " + acnsNote
	case prev != nil && prev.ACNS.Effective() != want:
		change.Old = prev.ACNS.Effective().String()
	case (want.Security.L7() || want.UsesAPI2026()) && (prev == nil || updatesCluster(steps)):
		change.Note = acnsL7Note
	default:
		return nil
	}
	return []result.ARMChange{change}
}

// checkPlannedACNS compares a planned ACNS change of an existing cluster
// with the cluster's ACNS read through ARM: a cluster already at the spec
// plans nothing (unless the Pulumi update may reset L7), and the change
// shows the cluster's real Old value. Without a cluster yet, or when ARM
// cannot be read, the prediction stands, saying so.
func (e *Engine) checkPlannedACNS(ctx context.Context, stack string, want spec.ACNS, planned []result.ARMChange) []result.ARMChange {
	if len(planned) == 0 {
		return nil
	}
	outs, err := e.rawOutputs(ctx, stack)
	if err != nil {
		return planned
	}
	id, _ := outs[spec.OutputClusterID].Value.(string)
	if id == "" {
		return planned // a new cluster
	}
	client, err := e.acnsClient()
	if err == nil {
		var now spec.ACNS
		if now, err = client.Get(ctx, id); err == nil {
			p := planned[0]
			p.Resource, p.Old = id, now.String()
			if now == want.Effective() {
				if p.Note != acnsL7Note {
					return nil // already there
				}
				p.Old = "" // a check, not a known change
			}
			return []result.ARMChange{p}
		}
	}
	planned[0].Note = fmt.Sprintf("%s (the cluster's ACNS could not be read: %v)", planned[0].Note, err)
	return planned
}

// updatesCluster reports whether a plan creates or updates a ManagedCluster.
func updatesCluster(steps []result.Step) bool {
	for _, s := range steps {
		if s.IsManagedCluster() && s.Op != result.OpSame && s.Op != result.OpDelete {
			return true
		}
	}
	return false
}

// ensureACNS is the ACNS step of an up: it makes the cluster's ACNS the
// spec's through ARM (acns.Client.Ensure) and, when ARM changed it,
// refreshes the stack so that state, program and cluster agree and the
// next preview shows no diff. It records the change in r.ARMChanges and
// clears the pending mark.
func (e *Engine) ensureACNS(ctx context.Context, st *auto.Stack, r *result.Result, want spec.ACNS) error {
	out, ok := r.Outputs[spec.OutputClusterID]
	id, _ := out.Value.(string)
	if !ok || id == "" {
		return errors.New("the stack has no " + spec.OutputClusterID + " output")
	}
	client, err := e.acnsClient()
	if err != nil {
		return err
	}
	u, err := client.Ensure(ctx, id, want)
	if err != nil {
		return err
	}
	if u.Changed {
		r.ARMChanges = append(r.ARMChanges, result.ARMChange{Resource: id, Property: acnsProperty,
			Old: u.Before.String(), New: u.After.String(), Applied: true, Note: acnsNote})
		if _, err := e.refresh(ctx, st, "refresh (after the ACNS update through ARM)", nil); err != nil {
			return err
		}
	}
	return e.setConfig(ctx, st.Name(), configACNSPending, nil)
}

// acnsClient is the Engine's ARM client for ACNS, made on first use from
// Options.ACNS.
func (e *Engine) acnsClient() (*acns.Client, error) {
	e.acnsMu.Lock()
	defer e.acnsMu.Unlock()
	if e.acns == nil {
		var o acns.ClientOptions
		if e.opts.ACNS != nil {
			o = *e.opts.ACNS
		}
		c, err := acns.NewClient(o)
		if err != nil {
			return nil, err
		}
		e.acns = c
	}
	return e.acns, nil
}

// storedState reads what the stack's settings hold before an operation
// writes the new spec: the previous spec (nil when none) and whether an
// ACNS change is pending. Both are read in Go, with no pulumi process.
func storedState(ctx context.Context, ws auto.Workspace, stack string) (*spec.Cluster, bool) {
	settings, err := ws.StackSettings(ctx, stack)
	if err != nil || settings.Config == nil {
		return nil, false
	}
	read := func(name string) (string, bool) {
		key, err := config.ParseKey(name)
		if err != nil {
			return "", false
		}
		v, ok := settings.Config[key]
		if !ok {
			return "", false
		}
		raw, err := v.Value(config.NopDecrypter)
		return raw, err == nil && raw != ""
	}
	var prev *spec.Cluster
	if raw, ok := read(spec.ConfigCluster); ok {
		if c, err := spec.DecodeJSON([]byte(raw)); err == nil {
			prev = &c
		}
	}
	_, pending := read(configACNSPending)
	return prev, pending
}
