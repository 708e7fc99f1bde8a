import type * as pulumi from "@pulumi/pulumi";
import type { Checker } from "../validation";
import type { DatabaseProfile } from "./database";
import { keyList } from "./keys";

/** RDS event categories of the `db-instance` source type. */
export const RdsEventCategory = {
  Availability: "availability",
  Backup: "backup",
  ConfigurationChange: "configuration change",
  Creation: "creation",
  Deletion: "deletion",
  Failover: "failover",
  Failure: "failure",
  LowStorage: "low storage",
  Maintenance: "maintenance",
  Notification: "notification",
  ReadReplica: "read replica",
  Recovery: "recovery",
  Restoration: "restoration",
  Security: "security",
  SecurityPatching: "security patching",
} as const;
export type RdsEventCategory = (typeof RdsEventCategory)[keyof typeof RdsEventCategory];

/** CloudWatch alarms and event notifications on the data services: RDS, EFS and AWS Backup. */
export interface AlarmsOptions {
  /** Create the alarms, their SNS topic and the event notifications. Default: true with the `prod` database profile, false with `dev`. */
  enabled?: boolean;
  /**
   * ARN of an existing SNS topic, in the stack's account and region (AWS Backup does not notify
   * across accounts), that every alarm and notification publishes to; no topic is then created.
   * Its access policy must let `cloudwatch.amazonaws.com`, `backup.amazonaws.com` and
   * `events.rds.amazonaws.com` publish, and a KMS key encrypting it must let them use it
   * (`kms:GenerateDataKey*`, `kms:Decrypt`). Default: a topic created for the alarms.
   */
  topicArn?: pulumi.Input<string>;
  /**
   * E-mail addresses subscribed to the created topic; each confirms from the mail AWS sends.
   * Refused with `topicArn`: subscribe to your own topic there. Default: none.
   */
  emails?: string[];
  /**
   * KMS key that encrypts the created topic; its key policy must let `cloudwatch.amazonaws.com`,
   * `backup.amazonaws.com` and `events.rds.amazonaws.com` use it (`kms:GenerateDataKey*`,
   * `kms:Decrypt`). The AWS managed `alias/aws/sns` is refused: its key policy cannot grant them
   * that, so no alarm would ever be delivered. Refused with `topicArn`. Default: a customer
   * managed key created for the topic, rotation on, granting exactly those three services.
   */
  kmsKeyArn?: pulumi.Input<string>;
  /** Database CPUUtilization (%) above which, for 15 minutes, an alarm fires; 0 turns it off. Default: 80. */
  cpuThresholdPercent?: number;
  /**
   * Database FreeStorageSpace, as % of `allocatedStorage`, below which, for 15 minutes, an alarm
   * fires; 0 turns it off. With storage autoscaling the disk grows when less than 10% is free,
   * so the alarm fires when autoscaling cannot keep up or has reached `maxAllocatedStorage`.
   * Default: 10.
   */
  freeStorageThresholdPercent?: number;
  /** Database FreeableMemory, as % of the instance class's memory, below which, for 15 minutes, an alarm fires; 0 turns it off. Default: 10. */
  freeableMemoryThresholdPercent?: number;
  /**
   * Database connections, as % of `max_connections` (RDS's default for the class unless the
   * database says otherwise), above which, for 15 minutes, an alarm fires; 0 turns it off. Default: 80.
   */
  connectionsThresholdPercent?: number;
  /** EFS PercentIOLimit above which, for 15 minutes, an alarm fires; 0 turns it off. Default: 90. */
  efsIoLimitThresholdPercent?: number;
  /**
   * EFS throughput used, as % of the permitted throughput, above which, for 15 minutes, an alarm
   * fires (bursting and provisioned throughput only); 0 turns it off. Default: 80.
   */
  efsThroughputThresholdPercent?: number;
  /**
   * With bursting EFS throughput: alarm when the burst credits left would last less than this
   * many minutes at 100 MiB/s, the burst rate of a file system storing under 1 TiB; 0 turns it
   * off. Default: 60.
   */
  efsBurstCreditMinutes?: number;
  /**
   * RDS event categories of the instance sent to the topic; an empty list creates no event
   * subscription. Default: `availability`, `failure`, `low storage`, `maintenance`,
   * `notification`, and `failover` with a Multi-AZ instance.
   */
  rdsEventCategories?: RdsEventCategory[];
  /** Send AWS Backup job results of the vault (and failed copies) to the topic. Default: true. */
  backupNotifications?: boolean;
}

/** Alarm settings with every default applied. */
export interface AlarmSettings {
  topicArn?: pulumi.Input<string>;
  emails: string[];
  kmsKeyArn?: pulumi.Input<string>;
  cpuThresholdPercent: number;
  freeStorageThresholdPercent: number;
  freeableMemoryThresholdPercent: number;
  connectionsThresholdPercent: number;
  efsIoLimitThresholdPercent: number;
  efsThroughputThresholdPercent: number;
  efsBurstCreditMinutes: number;
  rdsEventCategories?: RdsEventCategory[];
  backupNotifications: boolean;
}

/** Alarms after resolution: off, or on with every setting. */
export type AlarmsSpec = { enabled: false } | ({ enabled: true } & AlarmSettings);

const ALARMS_KEYS = keyList<AlarmsOptions>({
  enabled: true,
  topicArn: true,
  emails: true,
  kmsKeyArn: true,
  cpuThresholdPercent: true,
  freeStorageThresholdPercent: true,
  freeableMemoryThresholdPercent: true,
  connectionsThresholdPercent: true,
  efsIoLimitThresholdPercent: true,
  efsThroughputThresholdPercent: true,
  efsBurstCreditMinutes: true,
  rdsEventCategories: true,
  backupNotifications: true,
});
/** The AWS managed SNS key, by alias or alias ARN. */
const AWS_MANAGED_SNS_KEY = /(^|:)alias\/aws\/sns$/;
/** Whether alarms are created: as given, else on with the `prod` profile and off with `dev`. */
export function alarmsEnabled(
  options: AlarmsOptions | undefined,
  profile: DatabaseProfile | undefined,
): boolean {
  return options?.enabled ?? profile === "prod";
}

/**
 * Applies defaults and checks every alarm setting. `enabledByDefault` is what `enabled` means when
 * not given (the stack: on with the `prod` database profile).
 */
export function resolveAlarms(
  check: Checker,
  path: string,
  options: AlarmsOptions | undefined,
  enabledByDefault: boolean,
): AlarmsSpec {
  const o = options ?? {};
  check.knownKeys(path, o, ALARMS_KEYS);
  const resolved: AlarmSettings = {
    topicArn: o.topicArn,
    emails: o.emails ?? [],
    kmsKeyArn: o.kmsKeyArn,
    cpuThresholdPercent: o.cpuThresholdPercent ?? 80,
    freeStorageThresholdPercent: o.freeStorageThresholdPercent ?? 10,
    freeableMemoryThresholdPercent: o.freeableMemoryThresholdPercent ?? 10,
    connectionsThresholdPercent: o.connectionsThresholdPercent ?? 80,
    efsIoLimitThresholdPercent: o.efsIoLimitThresholdPercent ?? 90,
    efsThroughputThresholdPercent: o.efsThroughputThresholdPercent ?? 80,
    efsBurstCreditMinutes: o.efsBurstCreditMinutes ?? 60,
    rdsEventCategories: o.rdsEventCategories,
    backupNotifications: o.backupNotifications ?? true,
  };
  check.boolean(`${path}.enabled`, o.enabled);
  check.boolean(`${path}.backupNotifications`, o.backupNotifications);
  check.arn(`${path}.topicArn`, o.topicArn, "sns");
  if (check.list(`${path}.emails`, o.emails))
    o.emails.forEach((email, i) => {
      check.email(`${path}.emails[${i}]`, email);
    });
  if (typeof o.kmsKeyArn === "string" && AWS_MANAGED_SNS_KEY.test(o.kmsKeyArn))
    check.fail(
      `${path}.kmsKeyArn`,
      "is the AWS managed SNS key, whose key policy cannot let CloudWatch, AWS Backup and RDS encrypt with it: they could not publish",
      "a customer managed key ARN, or leave it out for a key created for the topic",
    );
  else check.arn(`${path}.kmsKeyArn`, o.kmsKeyArn, "kms", "key/");
  if (o.topicArn !== undefined)
    for (const key of ["emails", "kmsKeyArn"] as const)
      if (o[key] !== undefined)
        check.fail(
          `${path}.${key}`,
          "only applies to a topic the component creates, and topicArn is given",
          "no topicArn, or configure your topic yourself",
        );
  const percent = (key: keyof AlarmsOptions, max: number) =>
    check.integer(`${path}.${key}`, o[key], 0, max, "percent (0 turns the alarm off)");
  percent("cpuThresholdPercent", 100);
  percent("freeStorageThresholdPercent", 99);
  percent("freeableMemoryThresholdPercent", 99);
  percent("connectionsThresholdPercent", 100);
  percent("efsIoLimitThresholdPercent", 100);
  percent("efsThroughputThresholdPercent", 100);
  check.integer(
    `${path}.efsBurstCreditMinutes`,
    o.efsBurstCreditMinutes,
    0,
    10080,
    "minutes (0 turns it off)",
  );
  if (check.list(`${path}.rdsEventCategories`, o.rdsEventCategories))
    o.rdsEventCategories.forEach((category, i) => {
      check.oneOf(`${path}.rdsEventCategories[${i}]`, category, Object.values(RdsEventCategory));
    });
  return (o.enabled ?? enabledByDefault) === true ? { enabled: true, ...resolved } : { enabled: false };
}

/** Sizes of the burstable classes (t3, t4g) and their memory in GiB. */
const BURSTABLE_MEMORY_GIB = new Map([
  ["micro", 1],
  ["small", 2],
  ["medium", 4],
  ["large", 8],
  ["xlarge", 16],
  ["2xlarge", 32],
]);
/** Memory per vCPU of the general purpose (m) and memory optimized (r) families. */
const GIB_PER_VCPU: Record<string, number> = { m: 4, r: 8 };
const BURSTABLE_CLASS = /^db\.(t3|t4g)\.([a-z0-9]+)$/;
/** m5-m8 and r5-r8, with the Graviton, Intel, local-disk, EBS-optimized and network variants. */
const SIZED_CLASS = /^db\.([mr])[5-8](g|gd|i|id|in|idn|b|d)?\.(large|xlarge|(2|4|8|12|16|24|32|48)xlarge)$/;

/**
 * Memory of an RDS instance class in GiB, derived from family and size: t3/t4g from micro (1) to
 * 2xlarge (32); m families 4 GiB per vCPU and r families 8 (large has 2 vCPUs, xlarge 4,
 * Nxlarge 4N). Undefined for a class outside these families, or a metal size.
 */
export function instanceClassMemoryGiB(instanceClass: string): number | undefined {
  const burstable = BURSTABLE_CLASS.exec(instanceClass);
  if (burstable) return BURSTABLE_MEMORY_GIB.get(burstable[2]);
  const sized = SIZED_CLASS.exec(instanceClass);
  if (!sized) return undefined;
  const size = sized[3];
  const vcpus = size === "large" ? 2 : size === "xlarge" ? 4 : 4 * Number(size.slice(0, -"xlarge".length));
  return vcpus * GIB_PER_VCPU[sized[1]];
}
