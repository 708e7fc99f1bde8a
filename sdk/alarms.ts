import { createHash } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  type AlarmSettings,
  type AlarmsOptions,
  instanceClassMemoryGiB,
  keyList,
  resolveAlarms,
  type Tags,
  type ThroughputMode,
  Validated,
} from "./args";
import { checkTags } from "./args/network";
import { withTags } from "./network";
import { Checker } from "./validation";

/** The RDS instance to watch: the values SystemDatabase was created with, after defaults. */
export interface AlarmedDatabase {
  /** RDS instance identifier (SystemDatabase `instanceId`): the alarms' DBInstanceIdentifier and the event source. */
  instanceId: pulumi.Input<string>;
  /**
   * Instance class such as `db.m7g.large`: its memory sizes the FreeableMemory and
   * DatabaseConnections thresholds. Families t3, t4g, m5-m8 and r5-r8 are known; any other class
   * is refused.
   */
  instanceClass: string;
  /** Allocated storage in GiB: the FreeStorageSpace threshold is a share of it. */
  allocatedStorage: number;
  /** Storage autoscaling limit in GiB, 0 when autoscaling is off. */
  maxAllocatedStorage: number;
  /**
   * Whether the instance has a Multi-AZ standby: adds the `failover` event category. The standby
   * publishes no ReplicaLag (only read replicas do, and the package creates none), so there is
   * no replica-lag alarm.
   */
  multiAz: boolean;
  /** Database engine; only RDS PostgreSQL's `max_connections` default is known. Default: `postgres`. */
  engine?: "postgres";
  /**
   * `max_connections` when the parameter group sets a number. Default: RDS PostgreSQL's
   * `LEAST(DBInstanceClassMemory/9531392, 5000)` for the class.
   */
  maxConnections?: number;
}

/** The EFS file system to watch (SharedStorage's). */
export interface AlarmedFileSystem {
  /** EFS file system id (SharedStorage `fileSystemId`): the alarms' FileSystemId. */
  fileSystemId: pulumi.Input<string>;
  /** The file system's throughput mode: decides the burst-credit and throughput alarms. */
  throughputMode: ThroughputMode;
}

/** The AWS Backup vault whose job results are sent (BackupPlan's). */
export interface AlarmedBackupVault {
  /** Backup vault name (BackupPlan `vaultName`). */
  vaultName: pulumi.Input<string>;
  /** Whether the plan copies recovery points to a second vault: adds failed-copy notifications. */
  copyEnabled: boolean;
}

/** DataAlarms' arguments after resolution. */
export interface DataAlarmsSpec {
  alarms: AlarmSettings;
  database?: AlarmedDatabase;
  fileSystem?: AlarmedFileSystem;
  backupVault?: AlarmedBackupVault;
  tags: Tags;
}

const DATA_ALARMS_KEYS = keyList<DataAlarmsArgs>({
  alarms: true,
  database: true,
  fileSystem: true,
  backupVault: true,
  tags: true,
});

/** Resolves a DataAlarms used on its own, through the stack's own alarm resolver. */
export function resolveDataAlarmsArgs(args: DataAlarmsArgs): DataAlarmsSpec {
  const check = new Checker("DataAlarms");
  check.knownKeys("", args, DATA_ALARMS_KEYS);
  const alarms = resolveAlarms(check, "alarms", args.alarms, true);
  if (!alarms.enabled)
    check.fail("alarms.enabled", "is false: a DataAlarms would alarm on nothing", "true, or no DataAlarms");
  checkDatabase(check, "database", args.database);
  checkFileSystem(check, "fileSystem", args.fileSystem);
  checkBackupVault(check, "backupVault", args.backupVault);
  if (args.database === undefined && args.fileSystem === undefined && args.backupVault === undefined)
    check.fail("(args)", "names nothing to watch", "at least one of database, fileSystem, backupVault");
  checkTags(check, "tags", args.tags);
  check.throwIfAny();
  if (!alarms.enabled) throw new Error("unreachable: disabled alarms were reported above");
  return {
    alarms,
    database: args.database,
    fileSystem: args.fileSystem,
    backupVault: args.backupVault,
    tags: args.tags ?? {},
  };
}

export interface DataAlarmsArgs {
  /** Topic, recipients and thresholds; `enabled` must not be false. Default: the defaults above. */
  alarms?: AlarmsOptions;
  /** The RDS instance; leave out for an external database (nothing to watch there). Default: none. */
  database?: AlarmedDatabase;
  /** The EFS file system; leave out when storage is not EFS. Default: none. */
  fileSystem?: AlarmedFileSystem;
  /** The backup vault; leave out when backups are off. Default: none. */
  backupVault?: AlarmedBackupVault;
  /** Tags on every AWS resource. Default: none beyond `managed-by` and `Name`. */
  tags?: Tags;
}

const DATABASE_KEYS = keyList<AlarmedDatabase>({
  instanceId: true,
  instanceClass: true,
  allocatedStorage: true,
  maxAllocatedStorage: true,
  multiAz: true,
  engine: true,
  maxConnections: true,
});
const GIB = 1024 ** 3;
const MIB = 1024 ** 2;
/** RDS PostgreSQL's default `max_connections`: LEAST(DBInstanceClassMemory/9531392, 5000). */
const BYTES_PER_CONNECTION = 9531392;
const MAX_DEFAULT_CONNECTIONS = 5000;
/** PostgreSQL's upper bound for `max_connections`. */
const MAX_CONNECTIONS = 262143;
/** Burst rate of an EFS file system storing less than 1 TiB, in bytes per second. */
const EFS_BURST_BYTES_PER_SECOND = 100 * MIB;
/** Every metric alarm looks at 5-minute periods and fires after three in a row: 15 minutes. */
const PERIOD_SECONDS = 300;
const EVALUATION_PERIODS = 3;

/** RDS PostgreSQL's default `max_connections` for a class with this much memory. */
export function defaultMaxConnections(memoryGiB: number): number {
  return Math.min(Math.floor((memoryGiB * GIB) / BYTES_PER_CONNECTION), MAX_DEFAULT_CONNECTIONS);
}

function checkDatabase(check: Checker, path: string, db: AlarmedDatabase | undefined): void {
  if (!check.knownKeys(path, db, DATABASE_KEYS)) return;
  check.required(`${path}.instanceId`, db.instanceId, "the RDS instance identifier");
  if (check.required(`${path}.instanceClass`, db.instanceClass, "an RDS instance class such as db.m7g.large"))
    if (check.string(`${path}.instanceClass`, db.instanceClass) && !instanceClassMemoryGiB(db.instanceClass))
      check.fail(
        `${path}.instanceClass`,
        `"${db.instanceClass}" has no known memory size, which the memory and connection alarm thresholds derive from`,
        "a class of family t3 or t4g (micro to 2xlarge), or m5-m8 or r5-r8 (large to 48xlarge), or alarms.enabled: false",
      );
  if (check.required(`${path}.allocatedStorage`, db.allocatedStorage, "the allocated storage in GiB"))
    check.integer(`${path}.allocatedStorage`, db.allocatedStorage, 20, 65536, "GiB");
  if (
    check.required(
      `${path}.maxAllocatedStorage`,
      db.maxAllocatedStorage,
      "the autoscaling limit in GiB, or 0",
    )
  )
    check.integer(`${path}.maxAllocatedStorage`, db.maxAllocatedStorage, 0, 65536, "GiB");
  if (check.required(`${path}.multiAz`, db.multiAz, "true or false"))
    check.boolean(`${path}.multiAz`, db.multiAz);
  check.oneOf(`${path}.engine`, db.engine, ["postgres"]);
  check.integer(`${path}.maxConnections`, db.maxConnections, 1, MAX_CONNECTIONS, "connections");
}

function checkFileSystem(check: Checker, path: string, fs: AlarmedFileSystem | undefined): void {
  if (!check.knownKeys(path, fs, keyList<AlarmedFileSystem>({ fileSystemId: true, throughputMode: true })))
    return;
  check.required(`${path}.fileSystemId`, fs.fileSystemId, "the EFS file system id");
  if (check.required(`${path}.throughputMode`, fs.throughputMode, "elastic, bursting or provisioned"))
    check.oneOf(`${path}.throughputMode`, fs.throughputMode, ["elastic", "bursting", "provisioned"]);
}

function checkBackupVault(check: Checker, path: string, vault: AlarmedBackupVault | undefined): void {
  if (!check.knownKeys(path, vault, keyList<AlarmedBackupVault>({ vaultName: true, copyEnabled: true })))
    return;
  check.required(`${path}.vaultName`, vault.vaultName, "the backup vault name");
  if (check.required(`${path}.copyEnabled`, vault.copyEnabled, "true or false"))
    check.boolean(`${path}.copyEnabled`, vault.copyEnabled);
}

/** What one alarm watches, before the topic and tags are added. */
export interface AlarmSpec {
  /** Suffix of the alarm's logical name, unique within the component. */
  key: string;
  args: Omit<aws.cloudwatch.MetricAlarmArgs, "alarmActions" | "okActions" | "tags" | "treatMissingData">;
}

/** A single-metric alarm over three 5-minute periods. */
function metricAlarm(
  key: string,
  namespace: string,
  dimensions: Record<string, pulumi.Input<string>>,
  metric: {
    metricName: string;
    statistic: string;
    comparisonOperator: string;
    threshold: number;
    description: string;
  },
): AlarmSpec {
  return {
    key,
    args: {
      alarmDescription: metric.description,
      namespace,
      metricName: metric.metricName,
      dimensions,
      statistic: metric.statistic,
      period: PERIOD_SECONDS,
      evaluationPeriods: EVALUATION_PERIODS,
      comparisonOperator: metric.comparisonOperator,
      threshold: metric.threshold,
    },
  };
}

/** `part` of `whole`, in whole units rounded down (bytes, connections). */
const share = (whole: number, percent: number) => Math.floor((whole * percent) / 100);

/**
 * The RDS instance's alarms (namespace AWS/RDS, dimension DBInstanceIdentifier); thresholds of 0
 * leave an alarm out. `instanceClass` must be one {@link instanceClassMemoryGiB} knows.
 */
export function databaseAlarms(db: AlarmedDatabase, alarms: AlarmSettings): AlarmSpec[] {
  const dimensions = { DBInstanceIdentifier: db.instanceId };
  const memoryGiB = instanceClassMemoryGiB(db.instanceClass) ?? 0;
  const maxConnections = db.maxConnections ?? defaultMaxConnections(memoryGiB);
  const specs: AlarmSpec[] = [];
  const add = (percent: number, key: string, metric: Parameters<typeof metricAlarm>[3]) => {
    if (percent > 0) specs.push(metricAlarm(key, "AWS/RDS", dimensions, metric));
  };
  // A share of the allocated size, not of maxAllocatedStorage: CloudWatch has no metric of the
  // current size, and a share of the largest size would be in alarm from the start (10% of
  // 1000 GiB is the whole of a new 100 GiB disk). Storage autoscaling grows the disk when less than
  // 10% is free, and it only grows, so this fires when autoscaling cannot keep up or is at its limit.
  add(alarms.freeStorageThresholdPercent, "db-free-storage", {
    metricName: "FreeStorageSpace",
    statistic: "Minimum",
    comparisonOperator: "LessThanThreshold",
    threshold: share(db.allocatedStorage * GIB, alarms.freeStorageThresholdPercent),
    description: `UEPE system database: free storage below ${alarms.freeStorageThresholdPercent}% of ${db.allocatedStorage} GiB for 15 minutes`,
  });
  add(alarms.cpuThresholdPercent, "db-cpu", {
    metricName: "CPUUtilization",
    statistic: "Average",
    comparisonOperator: "GreaterThanThreshold",
    threshold: alarms.cpuThresholdPercent,
    description: `UEPE system database: CPU above ${alarms.cpuThresholdPercent}% for 15 minutes`,
  });
  add(alarms.freeableMemoryThresholdPercent, "db-freeable-memory", {
    metricName: "FreeableMemory",
    statistic: "Average",
    comparisonOperator: "LessThanThreshold",
    threshold: share(memoryGiB * GIB, alarms.freeableMemoryThresholdPercent),
    description: `UEPE system database: freeable memory below ${alarms.freeableMemoryThresholdPercent}% of ${memoryGiB} GiB (${db.instanceClass}) for 15 minutes`,
  });
  // Maximum: running out of connections is about the peaks, which an average hides.
  add(alarms.connectionsThresholdPercent, "db-connections", {
    metricName: "DatabaseConnections",
    statistic: "Maximum",
    comparisonOperator: "GreaterThanThreshold",
    threshold: share(maxConnections, alarms.connectionsThresholdPercent),
    description: `UEPE system database: connections above ${alarms.connectionsThresholdPercent}% of max_connections (${maxConnections}) for 15 minutes`,
  });
  return specs;
}

/**
 * The file system's alarms (namespace AWS/EFS, dimension FileSystemId). PercentIOLimit is
 * published for the General Purpose performance mode, the one SharedStorage creates. Elastic
 * throughput scales with demand and has no credits, so only bursting gets the burst-credit
 * alarm; the throughput alarm compares metered I/O with PermittedThroughput, which with bursting
 * drops to the baseline once the credits are spent and with provisioned throughput is the
 * provisioned rate (with elastic it tracks demand, so the ratio says nothing and is left out).
 */
export function fileSystemAlarms(fs: AlarmedFileSystem, alarms: AlarmSettings): AlarmSpec[] {
  const dimensions = { FileSystemId: fs.fileSystemId };
  const specs: AlarmSpec[] = [];
  if (alarms.efsIoLimitThresholdPercent > 0)
    specs.push(
      metricAlarm("efs-io-limit", "AWS/EFS", dimensions, {
        metricName: "PercentIOLimit",
        statistic: "Average",
        comparisonOperator: "GreaterThanThreshold",
        threshold: alarms.efsIoLimitThresholdPercent,
        description: `UEPE shared storage: I/O above ${alarms.efsIoLimitThresholdPercent}% of the General Purpose limit for 15 minutes`,
      }),
    );
  if (fs.throughputMode === "bursting" && alarms.efsBurstCreditMinutes > 0)
    specs.push(
      metricAlarm("efs-burst-credits", "AWS/EFS", dimensions, {
        metricName: "BurstCreditBalance",
        statistic: "Minimum",
        comparisonOperator: "LessThanThreshold",
        threshold: alarms.efsBurstCreditMinutes * 60 * EFS_BURST_BYTES_PER_SECOND,
        description: `UEPE shared storage: burst credits for less than ${alarms.efsBurstCreditMinutes} minutes at 100 MiB/s`,
      }),
    );
  if (fs.throughputMode !== "elastic" && alarms.efsThroughputThresholdPercent > 0)
    specs.push({
      key: "efs-throughput",
      args: throughputAlarmArgs(dimensions, alarms.efsThroughputThresholdPercent),
    });
  return specs;
}

/** Metered throughput (bytes per second over the period) as a percentage of the permitted throughput. */
function throughputAlarmArgs(
  dimensions: Record<string, pulumi.Input<string>>,
  percent: number,
): AlarmSpec["args"] {
  const metric = (metricName: string, stat: string) => ({
    namespace: "AWS/EFS",
    metricName,
    dimensions,
    period: PERIOD_SECONDS,
    stat,
  });
  return {
    alarmDescription: `UEPE shared storage: throughput above ${percent}% of the permitted throughput for 15 minutes`,
    evaluationPeriods: EVALUATION_PERIODS,
    comparisonOperator: "GreaterThanThreshold",
    threshold: percent,
    metricQueries: [
      { id: "metered", metric: metric("MeteredIOBytes", "Sum"), returnData: false },
      { id: "permitted", metric: metric("PermittedThroughput", "Average"), returnData: false },
      {
        id: "utilisation",
        expression: "100 * (metered / PERIOD(metered)) / permitted",
        label: "Throughput utilisation (%)",
        returnData: true,
      },
    ],
  };
}

/** The instance's RDS event categories: as given, else the defaults (failover only with a standby). */
export function rdsEventCategories(db: AlarmedDatabase, alarms: AlarmSettings): string[] {
  if (alarms.rdsEventCategories) return [...alarms.rdsEventCategories];
  const categories = ["availability", "failure", "low storage", "maintenance", "notification"];
  return db.multiAz ? ["availability", "failover", ...categories.slice(1)] : categories;
}

/**
 * The vault events sent to the topic. BACKUP_JOB_FAILED, BACKUP_JOB_EXPIRED, RESTORE_JOB_FAILED
 * (and the other *_SUCCESSFUL/*_FAILED backup and restore events) are deprecated: AWS Backup
 * accepts them but sends nothing. A failed, aborted or expired backup job is reported as
 * BACKUP_JOB_COMPLETED with its State (FAILED, ABORTED, EXPIRED) in the message, a restore the
 * same way, so those are the events to ask for; successful jobs come too, a daily sign that
 * backups run. Copy jobs still have their own COPY_JOB_FAILED.
 */
export function backupVaultEvents(copyEnabled: boolean): string[] {
  return ["BACKUP_JOB_COMPLETED", "RESTORE_JOB_COMPLETED", ...(copyEnabled ? ["COPY_JOB_FAILED"] : [])];
}

/** The services that publish to the topic: alarms, AWS Backup vault events, RDS events. */
export const TOPIC_PUBLISHERS = [
  "cloudwatch.amazonaws.com",
  "backup.amazonaws.com",
  "events.rds.amazonaws.com",
] as const;

/**
 * The topic's access policy: each publishing service may publish on behalf of this account only
 * (`aws:SourceAccount`, so another account's alarm or vault cannot use the topic), and nothing is
 * published without TLS.
 */
export function topicPolicy(topicArn: string, accountId: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      ...TOPIC_PUBLISHERS.map((service) => ({
        Sid: `Publish-${service.split(".amazonaws.com")[0].replace(/\./g, "-")}`,
        Effect: "Allow",
        Principal: { Service: service },
        Action: "sns:Publish",
        Resource: topicArn,
        Condition: { StringEquals: { "aws:SourceAccount": accountId } },
      })),
      {
        Sid: "DenyPublishWithoutTls",
        Effect: "Deny",
        Principal: "*",
        Action: "sns:Publish",
        Resource: topicArn,
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
    ],
  });
}

/**
 * The topic key's policy: the account administers it through IAM, and the publishing services
 * may encrypt messages with it, which SNS needs to accept their messages on an encrypted topic.
 * The grant to the services is AWS's documented statement, without conditions: the topic policy
 * already limits them to this account, and a key policy cannot narrow which topic uses the key.
 */
export function topicKeyPolicy(accountId: string, partition: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AccountAdministers",
        Effect: "Allow",
        Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
        Action: "kms:*",
        Resource: "*",
      },
      {
        Sid: "PublishersEncrypt",
        Effect: "Allow",
        Principal: { Service: [...TOPIC_PUBLISHERS] },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Resource: "*",
      },
    ],
  });
}

/** Logical name of an e-mail subscription: by address, so reordering the list changes nothing. */
export function emailSubscriptionName(name: string, email: string): string {
  return `${name}-email-${createHash("sha256").update(email).digest("hex").slice(0, 8)}`;
}

/**
 * Alarms and notifications on UEPE's data: CloudWatch alarms on the RDS instance (storage, CPU,
 * memory, connections) and the EFS file system (I/O limit, burst credits, throughput), an RDS
 * event subscription, and AWS Backup vault notifications, all sent to one SNS topic (created,
 * encrypted and locked to this account's services, unless one is given). Alarm and topic names
 * are generated, so two stacks or two instances in one account never clash. Every alarm treats
 * missing data as fine, so a stopped instance does not page.
 */
export class DataAlarms extends pulumi.ComponentResource {
  /** ARN of the topic the alarms and notifications publish to. */
  public readonly topicArn: pulumi.Output<string>;
  /** Names of the CloudWatch alarms. */
  public readonly alarmNames: pulumi.Output<string[]>;

  constructor(
    name: string,
    args: DataAlarmsArgs | Validated<DataAlarmsSpec>,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    const spec = args instanceof Validated ? args.spec : resolveDataAlarmsArgs(args);
    super("usage-engine:index:DataAlarms", name, {}, opts);

    const { alarms } = spec;
    const tags = withTags(spec.tags, `${name}-alarms`);
    const topic =
      alarms.topicArn === undefined
        ? this.createTopic(name, alarms, tags)
        : { arn: pulumi.output(alarms.topicArn), policy: undefined };
    const topicArn = topic.arn;
    const specs = [
      ...(spec.database ? databaseAlarms(spec.database, alarms) : []),
      ...(spec.fileSystem ? fileSystemAlarms(spec.fileSystem, alarms) : []),
    ];
    const metricAlarms = specs.map(
      (spec) =>
        new aws.cloudwatch.MetricAlarm(
          `${name}-${spec.key}`,
          {
            ...spec.args,
            // No data is no trouble: a stopped instance or an idle file system must not page.
            treatMissingData: "notBreaching",
            alarmActions: [topicArn],
            okActions: [topicArn],
            tags,
          },
          { parent: this },
        ),
    );
    // RDS and AWS Backup check that they may publish when the subscription is made.
    const publishable = topic.policy ? { dependsOn: [topic.policy] } : {};
    const categories = spec.database ? rdsEventCategories(spec.database, alarms) : [];
    if (spec.database && categories.length > 0)
      new aws.rds.EventSubscription(
        `${name}-db-events`,
        {
          snsTopic: topicArn,
          sourceType: "db-instance",
          sourceIds: [spec.database.instanceId],
          eventCategories: categories,
          enabled: true,
          tags,
        },
        { parent: this, ...publishable },
      );
    if (spec.backupVault && alarms.backupNotifications)
      new aws.backup.VaultNotifications(
        `${name}-backup-events`,
        {
          backupVaultName: spec.backupVault.vaultName,
          snsTopicArn: topicArn,
          backupVaultEvents: backupVaultEvents(spec.backupVault.copyEnabled),
        },
        { parent: this, ...publishable },
      );
    this.topicArn = topicArn;
    this.alarmNames = pulumi.all(metricAlarms.map((alarm) => alarm.name));
    this.registerOutputs({ topicArn: this.topicArn, alarmNames: this.alarmNames });
  }

  /** The topic, its key (unless given), its access policy and the e-mail subscriptions. */
  private createTopic(
    name: string,
    alarms: AlarmSettings,
    tags: Tags,
  ): { arn: pulumi.Output<string>; policy: aws.sns.TopicPolicy } {
    const identity = aws.getCallerIdentityOutput({}, { parent: this });
    const kmsKeyArn =
      alarms.kmsKeyArn ??
      new aws.kms.Key(
        `${name}-topic-key`,
        {
          description: `Encrypts the UEPE alarm topic of ${name}`,
          enableKeyRotation: true,
          deletionWindowInDays: 7,
          policy: pulumi
            .all([identity.accountId, identity.arn])
            .apply(([account, callerArn]) => topicKeyPolicy(account, callerArn.split(":")[1])),
          tags,
        },
        { parent: this },
      ).arn;
    // No name: the provider generates one, unique per stack and instance.
    const topic = new aws.sns.Topic(`${name}-topic`, { kmsMasterKeyId: kmsKeyArn, tags }, { parent: this });
    const policy = new aws.sns.TopicPolicy(
      `${name}-topic-policy`,
      {
        arn: topic.arn,
        policy: pulumi
          .all([topic.arn, identity.accountId])
          .apply(([arn, account]) => topicPolicy(arn, account)),
      },
      { parent: this },
    );
    for (const email of alarms.emails)
      new aws.sns.TopicSubscription(
        emailSubscriptionName(name, email),
        { topic: topic.arn, protocol: "email", endpoint: email },
        { parent: this },
      );
    return { arn: topic.arn, policy };
  }
}
