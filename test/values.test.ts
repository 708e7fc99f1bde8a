/**
 * The chart values renderer's merge: user values may hold Outputs at any depth (stack config,
 * other resources), and an Output block merges exactly like a plain one.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { deepMerge, isPlainObject } from "../sdk/chart/values";
import { defaultArgs, deploy } from "./fixtures";
import { at, one, resetMocks } from "./harness";

const RELEASE = "kubernetes:helm.sh/v3:Release";

describe("chart values merge", () => {
  beforeEach(() => resetMocks());

  it("keeps the package's keys when a user block is an Output, and adds the user's", async () => {
    await deploy(defaultArgs({ values: { persistence: pulumi.output({ subPath: "uepe-data" }) } }));
    const values = one(RELEASE, "uepe-release").inputs.values;
    assert.equal(at(values, "persistence.existingClaim"), "uepe-storage-shared");
    assert.equal(at(values, "persistence.enabled"), true);
    assert.equal(at(values, "persistence.subPath"), "uepe-data");
    assert.equal(at(values, "persistence.__pulumiOutput"), undefined);
  });

  it("merges an Output nested deeper and an Output leaf like plain values", async () => {
    await deploy(
      defaultArgs({
        values: {
          platform: { service: pulumi.output({ annotations: { team: "billing" } }) },
          environment: pulumi.output("aws-eks"),
        },
      }),
    );
    const values = one(RELEASE, "uepe-release").inputs.values;
    assert.equal(at(values, "platform.service.type"), "NodePort");
    assert.deepEqual(at(values, "platform.service.annotations"), { team: "billing" });
    assert.equal(at(values, "environment"), "aws-eks");
    assert.equal(at(values, "platform.db.type"), "postgresql");
  });

  it("treats only map literals as blocks: not an Output, a Resource or a class instance", () => {
    class Box {
      size = 1;
    }
    assert.equal(isPlainObject({ a: 1 }), true);
    assert.equal(isPlainObject(Object.create(null)), true);
    assert.equal(isPlainObject(pulumi.output({ a: 1 })), false);
    assert.equal(isPlainObject(new Box()), false);
    assert.equal(isPlainObject(new Date(0)), false);
    assert.equal(isPlainObject([1]), false);
    assert.equal(isPlainObject(null), false);
  });

  it("replaces lists and scalars, merges maps, and the user wins", () => {
    assert.deepEqual(deepMerge({ a: { b: 1, c: [1, 2] }, d: "x" }, { a: { c: [3] }, d: { e: 1 } }), {
      a: { b: 1, c: [3] },
      d: { e: 1 },
    });
  });
});
