/**
 * The offline diff's rules (tools/replacements.ts) and how `plan --diff` reports a data resource
 * it would replace or delete: evaluated on registrations as the mock model records them.
 */
import * as assert from "node:assert/strict";
import type { PlanResult } from "../tools/plan";
import { renderDiff } from "../tools/plan";
import { classify, resourceChanges } from "../tools/replacements";
import type { Recorded } from "./harness";

const RDS = "aws:rds/instance:Instance";
const EFS = "aws:efs/fileSystem:FileSystem";
const KEY_A = "arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
const KEY_B = "arn:aws:kms:eu-west-1:123456789012:key/9f8e7d6c-5b4a-3928-1706-f5e4d3c2b1a0";

/** A registration of `type` named `name` with these inputs, as the mock model records one. */
function registration(type: string, name: string, inputs: Record<string, unknown>, protect = true): Recorded {
  return {
    type,
    name,
    urn: `urn:pulumi:plan::uepe-quickstart::${type}::${name}`,
    parent: "",
    custom: true,
    inputs,
    raw: inputs,
    protect,
    retainOnDelete: false,
    ignoreChanges: [],
    dependencies: [],
    provider: "",
    finishedSeq: 0,
    startedSeq: 0,
    outputs: {},
    startedAt: 0,
    finishedAt: 0,
  };
}

const rds = (inputs: Record<string, unknown>, protect = true) =>
  registration(
    RDS,
    "uepe-database-instance",
    { identifier: "uepe-database", storageEncrypted: true, ...inputs },
    protect,
  );

function result(resources: Recorded[]): PlanResult {
  return { resources, tree: [], counts: [], releases: [], manifests: [], views: [] };
}

describe("plan --diff rules", () => {
  it("replaces the RDS instance for a new KMS key, updates it in place for a new retention", () => {
    const replaced = classify(rds({ kmsKeyId: KEY_A }), rds({ kmsKeyId: KEY_B }));
    assert.equal(replaced?.kind, "replace");
    assert.deepEqual(replaced?.replacedBy, ["kmsKeyId"]);
    const updated = classify(rds({ backupRetentionPeriod: 7 }), rds({ backupRetentionPeriod: 14 }));
    assert.equal(updated?.kind, "update");
    assert.deepEqual(updated?.properties, ["backupRetentionPeriod"]);
    assert.equal(classify(rds({ backupRetentionPeriod: 7 }), rds({ backupRetentionPeriod: 7 })), undefined);
  });

  it("renames the RDS instance in place, as the AWS provider does", () => {
    assert.equal(classify(rds({}), rds({ identifier: "uepe-db-r1" }))?.kind, "update");
  });

  it("replaces the file system for a new performance mode, and a Kubernetes object for a new name", () => {
    const efs = (performanceMode: string) =>
      registration(EFS, "uepe-storage-efs", { encrypted: true, performanceMode });
    assert.equal(classify(efs("generalPurpose"), efs("maxIO"))?.kind, "replace");
    const secret = (name: string) =>
      registration("kubernetes:core/v1:Secret", "uepe-tls", { metadata: { name, namespace: "uepe" } }, false);
    assert.deepEqual(classify(secret("a"), secret("b"))?.replacedBy, ["metadata.name"]);
  });

  it("lists additions and removals", () => {
    const sg = registration("aws:ec2/securityGroup:SecurityGroup", "uepe-database-sg", {}, false);
    const changes = resourceChanges([rds({}), sg], [rds({})]);
    assert.deepEqual(
      changes.map((c) => [c.kind, c.name]),
      [["remove", "uepe-database-sg"]],
    );
    assert.deepEqual(
      resourceChanges([], [sg]).map((c) => c.kind),
      ["add"],
    );
  });

  it("names a replaced protected data resource loudly, and says protect stops it", () => {
    const lines = renderDiff(
      { example: "quickstart", out: "", diff: "other.yaml" },
      result([rds({ kmsKeyId: KEY_A })]),
      result([rds({ kmsKeyId: KEY_B })]),
    );
    assert.ok(
      lines.includes("  +- replace aws:rds/instance:Instance  uepe-database-instance  [forced by kmsKeyId]"),
    );
    assert.deepEqual(
      lines.filter((l) => l.startsWith("!!")),
      [
        "!! REPLACES aws:rds/instance:Instance uepe-database-instance (kmsKeyId changed): the stack would move to a new, empty one. It is protected: `pulumi preview` and `pulumi up` refuse until you run `pulumi state unprotect` on it (docs/runbooks/restore.md).",
      ],
    );
  });

  it("says an unprotected data resource would go, and names a deleted one", () => {
    const lines = renderDiff(
      { example: "quickstart", out: "", diff: "other.yaml" },
      result([rds({ kmsKeyId: KEY_A }, false), registration(EFS, "uepe-storage-efs", {}, true)]),
      result([rds({ kmsKeyId: KEY_B }, false)]),
    );
    assert.deepEqual(
      lines.filter((l) => l.startsWith("!!")),
      [
        "!! REPLACES aws:rds/instance:Instance uepe-database-instance (kmsKeyId changed): the stack would move to a new, empty one. It is NOT protected (protectData: false): `pulumi up` would do it.",
        "!! DELETES aws:efs/fileSystem:FileSystem uepe-storage-efs: the stack would let go of its data. It is protected: `pulumi preview` and `pulumi up` refuse until you run `pulumi state unprotect` on it (docs/runbooks/restore.md).",
      ],
    );
  });

  it("shows nothing for the same config", () => {
    const lines = renderDiff(
      { example: "quickstart", out: "", diff: "same.yaml" },
      result([rds({})]),
      result([rds({})]),
    );
    assert.ok(lines.includes("Resources: 0 to add, 0 to remove, 0 to update in place, 0 to replace."));
  });
});
