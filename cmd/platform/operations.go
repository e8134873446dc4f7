package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	azfake "github.com/Azure/azure-sdk-for-go/sdk/azcore/fake"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/aks-cilium/aks-cilium/automation/migrate"
	"github.com/aks-cilium/aks-cilium/automation/verify"
	"github.com/aks-cilium/aks-cilium/sim/azuresim"
)

// simulatedVerifyChecks are the checks that mean something on the local
// API server of --simulate: it has no nodes or kubelet, so the log scan and
// the policy probe (which need running pods) are left out.
var simulatedVerifyChecks = []string{
	verify.CheckCiliumDaemonSet, verify.CheckCiliumOperator, verify.CheckNoKubeProxy,
	verify.CheckEndpointSlices, verify.CheckCiliumVersion,
}

// runVerify checks the deployed cluster (verify.Stack, through the stack's
// kubeconfig output). With --simulate there is no AKS cluster: it checks
// the local kube-apiserver the policies went to, where no Cilium runs, and
// says so.
func runVerify(ctx context.Context, s *session, o *options, stderr io.Writer) (*verify.Report, error) {
	opts := verify.Options{Since: time.Now().Add(-o.since)}
	if !s.simulated {
		return verify.Stack(ctx, s.eng, o.stack, opts)
	}
	if s.sim.APIServer == nil {
		return nil, fmt.Errorf("verify --simulate needs the local kube-apiserver: %s", s.sim.NoAPIServerReason)
	}
	fmt.Fprintln(stderr, "SIMULATED: verifying the local kube-apiserver, where no Cilium runs; the Cilium checks fail there by design")
	opts.Checks = simulatedVerifyChecks
	return verify.Run(ctx, rest.CopyConfig(s.sim.APIServer), opts)
}

// migrateTarget is the cluster migrate works on.
type migrateTarget struct{ subscription, resourceGroup, cluster string }

// migrateTargetOf resolves the cluster from the flags, the config's spec and
// AZURE_SUBSCRIPTION_ID (with --simulate, the simulator's subscription),
// before anything starts.
func migrateTargetOf(o *options, cfg *stackConfig) (migrateTarget, error) {
	t := migrateTarget{o.subscription, o.resourceGroup, o.cluster}
	if cfg != nil {
		if t.resourceGroup == "" {
			t.resourceGroup = cfg.Cluster.ResourceGroup.Name
		}
		if t.cluster == "" {
			t.cluster = cfg.Cluster.Name
		}
	}
	if o.simulate {
		t.subscription = azuresim.DefaultSubscriptionID
	}
	if t.subscription == "" {
		t.subscription = os.Getenv("AZURE_SUBSCRIPTION_ID")
	}
	if t.resourceGroup == "" || t.cluster == "" || t.subscription == "" {
		return t, usageError{"platform migrate needs the cluster: --config (or --resource-group and --cluster), and --subscription or AZURE_SUBSCRIPTION_ID"}
	}
	return t, nil
}

// runMigrate plans (and with --apply, performs) the in-place migration of
// the stack's cluster to the Cilium data plane, through ARM; migrate.ApplyToStack
// refreshes the stack afterwards. With --simulate the ARM calls go to the
// simulator's ARM front end.
func runMigrate(ctx context.Context, s *session, o *options, t migrateTarget, stderr io.Writer) (*migrate.Plan, *migrate.Result, error) {
	clientOpts := migrate.ClientOptions{}
	if s.simulated {
		clientOpts.Credential = &azfake.TokenCredential{}
		clientOpts.ARM = arm.ClientOptions{ClientOptions: policy.ClientOptions{Transport: s.sim.Azure.ARMTransport()}}
	}
	client, err := migrate.NewClient(clientOpts)
	if err != nil {
		return nil, nil, err
	}
	planOpts := migrate.PlanOptions{}
	if s.sim != nil && s.sim.APIServer != nil {
		cs, err := kubernetes.NewForConfig(s.sim.APIServer)
		if err != nil {
			return nil, nil, err
		}
		planOpts.Policies = cs.NetworkingV1().NetworkPolicies("")
	}
	plan, err := client.Plan(ctx, t.subscription, t.resourceGroup, t.cluster, planOpts)
	if err != nil || !o.apply {
		return plan, nil, err
	}
	res, err := migrate.ApplyToStack(ctx, s.eng, o.stack, client, plan, migrate.ApplyOptions{
		Timeout:      o.timeout,
		PollInterval: o.pollInterval,
		Progress:     func(e migrate.Event) { fmt.Fprintln(stderr, "  "+e.String()) },
	})
	return plan, res, err
}
