/**
 * Quickstart: Usage Engine Private Edition on a cluster you already have. Everything comes from
 * stack config (see README.md); the secrets are read as secrets and stay encrypted in state.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ClusterAddons, UsageEngineStack } from "pulumi-usage-engine";

const config = new pulumi.Config();

// An explicit provider: the cluster is the one in this kubeconfig, never the ambient context.
const cluster = new k8s.Provider("cluster", { kubeconfig: config.requireSecret("kubeconfig") });

// Cluster-wide software, once per cluster: cert-manager and a self-signed ClusterIssuer (testing
// only; give `issuer: { type: "acme", ... }` for real certificates). Skip this component when the
// cluster already runs cert-manager, and give the stack your issuer instead.
const addons = new ClusterAddons("cluster-addons", {}, { providers: { kubernetes: cluster } });

const uepe = new UsageEngineStack(
  "uepe",
  {
    version: config.get("version") ?? "4.2.0",
    licenseKey: config.requireSecret("licenseKey"),
    // `prod`: Multi-AZ, larger storage, and alarms on the data layer. Default: `dev`.
    database: {
      profile: config.get("profile", { allowedValues: ["dev", "prod"] }),
      identifier: config.get("databaseIdentifier"),
      backupRetentionDays: config.getNumber("databaseBackupRetentionDays"),
    },
    network: {
      vpcId: config.require("vpcId"),
      subnetIds: config.requireObject<string[]>("subnetIds"),
      allowedSecurityGroupIds: config.requireObject<string[]>("allowedSecurityGroupIds"),
    },
    registry: {
      accessKeyId: config.requireSecret("drAccessKeyId"),
      secretAccessKey: config.requireSecret("drSecretAccessKey"),
    },
    // The release waits for the issuer: its name resolves once the ClusterIssuer exists.
    tls: { issuer: { type: "existing", kind: addons.issuerKind, name: addons.issuerName } },
    // false for a throwaway stack: lets `pulumi destroy` delete the database, file system and vault.
    protectData: config.getBoolean("protectData"),
  },
  { providers: { kubernetes: cluster } },
);

export const namespace = uepe.namespace;
export const releaseStatus = uepe.releaseStatus;
export const databaseEndpoint = uepe.databaseEndpoint;
export const fileSystemId = uepe.fileSystemId;
export const backupVaultName = uepe.backupVaultName;
export const issuerName = uepe.issuerName;
// What a reviewer reads in `pulumi preview --diff`: every chart value, secrets as keyed markers.
export const chartValuesRedacted = uepe.chartValuesRedacted;
export const envSecretsRedacted = uepe.envSecretsRedacted;
