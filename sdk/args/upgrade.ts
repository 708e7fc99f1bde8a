import * as semver from "semver";
import { CHART_OBJECTS } from "../chart/contract";
import type { Checker } from "../validation";
import { type AwsIdentityOptions, type IdentitySpec, resolveAwsIdentity } from "./identity";
import { keyList } from "./keys";
import { DEFAULT_AWS_CLI_IMAGE, DEFAULT_KUBECTL_IMAGE } from "./registry";

/**
 * The upgrade block: the running version the user states (`fromVersion`), the vendor's upgrade
 * steps around the change (platform down, database snapshot, file-system backup, release,
 * platform up), and downgrades. Why the running version is stated rather than read from the
 * engine: docs/design/upgrade-from-version.md.
 */

/** What happens around a change of `version`. */
export interface UpgradeOptions {
  /**
   * The UEPE version the stack runs now, set in the same change that sets the new `version`
   * (e.g. `4.1.0` while `version` becomes `4.2.0`). Leave it in place afterwards: the upgrade's
   * steps stay in the stack, unchanged, until the next upgrade replaces them. Default: none (no
   * upgrade steps — right for a first install).
   */
  fromVersion?: string;
  /**
   * Stop the platform before the backups and start it again after the release (the vendor:
   * a database backed up while the platform runs may be corrupt). A Job scales the platform
   * StatefulSet to 0 and waits until its pod is gone; after the release a second Job scales it
   * back to the replicas it had and waits until the pod is ready. `false` removes both Jobs.
   * Default: true.
   */
  shutdownPlatform?: boolean;
  /**
   * Take an RDS snapshot `<db>-<fromVersion>-pre-<version>` while the platform is down, before
   * the release is upgraded; kept when the stack forgets it. Only with `database.mode` `rds`.
   * Default: true for RDS.
   */
  snapshotDatabase?: boolean;
  /**
   * Back up the EFS file system into the installation's AWS Backup vault after the database
   * snapshot (a restore needs the database backup to be the older), with an on-demand AWS Backup
   * job that a Job in the namespace starts and waits for. Needs `upgrade.identity`, EFS created
   * by the package (`storage.mode` `efs`) and `backup.enabled`. Default: true with EFS.
   */
  backupFileSystem?: boolean;
  /**
   * How the file-system backup Job's pods get their IAM role (IRSA or EKS Pod Identity); the role
   * may only start and follow backup jobs in the installation's vault and pass the AWS Backup
   * role. Required when the file system is backed up. Default: `none`.
   */
  identity?: AwsIdentityOptions;
  /** Accept a `version` lower than `fromVersion` (a rollback). Default: false. */
  allowDowngrade?: boolean;
  /**
   * Name of the platform StatefulSet the chart creates, which the upgrade scales down and up.
   * Default: `platform`.
   */
  platformStatefulSet?: string;
  /**
   * Name of the platform pod whose end and readiness the upgrade waits for.
   * Default: `<platformStatefulSet>-0` (`platform-0`).
   */
  platformPod?: string;
  /**
   * kubectl image of the platform down and up Jobs (only `kubectl` runs; 1.31 or later).
   * Default: `registry.kubectlImage`, or `registry.k8s.io/kubectl:v1.36.4`.
   */
  kubectlImage?: string;
  /**
   * AWS CLI image of the file-system backup Job (needs `/bin/sh` and `sleep`).
   * Default: `registry.awsCliImage`, or `public.ecr.aws/aws-cli/aws-cli:2.36.49`.
   */
  awsCliImage?: string;
}

/** An identity that gives a workload an IAM role (IRSA or Pod Identity). */
export type WorkloadIdentitySpec = Exclude<IdentitySpec, { mode: "none" }>;

/** The file-system backup step: off, or on with the identity its Job runs under. */
export type FileSystemBackupSpec = { enabled: false } | { enabled: true; identity: WorkloadIdentitySpec };

/** The chart's platform objects the upgrade stops and starts. */
export interface PlatformObjectsSpec {
  statefulSet: string;
  pod: string;
}

/** The images the upgrade's Jobs run. */
export interface UpgradeImagesSpec {
  kubectl: string;
  awsCli: string;
}

/**
 * Upgrade settings after validation: a first install or an unchanged version, or an upgrade from
 * `fromVersion` to the stack's `version` with the steps this deployment runs.
 */
export type UpgradeSpec =
  | { kind: "none" }
  | {
      kind: "upgrade";
      fromVersion: string;
      /** Stop the platform before the backups, start it after the release. */
      shutdownPlatform: boolean;
      /** Whether a pre-upgrade snapshot is taken. */
      snapshotDatabase: boolean;
      backupFileSystem: FileSystemBackupSpec;
      platform: PlatformObjectsSpec;
      images: UpgradeImagesSpec;
    };

/** What the upgrade block is checked against: the target version and the data the stack creates. */
export interface UpgradeContext {
  /** The stack's `version` (already checked as semver by the caller; skipped here if it is not). */
  version: unknown;
  /** The system database is RDS created by the package. */
  rds: boolean;
  /** The shared storage is EFS created by the package. */
  efs: boolean;
  /** The installation has an AWS Backup vault. */
  backupEnabled: boolean;
  /** Images the cluster already runs the package's Jobs with (the registry refresher's). Default: the pinned defaults. */
  images?: Partial<UpgradeImagesSpec>;
}

const UPGRADE_KEYS = keyList<UpgradeOptions>({
  fromVersion: true,
  shutdownPlatform: true,
  snapshotDatabase: true,
  backupFileSystem: true,
  identity: true,
  allowDowngrade: true,
  platformStatefulSet: true,
  platformPod: true,
  kubectlImage: true,
  awsCliImage: true,
});

/** A StatefulSet's pods are named `<name>-<ordinal>` and labelled with a revision hash: 52 leaves room. */
const STATEFUL_SET_NAME_LENGTH = 52;

/** Checks the upgrade block against the target version and what the stack creates. */
export function resolveUpgrade(
  check: Checker,
  path: string,
  options: UpgradeOptions | undefined,
  context: UpgradeContext,
): UpgradeSpec {
  const o = withoutRetiredKeys(check, path, options ?? {});
  check.knownKeys(path, o, UPGRADE_KEYS);
  for (const key of ["shutdownPlatform", "snapshotDatabase", "backupFileSystem", "allowDowngrade"] as const)
    check.boolean(`${path}.${key}`, o[key]);
  const identity = resolveAwsIdentity(check, `${path}.identity`, o.identity);
  const platform = platformObjects(check, path, o);
  check.image(`${path}.kubectlImage`, o.kubectlImage);
  check.image(`${path}.awsCliImage`, o.awsCliImage);
  if (o.snapshotDatabase === true && !context.rds)
    check.fail(
      `${path}.snapshotDatabase`,
      "needs an RDS system database (the package cannot snapshot an external one)",
      'database.mode "rds", or snapshot the external database yourself',
    );
  if (o.backupFileSystem === true && !context.efs)
    check.fail(
      `${path}.backupFileSystem`,
      "needs the EFS file system the package creates (it cannot back up a claim it does not own)",
      'storage.mode "efs", or back up your own volume yourself',
    );
  const from = upgradeFrom(check, path, o, context.version);
  if (from === undefined) return { kind: "none" };
  const backupFileSystem = context.efs && (o.backupFileSystem ?? true);
  return {
    kind: "upgrade",
    fromVersion: from,
    shutdownPlatform: o.shutdownPlatform ?? true,
    snapshotDatabase: context.rds && (o.snapshotDatabase ?? true),
    backupFileSystem: backupFileSystem
      ? fileSystemBackup(check, path, identity, context.backupEnabled)
      : { enabled: false },
    platform,
    images: {
      kubectl: o.kubectlImage ?? context.images?.kubectl ?? DEFAULT_KUBECTL_IMAGE,
      awsCli: o.awsCliImage ?? context.images?.awsCli ?? DEFAULT_AWS_CLI_IMAGE,
    },
  };
}

/**
 * `holdRelease` held the release back so EFS could be backed up by hand between the database
 * snapshot and the upgrade. The file-system backup is now a step of the upgrade itself, in the
 * one `pulumi up`, so there is no window left to hold open; a stack that still sets it is told so.
 */
function withoutRetiredKeys(check: Checker, path: string, o: UpgradeOptions): UpgradeOptions {
  if (typeof o !== "object" || o === null || !Object.hasOwn(o, "holdRelease")) return o;
  check.fail(
    `${path}.holdRelease`,
    "was retired: the upgrade now backs up the file system itself, after the database snapshot and before the release, in the same `pulumi up`",
    `the key removed (${path}.backupFileSystem and ${path}.shutdownPlatform choose the steps)`,
  );
  const rest = { ...o };
  Reflect.deleteProperty(rest, "holdRelease");
  return rest;
}

/** The running version when this deployment changes it; undefined for a first install or no change. */
function upgradeFrom(check: Checker, path: string, o: UpgradeOptions, version: unknown): string | undefined {
  const from = check.semver(`${path}.fromVersion`, o.fromVersion) ? o.fromVersion : undefined;
  if (from === undefined || typeof version !== "string" || semver.valid(version) === null) return undefined;
  if (from === version) return undefined;
  if (semver.lt(version, from) && o.allowDowngrade !== true) {
    // A refused downgrade runs no steps: what they would need is not worth reporting as well.
    check.fail(
      "version",
      `${JSON.stringify(version)} is lower than ${path}.fromVersion ${JSON.stringify(from)}: a downgrade`,
      `a version of at least ${from}, or ${path}.allowDowngrade: true to roll back on purpose`,
    );
    return undefined;
  }
  return from;
}

/** The backup Job's pods call AWS Backup: they need an IAM role, and the installation a vault. */
function fileSystemBackup(
  check: Checker,
  path: string,
  identity: IdentitySpec,
  backupEnabled: boolean,
): FileSystemBackupSpec {
  if (!backupEnabled)
    check.fail(
      `${path}.backupFileSystem`,
      "backs the file system up into the installation's AWS Backup vault, but backup.enabled is false",
      `backup.enabled true, or ${path}.backupFileSystem: false to upgrade without a file-system backup`,
    );
  if (identity.mode === "none") {
    check.fail(
      `${path}.identity`,
      "is needed to back up the file system: the backup Job calls AWS Backup with an IAM role of its own, and no cluster identity is configured",
      `${path}.identity { mode: "irsa", oidcProviderArn } or { mode: "podIdentity", clusterName }, or ${path}.backupFileSystem: false`,
    );
    return { enabled: false };
  }
  return { enabled: true, identity };
}

function platformObjects(check: Checker, path: string, o: UpgradeOptions): PlatformObjectsSpec {
  check.rfc1123Label(`${path}.platformStatefulSet`, o.platformStatefulSet, STATEFUL_SET_NAME_LENGTH);
  check.rfc1123Subdomain(`${path}.platformPod`, o.platformPod);
  const statefulSet = o.platformStatefulSet ?? CHART_OBJECTS.platformStatefulSet.name;
  const pod =
    o.platformPod ??
    (o.platformStatefulSet === undefined ? CHART_OBJECTS.platformPod.name : `${statefulSet}-0`);
  return { statefulSet, pod };
}
