import type * as pulumi from "@pulumi/pulumi";
import type { DatabaseType } from "../chart/contract";
import { type Checker, DATABASE_HOST } from "../validation";
import { keyList } from "./keys";
import { checkNetwork, type NetworkOptions } from "./network";

/** Where the system database comes from. */
export const DatabaseMode = { Rds: "rds", External: "external" } as const;
export type DatabaseMode = (typeof DatabaseMode)[keyof typeof DatabaseMode];
/** Sizing profile: `dev` is small and single-AZ, `prod` is Multi-AZ with larger storage and retention. */
export const DatabaseProfile = { Dev: "dev", Prod: "prod" } as const;
export type DatabaseProfile = (typeof DatabaseProfile)[keyof typeof DatabaseProfile];

/** A system database the package does not create. */
export interface ExternalDatabaseOptions {
  /** Database engine. */
  type: DatabaseType;
  /** Host name or IP address of the database server, without scheme, port or path. */
  host: pulumi.Input<string>;
  /** Port. Default: 5432 (postgresql), 1521 (oracle), 30015 (saphana). */
  port?: number;
  /** Name of the system database. Default: `mz`. */
  name?: string;
  /** Administrator user the chart creates the system database with. Default: `postgres`. */
  adminUser?: string;
  /**
   * Administrator password (secret), stored in `env-secrets` under the key of `type` so the chart
   * can create the system database; may instead be given as `credentials.passwords.admin`, and is
   * refused when `createSystemDatabase` is false. Required (here or there) when the chart creates
   * the system database. Default: none.
   */
  adminPassword?: pulumi.Input<string>;
}

/** The system database. */
export interface DatabaseOptions {
  /** `rds` creates RDS PostgreSQL; `external` uses `external`. Default: `rds`. */
  mode?: DatabaseMode;
  /** Sizing profile whose defaults apply to every setting not given. Default: `dev`. */
  profile?: DatabaseProfile;
  /**
   * Whether the chart creates the system database on first start with the administrator
   * credentials. False when it was created beforehand with DigitalRoute's database tool; the
   * administrator password is then not stored in `env-secrets`. Default: true.
   */
  createSystemDatabase?: boolean;
  /**
   * With a pre-created system database: whether it exists, so the release may install. `false`
   * creates the data layer and holds the release (no UEPE release is installed) while you run
   * DigitalRoute's database tool against the stack's `databaseEndpoint`, `databaseAdminUser` and
   * `databaseAdminPassword` outputs; then `true` installs (see docs/runbooks/pre-created-database.md).
   * Never set it back to `false` on an installed stack: that uninstalls the release. Required with
   * `mode` `rds`, `createSystemDatabase` false and no `snapshotIdentifier`; refused with
   * `createSystemDatabase` true. Default: true.
   */
  systemDatabaseReady?: boolean;
  /**
   * RDS instance identifier: lower-case letters, digits and single hyphens, starting with a letter,
   * at most 63 characters; used as given, so keep it unique in the account and region. Change it
   * together with `snapshotIdentifier` to restore next to the running instance. Default: the
   * component name plus a suffix unique to the stack and instance, kept in state, e.g.
   * `uepe-database-3f9a1c2e` (a restore draws a new suffix).
   */
  identifier?: string;
  /** RDS instance class. Default: `db.t4g.medium` (dev), `db.m7g.large` (prod). */
  instanceClass?: string;
  /** PostgreSQL engine version (major, or major.minor), 13 to 18. Default: `16`. */
  engineVersion?: string;
  /** Allocated gp3 storage in GiB, 20 to 65536. Default: 20 (dev), 100 (prod). */
  allocatedStorage?: number;
  /**
   * Upper limit for storage autoscaling in GiB: at least 10% above `allocatedStorage`, or 0 to turn
   * autoscaling off. Default: 100 (dev), 1000 (prod).
   */
  maxAllocatedStorage?: number;
  /** Run a synchronous standby in a second AZ. Default: false (dev), true (prod). */
  multiAz?: boolean;
  /** Days automated backups (point-in-time recovery) are kept, 7-35. Default: 7 (dev), 14 (prod). */
  backupRetentionDays?: number;
  /** Performance Insights with the free 7-day retention. Default: false (dev), true (prod). */
  performanceInsights?: boolean;
  /**
   * Enhanced monitoring interval in seconds (0, 1, 5, 10, 15, 30 or 60); 0 turns it off. Anything
   * else creates the IAM role RDS publishes OS metrics with. Default: 0 (dev), 60 (prod).
   */
  monitoringInterval?: number;
  /** Daily automated-backup window, UTC, `hh24:mi-hh24:mi`, at least 30 minutes. Default: `01:00-01:30`. */
  backupWindow?: string;
  /**
   * Weekly maintenance window, UTC, `ddd:hh24:mi-ddd:hh24:mi`, at least 30 minutes, not overlapping
   * `backupWindow`. Default: `sun:05:00-sun:06:00`.
   */
  maintenanceWindow?: string;
  /**
   * Extra parameters of the instance's parameter group (one group per major version), applied at
   * the next reboot; `rds.force_ssl` cannot be turned off. Default: `rds.force_ssl` = `1` only.
   */
  parameters?: { [name: string]: string };
  /**
   * Export the PostgreSQL log to CloudWatch Logs (`/aws/rds/instance/<identifier>/postgresql`,
   * created by the package with `logRetentionDays`). Default: false (dev), true (prod).
   */
  exportPostgresqlLog?: boolean;
  /**
   * Days CloudWatch Logs keeps the exported PostgreSQL log: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150,
   * 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653. Default: 30.
   */
  logRetentionDays?: number;
  /** Refuse deletion of the instance. Default: true. */
  deletionProtection?: boolean;
  /**
   * KMS key for storage and Performance Insights. Default: the installation's customer managed data
   * key (a restored instance keeps its snapshot's key); the AWS managed `aws/rds` key for a
   * SystemDatabase used alone.
   */
  kmsKeyArn?: pulumi.Input<string>;
  /**
   * Create the instance from this DB snapshot (identifier or ARN): the restore path. The master user
   * then comes from the snapshot. Keep it set afterwards: removing it replaces the instance.
   * Default: none (a new, empty instance).
   */
  snapshotIdentifier?: string;
  /** The database to use when `mode` is `external`. Default: none. */
  external?: ExternalDatabaseOptions;
}

/** The settings a sizing profile chooses. */
export interface ProfileDefaults {
  instanceClass: string;
  allocatedStorage: number;
  maxAllocatedStorage: number;
  multiAz: boolean;
  backupRetentionDays: number;
  performanceInsights: boolean;
  monitoringInterval: number;
}

export const DATABASE_PROFILES: Record<DatabaseProfile, ProfileDefaults> = {
  dev: {
    instanceClass: "db.t4g.medium",
    allocatedStorage: 20,
    maxAllocatedStorage: 100,
    multiAz: false,
    backupRetentionDays: 7,
    performanceInsights: false,
    monitoringInterval: 0,
  },
  prod: {
    instanceClass: "db.m7g.large",
    allocatedStorage: 100,
    maxAllocatedStorage: 1000,
    multiAz: true,
    backupRetentionDays: 14,
    performanceInsights: true,
    monitoringInterval: 60,
  },
};

export const DEFAULT_ENGINE_VERSION = "16";
/** PostgreSQL major versions RDS offers (13 is in extended support only). */
export const POSTGRES_MAJOR_VERSIONS = ["13", "14", "15", "16", "17", "18"] as const;
export const RDS_ADMIN_USER = "postgres";
export const SYSTEM_DATABASE_NAME = "mz";
/** Port of an external system database when `external.port` is not given. */
export const EXTERNAL_DATABASE_PORTS: Record<DatabaseType, number> = {
  postgresql: 5432,
  oracle: 1521,
  saphana: 30015,
};
export const DEFAULT_BACKUP_WINDOW = "01:00-01:30";
export const DEFAULT_MAINTENANCE_WINDOW = "sun:05:00-sun:06:00";
/** Reject non-TLS connections; already the RDS default from PostgreSQL 15, stated so 13/14 get it too. */
export const FORCE_SSL_PARAMETER = "rds.force_ssl";
const MONITORING_INTERVALS = [0, 1, 5, 10, 15, 30, 60];
/** The retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
/** AWS managed policy that lets RDS publish enhanced-monitoring metrics to CloudWatch Logs. */
export const ENHANCED_MONITORING_POLICY_ARN =
  "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole";

const RDS_IDENTIFIER = /^[a-z](-?[a-z0-9])*$/;
/** `db.<family>.<size>`: families such as t4g, m7g, r6i, x2iedn; sizes micro to 48xlarge or metal. */
const INSTANCE_CLASS =
  /^db\.[tmrxz][1-9][a-z-]*\.(micro|small|medium|large|xlarge|[1-9]\d?xlarge|metal(-\d+xl)?)$/;
const ENGINE_VERSION = /^(\d{2})(\.\d{1,2})?$/;
const BACKUP_WINDOW = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/;
const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const MAINTENANCE_WINDOW =
  /^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):([0-5]\d)$/;
const PARAMETER_NAME = /^[a-z_][a-z0-9_.]*$/;
const DAY_MINUTES = 24 * 60;
const WEEK_MINUTES = 7 * DAY_MINUTES;

function checkExternal(check: Checker, path: string, external: ExternalDatabaseOptions | undefined): void {
  if (!check.required(path, external, "{ type, host, ... } when database.mode is external")) return;
  if (!check.knownKeys(path, external, EXTERNAL_KEYS)) return;
  if (check.required(`${path}.type`, external.type, "postgresql, oracle or saphana"))
    check.oneOf(`${path}.type`, external.type, ["postgresql", "oracle", "saphana"]);
  check.required(`${path}.host`, external.host, "the database host name");
  check.integer(`${path}.port`, external.port, 1, 65535);
  check.pattern(
    `${path}.name`,
    external.name,
    /^[a-zA-Z_][a-zA-Z0-9_]{0,62}$/,
    "a database name (letters, digits, _)",
  );
  check.pattern(
    `${path}.adminUser`,
    external.adminUser,
    /^[a-zA-Z_][a-zA-Z0-9_]{0,62}$/,
    "a database user name",
  );
  check.secret(`${path}.adminPassword`, external.adminPassword);
}

/** A window as [start, length] in minutes: of the day for the backup window, of the week for maintenance. */
type Span = [number, number];

function backupSpan(window: string): Span | undefined {
  const m = BACKUP_WINDOW.exec(window);
  if (!m) return undefined;
  const start = Number(m[1]) * 60 + Number(m[2]);
  const end = Number(m[3]) * 60 + Number(m[4]);
  return [start, (end - start + DAY_MINUTES) % DAY_MINUTES];
}

function maintenanceSpan(window: string): Span | undefined {
  const m = MAINTENANCE_WINDOW.exec(window);
  if (!m) return undefined;
  const start = DAYS.indexOf(m[1]) * DAY_MINUTES + Number(m[2]) * 60 + Number(m[3]);
  const end = DAYS.indexOf(m[4]) * DAY_MINUTES + Number(m[5]) * 60 + Number(m[6]);
  return [start, (end - start + WEEK_MINUTES) % WEEK_MINUTES];
}

/** Whether two spans on a circle of `period` minutes share a minute. */
function overlaps([a, aLength]: Span, [b, bLength]: Span, period: number): boolean {
  return (b - a + period) % period < aLength || (a - b + period) % period < bLength;
}

function checkWindows(check: Checker, path: string, backupWindow: string, maintenanceWindow: string): void {
  const backup =
    typeof backupWindow === "string" && BACKUP_WINDOW.test(backupWindow)
      ? backupSpan(backupWindow)
      : undefined;
  check.pattern(
    `${path}.backupWindow`,
    backupWindow,
    BACKUP_WINDOW,
    'a UTC window "hh24:mi-hh24:mi" such as "01:00-01:30"',
  );
  check.pattern(
    `${path}.maintenanceWindow`,
    maintenanceWindow,
    MAINTENANCE_WINDOW,
    'a UTC window "ddd:hh24:mi-ddd:hh24:mi" such as "sun:05:00-sun:06:00"',
  );
  const maintenance = typeof maintenanceWindow === "string" ? maintenanceSpan(maintenanceWindow) : undefined;
  if (backup && backup[1] < 30)
    check.fail(
      `${path}.backupWindow`,
      `"${backupWindow}" is ${backup[1]} minutes long`,
      "at least 30 minutes",
    );
  if (maintenance && maintenance[1] < 30)
    check.fail(
      `${path}.maintenanceWindow`,
      `"${maintenanceWindow}" is ${maintenance[1]} minutes long`,
      "at least 30 minutes",
    );
  if (!backup || !maintenance || backup[1] < 30 || maintenance[1] < 30) return;
  const clash = DAYS.some((_, day) =>
    overlaps([day * DAY_MINUTES + backup[0], backup[1]], maintenance, WEEK_MINUTES),
  );
  if (clash)
    check.fail(
      `${path}.maintenanceWindow`,
      `"${maintenanceWindow}" overlaps the daily backup window "${backupWindow}"`,
      "a maintenance window outside the backup window",
    );
}

function checkStorage(check: Checker, path: string, allocated: number, max: number): void {
  if (!check.integer(`${path}.allocatedStorage`, allocated, 20, 65536, "GiB")) return;
  if (!check.integer(`${path}.maxAllocatedStorage`, max, 0, 65536, "GiB") || max === 0) return;
  const floor = Math.ceil((allocated * 11) / 10);
  if (max < allocated)
    check.fail(
      `${path}.maxAllocatedStorage`,
      `${max} is below allocatedStorage (${allocated})`,
      `0 (no autoscaling) or at least ${floor} GiB (10% above allocatedStorage)`,
    );
  else if (max < floor)
    check.fail(
      `${path}.maxAllocatedStorage`,
      `${max} is less than 10% above allocatedStorage (${allocated}), which RDS rejects`,
      `0 (no autoscaling) or at least ${floor} GiB`,
    );
}

function checkParameters(check: Checker, path: string, parameters: unknown): void {
  if (!check.knownKeys(path, parameters, Object.keys(parameters ?? {}))) return;
  for (const [name, value] of Object.entries(parameters)) {
    if (!PARAMETER_NAME.test(name))
      check.fail(
        `${path}.${name}`,
        "is not a PostgreSQL parameter name",
        "lower-case letters, digits, '_' and '.'",
      );
    check.string(`${path}.${name}`, value, "the parameter value as a string");
    if (name === FORCE_SSL_PARAMETER && value !== "1")
      check.fail(
        `${path}.${name}`,
        `${JSON.stringify(value)} would let clients connect without TLS`,
        `"1" (the default), or leave it out: the system database only accepts TLS connections`,
      );
  }
}

/** An RDS PostgreSQL instance the package creates, every default applied. */
export interface RdsDatabaseSpec extends ProfileDefaults {
  mode: "rds";
  profile: DatabaseProfile;
  createSystemDatabase: boolean;
  /** False: the system database is yet to be created with the database tool; the release waits. */
  systemDatabaseReady: boolean;
  /** Undefined: derived from the component name. */
  identifier?: string;
  engineVersion: string;
  backupWindow: string;
  maintenanceWindow: string;
  parameters: { [name: string]: string };
  /** Days the exported PostgreSQL log is kept; undefined: no export. */
  postgresqlLogRetentionDays?: number;
  deletionProtection: boolean;
  /** Storage key; undefined: the AWS managed key, or the snapshot's on a restore. */
  kmsKeyArn?: pulumi.Input<string>;
  /** Performance Insights key; undefined: the AWS managed key. */
  performanceInsightsKmsKeyArn?: pulumi.Input<string>;
  snapshotIdentifier?: string;
  /** Where the instance lives: subnets in two Availability Zones, the allowed security groups. */
  network: NetworkOptions;
}

/** A system database the package does not create, every default applied. */
export interface ExternalDatabaseSpec {
  mode: "external";
  createSystemDatabase: boolean;
  /** False: the system database is yet to be created with the database tool; the release waits. */
  systemDatabaseReady: boolean;
  type: DatabaseType;
  host: pulumi.Input<string>;
  port: number;
  name: string;
  adminUser: string;
  adminPassword?: pulumi.Input<string>;
}

/** The system database after resolution: what each mode needs is present. */
export type DatabaseSpec = RdsDatabaseSpec | ExternalDatabaseSpec;

/** The engine the chart talks to. */
export function databaseType(db: DatabaseSpec): DatabaseType {
  return db.mode === "rds" ? "postgresql" : db.type;
}

/** Settings that only shape an RDS instance: meaningless, so rejected, with an external database. */
const RDS_KEYS = [
  "profile",
  "identifier",
  "instanceClass",
  "engineVersion",
  "allocatedStorage",
  "maxAllocatedStorage",
  "multiAz",
  "backupRetentionDays",
  "performanceInsights",
  "monitoringInterval",
  "backupWindow",
  "maintenanceWindow",
  "parameters",
  "exportPostgresqlLog",
  "logRetentionDays",
  "deletionProtection",
  "kmsKeyArn",
  "snapshotIdentifier",
] as const satisfies readonly (keyof DatabaseOptions)[];

const DATABASE_KEYS = keyList<DatabaseOptions>({
  mode: true,
  createSystemDatabase: true,
  systemDatabaseReady: true,
  external: true,
  profile: true,
  identifier: true,
  instanceClass: true,
  engineVersion: true,
  allocatedStorage: true,
  maxAllocatedStorage: true,
  multiAz: true,
  backupRetentionDays: true,
  performanceInsights: true,
  monitoringInterval: true,
  backupWindow: true,
  maintenanceWindow: true,
  parameters: true,
  exportPostgresqlLog: true,
  logRetentionDays: true,
  deletionProtection: true,
  kmsKeyArn: true,
  snapshotIdentifier: true,
});
const EXTERNAL_KEYS = keyList<ExternalDatabaseOptions>({
  type: true,
  host: true,
  port: true,
  name: true,
  adminUser: true,
  adminPassword: true,
});

/**
 * Applies profile defaults and checks every database setting. `network` is where an RDS instance
 * would live; it is checked (two subnets, two zones) only in `rds` mode.
 */
export function resolveDatabase(
  check: Checker,
  path: string,
  options: DatabaseOptions | undefined,
  network: { path: string; value: NetworkOptions | undefined },
): DatabaseSpec {
  const o = options ?? {};
  check.knownKeys(path, o, DATABASE_KEYS);
  const mode = o.mode ?? "rds";
  check.oneOf(`${path}.mode`, mode, ["rds", "external"]);
  check.boolean(`${path}.createSystemDatabase`, o.createSystemDatabase);
  const createSystemDatabase = o.createSystemDatabase ?? true;
  checkSystemDatabaseReady(check, path, o, mode);
  if (mode === "external") return resolveExternal(check, path, o, createSystemDatabase);
  if (o.external !== undefined)
    check.fail(
      `${path}.external`,
      "is only used with database.mode external",
      'database.mode: "external" or no external block',
    );
  return resolveRds(check, path, o, createSystemDatabase, network);
}

/**
 * A pre-created system database on an RDS instance the package creates cannot exist before the
 * instance does: the user says which of the two `pulumi up` runs this is. A restored snapshot
 * already holds it.
 */
function checkSystemDatabaseReady(check: Checker, path: string, o: DatabaseOptions, mode: string): void {
  check.boolean(`${path}.systemDatabaseReady`, o.systemDatabaseReady);
  const where = `${path}.systemDatabaseReady`;
  if (o.createSystemDatabase !== false) {
    if (o.systemDatabaseReady !== undefined)
      check.fail(
        where,
        "only applies with createSystemDatabase false",
        `no ${where}, or ${path}.createSystemDatabase false`,
      );
    return;
  }
  if (mode === "rds" && o.snapshotIdentifier === undefined && o.systemDatabaseReady === undefined)
    check.fail(
      where,
      "is required with an RDS instance and a pre-created system database: the schema can only be created once the instance exists",
      "false on the first pulumi up (creates the instance and holds the release), then true once DigitalRoute's database tool has run (docs/runbooks/pre-created-database.md)",
    );
}

function resolveExternal(
  check: Checker,
  path: string,
  o: DatabaseOptions,
  createSystemDatabase: boolean,
): ExternalDatabaseSpec {
  checkExternal(check, `${path}.external`, o.external);
  for (const key of RDS_KEYS)
    if (o[key] !== undefined)
      check.fail(`${path}.${key}`, "only shapes an RDS instance", 'database.mode: "rds", or leave it out');
  const e = o.external;
  const type = e?.type ?? "postgresql";
  return {
    mode: "external",
    createSystemDatabase,
    systemDatabaseReady: o.systemDatabaseReady ?? true,
    type,
    host: check.input(`${path}.external.host`, e?.host, DATABASE_HOST) ?? "",
    port: e?.port ?? EXTERNAL_DATABASE_PORTS[type] ?? EXTERNAL_DATABASE_PORTS.postgresql,
    name: e?.name ?? SYSTEM_DATABASE_NAME,
    adminUser: e?.adminUser ?? RDS_ADMIN_USER,
    adminPassword: e?.adminPassword,
  };
}

function resolveRds(
  check: Checker,
  path: string,
  o: DatabaseOptions,
  createSystemDatabase: boolean,
  network: { path: string; value: NetworkOptions | undefined },
): RdsDatabaseSpec {
  const profile = o.profile ?? "dev";
  check.oneOf(`${path}.profile`, profile, ["dev", "prod"]);
  const defaults = DATABASE_PROFILES[profile] ?? DATABASE_PROFILES.dev;
  const resolved: RdsDatabaseSpec = {
    mode: "rds",
    profile,
    createSystemDatabase,
    systemDatabaseReady: o.systemDatabaseReady ?? true,
    identifier: o.identifier,
    instanceClass: o.instanceClass ?? defaults.instanceClass,
    engineVersion: o.engineVersion ?? DEFAULT_ENGINE_VERSION,
    allocatedStorage: o.allocatedStorage ?? defaults.allocatedStorage,
    maxAllocatedStorage: o.maxAllocatedStorage ?? defaults.maxAllocatedStorage,
    multiAz: o.multiAz ?? defaults.multiAz,
    backupRetentionDays: o.backupRetentionDays ?? defaults.backupRetentionDays,
    performanceInsights: o.performanceInsights ?? defaults.performanceInsights,
    monitoringInterval: o.monitoringInterval ?? defaults.monitoringInterval,
    backupWindow: o.backupWindow ?? DEFAULT_BACKUP_WINDOW,
    maintenanceWindow: o.maintenanceWindow ?? DEFAULT_MAINTENANCE_WINDOW,
    parameters: { [FORCE_SSL_PARAMETER]: "1", ...o.parameters },
    postgresqlLogRetentionDays:
      (o.exportPostgresqlLog ?? profile === "prod") ? (o.logRetentionDays ?? 30) : undefined,
    deletionProtection: o.deletionProtection ?? true,
    kmsKeyArn: o.kmsKeyArn,
    performanceInsightsKmsKeyArn: o.kmsKeyArn,
    snapshotIdentifier: o.snapshotIdentifier,
    network: network.value ?? { vpcId: "", subnetIds: [], allowedSecurityGroupIds: [] },
  };
  if (o.identifier !== undefined && check.string(`${path}.identifier`, o.identifier))
    if (o.identifier.length > 63 || !RDS_IDENTIFIER.test(o.identifier))
      check.fail(
        `${path}.identifier`,
        `"${o.identifier}" is not a valid RDS identifier`,
        "1-63 lower-case letters, digits and single hyphens, starting with a letter and not ending with a hyphen",
      );
  check.boolean(`${path}.multiAz`, o.multiAz);
  check.boolean(`${path}.performanceInsights`, o.performanceInsights);
  check.boolean(`${path}.deletionProtection`, o.deletionProtection);
  check.pattern(
    `${path}.instanceClass`,
    resolved.instanceClass,
    INSTANCE_CLASS,
    "an RDS instance class db.<family>.<size> such as db.t4g.medium or db.m7g.large",
  );
  if (check.string(`${path}.engineVersion`, resolved.engineVersion)) {
    const major = ENGINE_VERSION.exec(resolved.engineVersion)?.[1];
    if (!major || !POSTGRES_MAJOR_VERSIONS.some((v) => v === major))
      check.fail(
        `${path}.engineVersion`,
        `"${resolved.engineVersion}" is not valid`,
        `a PostgreSQL version RDS offers: a major version (${POSTGRES_MAJOR_VERSIONS.join(", ")}) or major.minor such as 16.4`,
      );
  }
  checkStorage(check, path, resolved.allocatedStorage, resolved.maxAllocatedStorage);
  check.integer(`${path}.backupRetentionDays`, resolved.backupRetentionDays, 7, 35, "days");
  if (!MONITORING_INTERVALS.some((interval) => interval === resolved.monitoringInterval))
    check.fail(
      `${path}.monitoringInterval`,
      `${JSON.stringify(resolved.monitoringInterval)} is not an enhanced-monitoring interval`,
      `one of ${MONITORING_INTERVALS.join(", ")} seconds`,
    );
  checkWindows(check, path, resolved.backupWindow, resolved.maintenanceWindow);
  checkParameters(check, `${path}.parameters`, o.parameters);
  check.boolean(`${path}.exportPostgresqlLog`, o.exportPostgresqlLog);
  if (o.logRetentionDays !== undefined && !LOG_RETENTION_DAYS.includes(o.logRetentionDays))
    check.fail(
      `${path}.logRetentionDays`,
      `${JSON.stringify(o.logRetentionDays)} is not a CloudWatch Logs retention`,
      `one of ${LOG_RETENTION_DAYS.join(", ")} days`,
    );
  if (o.logRetentionDays !== undefined && resolved.postgresqlLogRetentionDays === undefined)
    check.fail(
      `${path}.logRetentionDays`,
      "is only used when the PostgreSQL log is exported",
      "exportPostgresqlLog: true, or leave it out",
    );
  check.arn(`${path}.kmsKeyArn`, o.kmsKeyArn, "kms", "key/");
  check.pattern(
    `${path}.snapshotIdentifier`,
    o.snapshotIdentifier,
    // AWS Backup names the RDS snapshots it takes `awsbackup:job-<id>`.
    /^(arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:snapshot:)?(awsbackup:)?[a-zA-Z][a-zA-Z0-9]*(-[a-zA-Z0-9]+)*$/,
    "a DB snapshot identifier or ARN: a letter, then letters, digits and single hyphens (AWS Backup's awsbackup:job-<id> too)",
  );
  checkDatabaseNetwork(check, network.path, network.value, resolved.multiAz);
  return resolved;
}

/**
 * Network rules of an RDS instance: a DB subnet group spans at least two Availability Zones (the
 * Multi-AZ standby lives in the second), so two subnets, and two distinct zones where zones are given.
 */
function checkDatabaseNetwork(
  check: Checker,
  path: string,
  network: NetworkOptions | undefined,
  multiAz: boolean,
): void {
  const why = multiAz
    ? "a Multi-AZ instance keeps its standby in a second Availability Zone"
    : "an RDS subnet group must cover two Availability Zones";
  checkNetwork(check, path, network, 2, why);
  const zones = network?.availabilityZones;
  if (Array.isArray(zones) && zones.length >= 2 && new Set(zones).size < 2)
    check.fail(
      `${path}.availabilityZones`,
      `lists only ${zones[0]}`,
      `subnets in at least two Availability Zones (${why})`,
    );
}
