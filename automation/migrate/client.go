package migrate

import (
	"fmt"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/containerservice/armcontainerservice/v8"
)

// ClientOptions configure a Client.
type ClientOptions struct {
	// Credential signs the ARM requests. Nil means azidentity's
	// DefaultAzureCredential (environment, workload identity, managed
	// identity, Azure CLI, ...).
	Credential azcore.TokenCredential
	// ARM are the Azure SDK's client options: the cloud (public, sovereign),
	// the retry policy (429 and 5xx are retried by the SDK before this package
	// sees them), logging, and the Transport. The Transport is the seam for
	// tests and for a local stand-in of ARM: the SDK's fake servers
	// (armcontainerservice/fake), or an HTTP server reached through
	// Cloud.Services[cloud.ResourceManager] with InsecureAllowCredentialWithHTTP.
	ARM arm.ClientOptions
}

// Client reads and updates AKS clusters through Azure Resource Manager with
// the Azure SDK for Go (armcontainerservice/v8, API version 2025-10-01). One
// Client serves every subscription its credential can reach.
type Client struct {
	cred azcore.TokenCredential
	opts arm.ClientOptions
}

// NewClient returns a Client. With no Credential it builds a
// DefaultAzureCredential, which fails only when no credential source is
// configured at all; a source that is configured but refuses (an expired
// az login) fails later, on the first request.
func NewClient(o ClientOptions) (*Client, error) {
	cred := o.Credential
	if cred == nil {
		var err error
		cred, err = azidentity.NewDefaultAzureCredential(&azidentity.DefaultAzureCredentialOptions{
			ClientOptions: azcore.ClientOptions{Cloud: o.ARM.Cloud},
		})
		if err != nil {
			return nil, fmt.Errorf("azure credential: %w (set ClientOptions.Credential, or sign in with az login)", err)
		}
	}
	return &Client{cred: cred, opts: o.ARM}, nil
}

// clients returns the SDK clients for one subscription.
func (c *Client) clients(subscription string) (*armcontainerservice.ManagedClustersClient, *armcontainerservice.AgentPoolsClient, error) {
	opts := c.opts
	f, err := armcontainerservice.NewClientFactory(subscription, c.cred, &opts)
	if err != nil {
		return nil, nil, fmt.Errorf("azure client for subscription %s: %w", subscription, err)
	}
	return f.NewManagedClustersClient(), f.NewAgentPoolsClient(), nil
}
