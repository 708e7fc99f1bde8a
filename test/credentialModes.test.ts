/**
 * Issue 15: in every mode, the credentials that reach env-secrets work on first install, or the
 * stack refuses with an error that says what to give. Passwords that must match something the
 * package did not create (a pre-created schema, a keystore you bring) are required, never
 * generated; one database user has one password.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { SystemCredentials, UsageEngineStack, type UsageEngineStackArgs } from "../sdk";
import {
  assertConstructionRejected,
  assertDeployRejected,
  assertRejected,
  captureWarnings,
  defaultArgs,
  deploy,
  KEYSTORE_PASSWORDS,
} from "./fixtures";
import {
  at,
  isSecret,
  ofType,
  plaintextStrings,
  type Recorded,
  recorded,
  recordedOutputs,
  resetMocks,
  resolved,
} from "./harness";

const PASSWORD = "random:index/randomPassword:RandomPassword";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const INSTANCE = "aws:rds/instance:Instance";
const OWNER_PASSWORD = "Owner-Pass-7c1e9a";
const JDBC_PASSWORD = "Jdbc-Pass-2b8d4f";

function envSecrets(): Recorded {
  const found = ofType("kubernetes:core/v1:Secret").filter(
    (s) => at(s.inputs, "metadata.name") === "env-secrets",
  );
  assert.equal(found.length, 1, "expected one env-secrets Secret");
  return found[0];
}

const data = (): Record<string, string> => envSecrets().inputs.stringData as Record<string, string>;
const generated = (): string[] => ofType(PASSWORD).map((p) => p.name);
const uepeReleases = () => ofType(RELEASE).filter((r) => r.name === "uepe-release");

/** No given password is anywhere but inside a secret: any registered input, any component output. */
function assertNowhereInPlaintext(...values: string[]): void {
  for (const raw of [...recorded.map((r) => r.raw), ...recordedOutputs.map((o) => o.raw)])
    for (const text of plaintextStrings(raw))
      for (const value of values) assert.ok(!text.includes(value), "a given password is in plaintext");
}

describe("credentials in every mode", () => {
  beforeEach(() => resetMocks());

  describe("the schema owner as the JDBC user (the default)", () => {
    it("generates one password and writes it as both the JDBC and the owner password", async () => {
      await deploy();
      const d = data();
      assert.equal(d.jdbcUser, "mzowner");
      assert.equal(d.jdbcPassword, d.mzownerPassword);
      assert.ok(!generated().some((n) => n.includes("jdbc")), "a second password was generated for one user");
      assert.ok(generated().some((n) => n.includes("mzowner")));
    });

    for (const given of ["jdbc", "mzowner"] as const)
      it(`uses the one password given as ${given} for both`, async () => {
        await deploy(defaultArgs({ credentials: { passwords: { [given]: pulumi.secret(OWNER_PASSWORD) } } }));
        assert.equal(data().jdbcPassword, OWNER_PASSWORD);
        assert.equal(data().mzownerPassword, OWNER_PASSWORD);
        assert.ok(!generated().some((n) => n.includes("jdbc") || n.includes("mzowner")));
        assertNowhereInPlaintext(OWNER_PASSWORD);
      });

    it("accepts the same value given twice", async () => {
      await deploy(
        defaultArgs({
          credentials: { passwords: { jdbc: OWNER_PASSWORD, mzowner: pulumi.secret(OWNER_PASSWORD) } },
        }),
      );
      assert.equal(data().jdbcPassword, OWNER_PASSWORD);
    });

    it("refuses two different passwords, plain or as Outputs, without showing them", async () => {
      const args = (jdbc: pulumi.Input<string>, mzowner: pulumi.Input<string>) =>
        defaultArgs({ credentials: { jdbcUser: "mzowner", passwords: { jdbc, mzowner } } });
      const message =
        /^differs from credentials\.passwords\.mzowner, but the JDBC user is the schema owner mzowner, and one database user has one password \(values hidden\); expected one of the two, or the same value in both$/;
      const plain = await assertRejected(
        args(JDBC_PASSWORD, OWNER_PASSWORD),
        "credentials.passwords.jdbc",
        message,
      );
      assert.ok(!plain.message.includes(JDBC_PASSWORD) && !plain.message.includes(OWNER_PASSWORD));
      resetMocks();
      await assertDeployRejected(
        () => new UsageEngineStack("uepe", args(pulumi.secret(JDBC_PASSWORD), pulumi.secret(OWNER_PASSWORD))),
        "credentials.passwords.jdbc",
        message,
      );
      assert.equal(
        ofType("kubernetes:core/v1:Secret").filter((s) => at(s.inputs, "metadata.name") === "env-secrets")
          .length,
        0,
      );
    });

    it("another JDBC user gets its own password, as before", async () => {
      await deploy(defaultArgs({ credentials: { jdbcUser: "uepe_app" } }));
      assert.equal(data().jdbcUser, "uepe_app");
      assert.notEqual(data().jdbcPassword, data().mzownerPassword);
      assert.ok(generated().some((n) => n.includes("jdbc")));
    });
  });

  describe("a pre-created system database (createSystemDatabase false)", () => {
    const external = (credentials: UsageEngineStackArgs["credentials"]) =>
      defaultArgs({
        network: undefined,
        storage: { mode: "none" },
        database: {
          mode: "external",
          createSystemDatabase: false,
          external: { type: "postgresql", host: "db.example.com" },
        },
        credentials,
      });

    it("requires the JDBC user and the owner's password, naming both", async () => {
      const error = await assertRejected(
        external(undefined),
        "credentials.jdbcUser",
        /^is required; expected the user the database tool created for the platform \(mzowner when it connects as the schema owner\); with a pre-created system database \(database\.createSystemDatabase false\) it was chosen when DigitalRoute's database tool ran/,
      );
      assert.ok(error.problems.some((p) => p.path === "credentials.passwords.mzowner"));
    });

    it("with another JDBC user, requires its password and the owner's", async () => {
      const error = await assertRejected(
        external({ jdbcUser: "uepe_app", passwords: { mzowner: pulumi.secret(OWNER_PASSWORD) } }),
        "credentials.passwords.jdbc",
        /^is required; expected the JDBC user's password \(secret\); with a pre-created system database/,
      );
      assert.ok(!error.problems.some((p) => p.path === "credentials.passwords.mzowner"));
      resetMocks();
      await assertRejected(
        external({ jdbcUser: "uepe_app", passwords: { jdbc: pulumi.secret(JDBC_PASSWORD) } }),
        "credentials.passwords.mzowner",
        /^is required; expected the schema owner's password \(secret\)/,
      );
    });

    it("writes the given user and passwords to env-secrets, generating none of them", async () => {
      await deploy(
        external({
          jdbcUser: "uepe_app",
          passwords: { jdbc: pulumi.secret(JDBC_PASSWORD), mzowner: pulumi.secret(OWNER_PASSWORD) },
        }),
      );
      assert.equal(data().jdbcUser, "uepe_app");
      assert.equal(data().jdbcPassword, JDBC_PASSWORD);
      assert.equal(data().mzownerPassword, OWNER_PASSWORD);
      assert.equal(data().postgresqlPassword, undefined);
      assert.ok(!generated().some((n) => n.includes("jdbc") || n.includes("mzowner")));
      assertNowhereInPlaintext(JDBC_PASSWORD, OWNER_PASSWORD);
    });

    it("SystemCredentials alone: storeAdminPassword false requires them too", async () => {
      await assertConstructionRejected(
        () => new SystemCredentials("c", { namespace: "uepe", storeAdminPassword: false }),
        "credentials.jdbcUser",
        /with a pre-created system database \(storeAdminPassword false\)/,
      );
    });
  });

  describe("RDS and a pre-created schema: two pulumi up runs", () => {
    const precreated = (ready?: boolean) =>
      defaultArgs({
        database: {
          createSystemDatabase: false,
          ...(ready === undefined ? {} : { systemDatabaseReady: ready }),
        },
        credentials: { jdbcUser: "mzowner", passwords: { mzowner: pulumi.secret(OWNER_PASSWORD) } },
      });

    it("requires systemDatabaseReady, saying what each value does", async () => {
      await assertRejected(
        precreated(),
        "database.systemDatabaseReady",
        /^is required with an RDS instance and a pre-created system database: the schema can only be created once the instance exists; expected false on the first pulumi up \(creates the instance and holds the release\), then true once DigitalRoute's database tool has run/,
      );
    });

    it("first up (false): creates the instance, registers no UEPE release, outputs what the database tool needs", async () => {
      const warnings = captureWarnings();
      let stack: UsageEngineStack;
      try {
        stack = await deploy(precreated(false));
      } finally {
        warnings.restore();
      }
      assert.equal(ofType(INSTANCE).length, 1);
      assert.equal(uepeReleases().length, 0, "the release installed before the schema exists");
      assert.equal(data().mzownerPassword, OWNER_PASSWORD);
      assert.match(
        await resolved(stack.databaseEndpoint),
        /^uepe-database-[0-9a-f]{8}\..*\.rds\.amazonaws\.com:5432$/,
      );
      assert.equal(await resolved(stack.databaseAdminUser), "postgres");
      assert.equal(await resolved(stack.databaseAdminPassword), String(ofType(INSTANCE)[0].inputs.password));
      assert.ok(await isSecret(stack.databaseAdminPassword), "the admin password output is not secret");
      assert.equal(await resolved(stack.releaseStatus), "held");
      assert.ok(
        warnings.messages.some((m) =>
          m.startsWith("database.systemDatabaseReady is false: the UEPE release is held"),
        ),
        warnings.messages.join("\n"),
      );
    });

    it("next up (true): installs, with the same instance and passwords", async () => {
      await deploy(precreated(false));
      const first = { instance: ofType(INSTANCE)[0].inputs, data: data() };
      resetMocks();
      await deploy(precreated(true));
      assert.equal(uepeReleases().length, 1);
      assert.deepEqual(ofType(INSTANCE)[0].inputs, first.instance);
      assert.deepEqual(data(), first.data);
      assert.equal(at(uepeReleases()[0].inputs, "values.platform.db.createSystemDatabase"), false);
    });

    it("a restore from a snapshot needs no systemDatabaseReady: the snapshot holds the schema", async () => {
      await deploy(
        defaultArgs({
          database: { createSystemDatabase: false, snapshotIdentifier: "uepe-database-final" },
          credentials: { jdbcUser: "mzowner", passwords: { mzowner: pulumi.secret(OWNER_PASSWORD) } },
        }),
      );
      assert.equal(uepeReleases().length, 1);
    });

    it("refuses systemDatabaseReady when the chart creates the database", async () => {
      await assertRejected(
        defaultArgs({ database: { systemDatabaseReady: false } }),
        "database.systemDatabaseReady",
        /^only applies with createSystemDatabase false/,
      );
    });

    it("refuses holding the release during an upgrade", async () => {
      await assertRejected(
        { ...precreated(false), upgrade: { fromVersion: "4.1.0" } },
        "database.systemDatabaseReady",
        /^is false, which holds the release, while upgrade\.fromVersion asks to upgrade an installed one/,
      );
    });
  });

  describe("TLS from a Secret with a keystore you bring", () => {
    const secretMode = (passwords?: { keystore?: string; key?: string }) =>
      defaultArgs({ tls: { mode: "secret", existingSecretName: "uepe-cert" }, credentials: { passwords } });

    for (const [title, passwords, path] of [
      ["neither password", undefined, "credentials.passwords.keystore"],
      ["only the keystore password", { keystore: KEYSTORE_PASSWORDS.keystore }, "credentials.passwords.key"],
      ["only the key password", { key: KEYSTORE_PASSWORDS.key }, "credentials.passwords.keystore"],
    ] as const)
      it(`refuses ${title}, naming both`, async () => {
        await assertRejected(
          secretMode(passwords),
          path,
          /^is required with tls\.mode "secret": the keystore you bring was written with its own passwords, which generated ones cannot match; expected credentials\.passwords\.keystore and credentials\.passwords\.key/,
        );
      });

    it("writes the given passwords to env-secrets and generates neither", async () => {
      await deploy(secretMode({ keystore: KEYSTORE_PASSWORDS.keystore, key: KEYSTORE_PASSWORDS.key }));
      assert.equal(data().tlsKeystorePassword, KEYSTORE_PASSWORDS.keystore);
      assert.equal(data().tlsKeyPassword, KEYSTORE_PASSWORDS.key);
      assert.ok(!generated().some((n) => n.includes("keystore") || n.includes("-key-")));
      assertNowhereInPlaintext(KEYSTORE_PASSWORDS.keystore, KEYSTORE_PASSWORDS.key);
    });

    it("cert-manager mode keeps generated ones: cert-manager writes the keystore with them", async () => {
      await deploy();
      assert.ok(generated().some((n) => n.includes("keystore")));
      assert.ok(generated().some((n) => n.includes("-key-")));
      assert.ok(data().tlsKeystorePassword.length >= 16);
    });
  });
});
