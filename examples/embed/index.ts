/**
 * An existing platform program: it owns its VPC and EKS cluster and runs two Usage Engine
 * installations side by side (a test and a staging environment, one namespace each). The
 * component is one more resource here; explicit aws and kubernetes providers reach every child.
 */
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterAddons, UsageEngineStack } from "pulumi-usage-engine";

const config = new pulumi.Config();
const region = config.get("region") ?? "eu-west-1";
const tags = { team: "billing-platform", "cost-center": "4711" };

const awsProvider = new aws.Provider("platform", { region: region as aws.Region, defaultTags: { tags } });
const onAws = { provider: awsProvider };

// --- The platform's own network and cluster ---------------------------------------------------
const vpc = new aws.ec2.Vpc("platform", { cidrBlock: "10.40.0.0/16", enableDnsHostnames: true }, onAws);
const privateSubnets = ["a", "b"].map(
  (zone, i) =>
    new aws.ec2.Subnet(
      `platform-private-${zone}`,
      { vpcId: vpc.id, cidrBlock: `10.40.${i * 16}.0/20`, availabilityZone: `${region}${zone}` },
      onAws,
    ),
);

const assumedBy = (service: string) =>
  JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
  });
const clusterRole = new aws.iam.Role(
  "platform-cluster",
  { assumeRolePolicy: assumedBy("eks.amazonaws.com") },
  onAws,
);
new aws.iam.RolePolicyAttachment(
  "platform-cluster",
  { role: clusterRole.name, policyArn: "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy" },
  onAws,
);
const cluster = new aws.eks.Cluster(
  "platform",
  {
    roleArn: clusterRole.arn,
    // kubectl is supported one minor either side: 1.35 stays inside the refresher's kubectl v1.36.
    version: "1.35",
    vpcConfig: { subnetIds: privateSubnets.map((s) => s.id), endpointPrivateAccess: true },
    accessConfig: { authenticationMode: "API" },
  },
  onAws,
);
const nodeRole = new aws.iam.Role(
  "platform-nodes",
  { assumeRolePolicy: assumedBy("ec2.amazonaws.com") },
  onAws,
);
for (const policy of [
  "AmazonEKSWorkerNodePolicy",
  "AmazonEKS_CNI_Policy",
  "AmazonEC2ContainerRegistryReadOnly",
])
  new aws.iam.RolePolicyAttachment(
    `platform-nodes-${policy}`,
    { role: nodeRole.name, policyArn: `arn:aws:iam::aws:policy/${policy}` },
    onAws,
  );
new aws.eks.NodeGroup(
  "platform",
  {
    clusterName: cluster.name,
    nodeRoleArn: nodeRole.arn,
    subnetIds: privateSubnets.map((s) => s.id),
    instanceTypes: ["m6i.xlarge"],
    scalingConfig: { minSize: 2, desiredSize: 3, maxSize: 6 },
  },
  onAws,
);

const kubeconfig = pulumi.jsonStringify({
  apiVersion: "v1",
  kind: "Config",
  clusters: [
    {
      name: "platform",
      cluster: { server: cluster.endpoint, "certificate-authority-data": cluster.certificateAuthority.data },
    },
  ],
  contexts: [{ name: "platform", context: { cluster: "platform", user: "platform" } }],
  "current-context": "platform",
  users: [
    {
      name: "platform",
      user: {
        exec: {
          apiVersion: "client.authentication.k8s.io/v1beta1",
          command: "aws",
          args: ["eks", "get-token", "--cluster-name", cluster.name, "--region", region],
        },
      },
    },
  ],
});
const k8sProvider = new k8s.Provider("platform", { kubeconfig });

// --- Usage Engine, twice -----------------------------------------------------------------------
const network = {
  vpcId: vpc.id,
  subnetIds: privateSubnets.map((s) => s.id),
  // The cluster security group is attached to the managed nodes: pods reach RDS and EFS through it.
  allowedSecurityGroupIds: [cluster.vpcConfig.clusterSecurityGroupId],
};
const registry = {
  accessKeyId: config.requireSecret("drAccessKeyId"),
  secretAccessKey: config.requireSecret("drSecretAccessKey"),
};
const providers = { aws: awsProvider, kubernetes: k8sProvider };

// Cluster-wide software, installed once and shared by both installations: cert-manager with its
// ClusterIssuer, and the EFS CSI driver their shared-storage volumes mount through (static
// volumes over an access point need no AWS identity for the driver).
const addons = new ClusterAddons("platform-addons", { efsCsiDriver: { enabled: true }, tags }, { providers });

const installation = (name: string) =>
  new UsageEngineStack(
    name,
    {
      version: "4.2.0",
      licenseKey: config.requireSecret(`${name}-license`),
      namespace: name,
      network,
      registry,
      tls: { issuer: { type: "existing", kind: addons.issuerKind, name: addons.issuerName } },
      tags: { ...tags, environment: name },
    },
    { providers },
  );

const test = installation("uepe-test");
const staging = installation("uepe-staging");
const installations = [test, staging];

export const vpcId = vpc.id;
export const clusterName = cluster.name;
export const namespaces = installations.map((i) => i.namespace);
export const databaseEndpoints = installations.map((i) => i.databaseEndpoint);
