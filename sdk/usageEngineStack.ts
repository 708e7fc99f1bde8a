import type * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DataAlarms } from "./alarms";
import {
  pullSecretName,
  type ResolvedStack,
  resolveStackArgs,
  SYSTEM_DATABASE_NAME,
  type UsageEngineStackArgs,
  Validated,
} from "./args";
import { AuthorizationServerSecrets } from "./authorization";
import { BackupPlan } from "./backup";
import { type ChartInputs, chartValues, redactedChartValues } from "./chart/values";
import { SystemCredentials } from "./credentials";
import { SystemDatabase } from "./database";
import { DataKey, installationKeyCopyVault, installationKeyServices, withInstallationKey } from "./dataKey";
import { chartExposure, Exposure, type IngressCertificate } from "./exposure";
import { fingerprintKey } from "./fingerprint";
import { managedLabels } from "./kubernetes";
import { RegistryAccess } from "./registry";
import { uepeRelease } from "./release";
import { SharedStorage } from "./storage";
import { Tls } from "./tls";
import { UpgradeSteps } from "./upgradeSteps";

export type { ChartSourceOptions, UsageEngineStackArgs } from "./args";

/**
 * Usage Engine Private Edition on an existing EKS cluster: system database, shared storage,
 * backups, TLS, credentials, registry access and the Helm release, wired together.
 */
export class UsageEngineStack extends pulumi.ComponentResource {
  /** Namespace of the installation. */
  public readonly namespace: pulumi.Output<string>;
  /** Helm release name (empty while the release is held: `database.systemDatabaseReady` false). */
  public readonly releaseName: pulumi.Output<string>;
  /** Helm release status (e.g. `deployed`; `held` while `database.systemDatabaseReady` is false). */
  public readonly releaseStatus: pulumi.Output<string>;
  /** `host:port` of the system database. */
  public readonly databaseEndpoint: pulumi.Output<string>;
  /** Administrator user of the database server (the RDS master user), e.g. for DigitalRoute's database tool. */
  public readonly databaseAdminUser: pulumi.Output<string>;
  /**
   * Administrator password of the database server (secret): the RDS master password, or the
   * external server's when given; empty otherwise.
   */
  public readonly databaseAdminPassword: pulumi.Output<string>;
  /** RDS instance identifier (empty for an external database). */
  public readonly databaseInstanceId: pulumi.Output<string>;
  /** EFS file system id (empty unless storage mode is `efs`). */
  public readonly fileSystemId: pulumi.Output<string>;
  /** EFS access point id (empty unless storage mode is `efs`). */
  public readonly accessPointId: pulumi.Output<string>;
  /** PVC mounted as the platform's shared storage (empty when persistence is off). */
  public readonly claimName: pulumi.Output<string>;
  /** AWS Backup vault name (empty when backups are disabled). */
  public readonly backupVaultName: pulumi.Output<string>;
  /** AWS Backup plan id of the RDS instance (empty when backups are off or no RDS is created). */
  public readonly backupPlanId: pulumi.Output<string>;
  /** AWS Backup plan id of EFS, backed up after the database (empty when backups are off or no EFS). */
  public readonly fileSystemBackupPlanId: pulumi.Output<string>;
  /** ARN of the IAM role AWS Backup restores with (empty unless `backup.createRestoreRole`). */
  public readonly backupRestoreRoleArn: pulumi.Output<string>;
  /** ARN of the installation's KMS key for RDS, EFS and the vault (empty when you gave every key). */
  public readonly dataKeyArn: pulumi.Output<string>;
  /** Name of the cert-manager issuer the platform certificate uses (empty unless TLS mode is `certManager`). */
  public readonly issuerName: pulumi.Output<string>;
  /** URL of the platform's REST endpoints behind the ingress (empty without `exposure.ingress`). */
  public readonly platformUrl: pulumi.Output<string>;
  /** URL of Desktop Online behind the ingress (empty without `exposure.ingress`). */
  public readonly desktopOnlineUrl: pulumi.Output<string>;
  /** Name of the system credentials Secret (`env-secrets`). */
  public readonly envSecretName: pulumi.Output<string>;
  /** Name of the image pull secret (empty for a mirror without one). */
  public readonly pullSecretName: pulumi.Output<string>;
  /** The chart values given to the release (secret: they carry the license key). */
  // biome-ignore lint/suspicious/noExplicitAny: chart values are free-form by nature
  public readonly chartValues: pulumi.Output<{ [key: string]: any }>;
  /**
   * The chart values as a reviewer sees them (not secret): the same keys, sorted, every secret
   * leaf (the license, secret Outputs in `values`) shown as `[secret:xxxxxxxx]`, a fingerprint
   * keyed with random bytes kept secret in state. `pulumi preview --diff` shows a changed value as
   * a one-line change and a changed secret as a changed marker.
   */
  // biome-ignore lint/suspicious/noExplicitAny: chart values are free-form by nature
  public readonly chartValuesRedacted: pulumi.Output<{ [key: string]: any }>;
  /** The `env-secrets` keys, each with the marker of its value: which credential changed, never what it is. */
  public readonly envSecretsRedacted: pulumi.Output<Record<string, string>>;
  /** The `authorization-server-secrets` keys with markers (empty when the chart creates that Secret). */
  public readonly authorizationServerSecretsRedacted: pulumi.Output<Record<string, string>>;
  /** The Helm release of the platform (undefined while it is held: `database.systemDatabaseReady` false). */
  public readonly release?: k8s.helm.v3.Release;
  /** The RDS instance (absent with an external database). */
  public readonly databaseInstance?: aws.rds.Instance;
  /** The EFS file system (absent unless storage mode is `efs`). */
  public readonly fileSystem?: aws.efs.FileSystem;
  /** Id of the security group in front of the RDS instance (empty with an external database). */
  public readonly databaseSecurityGroupId: pulumi.Output<string>;
  /** Id of the security group in front of the EFS mount targets (empty unless storage mode is `efs`). */
  public readonly fileSystemSecurityGroupId: pulumi.Output<string>;
  /** RDS snapshot taken before this upgrade (empty unless `upgrade.fromVersion` differs from `version`). */
  public readonly preUpgradeSnapshotIdentifier: pulumi.Output<string>;
  /** ARN of the SNS topic alarms and data-layer notifications go to (empty when alarms are off). */
  public readonly alarmTopicArn: pulumi.Output<string>;
  /** Names of the CloudWatch alarms on the data layer (empty when alarms are off). */
  public readonly alarmNames: pulumi.Output<string[]>;

  constructor(name: string, args: UsageEngineStackArgs, opts?: pulumi.ComponentResourceOptions) {
    const r = resolveStackArgs(args);
    super("usage-engine:index:UsageEngineStack", name, {}, opts);
    for (const warning of r.warnings) pulumi.log.warn(warning, this);

    const namespace = installationNamespace(name, r, this);
    const reviewKey = fingerprintKey(name, this);
    const secrets = systemSecrets(name, r, namespace, reviewKey, this);
    const key = dataKey(name, r, this);
    const data = withInstallationKey(r, key?.keyArn);
    const database = systemDatabase(name, data, secrets.credentials.adminPassword, this);
    const storage = sharedStorage(name, data, namespace, this);
    const backup = backupPlan(
      name,
      data,
      { database: database.rds?.arn, fileSystem: storage?.fileSystemArn },
      this,
    );
    const alarms = dataAlarms(name, data, { rds: database.rds, storage, backup }, this);
    const access = platformAccess(name, r, namespace, this);
    const inputs = chartInputs(r, { database, storage, ...access });
    const values = chartValues(inputs, r.values);
    const consumed = [secrets.credentials, secrets.authorization, access.tls, ...present(storage)];
    const upgrade = upgradeSteps(
      name,
      r,
      { database, storage, backup, ready: [...consumed, access.registry] },
      this,
    );
    const release = r.database.systemDatabaseReady
      ? uepeRelease(
          `${name}-release`,
          { releaseName: r.releaseName, namespace, chart: r.chart, values },
          { parent: this, dependsOn: [...consumed, ...(upgrade?.beforeRelease ?? [])] },
        )
      : holdRelease(this);
    if (release) upgrade?.startPlatformAfter(release);

    this.namespace = namespace;
    this.releaseName = release?.name ?? pulumi.output("");
    this.releaseStatus = release?.status.status ?? pulumi.output(HELD_RELEASE_STATUS);
    this.databaseEndpoint = database.endpoint;
    this.databaseAdminUser = database.adminUser;
    this.databaseAdminPassword = databaseAdminPassword(r, secrets.credentials);
    this.databaseInstanceId = database.rds?.instanceId ?? pulumi.output("");
    this.fileSystemId = storage?.fileSystemId ?? pulumi.output("");
    this.accessPointId = storage?.accessPointId ?? pulumi.output("");
    this.claimName = pulumi.output(claimName(r, storage) ?? "");
    this.backupVaultName = backup?.vaultName ?? pulumi.output("");
    this.backupPlanId = backup?.databasePlanId ?? pulumi.output("");
    this.fileSystemBackupPlanId = backup?.fileSystemPlanId ?? pulumi.output("");
    this.backupRestoreRoleArn = backup?.restoreRoleArn ?? pulumi.output("");
    this.dataKeyArn = key?.keyArn ?? pulumi.output("");
    this.issuerName = access.tls.issuerName;
    this.platformUrl = access.exposure.platformUrl;
    this.desktopOnlineUrl = access.exposure.desktopOnlineUrl;
    this.envSecretName = secrets.credentials.secretName;
    this.pullSecretName = access.registry.pullSecretName;
    this.chartValues = values;
    this.chartValuesRedacted = redactedChartValues(inputs, r.values, reviewKey);
    this.envSecretsRedacted = secrets.credentials.redactedData;
    this.authorizationServerSecretsRedacted = secrets.authorization.redactedData;
    this.release = release;
    this.databaseInstance = database.rds?.instance;
    this.fileSystem = storage?.fileSystem;
    this.databaseSecurityGroupId = database.rds?.securityGroupId ?? pulumi.output("");
    this.fileSystemSecurityGroupId = storage?.securityGroupId ?? pulumi.output("");
    this.preUpgradeSnapshotIdentifier = upgrade?.snapshotIdentifier ?? pulumi.output("");
    this.alarmTopicArn = alarms?.topicArn ?? pulumi.output("");
    this.alarmNames = alarms?.alarmNames ?? pulumi.output([]);
    this.registerOutputs({
      namespace: this.namespace,
      releaseName: this.releaseName,
      releaseStatus: this.releaseStatus,
      databaseEndpoint: this.databaseEndpoint,
      databaseAdminUser: this.databaseAdminUser,
      databaseAdminPassword: this.databaseAdminPassword,
      databaseInstanceId: this.databaseInstanceId,
      fileSystemId: this.fileSystemId,
      accessPointId: this.accessPointId,
      claimName: this.claimName,
      backupVaultName: this.backupVaultName,
      backupPlanId: this.backupPlanId,
      fileSystemBackupPlanId: this.fileSystemBackupPlanId,
      backupRestoreRoleArn: this.backupRestoreRoleArn,
      dataKeyArn: this.dataKeyArn,
      issuerName: this.issuerName,
      platformUrl: this.platformUrl,
      desktopOnlineUrl: this.desktopOnlineUrl,
      envSecretName: this.envSecretName,
      pullSecretName: this.pullSecretName,
      chartValues: this.chartValues,
      chartValuesRedacted: this.chartValuesRedacted,
      envSecretsRedacted: this.envSecretsRedacted,
      authorizationServerSecretsRedacted: this.authorizationServerSecretsRedacted,
      release: this.release,
      databaseInstance: this.databaseInstance,
      fileSystem: this.fileSystem,
      databaseSecurityGroupId: this.databaseSecurityGroupId,
      fileSystemSecurityGroupId: this.fileSystemSecurityGroupId,
      preUpgradeSnapshotIdentifier: this.preUpgradeSnapshotIdentifier,
      alarmTopicArn: this.alarmTopicArn,
      alarmNames: this.alarmNames,
    });
  }
}

/** `releaseStatus` while the release waits for a pre-created system database. */
export const HELD_RELEASE_STATUS = "held";

/**
 * No release yet: the system database is to be created with DigitalRoute's database tool against
 * the instance this run creates. Says what to do next.
 */
function holdRelease(parent: pulumi.Resource): undefined {
  pulumi.log.warn(
    "database.systemDatabaseReady is false: the UEPE release is held. Run DigitalRoute's database tool with the stack outputs databaseEndpoint, databaseAdminUser and databaseAdminPassword, then set database.systemDatabaseReady to true and run pulumi up again (docs/runbooks/pre-created-database.md).",
    parent,
  );
  return undefined;
}

/** The administrator password the user may need (secret): RDS's master password, or the one given for an external server. */
function databaseAdminPassword(r: ResolvedStack, credentials: SystemCredentials): pulumi.Output<string> {
  if (r.database.mode === "rds") return credentials.adminPassword;
  return pulumi.secret(r.credentials.passwords.admin ?? "");
}

/** The resources among these that exist. */
function present(...resources: (pulumi.Resource | undefined)[]): pulumi.Resource[] {
  return resources.filter((resource) => resource !== undefined);
}

/**
 * Pod Security Admission on the namespace the stack creates. The package's own workloads meet
 * `restricted`, so warnings and audit entries show any pod that does not; `enforce` is `baseline`
 * because the UEPE chart's pods are not documented to meet `restricted`.
 */
export const NAMESPACE_POD_SECURITY = {
  "pod-security.kubernetes.io/enforce": "baseline",
  "pod-security.kubernetes.io/warn": "restricted",
  "pod-security.kubernetes.io/audit": "restricted",
} as const;

/** The installation's namespace: created (and named) by the stack, or the user's. */
export function installationNamespace(
  name: string,
  r: ResolvedStack,
  parent: pulumi.Resource,
): pulumi.Output<string> {
  if (!r.createNamespace) return pulumi.output(r.namespace);
  return new k8s.core.v1.Namespace(
    `${name}-namespace`,
    { metadata: { name: r.namespace, labels: { ...managedLabels(), ...NAMESPACE_POD_SECURITY } } },
    { parent },
  ).metadata.name;
}

/** The Secrets the chart reads its credentials from: env-secrets and authorization-server-secrets. */
export function systemSecrets(
  name: string,
  r: ResolvedStack,
  namespace: pulumi.Output<string>,
  fingerprintKey: pulumi.Output<string>,
  parent: pulumi.Resource,
): { credentials: SystemCredentials; authorization: AuthorizationServerSecrets } {
  return {
    credentials: new SystemCredentials(
      `${name}-credentials`,
      new Validated({ namespace, credentials: r.credentials, fingerprintKey }),
      { parent },
    ),
    authorization: new AuthorizationServerSecrets(
      `${name}-authorization`,
      new Validated({ namespace, authorizationServer: r.authorizationServer, fingerprintKey }),
      { parent },
    ),
  };
}

/** The system database as the chart sees it, and the RDS instance when the package creates one. */
export interface DatabaseLayer {
  rds?: SystemDatabase;
  endpoint: pulumi.Output<string>;
  adminUser: pulumi.Output<string>;
  chart: ChartInputs["database"];
}

/** RDS when `mode` is `rds` (its master password from env-secrets); otherwise the external database. */
export function systemDatabase(
  name: string,
  r: ResolvedStack,
  adminPassword: pulumi.Output<string>,
  parent: pulumi.Resource,
): DatabaseLayer {
  const db = r.database;
  if (db.mode === "external")
    return {
      endpoint: pulumi.interpolate`${db.host}:${db.port}`,
      adminUser: pulumi.output(db.adminUser),
      chart: {
        type: db.type,
        host: db.host,
        port: db.port,
        name: db.name,
        adminUser: db.adminUser,
        createSystemDatabase: db.createSystemDatabase,
      },
    };
  const rds = new SystemDatabase(
    `${name}-database`,
    new Validated({ database: db, adminPassword, tags: r.tags, protect: r.protectData }),
    { parent },
  );
  return {
    rds,
    endpoint: rds.endpoint,
    adminUser: rds.adminUser,
    chart: {
      type: "postgresql",
      host: rds.address,
      port: rds.port,
      name: SYSTEM_DATABASE_NAME,
      adminUser: rds.adminUser,
      createSystemDatabase: db.createSystemDatabase,
    },
  };
}

/** EFS with its PV and claim, when `storage.mode` is `efs`. */
export function sharedStorage(
  name: string,
  r: ResolvedStack,
  namespace: pulumi.Output<string>,
  parent: pulumi.Resource,
): SharedStorage | undefined {
  if (r.storage.mode !== "efs") return undefined;
  return new SharedStorage(
    `${name}-storage`,
    new Validated({ storage: r.storage, namespace, tags: r.tags, protect: r.protectData }),
    { parent },
  );
}

/**
 * The installation's customer managed key, created before the data it encrypts (RDS, EFS and the
 * backup vault wait only for its ARN); none when the user gave a key for each of them.
 */
export function dataKey(name: string, r: ResolvedStack, parent: pulumi.Resource): DataKey | undefined {
  const services = installationKeyServices(r);
  if (services.length === 0) return undefined;
  return new DataKey(
    `${name}-data`,
    new Validated({ services, copyToVaultArn: installationKeyCopyVault(r), tags: r.tags }),
    { parent },
  );
}

/** AWS Backup of whatever data the stack created (RDS, EFS); none when disabled or nothing to back up. */
export function backupPlan(
  name: string,
  r: ResolvedStack,
  arns: { database?: pulumi.Output<string>; fileSystem?: pulumi.Output<string> },
  parent: pulumi.Resource,
): BackupPlan | undefined {
  if (!r.backup.enabled || (arns.database === undefined && arns.fileSystem === undefined)) return undefined;
  return new BackupPlan(
    `${name}-backup`,
    new Validated({
      backup: r.backup,
      databaseArn: arns.database,
      fileSystemArn: arns.fileSystem,
      tags: r.tags,
      protect: r.protectData,
    }),
    { parent },
  );
}

/**
 * Alarms on what the stack created: the RDS instance, the EFS file system, the backup vault, each
 * sized from its resolved settings and watched through its own outputs.
 */
export function dataAlarms(
  name: string,
  r: ResolvedStack,
  parts: { rds?: SystemDatabase; storage?: SharedStorage; backup?: BackupPlan },
  parent: pulumi.Resource,
): DataAlarms | undefined {
  const { alarms, database: db, storage: fs, backup } = r;
  if (!alarms.enabled || !(parts.rds || parts.storage || parts.backup)) return undefined;
  const maxConnections = db.mode === "rds" ? db.parameters.max_connections : undefined;
  return new DataAlarms(
    `${name}-alarms`,
    new Validated({
      alarms,
      database:
        parts.rds && db.mode === "rds"
          ? {
              instanceId: parts.rds.instanceId,
              instanceClass: db.instanceClass,
              allocatedStorage: db.allocatedStorage,
              maxAllocatedStorage: db.maxAllocatedStorage,
              multiAz: db.multiAz,
              maxConnections:
                maxConnections && /^\d+$/.test(maxConnections) ? Number(maxConnections) : undefined,
            }
          : undefined,
      fileSystem:
        parts.storage && fs.mode === "efs"
          ? { fileSystemId: parts.storage.fileSystemId, throughputMode: fs.throughput.mode }
          : undefined,
      backupVault:
        parts.backup && backup.enabled
          ? { vaultName: parts.backup.vaultName, copyEnabled: backup.copy !== undefined }
          : undefined,
      tags: r.tags,
    }),
    { parent },
  );
}

/** How the platform is reached and trusted, and where its images come from. */
export function platformAccess(
  name: string,
  r: ResolvedStack,
  namespace: pulumi.Output<string>,
  parent: pulumi.Resource,
): { tls: Tls; exposure: Exposure; registry: RegistryAccess } {
  return {
    tls: new Tls(
      `${name}-tls`,
      new Validated({
        tls: r.tls,
        namespace,
        domain: r.exposure.domain,
        ingressClassName: r.exposure.ingress?.className,
        tags: r.tags,
      }),
      { parent },
    ),
    exposure: new Exposure(`${name}-exposure`, new Validated({ exposure: r.exposure }), { parent }),
    registry: new RegistryAccess(`${name}-registry`, new Validated({ registry: r.registry, namespace }), {
      parent,
    }),
  };
}

/**
 * The vendor's upgrade steps around the release, when `version` moves away from
 * `upgrade.fromVersion`: named after both versions, so a new upgrade gets new steps. The platform
 * goes down only once everything else the new release consumes (`ready`) exists.
 */
export function upgradeSteps(
  name: string,
  r: ResolvedStack,
  parts: { database: DatabaseLayer; storage?: SharedStorage; backup?: BackupPlan; ready: pulumi.Resource[] },
  parent: pulumi.Resource,
): UpgradeSteps | undefined {
  const u = r.upgrade;
  if (u.kind !== "upgrade") return undefined;
  const { rds } = parts.database;
  const { storage, backup } = parts;
  const fs = u.backupFileSystem;
  return new UpgradeSteps(
    `${name}-upgrade-${u.fromVersion}-to-${r.version}`,
    new Validated({
      namespace: r.namespace,
      releaseName: r.releaseName,
      fromVersion: u.fromVersion,
      toVersion: r.version,
      shutdown: u.shutdownPlatform ? u.platform : undefined,
      snapshot: u.snapshotDatabase && rds ? { instanceId: rds.instanceId } : undefined,
      fileSystemBackup:
        fs.enabled && storage && backup && r.backup.enabled
          ? {
              fileSystemArn: storage.fileSystemArn,
              vaultName: backup.vaultName,
              vaultArn: backup.vaultArn,
              backupRoleArn: backup.roleArn,
              retentionDays: r.backup.retentionDays,
              identity: fs.identity,
            }
          : undefined,
      images: u.images,
      shutdownAfter: parts.ready,
      tags: r.tags,
    }),
    { parent },
  );
}

/** The PVC the platform mounts: the package's EFS claim, the user's claim, or none. */
function claimName(r: ResolvedStack, storage: SharedStorage | undefined): pulumi.Input<string> | undefined {
  if (storage) return storage.claimName;
  return r.storage.mode === "existingClaim" ? r.storage.claimName : undefined;
}

/** Everything the chart values are rendered from. */
export function chartInputs(
  r: ResolvedStack,
  parts: { database: DatabaseLayer; storage?: SharedStorage; tls: Tls; registry: RegistryAccess },
): ChartInputs {
  const images = r.registry.imageRepository;
  return {
    licenseKey: r.licenseKey,
    database: parts.database.chart,
    claimName: claimName(r, parts.storage),
    tls: tlsValues(r, parts.tls),
    // Resolves once the pull secret exists (bootstrap Job done): the release waits for that
    // data dependency, not for the refresher CronJob.
    imagePullSecretNames: pullSecretName(r.registry) !== undefined ? [parts.registry.pullSecretName] : [],
    images: images ? { repository: images, version: r.version } : undefined,
    serviceType: r.exposure.serviceType,
    domain: r.exposure.domain,
    suspend: r.backup.coldBackupWindow,
    exposure: chartExposure(r.exposure, ingressCertificate(r, parts.tls)),
  };
}

function tlsValues(r: ResolvedStack, tls: Tls): ChartInputs["tls"] {
  if (r.tls.mode === "certManager")
    return { mode: "certManager", issuerKind: tls.issuerKind, issuerName: tls.issuerName };
  if (r.tls.mode === "secret") return { mode: "secret", secretName: tls.secretName };
  return { mode: "disabled" };
}

/** The certificate the ingress hosts get: issued by the platform's issuer, or the TLS Secret. */
function ingressCertificate(r: ResolvedStack, tls: Tls): IngressCertificate {
  if (r.tls.mode === "certManager")
    return {
      source: "certManager",
      issuerKind: r.tls.issuer.kind,
      issuerName: tls.issuerName,
      secretName: `${r.releaseName}-ingress-tls`,
    };
  if (r.tls.mode === "secret") return { source: "secret", secretName: tls.secretName };
  return { source: "none" };
}
