import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import {
  ADMIN_PASSWORD_KEYS,
  type CredentialName,
  DATABASE_VALUES_BLOCK,
  type DatabaseType,
  ENV_SECRET_KEYS,
  ENV_SECRETS_NAME,
} from "./chart";
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

/**
 * env-secrets key names per logical credential, for a chart version that reads a credential
 * under another key than the package's table says (see README, "Chart contract").
 */
export interface CredentialKeyNames {
  /** Key of the JDBC user name. Default: `jdbcUser`. */
  jdbcUser?: string;
  /** Key of the JDBC password. Default: `jdbcPassword`. */
  jdbc?: string;
  /** Key of the schema owner's password. Default: `mzownerPassword`. */
  mzowner?: string;
  /** Key of the database administrator password. Default: `postgresqlPassword`, `oraclePassword` or `saphanaPassword` by database type. */
  admin?: string;
  /** Key of the operator user's password. Default: `operatorPassword`. */
  operator?: string;
  /** Key of the keystore password. Default: `tlsKeystorePassword`. */
  keystore?: string;
  /** Key of the private key password. Default: `tlsKeyPassword`. */
  key?: string;
}

/** System credentials: overrides for what is otherwise generated. */
export interface CredentialsOptions {
  /** Database user the platform connects as. Default: `mzowner`. */
  jdbcUser?: pulumi.Input<string>;
  /** Passwords to use instead of generated ones. Default: all generated. */
  passwords?: CredentialPasswords;
  /** Renames env-secrets keys, e.g. `{ jdbc: "jdbcPass" }` when a chart version reads another key. Default: the chart contract's names. */
  keyNames?: CredentialKeyNames;
  /** Additional env-secrets entries (Secret key to value) a chart version reads and the package does not manage; values are treated as secrets. Default: none. */
  extra?: { [key: string]: pulumi.Input<string> };
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

/** The logical credentials in env-secrets, in the order the Secret lists them. */
export const CREDENTIAL_NAMES: readonly CredentialName[] = ["jdbcUser", ...PASSWORD_NAMES];

const DATABASE_TYPES = Object.keys(DATABASE_VALUES_BLOCK) as DatabaseType[];

/** The env-secrets key of each logical credential: the chart contract's name unless renamed. */
export function envSecretKeyNames(
  keyNames: CredentialKeyNames | undefined,
  databaseType: DatabaseType,
): Record<CredentialName, string> {
  const defaults: Record<CredentialName, string> = {
    ...ENV_SECRET_KEYS,
    admin: ADMIN_PASSWORD_KEYS[databaseType],
  };
  return Object.fromEntries(
    CREDENTIAL_NAMES.map((name) => [name, keyNames?.[name] ?? defaults[name]]),
  ) as Record<CredentialName, string>;
}

/**
 * Checks credential overrides; secret values are type-checked but never echoed. Without a
 * database type, key clashes are checked for every type the chart supports.
 */
export function checkCredentials(
  check: Checker,
  path: string,
  options: CredentialsOptions | undefined,
  databaseType?: DatabaseType,
): void {
  if (!check.knownKeys(path, options, ["jdbcUser", "passwords", "keyNames", "extra"])) return;
  check.pattern(
    `${path}.jdbcUser`,
    options.jdbcUser,
    /^[a-zA-Z_][a-zA-Z0-9_]{0,62}$/,
    "a database user name: a letter or '_' then letters, digits or '_', at most 63 characters",
  );
  if (check.knownKeys(`${path}.passwords`, options.passwords, PASSWORD_NAMES))
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
  const types =
    databaseType !== undefined && DATABASE_TYPES.includes(databaseType) ? [databaseType] : DATABASE_TYPES;
  checkKeyNames(check, path, options, types);
}

/** Renamed keys and `extra` keys must be valid Secret keys; `extra` values are secrets. */
function checkKeyNames(
  check: Checker,
  path: string,
  options: CredentialsOptions,
  databaseTypes: readonly DatabaseType[],
): void {
  const keyNames = check.knownKeys(`${path}.keyNames`, options.keyNames, CREDENTIAL_NAMES)
    ? (options.keyNames as CredentialKeyNames)
    : undefined;
  // Any key is allowed in extra: knownKeys here only checks that it is a map.
  const extra = check.knownKeys(`${path}.extra`, options.extra, Object.keys(options.extra ?? {}))
    ? (options.extra as Record<string, unknown>)
    : {};
  let valid = true;
  for (const name of CREDENTIAL_NAMES)
    if (keyNames?.[name] !== undefined)
      valid = check.secretDataKey(`${path}.keyNames.${name}`, keyNames[name]) && valid;
  for (const [key, value] of Object.entries(extra)) {
    check.secretDataKey(`${path}.extra.${key}`, key);
    check.secret(`${path}.extra.${key}`, value);
  }
  if (!valid) return;
  const reported = new Set<string>();
  for (const type of databaseTypes)
    checkKeyClashes(check, path, keyNames, Object.keys(extra), type, reported);
}

/**
 * Two credentials under one key, or an `extra` entry over a managed key, would silently lose a
 * value. Each clash is reported once, however many database types produce it.
 */
function checkKeyClashes(
  check: Checker,
  path: string,
  keyNames: CredentialKeyNames | undefined,
  extraKeys: readonly string[],
  databaseType: DatabaseType,
  reported: Set<string>,
): void {
  const report = (where: string, problem: string, accepted: string) => {
    if (!reported.has(where)) check.fail(where, problem, accepted);
    reported.add(where);
  };
  const keys = envSecretKeyNames(keyNames, databaseType);
  const owner = new Map<string, CredentialName>();
  for (const name of CREDENTIAL_NAMES) {
    const other = owner.get(keys[name]);
    if (other === undefined) {
      owner.set(keys[name], name);
      continue;
    }
    // Blame the renamed credential, not the one that kept its key.
    const [renamed, kept] = keyNames?.[name] !== undefined ? [name, other] : [other, name];
    report(
      `${path}.keyNames.${renamed}`,
      `"${keys[name]}" is also the env-secrets key of the ${kept} credential`,
      "a key no other credential uses",
    );
  }
  for (const key of extraKeys) {
    const name = owner.get(key);
    if (name !== undefined)
      report(
        `${path}.extra.${key}`,
        `clashes with the env-secrets key the package writes for the ${name} credential`,
        `a key the package does not manage (to supply that credential use credentials.passwords or rename it with credentials.keyNames.${name})`,
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
    checkCredentials(check, "credentials", args.credentials, args.databaseType ?? "postgresql");
    check.oneOf("databaseType", args.databaseType, DATABASE_TYPES);
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
    const keys = envSecretKeyNames(args.credentials?.keyNames, databaseType);
    const stringData: Record<string, pulumi.Input<string>> = {
      [keys.jdbcUser]: this.jdbcUser,
      [keys.jdbc]: password("jdbc"),
      [keys.mzowner]: password("mzowner"),
      [keys.operator]: password("operator"),
      [keys.keystore]: password("keystore"),
      [keys.key]: password("key"),
    };
    if (storeAdmin) stringData[keys.admin] = this.adminPassword;
    for (const [key, value] of Object.entries(args.credentials?.extra ?? {}))
      stringData[key] = pulumi.secret(value);

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
