import * as assert from "node:assert/strict";
import { PersistentVolume, PersistentVolumeClaim } from "kubernetes-models/v1";
import { SharedStorage, type SharedStorageArgs, UsageEngineStack } from "../sdk";
import { assertRejected, defaultArgs, deploy, NETWORK } from "./fixtures";
import { at, kubernetesObject, ofType, one, recorded, resetMocks, settle, subnetZones } from "./harness";

const FILE_SYSTEM = "aws:efs/fileSystem:FileSystem";
const MOUNT_TARGET = "aws:efs/mountTarget:MountTarget";
const POLICY = "aws:efs/fileSystemPolicy:FileSystemPolicy";
const PV = "kubernetes:core/v1:PersistentVolume";
const PVC = "kubernetes:core/v1:PersistentVolumeClaim";
const ADDON = "aws:eks/addon:Addon";
const KMS_KEY = "arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
const THREE_SUBNETS = [...NETWORK.subnetIds, "subnet-0cc99dd00ee11ff22"];

/** A SharedStorage on its own in namespace `uepe`. */
async function storage(overrides: Partial<SharedStorageArgs> = {}): Promise<void> {
  new SharedStorage("uepe-storage", { network: NETWORK, namespace: "uepe", ...overrides });
  await settle();
}

interface PolicyStatement {
  Effect: string;
  Principal: unknown;
  Action: string | string[];
  Resource: string;
  Condition: { Bool: Record<string, string> };
}

describe("SharedStorage", () => {
  beforeEach(() => resetMocks());

  describe("file system", () => {
    it("is encrypted, general purpose, elastic, kept on destroy, with no lifecycle unless asked", async () => {
      await storage();
      const fs = one(FILE_SYSTEM);
      assert.equal(fs.inputs.encrypted, true);
      assert.equal(fs.inputs.performanceMode, "generalPurpose");
      assert.equal(fs.inputs.throughputMode, "elastic");
      assert.equal(fs.inputs.lifecyclePolicies, undefined);
      assert.equal(fs.retainOnDelete, true, "EFS would be deleted with the stack");
      assert.equal(fs.inputs.kmsKeyId, undefined);
    });

    it("moves cold files to Infrequent Access and back on first read, when asked", async () => {
      await storage({ storage: { transitionToIa: "AFTER_30_DAYS" } });
      assert.deepEqual(one(FILE_SYSTEM).inputs.lifecyclePolicies, [
        { transitionToIa: "AFTER_30_DAYS" },
        { transitionToPrimaryStorageClass: "AFTER_1_ACCESS" },
      ]);
    });

    it("takes provisioned throughput and a customer KMS key", async () => {
      await storage({
        storage: { throughputMode: "provisioned", provisionedThroughputMibps: 64, kmsKeyArn: KMS_KEY },
      });
      const fs = one(FILE_SYSTEM).inputs;
      assert.equal(fs.throughputMode, "provisioned");
      assert.equal(fs.provisionedThroughputInMibps, 64);
      assert.equal(fs.kmsKeyId, KMS_KEY);
    });

    it("has a policy that denies every request without TLS and allows mounting through mount targets", async () => {
      await storage();
      const fs = one(FILE_SYSTEM);
      const policy = one(POLICY);
      const arn = String(fs.outputs.arn);
      assert.match(arn, /^arn:aws:elasticfilesystem:eu-west-1:123456789012:file-system\/fs-[0-9a-f]{17}$/);
      assert.match(String(policy.inputs.fileSystemId), /^fs-[0-9a-f]{17}$/);
      const statements = JSON.parse(String(policy.inputs.policy)).Statement as PolicyStatement[];
      const deny = statements.filter((s) => s.Effect === "Deny");
      assert.deepEqual(deny, [
        {
          Sid: "DenyWithoutTls",
          Effect: "Deny",
          Principal: { AWS: "*" },
          Action: "*",
          Resource: arn,
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ]);
      const accessPoint = one("aws:efs/accessPoint:AccessPoint");
      assert.match(String(accessPoint.outputs.arn), /:access-point\/fsap-[0-9a-f]{17}$/);
      const allow = statements.filter((s) => s.Effect === "Allow");
      assert.deepEqual(allow, [
        {
          Sid: "MountThroughTheAccessPoint",
          Effect: "Allow",
          Principal: { AWS: "*" },
          Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
          Resource: arn,
          Condition: {
            Bool: { "elasticfilesystem:AccessedViaMountTarget": "true" },
            StringEquals: { "elasticfilesystem:AccessPointArn": accessPoint.outputs.arn },
          },
        },
      ]);
      const granted = statements.flatMap((s) => [s.Action].flat());
      assert.ok(!granted.includes("elasticfilesystem:ClientRootAccess"), "clients may act as root");
      assert.ok(
        policy.dependencies.includes(accessPoint.urn),
        "the policy names an access point that may not exist",
      );
    });

    it("mounts with IAM authorization only when asked (the driver must have an AWS identity)", async () => {
      const options = () => at(one(PV).inputs, "spec.mountOptions");
      await storage();
      assert.deepEqual(options(), ["tls"]);
      resetMocks();
      await storage({ storage: { iamMount: true } });
      assert.deepEqual(options(), ["tls", "iam"]);
      resetMocks();
      await storage({ storage: { iamMount: false } });
      assert.deepEqual(options(), ["tls"]);
    });
  });

  describe("network", () => {
    it("admits NFS (2049) only from the allowed security groups", async () => {
      await storage();
      const rules = ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
      assert.deepEqual(
        rules.map((r) => [r.inputs.referencedSecurityGroupId, r.inputs.fromPort, r.inputs.toPort]),
        [[NETWORK.allowedSecurityGroupIds[0], 2049, 2049]],
      );
      for (const target of ofType(MOUNT_TARGET))
        assert.deepEqual(target.inputs.securityGroups, [rules[0].inputs.securityGroupId]);
    });

    it("creates one mount target per subnet once the subnets' zones are known to differ", async () => {
      await storage({ network: { ...NETWORK, subnetIds: THREE_SUBNETS } });
      const targets = ofType(MOUNT_TARGET);
      assert.deepEqual(targets.map((t) => t.inputs.subnetId).sort(), [...THREE_SUBNETS].sort());
      const fsId = ofType(POLICY)[0].inputs.fileSystemId;
      for (const target of targets) assert.equal(target.inputs.fileSystemId, fsId);
    });

    it("with the zones given, checks them up front and creates the mount targets directly", async () => {
      await storage({ network: { ...NETWORK, availabilityZones: ["eu-west-1a", "eu-west-1b"] } });
      assert.deepEqual(
        ofType(MOUNT_TARGET).map((t) => t.inputs.subnetId),
        NETWORK.subnetIds,
      );
    });

    it("rejects two subnets given in one zone before registering anything", () => {
      assert.throws(
        () =>
          new SharedStorage("fs", {
            namespace: "uepe",
            network: { ...NETWORK, availabilityZones: ["eu-west-1b", "eu-west-1b"] },
          }),
        /network\.availabilityZones\[1\]: "eu-west-1b" is also the zone of subnetIds\[0\]; EFS allows one mount target per Availability Zone; expected one subnet per Availability Zone/,
      );
      assert.equal(recorded.length, 0);
    });

    it("fails the deployment before any mount target when the looked-up zones repeat", async () => {
      subnetZones[NETWORK.subnetIds[0]] = "eu-west-1a";
      subnetZones[NETWORK.subnetIds[1]] = "eu-west-1a";
      const failures: string[] = [];
      const listen = (e: unknown) => failures.push(String(e));
      process.on("unhandledRejection", listen);
      try {
        await storage();
        await new Promise((r) => setTimeout(r, 50));
      } finally {
        process.off("unhandledRejection", listen);
      }
      assert.equal(ofType(MOUNT_TARGET).length, 0, "a mount target was created");
      assert.equal(ofType(PV).length, 0, "the volume was created over a broken file system");
      assert.ok(
        failures.some((f) =>
          f.includes(
            `network.subnetIds: ${NETWORK.subnetIds[1]} and ${NETWORK.subnetIds[0]} are both in eu-west-1a; expected one subnet per Availability Zone`,
          ),
        ),
        failures.join("\n") || "the deployment did not fail",
      );
    });
  });

  describe("access point and volume", () => {
    it("roots the access point at /uepe owned by 6000:6000 with mode 0755", async () => {
      await storage();
      const ap = one("aws:efs/accessPoint:AccessPoint").inputs;
      assert.deepEqual(ap.posixUser, { uid: 6000, gid: 6000 });
      assert.deepEqual(ap.rootDirectory, {
        path: "/uepe",
        creationInfo: { ownerUid: 6000, ownerGid: 6000, permissions: "0755" },
      });
    });

    it("uses the given path and ids", async () => {
      await storage({ storage: { accessPointPath: "/data/uepe", uid: 7001, gid: 7002 } });
      const ap = one("aws:efs/accessPoint:AccessPoint").inputs;
      assert.deepEqual(ap.posixUser, { uid: 7001, gid: 7002 });
      assert.deepEqual(at(ap, "rootDirectory.creationInfo"), {
        ownerUid: 7001,
        ownerGid: 7002,
        permissions: "0755",
      });
      assert.equal(at(ap, "rootDirectory.path"), "/data/uepe");
    });

    it("binds a static, retained, TLS-mounted EFS volume to a ReadWriteMany claim and nothing else", async () => {
      await storage({ storage: { size: "200Gi" } });
      const pv = one(PV);
      const pvc = one(PVC);
      const fsId = one(POLICY).inputs.fileSystemId;
      const apId = ofType("aws:efs/accessPoint:AccessPoint")[0];
      assert.match(
        String(at(pv.inputs, "spec.csi.volumeHandle")),
        new RegExp(`^${fsId}::fsap-[0-9a-f]{17}$`),
      );
      assert.ok(apId, "no access point");
      assert.equal(at(pv.inputs, "spec.csi.driver"), "efs.csi.aws.com");
      assert.deepEqual(at(pv.inputs, "spec.mountOptions"), ["tls"]);
      assert.equal(at(pv.inputs, "spec.persistentVolumeReclaimPolicy"), "Retain");
      assert.equal(at(pv.inputs, "spec.storageClassName"), "");
      assert.deepEqual(at(pv.inputs, "spec.accessModes"), ["ReadWriteMany"]);
      assert.equal(at(pv.inputs, "spec.capacity.storage"), "200Gi");
      assert.deepEqual(at(pv.inputs, "spec.claimRef"), {
        namespace: "uepe",
        name: at(pvc.inputs, "metadata.name"),
      });
      assert.equal(at(pvc.inputs, "metadata.namespace"), "uepe");
      assert.equal(at(pvc.inputs, "spec.volumeName"), at(pv.inputs, "metadata.name"));
      assert.equal(at(pvc.inputs, "spec.storageClassName"), "");
      assert.deepEqual(at(pvc.inputs, "spec.accessModes"), ["ReadWriteMany"]);
      assert.equal(at(pvc.inputs, "spec.resources.requests.storage"), "200Gi");
      new PersistentVolume(kubernetesObject(pv) as never).validate();
      new PersistentVolumeClaim(kubernetesObject(pvc) as never).validate();
    });

    it("creates the volume only after the mount targets and the TLS policy exist", async () => {
      await storage();
      const deps = one(PV).dependencies;
      for (const target of ofType(MOUNT_TARGET))
        assert.ok(deps.includes(target.urn), "PV does not wait for a mount target");
      assert.ok(deps.includes(one(POLICY).urn), "PV does not wait for the TLS policy");
    });
  });

  describe("EFS CSI driver", () => {
    it("is cluster-wide software: the installation creates no add-on", async () => {
      await storage();
      assert.equal(ofType(ADDON).length, 0);
    });
  });

  describe("modes through UsageEngineStack", () => {
    it("efs: the chart mounts the package's claim", async () => {
      await deploy();
      const values = one("kubernetes:helm.sh/v3:Release", "uepe-release").inputs.values;
      assert.equal(at(values, "persistence.enabled"), true);
      assert.equal(at(values, "persistence.existingClaim"), at(one(PVC).inputs, "metadata.name"));
    });

    it("existingClaim: the chart mounts your claim and no EFS is created", async () => {
      await deploy(defaultArgs({ storage: { mode: "existingClaim", existingClaim: "uepe-shared" } }));
      assert.equal(ofType(FILE_SYSTEM).length, 0);
      assert.equal(ofType(PVC).length, 0);
      const values = one("kubernetes:helm.sh/v3:Release", "uepe-release").inputs.values;
      assert.equal(at(values, "persistence.enabled"), true);
      assert.equal(at(values, "persistence.existingClaim"), "uepe-shared");
    });

    it("none: persistence is off and nothing is created for it", async () => {
      await deploy(defaultArgs({ storage: { mode: "none" } }));
      assert.equal(ofType(FILE_SYSTEM).length, 0);
      assert.equal(ofType(PV).length, 0);
      const values = one("kubernetes:helm.sh/v3:Release", "uepe-release").inputs.values;
      assert.equal(at(values, "persistence.enabled"), false);
      assert.equal(at(values, "persistence.existingClaim"), undefined);
    });
  });

  describe("bad input, before any resource", () => {
    const cases: [string, Record<string, unknown>, string, RegExp][] = [
      [
        "provisioned throughput without a figure",
        { throughputMode: "provisioned" },
        "storage.provisionedThroughputMibps",
        /is required; expected MiB\/s/,
      ],
      [
        "a throughput figure without provisioned mode",
        { provisionedThroughputMibps: 64 },
        "storage.provisionedThroughputMibps",
        /is only used with throughputMode provisioned/,
      ],
      [
        "zero provisioned throughput",
        { throughputMode: "provisioned", provisionedThroughputMibps: 0 },
        "storage.provisionedThroughputMibps",
        /0 is out of range; expected a whole number from 1 to 10240 MiB\/s/,
      ],
      [
        "an IA transition EFS does not offer",
        { transitionToIa: "AFTER_2_DAYS" },
        "storage.transitionToIa",
        /"AFTER_2_DAYS" is not supported \(did you mean "AFTER_1_DAY"\?\)|"AFTER_2_DAYS" is not supported/,
      ],
      [
        "the EKS add-on switch, moved to ClusterAddons",
        { installCsiDriver: true },
        "storage.installCsiDriver",
        /is no longer an argument of the installation: .* installed once per cluster by ClusterAddons; expected ClusterAddons efsCsiDriver\.enabled/,
      ],
      [
        "the add-on's cluster, version and role, moved to ClusterAddons",
        { clusterName: "uepe-eks", csiDriverVersion: "v2.1.4-eksbuild.1" },
        "storage.clusterName",
        /expected ClusterAddons cluster\.name on a ClusterAddons component/,
      ],
      [
        "a malformed KMS ARN",
        { kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:alias/efs" },
        "storage.kmsKeyArn",
        /is not a valid KMS ARN/,
      ],
      [
        "an EFS setting with persistence off",
        { mode: "none", throughputMode: "bursting" },
        "storage.throughputMode",
        /only shapes the EFS file system/,
      ],
      [
        "an EFS setting with your own claim",
        { mode: "existingClaim", existingClaim: "shared", uid: 1000 },
        "storage.uid",
        /only shapes the EFS file system/,
      ],
    ];
    for (const [title, storageOptions, path, message] of cases)
      it(`rejects ${title}`, async () => {
        await assertRejected(defaultArgs({ storage: storageOptions as never }), path, message);
      });

    const networks: [string, Record<string, unknown>, RegExp][] = [
      [
        "zones not matching the subnets",
        { availabilityZones: ["eu-west-1a"] },
        /network\.availabilityZones: has 1 zone\(s\) for 2 subnet\(s\); expected one zone per entry of subnetIds/,
      ],
      [
        "a malformed zone",
        { availabilityZones: ["eu-west-1a", "1b"] },
        /network\.availabilityZones\[1\]: "1b" is not valid; expected an Availability Zone name/,
      ],
      [
        "two subnets in one zone",
        { availabilityZones: ["eu-west-1a", "eu-west-1a"] },
        /network\.availabilityZones\[1\]: "eu-west-1a" is also the zone of subnetIds\[0\]/,
      ],
    ];
    for (const [title, network, message] of networks)
      it(`rejects ${title} through the stack`, () => {
        assert.throws(
          () => new UsageEngineStack("uepe", defaultArgs({ network: { ...NETWORK, ...network } })),
          message,
        );
        assert.equal(recorded.length, 0);
      });

    it("SharedStorage alone refuses modes that create nothing", () => {
      assert.throws(
        () => new SharedStorage("fs", { network: NETWORK, namespace: "uepe", storage: { mode: "none" } }),
        /storage\.mode: "none" creates nothing; expected "efs"/,
      );
      assert.equal(recorded.length, 0);
    });
  });
});
