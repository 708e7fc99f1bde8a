import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  type EfsStorageSpec,
  type NetworkOptions,
  resolveStorage,
  type StorageOptions,
  type Tags,
  Validated,
} from "./args";
import { checkTags } from "./args/network";
import { managedLabels } from "./kubernetes";
import { duplicateZones, ingressSecurityGroup, withTags } from "./network";
import { Checker } from "./validation";

/** The EKS add-on name of the Amazon EFS CSI driver. */
/** The CSI driver name in PersistentVolumes. */
export const EFS_CSI_DRIVER = "efs.csi.aws.com";

/** SharedStorage's arguments after resolution. */
export interface SharedStorageSpec {
  storage: EfsStorageSpec;
  namespace: pulumi.Input<string>;
  tags: Tags;
  /** Pulumi's `protect` on the file system. */
  protect: boolean;
}

/** Resolves a SharedStorage used on its own, through the stack's own storage resolver. */
export function resolveSharedStorageArgs(args: SharedStorageArgs): SharedStorageSpec {
  const check = new Checker("SharedStorage");
  const storage = resolveStorage(check, "storage", args.storage, { path: "network", value: args.network });
  if (storage.mode !== "efs")
    check.fail("storage.mode", `"${storage.mode}" creates nothing`, '"efs" (SharedStorage creates EFS only)');
  checkTags(check, "tags", args.tags);
  check.required("namespace", args.namespace, "the release namespace");
  check.boolean("protect", args.protect);
  check.throwIfAny();
  if (storage.mode !== "efs") throw new Error("unreachable: a non-EFS storage mode was reported above");
  return { storage, namespace: args.namespace, tags: args.tags ?? {}, protect: args.protect ?? true };
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
  /**
   * Pulumi's `protect` on the EFS file system: `pulumi up` refuses to replace it and `pulumi
   * destroy` to delete it until `pulumi state unprotect` is run. Default: true.
   */
  protect?: boolean;
}

/**
 * EFS for the platform's shared volume: an encrypted file system kept on destroy, a policy that
 * admits NFS clients only through the access point, never as root, and never without TLS, a mount target per Availability Zone behind a security group
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
  /** The EFS file system, to wire further resources to (replication, more access points). */
  public readonly fileSystem: aws.efs.FileSystem;
  /** Id of the security group that admits NFS clients to the mount targets. */
  public readonly securityGroupId: pulumi.Output<string>;

  constructor(
    name: string,
    args: SharedStorageArgs | Validated<SharedStorageSpec>,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    const {
      storage,
      namespace,
      tags: userTags,
      protect,
    } = args instanceof Validated ? args.spec : resolveSharedStorageArgs(args);
    super("usage-engine:index:SharedStorage", name, {}, opts);

    const tags = withTags(userTags, `${name}-efs`);
    // Kept on destroy: the file system holds aggregation state, duplicate-UDR caches and logs.
    const fileSystem = new aws.efs.FileSystem(`${name}-efs`, fileSystemArgs(storage, tags), {
      parent: this,
      retainOnDelete: true,
      protect,
    });
    const securityGroup = ingressSecurityGroup(
      `${name}-sg`,
      {
        vpcId: storage.network.vpcId,
        port: 2049,
        description: "UEPE shared storage (NFS)",
        sourceSecurityGroupIds: storage.network.allowedSecurityGroupIds,
        tags,
      },
      this,
    );
    const mountTargets = mountTargetSubnets(storage.network, this).map(
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
    const policy = new aws.efs.FileSystemPolicy(
      `${name}-tls-only`,
      {
        fileSystemId: fileSystem.id,
        policy: pulumi.all([fileSystem.arn, accessPoint.arn]).apply(([fs, ap]) => fileSystemPolicy(fs, ap)),
      },
      { parent: this },
    );
    const volume = new k8s.core.v1.PersistentVolume(
      `${name}-pv`,
      persistentVolumeSpec(name, fileSystem.id, accessPoint.id, storage.size, namespace, storage.iamMount),
      { parent: this, dependsOn: [...mountTargets, policy] },
    );
    const claim = new k8s.core.v1.PersistentVolumeClaim(
      `${name}-pvc`,
      persistentVolumeClaimSpec(name, namespace, volume.metadata.name, storage.size),
      { parent: this },
    );
    this.fileSystem = fileSystem;
    this.securityGroupId = securityGroup.id;
    this.fileSystemId = fileSystem.id;
    this.fileSystemArn = fileSystem.arn;
    this.accessPointId = accessPoint.id;
    this.claimName = claim.metadata.name;
    this.registerOutputs({
      fileSystemId: this.fileSystemId,
      fileSystemArn: this.fileSystemArn,
      accessPointId: this.accessPointId,
      claimName: this.claimName,
      fileSystem: this.fileSystem,
      securityGroupId: this.securityGroupId,
    });
  }
}

/** The file system: encrypted, general purpose, with the chosen throughput and lifecycle. */
export function fileSystemArgs(storage: EfsStorageSpec, tags: Tags): aws.efs.FileSystemArgs {
  return {
    encrypted: true,
    kmsKeyId: storage.kmsKeyArn,
    performanceMode: "generalPurpose",
    throughputMode: storage.throughput.mode,
    provisionedThroughputInMibps:
      storage.throughput.mode === "provisioned" ? storage.throughput.mibps : undefined,
    // AWS takes each transition as its own policy object.
    lifecyclePolicies: storage.transitionToIa
      ? [{ transitionToIa: storage.transitionToIa }, { transitionToPrimaryStorageClass: "AFTER_1_ACCESS" }]
      : undefined,
    tags,
  };
}

/**
 * The file-system policy: NFS clients may mount and write only through a mount target and the
 * installation's access point (which maps every client to the UEPE user and confines it to the
 * access point's directory), never as root (no `ClientRootAccess`), and every request without TLS
 * is denied (`aws:SecureTransport` false), so an unencrypted mount fails instead of silently
 * sending data in clear text. Nothing behind the allowed security groups can mount the whole file
 * system, or mount it as root.
 */
export function fileSystemPolicy(fileSystemArn: string, accessPointArn: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "MountThroughTheAccessPoint",
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
        Resource: fileSystemArn,
        Condition: {
          Bool: { "elasticfilesystem:AccessedViaMountTarget": "true" },
          StringEquals: { "elasticfilesystem:AccessPointArn": accessPointArn },
        },
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

/**
 * A static EFS CSI volume over the access point: Retain, TLS in transit (and IAM authorization
 * with `iamMount`), no storage class, and reserved for the package's claim so no other PVC can
 * bind it.
 */
export function persistentVolumeSpec(
  name: string,
  fileSystemId: pulumi.Input<string>,
  accessPointId: pulumi.Input<string>,
  size: string,
  namespace?: pulumi.Input<string>,
  iamMount = false,
): k8s.core.v1.PersistentVolumeArgs {
  return {
    metadata: { name: `${name}-shared`, labels: managedLabels() },
    spec: {
      capacity: { storage: size },
      volumeMode: "Filesystem",
      accessModes: ["ReadWriteMany"],
      persistentVolumeReclaimPolicy: "Retain",
      storageClassName: "",
      mountOptions: iamMount ? ["tls", "iam"] : ["tls"],
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
