package verify

import (
	"os"
	"testing"

	"github.com/aks-cilium/aks-cilium/internal/kubetest"
)

// env is a real kube-apiserver (v1.32, from `make tools`) with Cilium's CRDs,
// one for the package. It runs no controllers and no kubelet: the tests
// write the status a healthy or unhealthy cluster would have.
var env *kubetest.Env

func TestMain(m *testing.M) { os.Exit(kubetest.Main(m, &env)) }
