import * as assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import {
  type AlarmedDatabase,
  type ArgumentError,
  BackupPlan,
  DataAlarms,
  type DataAlarmsArgs,
  SharedStorage,
  SystemDatabase,
  type ThroughputMode,
} from "../sdk";
import { alarmsEnabled } from "../sdk/args";
import { shiftClock } from "./clock";
import { assertConstructionRejected, assertRejected, defaultArgs, deploy, NETWORK } from "./fixtures";
import { ofType, one, type Recorded, recorded, resetMocks, resolved, settle } from "./harness";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const TOPIC = "aws:sns/topic:Topic";
const TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy";
const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";
const KEY = "aws:kms/key:Key";
const VAULT_NOTIFICATIONS = "aws:backup/vaultNotifications:VaultNotifications";
const RDS_EVENTS = "aws:rds/eventSubscription:EventSubscription";
const COMPONENT = "usage-engine:index:DataAlarms";
const ACCOUNT_ID = "123456789012";
const GIVEN_TOPIC = "arn:aws:sns:eu-west-1:123456789012:ops-pager";
const CUSTOMER_KEY = "arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
const COPY_VAULT = "arn:aws:backup:eu-central-1:123456789012:backup-vault:uepe-dr";

/** The prod-sized database of the brief: db.m7g.large, 100 GiB growing to 1000 GiB, Multi-AZ. */
const PROD_DB = {
  instanceClass: "db.m7g.large",
  allocatedStorage: 100,
  maxAllocatedStorage: 1000,
  multiAz: true,
};

interface Parts {
  alarms?: DataAlarmsArgs["alarms"];
  database?: Partial<AlarmedDatabase>;
  throughputMode?: ThroughputMode;
  copy?: boolean;
}

/**
 * The real data parts (SystemDatabase, SharedStorage, BackupPlan) under the mocks, with their
 * outputs wired into DataAlarms the way the stack will wire them.
 */
async function withParts(
  parts: Parts = {},
): Promise<{ alarms: DataAlarms; fileSystemId: string | undefined }> {
  const db = new SystemDatabase("uepe-database", {
    database: { profile: "prod" },
    network: NETWORK,
    adminPassword: "correct-horse-battery-staple",
  });
  const throughputMode = parts.throughputMode ?? "elastic";
  const fs = new SharedStorage("uepe-storage", {
    network: NETWORK,
    namespace: "uepe",
    storage: {
      throughputMode,
      provisionedThroughputMibps: throughputMode === "provisioned" ? 64 : undefined,
    },
  });
  const backup = new BackupPlan("uepe-backup", {
    databaseArn: db.arn,
    fileSystemArn: fs.fileSystemArn,
    backup: parts.copy ? { copyToVaultArn: COPY_VAULT } : {},
  });
  const alarms = new DataAlarms("uepe-alarms", {
    alarms: parts.alarms,
    database: { instanceId: db.instanceId, ...PROD_DB, ...parts.database },
    fileSystem: { fileSystemId: fs.fileSystemId, throughputMode },
    backupVault: { vaultName: backup.vaultName, copyEnabled: parts.copy === true },
  });
  await settle();
  return { alarms, fileSystemId: await resolved(fs.fileSystemId) };
}

/** DataAlarms on its own, watching a database given by literal values. */
async function alone(args: Partial<DataAlarmsArgs> = {}, name = "uepe-alarms"): Promise<DataAlarms> {
  const alarms = new DataAlarms(name, {
    database: { instanceId: "uepe-database", ...PROD_DB },
    ...args,
  });
  await settle();
  return alarms;
}

/** The alarm whose logical name ends in `key` (e.g. `db-cpu`). */
function alarm(key: string): Recorded["inputs"] {
  const found = ofType(ALARM).filter((r) => r.name.endsWith(`-${key}`));
  assert.equal(found.length, 1, `expected one alarm *-${key}, found ${found.length}`);
  return found[0].inputs;
}

const alarmKeys = () =>
  ofType(ALARM)
    .map((r) => r.name.replace(/^uepe-alarms-/, ""))
    .sort();

/** The DataAlarms constructor's ArgumentError, with a problem at `path` matching `message`. */
function rejected(args: DataAlarmsArgs, path: string, message: RegExp): Promise<ArgumentError> {
  return assertConstructionRejected(() => new DataAlarms("uepe-alarms", args), path, message);
}

const DB = { instanceId: "uepe-database", ...PROD_DB };

interface Statement {
  Sid: string;
  Effect: string;
  Principal: { Service?: string | string[]; AWS?: string } | string;
  Action: string | string[];
  Resource: string;
  Condition?: Record<string, Record<string, string>>;
}

describe("DataAlarms", () => {
  beforeEach(() => resetMocks());

  describe("database alarms (db.m7g.large, 100 GiB, autoscaling to 1000 GiB)", () => {
    let instance: Recorded;
    let topicArn: unknown;
    beforeEach(async () => {
      await withParts();
      instance = one("aws:rds/instance:Instance");
      topicArn = one(TOPIC).outputs.arn;
    });

    it("watches the instance SystemDatabase created, by the identifier RDS answered", () => {
      assert.equal(typeof instance.outputs.identifier, "string");
      for (const key of ["db-free-storage", "db-cpu", "db-freeable-memory", "db-connections"]) {
        const a = alarm(key);
        assert.equal(a.namespace, "AWS/RDS", key);
        assert.deepEqual(a.dimensions, { DBInstanceIdentifier: instance.outputs.identifier }, key);
      }
    });

    it("free storage: below 10% of the 100 GiB allocated, not of the 1000 GiB limit", () => {
      const a = alarm("db-free-storage");
      assert.equal(a.metricName, "FreeStorageSpace");
      assert.equal(a.statistic, "Minimum");
      assert.equal(a.comparisonOperator, "LessThanThreshold");
      assert.equal(a.threshold, 10737418240);
      // 10% of 1000 GiB (107374182400 bytes) is more than the whole new disk: always in alarm.
      assert.ok((a.threshold as number) < 100 * 1024 ** 3);
    });

    it("CPU: above 80% over three 5-minute periods", () => {
      const a = alarm("db-cpu");
      assert.equal(a.metricName, "CPUUtilization");
      assert.equal(a.statistic, "Average");
      assert.equal(a.comparisonOperator, "GreaterThanThreshold");
      assert.equal(a.threshold, 80);
      assert.equal(a.period, 300);
      assert.equal(a.evaluationPeriods, 3);
    });

    it("freeable memory: below 10% of the class's 8 GiB", () => {
      const a = alarm("db-freeable-memory");
      assert.equal(a.metricName, "FreeableMemory");
      assert.equal(a.comparisonOperator, "LessThanThreshold");
      assert.equal(a.threshold, 858993459);
    });

    it("connections: above 80% of RDS's default max_connections for 8 GiB (901)", () => {
      const a = alarm("db-connections");
      assert.equal(a.metricName, "DatabaseConnections");
      assert.equal(a.statistic, "Maximum");
      assert.equal(a.comparisonOperator, "GreaterThanThreshold");
      assert.equal(a.threshold, 720);
    });

    it("every alarm pages the created topic, says when it is OK again, and ignores missing data", () => {
      assert.equal(typeof topicArn, "string");
      const alarms = ofType(ALARM);
      assert.ok(alarms.length >= 5);
      for (const a of alarms) {
        assert.deepEqual(a.inputs.alarmActions, [topicArn], a.name);
        assert.deepEqual(a.inputs.okActions, [topicArn], a.name);
        assert.equal(a.inputs.treatMissingData, "notBreaching", a.name);
      }
    });

    it("creates no replica-lag alarm: a Multi-AZ standby publishes no ReplicaLag", () => {
      assert.equal(
        ofType(ALARM).filter((r) => r.inputs.metricName === "ReplicaLag").length,
        0,
        "the package creates no read replica",
      );
    });

    it("subscribes the topic to the instance's RDS events, failover included with Multi-AZ", () => {
      const events = one(RDS_EVENTS).inputs;
      assert.equal(events.sourceType, "db-instance");
      assert.deepEqual(events.sourceIds, [instance.outputs.identifier]);
      assert.equal(events.snsTopic, topicArn);
      assert.deepEqual(events.eventCategories, [
        "availability",
        "failover",
        "failure",
        "low storage",
        "maintenance",
        "notification",
      ]);
    });
  });

  describe("thresholds follow the database", () => {
    it("storage without autoscaling: 10% of a 20 GiB disk", async () => {
      await alone({ database: { ...DB, allocatedStorage: 20, maxAllocatedStorage: 0 } });
      assert.equal(alarm("db-free-storage").threshold, 2147483648);
    });

    it("connections below the 5000 cap (db.m7g.2xlarge, 32 GiB: 3604) and at it (db.m7g.4xlarge, 64 GiB)", async () => {
      await alone({ database: { ...DB, instanceClass: "db.m7g.2xlarge" } });
      assert.equal(alarm("db-connections").threshold, 2883);
      resetMocks();
      await alone({ database: { ...DB, instanceClass: "db.m7g.4xlarge" } });
      assert.equal(alarm("db-connections").threshold, 4000);
    });

    it("an r family has twice the memory of the m family (db.r7g.large: 16 GiB)", async () => {
      await alone({ database: { ...DB, instanceClass: "db.r7g.large" } });
      assert.equal(alarm("db-freeable-memory").threshold, 1717986918);
      assert.equal(alarm("db-connections").threshold, 1441);
    });

    it("the smallest class (db.t4g.micro, 1 GiB)", async () => {
      await alone({ database: { ...DB, instanceClass: "db.t4g.micro" } });
      assert.equal(alarm("db-freeable-memory").threshold, 107374182);
      assert.equal(alarm("db-connections").threshold, 89);
    });

    it("max_connections set in the parameter group replaces RDS's default", async () => {
      await alone({ database: { ...DB, maxConnections: 200 } });
      assert.equal(alarm("db-connections").threshold, 160);
    });

    it("takes tuned thresholds, and 0 leaves an alarm out", async () => {
      await alone({
        alarms: {
          cpuThresholdPercent: 90,
          freeStorageThresholdPercent: 20,
          freeableMemoryThresholdPercent: 0,
        },
      });
      assert.equal(alarm("db-cpu").threshold, 90);
      assert.equal(alarm("db-free-storage").threshold, 21474836480);
      assert.deepEqual(alarmKeys(), ["db-connections", "db-cpu", "db-free-storage"]);
    });

    it("a single-AZ instance gets no failover events; an empty category list no subscription", async () => {
      await alone({ database: { ...DB, multiAz: false } });
      assert.ok(!(one(RDS_EVENTS).inputs.eventCategories as string[]).includes("failover"));
      resetMocks();
      await alone({ alarms: { rdsEventCategories: [] } });
      assert.equal(ofType(RDS_EVENTS).length, 0);
    });
  });

  describe("instance classes", () => {
    for (const instanceClass of [
      "db.x2g.large",
      "db.m7g.metal",
      "db.m7g.medium",
      "db.t4g.4xlarge",
      "db.z1d.large",
    ])
      it(`refuses ${instanceClass}, naming database.instanceClass`, async () => {
        await rejected(
          { database: { ...DB, instanceClass } },
          "database.instanceClass",
          /has no known memory size.*expected a class of family t3 or t4g/,
        );
      });

    it("accepts the classes on either side of the table's edges", async () => {
      for (const instanceClass of [
        "db.t3.micro",
        "db.t4g.2xlarge",
        "db.m5.large",
        "db.m7i.48xlarge",
        "db.r8g.16xlarge",
      ])
        assert.doesNotThrow(
          () => new DataAlarms(`a-${instanceClass}`, { database: { ...DB, instanceClass } }),
        );
      await settle();
    });
  });

  describe("EFS", () => {
    it("elastic: the I/O-limit alarm only (no credits to run out of, no fixed ceiling)", async () => {
      const { fileSystemId } = await withParts({ throughputMode: "elastic" });
      assert.match(String(fileSystemId), /^fs-/);
      const efs = ofType(ALARM).filter((r) => r.name.includes("-efs-"));
      assert.deepEqual(
        efs.map((r) => r.name),
        ["uepe-alarms-efs-io-limit"],
      );
      const a = alarm("efs-io-limit");
      assert.equal(a.namespace, "AWS/EFS");
      assert.equal(a.metricName, "PercentIOLimit");
      assert.equal(a.comparisonOperator, "GreaterThanThreshold");
      assert.equal(a.threshold, 90);
      assert.deepEqual(a.dimensions, { FileSystemId: fileSystemId });
    });

    it("bursting: a burst-credit alarm (an hour at 100 MiB/s) and a throughput alarm", async () => {
      const { fileSystemId } = await withParts({ throughputMode: "bursting" });
      const credits = alarm("efs-burst-credits");
      assert.equal(credits.namespace, "AWS/EFS");
      assert.equal(credits.metricName, "BurstCreditBalance");
      assert.equal(credits.statistic, "Minimum");
      assert.equal(credits.comparisonOperator, "LessThanThreshold");
      assert.equal(credits.threshold, 377487360000);
      assert.deepEqual(credits.dimensions, { FileSystemId: fileSystemId });
      alarm("efs-throughput");
    });

    it("provisioned: a throughput alarm of metered I/O against the permitted throughput, no credits", async () => {
      const { fileSystemId } = await withParts({ throughputMode: "provisioned" });
      assert.equal(ofType(ALARM).filter((r) => r.name.endsWith("efs-burst-credits")).length, 0);
      const a = alarm("efs-throughput");
      assert.equal(a.metricName, undefined);
      assert.equal(a.threshold, 80);
      assert.equal(a.comparisonOperator, "GreaterThanThreshold");
      assert.deepEqual(a.metricQueries, [
        {
          id: "metered",
          metric: {
            namespace: "AWS/EFS",
            metricName: "MeteredIOBytes",
            dimensions: { FileSystemId: fileSystemId },
            period: 300,
            stat: "Sum",
          },
          returnData: false,
        },
        {
          id: "permitted",
          metric: {
            namespace: "AWS/EFS",
            metricName: "PermittedThroughput",
            dimensions: { FileSystemId: fileSystemId },
            period: 300,
            stat: "Average",
          },
          returnData: false,
        },
        {
          id: "utilisation",
          expression: "100 * (metered / PERIOD(metered)) / permitted",
          label: "Throughput utilisation (%)",
          returnData: true,
        },
      ]);
    });
  });

  describe("AWS Backup", () => {
    it("sends backup and restore job results of the vault BackupPlan created; no copy events without copies", async () => {
      await withParts();
      const notifications = one(VAULT_NOTIFICATIONS).inputs;
      assert.equal(notifications.backupVaultName, one("aws:backup/vault:Vault").outputs.name);
      assert.equal(notifications.snsTopicArn, one(TOPIC).outputs.arn);
      assert.deepEqual(notifications.backupVaultEvents, ["BACKUP_JOB_COMPLETED", "RESTORE_JOB_COMPLETED"]);
    });

    it("adds COPY_JOB_FAILED when recovery points are copied", async () => {
      await withParts({ copy: true });
      assert.deepEqual(one(VAULT_NOTIFICATIONS).inputs.backupVaultEvents, [
        "BACKUP_JOB_COMPLETED",
        "RESTORE_JOB_COMPLETED",
        "COPY_JOB_FAILED",
      ]);
    });

    it("asks for no deprecated event (AWS Backup accepts them and sends nothing)", async () => {
      await withParts({ copy: true });
      const events = one(VAULT_NOTIFICATIONS).inputs.backupVaultEvents as string[];
      for (const deprecated of [
        "BACKUP_JOB_FAILED",
        "BACKUP_JOB_EXPIRED",
        "RESTORE_JOB_FAILED",
        "BACKUP_JOB_SUCCESSFUL",
      ])
        assert.ok(!events.includes(deprecated), deprecated);
    });

    it("turns off with backupNotifications: false", async () => {
      await alone({
        backupVault: { vaultName: "uepe-vault", copyEnabled: true },
        alarms: { backupNotifications: false },
      });
      assert.equal(ofType(VAULT_NOTIFICATIONS).length, 0);
    });
  });

  describe("topic", () => {
    it("is auto-named, encrypted with a rotating key created for it, and the outputs name it", async () => {
      const component = await alone();
      const topic = one(TOPIC);
      const key = one(KEY);
      assert.equal(topic.inputs.name, undefined, "a fixed name would clash between stacks");
      assert.match(String(topic.outputs.name), /^uepe-alarms-topic-[0-9a-f]{7}$/);
      assert.equal(topic.inputs.kmsMasterKeyId, key.outputs.arn);
      assert.equal(key.inputs.enableKeyRotation, true);
      assert.equal(await resolved(component.topicArn), topic.outputs.arn);
    });

    it("lets exactly CloudWatch, AWS Backup and RDS events publish, each for this account only", async () => {
      await alone();
      const topicArn = one(TOPIC).outputs.arn;
      const policy = one(TOPIC_POLICY).inputs;
      assert.equal(policy.arn, topicArn);
      const statements = JSON.parse(String(policy.policy)).Statement as Statement[];
      const allows = statements.filter((s) => s.Effect === "Allow");
      assert.deepEqual(
        allows.map((s) => (typeof s.Principal === "string" ? s.Principal : s.Principal.Service)).sort(),
        ["backup.amazonaws.com", "cloudwatch.amazonaws.com", "events.rds.amazonaws.com"],
      );
      for (const s of allows) {
        assert.equal(s.Action, "sns:Publish");
        assert.equal(s.Resource, topicArn);
        assert.deepEqual(s.Condition, { StringEquals: { "aws:SourceAccount": ACCOUNT_ID } });
      }
      const deny = statements.find((s) => s.Effect === "Deny");
      assert.deepEqual(deny?.Condition, { Bool: { "aws:SecureTransport": "false" } });
    });

    it("its key lets the account administer it and the three publishers encrypt", async () => {
      await alone();
      const statements = JSON.parse(String(one(KEY).inputs.policy)).Statement as Statement[];
      assert.deepEqual(statements[0].Principal, { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` });
      assert.deepEqual(statements[1].Principal, {
        Service: ["cloudwatch.amazonaws.com", "backup.amazonaws.com", "events.rds.amazonaws.com"],
      });
      assert.deepEqual(statements[1].Action, ["kms:Decrypt", "kms:GenerateDataKey*"]);
    });

    it("uses a given customer managed key and creates none", async () => {
      await alone({ alarms: { kmsKeyArn: CUSTOMER_KEY } });
      assert.equal(ofType(KEY).length, 0);
      assert.equal(one(TOPIC).inputs.kmsMasterKeyId, CUSTOMER_KEY);
    });

    it("subscribes each e-mail address, named by address so reordering changes nothing", async () => {
      await alone({ alarms: { emails: ["ops@example.com", "dba@example.com"] } });
      const first = ofType(SUBSCRIPTION).map((r) => [r.urn, r.inputs.endpoint]);
      assert.equal(first.length, 2);
      for (const s of ofType(SUBSCRIPTION)) {
        assert.equal(s.inputs.protocol, "email");
        assert.equal(s.inputs.topic, one(TOPIC).outputs.arn);
      }
      resetMocks();
      await alone({ alarms: { emails: ["dba@example.com", "ops@example.com"] } });
      const second = ofType(SUBSCRIPTION).map((r) => [r.urn, r.inputs.endpoint]);
      assert.deepEqual(new Map(second as [string, string][]), new Map(first as [string, string][]));
    });

    it("a given topic ARN: no topic, key, policy or subscription, and every action goes there", async () => {
      const component = await alone({
        alarms: { topicArn: GIVEN_TOPIC },
        fileSystem: { fileSystemId: "fs-0123456789abcdef0", throughputMode: "bursting" },
        backupVault: { vaultName: "uepe-vault", copyEnabled: false },
      });
      for (const type of [TOPIC, KEY, TOPIC_POLICY, SUBSCRIPTION]) assert.equal(ofType(type).length, 0, type);
      for (const a of ofType(ALARM)) {
        assert.deepEqual(a.inputs.alarmActions, [GIVEN_TOPIC], a.name);
        assert.deepEqual(a.inputs.okActions, [GIVEN_TOPIC], a.name);
      }
      assert.equal(one(RDS_EVENTS).inputs.snsTopic, GIVEN_TOPIC);
      assert.equal(one(VAULT_NOTIFICATIONS).inputs.snsTopicArn, GIVEN_TOPIC);
      assert.equal(await resolved(component.topicArn), GIVEN_TOPIC);
    });

    it("RDS and AWS Backup subscribe only once the topic policy lets them publish", async () => {
      await alone({ backupVault: { vaultName: "uepe-vault", copyEnabled: false } });
      const policy = one(TOPIC_POLICY).urn;
      assert.ok(one(RDS_EVENTS).dependencies.includes(policy));
      assert.ok(one(VAULT_NOTIFICATIONS).dependencies.includes(policy));
    });
  });

  describe("refusals (before anything is registered)", () => {
    it("e-mails with a given topic", async () => {
      await rejected(
        { database: DB, alarms: { topicArn: GIVEN_TOPIC, emails: ["ops@example.com"] } },
        "alarms.emails",
        /only applies to a topic the component creates/,
      );
    });

    it("a key with a given topic", async () => {
      await rejected(
        { database: DB, alarms: { topicArn: GIVEN_TOPIC, kmsKeyArn: CUSTOMER_KEY } },
        "alarms.kmsKeyArn",
        /only applies to a topic the component creates/,
      );
    });

    it("the AWS managed SNS key, which CloudWatch cannot publish through", async () => {
      for (const kmsKeyArn of ["alias/aws/sns", "arn:aws:kms:eu-west-1:123456789012:alias/aws/sns"]) {
        resetMocks();
        await rejected({ database: DB, alarms: { kmsKeyArn } }, "alarms.kmsKeyArn", /AWS managed SNS key/);
      }
    });

    it("enabled: false, and nothing to watch", async () => {
      await rejected({ database: DB, alarms: { enabled: false } }, "alarms.enabled", /is false/);
      await rejected({}, "(args)", /names nothing to watch/);
    });

    it("thresholds out of range on either side", async () => {
      await rejected(
        { database: DB, alarms: { cpuThresholdPercent: 101 } },
        "alarms.cpuThresholdPercent",
        /out of range/,
      );
      await rejected(
        { database: DB, alarms: { cpuThresholdPercent: -1 } },
        "alarms.cpuThresholdPercent",
        /out of range/,
      );
      await rejected(
        { database: DB, alarms: { freeStorageThresholdPercent: 100 } },
        "alarms.freeStorageThresholdPercent",
        /from 0 to 99/,
      );
    });

    it("reports every problem of one call together", async () => {
      const error = await rejected(
        {
          database: { ...DB, instanceClass: "db.x2g.large" },
          fileSystem: { fileSystemId: "fs-0123456789abcdef0", throughputMode: "max" as ThroughputMode },
          alarms: { emails: ["not-an-address"], rdsEventCategories: ["outage" as "failure"] },
        },
        "database.instanceClass",
        /has no known memory size/,
      );
      assert.deepEqual(error.problems.map((p) => p.path).sort(), [
        "alarms.emails[0]",
        "alarms.rdsEventCategories[0]",
        "database.instanceClass",
        "fileSystem.throughputMode",
      ]);
    });
  });

  describe("alarmsEnabled", () => {
    it("off with the dev profile, on with prod, and an explicit enabled wins either way", () => {
      assert.equal(alarmsEnabled(undefined, "dev"), false);
      assert.equal(alarmsEnabled({}, "dev"), false);
      assert.equal(alarmsEnabled(undefined, "prod"), true);
      assert.equal(alarmsEnabled({ emails: ["ops@example.com"] }, "prod"), true);
      assert.equal(alarmsEnabled({ enabled: true }, "dev"), true);
      assert.equal(alarmsEnabled({ enabled: false }, "prod"), false);
    });
  });

  describe("names and resources", () => {
    it("no two alarms share a name, in one component or two in one account", async () => {
      await alone(
        { fileSystem: { fileSystemId: "fs-0123456789abcdef0", throughputMode: "bursting" } },
        "uepe-a-alarms",
      );
      await alone(
        { fileSystem: { fileSystemId: "fs-0fedcba9876543210", throughputMode: "bursting" } },
        "uepe-b-alarms",
      );
      const names = ofType(ALARM).map((r) => r.outputs.name);
      assert.equal(names.length, 14);
      assert.equal(new Set(names).size, names.length);
      for (const a of ofType(ALARM)) {
        assert.equal(a.inputs.name, undefined, `${a.name} sets a fixed name`);
        assert.match(String(a.outputs.name), new RegExp(`^${a.name}-[0-9a-f]{7}$`));
      }
    });

    it("the model refuses a second alarm of the same name, as a clash would be in AWS", async () => {
      const args = { name: "uepe-cpu", comparisonOperator: "GreaterThanThreshold", evaluationPeriods: 1 };
      new aws.cloudwatch.MetricAlarm("first", args);
      const second = new aws.cloudwatch.MetricAlarm("second", args);
      const urn = (second.urn as unknown as { promise(): Promise<string> }).promise();
      await assert.rejects(urn, /an alarm named uepe-cpu already exists/);
      await settle();
      assert.deepEqual(
        ofType(ALARM).map((r) => r.name),
        ["first"],
      );
    });

    it("alarmNames lists every alarm's generated name", async () => {
      const component = await alone();
      assert.deepEqual(
        [...(await resolved(component.alarmNames))].sort(),
        ofType(ALARM)
          .map((r) => String(r.outputs.name))
          .sort(),
      );
    });

    it("every child is parented to the component and every taggable resource is tagged", async () => {
      await alone({
        alarms: { emails: ["ops@example.com"] },
        fileSystem: { fileSystemId: "fs-0123456789abcdef0", throughputMode: "bursting" },
        backupVault: { vaultName: "uepe-vault", copyEnabled: true },
        tags: { team: "billing" },
      });
      const component = one(COMPONENT);
      const children = recorded.filter((r) => r !== component);
      assert.equal(children.length, 13);
      for (const r of children) assert.equal(r.parent, component.urn, `${r.type} ${r.name}`);
      for (const type of [TOPIC, KEY, ALARM, RDS_EVENTS])
        for (const r of ofType(type))
          assert.deepEqual(
            r.inputs.tags,
            { "managed-by": "pulumi-usage-engine", Name: "uepe-alarms-alarms", team: "billing" },
            `${r.type} ${r.name}`,
          );
    });
  });

  describe("zero churn", () => {
    /** What the engine compares between two deployments, per URN. */
    const registrations = () =>
      Object.fromEntries(
        recorded.map((r) => [
          r.urn,
          JSON.stringify({ inputs: r.raw, parent: r.parent, dependencies: [...r.dependencies].sort() }),
        ]),
      );
    const evaluate = async () => {
      resetMocks();
      await withParts({
        throughputMode: "bursting",
        copy: true,
        alarms: { emails: ["ops@example.com", "dba@example.com"] },
      });
      return registrations();
    };

    it("a second evaluation, a year and a half later, registers identical inputs", async () => {
      const first = await evaluate();
      const restore = shiftClock(550);
      let second: Record<string, string>;
      try {
        second = await evaluate();
      } finally {
        restore();
      }
      assert.ok(Object.keys(first).filter((urn) => urn.includes("uepe-alarms")).length >= 14);
      assert.deepEqual(second, first);
    });
  });
});

describe("DataAlarms inside the stack", () => {
  beforeEach(() => resetMocks());

  const alarmsOf = () => ofType(ALARM).filter((a) => a.name.startsWith("uepe-alarms-"));
  const metric = (name: string) => {
    const found = alarmsOf().filter((a) => a.inputs.metricName === name);
    assert.equal(found.length, 1, `expected one ${name} alarm`);
    return found[0];
  };

  it("a prod stack alarms on its own instance and file system, sized from the prod profile", async () => {
    const stack = await deploy(defaultArgs({ database: { profile: "prod" } }));
    const instance = one("aws:rds/instance:Instance");
    const fileSystemId = await resolved(stack.fileSystemId);
    assert.match(fileSystemId, /^fs-[0-9a-f]{17}$/);
    const topic = one(TOPIC).outputs.arn;
    for (const name of ["FreeStorageSpace", "CPUUtilization", "FreeableMemory", "DatabaseConnections"])
      assert.deepEqual(metric(name).inputs.dimensions, { DBInstanceIdentifier: instance.outputs.identifier });
    assert.deepEqual(metric("PercentIOLimit").inputs.dimensions, { FileSystemId: fileSystemId });
    // db.m7g.large, 100 GiB: 10 % of 100 GiB, 10 % of 8 GiB, 80 % of LEAST(8 GiB / 9531392, 5000) = 901.
    assert.equal(metric("FreeStorageSpace").inputs.threshold, 10737418240);
    assert.equal(metric("FreeableMemory").inputs.threshold, 858993459);
    assert.equal(metric("DatabaseConnections").inputs.threshold, 720);
    assert.equal(metric("CPUUtilization").inputs.threshold, 80);
    for (const alarm of alarmsOf()) {
      assert.deepEqual(alarm.inputs.alarmActions, [topic]);
      assert.deepEqual(alarm.inputs.okActions, [topic]);
      assert.equal(alarm.inputs.treatMissingData, "notBreaching");
    }
    const notifications = one(VAULT_NOTIFICATIONS).inputs;
    assert.equal(notifications.backupVaultName, one("aws:backup/vault:Vault").outputs.name);
    assert.deepEqual(notifications.backupVaultEvents, ["BACKUP_JOB_COMPLETED", "RESTORE_JOB_COMPLETED"]);
    assert.deepEqual(one(RDS_EVENTS).inputs.sourceIds, [instance.outputs.identifier]);
  });

  it("a dev stack creates no alarm, topic or notification unless alarms.enabled is true", async () => {
    await deploy(defaultArgs());
    assert.equal(ofType(ALARM).length + ofType(TOPIC).length + ofType(VAULT_NOTIFICATIONS).length, 0);
    resetMocks();
    await deploy(defaultArgs({ alarms: { enabled: true } }));
    assert.equal(alarmsOf().length, 5);
    assert.equal(ofType(TOPIC).length, 1);
  });

  it("explicit enabled: false turns them off on prod", async () => {
    await deploy(defaultArgs({ database: { profile: "prod" }, alarms: { enabled: false } }));
    assert.equal(ofType(ALARM).length, 0);
  });

  it("a given topic ARN is used and no topic is created", async () => {
    const stack = await deploy(
      defaultArgs({ database: { profile: "prod" }, alarms: { topicArn: GIVEN_TOPIC } }),
    );
    assert.equal(ofType(TOPIC).length, 0);
    for (const alarm of alarmsOf()) assert.deepEqual(alarm.inputs.alarmActions, [GIVEN_TOPIC]);
    assert.equal(await resolved(stack.alarmTopicArn), GIVEN_TOPIC);
    assert.equal((await resolved(stack.alarmNames)).length, alarmsOf().length);
  });

  it("refuses, before registering anything, a prod class whose memory the thresholds cannot derive", async () => {
    await assertRejected(
      defaultArgs({ database: { profile: "prod", instanceClass: "db.x2iedn.xlarge" } }),
      "database.instanceClass",
      /no known memory size/,
    );
    resetMocks();
    await deploy(defaultArgs({ database: { profile: "prod", instanceClass: "db.r7g.xlarge" } }));
    assert.equal(metric("FreeableMemory").inputs.threshold, 3435973836);
  });

  it("refuses alarms on a stack that creates nothing to watch", async () => {
    await assertRejected(
      defaultArgs({
        network: undefined,
        database: {
          mode: "external",
          external: { type: "postgresql", host: "db.example.com", adminPassword: "Admin-Pass-1" },
        },
        storage: { mode: "none" },
        backup: { enabled: false },
        alarms: { enabled: true },
      }),
      "alarms.enabled",
      /creates nothing to watch/,
    );
  });
});
