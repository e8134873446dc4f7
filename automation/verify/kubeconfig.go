package verify

import (
	"errors"
	"fmt"
	"regexp"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// quoted matches what YAML and JSON errors quote from their input.
var quoted = regexp.MustCompile("`[^`]*`|\"[^\"]*\"|'[^']*'")

// RESTConfigFromKubeconfig turns a kubeconfig (e.g. the stack output
// "kubeconfig", read with automation's Engine.SecretOutput) into a
// rest.Config for Run, using its current context.
//
// The kubeconfig of an AKS cluster with Microsoft Entra ID and local
// accounts disabled (this project's default) holds no credential: its user
// execs kubelogin (`kubelogin get-token ...`) for each token, so kubelogin
// must be on PATH and able to log in without a prompt where Run runs, e.g.
// after `kubelogin convert-kubeconfig -l workloadidentity` in CI (or -l
// azurecli after `az login`, or -l spn with AAD_SERVICE_PRINCIPAL_CLIENT_ID
// and AAD_SERVICE_PRINCIPAL_CLIENT_SECRET). The identity needs read access to
// kube-system and nodes, pods/log, and for policy-enforcement the rights to
// create and delete namespaces, pods and NetworkPolicies and to exec into
// pods (Azure Kubernetes Service RBAC Cluster Admin covers all of it).
//
// The kubeconfig is a secret: errors never quote it.
func RESTConfigFromKubeconfig(kubeconfig []byte) (*rest.Config, error) {
	if len(kubeconfig) == 0 {
		return nil, errors.New("verify: the kubeconfig is empty")
	}
	cfg, err := clientcmd.RESTConfigFromKubeConfig(kubeconfig)
	if err != nil {
		// Parse errors can quote a value from the input: drop the quotes' content.
		return nil, fmt.Errorf("verify: reading the kubeconfig: %s", quoted.ReplaceAllString(err.Error(), "`…`"))
	}
	return cfg, nil
}
