import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  type DatabaseOptions,
  ENHANCED_MONITORING_POLICY_ARN,
  type NetworkOptions,
  RDS_ADMIN_USER,
  type RdsDatabaseSpec,
  resolveDatabase,
  type Tags,
  Validated,
} from "./args";
import { checkTags } from "./args/network";
import { deployTarget, serviceTrustPolicy } from "./awsIdentity";
import { nameSuffix, suffixed } from "./names";
import { ingressSecurityGroup, withTags } from "./network";
import { Checker, DATABASE_PASSWORD } from "./validation";

/** SystemDatabase's arguments after resolution. */
export interface SystemDatabaseSpec {
  database: RdsDatabaseSpec;
  adminPassword: pulumi.Input<string>;
  tags: Tags;
  /** Pulumi's `protect` on the instance. */
  protect: boolean;
}

/** Resolves a SystemDatabase used on its own, through the stack's own database resolver. */
export function resolveSystemDatabaseArgs(args: SystemDatabaseArgs): SystemDatabaseSpec {
  const check = new Checker("SystemDatabase");
  const db = resolveDatabase(check, "database", args.database, { path: "network", value: args.network });
  if (db.mode !== "rds")
    check.fail("database.mode", `"${db.mode}" creates nothing`, '"rds" (SystemDatabase creates RDS only)');
  checkTags(check, "tags", args.tags);
  check.required("adminPassword", args.adminPassword, "the master password (secret)");
  check.boolean("protect", args.protect);
  const adminPassword = check.input("adminPassword", args.adminPassword, DATABASE_PASSWORD);
  check.throwIfAny();
  if (db.mode !== "rds") throw new Error("unreachable: a non-RDS database was reported above");
  return { database: db, adminPassword, tags: args.tags ?? {}, protect: args.protect ?? true };
}

export interface SystemDatabaseArgs {
  /** Database settings; `mode` must be `rds` (the only mode that creates resources). Default: RDS with the `dev` profile. */
  database?: DatabaseOptions;
  /** VPC, private subnets (at least 2 AZs) and the security groups allowed to connect. */
  network: NetworkOptions;
  /** Master password (secret), normally from SystemCredentials. */
  adminPassword: pulumi.Input<string>;
  /** Tags on every AWS resource. Default: none beyond `managed-by` and `Name`. */
  tags?: Tags;
  /**
   * Pulumi's `protect` on the RDS instance: `pulumi up` refuses to replace it and `pulumi destroy`
   * to delete it until `pulumi state unprotect` is run. Default: true.
   */
  protect?: boolean;
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

/** The instance's physical names. */
export interface DatabaseNames {
  /** RDS instance identifier. */
  identifier: pulumi.Input<string>;
  /** The snapshot RDS takes when the instance is deleted. */
  finalSnapshotIdentifier: pulumi.Input<string>;
}

/**
 * The given identifier, or `<base>-<suffix>`; the final snapshot `<base>-final-<suffix>` either
 * way, so no two instances (nor two lives of one given identifier) leave snapshots of one name.
 * Both fit RDS's 63 characters; the suffix is lower-case hex, so both stay valid identifiers.
 */
export function databaseNames(
  base: string,
  given: string | undefined,
  suffix: pulumi.Output<string>,
): DatabaseNames {
  return {
    identifier: given ?? suffix.apply((s) => suffixed(base, s, 63)),
    finalSnapshotIdentifier: suffix.apply((s) => suffixed(base, `final-${s}`, 63)),
  };
}

/** `16.4` -> `16`. */
export function majorVersion(engineVersion: string): string {
  return engineVersion.split(".")[0];
}

/**
 * RDS PostgreSQL for the UEPE system database: a subnet group over the private subnets, a
 * security group admitting 5432 only from the allowed groups, a parameter group that forces TLS,
 * and an encrypted, private, deletion-protected instance that leaves a final snapshot.
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
  /** Name of the snapshot RDS takes when the instance is deleted. */
  public readonly finalSnapshotIdentifier: pulumi.Output<string>;
  /** The RDS instance, to wire further resources to (alarms, proxies, read replicas). */
  public readonly instance: aws.rds.Instance;
  /** Id of the security group that admits PostgreSQL clients to the instance. */
  public readonly securityGroupId: pulumi.Output<string>;

  constructor(
    name: string,
    args: SystemDatabaseArgs | Validated<SystemDatabaseSpec>,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    const {
      database: db,
      adminPassword,
      tags: userTags,
      protect,
    } = args instanceof Validated ? args.spec : resolveSystemDatabaseArgs(args);
    super("usage-engine:index:SystemDatabase", name, {}, opts);

    // What every name of the database starts with: the given identifier, or one made of the name.
    const base = db.identifier ?? rdsIdentifier(name);
    const names = databaseNames(
      base,
      db.identifier,
      // A restore replaces the instance: new names let the new instance exist beside the old one.
      nameSuffix(name, this, {
        identifier: db.identifier ?? "",
        snapshotIdentifier: db.snapshotIdentifier ?? "",
      }),
    );
    const tags = withTags(userTags, base);
    // Prefixes, not names: the provider appends a unique suffix, so two stacks never ask for one group.
    const subnetGroup = new aws.rds.SubnetGroup(
      `${name}-subnets`,
      {
        namePrefix: `${base}-`,
        subnetIds: db.network.subnetIds,
        description: "UEPE system database subnets",
        tags,
      },
      { parent: this },
    );
    const securityGroup = ingressSecurityGroup(
      `${name}-sg`,
      {
        vpcId: db.network.vpcId,
        port: 5432,
        description: "UEPE system database (PostgreSQL)",
        sourceSecurityGroupIds: db.network.allowedSecurityGroupIds,
        tags,
      },
      this,
    );
    const parameterGroup = new aws.rds.ParameterGroup(
      `${name}-parameters`,
      parameterGroupArgs(base, db, tags),
      { parent: this },
    );
    const monitoring = db.monitoringInterval > 0 ? monitoringRole(name, tags, this) : undefined;
    const logGroup = postgresqlLogGroup(name, names.identifier, db, tags, this);
    const instance = new aws.rds.Instance(
      `${name}-instance`,
      databaseInstanceArgs(names, db, {
        subnetGroupName: subnetGroup.name,
        securityGroupId: securityGroup.id,
        parameterGroupName: parameterGroup.name,
        monitoringRoleArn: monitoring?.arn,
        adminPassword,
        tags,
      }),
      {
        parent: this,
        dependsOn: [...(monitoring ? [monitoring.attachment] : []), ...(logGroup ? [logGroup] : [])],
        protect,
      },
    );
    this.instance = instance;
    this.securityGroupId = securityGroup.id;
    this.address = instance.address;
    this.port = instance.port;
    this.endpoint = instance.endpoint;
    this.instanceId = instance.identifier;
    this.arn = instance.arn;
    this.adminUser = instance.username;
    this.finalSnapshotIdentifier = instance.finalSnapshotIdentifier.apply((id) => id ?? "");
    this.registerOutputs({
      address: this.address,
      port: this.port,
      endpoint: this.endpoint,
      instanceId: this.instanceId,
      arn: this.arn,
      adminUser: this.adminUser,
      finalSnapshotIdentifier: this.finalSnapshotIdentifier,
      instance: this.instance,
      securityGroupId: this.securityGroupId,
    });
  }
}

/**
 * One parameter group per major version: its name carries the major version, so an engine upgrade
 * creates the new group before the instance moves to it, and the old one is deleted afterwards.
 * The name is a prefix the provider makes unique. Parameters apply at the next reboot, which is
 * safe for static and dynamic parameters alike.
 */
export function parameterGroupArgs(
  base: string,
  db: RdsDatabaseSpec,
  tags: Tags,
): aws.rds.ParameterGroupArgs {
  const major = majorVersion(db.engineVersion);
  return {
    namePrefix: `${base}-postgres${major}-`,
    family: `postgres${major}`,
    description: `UEPE system database, PostgreSQL ${major}: TLS required`,
    parameters: Object.keys(db.parameters)
      .sort()
      .map((parameter) => ({
        name: parameter,
        value: db.parameters[parameter],
        applyMethod: "pending-reboot",
      })),
    tags,
  };
}

/** The CloudWatch Logs group RDS exports an instance's PostgreSQL log to. */
export function postgresqlLogGroupName(identifier: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.interpolate`/aws/rds/instance/${identifier}/postgresql`;
}

/**
 * The PostgreSQL log's group, created before the instance: RDS would otherwise create it on the
 * first export, keeping the log forever, and a group created afterwards would collide with it.
 */
function postgresqlLogGroup(
  name: string,
  identifier: pulumi.Input<string>,
  db: RdsDatabaseSpec,
  tags: Tags,
  parent: pulumi.Resource,
): aws.cloudwatch.LogGroup | undefined {
  if (db.postgresqlLogRetentionDays === undefined) return undefined;
  return new aws.cloudwatch.LogGroup(
    `${name}-postgresql-log`,
    { name: postgresqlLogGroupName(identifier), retentionInDays: db.postgresqlLogRetentionDays, tags },
    { parent },
  );
}

/** The IAM role RDS assumes to publish enhanced-monitoring metrics. */
function monitoringRole(
  name: string,
  tags: Tags,
  parent: pulumi.Resource,
): { arn: pulumi.Output<string>; attachment: aws.iam.RolePolicyAttachment } {
  const role = new aws.iam.Role(
    `${name}-monitoring`,
    {
      description: "RDS enhanced monitoring of the UEPE system database",
      // Enhanced monitoring says which instance it acts for: any instance of this account and region
      // (the role exists before the instance, whose identifier may not be known yet).
      assumeRolePolicy: deployTarget(parent).apply((t) =>
        serviceTrustPolicy("monitoring.rds.amazonaws.com", t.account, {
          sourceArn: `arn:${t.partition}:rds:${t.region}:${t.account}:db:*`,
        }),
      ),
      tags,
    },
    { parent },
  );
  const attachment = new aws.iam.RolePolicyAttachment(
    `${name}-monitoring-policy`,
    { role: role.name, policyArn: ENHANCED_MONITORING_POLICY_ARN },
    { parent },
  );
  return { arn: role.arn, attachment };
}

interface InstanceWiring {
  subnetGroupName: pulumi.Input<string>;
  securityGroupId: pulumi.Input<string>;
  parameterGroupName: pulumi.Input<string>;
  monitoringRoleArn?: pulumi.Input<string>;
  adminPassword: pulumi.Input<string>;
  tags: Tags;
}

/** The RDS instance's arguments: every data-keeping default in one place. */
export function databaseInstanceArgs(
  names: DatabaseNames,
  db: RdsDatabaseSpec,
  wiring: InstanceWiring,
): aws.rds.InstanceArgs {
  const restoring = db.snapshotIdentifier !== undefined;
  return {
    identifier: names.identifier,
    engine: "postgres",
    engineVersion: db.engineVersion,
    // Moving to a new major version is an explicit change of engineVersion; allow it to apply.
    allowMajorVersionUpgrade: true,
    autoMinorVersionUpgrade: true,
    instanceClass: db.instanceClass,
    allocatedStorage: db.allocatedStorage,
    maxAllocatedStorage: db.maxAllocatedStorage,
    storageType: "gp3",
    storageEncrypted: true,
    kmsKeyId: db.kmsKeyArn,
    multiAz: db.multiAz,
    // A restored instance keeps the snapshot's master user; naming one would force a replacement.
    username: restoring ? undefined : RDS_ADMIN_USER,
    password: pulumi.secret(wiring.adminPassword),
    dbSubnetGroupName: wiring.subnetGroupName,
    vpcSecurityGroupIds: [wiring.securityGroupId],
    parameterGroupName: wiring.parameterGroupName,
    publiclyAccessible: false,
    deletionProtection: db.deletionProtection,
    skipFinalSnapshot: false,
    finalSnapshotIdentifier: names.finalSnapshotIdentifier,
    deleteAutomatedBackups: false,
    backupRetentionPeriod: db.backupRetentionDays,
    backupWindow: db.backupWindow,
    maintenanceWindow: db.maintenanceWindow,
    copyTagsToSnapshot: true,
    performanceInsightsEnabled: db.performanceInsights,
    performanceInsightsRetentionPeriod: db.performanceInsights ? 7 : undefined,
    performanceInsightsKmsKeyId: db.performanceInsights ? db.performanceInsightsKmsKeyArn : undefined,
    enabledCloudwatchLogsExports: db.postgresqlLogRetentionDays === undefined ? undefined : ["postgresql"],
    monitoringInterval: db.monitoringInterval,
    monitoringRoleArn: wiring.monitoringRoleArn,
    snapshotIdentifier: db.snapshotIdentifier,
    tags: wiring.tags,
  };
}
