import * as assert from "node:assert/strict";
import { UsageEngineStack } from "../sdk";
import { defaultArgs } from "./fixtures";
import { at, isSecret, one, recorded, resetMocks, resolved, settle } from "./harness";

describe("UsageEngineStack", () => {
  beforeEach(() => resetMocks());

  it("creates every part of the default stack", async () => {
    const stack = new UsageEngineStack("uepe", defaultArgs());
    await resolved(stack.releaseStatus);
    await settle();
    const types = new Set(recorded.map((r) => r.type));
    for (const t of [
      "usage-engine:index:SystemCredentials",
      "usage-engine:index:SystemDatabase",
      "usage-engine:index:SharedStorage",
      "usage-engine:index:BackupPlan",
      "usage-engine:index:Tls",
      "usage-engine:index:RegistryAccess",
      "kubernetes:core/v1:Namespace",
      "aws:rds/instance:Instance",
      "aws:efs/fileSystem:FileSystem",
      "aws:backup/plan:Plan",
      "kubernetes:helm.sh/v3:Release",
    ])
      assert.ok(types.has(t), `missing ${t}`);
    const release = one("kubernetes:helm.sh/v3:Release", "uepe-release");
    assert.equal(release.inputs.chart, "usage-engine-private-edition");
    assert.equal(release.inputs.version, "4.2.0");
    assert.equal(at(release.inputs, "values.persistence.existingClaim"), "uepe-storage-shared");
    assert.match(
      String(at(release.inputs, "values.postgres.host")),
      /^uepe-database\.c[0-9a-f]+\.eu-west-1\.rds\.amazonaws\.com$/,
    );
    assert.equal(await isSecret(stack.chartValues), true);
  });
});
