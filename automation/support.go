package automation

import (
	"time"

	"github.com/aks-cilium/aks-cilium/components/spec"
)

// now is the Engine's clock: Options.Now, else time.Now.
func (e *Engine) now() time.Time {
	if e.opts.Now != nil {
		return e.opts.Now()
	}
	return time.Now()
}

// checkSupport refuses, before any process runs, a spec whose Kubernetes
// minor AKS would not create on the Engine's today
// (spec.Cluster.ValidateSupport): on a stack with no successful Up yet (the
// cluster is created) and on a change of minor from the stack's applied
// spec (the cluster is upgraded to it), the moments AKS creates or upgrades
// to a version. An existing cluster that keeps its minor past the minor's
// support is not refused: AKS keeps running and updating it, and refusing
// would block the very update that fixes an incident. Preview and Up call it
// after the spec itself and its change are valid.
func (e *Engine) checkSupport(stack string, c spec.Cluster) error {
	prev, ok, err := e.appliedSpec(stack)
	if err != nil {
		return err
	}
	c = c.WithDefaults()
	if ok && sameMinor(prev, c) {
		return nil
	}
	return invalidSpec(stack, spec.NewInvalidError(c.ValidateSupport(e.now())))
}

// sameMinor reports whether two specs ask for the same Kubernetes minor.
func sameMinor(a, b spec.Cluster) bool {
	ka, erra := spec.LookupKubernetes(a.KubernetesVersion, true)
	kb, errb := spec.LookupKubernetes(b.KubernetesVersion, true)
	return erra == nil && errb == nil && ka.Minor == kb.Minor
}
