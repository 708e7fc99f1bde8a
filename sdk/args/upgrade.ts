import * as semver from "semver";
import type { Checker } from "../validation";
import { keyList } from "./keys";

/**
 * The upgrade block: the running version the user states (`fromVersion`), the safety steps
 * around the change, and downgrades. Why the running version is stated rather than read from the
 * engine: docs/design/upgrade-from-version.md.
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

/**
 * Upgrade settings after validation: a first install or an unchanged version, or an upgrade from
 * `fromVersion` to the stack's `version`.
 */
export type UpgradeSpec =
  | { kind: "none" }
  | {
      kind: "upgrade";
      fromVersion: string;
      /** Whether a pre-upgrade snapshot is taken in this deployment's program. */
      snapshotDatabase: boolean;
      /** Leave the release as deployed in this deployment. */
      holdRelease: boolean;
    };

const UPGRADE_KEYS = keyList<UpgradeOptions>({
  fromVersion: true,
  snapshotDatabase: true,
  allowDowngrade: true,
  holdRelease: true,
});

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
): UpgradeSpec {
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
  const from = fromKnown ? o.fromVersion : undefined;
  const changing =
    from !== undefined && typeof version === "string" && semver.valid(version) !== null && from !== version;
  if (changing && semver.lt(version, from) && !allowDowngrade)
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
  if (!changing) return { kind: "none" };
  return {
    kind: "upgrade",
    fromVersion: from,
    snapshotDatabase: rds && (o.snapshotDatabase ?? true),
    holdRelease: o.holdRelease === true,
  };
}
