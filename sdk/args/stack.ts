import type * as pulumi from "@pulumi/pulumi";
import * as semver from "semver";
import { CHART_NAME, CHART_REPOSITORY, checkRemovedValues, checkWeakeningValues } from "../chart/contract";
import type { Values } from "../chart/values";
import type { ReleaseChart } from "../release";
import { Checker, LICENSE_KEY } from "../validation";
import {
  type AlarmsOptions,
  type AlarmsSpec,
  alarmsEnabled,
  instanceClassMemoryGiB,
  resolveAlarms,
} from "./alarms";
import {
  type AuthorizationServerOptions,
  type AuthorizationSpec,
  resolveAuthorizationServer,
} from "./authorization";
import { type BackupOptions, type BackupSpec, resolveBackup } from "./backup";
import {
  applyExternalAdminPassword,
  type CredentialsOptions,
  type CredentialsSpec,
  requireKeystorePasswords,
  resolveCredentials,
} from "./credentials";
import { type DatabaseOptions, type DatabaseSpec, databaseType, resolveDatabase } from "./database";
import { type ExposureOptions, type ExposureSpec, resolveExposure } from "./exposure";
import { keyList } from "./keys";
import { checkTags, type NetworkOptions, type Tags } from "./network";
import { type RegistryOptions, type RegistrySpec, resolveRegistry } from "./registry";
import { resolveStorage, type StorageOptions, type StorageSpec } from "./storage";
import { resolveTls, type TlsOptions, type TlsSpec } from "./tls";
import { resolveUpgrade, type UpgradeOptions, type UpgradeSpec } from "./upgrade";

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
  /** UEPE version: the chart version and the image tag, plain `MAJOR.MINOR.PATCH`, 4.0.0 or later (the package targets UEPE 4.x), e.g. `4.2.0`. */
  version: string;
  /** License key text issued by DigitalRoute for this version; always treated as a secret; not empty (an Output is checked at deployment). */
  licenseKey: pulumi.Input<string>;
  /** Namespace of the installation; not `kube-system`, `kube-public`, `kube-node-lease` or `default`. Default: `uepe`. */
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
  /** AWS Backup of RDS, then EFS. Default: enabled, RDS daily at 03:00 UTC and EFS at 07:00, kept 35 days. */
  backup?: BackupOptions;
  /** Platform TLS. The stack installs no cert-manager (ClusterAddons does, once per cluster); it uses or creates an issuer. Default: a self-signed ClusterIssuer the stack creates (testing only). */
  tls?: TlsOptions;
  /** Where images come from. Default: DigitalRoute's ECR (requires the access keys). */
  registry?: RegistryOptions;
  /** System credential overrides. Default: every password generated. */
  credentials?: CredentialsOptions;
  /** Authorization server credentials (`authorization-server-secrets`). Default: management API password generated, no JWT keystore. */
  authorizationServer?: AuthorizationServerOptions;
  /** How the platform is reached. Default: NodePort service, no ingress. */
  exposure?: ExposureOptions;
  /** Extra chart values, deep-merged last (you win over the package). Default: none. */
  // biome-ignore lint/suspicious/noExplicitAny: chart values are free-form by nature
  values?: { [key: string]: any };
  /** Chart source override. Default: DigitalRoute's repository, chart version = `version`. */
  chart?: ChartSourceOptions;
  /** Tags on every AWS resource. Default: none beyond `managed-by`. */
  tags?: Tags;
  /**
   * CloudWatch alarms, RDS events and AWS Backup job results sent to one SNS topic.
   * Default: on with the `prod` database profile, off with `dev` and an external database.
   */
  alarms?: AlarmsOptions;
  /**
   * Upgrade: the version running now and the vendor's steps around the release (platform down,
   * database snapshot, file-system backup, platform up), downgrades. Default: none (first install).
   */
  upgrade?: UpgradeOptions;
  /**
   * Protect the data resources (the RDS instance, the EFS file system, the backup vault) with
   * Pulumi's `protect` option, so `pulumi up` and `pulumi destroy` refuse to replace or delete
   * them until `pulumi state unprotect` is run. False for throwaway stacks. Default: true.
   */
  protectData?: boolean;
}

const STACK_KEYS = keyList<UsageEngineStackArgs>({
  version: true,
  licenseKey: true,
  namespace: true,
  releaseName: true,
  createNamespace: true,
  network: true,
  database: true,
  storage: true,
  backup: true,
  tls: true,
  registry: true,
  credentials: true,
  authorizationServer: true,
  exposure: true,
  values: true,
  chart: true,
  tags: true,
  upgrade: true,
  alarms: true,
  protectData: true,
});
const CHART_SOURCE_KEYS = keyList<ChartSourceOptions>({ repository: true, name: true, version: true });

/** Every argument validated, with its default applied: the one model every part takes a slice of. */
export interface ResolvedStack {
  version: string;
  licenseKey: pulumi.Input<string>;
  namespace: string;
  releaseName: string;
  createNamespace: boolean;
  database: DatabaseSpec;
  storage: StorageSpec;
  backup: BackupSpec;
  tls: TlsSpec;
  registry: RegistrySpec;
  credentials: CredentialsSpec;
  authorizationServer: AuthorizationSpec;
  exposure: ExposureSpec;
  values: Values;
  chart: ReleaseChart;
  tags: Tags;
  upgrade: UpgradeSpec;
  alarms: AlarmsSpec;
  /** `protect` on the RDS instance, the EFS file system and the backup vault. */
  protectData: boolean;
  /** Accepted but doubtful choices, logged on the stack. */
  warnings: string[];
}

function checkChartSource(check: Checker, path: string, chart: ChartSourceOptions | undefined): void {
  if (!check.knownKeys(path, chart, CHART_SOURCE_KEYS)) return;
  check.pattern(
    `${path}.repository`,
    chart.repository,
    /^(https|oci):\/\/\S+$/,
    "an https:// or oci:// repository URL",
  );
  check.rfc1123Label(`${path}.name`, chart.name);
  check.semver(`${path}.version`, chart.version);
}

/** Namespaces Kubernetes creates and uses itself: an installation never goes there. */
export const SYSTEM_NAMESPACES: readonly string[] = [
  "kube-system",
  "kube-public",
  "kube-node-lease",
  "default",
];
/** The oldest UEPE version the package deploys: it targets the 4.x chart and Secrets. */
export const MINIMUM_VERSION = "4.0.0";

/** `version` is the chart version and the image tag: exactly MAJOR.MINOR.PATCH, 4.0.0 or later. */
function checkVersion(check: Checker, path: string, version: unknown): void {
  const accepted = `a plain UEPE version MAJOR.MINOR.PATCH such as 4.2.0, at least ${MINIMUM_VERSION} (the package targets UEPE 4.x)`;
  if (!check.string(path, version, accepted) || version === "") return;
  if (!/^\d+\.\d+\.\d+$/.test(version))
    check.fail(path, `${JSON.stringify(version)} is not a plain MAJOR.MINOR.PATCH version`, accepted);
  else if (semver.lt(version, MINIMUM_VERSION))
    check.fail(path, `${version} is older than ${MINIMUM_VERSION}`, accepted);
}

/** Validates every argument and applies defaults; throws one error listing all problems. */
export function resolveStackArgs(args: UsageEngineStackArgs): ResolvedStack {
  const check = new Checker("UsageEngineStack");
  if (!check.knownKeys("", args, STACK_KEYS)) check.throwIfAny();
  check.required("version", args.version, "a UEPE version such as 4.2.0");
  checkVersion(check, "version", args.version);
  check.required("licenseKey", args.licenseKey, "the license key text (secret)");
  const licenseKey = check.input("licenseKey", args.licenseKey, LICENSE_KEY);
  const network = { path: "network", value: args.network };
  const database = resolveDatabase(check, "database", args.database, network);
  const storage = resolveStorage(check, "storage", args.storage, network);
  const tls = resolveTls(check, "tls", args.tls);
  const credentials = resolveCredentials(check, "credentials", args.credentials, {
    databaseType: databaseType(database),
    storeAdminPassword: database.createSystemDatabase,
    preCreatedBy: "database.createSystemDatabase",
  });
  const paths = { database: "database", credentials: "credentials", tls: "tls" };
  applyExternalAdminPassword(check, paths, database, credentials);
  requireKeystorePasswords(check, paths, tls.mode, credentials);
  const backup = resolveBackup(
    check,
    "backup",
    args.backup,
    database.mode === "rds" && database.profile === "prod",
  );
  const registry = resolveRegistry(check, "registry", args.registry);
  const chart = {
    repository: args.chart?.repository ?? CHART_REPOSITORY,
    name: args.chart?.name ?? CHART_NAME,
    version: args.chart?.version ?? args.version,
  };
  const resolved: ResolvedStack = {
    version: args.version,
    licenseKey,
    namespace: args.namespace ?? "uepe",
    releaseName: args.releaseName ?? "uepe",
    createNamespace: args.createNamespace ?? true,
    database,
    storage,
    backup,
    tls,
    registry,
    credentials,
    authorizationServer: resolveAuthorizationServer(check, "authorizationServer", args.authorizationServer),
    exposure: resolveExposure(check, "exposure", args.exposure, tls.mode !== "disabled"),
    values: args.values ?? {},
    chart,
    tags: args.tags ?? {},
    upgrade: resolveUpgrade(check, "upgrade", args.upgrade, {
      version: args.version,
      rds: database.mode === "rds",
      efs: storage.mode === "efs",
      backupEnabled: backup.enabled,
      images:
        registry.source === "digitalroute"
          ? { kubectl: registry.kubectlImage, awsCli: registry.awsCliImage }
          : {},
    }),
    alarms: resolveAlarms(
      check,
      "alarms",
      args.alarms,
      alarmsEnabled(undefined, database.mode === "rds" ? database.profile : undefined),
    ),
    protectData: args.protectData ?? true,
    warnings: [],
  };
  check.rfc1123Label("namespace", resolved.namespace);
  if (SYSTEM_NAMESPACES.includes(resolved.namespace))
    check.fail(
      "namespace",
      `"${resolved.namespace}" is a namespace Kubernetes keeps for itself`,
      `a namespace of the installation's own, such as "uepe" (not ${SYSTEM_NAMESPACES.join(", ")})`,
    );
  if (!database.systemDatabaseReady && resolved.upgrade.kind === "upgrade")
    check.fail(
      "database.systemDatabaseReady",
      "is false, which holds the release, while upgrade.fromVersion asks to upgrade an installed one",
      "systemDatabaseReady true for an upgrade",
    );
  check.rfc1123Label("releaseName", resolved.releaseName, 53);
  check.boolean("createNamespace", args.createNamespace);
  check.boolean("protectData", args.protectData);
  checkChartSource(check, "chart", args.chart);
  checkTags(check, "tags", args.tags);
  check.map("values", args.values, "a map of chart values");
  checkRemovedValues(check, "values", args.values, chart.version);
  checkWeakeningValues(check, "values", args.values, {
    tlsMode: tls.mode,
    serviceType: resolved.exposure.serviceType,
  });
  if (
    resolved.alarms.enabled &&
    database.mode === "rds" &&
    instanceClassMemoryGiB(database.instanceClass) === undefined
  )
    check.fail(
      "database.instanceClass",
      `"${database.instanceClass}" has no known memory size, which the alarm thresholds derive from`,
      "a class of family t3 or t4g (micro to 2xlarge), or m5-m8 or r5-r8 (large to 48xlarge), or alarms.enabled: false",
    );
  if (
    resolved.alarms.enabled &&
    database.mode !== "rds" &&
    storage.mode !== "efs" &&
    !resolved.backup.enabled
  )
    check.fail(
      "alarms.enabled",
      "is true but the stack creates nothing to watch (external database, no EFS, backups off)",
      "alarms.enabled false, or a database, file system or backup the package creates",
    );
  check.throwIfAny();
  return resolved;
}
