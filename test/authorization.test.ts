import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { AuthorizationServerSecrets, type AuthorizationServerSecretsArgs } from "../sdk";
import { ArgumentError } from "../sdk/validation";
import { defaultArgs, deploy } from "./fixtures";
import {
  isSecret,
  isSecretAt,
  ofType,
  one,
  plaintextStrings,
  type Recorded,
  recorded,
  resetMocks,
  resolved,
  settle,
} from "./harness";

const SECRET = "kubernetes:core/v1:Secret";
const PASSWORD = "random:index/randomPassword:RandomPassword";
const RELEASE = "kubernetes:helm.sh/v3:Release";

/** A small JKS-looking blob (magic 0xFEEDFEED), base64-encoded and wrapped the way GNU base64 wraps. */
const KEYSTORE_BYTES = Buffer.concat([
  Buffer.from([0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2]),
  Buffer.alloc(70, 7),
]);
const KEYSTORE_B64 = KEYSTORE_BYTES.toString("base64");
const KEYSTORE_WRAPPED = `${KEYSTORE_B64.slice(0, 40)}\n${KEYSTORE_B64.slice(40)}\n`;
const JWT = {
  keystore: pulumi.secret(KEYSTORE_WRAPPED),
  keyPassword: pulumi.secret("jwt-key-password-5d1"),
  keystorePassword: pulumi.secret("jwt-keystore-password-8c4"),
};

function authorizationSecret(): Recorded {
  const found = ofType(SECRET).filter(
    (s) => (s.inputs.metadata as { name?: string }).name === "authorization-server-secrets",
  );
  assert.equal(found.length, 1, "expected one authorization-server-secrets Secret");
  return found[0];
}

function stringData(secret: Recorded): Record<string, string> {
  return secret.inputs.stringData as Record<string, string>;
}

async function rejected(args: Partial<AuthorizationServerSecretsArgs>): Promise<string> {
  let error: unknown;
  try {
    new AuthorizationServerSecrets("a", { namespace: "uepe", ...args });
  } catch (e) {
    error = e;
  }
  await settle();
  assert.ok(error instanceof ArgumentError, `expected an ArgumentError, got ${error}`);
  assert.equal(recorded.length, 0, "a rejected construction registered resources");
  return error.message;
}

describe("AuthorizationServerSecrets", () => {
  beforeEach(() => resetMocks());

  it("is created by the stack in the release namespace with a generated management API password", async () => {
    await deploy();
    const secret = authorizationSecret();
    assert.equal((secret.inputs.metadata as { namespace?: string }).namespace, "uepe");
    const data = stringData(secret);
    assert.deepEqual(Object.keys(data).sort(), ["managementApiPassword", "managementApiUsername"]);
    const generated = recorded.find((r) => r.type === PASSWORD && r.name.includes("management-api"));
    assert.ok(generated, "no RandomPassword for the management API");
    assert.equal(data.managementApiPassword, generated.outputs.result);
    for (const key of Object.keys(data))
      assert.ok(isSecretAt(secret.raw, ["stringData", key]), `${key} is not secret`);
  });

  it("generates the password with the same safe alphabet and length as the system credentials", async () => {
    await deploy();
    const passwords = ofType(PASSWORD);
    const management = passwords.find((p) => p.name.includes("management-api"));
    const owner = passwords.find((p) => p.name.includes("mzowner"));
    assert.ok(management && owner);
    assert.deepEqual(management.inputs, owner.inputs);
    assert.doesNotMatch(stringData(authorizationSecret()).managementApiPassword, /[/@"'\s:]/);
  });

  it("carries user-given JWT keystore material as secrets, unwrapping base64 line breaks", async () => {
    await deploy(defaultArgs({ authorizationServer: { jwt: JWT } }));
    const secret = authorizationSecret();
    const data = stringData(secret);
    assert.equal(data.jwtKeystore, KEYSTORE_B64);
    assert.deepEqual(Buffer.from(data.jwtKeystore, "base64"), KEYSTORE_BYTES);
    assert.equal(data.jwtKeyId, "jwt");
    assert.equal(data.jwtKeyPassword, "jwt-key-password-5d1");
    assert.equal(data.jwtKeystorePassword, "jwt-keystore-password-8c4");
    for (const key of ["jwtKeystore", "jwtKeyId", "jwtKeyPassword", "jwtKeystorePassword"])
      assert.ok(isSecretAt(secret.raw, ["stringData", key]), `${key} is not secret`);
  });

  it("never puts its credentials in chart values, not even as secrets", async () => {
    await deploy(
      defaultArgs({ authorizationServer: { jwt: { ...JWT, keyId: pulumi.secret("signing-key-7") } } }),
    );
    const values = JSON.stringify(one(RELEASE, "uepe-release").inputs.values);
    const data = stringData(authorizationSecret());
    for (const [key, value] of Object.entries(data))
      if (key !== "managementApiUsername")
        assert.ok(!values.includes(value), `${key} appears in chart values`);
    assert.ok(!values.includes("authorizationServer"), "an authorizationServer chart value is written");
    const everywhere = recorded.flatMap((r) => plaintextStrings(r.raw));
    for (const secret of [
      "jwt-key-password-5d1",
      "jwt-keystore-password-8c4",
      KEYSTORE_B64.slice(0, 20),
      data.managementApiPassword,
    ])
      assert.ok(!everywhere.some((s) => s.includes(secret)), "a credential appears in plaintext");
  });

  it("makes the release wait for the Secret", async () => {
    await deploy();
    assert.ok(one(RELEASE, "uepe-release").dependencies.includes(authorizationSecret().urn));
  });

  it("uses a given user and password instead of generating one, and exposes the password only as a secret output", async () => {
    const part = new AuthorizationServerSecrets("a", {
      namespace: "uepe",
      authorizationServer: {
        managementApiUsername: "ops",
        managementApiPassword: pulumi.secret("given-mgmt-pw-42"),
      },
    });
    await settle();
    assert.equal(ofType(PASSWORD).length, 0);
    assert.deepEqual(stringData(authorizationSecret()), {
      managementApiUsername: "ops",
      managementApiPassword: "given-mgmt-pw-42",
    });
    assert.equal(await isSecret(part.managementApiPassword), true);
    assert.equal(await resolved(part.managementApiPassword), "given-mgmt-pw-42");
    assert.equal(await resolved(part.secretName), "authorization-server-secrets");
  });

  it("creates nothing when createSecret is false, leaving the credentials to the chart", async () => {
    await deploy(defaultArgs({ authorizationServer: { createSecret: false } }));
    assert.equal(
      ofType(SECRET).filter(
        (s) => (s.inputs.metadata as { name?: string }).name === "authorization-server-secrets",
      ).length,
      0,
    );
    assert.ok(!ofType(PASSWORD).some((p) => p.name.includes("management-api")));
  });

  describe("bad input", () => {
    it("requires the keystore and both of its passwords when jwt is given", async () => {
      const message = await rejected({ authorizationServer: { jwt: { keyId: "jwt" } as never } });
      for (const key of ["keystore", "keyPassword", "keystorePassword"])
        assert.match(message, new RegExp(`authorizationServer\\.jwt\\.${key}: is required`));
    });

    it("rejects a keystore that is not base64 without echoing it", async () => {
      const message = await rejected({
        authorizationServer: { jwt: { ...JWT, keystore: "/home/me/signing.jks" } },
      });
      assert.match(message, /authorizationServer\.jwt\.keystore: is not base64 \(value hidden\)/);
      assert.doesNotMatch(message, /signing/);
    });

    it("rejects a user name HTTP Basic authentication cannot carry", async () => {
      const message = await rejected({ authorizationServer: { managementApiUsername: "ops:admin" } });
      assert.match(
        message,
        /authorizationServer\.managementApiUsername: "ops:admin" is not valid; expected .*no ':'/,
      );
    });

    it("rejects credentials given while createSecret is false", async () => {
      const message = await rejected({
        authorizationServer: { createSecret: false, managementApiPassword: "hidden-pw-1", jwt: JWT },
      });
      assert.match(message, /authorizationServer\.managementApiPassword: is given but createSecret is false/);
      assert.match(message, /authorizationServer\.jwt: is given but createSecret is false/);
      assert.doesNotMatch(message, /hidden-pw-1/);
    });

    it("rejects unknown keys with a hint, also through the stack", async () => {
      const message = await rejected({ authorizationServer: { jwt: { ...JWT, keyAlias: "x" } as never } });
      assert.match(message, /authorizationServer\.jwt\.keyAlias: is not a known argument/);
      await assert.rejects(
        deploy(defaultArgs({ authorizationServer: { managementApiPasword: "x" } as never })),
        /authorizationServer\.managementApiPasword: is not a known argument \(did you mean "managementApiPassword"\?\)/,
      );
      assert.equal(recorded.length, 0);
    });
  });
});
