import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Tags } from "./args";
import { checkTags } from "./args/network";
import { nameSuffix } from "./names";
import { withTags } from "./network";
import { Checker } from "./validation";

/** A version as it may appear in an RDS identifier or a Kubernetes name (letters, digits, single hyphens). */
export function identifierPart(version: string): string {
  return version
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

/**
 * `<instance>-<from>-pre-<to>-<suffix>`, e.g. `uepe-database-3f9a1c2e-4-1-0-pre-4-2-0-9b1e04c7`:
 * what it holds, and why. The suffix is the snapshot component's own: an upgrade tried again after
 * its steps were dropped never asks for the name of the snapshot the first try left in AWS.
 */
export function preUpgradeSnapshotIdentifier(
  instanceId: string,
  fromVersion: string,
  toVersion: string,
  suffix: string,
): string {
  return `${instanceId}-${identifierPart(fromVersion)}-pre-${identifierPart(toVersion)}-${suffix}`;
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
 * before the chart migrates the database; the snapshot itself waits for what the component's
 * `dependsOn` names (the platform shut down). It is retained on delete: the next upgrade's
 * steps replace it in the stack and leave it in AWS, and `pulumi destroy` leaves it too.
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
      .all([args.instanceId, nameSuffix(name, this)])
      .apply(([id, suffix]) => preUpgradeSnapshotIdentifier(id, args.fromVersion, args.toVersion, suffix));
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
      // A component's dependsOn does not hold back its children: the snapshot itself waits.
      { ...snapshotResourceOptions(this), dependsOn: opts?.dependsOn },
    );
    this.snapshotIdentifier = snapshot.dbSnapshotIdentifier;
    this.snapshotArn = snapshot.dbSnapshotArn;
    this.registerOutputs({ snapshotIdentifier: this.snapshotIdentifier, snapshotArn: this.snapshotArn });
  }
}
