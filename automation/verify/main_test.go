package verify

import (
	"os"
	"testing"

	"github.com/aks-cilium/aks-cilium/sim/apiserver"
)

// env is a real kube-apiserver (v1.32, from `make tools`) with Cilium's CRDs,
// one for the package. It runs no controllers and no kubelet: the tests
// write the status a healthy or unhealthy cluster would have.
var env *apiserver.Env

func TestMain(m *testing.M) { os.Exit(apiserver.Main(m, &env)) }
