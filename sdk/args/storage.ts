import type * as pulumi from "@pulumi/pulumi";
import type { Checker } from "../validation";
import { keyList } from "./keys";
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
   * Install the Amazon EFS CSI driver as an EKS add-on (needs `clusterName`). Leave false when the
   * cluster already runs the driver. Default: false.
   */
  installCsiDriver?: boolean;
  /** EKS cluster the CSI driver add-on is installed on; required when `installCsiDriver` is true. Default: none. */
  clusterName?: string;
  /**
   * Add-on version such as `v2.1.4-eksbuild.1`. Default: the version EKS chooses for the cluster
   * when the add-on is created (kept afterwards; set it to upgrade).
   */
  csiDriverVersion?: string;
  /**
   * IAM role for the driver's service account. Static volumes over an access point need no AWS
   * API access, so none is needed here. Default: none.
   */
  csiDriverRoleArn?: pulumi.Input<string>;
  /**
   * Mount with IAM authorization (the `iam` mount option): the EFS CSI driver signs each mount
   * with its AWS identity, so the file-system policy and CloudTrail see who mounted. Needs a
   * driver with AWS credentials (its service account role, or the node role). Default: true when
   * `csiDriverRoleArn` is set, false otherwise.
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
  /** The EKS add-on of the EFS CSI driver, when the package installs it. */
  csiDriver?: { clusterName: string; version?: string; roleArn?: pulumi.Input<string> };
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
  "installCsiDriver",
  "clusterName",
  "csiDriverVersion",
  "csiDriverRoleArn",
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
  installCsiDriver: true,
  clusterName: true,
  csiDriverVersion: true,
  csiDriverRoleArn: true,
  iamMount: true,
});

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
  check.knownKeys(path, o, STORAGE_KEYS);
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
    csiDriver:
      o.installCsiDriver === true
        ? { clusterName: o.clusterName ?? "", version: o.csiDriverVersion, roleArn: o.csiDriverRoleArn }
        : undefined,
    iamMount: o.iamMount ?? o.csiDriverRoleArn !== undefined,
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
  checkCsiDriver(check, path, o);
  check.boolean(`${path}.iamMount`, o.iamMount);
  checkNetwork(check, network.path, network.value, 1);
  checkDistinctZones(check, network.path, network.value);
  return resolved;
}

function checkCsiDriver(check: Checker, path: string, o: StorageOptions): void {
  check.boolean(`${path}.installCsiDriver`, o.installCsiDriver);
  if (o.installCsiDriver === true) {
    check.required(`${path}.clusterName`, o.clusterName, "the name of the EKS cluster");
    check.eksClusterName(`${path}.clusterName`, o.clusterName);
    check.pattern(
      `${path}.csiDriverVersion`,
      o.csiDriverVersion,
      /^v\d+\.\d+\.\d+-eksbuild\.\d+$/,
      "an EKS add-on version such as v2.1.4-eksbuild.1",
    );
    check.arn(`${path}.csiDriverRoleArn`, o.csiDriverRoleArn, "iam", "role/");
  } else
    for (const key of ["clusterName", "csiDriverVersion", "csiDriverRoleArn"] as const)
      if (o[key] !== undefined)
        check.fail(
          `${path}.${key}`,
          "is only used when installCsiDriver is true",
          "installCsiDriver: true, or leave it out",
        );
}
