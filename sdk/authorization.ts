import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { AUTHORIZATION_SERVER_SECRETS_NAME, SECRET_KEYS } from "./chart";
import { passwordArgs } from "./credentials";
import { managedLabels } from "./kubernetes";
import { Checker } from "./validation";

/** The key pair the authorization server signs its JWT access tokens with. */
export interface JwtKeystoreOptions {
  /** The JKS keystore file holding the RSA key pair, base64-encoded (e.g. `base64 -i jwt.jks`); secret. Required. */
  keystore: pulumi.Input<string>;
  /** Alias of the RSA key pair in the keystore. Default: `jwt`. */
  keyId?: pulumi.Input<string>;
  /** Password of the RSA key pair; secret. Required. */
  keyPassword: pulumi.Input<string>;
  /** Password of the keystore; secret. Required. */
  keystorePassword: pulumi.Input<string>;
}

/** Credentials of UEPE's authorization server, kept in the `authorization-server-secrets` Secret. */
export interface AuthorizationServerOptions {
  /**
   * Create `authorization-server-secrets` before the release. False leaves it to the chart, which
   * fills it with random credentials at install. Default: true.
   */
  createSecret?: boolean;
  /** User name for the management API's HTTP Basic authentication. Default: `uepe-management`. */
  managementApiUsername?: pulumi.Input<string>;
  /** Password for the management API; secret. Default: generated. */
  managementApiPassword?: pulumi.Input<string>;
  /** JWT signing keystore. Default: none (the Secret carries no JWT keys). */
  jwt?: JwtKeystoreOptions;
}

export interface AuthorizationServerSecretsArgs {
  /** Namespace of the Secret (the release namespace). */
  namespace: pulumi.Input<string>;
  /** Authorization server credentials. Default: generated management API password, no JWT keystore. */
  authorizationServer?: AuthorizationServerOptions;
}

export const DEFAULT_MANAGEMENT_API_USERNAME = "uepe-management";
/** The key alias the vendor's authorization server properties use. */
export const DEFAULT_JWT_KEY_ID = "jwt";

const OPTION_KEYS = ["createSecret", "managementApiUsername", "managementApiPassword", "jwt"];
const JWT_KEYS = ["keystore", "keyId", "keyPassword", "keystorePassword"];
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** `base64` tools wrap lines; the chart decodes the value whole, so white space is dropped. */
function stripWhitespace(text: string): string {
  return text.replace(/\s+/g, "");
}

/** Checks the authorization server options; secret values are never echoed. */
export function checkAuthorizationServer(
  check: Checker,
  path: string,
  options: AuthorizationServerOptions | undefined,
): void {
  if (!check.knownKeys(path, options, OPTION_KEYS)) return;
  check.boolean(`${path}.createSecret`, options.createSecret);
  check.pattern(
    `${path}.managementApiUsername`,
    options.managementApiUsername,
    /^[A-Za-z0-9._@-]{1,128}$/,
    "letters, digits, '.', '_', '@' or '-' (no ':' — HTTP Basic authentication), at most 128 characters",
  );
  check.secret(`${path}.managementApiPassword`, options.managementApiPassword);
  if (options.createSecret === false)
    for (const key of ["managementApiUsername", "managementApiPassword", "jwt"] as const)
      if (options[key] !== undefined)
        check.fail(
          `${path}.${key}`,
          "is given but createSecret is false, so nothing would carry it",
          "createSecret true (the default), or leave it out",
        );
  const jwt = options.jwt;
  if (!check.knownKeys(`${path}.jwt`, jwt, JWT_KEYS)) return;
  for (const key of ["keystore", "keyPassword", "keystorePassword"] as const)
    if (check.required(`${path}.jwt.${key}`, jwt[key], "a non-empty string (secret)"))
      check.secret(`${path}.jwt.${key}`, jwt[key]);
  if (typeof jwt.keystore === "string" && !BASE64.test(stripWhitespace(jwt.keystore)))
    check.fail(
      `${path}.jwt.keystore`,
      "is not base64 (value hidden)",
      "the keystore file's content, base64-encoded, e.g. the output of `base64 -i jwt.jks`",
    );
  check.secret(`${path}.jwt.keyId`, jwt.keyId, "the key pair's alias in the keystore");
}

/**
 * The `authorization-server-secrets` Secret the chart's authorization server reads: the management
 * API's Basic-auth user and a generated password, and the JWT signing keystore when one is given.
 * None of it is ever a chart value.
 */
export class AuthorizationServerSecrets extends pulumi.ComponentResource {
  /** Name of the Secret (`authorization-server-secrets`). */
  public readonly secretName: pulumi.Output<string>;
  /** User name of the management API. */
  public readonly managementApiUsername: pulumi.Output<string>;
  /** Password of the management API (secret; empty when the chart generates it). */
  public readonly managementApiPassword: pulumi.Output<string>;

  constructor(name: string, args: AuthorizationServerSecretsArgs, opts?: pulumi.ComponentResourceOptions) {
    const check = new Checker("AuthorizationServerSecrets");
    checkAuthorizationServer(check, "authorizationServer", args.authorizationServer);
    check.required("namespace", args.namespace, "the release namespace");
    check.throwIfAny();
    super("usage-engine:index:AuthorizationServerSecrets", name, {}, opts);

    const o = args.authorizationServer ?? {};
    if (o.createSecret === false) {
      this.secretName = pulumi.output(AUTHORIZATION_SERVER_SECRETS_NAME);
      this.managementApiUsername = pulumi.output("");
      this.managementApiPassword = pulumi.secret("");
    } else {
      this.managementApiUsername = pulumi.output(o.managementApiUsername ?? DEFAULT_MANAGEMENT_API_USERNAME);
      this.managementApiPassword = pulumi.secret(
        o.managementApiPassword ??
          new random.RandomPassword(`${name}-management-api-password`, passwordArgs(), { parent: this })
            .result,
      );
      const stringData: Record<string, pulumi.Input<string>> = {
        [SECRET_KEYS.managementApiUsername.key]: pulumi.secret(this.managementApiUsername),
        [SECRET_KEYS.managementApiPassword.key]: this.managementApiPassword,
      };
      if (o.jwt) {
        stringData[SECRET_KEYS.jwtKeystore.key] = pulumi.secret(
          pulumi.output(o.jwt.keystore).apply(stripWhitespace),
        );
        stringData[SECRET_KEYS.jwtKeyId.key] = pulumi.secret(o.jwt.keyId ?? DEFAULT_JWT_KEY_ID);
        stringData[SECRET_KEYS.jwtKeyPassword.key] = pulumi.secret(o.jwt.keyPassword);
        stringData[SECRET_KEYS.jwtKeystorePassword.key] = pulumi.secret(o.jwt.keystorePassword);
      }
      const secret = new k8s.core.v1.Secret(
        `${name}-secret`,
        {
          metadata: {
            name: AUTHORIZATION_SERVER_SECRETS_NAME,
            namespace: args.namespace,
            labels: managedLabels(),
          },
          type: "Opaque",
          stringData,
        },
        { parent: this },
      );
      this.secretName = secret.metadata.name;
    }
    this.registerOutputs({
      secretName: this.secretName,
      managementApiUsername: this.managementApiUsername,
      managementApiPassword: this.managementApiPassword,
    });
  }
}
