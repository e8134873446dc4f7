"""An AKS cluster with Azure CNI powered by Cilium (overlay mode) and the
baseline network policies: the aks-cilium Platform component from Python.
Generate the SDK first (see README.md):

    pulumi package gen-sdk pulumi-resource-aks-cilium --language python --out sdk
    pip install ./sdk/python
"""
import pulumi
import pulumi_aks_cilium as akscilium

config = pulumi.Config()

platform = akscilium.Platform(
    "platform",
    # The cluster spec: the fields of spec.Cluster, plain values (validated,
    # every problem at once, before anything is created).
    cluster=akscilium.spec.ClusterArgs(
        name="aks-cilium-py",
        location=config.get("location") or "westeurope",
        resource_group=akscilium.spec.ResourceGroupArgs(name="rg-aks-cilium-py"),
        kubernetes_version="1.35",
        network=akscilium.spec.NetworkArgs(
            mode=akscilium.spec.PodIPModeArgs(overlay=akscilium.spec.OverlayArgs(pod_cidr="192.168.0.0/16")),
            service_cidr="10.0.0.0/16",
            dns_service_ip="10.0.0.10",
            vnet=akscilium.spec.VNetArgs(
                name="vnet-aks-cilium-py",
                address_space=["10.20.0.0/16"],
                node_subnet=akscilium.spec.SubnetArgs(name="nodes", cidr="10.20.0.0/22"),
            ),
        ),
        system_pool=akscilium.spec.NodePoolArgs(name="system", vm_size="Standard_D4ds_v5", count=2),
        user_pools=[akscilium.spec.NodePoolArgs(name="apps", vm_size="Standard_D4ds_v5", count=config.get_int("appsNodes") or 1)],
        security=akscilium.spec.SecurityArgs(azure_rbac=True, admin_group_object_ids=[config.require("adminGroupObjectId")]),
        tags={"environment": "dev", "managedBy": "pulumi-python"},
    ),
    policies=akscilium.netpol.StackPoliciesArgs(namespaces=["shop", "blog"], create_namespaces=True),
    kubelogin=akscilium.kubeconfig.OptionsArgs(login=akscilium.kubeconfig.LoginMode.AZURE_CLI),
)

pulumi.export("clusterId", platform.cluster_id)
pulumi.export("kubeconfig", platform.kubeconfig)  # secret
