import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { managedLabels } from "./kubernetes";
import {
  checkDistinctZones,
  checkNetwork,
  checkTags,
  duplicateZones,
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
  /** KMS key for encryption at rest. Default: the AWS managed `aws/elasticfilesystem` key. */
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
}

export interface SharedStorageArgs {
  /** Storage settings; `mode` must be `efs` (the only mode that creates resources). Default: EFS with the defaults above. */
  storage?: StorageOptions;
  /** VPC, one subnet per AZ for the mount targets, and the security groups allowed in on 2049. */
  network: NetworkOptions;
  /** Namespace of the PVC (the release namespace). */
  namespace: pulumi.Input<string>;
  /** Tags on every AWS resource. Default: none beyond `managed-by` and `Name`. */
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
  provisionedThroughputMibps?: number;
  transitionToIa?: EfsTransition;
  kmsKeyArn?: pulumi.Input<string>;
  installCsiDriver: boolean;
  clusterName?: string;
  csiDriverVersion?: string;
  csiDriverRoleArn?: pulumi.Input<string>;
}

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
] as const;
const STORAGE_KEYS = ["mode", "existingClaim", ...EFS_KEYS];

/** The EKS add-on name of the Amazon EFS CSI driver. */
export const EFS_CSI_ADDON = "aws-efs-csi-driver";
/** The CSI driver name in PersistentVolumes. */
export const EFS_CSI_DRIVER = "efs.csi.aws.com";

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
    provisionedThroughputMibps: o.provisionedThroughputMibps,
    transitionToIa: o.transitionToIa,
    kmsKeyArn: o.kmsKeyArn,
    installCsiDriver: o.installCsiDriver ?? false,
    clusterName: o.clusterName,
    csiDriverVersion: o.csiDriverVersion,
    csiDriverRoleArn: o.csiDriverRoleArn,
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
  if (resolved.mode !== "efs") {
    for (const key of EFS_KEYS)
      if (o[key] !== undefined)
        check.fail(
          `${path}.${key}`,
          "only shapes the EFS file system",
          'storage.mode: "efs", or leave it out',
        );
    return resolved;
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
  if (resolved.throughputMode === "provisioned") {
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
  return resolved;
}

function checkCsiDriver(check: Checker, path: string, o: StorageOptions): void {
  check.boolean(`${path}.installCsiDriver`, o.installCsiDriver);
  if (o.installCsiDriver === true) {
    check.required(`${path}.clusterName`, o.clusterName, "the name of the EKS cluster");
    check.pattern(
      `${path}.clusterName`,
      o.clusterName,
      /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/,
      "an EKS cluster name: letters, digits, '-' and '_', at most 100 characters",
    );
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

/**
 * EFS for the platform's shared volume: an encrypted file system kept on destroy, a policy that
 * refuses NFS clients without TLS, a mount target per Availability Zone behind a security group
 * admitting NFS from the allowed groups only, an access point owned by the UEPE user, and a
 * static PV bound to a ReadWriteMany PVC in the release namespace.
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
    if (storage.mode !== "efs")
      check.fail(
        "storage.mode",
        `"${storage.mode}" creates nothing`,
        '"efs" (SharedStorage creates EFS only)',
      );
    checkNetwork(check, "network", args.network, 1);
    checkDistinctZones(check, "network", args.network);
    checkTags(check, "tags", args.tags);
    check.required("namespace", args.namespace, "the release namespace");
    check.throwIfAny();
    super("usage-engine:index:SharedStorage", name, {}, opts);

    const tags = withTags(args.tags, `${name}-efs`);
    // Kept on destroy: the file system holds aggregation state, duplicate-UDR caches and logs.
    const fileSystem = new aws.efs.FileSystem(`${name}-efs`, fileSystemArgs(storage, tags), {
      parent: this,
      retainOnDelete: true,
    });
    const policy = new aws.efs.FileSystemPolicy(
      `${name}-tls-only`,
      { fileSystemId: fileSystem.id, policy: fileSystem.arn.apply(tlsOnlyPolicy) },
      { parent: this },
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
    const mountTargets = mountTargetSubnets(args.network, this).map(
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
    const driver = storage.installCsiDriver ? csiDriverAddon(name, storage, tags, this) : undefined;
    const volume = new k8s.core.v1.PersistentVolume(
      `${name}-pv`,
      persistentVolumeSpec(name, fileSystem.id, accessPoint.id, storage.size, args.namespace),
      { parent: this, dependsOn: [...mountTargets, policy, ...(driver ? [driver] : [])] },
    );
    const claim = new k8s.core.v1.PersistentVolumeClaim(
      `${name}-pvc`,
      persistentVolumeClaimSpec(name, args.namespace, volume.metadata.name, storage.size),
      { parent: this },
    );
    this.fileSystemId = fileSystem.id;
    this.fileSystemArn = fileSystem.arn;
    this.accessPointId = accessPoint.id;
    this.claimName = claim.metadata.name;
    this.registerOutputs({
      fileSystemId: this.fileSystemId,
      fileSystemArn: this.fileSystemArn,
      accessPointId: this.accessPointId,
      claimName: this.claimName,
    });
  }
}

/** The file system: encrypted, general purpose, with the chosen throughput and lifecycle. */
export function fileSystemArgs(storage: ResolvedStorage, tags: Tags): aws.efs.FileSystemArgs {
  return {
    encrypted: true,
    kmsKeyId: storage.kmsKeyArn,
    performanceMode: "generalPurpose",
    throughputMode: storage.throughputMode,
    provisionedThroughputInMibps: storage.provisionedThroughputMibps,
    // AWS takes each transition as its own policy object.
    lifecyclePolicies: storage.transitionToIa
      ? [{ transitionToIa: storage.transitionToIa }, { transitionToPrimaryStorageClass: "AFTER_1_ACCESS" }]
      : undefined,
    tags,
  };
}

/**
 * The file-system policy: NFS clients may mount, write and act as root through a mount target,
 * and every request without TLS is denied (`aws:SecureTransport` false), so an unencrypted mount
 * fails instead of silently sending data in clear text.
 */
export function tlsOnlyPolicy(fileSystemArn: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "MountThroughMountTargets",
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: [
          "elasticfilesystem:ClientMount",
          "elasticfilesystem:ClientWrite",
          "elasticfilesystem:ClientRootAccess",
        ],
        Resource: fileSystemArn,
        Condition: { Bool: { "elasticfilesystem:AccessedViaMountTarget": "true" } },
      },
      {
        Sid: "DenyWithoutTls",
        Effect: "Deny",
        Principal: { AWS: "*" },
        Action: "*",
        Resource: fileSystemArn,
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  });
}

/**
 * The subnets of the mount targets, one per Availability Zone. With `network.availabilityZones`
 * that was checked before anything was registered. Without it, the zones are looked up
 * (ec2:DescribeSubnets) and a repeated zone fails the deployment here, before any mount target is
 * created, instead of leaving a half-built file system behind a MountTargetConflict.
 */
export function mountTargetSubnets(
  network: NetworkOptions,
  parent: pulumi.Resource,
): pulumi.Output<string>[] {
  if (network.availabilityZones !== undefined) return network.subnetIds.map((id) => pulumi.output(id));
  const lookups = network.subnetIds.map((id) => aws.ec2.getSubnetOutput({ id }, { parent }));
  const checked = pulumi.all(lookups).apply((subnets) => {
    const duplicates = duplicateZones(
      subnets.map((s) => ({ id: s.id, availabilityZone: s.availabilityZone })),
    );
    if (duplicates.length > 0)
      throw new pulumi.RunError(
        `network.subnetIds: ${duplicates.join("; ")}; expected one subnet per Availability Zone (EFS allows one mount target per zone)`,
      );
    return subnets.map((s) => s.id);
  });
  return network.subnetIds.map((_, i) => checked.apply((ids) => ids[i]));
}

/** The Amazon EFS CSI driver as an EKS add-on; kept on the cluster if the add-on is removed. */
function csiDriverAddon(
  name: string,
  storage: ResolvedStorage,
  tags: Tags,
  parent: pulumi.Resource,
): aws.eks.Addon {
  return new aws.eks.Addon(
    `${name}-efs-csi-driver`,
    {
      clusterName: storage.clusterName!,
      addonName: EFS_CSI_ADDON,
      addonVersion: storage.csiDriverVersion,
      serviceAccountRoleArn: storage.csiDriverRoleArn,
      resolveConflictsOnCreate: "OVERWRITE",
      resolveConflictsOnUpdate: "PRESERVE",
      // Removing the add-on must not unmount the volumes of running pods.
      preserve: true,
      tags,
    },
    { parent },
  );
}

/**
 * A static EFS CSI volume over the access point: Retain, TLS in transit, no storage class, and
 * reserved for the package's claim so no other PVC can bind it.
 */
export function persistentVolumeSpec(
  name: string,
  fileSystemId: pulumi.Input<string>,
  accessPointId: pulumi.Input<string>,
  size: string,
  namespace?: pulumi.Input<string>,
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
      claimRef: namespace === undefined ? undefined : { namespace, name: `${name}-shared` },
      csi: {
        driver: EFS_CSI_DRIVER,
        volumeHandle: pulumi.interpolate`${fileSystemId}::${accessPointId}`,
      },
    },
  };
}

/** The ReadWriteMany claim bound explicitly to the static volume; `""` keeps dynamic provisioning out. */
export function persistentVolumeClaimSpec(
  name: string,
  namespace: pulumi.Input<string>,
  volumeName: pulumi.Input<string>,
  size: string,
): k8s.core.v1.PersistentVolumeClaimArgs {
  return {
    metadata: { name: `${name}-shared`, namespace, labels: managedLabels() },
    spec: {
      accessModes: ["ReadWriteMany"],
      storageClassName: "",
      volumeName,
      resources: { requests: { storage: size } },
    },
  };
}
