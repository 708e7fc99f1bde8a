import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  type AuthorizationServerOptions,
  AuthorizationServerSecrets,
  checkAuthorizationServer,
} from "./authorization";
import { type BackupOptions, BackupPlan, resolveBackup } from "./backup";
import { CHART_NAME, CHART_REPOSITORY, type ChartInputs, chartValues, checkRemovedValues } from "./chart";
import { type CredentialsOptions, checkCredentials, SystemCredentials } from "./credentials";
import {
  checkAdminPassword,
  checkDatabaseNetwork,
  type DatabaseOptions,
  EXTERNAL_DATABASE_PORTS,
  RDS_ADMIN_USER,
  type ResolvedDatabase,
  resolveDatabase,
  SYSTEM_DATABASE_NAME,
  SystemDatabase,
  withExternalAdminPassword,
} from "./database";
import { managedLabels } from "./kubernetes";
import { checkDistinctZones, checkNetwork, checkTags, type NetworkOptions, type Tags } from "./network";
import {
  chartNetworking,
  type IngressCertificate,
  Networking,
  type NetworkingOptions,
  type ResolvedNetworking,
  resolveNetworking,
  type ServiceType,
} from "./networking";
import { RegistryAccess, type RegistryOptions, resolveRegistry } from "./registry";
import { uepeRelease } from "./release";
import { resolveStorage, SharedStorage, type StorageOptions } from "./storage";
import { resolveTls, Tls, type TlsOptions } from "./tls";
import { PreUpgradeSnapshot, type ResolvedUpgrade, resolveUpgrade, type UpgradeOptions } from "./upgrade";
import { Checker } from "./validation";

/** Where the UEPE chart comes from (override for mirrors and air-gapped installs). */
export interface ChartSourceOptions {
  /** Helm repository URL. Default: DigitalRoute's public chart repository. */
  repository?: string;
  /** Chart name. Default: `usage-engine-private-edition`. */
  name?: string;
  /** Chart version. Default: `version`. */
  version?: string;
}

export interface UsageEngineStackArgs {
  /** UEPE version: the chart version and the image tag, e.g. `4.2.0`. */
  version: string;
  /** License key text issued by DigitalRoute for this version; always treated as a secret. */
  licenseKey: pulumi.Input<string>;
  /** Namespace of the installation. Default: `uepe`. */
  namespace?: string;
  /** Helm release name. Default: `uepe`. */
  releaseName?: string;
  /** Create the namespace; false when it already exists. Default: true. */
  createNamespace?: boolean;
  /**
   * VPC, private subnets and allowed security groups; required when RDS or EFS are created.
   * Default: none (valid only with an external database and no EFS).
   */
  network?: NetworkOptions;
  /** System database. Default: RDS PostgreSQL with the `dev` profile. */
  database?: DatabaseOptions;
  /** Shared storage. Default: EFS with an access point at `/uepe` owned by 6000:6000. */
  storage?: StorageOptions;
  /** AWS Backup of EFS and RDS. Default: enabled, daily at 03:00 UTC, 35 days. */
  backup?: BackupOptions;
  /** Platform TLS. Default: cert-manager with a self-signed ClusterIssuer (testing only). */
  tls?: TlsOptions;
  /** Where images come from. Default: DigitalRoute's ECR (requires the access keys). */
  registry?: RegistryOptions;
  /** System credential overrides. Default: every password generated. */
  credentials?: CredentialsOptions;
  /** Authorization server credentials (`authorization-server-secrets`). Default: management API password generated, no JWT keystore. */
  authorizationServer?: AuthorizationServerOptions;
  /** How the platform is reached. Default: NodePort service, no ingress. */
  networking?: NetworkingOptions;
  /** Extra chart values, deep-merged last (you win over the package). Default: none. */
  // biome-ignore lint/suspicious/noExplicitAny: chart values are free-form by nature
  values?: { [key: string]: any };
  /** Chart source override. Default: DigitalRoute's repository, chart version = `version`. */
  chart?: ChartSourceOptions;
  /** Tags on every AWS resource. Default: none beyond `managed-by`. */
  tags?: Tags;
  /** Upgrade safety: the version running now, pre-upgrade RDS snapshot, downgrades. Default: none (first install). */
  upgrade?: UpgradeOptions;
}

const STACK_KEYS = [
  "version",
  "licenseKey",
  "namespace",
  "releaseName",
  "createNamespace",
  "network",
  "database",
  "storage",
  "backup",
  "tls",
  "registry",
  "credentials",
  "authorizationServer",
  "networking",
  "values",
  "chart",
  "tags",
  "upgrade",
];

/** Every argument with its default applied, after validation. */
export interface ResolvedStack {
  version: string;
  namespace: string;
  releaseName: string;
  createNamespace: boolean;
  database: ResolvedDatabase;
  storage: ReturnType<typeof resolveStorage>;
  backup: ReturnType<typeof resolveBackup>;
  tls: ReturnType<typeof resolveTls>;
  registry: ReturnType<typeof resolveRegistry>;
  serviceType: ServiceType;
  domain?: string;
  networking: ResolvedNetworking;
  chart: Required<ChartSourceOptions>;
  upgrade: ResolvedUpgrade;
}

function checkChartSource(check: Checker, path: string, chart: ChartSourceOptions | undefined): void {
  if (!check.knownKeys(path, chart, ["repository", "name", "version"])) return;
  check.pattern(
    `${path}.repository`,
    chart.repository,
    /^(https?|oci):\/\/\S+$/,
    "an https:// or oci:// repository URL",
  );
  check.rfc1123Label(`${path}.name`, chart.name);
  check.semver(`${path}.version`, chart.version);
}

/** Validates every argument and applies defaults; throws one error listing all problems. */
export function resolveStackArgs(args: UsageEngineStackArgs): ResolvedStack {
  const check = new Checker("UsageEngineStack");
  if (!check.knownKeys("", args, STACK_KEYS)) check.throwIfAny();
  check.required("version", args.version, "a UEPE version such as 4.2.0");
  check.semver("version", args.version);
  check.required("licenseKey", args.licenseKey, "the license key text (secret)");
  check.secret("licenseKey", args.licenseKey);
  const database = resolveDatabase(check, "database", args.database);
  const tls = resolveTls(check, "tls", args.tls);
  const networking = resolveNetworking(check, "networking", args.networking, tls.mode !== "disabled");
  const resolved: ResolvedStack = {
    version: args.version,
    namespace: args.namespace ?? "uepe",
    releaseName: args.releaseName ?? "uepe",
    createNamespace: args.createNamespace ?? true,
    database,
    storage: resolveStorage(check, "storage", args.storage),
    backup: resolveBackup(check, "backup", args.backup),
    tls,
    registry: resolveRegistry(check, "registry", args.registry),
    serviceType: networking.serviceType,
    domain: networking.domain,
    networking,
    chart: {
      repository: args.chart?.repository ?? CHART_REPOSITORY,
      name: args.chart?.name ?? CHART_NAME,
      version: args.chart?.version ?? args.version,
    },
    upgrade: resolveUpgrade(check, "upgrade", args.upgrade, args.version, database.mode === "rds"),
  };
  check.rfc1123Label("namespace", resolved.namespace);
  check.rfc1123Label("releaseName", resolved.releaseName, 53);
  check.boolean("createNamespace", args.createNamespace);
  if (resolved.database.mode === "rds")
    checkDatabaseNetwork(check, "network", args.network, resolved.database);
  else if (resolved.storage.mode === "efs") checkNetwork(check, "network", args.network, 1);
  if (resolved.storage.mode === "efs") checkDistinctZones(check, "network", args.network);
  checkAdminPassword(check, "database", resolved.database, args.credentials);
  checkCredentials(check, "credentials", args.credentials, resolved.database.external?.type ?? "postgresql");
  checkAuthorizationServer(check, "authorizationServer", args.authorizationServer);
  checkChartSource(check, "chart", args.chart);
  checkTags(check, "tags", args.tags);
  if (args.values !== undefined && (typeof args.values !== "object" || Array.isArray(args.values)))
    check.fail("values", "is not an object", "a map of chart values");
  else checkRemovedValues(check, "values", args.values, resolved.chart.version);
  check.throwIfAny();
  return resolved;
}

/**
 * Usage Engine Private Edition on an existing EKS cluster: system database, shared storage,
 * backups, TLS, credentials, registry access and the Helm release, wired together.
 */
export class UsageEngineStack extends pulumi.ComponentResource {
  /** Namespace of the installation. */
  public readonly namespace: pulumi.Output<string>;
  /** Helm release name. */
  public readonly releaseName: pulumi.Output<string>;
  /** Helm release status (e.g. `deployed`). */
  public readonly releaseStatus: pulumi.Output<string>;
  /** `host:port` of the system database. */
  public readonly databaseEndpoint: pulumi.Output<string>;
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
  /** AWS Backup plan id (empty when backups are disabled). */
  public readonly backupPlanId: pulumi.Output<string>;
  /** Name of the cert-manager issuer the platform certificate uses (empty unless TLS mode is `certManager`). */
  public readonly issuerName: pulumi.Output<string>;
  /** URL of the platform's REST endpoints behind the ingress (empty without `networking.ingress`). */
  public readonly platformUrl: pulumi.Output<string>;
  /** URL of Desktop Online behind the ingress (empty without `networking.ingress`). */
  public readonly desktopOnlineUrl: pulumi.Output<string>;
  /** Name of the system credentials Secret (`env-secrets`). */
  public readonly envSecretName: pulumi.Output<string>;
  /** Name of the image pull secret (empty for a mirror without one). */
  public readonly pullSecretName: pulumi.Output<string>;
  /** The chart values given to the release (secret: they carry the license key). */
  // biome-ignore lint/suspicious/noExplicitAny: chart values are free-form by nature
  public readonly chartValues: pulumi.Output<{ [key: string]: any }>;
  /** RDS snapshot taken before this upgrade (empty unless `upgrade.fromVersion` differs from `version`). */
  public readonly preUpgradeSnapshotIdentifier: pulumi.Output<string>;

  constructor(name: string, args: UsageEngineStackArgs, opts?: pulumi.ComponentResourceOptions) {
    const r = resolveStackArgs(args);
    super("usage-engine:index:UsageEngineStack", name, {}, opts);
    const child = { parent: this };

    const namespace = r.createNamespace
      ? new k8s.core.v1.Namespace(
          `${name}-namespace`,
          { metadata: { name: r.namespace, labels: managedLabels() } },
          child,
        ).metadata.name
      : pulumi.output(r.namespace);

    const credentials = new SystemCredentials(
      `${name}-credentials`,
      {
        namespace,
        // An external database's administrator password is the one env-secrets must carry.
        credentials: withExternalAdminPassword(args.credentials, r.database, this),
        databaseType: r.database.external?.type ?? "postgresql",
        storeAdminPassword: r.database.createSystemDatabase,
      },
      child,
    );
    const authorization = new AuthorizationServerSecrets(
      `${name}-authorization`,
      { namespace, authorizationServer: args.authorizationServer },
      child,
    );
    const database = this.systemDatabase(name, r, args, credentials);
    const storage =
      r.storage.mode === "efs"
        ? new SharedStorage(
            `${name}-storage`,
            { storage: args.storage, network: args.network!, namespace, tags: args.tags },
            child,
          )
        : undefined;
    const backupArns = [database.rds?.arn, storage?.fileSystemArn].filter((a) => a !== undefined);
    const backup =
      r.backup.enabled && backupArns.length > 0
        ? new BackupPlan(
            `${name}-backup`,
            { backup: args.backup, resourceArns: backupArns, tags: args.tags },
            child,
          )
        : undefined;
    const tls = new Tls(
      `${name}-tls`,
      {
        tls: args.tls,
        namespace,
        domain: r.networking.domain,
        ingressClassName: r.networking.ingress?.className,
        tags: args.tags,
      },
      child,
    );
    const networking = new Networking(
      `${name}-networking`,
      {
        networking: args.networking,
        tlsEnabled: r.tls.mode !== "disabled",
        ownerId: `${r.namespace}-${r.releaseName}`,
        tags: args.tags,
      },
      child,
    );
    const registry = new RegistryAccess(`${name}-registry`, { registry: args.registry, namespace }, child);

    const claimName =
      r.storage.mode === "efs"
        ? storage!.claimName
        : r.storage.mode === "existingClaim"
          ? r.storage.existingClaim
          : undefined;
    const inputs: ChartInputs = {
      licenseKey: args.licenseKey,
      database: database.chart,
      claimName,
      tls: tlsValues(r, tls),
      // Resolves once the pull secret exists (bootstrap Job done): the release waits for that
      // data dependency, not for the refresher CronJob.
      imagePullSecretNames: r.registry.pullSecretName ? [registry.pullSecretName] : [],
      images: r.registry.imageRepository
        ? { repository: r.registry.imageRepository, version: r.version }
        : undefined,
      serviceType: r.serviceType,
      domain: r.domain,
      suspend: r.backup.coldBackupWindow,
      networking: chartNetworking(r.networking, ingressCertificate(r, tls), r.tls.issuer.kind),
    };
    const values = chartValues(inputs, args.values);
    const preUpgrade =
      r.upgrade.snapshotDatabase && database.rds
        ? new PreUpgradeSnapshot(
            `${name}-pre-upgrade`,
            {
              instanceId: database.rds.instanceId,
              fromVersion: r.upgrade.fromVersion!,
              toVersion: r.version,
              tags: args.tags,
            },
            child,
          )
        : undefined;
    const release = uepeRelease(
      `${name}-release`,
      { releaseName: r.releaseName, namespace, chart: r.chart, values },
      {
        parent: this,
        dependsOn: [
          credentials,
          authorization,
          tls,
          ...(storage ? [storage] : []),
          ...(preUpgrade ? [preUpgrade] : []),
        ],
      },
      r.upgrade.holdRelease,
    );

    this.namespace = namespace;
    this.releaseName = release.name;
    this.releaseStatus = release.status.status;
    this.databaseEndpoint = database.endpoint;
    this.databaseInstanceId = database.rds?.instanceId ?? pulumi.output("");
    this.fileSystemId = storage?.fileSystemId ?? pulumi.output("");
    this.accessPointId = storage?.accessPointId ?? pulumi.output("");
    this.claimName = pulumi.output(claimName ?? "");
    this.backupVaultName = backup?.vaultName ?? pulumi.output("");
    this.backupPlanId = backup?.planId ?? pulumi.output("");
    this.issuerName = tls.issuerName;
    this.platformUrl = networking.platformUrl;
    this.desktopOnlineUrl = networking.desktopOnlineUrl;
    this.envSecretName = credentials.secretName;
    this.pullSecretName = registry.pullSecretName;
    this.chartValues = values;
    this.preUpgradeSnapshotIdentifier = preUpgrade?.snapshotIdentifier ?? pulumi.output("");
    this.registerOutputs({
      namespace: this.namespace,
      releaseName: this.releaseName,
      releaseStatus: this.releaseStatus,
      databaseEndpoint: this.databaseEndpoint,
      databaseInstanceId: this.databaseInstanceId,
      fileSystemId: this.fileSystemId,
      accessPointId: this.accessPointId,
      claimName: this.claimName,
      backupVaultName: this.backupVaultName,
      backupPlanId: this.backupPlanId,
      issuerName: this.issuerName,
      platformUrl: this.platformUrl,
      desktopOnlineUrl: this.desktopOnlineUrl,
      envSecretName: this.envSecretName,
      pullSecretName: this.pullSecretName,
      chartValues: this.chartValues,
      preUpgradeSnapshotIdentifier: this.preUpgradeSnapshotIdentifier,
    });
  }

  /** RDS when `mode` is `rds`; otherwise the external database's coordinates. */
  private systemDatabase(
    name: string,
    r: ResolvedStack,
    args: UsageEngineStackArgs,
    credentials: SystemCredentials,
  ): { rds?: SystemDatabase; endpoint: pulumi.Output<string>; chart: ChartInputs["database"] } {
    if (r.database.mode === "external") {
      const ext = r.database.external!;
      const port = ext.port ?? EXTERNAL_DATABASE_PORTS[ext.type];
      return {
        endpoint: pulumi.interpolate`${ext.host}:${port}`,
        chart: {
          type: ext.type,
          host: ext.host,
          port,
          name: ext.name ?? SYSTEM_DATABASE_NAME,
          adminUser: ext.adminUser ?? RDS_ADMIN_USER,
          createSystemDatabase: r.database.createSystemDatabase,
        },
      };
    }
    const rds = new SystemDatabase(
      `${name}-database`,
      {
        database: args.database,
        network: args.network!,
        adminPassword: credentials.adminPassword,
        tags: args.tags,
      },
      { parent: this },
    );
    return {
      rds,
      endpoint: rds.endpoint,
      chart: {
        type: "postgresql",
        host: rds.address,
        port: rds.port,
        name: SYSTEM_DATABASE_NAME,
        adminUser: rds.adminUser,
        createSystemDatabase: r.database.createSystemDatabase,
      },
    };
  }
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
      issuerKind: tls.issuerKind,
      issuerName: tls.issuerName,
      secretName: `${r.releaseName}-ingress-tls`,
    };
  if (r.tls.mode === "secret") return { source: "secret", secretName: tls.secretName };
  return { source: "none" };
}
