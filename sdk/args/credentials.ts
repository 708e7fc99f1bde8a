import * as pulumi from "@pulumi/pulumi";
import { ADMIN_PASSWORD_KEYS, type CredentialName, DatabaseType, ENV_SECRET_KEYS } from "../chart/contract";
import {
  type ArgumentProblem,
  type Checker,
  DATABASE_PASSWORD,
  DeployTimeArgumentError,
  isUnknown,
} from "../validation";
import type { DatabaseSpec } from "./database";
import { keyList } from "./keys";

/**
 * User-supplied system passwords; each one not given is generated where nothing outside the
 * package must know it (see docs/credentials.md). All are secrets and follow RDS's master password
 * rules: 8 to 128 printable ASCII characters, none of `/`, `'`, `"`, `@` or space.
 */
export interface CredentialPasswords {
  /**
   * Password of the JDBC user the platform connects as; the owner's password when `jdbcUser` is the
   * schema owner. Required with a pre-created system database unless the JDBC user is the owner.
   * Default: generated.
   */
  jdbc?: pulumi.Input<string>;
  /**
   * Password of the schema owner (`mzowner`) created with the system database; also the JDBC
   * password when `jdbcUser` is the owner. Required with a pre-created system database. Default:
   * generated.
   */
  mzowner?: pulumi.Input<string>;
  /** Database administrator (RDS master) password. Default: generated. */
  admin?: pulumi.Input<string>;
  /** Password of the internal user the UEPE operator (`mzk8soperator`) signs in as. Default: generated. */
  operator?: pulumi.Input<string>;
  /** Password of the platform's JKS keystore. Required with `tls.mode` `secret` (your keystore). Default: generated (cert-manager writes the keystore with it). */
  keystore?: pulumi.Input<string>;
  /** Password of the private key entry in the keystore. Required with `tls.mode` `secret`. Default: generated. */
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
  /**
   * Database user the platform connects as. Required with a pre-created system database (the one
   * the database tool created). When it is the schema owner `mzowner`, the JDBC and owner
   * passwords are one password. Default: `mzowner` (unverified, see docs/chart-contract.md).
   */
  jdbcUser?: string;
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
  check.knownKeys(`${path}.passwords`, options.passwords, PASSWORD_NAMES);
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
  jdbcUser: string;
  /**
   * Passwords given by the user (secret), checked; every other one is generated. When the JDBC
   * user is the schema owner, `jdbc` and `mzowner` are one value (both set, or neither).
   */
  passwords: CredentialPasswords;
  /** Whether the JDBC user is the schema owner, so the JDBC and owner passwords are one password. */
  jdbcUserIsOwner: boolean;
  /** The env-secrets key of each credential. */
  keys: Record<CredentialName, string>;
  extra: { [key: string]: pulumi.Input<string> };
  /** Whether the administrator password goes to env-secrets (the chart creates the system database). */
  storeAdminPassword: boolean;
}

/**
 * Where the credentials are used: the engine (key names), whether the chart creates the database,
 * and the argument that says it does not (named in errors).
 */
export interface CredentialsContext {
  databaseType: DatabaseType;
  storeAdminPassword: boolean;
  /** The argument that makes the system database pre-created, e.g. `database.createSystemDatabase`. */
  preCreatedBy?: string;
}

/** The JDBC user when none is given: the schema owner (unverified, see docs/chart-contract.md). */
export const DEFAULT_JDBC_USER = "mzowner";
/** The schema owner DigitalRoute's database tool and the chart create the system database with. */
export const SCHEMA_OWNER = "mzowner";

/** Validates the credential overrides and names their env-secrets keys. */
export function resolveCredentials(
  check: Checker,
  path: string,
  options: CredentialsOptions | undefined,
  context: CredentialsContext,
): CredentialsSpec {
  checkCredentials(check, path, options, context.databaseType);
  const o = options ?? {};
  const jdbcUser = typeof o.jdbcUser === "string" ? o.jdbcUser : DEFAULT_JDBC_USER;
  const jdbcUserIsOwner = jdbcUser === SCHEMA_OWNER;
  const given = checkedPasswords(check, `${path}.passwords`, o.passwords);
  if (!context.storeAdminPassword)
    requirePreCreatedCredentials(
      check,
      path,
      o,
      jdbcUserIsOwner,
      context.preCreatedBy ?? "storeAdminPassword",
    );
  return {
    jdbcUser,
    passwords: jdbcUserIsOwner ? withOwnerPassword(check, path, given) : given,
    jdbcUserIsOwner,
    keys: envSecretKeyNames(o.keyNames, context.databaseType),
    extra: { ...o.extra },
    storeAdminPassword: context.storeAdminPassword,
  };
}

/** The given passwords, each checked against the database password rules (Outputs at deployment). */
function checkedPasswords(check: Checker, path: string, given: unknown): CredentialPasswords {
  if (typeof given !== "object" || given === null || isUnknown(given)) return {};
  const passwords: CredentialPasswords = {};
  const values: Partial<Record<string, pulumi.Input<string>>> = given;
  for (const name of PASSWORD_NAMES) {
    const value = values[name];
    if (value !== undefined) passwords[name] = check.input(`${path}.${name}`, value, DATABASE_PASSWORD);
  }
  return passwords;
}

/**
 * The JDBC user is the schema owner: one database user has one password, so `jdbc` and `mzowner`
 * become one value, whichever was given. Two different ones are an error (plain now, Outputs at
 * deployment); values are never shown.
 */
function withOwnerPassword(check: Checker, path: string, given: CredentialPasswords): CredentialPasswords {
  const { jdbc, mzowner } = given;
  const problem: ArgumentProblem = {
    path: `${path}.passwords.jdbc`,
    message: `differs from ${path}.passwords.mzowner, but the JDBC user is the schema owner ${SCHEMA_OWNER}, and one database user has one password (values hidden); expected one of the two, or the same value in both`,
  };
  if (jdbc === undefined || mzowner === undefined) {
    const owner = mzowner ?? jdbc;
    return { ...given, jdbc: owner, mzowner: owner };
  }
  if (typeof jdbc === "string" && typeof mzowner === "string") {
    if (jdbc !== mzowner) check.fail(problem.path, problem.message);
    return given;
  }
  const owner = pulumi.all([jdbc, mzowner]).apply(([j, m]) => {
    if (j !== m) throw new DeployTimeArgumentError(check.component, [problem]);
    return m;
  });
  return { ...given, jdbc: owner, mzowner: owner };
}

/**
 * A system database created beforehand with DigitalRoute's database tool: its JDBC user and the
 * passwords of that user and of the schema owner were chosen then, so nothing generated could
 * match them. The user name and the passwords are required (one password when the JDBC user is
 * the owner).
 */
function requirePreCreatedCredentials(
  check: Checker,
  path: string,
  o: CredentialsOptions,
  jdbcUserIsOwner: boolean,
  preCreatedBy: string,
): void {
  const why = `with a pre-created system database (${preCreatedBy} false) it was chosen when DigitalRoute's database tool ran, and a generated one cannot match`;
  check.required(
    `${path}.jdbcUser`,
    o.jdbcUser,
    `the user the database tool created for the platform (${SCHEMA_OWNER} when it connects as the schema owner); ${why}`,
  );
  const passwords = typeof o.passwords === "object" && o.passwords !== null ? o.passwords : {};
  if (jdbcUserIsOwner) {
    if (passwords.mzowner === undefined && passwords.jdbc === undefined)
      check.fail(
        `${path}.passwords.mzowner`,
        `is required: ${why}`,
        `the schema owner's password (secret); the JDBC user is the owner, so it is also the JDBC password`,
      );
    return;
  }
  check.required(
    `${path}.passwords.mzowner`,
    passwords.mzowner,
    `the schema owner's password (secret); ${why}`,
  );
  check.required(`${path}.passwords.jdbc`, passwords.jdbc, `the JDBC user's password (secret); ${why}`);
}

/**
 * TLS from a Secret: the keystore was written by whoever made it, with its own passwords, so
 * generated ones could never open it. Both are required, named together.
 */
export function requireKeystorePasswords(
  check: Checker,
  paths: { tls: string; credentials: string },
  tlsMode: string,
  credentials: CredentialsSpec,
): void {
  if (tlsMode !== "secret") return;
  const { keystore, key } = credentials.passwords;
  if (keystore !== undefined && key !== undefined) return;
  const names = `${paths.credentials}.passwords.keystore and ${paths.credentials}.passwords.key`;
  check.fail(
    `${paths.credentials}.passwords.${keystore === undefined ? "keystore" : "key"}`,
    `is required with ${paths.tls}.mode "secret": the keystore you bring was written with its own passwords, which generated ones cannot match`,
    `${names}: the keystore's and the private key's passwords (secret)`,
  );
}

/**
 * Where the database administrator password comes from. An external database's `adminPassword` is
 * the one the chart must create the system database with, so it becomes the `admin` credential; a
 * pre-created database needs none, so giving one is a mistake; giving it twice (here and as
 * `credentials.passwords.admin`) is ambiguous; giving none while the chart must create the system
 * database on your server is an error, since a generated password is one the server does not know.
 */
export function applyExternalAdminPassword(
  check: Checker,
  paths: { database: string; credentials: string },
  db: DatabaseSpec,
  credentials: CredentialsSpec,
): void {
  if (db.mode !== "external") return;
  const external = db.adminPassword;
  const where = `${paths.database}.external.adminPassword`;
  if (external !== undefined && !db.createSystemDatabase)
    check.fail(
      where,
      "is not used: with createSystemDatabase false no administrator password is stored",
      "no adminPassword, or createSystemDatabase: true",
    );
  else if (external !== undefined && credentials.passwords.admin !== undefined)
    check.fail(
      where,
      `and ${paths.credentials}.passwords.admin are both given (values hidden)`,
      "the administrator password in one place",
    );
  else if (external !== undefined)
    credentials.passwords.admin = pulumi.secret(check.input(where, external, DATABASE_PASSWORD));
  else if (db.createSystemDatabase && credentials.passwords.admin === undefined)
    check.fail(
      where,
      `is required when the chart creates the system database (${paths.database}.createSystemDatabase true): it signs in to your database server as ${db.adminUser}, whose password a generated one cannot match`,
      `the server's administrator password (secret) here or as ${paths.credentials}.passwords.admin, or ${paths.database}.createSystemDatabase false if DigitalRoute's database tool created the system database`,
    );
}
