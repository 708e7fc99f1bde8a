import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as semver from "semver";
import { checkTags, type Tags, withTags } from "./network";
import { Checker } from "./validation";

/**
 * Pre-upgrade safety. An upgrade is a change of `version` (and of the license key); the chart
 * migrates the system database when the new platform starts, so the database is snapshotted
 * first and kept, whatever happens to the stack afterwards.
 *
 * How the package knows the version that runs now: the user says so, in `upgrade.fromVersion`,
 * in the same change that raises `version`. We looked at reading it from the engine instead:
 * - `Release.get()` reads the live release, but fails on a first install (nothing to read), and
 *   a program cannot branch on "does it exist" before registering resources;
 * - a StackReference to the stack itself needs the user's program to export the version (a
 *   component cannot add stack outputs) and backend access from inside the component provider;
 * - `pulumi.Stash` keeps a value in state, but only as an Output: deciding to create the
 *   snapshot would happen inside `apply`, so `pulumi preview` could not show it;
 * - keying a snapshot by the target version alone snapshots an empty database on the first
 *   install and cannot tell an upgrade from a downgrade before any resource exists.
 * An explicit `fromVersion` is known when the program starts: the preview shows the snapshot
 * with its final name, a downgrade is refused before anything is registered, and a first
 * install (no `fromVersion`) takes no snapshot. The price: forget it, and no snapshot is taken
 * (automated RDS backups and AWS Backup still cover the database).
 */

/** What happens around a change of `version`. */
export interface UpgradeOptions {
  /**
   * The UEPE version the stack runs now, set in the same change that sets the new `version`
   * (e.g. `4.1.0` while `version` becomes `4.2.0`). Leave it in place afterwards: the snapshot
   * stays in the stack until the next upgrade replaces it. Default: none (no upgrade checks, no
   * snapshot — right for a first install).
   */
  fromVersion?: string;
  /**
   * Take an RDS snapshot `<db>-<fromVersion>-pre-<version>` before the release is upgraded, kept
   * when the stack forgets it. Only with `database.mode` `rds`. Default: true for RDS.
   */
  snapshotDatabase?: boolean;
  /** Accept a `version` lower than `fromVersion` (a rollback). Default: false. */
  allowDowngrade?: boolean;
  /**
   * Take the pre-upgrade snapshot but leave the Helm release exactly as deployed (Pulumi ignores
   * its chart, version and values changes). Lets you back up EFS after the database snapshot and
   * before the upgrade — restores need the database backup to be the older one. Set it back to
   * false (or remove it) and run `pulumi up` to upgrade the release. Default: false.
   */
  holdRelease?: boolean;
}

/** Upgrade settings after validation. */
export interface ResolvedUpgrade {
  /** Set only when `version` differs from `fromVersion`. */
  fromVersion?: string;
  /** Whether a pre-upgrade snapshot is taken in this deployment's program. */
  snapshotDatabase: boolean;
  allowDowngrade: boolean;
  /** Leave the release as deployed in this deployment. */
  holdRelease: boolean;
}

const UPGRADE_KEYS = ["fromVersion", "snapshotDatabase", "allowDowngrade", "holdRelease"];

/**
 * Checks the upgrade block against the target `version` (already checked as semver by the
 * caller, skipped here if it is not). `rds` says whether the system database is RDS.
 */
export function resolveUpgrade(
  check: Checker,
  path: string,
  options: UpgradeOptions | undefined,
  version: unknown,
  rds: boolean,
): ResolvedUpgrade {
  const o = options ?? {};
  check.knownKeys(path, o, UPGRADE_KEYS);
  check.boolean(`${path}.snapshotDatabase`, o.snapshotDatabase);
  check.boolean(`${path}.allowDowngrade`, o.allowDowngrade);
  check.boolean(`${path}.holdRelease`, o.holdRelease);
  if (o.snapshotDatabase === true && !rds)
    check.fail(
      `${path}.snapshotDatabase`,
      "needs an RDS system database (the package cannot snapshot an external one)",
      'database.mode "rds", or snapshot the external database yourself',
    );
  const allowDowngrade = o.allowDowngrade ?? false;
  const fromKnown = check.semver(`${path}.fromVersion`, o.fromVersion);
  const changing =
    fromKnown && typeof version === "string" && semver.valid(version) !== null && o.fromVersion !== version;
  if (changing && semver.lt(version, o.fromVersion!) && !allowDowngrade)
    check.fail(
      "version",
      `${JSON.stringify(version)} is lower than ${path}.fromVersion ${JSON.stringify(o.fromVersion)}: a downgrade`,
      `a version of at least ${o.fromVersion}, or ${path}.allowDowngrade: true to roll back on purpose`,
    );
  // On a first install there is no deployed release to hold: ignoreChanges does not apply to creates.
  if (o.holdRelease === true && !changing)
    check.fail(
      `${path}.holdRelease`,
      "only holds a release that is being upgraded",
      `${path}.fromVersion set to the running version, different from version`,
    );
  return {
    fromVersion: changing ? o.fromVersion : undefined,
    snapshotDatabase: changing && rds && (o.snapshotDatabase ?? true),
    allowDowngrade,
    holdRelease: changing && o.holdRelease === true,
  };
}

/** A version as it may appear in an RDS identifier (letters, digits, single hyphens). */
function identifierPart(version: string): string {
  return version
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

/** `<instance>-<from>-pre-<to>`, e.g. `uepe-database-4-1-0-pre-4-2-0`: what it holds, and why. */
export function preUpgradeSnapshotIdentifier(
  instanceId: string,
  fromVersion: string,
  toVersion: string,
): string {
  return `${instanceId}-${identifierPart(fromVersion)}-pre-${identifierPart(toVersion)}`;
}

/** Options of the snapshot resource: kept when the stack forgets it, generous create timeout. */
export function snapshotResourceOptions(parent: pulumi.Resource): pulumi.CustomResourceOptions {
  return { parent, retainOnDelete: true, customTimeouts: { create: "60m" } };
}

export interface PreUpgradeSnapshotArgs {
  /** Identifier of the RDS instance to snapshot (SystemDatabase `instanceId`). */
  instanceId: pulumi.Input<string>;
  /** The UEPE version the database holds now. */
  fromVersion: string;
  /** The UEPE version about to be deployed. */
  toVersion: string;
  /** Tags on the snapshot. Default: none beyond `managed-by`. */
  tags?: Tags;
}

/**
 * A manual RDS snapshot of the system database taken before an upgrade, named after the
 * version it holds. Make the Helm release depend on this component so the snapshot exists
 * before the chart migrates the database. The snapshot is retained on delete: the next upgrade
 * replaces it in the stack and leaves it in AWS, and `pulumi destroy` leaves it too.
 */
export class PreUpgradeSnapshot extends pulumi.ComponentResource {
  /** Identifier of the DB snapshot. */
  public readonly snapshotIdentifier: pulumi.Output<string>;
  /** ARN of the DB snapshot. */
  public readonly snapshotArn: pulumi.Output<string>;

  constructor(name: string, args: PreUpgradeSnapshotArgs, opts?: pulumi.ComponentResourceOptions) {
    const check = new Checker("PreUpgradeSnapshot");
    check.required("instanceId", args.instanceId, "the RDS instance identifier");
    check.required("fromVersion", args.fromVersion, "the version the database holds now");
    check.semver("fromVersion", args.fromVersion);
    check.required("toVersion", args.toVersion, "the version about to be deployed");
    check.semver("toVersion", args.toVersion);
    if (args.fromVersion === args.toVersion)
      check.fail("toVersion", "equals fromVersion: nothing is upgraded", "a different version");
    checkTags(check, "tags", args.tags);
    check.throwIfAny();
    super("usage-engine:index:PreUpgradeSnapshot", name, {}, opts);

    const identifier = pulumi
      .output(args.instanceId)
      .apply((id) => preUpgradeSnapshotIdentifier(id, args.fromVersion, args.toVersion));
    const snapshot = new aws.rds.Snapshot(
      `${name}-snapshot`,
      {
        dbInstanceIdentifier: args.instanceId,
        dbSnapshotIdentifier: identifier,
        tags: identifier.apply((id) => ({
          "uepe-version": args.fromVersion,
          "uepe-upgrade-to": args.toVersion,
          ...withTags(args.tags, id),
        })),
      },
      snapshotResourceOptions(this),
    );
    this.snapshotIdentifier = snapshot.dbSnapshotIdentifier;
    this.snapshotArn = snapshot.dbSnapshotArn;
    this.registerOutputs({ snapshotIdentifier: this.snapshotIdentifier, snapshotArn: this.snapshotArn });
  }
}
