/**
 * What `pulumi up` would do with a change, resource by resource, as the real providers decide it:
 * the input properties whose change makes the provider replace the resource (create a new one,
 * delete the old) rather than update it in place. Used by `npm run plan -- --diff`. The table is
 * small on purpose: the resource types the package creates, and the properties the AWS and
 * Kubernetes providers mark "forces replacement" among those the package sets. A property not
 * listed is treated as an in-place update. Two that look like replacements are not: the AWS
 * provider renames an RDS instance in place (`identifier`, ModifyDBInstance's
 * NewDBInstanceIdentifier: new endpoint, a reboot) and moves it to another subnet group in place
 * (`dbSubnetGroupName`); the package's identifier still replaces the subnet and parameter groups,
 * whose names it is part of.
 */
import type { Recorded } from "./mocks";

/** Input property paths (dot-separated) whose change replaces a resource of that type. */
export const REPLACE_ON_CHANGE: Readonly<Record<string, readonly string[]>> = {
  "aws:rds/instance:Instance": [
    "engine",
    "kmsKeyId",
    "storageEncrypted",
    "snapshotIdentifier",
    "username",
    "availabilityZone",
    "dbName",
    "characterSetName",
    "timezone",
  ],
  "aws:rds/subnetGroup:SubnetGroup": ["name", "namePrefix"],
  "aws:rds/parameterGroup:ParameterGroup": ["name", "namePrefix", "family"],
  "aws:efs/fileSystem:FileSystem": ["performanceMode", "kmsKeyId", "encrypted", "creationToken"],
  "aws:efs/mountTarget:MountTarget": ["fileSystemId", "subnetId"],
  "aws:efs/accessPoint:AccessPoint": ["fileSystemId", "posixUser", "rootDirectory"],
  "aws:backup/vault:Vault": ["name", "kmsKeyArn"],
  "aws:backup/selection:Selection": ["name", "planId", "iamRoleArn", "resources"],
  "aws:ec2/securityGroup:SecurityGroup": ["name", "namePrefix", "vpcId", "description"],
  "aws:kms/alias:Alias": ["name", "namePrefix"],
  "aws:iam/role:Role": ["name", "namePrefix"],
  "kubernetes:helm.sh/v3:Release": ["name", "namespace"],
  "random:index/randomId:RandomId": ["keepers", "byteLength", "prefix"],
  "random:index/randomPassword:RandomPassword": ["keepers", "length", "special", "overrideSpecial"],
  "kubernetes:core/v1:PersistentVolume": ["metadata.name", "spec"],
  "kubernetes:core/v1:PersistentVolumeClaim": ["metadata.name", "metadata.namespace", "spec"],
};

/** Kubernetes objects are replaced when their name or namespace changes. */
const KUBERNETES_IDENTITY = ["metadata.name", "metadata.namespace"];

/** The data resources `protectData` protects: replacing or removing one loses data. */
export const DATA_RESOURCES = [
  "aws:rds/instance:Instance",
  "aws:efs/fileSystem:FileSystem",
  "aws:backup/vault:Vault",
];

export type ChangeKind = "add" | "remove" | "update" | "replace";

export interface ResourceChange {
  kind: ChangeKind;
  type: string;
  name: string;
  /** Changed input properties (top level), names only: their values may be secret. */
  properties: string[];
  /** The properties among them that force the replacement. */
  replacedBy: string[];
  /** Whether the resource as it is now carries `protect` (the engine refuses to replace or delete it). */
  protected: boolean;
}

function valueAt(value: unknown, path: string): unknown {
  let node = value;
  for (const key of path.split(".")) {
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** Key-order-independent text of a value, to compare two evaluations. */
function stable(value: unknown): string {
  return JSON.stringify(value ?? null, (_k, v: unknown) =>
    typeof v === "object" && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** The paths whose change replaces a resource of this type. */
export function replaceOnChange(type: string): readonly string[] {
  const listed = REPLACE_ON_CHANGE[type] ?? [];
  return type.startsWith("kubernetes:") && type !== "kubernetes:helm.sh/v3:Release"
    ? [...new Set([...KUBERNETES_IDENTITY, ...listed])]
    : listed;
}

/** How one resource present in both evaluations changes: not at all, in place, or by replacement. */
export function classify(before: Recorded, after: Recorded): ResourceChange | undefined {
  const keys = [...new Set([...Object.keys(before.inputs), ...Object.keys(after.inputs)])].sort();
  const properties = keys.filter(
    (k) => k !== "__defaults" && stable(before.inputs[k]) !== stable(after.inputs[k]),
  );
  if (properties.length === 0) return undefined;
  const replacedBy = replaceOnChange(after.type).filter(
    (p) => stable(valueAt(before.inputs, p)) !== stable(valueAt(after.inputs, p)),
  );
  return {
    kind: replacedBy.length > 0 ? "replace" : "update",
    type: after.type,
    name: after.name,
    properties,
    replacedBy,
    protected: before.protect,
  };
}

/** Every resource-level change from one evaluation to the other, in registration order. */
export function resourceChanges(before: Recorded[], after: Recorded[]): ResourceChange[] {
  const custom = (list: Recorded[]) => new Map(list.filter((r) => r.custom).map((r) => [r.urn, r]));
  const old = custom(before);
  const now = custom(after);
  const changes: ResourceChange[] = [];
  for (const [urn, r] of now) {
    const previous = old.get(urn);
    const change = previous
      ? classify(previous, r)
      : {
          kind: "add" as const,
          type: r.type,
          name: r.name,
          properties: [],
          replacedBy: [],
          protected: false,
        };
    if (change) changes.push(change);
  }
  for (const [urn, r] of old)
    if (!now.has(urn))
      changes.push({
        kind: "remove",
        type: r.type,
        name: r.name,
        properties: [],
        replacedBy: [],
        protected: r.protect,
      });
  return changes;
}

/** Whether a change destroys a data resource (replace or remove of the RDS instance, EFS, the vault). */
export function losesData(change: ResourceChange): boolean {
  return (change.kind === "replace" || change.kind === "remove") && DATA_RESOURCES.includes(change.type);
}
