import type * as pulumi from "@pulumi/pulumi";
import { base64File, type Checker } from "../validation";
import { keyList } from "./keys";

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

export const DEFAULT_MANAGEMENT_API_USERNAME = "uepe-management";
/** The key alias the vendor's authorization server properties use. */
export const DEFAULT_JWT_KEY_ID = "jwt";

const OPTION_KEYS = keyList<AuthorizationServerOptions>({
  createSecret: true,
  managementApiUsername: true,
  managementApiPassword: true,
  jwt: true,
});
const JWT_KEYS = keyList<JwtKeystoreOptions>({
  keystore: true,
  keyId: true,
  keyPassword: true,
  keystorePassword: true,
});

/** `base64` tools wrap lines; the chart decodes the value whole, so white space is dropped. */
export function stripWhitespace(text: string): string {
  return text.replace(/\s+/g, "");
}

/** Checks the authorization server options; secret values are never echoed. */
function checkAuthorizationServer(
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
  check.secret(`${path}.jwt.keyId`, jwt.keyId, "the key pair's alias in the keystore");
}

/** The authorization server's credentials after resolution. */
export type AuthorizationSpec =
  | { createSecret: false }
  | {
      createSecret: true;
      managementApiUsername: pulumi.Input<string>;
      /** Undefined: generated. */
      managementApiPassword?: pulumi.Input<string>;
      jwt?: Required<JwtKeystoreOptions>;
    };

/** The JWT keystore file, base64-encoded: it must decode. */
const JWT_KEYSTORE = base64File(
  "the keystore file's content, base64-encoded, e.g. the output of `base64 -i jwt.jks`",
);

export function resolveAuthorizationServer(
  check: Checker,
  path: string,
  options: AuthorizationServerOptions | undefined,
): AuthorizationSpec {
  checkAuthorizationServer(check, path, options);
  const o = options ?? {};
  if (o.createSecret === false) return { createSecret: false };
  return {
    createSecret: true,
    managementApiUsername: o.managementApiUsername ?? DEFAULT_MANAGEMENT_API_USERNAME,
    managementApiPassword: o.managementApiPassword,
    jwt: o.jwt
      ? {
          ...o.jwt,
          keystore: check.input(`${path}.jwt.keystore`, o.jwt.keystore, JWT_KEYSTORE),
          keyId: o.jwt.keyId ?? DEFAULT_JWT_KEY_ID,
        }
      : undefined,
  };
}
