import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ADMIN_PASSWORD_KEYS, type DatabaseType, ENV_SECRET_KEYS, ENV_SECRETS_NAME } from "./chart";
import { managedLabels } from "./kubernetes";
import { Checker } from "./validation";

/** User-supplied system passwords; each one not given is generated. All are treated as secrets. */
export interface CredentialPasswords {
  /** Password of the JDBC user the platform connects as. Default: generated. */
  jdbc?: pulumi.Input<string>;
  /** Password of the schema owner (`mzowner`) created with the system database. Default: generated. */
  mzowner?: pulumi.Input<string>;
  /** Database administrator (RDS master) password. Default: generated. */
  admin?: pulumi.Input<string>;
  /** Password of the internal user the UEPE operator (`mzk8soperator`) signs in as. Default: generated. */
  operator?: pulumi.Input<string>;
  /** Password of the platform's JKS keystore. Default: generated. */
  keystore?: pulumi.Input<string>;
  /** Password of the private key entry in the keystore. Default: generated. */
  key?: pulumi.Input<string>;
}

/** System credentials: overrides for what is otherwise generated. */
export interface CredentialsOptions {
  /** Database user the platform connects as. Default: `mzowner`. */
  jdbcUser?: pulumi.Input<string>;
  /** Passwords to use instead of generated ones. Default: all generated. */
  passwords?: CredentialPasswords;
}

export interface SystemCredentialsArgs {
  /** Namespace of the `env-secrets` Secret (the release namespace). */
  namespace: pulumi.Input<string>;
  /** Overrides for the generated credentials. Default: everything generated. */
  credentials?: CredentialsOptions;
  /** System database type; selects the env-secrets key of the administrator password. Default: `postgresql`. */
  databaseType?: DatabaseType;
  /**
   * Whether the database administrator password is written to `env-secrets` (the chart then
   * creates the system database). False when the database was pre-created. Default: true.
   */
  storeAdminPassword?: boolean;
}

export type PasswordName = keyof CredentialPasswords;
export const PASSWORD_NAMES: readonly PasswordName[] = [
  "jdbc",
  "mzowner",
  "admin",
  "operator",
  "keystore",
  "key",
];

/**
 * Characters RDS accepts in a master password and that need no escaping in a JDBC URL:
 * letters, digits and the URL-unreserved marks. Excludes `/ @ " '` and space.
 */
export const PASSWORD_SPECIALS = "-_.~";
export const PASSWORD_LENGTH = 32;

/** Checks credential overrides; secret values are type-checked but never echoed. */
export function checkCredentials(
  check: Checker,
  path: string,
  options: CredentialsOptions | undefined,
): void {
  if (!check.knownKeys(path, options, ["jdbcUser", "passwords"])) return;
  check.pattern(
    `${path}.jdbcUser`,
    options.jdbcUser,
    /^[a-zA-Z_][a-zA-Z0-9_]{0,62}$/,
    "a database user name: a letter or '_' then letters, digits or '_', at most 63 characters",
  );
  if (!check.knownKeys(`${path}.passwords`, options.passwords, PASSWORD_NAMES)) return;
  for (const name of PASSWORD_NAMES) {
    const value = options.passwords[name];
    check.secret(`${path}.passwords.${name}`, value);
    if (typeof value === "string" && /[/@"'\s]/.test(value))
      check.fail(
        `${path}.passwords.${name}`,
        "contains a character RDS or JDBC URLs reject (value hidden)",
        "no '/', '@', '\"', quote or white space",
      );
  }
}

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

  constructor(name: string, args: SystemCredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
    const check = new Checker("SystemCredentials");
    checkCredentials(check, "credentials", args.credentials);
    check.required("namespace", args.namespace, "the release namespace");
    check.throwIfAny();
    super("usage-engine:index:SystemCredentials", name, {}, opts);

    const given = args.credentials?.passwords ?? {};
    const password = (key: PasswordName): pulumi.Output<string> =>
      pulumi.secret(
        given[key] ??
          new random.RandomPassword(`${name}-${key}-password`, passwordArgs(), { parent: this }).result,
      );
    const storeAdmin = args.storeAdminPassword ?? true;
    const databaseType = args.databaseType ?? "postgresql";

    this.adminPassword = password("admin");
    this.jdbcUser = pulumi.output(args.credentials?.jdbcUser ?? "mzowner");
    const stringData: Record<string, pulumi.Input<string>> = {
      [ENV_SECRET_KEYS.jdbcUser]: this.jdbcUser,
      [ENV_SECRET_KEYS.jdbc]: password("jdbc"),
      [ENV_SECRET_KEYS.mzowner]: password("mzowner"),
      [ENV_SECRET_KEYS.operator]: password("operator"),
      [ENV_SECRET_KEYS.keystore]: password("keystore"),
      [ENV_SECRET_KEYS.key]: password("key"),
    };
    if (storeAdmin) stringData[ADMIN_PASSWORD_KEYS[databaseType]] = this.adminPassword;

    const secret = new k8s.core.v1.Secret(
      `${name}-env-secrets`,
      {
        metadata: { name: ENV_SECRETS_NAME, namespace: args.namespace, labels: managedLabels() },
        type: "Opaque",
        stringData,
      },
      { parent: this },
    );
    this.secretName = secret.metadata.name;
    this.registerOutputs({ secretName: this.secretName, jdbcUser: this.jdbcUser });
  }
}
