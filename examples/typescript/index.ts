// An AKS cluster with Azure CNI powered by Cilium (overlay mode) and the
// baseline network policies: the aks-cilium Platform component from
// TypeScript. Generate the SDK into sdk/nodejs first (see README.md):
//
//   pulumi package gen-sdk pulumi-resource-aks-cilium --language nodejs --out sdk
//   npm install && npm install ./sdk/nodejs
import * as pulumi from "@pulumi/pulumi";
import * as akscilium from "@aks-cilium/aks-cilium";

const config = new pulumi.Config();

const platform = new akscilium.Platform("platform", {
    // The cluster spec: the fields of spec.Cluster, plain values (the spec is
    // validated, every problem at once, before anything is created).
    cluster: {
        name: "aks-cilium-ts",
        location: config.get("location") ?? "westeurope",
        resourceGroup: { name: "rg-aks-cilium-ts" },
        kubernetesVersion: "1.35",
        network: {
            mode: { overlay: { podCidr: "192.168.0.0/16" } },
            serviceCidr: "10.0.0.0/16",
            dnsServiceIP: "10.0.0.10",
            vnet: {
                name: "vnet-aks-cilium-ts",
                addressSpace: ["10.20.0.0/16"],
                nodeSubnet: { name: "nodes", cidr: "10.20.0.0/22" },
            },
        },
        systemPool: {
            name: "system",
            vmSize: "Standard_D4ds_v5",
            count: 2,
            taints: ["CriticalAddonsOnly=true:NoSchedule"],
        },
        userPools: [{ name: "apps", vmSize: "Standard_D4ds_v5", count: config.getNumber("appsNodes") ?? 1 }],
        security: { azureRbac: true, adminGroupObjectIds: [config.require("adminGroupObjectId")] },
        tags: { environment: "dev", managedBy: "pulumi-typescript" },
    },
    policies: { namespaces: ["shop", "blog"], createNamespaces: true },
    kubelogin: { login: akscilium.kubeconfig.LoginMode.AzureCLI },
});

export const clusterId = platform.clusterId;
export const fqdn = platform.fqdn;
export const minCiliumVersion = platform.minCiliumVersion;
export const kubeconfig = platform.kubeconfig; // secret
