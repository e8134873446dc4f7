// Package kubeconfig rewrites the kubeconfig AKS hands out for an Entra ID
// cluster into one that works without a human at the keyboard.
//
// ListClusterUserCredentials (format "exec") returns a kubeconfig whose user
// runs `kubelogin get-token --login devicecode ...`: it prints a code and waits
// for someone to sign in in a browser. A Pulumi program, a CI job or a pod
// cannot do that, so Rewrite replaces the exec plugin with a non-interactive
// kubelogin login (Azure CLI, workload identity, service principal or managed
// identity) and marks it as never reading standard input.
//
// The package is pure Go (no Pulumi). A kubeconfig may carry credentials, so
// nothing here logs it, and no error quotes any part of it.
package kubeconfig

import (
	"errors"
	"fmt"
	"strings"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// AKSServerID is the application ID of the AKS AAD server, the audience of
// every token for a cluster with AKS-managed Entra ID integration.
const AKSServerID = "6dae42f8-4368-4678-94ff-3960e28e3630"

// LoginMode is how kubelogin obtains a token without interaction.
type LoginMode string

// The non-interactive kubelogin login modes.
const (
	// LoginAzureCLI reuses the Azure CLI's signed-in account (`az login`).
	// It is the default: it is what a person running `pulumi up` has.
	LoginAzureCLI LoginMode = "azurecli"
	// LoginWorkloadIdentity uses a federated token, as in a pod with
	// Microsoft Entra Workload ID or a CI job with OIDC federation
	// (AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE).
	LoginWorkloadIdentity LoginMode = "workloadidentity"
	// LoginSPN uses a service principal; its secret or certificate comes
	// from the environment (AAD_SERVICE_PRINCIPAL_CLIENT_SECRET or
	// AZURE_CLIENT_SECRET), never from the kubeconfig.
	LoginSPN LoginMode = "spn"
	// LoginMSI uses the managed identity of the Azure VM or container running
	// the client; ClientID selects a user-assigned identity.
	LoginMSI LoginMode = "msi"
)

// LoginModes lists the supported login modes.
var LoginModes = []LoginMode{LoginAzureCLI, LoginWorkloadIdentity, LoginSPN, LoginMSI}

// ParseLoginMode parses a login mode name; the empty string is LoginAzureCLI.
func ParseLoginMode(s string) (LoginMode, error) {
	if s == "" {
		return LoginAzureCLI, nil
	}
	for _, m := range LoginModes {
		if strings.EqualFold(s, string(m)) {
			return m, nil
		}
	}
	return "", fmt.Errorf("unknown kubelogin login mode %q: want one of %s", s, joinModes())
}

func joinModes() string {
	names := make([]string, len(LoginModes))
	for i, m := range LoginModes {
		names[i] = string(m)
	}
	return strings.Join(names, ", ")
}

// Options choose the kubelogin login. The zero value is the Azure CLI login.
// The JSON names are those of the component plugin's kubelogin input.
type Options struct {
	// Login is the login mode; empty means LoginAzureCLI.
	Login LoginMode `json:"login,omitempty"`
	// ClientID is the application (client) ID of the service principal
	// (spn), the user-assigned managed identity (msi) or the federated
	// identity (workloadidentity). Optional: kubelogin otherwise reads
	// AZURE_CLIENT_ID / AAD_SERVICE_PRINCIPAL_CLIENT_ID.
	ClientID string `json:"clientId,omitempty"`
	// TenantID overrides the tenant. For spn it defaults to the tenant in
	// the kubeconfig AKS returned; azurecli uses the CLI's tenant unless set.
	TenantID string `json:"tenantId,omitempty"`
}

// Validate checks the options; Rewrite calls it.
func (o Options) Validate() error {
	_, err := ParseLoginMode(string(o.Login))
	return err
}

// Kubelogin argument names.
const (
	argLogin       = "--login"
	argServerID    = "--server-id"
	argClientID    = "--client-id"
	argTenantID    = "--tenant-id"
	argEnvironment = "--environment"
)

// installHint is shown by kubectl when kubelogin is not on PATH.
const installHint = `
kubelogin is required to authenticate to this AKS cluster (Microsoft Entra ID).
Install it with "az aks install-cli" or see https://azure.github.io/kubelogin/
`

// ErrNoKubeloginUser is returned when the kubeconfig has no user whose exec
// plugin is kubelogin, so there is nothing to rewrite.
var ErrNoKubeloginUser = errors.New("kubeconfig: no user runs kubelogin; expected the exec-format user credentials of an Entra ID AKS cluster")

// Rewrite returns the kubeconfig with every kubelogin exec user replaced by a
// non-interactive `kubelogin get-token --login <mode> --server-id <AKS>`.
// Clusters, contexts and users that do not run kubelogin are kept as they
// are. The result is YAML.
//
// Errors never contain any part of the kubeconfig.
func Rewrite(data []byte, opts Options) ([]byte, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	login, _ := ParseLoginMode(string(opts.Login))
	if len(data) == 0 {
		return nil, errors.New("kubeconfig: empty")
	}
	cfg, err := clientcmd.Load(data)
	if err != nil {
		// The decoder's message can quote the offending value: drop it.
		return nil, errors.New("kubeconfig: not a valid kubeconfig document")
	}
	rewritten := 0
	for _, user := range cfg.AuthInfos {
		if user == nil || user.Exec == nil || !isKubelogin(user.Exec.Command) {
			continue
		}
		user.Exec = execFor(user.Exec, login, opts)
		rewritten++
	}
	if rewritten == 0 {
		return nil, ErrNoKubeloginUser
	}
	out, err := clientcmd.Write(*cfg)
	if err != nil {
		return nil, errors.New("kubeconfig: cannot encode the rewritten kubeconfig")
	}
	return out, nil
}

// isKubelogin reports whether an exec command is kubelogin (any path).
func isKubelogin(command string) bool {
	return strings.Contains(strings.ToLower(command), "kubelogin")
}

// execFor builds the non-interactive exec plugin for one user from the one
// AKS returned (whose --environment and --tenant-id it keeps where the login
// mode uses them; its --client-id is the Azure CLI's public client for device
// code and is never carried over).
func execFor(old *clientcmdapi.ExecConfig, login LoginMode, opts Options) *clientcmdapi.ExecConfig {
	args := []string{"get-token", argLogin, string(login), argServerID, AKSServerID}
	environment := argValue(old.Args, argEnvironment)
	tenant := opts.TenantID
	switch login {
	case LoginAzureCLI:
		// The CLI knows its tenant; a tenant in the kubeconfig would break a
		// CLI signed in with a managed identity, so only an explicit one is used.
	case LoginSPN:
		if tenant == "" {
			tenant = argValue(old.Args, argTenantID)
		}
		if environment != "" {
			args = append(args, argEnvironment, environment)
		}
	case LoginWorkloadIdentity, LoginMSI:
		// Read from the environment the identity provides.
	}
	if opts.ClientID != "" && login != LoginAzureCLI {
		args = append(args, argClientID, opts.ClientID)
	}
	if tenant != "" && login != LoginMSI {
		args = append(args, argTenantID, tenant)
	}
	hint := old.InstallHint
	if hint == "" {
		hint = installHint
	}
	apiVersion := old.APIVersion
	if apiVersion == "" {
		apiVersion = "client.authentication.k8s.io/v1beta1"
	}
	return &clientcmdapi.ExecConfig{
		Command:         "kubelogin",
		Args:            args,
		APIVersion:      apiVersion,
		InstallHint:     hint,
		InteractiveMode: clientcmdapi.NeverExecInteractiveMode,
	}
}

// argValue returns the value after flag in args ("--flag value" or
// "--flag=value"), or "".
func argValue(args []string, flag string) string {
	for i, a := range args {
		if a == flag && i+1 < len(args) {
			return args[i+1]
		}
		if v, ok := strings.CutPrefix(a, flag+"="); ok {
			return v
		}
	}
	return ""
}
