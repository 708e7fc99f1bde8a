import type * as pulumi from "@pulumi/pulumi";
import type { Checker } from "../validation";
import { keyList, refuseMovedToClusterAddons } from "./keys";
import { checkDistinctZones, checkNetwork, type NetworkOptions } from "./network";

/** How the platform gets its shared ReadWriteMany volume. */
export const StorageMode = { Efs: "efs", ExistingClaim: "existingClaim", None: "none" } as const;
export type StorageMode = (typeof StorageMode)[keyof typeof StorageMode];
/** EFS throughput mode. */
export const ThroughputMode = {
  Elastic: "elastic",
  Bursting: "bursting",
  Provisioned: "provisioned",
} as const;
export type ThroughputMode = (typeof ThroughputMode)[keyof typeof ThroughputMode];

/** When EFS moves files not read for a while to the Infrequent Access class. */
export const EfsTransition = {
  After1Day: "AFTER_1_DAY",
  After7Days: "AFTER_7_DAYS",
  After14Days: "AFTER_14_DAYS",
  After30Days: "AFTER_30_DAYS",
  After60Days: "AFTER_60_DAYS",
  After90Days: "AFTER_90_DAYS",
  After180Days: "AFTER_180_DAYS",
  After270Days: "AFTER_270_DAYS",
  After365Days: "AFTER_365_DAYS",
} as const;
export type EfsTransition = (typeof EfsTransition)[keyof typeof EfsTransition];

/** Shared storage mounted into the platform, EC and desktop-online pods. */
export interface StorageOptions {
  /** `efs` creates EFS with a static PV/PVC; `existingClaim` uses your PVC; `none` disables persistence. Default: `efs`. */
  mode?: StorageMode;
  /** Name of your ReadWriteMany PVC in the release namespace; required when `mode` is `existingClaim`. Default: none. */
  existingClaim?: string;
  /** Root directory of the EFS access point. Default: `/uepe`. */
  accessPointPath?: string;
  /** POSIX user id the pods write as (UEPE images run as 6000). Default: 6000. */
  uid?: number;
  /** POSIX group id. Default: 6000. */
  gid?: number;
  /** Capacity recorded on the PV/PVC (EFS is elastic; Kubernetes requires a figure). Default: `100Gi`. */
  size?: string;
  /** EFS throughput mode. Default: `elastic`. */
  throughputMode?: ThroughputMode;
  /** Provisioned throughput in MiB/s; required with, and only used with, `throughputMode: provisioned`. Default: none. */
  provisionedThroughputMibps?: number;
  /**
   * Move files not read for this long to EFS Infrequent Access (cheaper storage, per-read charge);
   * a file read again moves back at once. Default: none (everything stays in Standard).
   */
  transitionToIa?: EfsTransition;
  /**
   * KMS key for encryption at rest. Default: the installation's customer managed data key; the AWS
   * managed `aws/elasticfilesystem` key for a SharedStorage used alone.
   */
  kmsKeyArn?: pulumi.Input<string>;
  /**
   * Mount with IAM authorization (the `iam` mount option): the EFS CSI driver signs each mount
   * with its AWS identity, so the file-system policy and CloudTrail see who mounted. Needs a
   * driver with AWS credentials (its service account role, e.g. ClusterAddons `efsCsiDriver` with
   * an `identity`, or the node role). Default: false.
   */
  iamMount?: boolean;
}

/** EFS the package creates, every default applied. */
export interface EfsStorageSpec {
  mode: "efs";
  accessPointPath: string;
  uid: number;
  gid: number;
  size: string;
  throughput: { mode: "elastic" | "bursting" } | { mode: "provisioned"; mibps: number };
  transitionToIa?: EfsTransition;
  kmsKeyArn?: pulumi.Input<string>;
  /** Mount with the `iam` option (IAM authorization). */
  iamMount: boolean;
  /** Where the mount targets go: one subnet per Availability Zone, the allowed security groups. */
  network: NetworkOptions;
}

/** Shared storage after resolution: EFS, the user's claim, or none. */
export type StorageSpec = EfsStorageSpec | { mode: "existingClaim"; claimName: string } | { mode: "none" };

/** Settings that only shape the EFS file system and its volume: rejected in the other modes. */
const EFS_KEYS = [
  "accessPointPath",
  "uid",
  "gid",
  "size",
  "throughputMode",
  "provisionedThroughputMibps",
  "transitionToIa",
  "kmsKeyArn",
  "iamMount",
] as const satisfies readonly (keyof StorageOptions)[];
const STORAGE_KEYS = keyList<StorageOptions>({
  mode: true,
  existingClaim: true,
  accessPointPath: true,
  uid: true,
  gid: true,
  size: true,
  throughputMode: true,
  provisionedThroughputMibps: true,
  transitionToIa: true,
  kmsKeyArn: true,
  iamMount: true,
});

/** The EFS CSI driver is cluster-wide software: its former arguments and where they went. */
const MOVED_TO_CLUSTER_ADDONS: Readonly<Record<string, string>> = {
  installCsiDriver: "ClusterAddons efsCsiDriver.enabled",
  clusterName: "ClusterAddons cluster.name",
  csiDriverVersion: "ClusterAddons efsCsiDriver.version",
  csiDriverRoleArn: "ClusterAddons efsCsiDriver.identity",
};

/**
 * Validates the storage block and applies defaults. `network` is where EFS mount targets would
 * go; it is checked (one subnet per zone) only in `efs` mode.
 */
export function resolveStorage(
  check: Checker,
  path: string,
  options: StorageOptions | undefined,
  network: { path: string; value: NetworkOptions | undefined },
): StorageSpec {
  const o = options ?? {};
  const moved = refuseMovedToClusterAddons(check, path, o, MOVED_TO_CLUSTER_ADDONS);
  check.knownKeys(path, o, [...STORAGE_KEYS, ...moved]);
  const mode = o.mode ?? "efs";
  check.oneOf(`${path}.mode`, mode, ["efs", "existingClaim", "none"]);
  if (mode === "existingClaim") {
    check.required(`${path}.existingClaim`, o.existingClaim, "the name of a PVC in the release namespace");
    check.rfc1123Subdomain(`${path}.existingClaim`, o.existingClaim);
  } else if (o.existingClaim !== undefined) {
    check.fail(
      `${path}.existingClaim`,
      "is only used with storage.mode existingClaim",
      'storage.mode: "existingClaim"',
    );
  }
  if (mode === "efs") return resolveEfs(check, path, o, network);
  for (const key of EFS_KEYS)
    if (o[key] !== undefined)
      check.fail(`${path}.${key}`, "only shapes the EFS file system", 'storage.mode: "efs", or leave it out');
  return mode === "existingClaim" ? { mode, claimName: o.existingClaim ?? "" } : { mode: "none" };
}

function resolveEfs(
  check: Checker,
  path: string,
  o: StorageOptions,
  network: { path: string; value: NetworkOptions | undefined },
): EfsStorageSpec {
  const throughputMode = o.throughputMode ?? "elastic";
  const resolved: EfsStorageSpec = {
    mode: "efs",
    accessPointPath: o.accessPointPath ?? "/uepe",
    uid: o.uid ?? 6000,
    gid: o.gid ?? 6000,
    size: o.size ?? "100Gi",
    throughput:
      throughputMode === "provisioned"
        ? { mode: "provisioned", mibps: o.provisionedThroughputMibps ?? 0 }
        : { mode: throughputMode },
    transitionToIa: o.transitionToIa,
    kmsKeyArn: o.kmsKeyArn,
    iamMount: o.iamMount ?? false,
    network: network.value ?? { vpcId: "", subnetIds: [], allowedSecurityGroupIds: [] },
  };
  check.pattern(
    `${path}.accessPointPath`,
    resolved.accessPointPath,
    /^(\/[A-Za-z0-9._-]+)+$/,
    "an absolute path such as /uepe",
  );
  check.integer(`${path}.uid`, resolved.uid, 0, 4294967295);
  check.integer(`${path}.gid`, resolved.gid, 0, 4294967295);
  check.pattern(
    `${path}.size`,
    resolved.size,
    /^[1-9]\d*(Mi|Gi|Ti|Pi)$/,
    "a Kubernetes quantity such as 100Gi",
  );
  check.oneOf(`${path}.throughputMode`, throughputMode, ["elastic", "bursting", "provisioned"]);
  if (throughputMode === "provisioned") {
    if (check.required(`${path}.provisionedThroughputMibps`, o.provisionedThroughputMibps, "MiB/s, e.g. 64"))
      check.integer(`${path}.provisionedThroughputMibps`, o.provisionedThroughputMibps, 1, 10240, "MiB/s");
  } else if (o.provisionedThroughputMibps !== undefined)
    check.fail(
      `${path}.provisionedThroughputMibps`,
      "is only used with throughputMode provisioned",
      'throughputMode: "provisioned", or leave it out',
    );
  check.oneOf(`${path}.transitionToIa`, o.transitionToIa, Object.values(EfsTransition));
  check.arn(`${path}.kmsKeyArn`, o.kmsKeyArn, "kms", "key/");
  check.boolean(`${path}.iamMount`, o.iamMount);
  checkNetwork(check, network.path, network.value, 1);
  checkDistinctZones(check, network.path, network.value);
  return resolved;
}
