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
// (spec.Cluster.ValidateSupport): on a new stack (no previous spec) and on
// a change of minor, the moments AKS creates or upgrades to a version. An
// existing cluster that keeps its minor past the minor's support is not
// refused: AKS keeps running and updating it, and refusing would block the
// very update that fixes an incident. Preview and Up call it after the
// spec itself is valid.
func (e *Engine) checkSupport(stack string, c spec.Cluster, prev *spec.Cluster) error {
	c = c.WithDefaults()
	if prev != nil && sameMinor(*prev, c) {
		return nil
	}
	if errs := c.ValidateSupport(e.now()); len(errs) > 0 {
		return &InvalidSpecError{Stack: stack, Errs: errs}
	}
	return nil
}

// sameMinor reports whether two specs ask for the same Kubernetes minor.
func sameMinor(a, b spec.Cluster) bool {
	ka, erra := spec.LookupKubernetes(a.KubernetesVersion, true)
	kb, errb := spec.LookupKubernetes(b.KubernetesVersion, true)
	return erra == nil && errb == nil && ka.Minor == kb.Minor
}
