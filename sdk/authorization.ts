import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import {
  type AuthorizationServerOptions,
  type AuthorizationSpec,
  resolveAuthorizationServer,
  stripWhitespace,
  Validated,
} from "./args";
import { AUTHORIZATION_SERVER_SECRETS_NAME, SECRET_KEYS } from "./chart/contract";
import { passwordArgs } from "./credentials";
import { fingerprintKey, redactedData } from "./fingerprint";
import { managedLabels } from "./kubernetes";
import { Checker } from "./validation";

export interface AuthorizationServerSecretsArgs {
  /** Namespace of the Secret (the release namespace). */
  namespace: pulumi.Input<string>;
  /** Authorization server credentials. Default: generated management API password, no JWT keystore. */
  authorizationServer?: AuthorizationServerOptions;
  /**
   * Secret key of the markers in `redactedData` (the stack passes its own, so markers agree
   * across its views). Default: random bytes of this component's own, kept secret in state.
   */
  fingerprintKey?: pulumi.Input<string>;
}

/** AuthorizationServerSecrets' arguments after resolution. */
export interface AuthorizationServerSecretsSpec {
  namespace: pulumi.Input<string>;
  authorizationServer: AuthorizationSpec;
  /** Secret key of the `redactedData` markers; undefined creates one. */
  fingerprintKey?: pulumi.Input<string>;
}

/** Resolves an AuthorizationServerSecrets used on its own, through the stack's own resolver. */
export function resolveAuthorizationServerSecretsArgs(
  args: AuthorizationServerSecretsArgs,
): AuthorizationServerSecretsSpec {
  const check = new Checker("AuthorizationServerSecrets");
  const authorizationServer = resolveAuthorizationServer(
    check,
    "authorizationServer",
    args.authorizationServer,
  );
  check.required("namespace", args.namespace, "the release namespace");
  check.throwIfAny();
  return { namespace: args.namespace, authorizationServer, fingerprintKey: args.fingerprintKey };
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
  /**
   * The Secret's keys, each with the keyed marker of its value: which credential changed, never
   * what it is (empty when the chart creates the Secret).
   */
  public readonly redactedData: pulumi.Output<Record<string, string>>;

  constructor(
    name: string,
    args: AuthorizationServerSecretsArgs | Validated<AuthorizationServerSecretsSpec>,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    const {
      namespace,
      authorizationServer: o,
      fingerprintKey: givenKey,
    } = args instanceof Validated ? args.spec : resolveAuthorizationServerSecretsArgs(args);
    super("usage-engine:index:AuthorizationServerSecrets", name, {}, opts);

    if (!o.createSecret) {
      this.secretName = pulumi.output(AUTHORIZATION_SERVER_SECRETS_NAME);
      this.managementApiUsername = pulumi.output("");
      this.managementApiPassword = pulumi.secret("");
      this.redactedData = pulumi.output<Record<string, string>>({});
    } else {
      this.managementApiUsername = pulumi.output(o.managementApiUsername);
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
        stringData[SECRET_KEYS.jwtKeyId.key] = pulumi.secret(o.jwt.keyId);
        stringData[SECRET_KEYS.jwtKeyPassword.key] = pulumi.secret(o.jwt.keyPassword);
        stringData[SECRET_KEYS.jwtKeystorePassword.key] = pulumi.secret(o.jwt.keystorePassword);
      }
      const secret = new k8s.core.v1.Secret(
        `${name}-secret`,
        {
          metadata: {
            name: AUTHORIZATION_SERVER_SECRETS_NAME,
            namespace,
            labels: managedLabels(),
          },
          type: "Opaque",
          stringData,
        },
        { parent: this },
      );
      this.secretName = secret.metadata.name;
      this.redactedData = redactedData(stringData, givenKey ?? fingerprintKey(name, this));
    }
    this.registerOutputs({
      secretName: this.secretName,
      managementApiUsername: this.managementApiUsername,
      managementApiPassword: this.managementApiPassword,
      redactedData: this.redactedData,
    });
  }
}
