import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { managedLabels } from "./kubernetes";
import {
  checkNetwork,
  checkTags,
  ingressSecurityGroup,
  type NetworkOptions,
  type Tags,
  withTags,
} from "./network";
import { Checker } from "./validation";

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

/** Shared storage mounted into the platform, EC and desktop-online pods. */
export interface StorageOptions {
  /** `efs` creates EFS with a static PV/PVC; `existingClaim` uses your PVC; `none` disables persistence. Default: `efs`. */
  mode?: StorageMode;
  /** Name of your PVC in the release namespace when `mode` is `existingClaim`. */
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
  /** KMS key for encryption at rest. Default: the AWS managed `aws/elasticfilesystem` key. */
  kmsKeyArn?: pulumi.Input<string>;
}

export interface SharedStorageArgs {
  /** Storage settings. */
  storage?: StorageOptions;
  /** VPC, one subnet per AZ for the mount targets, and the security groups allowed in on 2049. */
  network: NetworkOptions;
  /** Namespace of the PVC (the release namespace). */
  namespace: pulumi.Input<string>;
  /** Tags on every AWS resource. */
  tags?: Tags;
}

export interface ResolvedStorage {
  mode: StorageMode;
  existingClaim?: string;
  accessPointPath: string;
  uid: number;
  gid: number;
  size: string;
  throughputMode: ThroughputMode;
  kmsKeyArn?: pulumi.Input<string>;
}

const STORAGE_KEYS = [
  "mode",
  "existingClaim",
  "accessPointPath",
  "uid",
  "gid",
  "size",
  "throughputMode",
  "kmsKeyArn",
];

export function resolveStorage(
  check: Checker,
  path: string,
  options: StorageOptions | undefined,
): ResolvedStorage {
  const o = options ?? {};
  check.knownKeys(path, o, STORAGE_KEYS);
  const resolved: ResolvedStorage = {
    mode: o.mode ?? "efs",
    existingClaim: o.existingClaim,
    accessPointPath: o.accessPointPath ?? "/uepe",
    uid: o.uid ?? 6000,
    gid: o.gid ?? 6000,
    size: o.size ?? "100Gi",
    throughputMode: o.throughputMode ?? "elastic",
    kmsKeyArn: o.kmsKeyArn,
  };
  check.oneOf(`${path}.mode`, resolved.mode, ["efs", "existingClaim", "none"]);
  if (resolved.mode === "existingClaim") {
    check.required(`${path}.existingClaim`, o.existingClaim, "the name of a PVC in the release namespace");
    check.rfc1123Subdomain(`${path}.existingClaim`, o.existingClaim);
  } else if (o.existingClaim !== undefined) {
    check.fail(
      `${path}.existingClaim`,
      "is only used with storage.mode existingClaim",
      'storage.mode: "existingClaim"',
    );
  }
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
  check.oneOf(`${path}.throughputMode`, resolved.throughputMode, ["elastic", "bursting", "provisioned"]);
  check.arn(`${path}.kmsKeyArn`, o.kmsKeyArn, "kms", "key/");
  return resolved;
}

/**
 * EFS for the platform's shared volume: an encrypted file system kept on destroy, a mount target
 * per subnet behind a security group admitting NFS from the allowed groups only, an access point
 * owned by the UEPE user, and a static PV bound to a ReadWriteMany PVC in the release namespace.
 */
export class SharedStorage extends pulumi.ComponentResource {
  /** EFS file system id. */
  public readonly fileSystemId: pulumi.Output<string>;
  /** ARN of the file system (selected by AWS Backup). */
  public readonly fileSystemArn: pulumi.Output<string>;
  /** EFS access point id. */
  public readonly accessPointId: pulumi.Output<string>;
  /** Name of the PVC to mount as `persistence.existingClaim`. */
  public readonly claimName: pulumi.Output<string>;

  constructor(name: string, args: SharedStorageArgs, opts?: pulumi.ComponentResourceOptions) {
    const check = new Checker("SharedStorage");
    const storage = resolveStorage(check, "storage", args.storage);
    checkNetwork(check, "network", args.network, 1);
    checkTags(check, "tags", args.tags);
    check.required("namespace", args.namespace, "the release namespace");
    check.throwIfAny();
    super("usage-engine:index:SharedStorage", name, {}, opts);

    const tags = withTags(args.tags, `${name}-efs`);
    const fileSystem = new aws.efs.FileSystem(
      `${name}-efs`,
      {
        encrypted: true,
        kmsKeyId: storage.kmsKeyArn,
        throughputMode: storage.throughputMode,
        performanceMode: "generalPurpose",
        tags,
      },
      { parent: this, retainOnDelete: true },
    );
    const securityGroup = ingressSecurityGroup(
      `${name}-sg`,
      {
        vpcId: args.network.vpcId,
        port: 2049,
        description: "UEPE shared storage (NFS)",
        sourceSecurityGroupIds: args.network.allowedSecurityGroupIds,
        tags,
      },
      this,
    );
    const mountTargets = args.network.subnetIds.map(
      (subnetId, i) =>
        new aws.efs.MountTarget(
          `${name}-mount-${i}`,
          { fileSystemId: fileSystem.id, subnetId, securityGroups: [securityGroup.id] },
          { parent: this },
        ),
    );
    const accessPoint = new aws.efs.AccessPoint(
      `${name}-ap`,
      {
        fileSystemId: fileSystem.id,
        posixUser: { uid: storage.uid, gid: storage.gid },
        rootDirectory: {
          path: storage.accessPointPath,
          creationInfo: { ownerUid: storage.uid, ownerGid: storage.gid, permissions: "0755" },
        },
        tags,
      },
      { parent: this },
    );
    const volume = new k8s.core.v1.PersistentVolume(
      `${name}-pv`,
      persistentVolumeSpec(name, fileSystem.id, accessPoint.id, storage.size),
      { parent: this, dependsOn: mountTargets },
    );
    const claim = new k8s.core.v1.PersistentVolumeClaim(
      `${name}-pvc`,
      {
        metadata: { name: `${name}-shared`, namespace: args.namespace, labels: managedLabels() },
        spec: {
          accessModes: ["ReadWriteMany"],
          storageClassName: "",
          volumeName: volume.metadata.name,
          resources: { requests: { storage: storage.size } },
        },
      },
      { parent: this },
    );
    this.fileSystemId = fileSystem.id;
    this.fileSystemArn = fileSystem.arn;
    this.accessPointId = accessPoint.id;
    this.claimName = claim.metadata.name;
    this.registerOutputs({
      fileSystemId: this.fileSystemId,
      accessPointId: this.accessPointId,
      claimName: this.claimName,
    });
  }
}

/** A static EFS CSI volume over the access point: Retain, TLS in transit, no storage class. */
export function persistentVolumeSpec(
  name: string,
  fileSystemId: pulumi.Input<string>,
  accessPointId: pulumi.Input<string>,
  size: string,
): k8s.core.v1.PersistentVolumeArgs {
  return {
    metadata: { name: `${name}-shared`, labels: managedLabels() },
    spec: {
      capacity: { storage: size },
      volumeMode: "Filesystem",
      accessModes: ["ReadWriteMany"],
      persistentVolumeReclaimPolicy: "Retain",
      storageClassName: "",
      mountOptions: ["tls"],
      csi: {
        driver: "efs.csi.aws.com",
        volumeHandle: pulumi.interpolate`${fileSystemId}::${accessPointId}`,
      },
    },
  };
}
