import * as pulumi from "@pulumi/pulumi";
import { ADMIN_PASSWORD_KEYS, type CredentialName, DatabaseType, ENV_SECRET_KEYS } from "../chart/contract";
import type { Checker } from "../validation";
import type { DatabaseSpec } from "./database";
import { keyList } from "./keys";

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
 * under another key than the package's table says (see docs/chart-contract.md).
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

export type PasswordName = keyof CredentialPasswords;
export const PASSWORD_NAMES: readonly PasswordName[] = [
  "jdbc",
  "mzowner",
  "admin",
  "operator",
  "keystore",
  "key",
];

/** The logical credentials in env-secrets, in the order the Secret lists them. */
export const CREDENTIAL_NAMES: readonly CredentialName[] = ["jdbcUser", ...PASSWORD_NAMES];

const DATABASE_TYPES = Object.values(DatabaseType);

/** The env-secrets key of each logical credential: the chart contract's name unless renamed. */
export function envSecretKeyNames(
  keyNames: CredentialKeyNames | undefined,
  databaseType: DatabaseType,
): Record<CredentialName, string> {
  const defaults: Record<CredentialName, string> = {
    ...ENV_SECRET_KEYS,
    admin: ADMIN_PASSWORD_KEYS[databaseType],
  };
  const keys = { ...defaults };
  for (const name of CREDENTIAL_NAMES) keys[name] = keyNames?.[name] ?? defaults[name];
  return keys;
}

const CREDENTIALS_KEYS = keyList<CredentialsOptions>({
  jdbcUser: true,
  passwords: true,
  keyNames: true,
  extra: true,
});

/**
 * Checks credential overrides; secret values are type-checked but never echoed. Without a
 * database type, key clashes are checked for every type the chart supports.
 */
function checkCredentials(
  check: Checker,
  path: string,
  options: CredentialsOptions | undefined,
  databaseType?: DatabaseType,
): void {
  if (!check.knownKeys(path, options, CREDENTIALS_KEYS)) return;
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
    ? options.keyNames
    : undefined;
  // Any key is allowed in extra: knownKeys here only checks that it is a map.
  const extra = check.knownKeys(`${path}.extra`, options.extra, Object.keys(options.extra ?? {}))
    ? options.extra
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

/** The system credentials after resolution: what is given, what env-secrets calls each one. */
export interface CredentialsSpec {
  jdbcUser: pulumi.Input<string>;
  /** Passwords given by the user (secret); every other one is generated. */
  passwords: CredentialPasswords;
  /** The env-secrets key of each credential. */
  keys: Record<CredentialName, string>;
  extra: { [key: string]: pulumi.Input<string> };
  /** Whether the administrator password goes to env-secrets (the chart creates the system database). */
  storeAdminPassword: boolean;
}

/** Where the credentials are used: the engine (key names) and whether the chart creates the database. */
export interface CredentialsContext {
  databaseType: DatabaseType;
  storeAdminPassword: boolean;
}

/** Validates the credential overrides and names their env-secrets keys. */
export function resolveCredentials(
  check: Checker,
  path: string,
  options: CredentialsOptions | undefined,
  context: CredentialsContext,
): CredentialsSpec {
  checkCredentials(check, path, options, context.databaseType);
  const o = options ?? {};
  return {
    jdbcUser: o.jdbcUser ?? DEFAULT_JDBC_USER,
    passwords: { ...o.passwords },
    keys: envSecretKeyNames(o.keyNames, context.databaseType),
    extra: { ...o.extra },
    storeAdminPassword: context.storeAdminPassword,
  };
}

/** The JDBC user when none is given: the schema owner (unverified, see docs/chart-contract.md). */
export const DEFAULT_JDBC_USER = "mzowner";

/**
 * Where the database administrator password comes from. An external database's `adminPassword` is
 * the one the chart must create the system database with, so it becomes the `admin` credential; a
 * pre-created database needs none, so giving one is a mistake; giving it twice (here and as
 * `credentials.passwords.admin`) is ambiguous. Returns the warning to print when the chart is to
 * create the system database on an external server and no administrator password was given.
 */
export function applyExternalAdminPassword(
  check: Checker,
  paths: { database: string; credentials: string },
  db: DatabaseSpec,
  credentials: CredentialsSpec,
): string | undefined {
  if (db.mode !== "external") return undefined;
  const external = db.adminPassword;
  if (external !== undefined && !db.createSystemDatabase)
    check.fail(
      `${paths.database}.external.adminPassword`,
      "is not used: with createSystemDatabase false no administrator password is stored",
      "no adminPassword, or createSystemDatabase: true",
    );
  else if (external !== undefined && credentials.passwords.admin !== undefined)
    check.fail(
      `${paths.database}.external.adminPassword`,
      `and ${paths.credentials}.passwords.admin are both given (values hidden)`,
      "the administrator password in one place",
    );
  else if (external !== undefined) credentials.passwords.admin = pulumi.secret(external);
  else if (db.createSystemDatabase && credentials.passwords.admin === undefined)
    return (
      "database.external.adminPassword is not set: env-secrets gets a generated administrator password " +
      "that your database server does not know, so the chart cannot create the system database. Give the " +
      "server's administrator password, or set database.createSystemDatabase to false if the system " +
      "database was created with DigitalRoute's database tool."
    );
  return undefined;
}
