import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import {
  type CredentialsOptions,
  type CredentialsSpec,
  type PasswordName,
  resolveCredentials,
  Validated,
} from "./args";
import { DatabaseType, ENV_SECRETS_NAME } from "./chart/contract";
import { fingerprintKey, redactedData } from "./fingerprint";
import { managedLabels } from "./kubernetes";
import { Checker } from "./validation";

export interface SystemCredentialsArgs {
  /** Namespace of the `env-secrets` Secret (the release namespace). */
  namespace: pulumi.Input<string>;
  /** Overrides for the generated credentials. Default: everything generated. */
  credentials?: CredentialsOptions;
  /** System database type; selects the env-secrets key of the administrator password. Default: `postgresql`. */
  databaseType?: DatabaseType;
  /**
   * Whether the database administrator password is written to `env-secrets` (the chart then
   * creates the system database). False when the database was pre-created: `credentials.jdbcUser`
   * and its passwords are then required. Default: true.
   */
  storeAdminPassword?: boolean;
  /**
   * Secret key of the markers in `redactedData` (the stack passes its own, so markers agree
   * across its views). Default: random bytes of this component's own, kept secret in state.
   */
  fingerprintKey?: pulumi.Input<string>;
}

/** SystemCredentials' arguments after resolution. */
export interface SystemCredentialsSpec {
  namespace: pulumi.Input<string>;
  credentials: CredentialsSpec;
  /** Secret key of the `redactedData` markers; undefined creates one. */
  fingerprintKey?: pulumi.Input<string>;
}

const DATABASE_TYPES = Object.values(DatabaseType);

/** Resolves a SystemCredentials used on its own, through the stack's own credentials resolver. */
export function resolveSystemCredentialsArgs(args: SystemCredentialsArgs): SystemCredentialsSpec {
  const check = new Checker("SystemCredentials");
  check.oneOf("databaseType", args.databaseType, DATABASE_TYPES);
  const databaseType = DATABASE_TYPES.find((type) => type === args.databaseType) ?? DatabaseType.Postgresql;
  const credentials = resolveCredentials(check, "credentials", args.credentials, {
    databaseType,
    storeAdminPassword: args.storeAdminPassword ?? true,
    preCreatedBy: "storeAdminPassword",
  });
  check.required("namespace", args.namespace, "the release namespace");
  check.throwIfAny();
  return { namespace: args.namespace, credentials, fingerprintKey: args.fingerprintKey };
}

/**
 * Characters RDS accepts in a master password and that need no escaping in a JDBC URL:
 * letters, digits and the URL-unreserved marks. Excludes `/ @ " '` and space.
 */
export const PASSWORD_SPECIALS = "-_.~";
export const PASSWORD_LENGTH = 32;

/** Arguments of the RandomPassword behind each generated credential. */
export function passwordArgs(): random.RandomPasswordArgs {
  return {
    length: PASSWORD_LENGTH,
    special: true,
    overrideSpecial: PASSWORD_SPECIALS,
    minLower: 2,
    minUpper: 2,
    minNumeric: 2,
    minSpecial: 1,
  };
}

/**
 * The system credentials: one RandomPassword per credential the user did not supply, and the
 * `env-secrets` Secret that hands them to the chart. Passwords never appear in chart values.
 */
export class SystemCredentials extends pulumi.ComponentResource {
  /** Name of the Secret holding the credentials (`env-secrets`). */
  public readonly secretName: pulumi.Output<string>;
  /** Database administrator password (secret); the RDS master password. */
  public readonly adminPassword: pulumi.Output<string>;
  /** JDBC user name. */
  public readonly jdbcUser: pulumi.Output<string>;
  /** The Secret's keys, each with the keyed marker of its value: which credential changed, never what it is. */
  public readonly redactedData: pulumi.Output<Record<string, string>>;

  constructor(
    name: string,
    args: SystemCredentialsArgs | Validated<SystemCredentialsSpec>,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    const {
      namespace,
      credentials,
      fingerprintKey: givenKey,
    } = args instanceof Validated ? args.spec : resolveSystemCredentialsArgs(args);
    super("usage-engine:index:SystemCredentials", name, {}, opts);

    const given = credentials.passwords;
    const password = (key: PasswordName): pulumi.Output<string> =>
      pulumi.secret(
        given[key] ??
          new random.RandomPassword(`${name}-${key}-password`, passwordArgs(), { parent: this }).result,
      );
    const keys = credentials.keys;
    this.adminPassword = password("admin");
    this.jdbcUser = pulumi.output(credentials.jdbcUser);
    // The schema owner as the JDBC user: one database user, one password.
    const owner = password("mzowner");
    const stringData: Record<string, pulumi.Input<string>> = {
      [keys.jdbcUser]: this.jdbcUser,
      [keys.jdbc]: credentials.jdbcUserIsOwner ? owner : password("jdbc"),
      [keys.mzowner]: owner,
      [keys.operator]: password("operator"),
      [keys.keystore]: password("keystore"),
      [keys.key]: password("key"),
    };
    if (credentials.storeAdminPassword) stringData[keys.admin] = this.adminPassword;
    for (const [key, value] of Object.entries(credentials.extra)) stringData[key] = pulumi.secret(value);

    const secret = new k8s.core.v1.Secret(
      `${name}-env-secrets`,
      {
        metadata: { name: ENV_SECRETS_NAME, namespace, labels: managedLabels() },
        type: "Opaque",
        stringData,
      },
      { parent: this },
    );
    this.secretName = secret.metadata.name;
    this.redactedData = redactedData(stringData, givenKey ?? fingerprintKey(name, this));
    this.registerOutputs({
      secretName: this.secretName,
      jdbcUser: this.jdbcUser,
      redactedData: this.redactedData,
    });
  }
}
