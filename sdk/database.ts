import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { DatabaseType } from "./chart";
import {
  checkNetwork,
  checkTags,
  ingressSecurityGroup,
  type NetworkOptions,
  type Tags,
  withTags,
} from "./network";
import { Checker } from "./validation";

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
  /** Host name of the database server. */
  host: pulumi.Input<string>;
  /** Port. Default: 5432 (postgresql), 1521 (oracle), 30015 (saphana). */
  port?: number;
  /** Name of the system database. Default: `mz`. */
  name?: string;
  /** Administrator user the chart creates the system database with. Default: `postgres`. */
  adminUser?: string;
  /** Administrator password (secret). Default: generated, which only works if you set it on the server. */
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
  /** RDS instance class. Default: `db.t4g.medium` (dev), `db.m7g.large` (prod). */
  instanceClass?: string;
  /** PostgreSQL engine version (major, or major.minor). Default: `16`. */
  engineVersion?: string;
  /** Allocated storage in GiB. Default: 20 (dev), 100 (prod). */
  allocatedStorage?: number;
  /** Upper limit for storage autoscaling in GiB. Default: 100 (dev), 1000 (prod). */
  maxAllocatedStorage?: number;
  /** Run a standby in a second AZ. Default: false (dev), true (prod). */
  multiAz?: boolean;
  /** Days automated backups (point-in-time recovery) are kept, 7-35. Default: 7 (dev), 14 (prod). */
  backupRetentionDays?: number;
  /** Refuse deletion of the instance. Default: true. */
  deletionProtection?: boolean;
  /** KMS key for storage encryption. Default: the AWS managed `aws/rds` key. */
  kmsKeyArn?: pulumi.Input<string>;
  /** Create the instance from this DB snapshot (restore). Default: none. */
  snapshotIdentifier?: string;
  /** The database to use when `mode` is `external`. */
  external?: ExternalDatabaseOptions;
}

export interface SystemDatabaseArgs {
  /** Database settings (only `mode: rds` creates resources). */
  database?: DatabaseOptions;
  /** VPC, private subnets and the security groups allowed to connect. */
  network: NetworkOptions;
  /** Master password (secret), normally from SystemCredentials. */
  adminPassword: pulumi.Input<string>;
  /** Tags on every AWS resource. */
  tags?: Tags;
}

/** The settings of one sizing profile. */
export interface ProfileDefaults {
  instanceClass: string;
  allocatedStorage: number;
  maxAllocatedStorage: number;
  multiAz: boolean;
  backupRetentionDays: number;
}

export const DATABASE_PROFILES: Record<DatabaseProfile, ProfileDefaults> = {
  dev: {
    instanceClass: "db.t4g.medium",
    allocatedStorage: 20,
    maxAllocatedStorage: 100,
    multiAz: false,
    backupRetentionDays: 7,
  },
  prod: {
    instanceClass: "db.m7g.large",
    allocatedStorage: 100,
    maxAllocatedStorage: 1000,
    multiAz: true,
    backupRetentionDays: 14,
  },
};

export const DEFAULT_ENGINE_VERSION = "16";
export const RDS_ADMIN_USER = "postgres";
export const SYSTEM_DATABASE_NAME = "mz";

/** Database settings with every default applied. */
export interface ResolvedDatabase extends ProfileDefaults {
  mode: DatabaseMode;
  profile: DatabaseProfile;
  createSystemDatabase: boolean;
  engineVersion: string;
  deletionProtection: boolean;
  kmsKeyArn?: pulumi.Input<string>;
  snapshotIdentifier?: string;
  external?: ExternalDatabaseOptions;
}

const DATABASE_KEYS = [
  "mode",
  "profile",
  "createSystemDatabase",
  "instanceClass",
  "engineVersion",
  "allocatedStorage",
  "maxAllocatedStorage",
  "multiAz",
  "backupRetentionDays",
  "deletionProtection",
  "kmsKeyArn",
  "snapshotIdentifier",
  "external",
];

function checkExternal(check: Checker, path: string, external: ExternalDatabaseOptions | undefined): void {
  if (!check.required(path, external, "{ type, host, ... } when database.mode is external")) return;
  if (!check.knownKeys(path, external, ["type", "host", "port", "name", "adminUser", "adminPassword"]))
    return;
  if (check.required(`${path}.type`, external.type, "postgresql, oracle or saphana"))
    check.oneOf(`${path}.type`, external.type, ["postgresql", "oracle", "saphana"]);
  if (check.required(`${path}.host`, external.host, "the database host name"))
    check.string(`${path}.host`, external.host);
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

/** Applies profile defaults and checks every database setting. */
export function resolveDatabase(
  check: Checker,
  path: string,
  options: DatabaseOptions | undefined,
): ResolvedDatabase {
  const o = options ?? {};
  check.knownKeys(path, o, DATABASE_KEYS);
  const mode = o.mode ?? "rds";
  const profile = o.profile ?? "dev";
  check.oneOf(`${path}.mode`, mode, ["rds", "external"]);
  check.oneOf(`${path}.profile`, profile, ["dev", "prod"]);
  const defaults = DATABASE_PROFILES[profile] ?? DATABASE_PROFILES.dev;
  const resolved: ResolvedDatabase = {
    mode,
    profile,
    createSystemDatabase: o.createSystemDatabase ?? true,
    instanceClass: o.instanceClass ?? defaults.instanceClass,
    engineVersion: o.engineVersion ?? DEFAULT_ENGINE_VERSION,
    allocatedStorage: o.allocatedStorage ?? defaults.allocatedStorage,
    maxAllocatedStorage: o.maxAllocatedStorage ?? defaults.maxAllocatedStorage,
    multiAz: o.multiAz ?? defaults.multiAz,
    backupRetentionDays: o.backupRetentionDays ?? defaults.backupRetentionDays,
    deletionProtection: o.deletionProtection ?? true,
    kmsKeyArn: o.kmsKeyArn,
    snapshotIdentifier: o.snapshotIdentifier,
    external: o.external,
  };
  check.boolean(`${path}.createSystemDatabase`, o.createSystemDatabase);
  check.boolean(`${path}.multiAz`, o.multiAz);
  check.boolean(`${path}.deletionProtection`, o.deletionProtection);
  check.pattern(
    `${path}.instanceClass`,
    resolved.instanceClass,
    /^db\.[a-z0-9]+\.[a-z0-9]+$/,
    "an RDS instance class such as db.t4g.medium",
  );
  check.pattern(
    `${path}.engineVersion`,
    resolved.engineVersion,
    /^\d{2}(\.\d+)?$/,
    "a PostgreSQL version such as 16 or 16.4",
  );
  if (check.integer(`${path}.allocatedStorage`, resolved.allocatedStorage, 20, 65536, "GiB"))
    if (check.integer(`${path}.maxAllocatedStorage`, resolved.maxAllocatedStorage, 20, 65536, "GiB"))
      if (resolved.maxAllocatedStorage < resolved.allocatedStorage)
        check.fail(
          `${path}.maxAllocatedStorage`,
          `${resolved.maxAllocatedStorage} is below allocatedStorage (${resolved.allocatedStorage})`,
          "a limit at least as large as allocatedStorage",
        );
  check.integer(`${path}.backupRetentionDays`, resolved.backupRetentionDays, 7, 35, "days");
  check.arn(`${path}.kmsKeyArn`, o.kmsKeyArn, "kms", "key/");
  check.pattern(
    `${path}.snapshotIdentifier`,
    o.snapshotIdentifier,
    /^(arn:aws[a-z-]*:rds:[a-z0-9-]+:\d{12}:snapshot:)?[a-zA-Z][a-zA-Z0-9]*(-[a-zA-Z0-9]+)*$/,
    "a DB snapshot identifier or ARN: a letter, then letters, digits and single hyphens",
  );
  if (mode === "external") checkExternal(check, `${path}.external`, o.external);
  else if (o.external !== undefined)
    check.fail(
      `${path}.external`,
      "is only used with database.mode external",
      'database.mode: "external" or no external block',
    );
  return resolved;
}

/** RDS identifiers: lower-case letters, digits and single hyphens, starting with a letter, at most 63. */
export function rdsIdentifier(name: string): string {
  const cleaned = name
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")
    .replace(/-+/g, "-")
    .replace(/^[^a-z]+/, "")
    .replace(/-$/, "");
  return (cleaned || "uepe-db").slice(0, 63).replace(/-$/, "");
}

/**
 * RDS PostgreSQL for the UEPE system database: a subnet group over the private subnets, a
 * security group admitting 5432 only from the allowed groups, and an encrypted, private,
 * deletion-protected instance that leaves a final snapshot.
 */
export class SystemDatabase extends pulumi.ComponentResource {
  /** Host name of the instance. */
  public readonly address: pulumi.Output<string>;
  /** Port of the instance. */
  public readonly port: pulumi.Output<number>;
  /** `host:port` of the instance. */
  public readonly endpoint: pulumi.Output<string>;
  /** RDS instance identifier. */
  public readonly instanceId: pulumi.Output<string>;
  /** ARN of the instance (selected by AWS Backup). */
  public readonly arn: pulumi.Output<string>;
  /** Master user name. */
  public readonly adminUser: pulumi.Output<string>;

  constructor(name: string, args: SystemDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    const check = new Checker("SystemDatabase");
    const db = resolveDatabase(check, "database", args.database);
    checkNetwork(check, "network", args.network);
    checkTags(check, "tags", args.tags);
    check.required("adminPassword", args.adminPassword, "the master password (secret)");
    check.throwIfAny();
    super("usage-engine:index:SystemDatabase", name, {}, opts);

    const identifier = rdsIdentifier(name);
    const tags = withTags(args.tags, identifier);
    const subnetGroup = new aws.rds.SubnetGroup(
      `${name}-subnets`,
      {
        name: identifier,
        subnetIds: args.network.subnetIds,
        description: "UEPE system database subnets",
        tags,
      },
      { parent: this },
    );
    const securityGroup = ingressSecurityGroup(
      `${name}-sg`,
      {
        vpcId: args.network.vpcId,
        port: 5432,
        description: "UEPE system database (PostgreSQL)",
        sourceSecurityGroupIds: args.network.allowedSecurityGroupIds,
        tags,
      },
      this,
    );
    const instance = new aws.rds.Instance(
      `${name}-instance`,
      databaseInstanceArgs(identifier, db, {
        subnetGroupName: subnetGroup.name,
        securityGroupId: securityGroup.id,
        adminPassword: args.adminPassword,
        tags,
      }),
      { parent: this },
    );
    this.address = instance.address;
    this.port = instance.port;
    this.endpoint = instance.endpoint;
    this.instanceId = instance.identifier;
    this.arn = instance.arn;
    this.adminUser = instance.username;
    this.registerOutputs({ endpoint: this.endpoint, instanceId: this.instanceId, arn: this.arn });
  }
}

interface InstanceWiring {
  subnetGroupName: pulumi.Input<string>;
  securityGroupId: pulumi.Input<string>;
  adminPassword: pulumi.Input<string>;
  tags: Tags;
}

/** The RDS instance's arguments: every data-keeping default in one place. */
export function databaseInstanceArgs(
  identifier: string,
  db: ResolvedDatabase,
  wiring: InstanceWiring,
): aws.rds.InstanceArgs {
  return {
    identifier,
    engine: "postgres",
    engineVersion: db.engineVersion,
    instanceClass: db.instanceClass,
    allocatedStorage: db.allocatedStorage,
    maxAllocatedStorage: db.maxAllocatedStorage,
    storageType: "gp3",
    storageEncrypted: true,
    kmsKeyId: db.kmsKeyArn,
    multiAz: db.multiAz,
    username: RDS_ADMIN_USER,
    password: pulumi.secret(wiring.adminPassword),
    dbSubnetGroupName: wiring.subnetGroupName,
    vpcSecurityGroupIds: [wiring.securityGroupId],
    publiclyAccessible: false,
    deletionProtection: db.deletionProtection,
    skipFinalSnapshot: false,
    finalSnapshotIdentifier: `${identifier}-final`,
    backupRetentionPeriod: db.backupRetentionDays,
    copyTagsToSnapshot: true,
    autoMinorVersionUpgrade: true,
    snapshotIdentifier: db.snapshotIdentifier,
    tags: wiring.tags,
  };
}
