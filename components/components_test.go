package components

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/aks-cilium/aks-cilium/components/kubeconfig"
	"github.com/aks-cilium/aks-cilium/components/spec"
)

func TestFixturesAreValid(t *testing.T) {
	for _, f := range append(modeSpecs, struct {
		mode spec.ModeKind
		spec func() spec.Cluster
	}{spec.KindPodSubnet, existingSubnetsSpec}) {
		c := f.spec().WithDefaults()
		assert.Empty(t, c.Validate(), "fixture %s", c.Name)
		assert.Equal(t, f.mode, c.Network.Mode.Kind())
	}
}

// deploy runs NewPlatform on c under fresh mocks and returns them.
func deploy(t *testing.T, c spec.Cluster, opts ...pulumi.ResourceOption) *mocks {
	t.Helper()
	m := newMocks()
	require.NoError(t, run(t, m, func(ctx *pulumi.Context) error {
		_, err := NewPlatform(ctx, "plat", c, opts...)
		return err
	}))
	return m
}

// vnetSubnetID is the ID the mock VNet gives a created subnet.
func vnetSubnetID(c spec.Cluster, subnet string) string {
	return "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/" + c.ResourceGroup.Name +
		"/providers/Microsoft.Network/virtualNetworks/" + c.Network.VNet.Name + "/subnets/" + subnet
}

// TestNetworkProfilePerMode checks the network profile AKS documents for each
// pod IP mode (see Cluster's doc comment).
func TestNetworkProfilePerMode(t *testing.T) {
	for _, f := range modeSpecs {
		t.Run(string(f.mode), func(t *testing.T) {
			c := f.spec()
			m := deploy(t, c)
			mc := m.one(t, tokManagedCluster).Inputs

			assert.Equal(t, "azure", prop(t, mc, "networkProfile.networkPlugin"))
			assert.Equal(t, "cilium", prop(t, mc, "networkProfile.networkDataplane"))
			assert.Equal(t, "cilium", prop(t, mc, "networkProfile.networkPolicy"))
			assert.Equal(t, "10.0.0.0/16", prop(t, mc, "networkProfile.serviceCidr"))
			assert.Equal(t, "10.0.0.10", prop(t, mc, "networkProfile.dnsServiceIP"))
			absent(t, mc, "networkProfile.podCidrs")
			absent(t, mc, "networkProfile.serviceCidrs")

			switch f.mode {
			case spec.KindOverlay:
				assert.Equal(t, "overlay", prop(t, mc, "networkProfile.networkPluginMode"))
				assert.Equal(t, "192.168.0.0/16", prop(t, mc, "networkProfile.podCidr"))
			default:
				absent(t, mc, "networkProfile.networkPluginMode")
				// The SDK defaults podCidr to 10.244.0.0/16; it must not reach ARM.
				absent(t, mc, "networkProfile.podCidr")
			}
			if c.ACNS.Enabled {
				assert.Equal(t, true, prop(t, mc, "networkProfile.advancedNetworking.enabled"))
				assert.Equal(t, c.ACNS.Observability, prop(t, mc, "networkProfile.advancedNetworking.observability.enabled"))
				assert.Equal(t, c.ACNS.Security.FQDN(), prop(t, mc, "networkProfile.advancedNetworking.security.enabled"))
				// API 2024-10-01 has no L7 level: ARM sets it after the create.
				absent(t, mc, "networkProfile.advancedNetworking.security.advancedNetworkPolicies")
			} else {
				absent(t, mc, "networkProfile.advancedNetworking")
			}
		})
	}
}

// TestPoolsPerMode checks every pool: Linux, node subnet, pod subnet only in
// podSubnet mode, max pods, sizes and scaling.
func TestPoolsPerMode(t *testing.T) {
	for _, f := range modeSpecs {
		t.Run(string(f.mode), func(t *testing.T) {
			c := f.spec()
			d := c.WithDefaults()
			m := deploy(t, c)
			mc := m.one(t, tokManagedCluster).Inputs
			nodeSubnet := vnetSubnetID(c, "nodes")

			// The system pool, inline.
			require.Len(t, prop(t, mc, "agentPoolProfiles"), 1, "only the system pool is inline")
			sys := "agentPoolProfiles[0]."
			assert.Equal(t, "system", prop(t, mc, sys+"name"))
			assert.Equal(t, "System", prop(t, mc, sys+"mode"))
			assert.Equal(t, "VirtualMachineScaleSets", prop(t, mc, sys+"type"))
			assert.Equal(t, "Linux", prop(t, mc, sys+"osType"))
			assert.Equal(t, "AzureLinux", prop(t, mc, sys+"osSKU"))
			assert.Equal(t, "Standard_D4ds_v5", prop(t, mc, sys+"vmSize"))
			assert.Equal(t, float64(3), prop(t, mc, sys+"count"))
			assert.Equal(t, false, prop(t, mc, sys+"enableAutoScaling"))
			absent(t, mc, sys+"minCount")
			absent(t, mc, sys+"maxCount")
			assert.Equal(t, float64(d.SystemPool.MaxPods), prop(t, mc, sys+"maxPods"))
			assert.Equal(t, "10%", prop(t, mc, sys+"upgradeSettings.maxSurge"))
			assert.Equal(t, c.KubernetesVersion, prop(t, mc, sys+"orchestratorVersion"))
			assert.Equal(t, nodeSubnet, prop(t, mc, sys+"vnetSubnetID"))

			// The user pool, its own AgentPool resource on the cluster.
			pool := m.one(t, tokAgentPool).Inputs
			user := d.UserPools[0]
			assert.Equal(t, user.Name, prop(t, pool, "agentPoolName"))
			assert.Equal(t, c.Name, prop(t, pool, "resourceName"))
			assert.Equal(t, c.ResourceGroup.Name, prop(t, pool, "resourceGroupName"))
			assert.Equal(t, "User", prop(t, pool, "mode"))
			assert.Equal(t, "Linux", prop(t, pool, "osType"))
			assert.Equal(t, "AzureLinux", prop(t, pool, "osSKU"))
			assert.Equal(t, user.VMSize, prop(t, pool, "vmSize"))
			assert.Equal(t, float64(user.Count), prop(t, pool, "count"))
			assert.Equal(t, float64(user.MaxPods), prop(t, pool, "maxPods"))
			assert.Equal(t, c.KubernetesVersion, prop(t, pool, "orchestratorVersion"))
			assert.Equal(t, nodeSubnet, prop(t, pool, "vnetSubnetID"))
			if user.Autoscale != nil {
				assert.Equal(t, true, prop(t, pool, "enableAutoScaling"))
				assert.Equal(t, float64(user.Autoscale.Min), prop(t, pool, "minCount"))
				assert.Equal(t, float64(user.Autoscale.Max), prop(t, pool, "maxCount"))
			} else {
				assert.Equal(t, false, prop(t, pool, "enableAutoScaling"))
			}

			switch f.mode {
			case spec.KindOverlay:
				assert.Equal(t, float64(250), prop(t, mc, sys+"maxPods"))
				absent(t, mc, sys+"podSubnetID")
				absent(t, pool, "podSubnetID")
			case spec.KindPodSubnet:
				assert.Equal(t, float64(250), prop(t, mc, sys+"maxPods"))
				assert.Equal(t, vnetSubnetID(c, "pods"), prop(t, mc, sys+"podSubnetID"), "system pool defaults to the first pod subnet")
				assert.Equal(t, vnetSubnetID(c, "podsapps"), prop(t, pool, "podSubnetID"), "user pool takes the pod subnet it names")
			case spec.KindNodeSubnet:
				assert.Equal(t, float64(30), prop(t, mc, sys+"maxPods"))
				assert.Equal(t, float64(30), prop(t, pool, "maxPods"))
				absent(t, mc, sys+"podSubnetID")
				absent(t, pool, "podSubnetID")
			}
		})
	}
}

func TestPoolDetails(t *testing.T) {
	m := deploy(t, overlaySpec())
	mc := m.one(t, tokManagedCluster).Inputs
	assert.Equal(t, []any{"1", "2", "3"}, prop(t, mc, "agentPoolProfiles[0].availabilityZones"))
	assert.Equal(t, []any{"CriticalAddonsOnly=true:NoSchedule"}, prop(t, mc, "agentPoolProfiles[0].nodeTaints"))
	absent(t, mc, "agentPoolProfiles[0].nodeLabels")

	pool := m.one(t, tokAgentPool).Inputs
	assert.Equal(t, map[string]any{"workload": "apps"}, prop(t, pool, "nodeLabels"))
	assert.Equal(t, []any{"1", "2", "3"}, prop(t, pool, "availabilityZones"))
	absent(t, pool, "nodeTaints")
	assert.Equal(t, "10%", prop(t, pool, "upgradeSettings.maxSurge"))
}

// TestIdentityAndAccess checks Entra ID, Azure RBAC, local accounts, OIDC,
// workload identity and the API server exposure.
func TestIdentityAndAccess(t *testing.T) {
	for _, f := range modeSpecs {
		t.Run(string(f.mode), func(t *testing.T) {
			c := f.spec()
			mc := deploy(t, c).one(t, tokManagedCluster).Inputs
			assert.Equal(t, c.Name, prop(t, mc, "resourceName"))
			assert.Equal(t, c.ResourceGroup.Name, prop(t, mc, "resourceGroupName"))
			assert.Equal(t, c.Location, prop(t, mc, "location"))
			assert.Equal(t, c.Name, prop(t, mc, "dnsPrefix"))
			assert.Equal(t, c.KubernetesVersion, prop(t, mc, "kubernetesVersion"))
			assert.Equal(t, "SystemAssigned", prop(t, mc, "identity.type"))
			assert.Equal(t, true, prop(t, mc, "aadProfile.managed"))
			assert.Equal(t, true, prop(t, mc, "aadProfile.enableAzureRBAC"))
			assert.Equal(t, []any{testAdminGroup}, prop(t, mc, "aadProfile.adminGroupObjectIDs"))
			if c.Security.TenantID != "" {
				assert.Equal(t, c.Security.TenantID, prop(t, mc, "aadProfile.tenantID"))
			} else {
				absent(t, mc, "aadProfile.tenantID")
			}
			assert.Equal(t, true, prop(t, mc, "disableLocalAccounts"))
			assert.Equal(t, true, prop(t, mc, "enableRBAC"))
			assert.Equal(t, true, prop(t, mc, "oidcIssuerProfile.enabled"))
			assert.Equal(t, true, prop(t, mc, "securityProfile.workloadIdentity.enabled"))
			absent(t, mc, "apiServerAccessProfile")
			if c.Tags != nil {
				assert.Equal(t, "test", prop(t, mc, "tags.env"))
			}
		})
	}

	t.Run("opt-outs", func(t *testing.T) {
		c := overlaySpec()
		c.Security.AzureRBAC = ptr(false)
		c.Security.LocalAccounts = true
		c.Security.WorkloadIdentity = ptr(false)
		c.Security.AuthorizedIPRanges = []string{"203.0.113.0/24"}
		mc := deploy(t, c).one(t, tokManagedCluster).Inputs
		assert.Equal(t, false, prop(t, mc, "aadProfile.enableAzureRBAC"))
		assert.Equal(t, false, prop(t, mc, "disableLocalAccounts"))
		assert.Equal(t, false, prop(t, mc, "securityProfile.workloadIdentity.enabled"))
		assert.Equal(t, []any{"203.0.113.0/24"}, prop(t, mc, "apiServerAccessProfile.authorizedIPRanges"))
		absent(t, mc, "apiServerAccessProfile.enablePrivateCluster")
	})

	t.Run("private cluster", func(t *testing.T) {
		c := overlaySpec()
		c.Security.PrivateCluster = true
		m := newMocks()
		require.NoError(t, run(t, m, func(ctx *pulumi.Context) error {
			p, err := NewPlatform(ctx, "plat", c)
			if err != nil {
				return err
			}
			fqdn, _ := await(t, p.FQDN)
			assert.Equal(t, "aks-overlay-private.privatelink.westeurope.azmk8s.io", fqdn)
			return nil
		}))
		mc := m.one(t, tokManagedCluster).Inputs
		assert.Equal(t, true, prop(t, mc, "apiServerAccessProfile.enablePrivateCluster"))
		absent(t, mc, "apiServerAccessProfile.authorizedIPRanges")
	})
}

// TestNetworkResources checks the resource group, the VNet and its inline subnets.
func TestNetworkResources(t *testing.T) {
	for _, f := range modeSpecs {
		t.Run(string(f.mode), func(t *testing.T) {
			c := f.spec()
			m := deploy(t, c)
			rg := m.one(t, tokResourceGroup).Inputs
			assert.Equal(t, c.ResourceGroup.Name, prop(t, rg, "resourceGroupName"))
			assert.Equal(t, c.Location, prop(t, rg, "location"))

			vnet := m.one(t, tokVNet).Inputs
			assert.Equal(t, c.Network.VNet.Name, prop(t, vnet, "virtualNetworkName"))
			assert.Equal(t, c.ResourceGroup.Name, prop(t, vnet, "resourceGroupName"))
			assert.Equal(t, []any{"10.10.0.0/16"}, prop(t, vnet, "addressSpace.addressPrefixes"))
			assert.Equal(t, "nodes", prop(t, vnet, "subnets[0].name"))
			assert.Equal(t, c.Network.VNet.NodeSubnet.CIDR, prop(t, vnet, "subnets[0].addressPrefix"))
			absent(t, vnet, "subnets[0].delegations")

			subnets := prop(t, vnet, "subnets").([]any)
			if f.mode != spec.KindPodSubnet {
				assert.Len(t, subnets, 1, "only the node subnet")
				return
			}
			require.Len(t, subnets, 3, "node subnet and two pod subnets, inline in one VNet")
			for i, ps := range c.Network.Mode.(spec.PodSubnet).Subnets {
				at := fmt.Sprintf("subnets[%d].", i+1)
				assert.Equal(t, ps.Name, prop(t, vnet, at+"name"))
				assert.Equal(t, ps.CIDR, prop(t, vnet, at+"addressPrefix"))
				assert.Equal(t, PodSubnetDelegation, prop(t, vnet, at+"delegations[0].serviceName"))
			}
			assert.Empty(t, m.byType("azure-native:network:Subnet"), "no standalone subnets: they would race")
		})
	}
}

func TestExistingSubnetsRegisterNoVNet(t *testing.T) {
	c := existingSubnetsSpec()
	m := newMocks()
	require.NoError(t, run(t, m, func(ctx *pulumi.Context) error {
		p, err := NewPlatform(ctx, "plat", c)
		if err != nil {
			return err
		}
		vnetID, _ := await(t, p.VNetID)
		assert.Equal(t, "", vnetID)
		node, _ := await(t, p.NodeSubnetID)
		assert.Equal(t, testSubPrefix+"nodes", node)
		pods, _ := await(t, p.PodSubnetIDs)
		assert.Equal(t, map[string]string{"pods": testSubPrefix + "pods", "podsapps": testSubPrefix + "podsapps"}, pods)
		return nil
	}))
	assert.Empty(t, m.byType(tokVNet), "existing subnets: no VNet")
	assert.Empty(t, m.byType(tokResourceGroup), "existing resource group: no resource group")

	mc := m.one(t, tokManagedCluster).Inputs
	assert.Equal(t, "rg-aks-vnet", prop(t, mc, "resourceGroupName"))
	assert.Equal(t, testSubPrefix+"nodes", prop(t, mc, "agentPoolProfiles[0].vnetSubnetID"))
	assert.Equal(t, testSubPrefix+"pods", prop(t, mc, "agentPoolProfiles[0].podSubnetID"))
	pool := m.one(t, tokAgentPool).Inputs
	assert.Equal(t, testSubPrefix+"nodes", prop(t, pool, "vnetSubnetID"))
	assert.Equal(t, testSubPrefix+"podsapps", prop(t, pool, "podSubnetID"))
}

func TestExistingResourceGroupRegistersNoRG(t *testing.T) {
	c := overlaySpec()
	c.ResourceGroup.Existing = true
	m := deploy(t, c)
	assert.Empty(t, m.byType(tokResourceGroup))
	vnet := m.one(t, tokVNet).Inputs
	assert.Equal(t, c.ResourceGroup.Name, prop(t, vnet, "resourceGroupName"))
	mc := m.one(t, tokManagedCluster).Inputs
	assert.Equal(t, c.ResourceGroup.Name, prop(t, mc, "resourceGroupName"))
}

// TestOutputs checks the platform outputs and that the kubeconfig is secret
// and is the rewritten, non-interactive kubelogin one.
func TestOutputs(t *testing.T) {
	for _, f := range modeSpecs {
		t.Run(string(f.mode), func(t *testing.T) {
			c := f.spec()
			m := newMocks()
			require.NoError(t, run(t, m, func(ctx *pulumi.Context) error {
				p, err := NewPlatform(ctx, "plat", c)
				if err != nil {
					return err
				}
				want, err := c.MinCiliumVersion()
				require.NoError(t, err)
				for name, expect := range map[string]any{
					"ipMode":            string(f.mode),
					"minCiliumVersion":  want,
					"clusterName":       c.Name,
					"resourceGroupName": c.ResourceGroup.Name,
					"nodeSubnetId":      vnetSubnetID(c, "nodes"),
					"fqdn":              c.Name + "-public.hcp.westeurope.azmk8s.io",
					"nodeResourceGroup": "MC_" + c.ResourceGroup.Name + "_" + c.Name,
					"oidcIssuerUrl":     "https://westeurope.oic.prod-aks.azure.com/tenant/" + c.Name + "/",
					"clusterId": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/" + c.ResourceGroup.Name +
						"/providers/Microsoft.ContainerService/managedClusters/" + c.Name,
					"vnetId": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/" + c.ResourceGroup.Name +
						"/providers/Microsoft.Network/virtualNetworks/" + c.Network.VNet.Name,
				} {
					got, secret := await(t, pulumi.ToOutput(p.Outputs()[name]))
					assert.Equal(t, expect, got, name)
					assert.False(t, secret, "%s is not secret", name)
				}
				pods, _ := await(t, p.PodSubnetIDs)
				if f.mode == spec.KindPodSubnet {
					assert.Equal(t, map[string]string{"pods": vnetSubnetID(c, "pods"), "podsapps": vnetSubnetID(c, "podsapps")}, pods)
				} else {
					assert.Empty(t, pods)
				}

				kc, secret := await(t, p.Kubeconfig)
				assert.True(t, secret, "the kubeconfig must be secret")
				assertKubelogin(t, kc.(string), "azurecli")
				_, secret = await(t, p.Cluster.Kubeconfig)
				assert.True(t, secret)
				require.NotNil(t, p.Provider)
				return nil
			}))

			// The kubeconfig comes from the user credentials in exec format.
			require.Len(t, m.calls, 1)
			call := m.calls[0].Args
			assert.Equal(t, "exec", call["format"].StringValue())
			assert.Equal(t, c.Name, call["resourceName"].StringValue())
			assert.Equal(t, c.ResourceGroup.Name, call["resourceGroupName"].StringValue())

			// The Kubernetes provider is built from the secret kubeconfig.
			prov := m.one(t, tokK8sProvider)
			kc, ok := prov.Inputs["kubeconfig"]
			require.True(t, ok)
			assert.True(t, kc.IsSecret() || kc.ContainsSecrets(), "the provider's kubeconfig input must be secret")
		})
	}
}

func assertKubelogin(t *testing.T, kc, login string) {
	t.Helper()
	cfg, err := clientcmd.Load([]byte(kc))
	require.NoError(t, err)
	exec := cfg.AuthInfos["clusterUser"].Exec
	require.NotNil(t, exec)
	assert.Equal(t, "kubelogin", exec.Command)
	assert.Equal(t, []string{"get-token", "--login", login, "--server-id", kubeconfig.AKSServerID}, exec.Args[:5])
	assert.NotContains(t, exec.Args, "devicecode")
	assert.Equal(t, "https://aks-test.hcp.westeurope.azmk8s.io:443", cfg.Clusters["aks"].Server)
}

func TestKubeloginModeOption(t *testing.T) {
	m := newMocks()
	require.NoError(t, run(t, m, func(ctx *pulumi.Context) error {
		p, err := NewPlatformWithArgs(ctx, "plat", PlatformArgs{
			Spec:      overlaySpec(),
			Kubelogin: kubeconfig.Options{Login: kubeconfig.LoginWorkloadIdentity},
		})
		if err != nil {
			return err
		}
		kc, secret := await(t, p.Kubeconfig)
		assert.True(t, secret)
		assertKubelogin(t, kc.(string), "workloadidentity")
		return nil
	}))
}

// TestParents checks that every child is parented to its component.
func TestParents(t *testing.T) {
	for _, f := range modeSpecs {
		t.Run(string(f.mode), func(t *testing.T) {
			m := deploy(t, f.spec())
			want := map[string]string{
				PlatformType:      "",
				NetworkType:       PlatformType + "/plat",
				ClusterType:       PlatformType + "/plat",
				tokResourceGroup:  NetworkType + "/plat-network",
				tokVNet:           NetworkType + "/plat-network",
				tokManagedCluster: ClusterType + "/plat-cluster",
				tokAgentPool:      ClusterType + "/plat-cluster",
				tokK8sProvider:    ClusterType + "/plat-cluster",
				tokRoleAssignment: ClusterType + "/plat-cluster",
			}
			regs := m.all()
			kinds := map[string]bool{}
			for _, r := range regs {
				kinds[r.Type] = true
			}
			require.Len(t, kinds, len(want), "every kind registered")
			for _, r := range regs {
				parent, ok := want[r.Type]
				require.True(t, ok, "unexpected registration %s", r.Type)
				if parent == "" {
					assert.Equal(t, resource.RootStackType, r.ParentURN.Type(), "%s is a child of the stack", r.Type)
					continue
				}
				got := string(r.ParentURN.Type()) + "/" + r.ParentURN.Name()
				assert.Equal(t, parent, got, "parent of %s %s", r.Type, r.Name)
				assert.True(t, strings.HasPrefix(r.Name, r.ParentURN.Name()+"-"), "%s is prefixed with its component's name", r.Name)
			}
		})
	}
}

func TestDeletionProtection(t *testing.T) {
	for _, protect := range []bool{false, true} {
		c := overlaySpec()
		c.DeletionProtection = protect
		m := deploy(t, c)
		assert.Equal(t, protect, m.one(t, tokManagedCluster).Protect)
		for _, r := range m.all() {
			if r.Type != tokManagedCluster {
				assert.False(t, r.Protect, "only the cluster is protected, not %s", r.Type)
			}
		}
	}
}

func TestAutoscaledPoolsIgnoreCount(t *testing.T) {
	c := overlaySpec()
	m := deploy(t, c)
	assert.Equal(t, []string{ACNSIgnorePath}, m.one(t, tokManagedCluster).IgnoreChanges, "the system pool has a fixed count; ACNS belongs to ARM after the create")
	assert.Equal(t, []string{"count"}, m.one(t, tokAgentPool).IgnoreChanges, "the autoscaler owns the count")

	c.SystemPool.Autoscale = &spec.Autoscale{Min: 3, Max: 5}
	c.UserPools[0].Autoscale = nil
	m = deploy(t, c)
	assert.ElementsMatch(t, []string{"agentPoolProfiles[0].count", ACNSIgnorePath}, m.one(t, tokManagedCluster).IgnoreChanges)
	assert.Empty(t, m.one(t, tokAgentPool).IgnoreChanges)
}

// TestProvidersFlowToChildren: a provider given to the platform reaches the
// Azure resources through the parent chain.
func TestProvidersFlowToChildren(t *testing.T) {
	m := newMocks()
	require.NoError(t, run(t, m, func(ctx *pulumi.Context) error {
		var az pulumi.ProviderResourceState
		if err := ctx.RegisterResource("pulumi:providers:azure-native", "westeurope", nil, &az); err != nil {
			return err
		}
		_, err := NewPlatform(ctx, "plat", overlaySpec(), pulumi.Providers(&az))
		return err
	}))
	for _, tok := range []string{tokResourceGroup, tokVNet, tokManagedCluster, tokAgentPool} {
		assert.Contains(t, m.one(t, tok).Provider, "pulumi:providers:azure-native::westeurope", tok)
	}
	for _, call := range m.calls {
		assert.Contains(t, call.Provider, "pulumi:providers:azure-native::westeurope")
	}
}

// TestInvalidSpecRegistersNothing: every constructor refuses a bad spec with
// all its field errors before registering anything, even itself.
func TestInvalidSpecRegistersNothing(t *testing.T) {
	bad := overlaySpec()
	bad.Network.ServiceCIDR = "10.10.0.0/16" // overlaps the VNet
	bad.Network.DNSServiceIP = "10.10.0.10"
	bad.UserPools[0].OSType = "Windows" // Cilium is Linux only
	bad.Security.AdminGroupObjectIDs = []string{"not-a-guid"}

	constructors := map[string]func(ctx *pulumi.Context) error{
		"Platform": func(ctx *pulumi.Context) error {
			_, err := NewPlatform(ctx, "plat", bad)
			return err
		},
		"Network": func(ctx *pulumi.Context) error {
			_, err := NewNetwork(ctx, "net", bad)
			return err
		},
		"Cluster": func(ctx *pulumi.Context) error {
			_, err := NewCluster(ctx, "cl", ClusterArgs{
				Spec:              bad,
				ResourceGroupName: pulumi.String("rg"),
				NodeSubnetID:      pulumi.String(testSubPrefix + "nodes"),
			})
			return err
		},
	}
	for name, construct := range constructors {
		t.Run(name, func(t *testing.T) {
			m := newMocks()
			var got error
			err := run(t, m, func(ctx *pulumi.Context) error {
				got = construct(ctx)
				return got
			})
			require.Error(t, err)
			assert.Empty(t, m.all(), "no resource may be registered")
			assert.Empty(t, m.calls)

			var specErr *spec.InvalidError
			require.True(t, errors.As(got, &specErr), "a *spec.InvalidError, got %T", got)
			paths := map[string]bool{}
			for _, e := range specErr.Errs {
				paths[e.Field] = true
			}
			for _, p := range []string{"network.serviceCidr", "userPools[0].osType", "security.adminGroupObjectIds[0]"} {
				assert.True(t, paths[p], "error for %s in %v", p, specErr.Errs)
			}
			assert.Contains(t, specErr.Codes(), spec.CodeWindowsPool, "the rule codes are machine-readable")
			var fe *field.Error
			require.True(t, errors.As(got, &fe), "unwraps to the field errors")
			assert.Contains(t, got.Error(), "userPools[0].osType")
			assert.Contains(t, got.Error(), "nothing was deployed")
		})
	}

	t.Run("bad kubelogin mode", func(t *testing.T) {
		m := newMocks()
		err := run(t, m, func(ctx *pulumi.Context) error {
			_, err := NewPlatformWithArgs(ctx, "plat", PlatformArgs{
				Spec:      overlaySpec(),
				Kubelogin: kubeconfig.Options{Login: "devicecode"},
			})
			return err
		})
		require.Error(t, err)
		assert.Empty(t, m.all())
	})

	t.Run("cluster without its network", func(t *testing.T) {
		m := newMocks()
		err := run(t, m, func(ctx *pulumi.Context) error {
			_, err := NewCluster(ctx, "cl", ClusterArgs{Spec: podSubnetSpec()})
			return err
		})
		require.Error(t, err)
		for _, want := range []string{"ResourceGroupName", "NodeSubnetID", "PodSubnetIDs"} {
			assert.Contains(t, err.Error(), want)
		}
		assert.Empty(t, m.all())
	})
}

// TestSpecErrorMessage checks the error names the component and lists
// every problem with its path and rule code.
func TestSpecErrorMessage(t *testing.T) {
	m := newMocks()
	bad := overlaySpec()
	bad.Name = ""
	bad.SystemPool.OSType = "Windows"
	err := run(t, m, func(ctx *pulumi.Context) error {
		_, err := NewPlatform(ctx, "plat", bad)
		return err
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "aks-cilium: plat: nothing was deployed: invalid spec (2 problems):\n"+
		"  - name: Required value: [SPEC010] the cluster name")
	assert.Contains(t, err.Error(), `  - systemPool.osType: Invalid value: "Windows": [SPEC201] `+spec.WindowsPoolsUnsupported)
}

// TestStandaloneComponents: Network and Cluster compose by hand the way
// Platform composes them.
func TestStandaloneComponents(t *testing.T) {
	c := podSubnetSpec()
	m := newMocks()
	require.NoError(t, run(t, m, func(ctx *pulumi.Context) error {
		n, err := NewNetwork(ctx, "net", c)
		if err != nil {
			return err
		}
		cl, err := NewCluster(ctx, "aks", ClusterArgs{
			Spec:              c,
			ResourceGroupName: n.ResourceGroupName,
			NodeSubnetID:      n.NodeSubnetID,
			PodSubnetIDs:      n.PodSubnetIDs,
		})
		if err != nil {
			return err
		}
		ctx.Export("kubeconfig", cl.Kubeconfig)
		return nil
	}))
	for _, r := range m.all() {
		switch r.Type {
		case NetworkType, ClusterType:
			assert.Equal(t, resource.RootStackType, r.ParentURN.Type())
		}
	}
	assert.Equal(t, vnetSubnetID(c, "podsapps"), prop(t, m.one(t, tokAgentPool).Inputs, "podSubnetID"))
}

func ptr[T any](v T) *T { return &v }
