package azuresim

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"time"
)

// KubeconfigServer points the user kubeconfig of every simulated cluster at
// a real API server (for example a local kube-apiserver started for tests)
// instead of the simulated, unreachable FQDN.
type KubeconfigServer struct {
	// URL is the API server, such as https://127.0.0.1:6443.
	URL string
	// CAData is the PEM of the CA that signed the server's certificate.
	CAData []byte
}

// The kubelogin arguments AKS puts in an Entra ID cluster's exec kubeconfig:
// the AKS AAD server application and the Azure CLI's public client, which
// the device-code login uses.
const (
	aksServerID    = "6dae42f8-4368-4678-94ff-3960e28e3630"
	azureCLIClient = "80faf920-1908-4b52-b5ef-a8e7bedfc67a"
)

// userKubeconfig renders the kubeconfig listClusterUserCredential returns
// for an Entra ID cluster in exec format: a kubelogin user that signs in
// with a device code. It is a credential: it is only ever returned as a
// secret, and never logged.
func (s *Simulator) userKubeconfig(cluster *Resource) []byte {
	name := cluster.Name
	server := "https://" + str(cluster.Outputs, "fqdn") + ":443"
	ca := simulatedCA()
	if ks := s.opts.KubeconfigServer; ks != nil {
		server = ks.URL
		if len(ks.CAData) > 0 {
			ca = ks.CAData
		}
	}
	user := fmt.Sprintf("clusterUser_%s_%s", cluster.ResourceGroup, name)
	var b strings.Builder
	fmt.Fprintf(&b, "apiVersion: v1\nkind: Config\n")
	fmt.Fprintf(&b, "clusters:\n- name: %s\n  cluster:\n    certificate-authority-data: %s\n    server: %s\n",
		yamlString(name), base64.StdEncoding.EncodeToString(ca), yamlString(server))
	fmt.Fprintf(&b, "contexts:\n- name: %s\n  context:\n    cluster: %s\n    user: %s\n",
		yamlString(name), yamlString(name), yamlString(user))
	fmt.Fprintf(&b, "current-context: %s\n", yamlString(name))
	fmt.Fprintf(&b, "preferences: {}\n")
	fmt.Fprintf(&b, "users:\n- name: %s\n  user:\n    exec:\n", yamlString(user))
	fmt.Fprintf(&b, "      apiVersion: client.authentication.k8s.io/v1beta1\n")
	fmt.Fprintf(&b, "      command: kubelogin\n      args:\n")
	for _, a := range []string{"get-token", "--environment", "AzurePublicCloud", "--server-id", aksServerID,
		"--client-id", azureCLIClient, "--tenant-id", s.tenantID(), "--login", "devicecode"} {
		fmt.Fprintf(&b, "      - %s\n", yamlString(a))
	}
	fmt.Fprintf(&b, "      env: null\n")
	fmt.Fprintf(&b, "      installHint: |\n")
	fmt.Fprintf(&b, "        kubelogin is not installed which is required to connect to AAD enabled cluster.\n")
	fmt.Fprintf(&b, "        (This kubeconfig comes from the aks-cilium Azure simulator: the cluster is simulated.)\n")
	fmt.Fprintf(&b, "      provideClusterInfo: false\n")
	return []byte(b.String())
}

// yamlString quotes s as a YAML double-quoted scalar.
func yamlString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

var (
	caOnce sync.Once
	caPEM  []byte
)

// simulatedCA is the PEM of the certificate authority every simulated
// cluster claims: a real, parseable certificate (so Kubernetes clients
// accept the kubeconfig), derived from a fixed seed so it is the same in
// every process and run (so kubeconfigs do not drift). No cluster serves a
// certificate it signed; it is not a secret.
func simulatedCA() []byte {
	caOnce.Do(func() {
		seed := sha256.Sum256([]byte("aks-cilium azure simulator: simulated cluster CA"))
		key := ed25519.NewKeyFromSeed(seed[:])
		tmpl := &x509.Certificate{
			SerialNumber:          big.NewInt(5151),
			Subject:               pkix.Name{CommonName: "aks-cilium simulated cluster CA (not a real cluster)"},
			NotBefore:             time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
			NotAfter:              time.Date(2045, 1, 1, 0, 0, 0, 0, time.UTC),
			IsCA:                  true,
			BasicConstraintsValid: true,
			KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
		if err != nil {
			// Cannot happen with a fixed, valid template; a placeholder keeps
			// the kubeconfig well-formed if it ever does.
			caPEM = []byte("-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n")
			return
		}
		caPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	})
	return caPEM
}
