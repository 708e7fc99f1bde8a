import * as assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { UsageEngineStack, UsageEngineStackArgs } from "../sdk";
import { ACCESS_KEY_ID, defaultArgs, deploy, deployedOnce, LICENSE, SECRET_ACCESS_KEY } from "./fixtures";
import {
  ECR_AUTHORIZATION_TOKEN,
  isSecret,
  ofType,
  plaintextStrings,
  recorded,
  recordedOutputs,
  resetMocks,
  resolved,
  settle,
  unwrapSecrets,
} from "./harness";

/** User-supplied secrets, each distinctive enough that a substring match means a leak. */
const GIVEN_PASSWORDS = {
  jdbc: "given-jdbc-Pw-1a2b3c4d5e6f",
  mzowner: "given-mzowner-Pw-2b3c4d5e6f7a",
  admin: "given-admin-Pw-3c4d5e6f7a8b",
  operator: "given-operator-Pw-4d5e6f7a8b9c",
  keystore: "given-keystore-Pw-5e6f7a8b9c0d",
  key: "given-key-Pw-6f7a8b9c0d1e",
};
const EXTERNAL_ADMIN_PASSWORD = "given-external-admin-Pw-7a8b9c0d1e2f";
/** Certificate material and other secrets the newer arguments take. */
const MATERIAL = {
  keystoreJks: Buffer.from("given-platform-keystore-jks-bytes-0c1d2e3f").toString("base64"),
  tlsKey: "-----BEGIN PRIVATE KEY-----\ngivenTlsPrivateKey1d2e3f4aXY\n-----END PRIVATE KEY-----\n",
  managementApiPassword: "given-mgmt-api-Pw-2e3f4a5b6c7d",
  jwtKeystore: Buffer.from("given-jwt-keystore-bytes-3f4a5b6c").toString("base64"),
  jwtKeyPassword: "given-jwt-key-Pw-4a5b6c7d8e9f",
  jwtKeystorePassword: "given-jwt-keystore-Pw-5b6c7d8e9f0a",
  extra: "given-extra-credential-6c7d8e9f0a1b",
};
const MIRROR_PASSWORD = "given-mirror-Pw-8b9c0d1e2f3a";

/** A secret to look for, with a label safe to print (the value itself is never printed). */
interface Secret {
  label: string;
  value: string;
  /** The package must hand this value to some resource (so the search provably reaches it). */
  consumed: boolean;
}

interface Scenario {
  title: string;
  args: () => UsageEngineStackArgs;
  given: Secret[];
}

const DR_KEYS: Secret[] = [
  { label: "license key", value: LICENSE, consumed: true },
  { label: "DigitalRoute access key id", value: ACCESS_KEY_ID, consumed: true },
  { label: "DigitalRoute secret access key", value: SECRET_ACCESS_KEY, consumed: true },
];

const givenPasswords = (names: (keyof typeof GIVEN_PASSWORDS)[]): Secret[] =>
  names.map((name) => ({ label: `given ${name} password`, value: GIVEN_PASSWORDS[name], consumed: true }));

const secretPasswords = () =>
  Object.fromEntries(Object.entries(GIVEN_PASSWORDS).map(([k, v]) => [k, pulumi.secret(v)]));

const SCENARIOS: Scenario[] = [
  { title: "default stack", args: () => defaultArgs(), given: DR_KEYS },
  {
    title: "prod stack with every password given",
    args: () =>
      defaultArgs({
        database: { profile: "prod" },
        credentials: { jdbcUser: "uepe_app", passwords: secretPasswords() },
      }),
    given: [...DR_KEYS, ...givenPasswords(["jdbc", "mzowner", "admin", "operator", "keystore", "key"])],
  },
  {
    title: "TLS material, authorization server keys and extra credentials given",
    args: () =>
      defaultArgs({
        tls: {
          mode: "secret",
          secret: {
            keystoreJks: pulumi.secret(MATERIAL.keystoreJks),
            tlsKey: pulumi.secret(MATERIAL.tlsKey),
            tlsCrt: "-----BEGIN CERTIFICATE-----\nbm90LXNlY3JldA==\n-----END CERTIFICATE-----\n",
          },
        },
        authorizationServer: {
          managementApiPassword: pulumi.secret(MATERIAL.managementApiPassword),
          jwt: {
            keystore: pulumi.secret(MATERIAL.jwtKeystore),
            keyPassword: pulumi.secret(MATERIAL.jwtKeyPassword),
            keystorePassword: pulumi.secret(MATERIAL.jwtKeystorePassword),
          },
        },
        credentials: {
          jdbcUser: "uepe_app",
          passwords: secretPasswords(),
          extra: { smtpPassword: pulumi.secret(MATERIAL.extra) },
        },
      }),
    given: [
      ...DR_KEYS,
      ...givenPasswords(["jdbc", "mzowner", "admin", "operator", "keystore", "key"]),
      ...Object.entries(MATERIAL).map(([name, value]) => ({ label: `given ${name}`, value, consumed: true })),
    ],
  },
  {
    title: "external database with an admin password",
    args: () =>
      defaultArgs({
        storage: { mode: "none" },
        database: {
          mode: "external",
          external: {
            type: "postgresql",
            host: "db.internal.example.com",
            adminPassword: pulumi.secret(EXTERNAL_ADMIN_PASSWORD),
          },
        },
        credentials: { passwords: { jdbc: pulumi.secret(GIVEN_PASSWORDS.jdbc) } },
      }),
    given: [
      ...DR_KEYS,
      ...givenPasswords(["jdbc"]),
      { label: "external admin password", value: EXTERNAL_ADMIN_PASSWORD, consumed: true },
    ],
  },
  {
    title: "mirror registry with a pull-secret password",
    args: () =>
      defaultArgs({
        registry: {
          source: "mirror",
          repository: "registry.example.com/uepe/usage-engine-private-edition",
          server: "registry.example.com",
          username: "robot-uepe",
          password: pulumi.secret(MIRROR_PASSWORD),
        },
      }),
    given: [
      { label: "license key", value: LICENSE, consumed: true },
      { label: "mirror password", value: MIRROR_PASSWORD, consumed: true },
    ],
  },
];

/** Generated passwords, read from what the random provider answered for each RandomPassword. */
function generatedPasswords(): Secret[] {
  return ofType("random:index/randomPassword:RandomPassword").map((r) => {
    const result = r.outputs.result;
    assert.equal(typeof result, "string", `${r.name} has no result`);
    return { label: `generated ${r.name}`, value: result as string, consumed: true };
  });
}

/** The review views' fingerprint key, read from what the random provider answered (both encodings). */
function fingerprintKeys(): Secret[] {
  return ofType("random:index/randomBytes:RandomBytes").flatMap((r) =>
    ["base64", "hex"].map((encoding) => {
      const value = r.outputs[encoding];
      assert.equal(typeof value, "string", `${r.name} has no ${encoding}`);
      return { label: `fingerprint key ${r.name} (${encoding})`, value: value as string, consumed: false };
    }),
  );
}

/** The ECR token, when the stack fetched one: base64 and decoded. */
function ecrToken(): Secret[] {
  const used = ofType("kubernetes:core/v1:Secret").some((r) =>
    JSON.stringify(r.inputs).includes(ECR_AUTHORIZATION_TOKEN),
  );
  if (!used) return [];
  const decoded = Buffer.from(ECR_AUTHORIZATION_TOKEN, "base64").toString().split(":")[1];
  return [
    { label: "ECR authorization token", value: ECR_AUTHORIZATION_TOKEN, consumed: true },
    { label: "ECR token (decoded)", value: decoded, consumed: false },
  ];
}

/** Every way a secret could show in plain text: as is, or base64-encoded as in a Secret's `data`. */
function forms(secret: Secret): string[] {
  return [secret.value, Buffer.from(secret.value).toString("base64")];
}

/** Where each secret shows in plain text: resource inputs, names, URNs, component outputs. */
function leaks(secrets: Secret[]): string[] {
  const found: string[] = [];
  const scan = (where: string, strings: string[]) => {
    for (const secret of secrets)
      if (strings.some((s) => forms(secret).some((f) => s.includes(f))))
        found.push(`${secret.label} in ${where}`);
  };
  for (const r of recorded) {
    scan(`inputs of ${r.type} ${r.name}`, plaintextStrings(r.raw));
    scan(`name/URN of ${r.type} ${r.name}`, [r.name, r.urn]);
  }
  for (const o of recordedOutputs) scan(`outputs of ${o.urn}`, plaintextStrings(o.raw));
  return found;
}

/** Every public Output of the stack that is not secret, resolved and serialized. */
async function plainStackOutputs(stack: UsageEngineStack): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(stack))
    if (pulumi.Output.isInstance(value) && !(await isSecret(value)))
      out[name] = JSON.stringify(await resolved(value as pulumi.Output<unknown>));
  return out;
}

describe("secret hygiene", () => {
  beforeEach(() => resetMocks());

  for (const scenario of SCENARIOS)
    describe(scenario.title, () => {
      // One evaluation per scenario, read by each test.
      const shared = deployedOnce(scenario.args);
      let stack: UsageEngineStack;
      let secrets: Secret[];
      beforeEach(() => {
        stack = shared.stack;
        secrets = [...scenario.given, ...generatedPasswords(), ...ecrToken(), ...fingerprintKeys()];
      });

      it("hands every consumed secret to some resource (the search reaches it)", () => {
        const everything = recorded.flatMap((r) => plaintextStrings(unwrapSecrets(r.raw)));
        for (const secret of secrets.filter((s) => s.consumed))
          assert.ok(
            everything.some((text) => forms(secret).some((f) => text.includes(f))),
            `${secret.label} reaches no resource`,
          );
      });

      it("shows no secret in plain text in any input, name, URN or component output", () => {
        assert.ok(secrets.length >= 3);
        assert.deepEqual(leaks(secrets), []);
      });

      it("exports no secret in a non-secret stack output, and chart values only as a secret", async () => {
        assert.equal(await isSecret(stack.chartValues), true, "chartValues is not secret");
        const plain = await plainStackOutputs(stack);
        assert.ok(Object.keys(plain).length >= 10, "too few plain outputs to be the contract");
        for (const [name, text] of Object.entries(plain))
          for (const secret of secrets)
            assert.ok(!forms(secret).some((f) => text.includes(f)), `${secret.label} in output ${name}`);
      });

      it("shows the review views in plain text, with markers where the secrets were and no secret", async () => {
        const views = {
          chartValuesRedacted: stack.chartValuesRedacted,
          envSecretsRedacted: stack.envSecretsRedacted,
          authorizationServerSecretsRedacted: stack.authorizationServerSecretsRedacted,
        };
        for (const [name, view] of Object.entries(views)) {
          assert.equal(await isSecret(view), false, `${name} is secret`);
          const text = JSON.stringify(await resolved(view));
          for (const secret of secrets)
            assert.ok(!forms(secret).some((f) => text.includes(f)), `${secret.label} in ${name}`);
        }
        const chart = await resolved(stack.chartValuesRedacted);
        assert.match(String(chart.licenseKey), /^\[secret:[0-9a-f]{8}\]$/);
        const env = Object.values(await resolved(stack.envSecretsRedacted));
        assert.ok(env.length >= 6 && env.every((v) => /^\[secret:[0-9a-f]{8}\]$/.test(v)));
      });
    });

  it("generates every credential not given, each one distinct", async () => {
    await deploy();
    const generated = generatedPasswords();
    assert.ok(generated.length >= 5, `only ${generated.length} generated passwords`);
    assert.equal(new Set(generated.map((g) => g.value)).size, generated.length);
    resetMocks();
    await deploy(
      defaultArgs({
        credentials: { jdbcUser: "uepe_app", passwords: secretPasswords() },
        authorizationServer: { managementApiPassword: pulumi.secret("given-management-api-Pw-9c0d1e2f3a4b") },
      }),
    );
    assert.deepEqual(generatedPasswords(), [], "a password was generated although all were given");
  });

  it("finds a secret put in plain text (the detector is not blind)", async () => {
    await deploy();
    const password = generatedPasswords()[0];
    new k8s.core.v1.ConfigMap("leaky", {
      metadata: { name: "leaky", annotations: { note: `pw=${password.value}` } },
      data: { encoded: Buffer.from(password.value).toString("base64") },
    });
    await settle();
    const found = leaks([password]);
    assert.deepEqual(found, [`${password.label} in inputs of kubernetes:core/v1:ConfigMap leaky`]);
  });
});
