/**
 * Issue 14's rules for values known only at deployment: each rule with a plain value (refused
 * while arguments are resolved, nothing registered) and with an Output value (refused once it
 * resolves, before anything that consumes it, and never the UEPE release).
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { SystemDatabase, UsageEngineStack, type UsageEngineStackArgs } from "../sdk";
import { assertDeployRejected, assertRejected, defaultArgs, deploy, LICENSE, NETWORK } from "./fixtures";
import { at, ofType, recorded, refusalOf, refused, resetMocks } from "./harness";

const INSTANCE = "aws:rds/instance:Instance";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const SECRET = "kubernetes:core/v1:Secret";

/** The Secret of that name, if it was registered. */
function secretNamed(name: string) {
  return ofType(SECRET).find((s) => at(s.inputs, "metadata.name") === name);
}

/** Plain: refused before anything is registered. Output: refused at deployment, before the release. */
async function refusedBothWays(
  args: (value: pulumi.Input<string>) => UsageEngineStackArgs,
  value: string,
  path: string,
  message: RegExp,
): Promise<void> {
  const plain = await assertRejected(args(value), path, message);
  if (value.length >= 4) assert.ok(!plain.message.includes(value), "the value is in the message");
  resetMocks();
  const late = await assertDeployRejected(
    () => new UsageEngineStack("uepe", args(pulumi.secret(value))),
    path,
    message,
  );
  if (value.length >= 4) assert.ok(!late.message.includes(value), "the value is in the deploy-time message");
  resetMocks();
}

describe("deploy-time checks", () => {
  beforeEach(() => resetMocks());

  describe("licenseKey", () => {
    for (const [title, value] of [
      ["empty", ""],
      ["only white space", " \n\t "],
    ])
      it(`refuses a license that is ${title}, plain or as an Output`, async () => {
        const args = (licenseKey: pulumi.Input<string>) => defaultArgs({ licenseKey });
        if (value === "") await assertRejected(args(value), "licenseKey", /^is required/);
        else
          await assertRejected(args(value), "licenseKey", /^is empty or only white space \(value hidden\)/);
        resetMocks();
        await assertDeployRejected(
          () => new UsageEngineStack("uepe", args(pulumi.secret(value))),
          "licenseKey",
          /^is empty or only white space \(value hidden\); expected the license key text DigitalRoute issued \(secret\)$/,
        );
        assert.equal(ofType(RELEASE).filter((r) => r.name === "uepe-release").length, 0);
      });

    it("installs with a license given as an Output", async () => {
      await deploy(defaultArgs({ licenseKey: pulumi.secret(LICENSE) }));
      assert.equal(ofType(RELEASE).filter((r) => r.name === "uepe-release").length, 1);
    });

    it("passes an Output still unknown in a preview", async () => {
      resetMocks({ preview: true });
      const unknown = pulumi.output(pulumi.unknown).apply((v) => String(v));
      await deploy(defaultArgs({ licenseKey: pulumi.secret(unknown) }));
      assert.equal(ofType(RELEASE).filter((r) => r.name === "uepe-release").length, 1);
    });

    it("fails a preview when the Output is known there", async () => {
      resetMocks({ preview: true });
      await assertDeployRejected(
        () => new UsageEngineStack("uepe", defaultArgs({ licenseKey: pulumi.secret("   ") })),
        "licenseKey",
        /^is empty or only white space/,
      );
    });
  });

  describe("database passwords follow RDS's master password rules", () => {
    const admin = (value: pulumi.Input<string>) =>
      defaultArgs({ credentials: { passwords: { admin: value } } });
    const BAD: [string, string, RegExp][] = [
      [
        "7 characters",
        "Ab1-xyz",
        /^is shorter than 8 characters \(value hidden\); expected 8 to 128 printable ASCII/,
      ],
      ["129 characters", `Ab1-${"x".repeat(125)}`, /^is longer than 128 characters \(value hidden\)/],
      ["a '/'", "Abcd-123/x", /^contains '\/', ''', '"', '@' or a space, which RDS refuses \(value hidden\)/],
      ["a '''", "Abcd-123'x", /which RDS refuses/],
      ["a '\"'", 'Abcd-123"x', /which RDS refuses/],
      ["an '@'", "Abcd-123@x", /which RDS refuses/],
      ["a space", "Abcd-123 x", /which RDS refuses/],
      [
        "a non-ASCII letter",
        "Abcd-123-é",
        /^contains a character that is not printable ASCII \(value hidden\)/,
      ],
      ["a tab", "Abcd-123\tx", /^contains a character that is not printable ASCII/],
    ];
    for (const [title, value, message] of BAD)
      it(`refuses an admin password with ${title}, plain or as an Output, before RDS is asked`, async () => {
        await refusedBothWays(admin, value, "credentials.passwords.admin", message);
        await assertDeployRejected(
          () => new UsageEngineStack("uepe", admin(pulumi.secret(value))),
          "credentials.passwords.admin",
          message,
        );
        assert.equal(ofType(INSTANCE).length, 0, "the instance was created with a password RDS refuses");
        assert.deepEqual(refused, [], "RDS was sent a password it refuses");
        assert.equal(secretNamed("env-secrets"), undefined, "env-secrets was written with it");
      });

    for (const [title, value] of [
      ["8 characters", "Ab1-xyz8"],
      ["128 characters", `Ab1-${"x".repeat(124)}`],
      ["every other printable mark", "Ab1!#$%^&*()_+=-[]{};:,.<>?|\\`~"],
    ])
      it(`accepts an admin password of ${title} as an Output, and RDS takes it`, async () => {
        await deploy(admin(pulumi.secret(value)));
        assert.equal(ofType(INSTANCE)[0]?.inputs.password, value);
        assert.deepEqual(refused, []);
      });

    it("the model refuses what RDS refuses, so a test sees a bad master password reach it", () => {
      assert.match(String(refusalOf(INSTANCE, { password: "short" })), /MasterUserPassword/);
      assert.match(String(refusalOf(INSTANCE, { password: "Abcd-123@x" })), /MasterUserPassword/);
      assert.equal(refusalOf(INSTANCE, { password: "Abcd-1234" }), undefined);
      assert.equal(refusalOf(INSTANCE, { snapshotIdentifier: "snap-1" }), undefined);
    });

    it("SystemDatabase alone checks its Output admin password before the instance", async () => {
      await assertDeployRejected(
        () => new SystemDatabase("db", { network: NETWORK, adminPassword: pulumi.secret("Abcd 1234") }),
        "adminPassword",
        /which RDS refuses/,
      );
      assert.equal(ofType(INSTANCE).length, 0);
      assert.deepEqual(refused, []);
    });

    for (const name of ["jdbc", "mzowner", "operator", "keystore", "key"] as const)
      it(`applies the same rules to credentials.passwords.${name}, plain or as an Output`, async () => {
        await refusedBothWays(
          (value) => defaultArgs({ credentials: { jdbcUser: "uepe_app", passwords: { [name]: value } } }),
          "Abcd/1234",
          `credentials.passwords.${name}`,
          /which RDS refuses/,
        );
      });

    it("applies them to database.external.adminPassword, plain or as an Output", async () => {
      await refusedBothWays(
        (adminPassword) =>
          defaultArgs({
            network: undefined,
            storage: { mode: "none" },
            database: {
              mode: "external",
              external: { type: "postgresql", host: "db.example.com", adminPassword },
            },
          }),
        "Ab1-xy",
        "database.external.adminPassword",
        /^is shorter than 8 characters/,
      );
    });
  });

  describe("DigitalRoute access keys", () => {
    it("refuses an access key id of the wrong shape, plain or as an Output, before the keys Secret", async () => {
      const args = (accessKeyId: pulumi.Input<string>) =>
        defaultArgs({
          registry: {
            accessKeyId,
            secretAccessKey: pulumi.secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
          },
        });
      await refusedBothWays(
        args,
        "AKIA1234",
        "registry.accessKeyId",
        /^is not shaped like an AWS access key id \(value hidden\); expected AKIA or ASIA followed by 16/,
      );
      await assertDeployRejected(
        () => new UsageEngineStack("uepe", args(pulumi.secret("akiaiosfodnn7example"))),
        "registry.accessKeyId",
        /is not shaped like an AWS access key id/,
      );
      assert.equal(secretNamed("ecr-credentials-sync-keys"), undefined);
    });

    it("refuses a secret access key of the wrong shape, plain or as an Output", async () => {
      await refusedBothWays(
        (secretAccessKey) =>
          defaultArgs({ registry: { accessKeyId: pulumi.secret("AKIAIOSFODNN7EXAMPLE"), secretAccessKey } }),
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKE",
        "registry.secretAccessKey",
        /^is not shaped like an AWS secret access key \(value hidden\); expected 40 characters/,
      );
    });

    it("refuses an empty mirror password given as an Output", async () => {
      await assertDeployRejected(
        () =>
          new UsageEngineStack(
            "uepe",
            defaultArgs({
              registry: {
                source: "mirror",
                repository: "registry.example.com/uepe/usage-engine-private-edition",
                username: "robot",
                password: pulumi.secret(" "),
              },
            }),
          ),
        "registry.password",
        /^is empty or only white space \(value hidden\)/,
      );
    });
  });

  describe("TLS material that does not decode", () => {
    const KEY = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n";
    const CRT = "-----BEGIN CERTIFICATE-----\nMIIDazCCAlOgAwIBAgIUe3Zk\n-----END CERTIFICATE-----\n";
    const JKS = Buffer.from([0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2]).toString("base64");
    const material = { keystoreJks: JKS, tlsKey: KEY, tlsCrt: CRT };
    const passwords = { keystore: "Keystore-Pass-1", key: "Key-Pass-2a" };
    const CASES: [keyof typeof material, string, RegExp][] = [
      [
        "keystoreJks",
        "not base64 at all!",
        /^is not in the expected format \(value hidden\); expected the base64-encoded JKS keystore/,
      ],
      ["tlsKey", CRT, /^is not in the expected format \(value hidden\); expected a PEM private key/],
      [
        "tlsCrt",
        "just some text",
        /^is not in the expected format \(value hidden\); expected a PEM certificate/,
      ],
      [
        "tlsCrt",
        "-----BEGIN CERTIFICATE-----\nMIID not base64 %%\n-----END CERTIFICATE-----\n",
        /^is not in the expected format: a PEM body does not decode as base64 \(value hidden\); expected a PEM certificate/,
      ],
    ];
    it("accepts a certificate chain and a legacy encrypted key, each block decoding", async () => {
      const chain = `${CRT}${CRT}`;
      const legacy =
        "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0011\n\nMIIEvQIBADANBgkq\n-----END RSA PRIVATE KEY-----\n";
      await deploy(
        defaultArgs({
          tls: {
            mode: "secret",
            secret: { ...material, tlsCrt: pulumi.secret(chain), tlsKey: pulumi.secret(legacy) },
          },
          credentials: { passwords },
        }),
      );
      assert.ok(secretNamed("uepe-tls"));
    });

    for (const [key, value, message] of CASES)
      it(`refuses tls.secret.${key} that does not decode, plain or as an Output, before the TLS Secret`, async () => {
        const args = (v: pulumi.Input<string>) =>
          defaultArgs({
            tls: { mode: "secret", secret: { ...material, [key]: v } },
            credentials: { passwords },
          });
        await refusedBothWays(args, value, `tls.secret.${key}`, message);
        await assertDeployRejected(
          () => new UsageEngineStack("uepe", args(pulumi.secret(value))),
          `tls.secret.${key}`,
          message,
        );
        assert.equal(secretNamed("uepe-tls"), undefined, "the TLS Secret was created from bad material");
      });

    it("refuses an authorization server JWT keystore that is not base64, as an Output", async () => {
      await assertDeployRejected(
        () =>
          new UsageEngineStack(
            "uepe",
            defaultArgs({
              authorizationServer: {
                jwt: {
                  keystore: pulumi.secret("%%%"),
                  keyPassword: pulumi.secret("kp-1"),
                  keystorePassword: pulumi.secret("ksp-1"),
                },
              },
            }),
          ),
        "authorizationServer.jwt.keystore",
        /^is not base64 \(value hidden\)/,
      );
    });
  });

  describe("external database host", () => {
    const external = (host: pulumi.Input<string>) =>
      defaultArgs({
        network: undefined,
        storage: { mode: "none" },
        database: {
          mode: "external",
          external: { type: "postgresql", host, adminPassword: pulumi.secret("Admin-Pass-1") },
        },
      });
    const BAD: [string, string, RegExp][] = [
      [
        "a scheme",
        "postgres://db.example.com",
        /^"postgres:\/\/db\.example\.com" has a scheme; expected a host name or IP address without scheme, port or path/,
      ],
      ["a port", "db.example.com:5432", /^"db\.example\.com:5432" has a port \(give it as port\)/],
      ["a path", "db.example.com/mz", /^"db\.example\.com\/mz" has a path/],
      ["white space around it", " db.example.com", /has white space around it/],
      ["an underscore", "db_1.example.com", /is not a host name or IP address/],
    ];
    for (const [title, host, message] of BAD)
      it(`refuses a host with ${title}, plain or as an Output`, async () => {
        await assertRejected(external(host), "database.external.host", message);
        resetMocks();
        await assertDeployRejected(
          () => new UsageEngineStack("uepe", external(pulumi.output(host))),
          "database.external.host",
          message,
        );
      });

    for (const host of ["db.internal.example.com", "postgres", "10.0.1.5", "fd00::5", "DB.Example.COM"])
      it(`accepts ${host}, plain and as an Output`, async () => {
        await deploy(external(host));
        assert.equal(
          at(ofType(RELEASE).find((r) => r.name === "uepe-release")?.inputs, "values.postgres.host"),
          host,
        );
        resetMocks();
        await deploy(external(pulumi.output(host)));
        assert.equal(ofType(RELEASE).filter((r) => r.name === "uepe-release").length, 1);
      });
  });
});

describe("plan-time checks of plain values", () => {
  beforeEach(() => resetMocks());

  for (const [version, message] of [
    [
      "v4.2.0",
      /^"v4\.2\.0" is not a plain MAJOR\.MINOR\.PATCH version; expected a plain UEPE version MAJOR\.MINOR\.PATCH such as 4\.2\.0, at least 4\.0\.0 \(the package targets UEPE 4\.x\)$/,
    ],
    [" 4.2.0", /^" 4\.2\.0" is not a plain MAJOR\.MINOR\.PATCH version/],
    ["4.2.0 ", /^"4\.2\.0 " is not a plain MAJOR\.MINOR\.PATCH version/],
    ["4.2.0-rc.1", /is not a plain MAJOR\.MINOR\.PATCH version/],
    ["3.9.9", /^3\.9\.9 is older than 4\.0\.0; expected .*the package targets UEPE 4\.x/],
  ] as const)
    it(`refuses version ${JSON.stringify(version)}`, async () => {
      await assertRejected(defaultArgs({ version }), "version", message);
    });

  it("accepts version 4.0.0, the oldest the package targets", async () => {
    await deploy(defaultArgs({ version: "4.0.0" }));
    assert.equal(ofType(RELEASE).find((r) => r.name === "uepe-release")?.inputs.version, "4.0.0");
  });

  for (const namespace of ["kube-system", "kube-public", "kube-node-lease", "default"])
    it(`refuses the system namespace ${namespace}`, async () => {
      await assertRejected(
        defaultArgs({ namespace }),
        "namespace",
        new RegExp(
          `^"${namespace}" is a namespace Kubernetes keeps for itself; expected a namespace of the installation's own`,
        ),
      );
    });

  it("accepts a namespace that only resembles one", async () => {
    await deploy(defaultArgs({ namespace: "kube-systems" }));
    assert.ok(recorded.length > 0);
  });
});
