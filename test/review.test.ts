/**
 * Change review: what `pulumi preview --diff` can show a reviewer. The redacted views of the chart
 * values and of the credential Secrets (keys and keyed markers), and the `protect` option that
 * makes the engine refuse to replace or delete the data resources.
 */
import * as assert from "node:assert/strict";
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import type { UsageEngineStack, UsageEngineStackArgs } from "../sdk";
import { marker } from "../sdk/fingerprint";
import { defaultArgs, deploy, externalOnlyArgs, LICENSE } from "./fixtures";
import { isSecret, isSecretAt, ofType, one, resetMocks, resolved } from "./harness";

const RDS = "aws:rds/instance:Instance";
const EFS = "aws:efs/fileSystem:FileSystem";
const VAULT = "aws:backup/vault:Vault";
const MARKER = /^\[secret:[0-9a-f]{8}\]$/;

/** The view as `pulumi preview --diff` prints it: one line per value. */
function lines(view: unknown): string[] {
  return JSON.stringify(view, null, 2).split("\n");
}

/** The lines that differ between two views of the same shape, as `old -> new` texts. */
function changedLines(before: unknown, after: unknown): string[] {
  const a = lines(before);
  const b = lines(after);
  assert.equal(a.length, b.length, "the views differ in shape");
  return a.flatMap((line, i) => (line === b[i] ? [] : [`${line.trim()} -> ${b[i].trim()}`]));
}

interface Views {
  chart: Record<string, unknown>;
  env: Record<string, string>;
  authorization: Record<string, string>;
}

/** Deploys under fresh mocks and resolves the stack's three review views. */
async function views(args: UsageEngineStackArgs): Promise<Views> {
  resetMocks();
  const stack: UsageEngineStack = await deploy(args);
  return {
    chart: await resolved(stack.chartValuesRedacted),
    env: await resolved(stack.envSecretsRedacted),
    authorization: await resolved(stack.authorizationServerSecretsRedacted),
  };
}

describe("change review", () => {
  describe("the keyed marker", () => {
    it("is [secret:8 hex], stable for one key and value, different for another key or value", () => {
      assert.match(marker("key-1", "a secret"), MARKER);
      assert.equal(marker("key-1", "a secret"), marker("key-1", "a secret"));
      assert.notEqual(marker("key-2", "a secret"), marker("key-1", "a secret"));
      assert.notEqual(marker("key-1", "another secret"), marker("key-1", "a secret"));
    });

    it("is not a plain hash of the secret", () => {
      const plain = createHash("sha256").update("a secret").digest("hex").slice(0, 8);
      assert.notEqual(marker("key-1", "a secret"), `[secret:${plain}]`);
    });
  });

  describe("redacted chart values", () => {
    let stack: UsageEngineStack;
    before(async () => {
      resetMocks();
      stack = await deploy(
        defaultArgs({ values: { extra: { token: pulumi.secret("user-token-9f8e7d6c"), plain: "shown" } } }),
      );
    });

    it("are not secret, while the release's values stay one secret", async () => {
      assert.equal(await isSecret(stack.chartValuesRedacted), false);
      assert.equal(await isSecret(stack.envSecretsRedacted), false);
      assert.equal(await isSecret(stack.chartValues), true);
      assert.equal(isSecretAt(one("kubernetes:helm.sh/v3:Release", "uepe-release").raw, ["values"]), true);
    });

    it("show non-secret values as they are and every secret leaf as a marker", async () => {
      const view = await resolved(stack.chartValuesRedacted);
      assert.match(String(view.licenseKey), MARKER);
      assert.deepEqual(Object.keys(view.extra), ["plain", "token"]);
      assert.match(String(view.extra.token), MARKER);
      assert.equal(view.extra.plain, "shown");
      assert.match(view.postgres.host, /\.eu-west-1\.rds\.amazonaws\.com$/);
      assert.equal(view.environment, "aws");
      assert.ok(!JSON.stringify(view).includes(LICENSE));
      assert.ok(!JSON.stringify(view).includes("user-token-9f8e7d6c"));
    });

    it("have the keys of the values the release receives, sorted at every level", async () => {
      const view = await resolved(stack.chartValuesRedacted);
      const real = await resolved(stack.chartValues);
      const shape = (v: unknown): unknown =>
        typeof v === "object" && v !== null && !Array.isArray(v)
          ? Object.fromEntries(Object.entries(v).map(([k, c]) => [k, shape(c)]))
          : Array.isArray(v)
            ? v.map(shape)
            : typeof v;
      const names = (v: unknown): string[] => Object.keys(v as object);
      assert.deepEqual(names(view), names(real));
      assert.deepEqual(names(view), [...names(view)].sort());
      assert.deepEqual(
        shape({ ...view, licenseKey: "", extra: {} }),
        shape({ ...real, licenseKey: "", extra: {} }),
      );
    });
  });

  describe("what a change shows", () => {
    let base: Views;
    before(async () => {
      base = await views(defaultArgs());
    });

    it("two evaluations with the same inputs give identical views (no churn)", async () => {
      assert.deepEqual(await views(defaultArgs()), base);
    });

    it("changing one non-secret value changes exactly that line", async () => {
      const after = await views(defaultArgs({ exposure: { serviceType: "ClusterIP" } }));
      assert.deepEqual(changedLines(base.chart, after.chart), ['"type": "NodePort" -> "type": "ClusterIP"']);
    });

    it("changing the license changes only its marker", async () => {
      const after = await views(defaultArgs({ licenseKey: pulumi.secret(`${LICENSE}-renewed`) }));
      const changed = changedLines(base.chart, after.chart);
      assert.equal(changed.length, 1, changed.join("\n"));
      assert.match(
        changed[0],
        /^"licenseKey": "\[secret:[0-9a-f]{8}\]", -> "licenseKey": "\[secret:[0-9a-f]{8}\]",$/,
      );
      assert.deepEqual(after.env, base.env);
    });

    it("env-secrets shows its keys with markers; a changed password changes only its marker", async () => {
      assert.ok(Object.keys(base.env).length >= 6);
      for (const value of Object.values(base.env)) assert.match(value, MARKER);
      assert.deepEqual(Object.keys(base.env), Object.keys(base.env).sort());
      const after = await views(
        defaultArgs({
          credentials: { passwords: { operator: pulumi.secret("given-operator-Pw-77aa88bb") } },
        }),
      );
      const changed = Object.keys(base.env).filter((k) => base.env[k] !== after.env[k]);
      assert.equal(changed.length, 1, `changed: ${changed.join(", ")}`);
      assert.deepEqual(after.chart, base.chart);
    });

    it("authorization-server-secrets shows its keys with markers", () => {
      assert.ok(Object.keys(base.authorization).length >= 2);
      for (const value of Object.values(base.authorization)) assert.match(value, MARKER);
    });

    it("one fingerprint key per stack, kept secret", async () => {
      resetMocks();
      const stack = await deploy();
      const keys = ofType("random:index/randomBytes:RandomBytes");
      assert.equal(keys.length, 1);
      assert.equal(keys[0].inputs.length, 32);
      assert.ok(stack.chartValuesRedacted);
    });
  });

  describe("protected data", () => {
    it("protects the RDS instance, the EFS file system and the backup vault by default, nothing else", async () => {
      resetMocks();
      await deploy();
      assert.equal(one(RDS).protect, true);
      assert.equal(one(EFS).protect, true);
      assert.equal(one(VAULT).protect, true);
      const others = ofType("aws:rds/subnetGroup:SubnetGroup").concat(
        ofType("aws:efs/accessPoint:AccessPoint"),
      );
      assert.ok(others.length > 0);
      for (const r of others) assert.equal(r.protect, false, `${r.name} is protected`);
    });

    it("protects none of them with protectData: false", async () => {
      resetMocks();
      await deploy(defaultArgs({ protectData: false }));
      assert.equal(one(RDS).protect, false);
      assert.equal(one(EFS).protect, false);
      assert.equal(one(VAULT).protect, false);
    });
  });

  it("evaluates under a preview, where the fingerprint key and the endpoints are not known yet", async () => {
    resetMocks({ preview: true });
    const stack = await deploy();
    assert.equal(await isSecret(stack.chartValuesRedacted), false);
    assert.ok(ofType(RDS).length === 1);
  });

  describe("handles", () => {
    it("hands out the release, the RDS instance, the file system and both security groups", async () => {
      resetMocks();
      const stack = await deploy();
      assert.ok(stack.release && stack.databaseInstance && stack.fileSystem);
      assert.equal(await resolved(stack.release.name), "uepe");
      assert.equal(
        await resolved(stack.databaseInstance.identifier),
        await resolved(stack.databaseInstanceId),
      );
      assert.equal(await resolved(stack.fileSystem.id), await resolved(stack.fileSystemId));
      const groups = ofType("aws:ec2/securityGroup:SecurityGroup").map((r) => r.name);
      assert.match(await resolved(stack.databaseSecurityGroupId), /^sg-[0-9a-f]{17}$/);
      assert.match(await resolved(stack.fileSystemSecurityGroupId), /^sg-[0-9a-f]{17}$/);
      assert.notEqual(
        await resolved(stack.databaseSecurityGroupId),
        await resolved(stack.fileSystemSecurityGroupId),
      );
      assert.equal(groups.length, 2);
    });

    it("has no database or file-system handle when the stack creates neither", async () => {
      resetMocks();
      const stack = await deploy(externalOnlyArgs());
      assert.equal(stack.databaseInstance, undefined);
      assert.equal(stack.fileSystem, undefined);
      assert.equal(await resolved(stack.databaseSecurityGroupId), "");
      assert.equal(await resolved(stack.fileSystemSecurityGroupId), "");
    });
  });
});
