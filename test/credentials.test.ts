import * as assert from "node:assert/strict";
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { SystemCredentials, type SystemCredentialsArgs } from "../sdk";
import { envSecretKeyNames } from "../sdk/args";
import { ArgumentError } from "../sdk/validation";
import { defaultArgs, deploy } from "./fixtures";
import {
  constructedWith,
  isSecretAt,
  isSecretWrapper,
  ofType,
  plaintextStrings,
  type Recorded,
  recorded,
  resetMocks,
  settle,
} from "./harness";

const SECRET = "kubernetes:core/v1:Secret";

function envSecrets(): Recorded {
  const found = ofType(SECRET).filter((s) => (s.inputs.metadata as { name?: string }).name === "env-secrets");
  assert.equal(found.length, 1, "expected one env-secrets Secret");
  return found[0];
}

function stringData(secret: Recorded): Record<string, string> {
  return secret.inputs.stringData as Record<string, string>;
}

/**
 * The `stringData` maps the package constructs Kubernetes Secrets with, while `run` runs. The
 * Kubernetes SDK wraps a Secret's whole stringData in one secret before registering it, so the
 * registered inputs only show that outer wrapper: whether the package made each value a secret
 * itself shows in what it hands the SDK.
 */
async function stringDataHandedOver(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const args = await constructedWith<k8s.core.v1.SecretArgs | undefined>(
    "@pulumi/kubernetes/core/v1/secret",
    "Secret",
    run,
  );
  return args.flatMap((a) => (a?.stringData ? [a.stringData as Record<string, unknown>] : []));
}

/** Whether a value handed to the SDK is itself a secret Output (not merely inside a secret map). */
async function isSecretValue(value: unknown): Promise<boolean> {
  return pulumi.Output.isInstance(value) && (await pulumi.isSecret(value));
}

async function credentials(args: Partial<SystemCredentialsArgs> = {}): Promise<Recorded> {
  new SystemCredentials("c", { namespace: "uepe", ...args });
  await settle();
  return envSecrets();
}

/** The error a construction throws, asserting nothing was registered. */
async function rejected(args: Partial<SystemCredentialsArgs>): Promise<ArgumentError> {
  let error: unknown;
  try {
    new SystemCredentials("c", { namespace: "uepe", ...args });
  } catch (e) {
    error = e;
  }
  await settle();
  assert.ok(error instanceof ArgumentError, `expected an ArgumentError, got ${error}`);
  assert.equal(recorded.length, 0, "a rejected construction registered resources");
  return error;
}

describe("SystemCredentials: env-secrets keys", () => {
  beforeEach(() => resetMocks());

  it("writes exactly the table's env-secrets keys for PostgreSQL, all of them secret", async () => {
    const secret = await credentials();
    assert.deepEqual(Object.keys(stringData(secret)).sort(), [
      "jdbcPassword",
      "jdbcUser",
      "mzownerPassword",
      "operatorPassword",
      "postgresqlPassword",
      "tlsKeyPassword",
      "tlsKeystorePassword",
    ]);
    for (const key of Object.keys(stringData(secret)))
      assert.ok(isSecretAt(secret.raw, ["stringData", key]), `${key} is not secret`);
  });

  it("writes the administrator password under the key of the database type, and not at all when the database is pre-created", async () => {
    let keys = Object.keys(stringData(await credentials({ databaseType: "oracle" })));
    assert.ok(keys.includes("oraclePassword"));
    assert.ok(!keys.includes("postgresqlPassword"));
    resetMocks();
    keys = Object.keys(
      stringData(
        await credentials({
          storeAdminPassword: false,
          credentials: { jdbcUser: "mzowner", passwords: { mzowner: "Owner-Pass-1a2b" } },
        }),
      ),
    );
    for (const admin of ["postgresqlPassword", "oraclePassword", "saphanaPassword"])
      assert.ok(!keys.includes(admin), `${admin} written for a pre-created database`);
  });

  it("renames keys with credentials.keyNames and keeps the same values under the new names", async () => {
    const before = stringData(await credentials());
    resetMocks();
    const after = stringData(
      await credentials({ credentials: { keyNames: { jdbc: "jdbcPass", admin: "dbAdminPassword" } } }),
    );
    assert.equal(after.jdbcPass, before.jdbcPassword);
    assert.equal(after.dbAdminPassword, before.postgresqlPassword);
    assert.ok(!("jdbcPassword" in after), "the old key is still written");
    assert.ok(!("postgresqlPassword" in after), "the old admin key is still written");
    assert.equal(Object.keys(after).length, Object.keys(before).length);
  });

  it("renames the administrator key whatever the database type", () => {
    for (const type of ["postgresql", "oracle", "saphana"] as const)
      assert.equal(envSecretKeyNames({ admin: "adminPw" }, type).admin, "adminPw");
    assert.equal(envSecretKeyNames(undefined, "saphana").admin, "saphanaPassword");
  });

  it("adds credentials.extra entries as secrets, never in plaintext", async () => {
    const value = "extra-credential-value-9f2c";
    let secret: Recorded | undefined;
    const [handed] = await stringDataHandedOver(async () => {
      secret = await credentials({
        credentials: {
          extra: { reportingPassword: pulumi.secret(value), plainGiven: "plain-given-value-77" },
        },
      });
    });
    assert.ok(secret && handed, "no env-secrets Secret constructed");
    // Each value is a secret of its own, the plain string given included ...
    assert.ok(
      await isSecretValue(handed.reportingPassword),
      "stringData.reportingPassword is not itself secret",
    );
    assert.ok(await isSecretValue(handed.plainGiven), "stringData.plainGiven is not itself secret");
    // ... and the map the engine stores is a secret.
    assert.ok(isSecretWrapper((secret.raw as { stringData?: unknown }).stringData));
    assert.equal(stringData(secret).reportingPassword, value);
    assert.ok(isSecretAt(secret.raw, ["stringData", "reportingPassword"]));
    assert.ok(
      isSecretAt(secret.raw, ["stringData", "plainGiven"]),
      "a plain string given in extra is not made secret",
    );
    const plaintext = recorded.flatMap((r) => plaintextStrings(r.raw));
    assert.ok(!plaintext.some((s) => s.includes(value) || s.includes("plain-given-value-77")));
  });

  it("through the stack, makes each credentials.extra value a secret of its own in env-secrets", async () => {
    const handed = await stringDataHandedOver(() =>
      deploy(defaultArgs({ credentials: { extra: { reportingPassword: "plain-extra-value-5e1a" } } })),
    );
    const secret = envSecrets();
    assert.equal(stringData(secret).reportingPassword, "plain-extra-value-5e1a");
    const envData = handed.filter((data) => "reportingPassword" in data);
    assert.equal(envData.length, 1, "expected one Secret constructed with the extra key");
    assert.ok(
      await isSecretValue(envData[0].reportingPassword),
      "stringData.reportingPassword is not itself secret",
    );
    assert.ok(isSecretWrapper((secret.raw as { stringData?: unknown }).stringData));
    assert.ok(
      !recorded.flatMap((r) => plaintextStrings(r.raw)).some((t) => t.includes("plain-extra-value-5e1a")),
    );
  });

  it("lets extra use a key freed by a rename", async () => {
    const secret = await credentials({
      credentials: { keyNames: { jdbc: "jdbcPass" }, extra: { jdbcPassword: "legacy-copy-value" } },
    });
    assert.equal(stringData(secret).jdbcPassword, "legacy-copy-value");
    assert.notEqual(stringData(secret).jdbcPass, "legacy-copy-value");
  });
});

describe("SystemCredentials: bad key names and clashes", () => {
  beforeEach(() => resetMocks());

  it("rejects an unknown logical key, listing the known ones", async () => {
    const error = await rejected({ credentials: { keyNames: { jdbcPassword: "x" } as never } });
    assert.match(error.message, /credentials\.keyNames\.jdbcPassword: is not a known argument/);
    assert.match(error.message, /jdbcUser, jdbc, mzowner, admin, operator, keystore, key/);
  });

  for (const bad of ["jdbc password", "jdbc/password", "..", ".", "x".repeat(254), "pässword"]) {
    it(`rejects the invalid Secret key ${JSON.stringify(bad.length > 20 ? `${bad.slice(0, 10)}...` : bad)}`, async () => {
      const error = await rejected({ credentials: { keyNames: { jdbc: bad } } });
      assert.match(error.message, /credentials\.keyNames\.jdbc: .* is not a valid Secret key/);
      assert.match(error.message, /\[-\._a-zA-Z0-9\]\+/);
    });
  }

  it("rejects an invalid key in extra without echoing its value", async () => {
    const error = await rejected({ credentials: { extra: { "bad key": "hidden-value-123" } } });
    assert.match(error.message, /credentials\.extra\.bad key: .* is not a valid Secret key/);
    assert.doesNotMatch(error.message, /hidden-value-123/);
  });

  it("rejects two credentials renamed to the same key", async () => {
    const error = await rejected({ credentials: { keyNames: { jdbc: "shared", operator: "shared" } } });
    assert.match(
      error.message,
      /credentials\.keyNames\.\w+: "shared" is also the env-secrets key of the \w+ credential/,
    );
  });

  it("rejects a rename onto another credential's key", async () => {
    const error = await rejected({ credentials: { keyNames: { jdbc: "mzownerPassword" } } });
    assert.match(
      error.message,
      /credentials\.keyNames\.jdbc: "mzownerPassword" is also the env-secrets key of the mzowner credential/,
    );
  });

  it("rejects extra entries that would overwrite a managed key, naming the credential and the fix", async () => {
    const error = await rejected({
      credentials: {
        keyNames: { key: "pkPassword" },
        extra: { jdbcPassword: "a-value-1", pkPassword: "a-value-2" },
      },
    });
    assert.match(error.message, /credentials\.extra\.jdbcPassword: clashes with .* for the jdbc credential/);
    assert.match(error.message, /credentials\.extra\.pkPassword: clashes with .* for the key credential/);
    assert.match(error.message, /credentials\.keyNames\.jdbc/);
    assert.doesNotMatch(error.message, /a-value-/);
  });

  it("rejects the administrator key of the stack's database type through UsageEngineStack", async () => {
    await assert.rejects(
      deploy(
        defaultArgs({
          database: { mode: "external", external: { type: "oracle", host: "db.example.com" } },
          storage: { mode: "none" },
          credentials: { extra: { oraclePassword: "an-admin-value" } },
        }),
      ),
      /credentials\.extra\.oraclePassword: clashes with .* for the admin credential/,
    );
    assert.equal(recorded.length, 0);
  });
});
