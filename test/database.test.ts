import * as assert from "node:assert/strict";
import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type ArgumentError, SystemDatabase, type SystemDatabaseArgs, UsageEngineStack } from "../sdk";
import { assertRejected, defaultArgs, deploy, NETWORK } from "./fixtures";
import {
  at,
  constructedWith,
  isSecretAt,
  ofType,
  one,
  plaintextStrings,
  type Recorded,
  recorded,
  refusalOf,
  resetMocks,
  settle,
} from "./harness";

const INSTANCE = "aws:rds/instance:Instance";
const PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup";
const ROLE = "aws:iam/role:Role";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const KMS_KEY = "arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
const ADMIN_PASSWORD = "Given-Admin-Password-4d1c";

/** A SystemDatabase on its own, as a program embedding only the database would create it. */
async function database(overrides: Partial<SystemDatabaseArgs> = {}): Promise<Recorded> {
  new SystemDatabase("uepe-database", {
    network: NETWORK,
    adminPassword: pulumi.secret(ADMIN_PASSWORD),
    ...overrides,
  });
  await settle();
  return one(INSTANCE);
}

function envSecretsData(): Record<string, string> {
  const secret = ofType("kubernetes:core/v1:Secret").find(
    (s) => at(s.inputs, "metadata.name") === "env-secrets",
  );
  assert.ok(secret, "no env-secrets Secret");
  return at(secret.inputs, "stringData") as Record<string, string>;
}

function releaseValues(): unknown {
  return one("kubernetes:helm.sh/v3:Release", "uepe-release").inputs.values;
}

describe("SystemDatabase", () => {
  beforeEach(() => resetMocks());

  describe("defaults", () => {
    it("is encrypted, private, gp3 with autoscaling, and keeps its backups", async () => {
      const db = (await database()).inputs;
      assert.equal(db.engine, "postgres");
      assert.equal(db.storageEncrypted, true);
      assert.equal(db.publiclyAccessible, false);
      assert.equal(db.storageType, "gp3");
      assert.ok(Number(db.maxAllocatedStorage) >= Math.ceil((Number(db.allocatedStorage) * 11) / 10));
      assert.ok(Number(db.backupRetentionPeriod) >= 7, "automated backups kept less than 7 days");
      assert.equal(db.deleteAutomatedBackups, false);
      assert.equal(db.copyTagsToSnapshot, true);
      assert.equal(db.autoMinorVersionUpgrade, true);
      assert.equal(db.backupWindow, "01:00-01:30");
      assert.equal(db.maintenanceWindow, "sun:05:00-sun:06:00");
      assert.equal(db.username, "postgres");
      assert.ok(isSecretAt(one(INSTANCE).raw, ["password"]), "master password is not secret");
    });

    it("used alone with a plain-string admin password, still hands RDS the password as a secret", async () => {
      let db: Recorded | undefined;
      // The AWS SDK makes an RDS password secret on its own: what the package hands it shows the package's part.
      const [handed] = await constructedWith<aws.rds.InstanceArgs>(
        "@pulumi/aws/rds/instance",
        "Instance",
        async () => {
          db = await database({ adminPassword: "plain-Pass-123" });
        },
      );
      assert.ok(db && handed, "no RDS instance constructed");
      assert.ok(
        pulumi.Output.isInstance(handed.password) && (await pulumi.isSecret(handed.password)),
        "the package hands RDS the plain-string password as a plain string",
      );
      assert.equal(db.inputs.password, "plain-Pass-123");
      assert.ok(isSecretAt(db.raw, ["password"]), "the master password input is not secret");
      assert.ok(
        !plaintextStrings(db.raw).includes("plain-Pass-123"),
        "the password shows in plain text in the RDS inputs",
      );
    });

    it("refuses deletion and leaves a final snapshot whose name does not change between runs", async () => {
      const first = (await database()).inputs;
      assert.equal(first.deletionProtection, true);
      assert.equal(first.skipFinalSnapshot, false);
      assert.match(String(first.identifier), /^uepe-database-[0-9a-f]{8}$/);
      assert.equal(
        first.finalSnapshotIdentifier,
        `uepe-database-final-${String(first.identifier).slice(-8)}`,
      );
      resetMocks();
      const second = (await database()).inputs;
      assert.equal(second.finalSnapshotIdentifier, first.finalSnapshotIdentifier);
      assert.equal(second.identifier, first.identifier);
    });

    it("admits PostgreSQL only from the allowed security groups", async () => {
      await database({
        network: { ...NETWORK, allowedSecurityGroupIds: ["sg-0123456789abcdef0", "sg-0fedcba987654321f"] },
      });
      assert.equal(ofType("aws:ec2/securityGroup:SecurityGroup").length, 1);
      const rules = ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
      assert.deepEqual(
        rules.map((r) => [
          r.inputs.referencedSecurityGroupId,
          r.inputs.fromPort,
          r.inputs.toPort,
          r.inputs.ipProtocol,
        ]),
        [
          ["sg-0123456789abcdef0", 5432, 5432, "tcp"],
          ["sg-0fedcba987654321f", 5432, 5432, "tcp"],
        ],
      );
      const groupId = rules[0].inputs.securityGroupId;
      assert.match(String(groupId), /^sg-[0-9a-f]{17}$/);
      assert.deepEqual(one(INSTANCE).inputs.vpcSecurityGroupIds, [groupId]);
      assert.deepEqual(at(one("aws:rds/subnetGroup:SubnetGroup").inputs, "subnetIds"), NETWORK.subnetIds);
    });
  });

  describe("parameter group", () => {
    it("forces TLS through a group of the instance's major version", async () => {
      const db = (await database()).inputs;
      const group = one(PARAMETER_GROUP);
      assert.equal(group.inputs.family, "postgres16");
      assert.equal(group.inputs.namePrefix, "uepe-database-postgres16-");
      assert.equal(db.parameterGroupName, group.outputs.name);
      assert.deepEqual(group.inputs.parameters, [
        { name: "rds.force_ssl", value: "1", applyMethod: "pending-reboot" },
      ]);
    });

    it("gets a new name with a new major version, so the upgrade creates it before the old one goes", async () => {
      await database();
      const sixteen = one(PARAMETER_GROUP).inputs;
      resetMocks();
      const db = (await database({ database: { engineVersion: "17.2" } })).inputs;
      const seventeen = one(PARAMETER_GROUP).inputs;
      assert.equal(seventeen.family, "postgres17");
      assert.equal(sixteen.namePrefix, "uepe-database-postgres16-");
      assert.equal(seventeen.namePrefix, "uepe-database-postgres17-");
      assert.equal(db.engineVersion, "17.2");
      assert.equal(db.allowMajorVersionUpgrade, true);
    });

    it("takes extra parameters, sorted, and keeps rds.force_ssl on", async () => {
      await database({
        database: { parameters: { "rds.force_ssl": "1", log_min_duration_statement: "500" } },
      });
      assert.deepEqual(
        (one(PARAMETER_GROUP).inputs.parameters as { name: string; value: string }[]).map((p) => [
          p.name,
          p.value,
        ]),
        [
          ["log_min_duration_statement", "500"],
          ["rds.force_ssl", "1"],
        ],
      );
    });

    for (const value of ["0", "false", ""])
      it(`refuses rds.force_ssl "${value}" through database.parameters`, async () => {
        await assertRejected(
          defaultArgs({ database: { parameters: { "rds.force_ssl": value } } }),
          "database.parameters.rds.force_ssl",
          new RegExp(
            `^"${value}" would let clients connect without TLS; expected "1" \\(the default\\), or leave it out`,
          ),
        );
      });
  });

  describe("PostgreSQL log in CloudWatch Logs", () => {
    const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";

    it("prod: exports the log to a group with a retention, created before the instance", async () => {
      const db = await database({ database: { profile: "prod" } });
      assert.deepEqual(db.inputs.enabledCloudwatchLogsExports, ["postgresql"]);
      const group = one(LOG_GROUP);
      assert.match(
        String(group.inputs.name),
        /^\/aws\/rds\/instance\/uepe-database-[0-9a-f]{8}\/postgresql$/,
      );
      assert.equal(group.inputs.retentionInDays, 30);
      assert.equal(at(group.inputs, "tags.managed-by"), "pulumi-usage-engine");
      assert.ok(
        db.dependencies.includes(group.urn),
        "RDS would create the group first, keeping the log forever",
      );
    });

    it("dev: no export unless asked; the retention is yours", async () => {
      const dev = await database();
      assert.equal(dev.inputs.enabledCloudwatchLogsExports, undefined);
      assert.equal(ofType(LOG_GROUP).length, 0);
      resetMocks();
      const db = await database({
        database: { exportPostgresqlLog: true, logRetentionDays: 365, identifier: "uepe-db" },
      });
      assert.deepEqual(db.inputs.enabledCloudwatchLogsExports, ["postgresql"]);
      assert.equal(one(LOG_GROUP).inputs.name, "/aws/rds/instance/uepe-db/postgresql");
      assert.equal(one(LOG_GROUP).inputs.retentionInDays, 365);
      resetMocks();
      const off = await database({ database: { profile: "prod", exportPostgresqlLog: false } });
      assert.equal(off.inputs.enabledCloudwatchLogsExports, undefined);
      assert.equal(ofType(LOG_GROUP).length, 0);
    });

    it("refuses a retention CloudWatch Logs does not offer, or one without the export", async () => {
      await assertRejected(
        defaultArgs({ database: { profile: "prod", logRetentionDays: 45 } }),
        "database.logRetentionDays",
        /^45 is not a CloudWatch Logs retention; expected one of 1, 3, 5, 7, 14, 30, 60/,
      );
      resetMocks();
      await assertRejected(
        defaultArgs({ database: { logRetentionDays: 30 } }),
        "database.logRetentionDays",
        /is only used when the PostgreSQL log is exported/,
      );
    });

    it("AWS refuses a second group of the same name, which RDS makes on the first export, as the mock model does", () => {
      assert.match(String(refusalOf(LOG_GROUP, { name: "g", retentionInDays: 45 })), /not a valid retention/);
      assert.equal(refusalOf(LOG_GROUP, { name: "g", retentionInDays: 30 }), undefined);
      assert.match(
        String(
          refusalOf(INSTANCE, {
            identifier: "x",
            password: "valid-Passw0rd-1234",
            enabledCloudwatchLogsExports: ["error"],
          }),
        ),
        /cannot use the log type error with engine postgres/,
      );
    });
  });

  describe("backup and maintenance windows, through the stack", () => {
    // The maintenance window is weekly, the backup window daily: they may touch, not share a minute.
    const MAINTENANCE = "sun:05:00-sun:06:00";

    for (const backupWindow of ["04:30-05:00", "06:00-06:30"])
      it(`accepts backups ${backupWindow} touching maintenance ${MAINTENANCE}`, async () => {
        await deploy(defaultArgs({ database: { backupWindow, maintenanceWindow: MAINTENANCE } }));
        const db = one(INSTANCE).inputs;
        assert.equal(db.backupWindow, backupWindow);
        assert.equal(db.maintenanceWindow, MAINTENANCE);
      });

    for (const backupWindow of ["04:30-05:01", "05:59-06:30"])
      it(`refuses backups ${backupWindow}, one minute inside maintenance ${MAINTENANCE}`, async () => {
        await assertRejected(
          defaultArgs({ database: { backupWindow, maintenanceWindow: MAINTENANCE } }),
          "database.maintenanceWindow",
          new RegExp(`^"sun:05:00-sun:06:00" overlaps the daily backup window "${backupWindow}"`),
        );
      });
  });

  describe("profiles", () => {
    it("dev: small, single-AZ, no Performance Insights or enhanced monitoring, no monitoring role", async () => {
      const db = (await database({ database: { profile: "dev" } })).inputs;
      assert.deepEqual(
        [db.instanceClass, db.allocatedStorage, db.maxAllocatedStorage, db.multiAz, db.backupRetentionPeriod],
        ["db.t4g.medium", 20, 100, false, 7],
      );
      assert.equal(db.instanceClass, "db.t4g.medium");
      assert.equal(db.performanceInsightsEnabled, false);
      assert.equal(db.monitoringInterval, 0);
      assert.equal(db.monitoringRoleArn, undefined);
      assert.equal(ofType(ROLE).length, 0);
    });

    it("prod: Multi-AZ, larger, Performance Insights and enhanced monitoring with its own role", async () => {
      const db = await database({ database: { profile: "prod" } });
      assert.deepEqual(
        [
          db.inputs.instanceClass,
          db.inputs.allocatedStorage,
          db.inputs.maxAllocatedStorage,
          db.inputs.multiAz,
        ],
        ["db.m7g.large", 100, 1000, true],
      );
      assert.equal(db.inputs.backupRetentionPeriod, 14);
      assert.equal(db.inputs.performanceInsightsEnabled, true);
      assert.equal(db.inputs.performanceInsightsRetentionPeriod, 7);
      assert.equal(db.inputs.monitoringInterval, 60);
      const role = one(ROLE);
      assert.equal(
        JSON.parse(String(role.inputs.assumeRolePolicy)).Statement[0].Principal.Service,
        "monitoring.rds.amazonaws.com",
      );
      assert.equal(db.inputs.monitoringRoleArn, role.outputs.arn);
      const attachment = one(ATTACHMENT);
      assert.equal(
        attachment.inputs.policyArn,
        "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
      );
      assert.ok(db.dependencies.includes(attachment.urn), "instance does not wait for the monitoring policy");
    });

    it("lets every profile value be overridden", async () => {
      const db = (
        await database({
          database: {
            profile: "prod",
            instanceClass: "db.r7g.xlarge",
            allocatedStorage: 200,
            maxAllocatedStorage: 0,
            multiAz: false,
            backupRetentionDays: 35,
            performanceInsights: false,
            monitoringInterval: 15,
            backupWindow: "22:00-22:45",
            maintenanceWindow: "sat:23:00-sun:00:30",
          },
        })
      ).inputs;
      assert.deepEqual(
        [
          db.instanceClass,
          db.allocatedStorage,
          db.maxAllocatedStorage,
          db.multiAz,
          db.backupRetentionPeriod,
          db.performanceInsightsEnabled,
          db.monitoringInterval,
          db.backupWindow,
          db.maintenanceWindow,
        ],
        ["db.r7g.xlarge", 200, 0, false, 35, false, 15, "22:00-22:45", "sat:23:00-sun:00:30"],
      );
    });

    it("encrypts storage and Performance Insights with the given KMS key", async () => {
      const db = (await database({ database: { profile: "prod", kmsKeyArn: KMS_KEY } })).inputs;
      assert.equal(db.kmsKeyId, KMS_KEY);
      assert.equal(db.performanceInsightsKmsKeyId, KMS_KEY);
    });
  });

  describe("restore from a snapshot", () => {
    it("creates the instance from the snapshot, keeps the snapshot's master user, and uses the given identifier", async () => {
      const db = (
        await database({
          database: { snapshotIdentifier: "uepe-database-final", identifier: "uepe-db-restored" },
        })
      ).inputs;
      assert.equal(db.snapshotIdentifier, "uepe-database-final");
      assert.equal(db.identifier, "uepe-db-restored");
      assert.equal(db.username, undefined, "naming a master user would force a replacement");
      assert.equal(db.password, ADMIN_PASSWORD, "the password is still reset to the managed one");
      assert.match(String(db.finalSnapshotIdentifier), /^uepe-db-restored-final-[0-9a-f]{8}$/);
      assert.equal(db.deletionProtection, true);
    });

    it("takes an AWS Backup recovery point of the database plan, by its snapshot ARN", async () => {
      const recoveryPoint =
        "arn:aws:rds:eu-west-1:123456789012:snapshot:awsbackup:job-5f1c2b3a-9d8e-4f70-a1b2-c3d4e5f60718";
      const db = (
        await database({ database: { snapshotIdentifier: recoveryPoint, identifier: "uepe-db-r1" } })
      ).inputs;
      assert.equal(db.snapshotIdentifier, recoveryPoint);
    });
  });

  describe("modes through UsageEngineStack", () => {
    it("rds: the generated admin password is the master password and the chart creates the database", async () => {
      await deploy();
      const data = envSecretsData();
      assert.equal(data.postgresqlPassword, one(INSTANCE).inputs.password);
      assert.equal(at(releaseValues(), "platform.db.createSystemDatabase"), true);
    });

    it("external: the given admin password is the one in env-secrets, under the type's key", async () => {
      await deploy(
        defaultArgs({
          network: undefined,
          storage: { mode: "none" },
          database: {
            mode: "external",
            external: {
              type: "oracle",
              host: "oracle.internal.example.com",
              adminUser: "system",
              adminPassword: pulumi.secret(ADMIN_PASSWORD),
            },
          },
        }),
      );
      assert.equal(ofType(INSTANCE).length, 0);
      const data = envSecretsData();
      assert.equal(data.oraclePassword, ADMIN_PASSWORD);
      assert.equal(data.postgresqlPassword, undefined);
      const secret = ofType("kubernetes:core/v1:Secret").find(
        (s) => at(s.inputs, "metadata.name") === "env-secrets",
      )!;
      assert.ok(isSecretAt(secret.raw, ["stringData", "oraclePassword"]));
      assert.ok(
        !ofType("random:index/randomPassword:RandomPassword").some((r) => r.name.includes("admin")),
        "an admin password was generated although one was given",
      );
      const values = releaseValues();
      assert.equal(at(values, "platform.db.type"), "oracle");
      assert.equal(at(values, "oracle.host"), "oracle.internal.example.com");
      assert.equal(at(values, "oracle.port"), 1521);
      assert.equal(at(values, "oracle.adminUsername"), "system");
      assert.ok(
        !JSON.stringify(values).includes(ADMIN_PASSWORD),
        "the admin password is in the chart values",
      );
    });

    it("external without an admin password while the chart creates the database: refused, naming both places", async () => {
      await assertRejected(
        defaultArgs({
          network: undefined,
          storage: { mode: "none" },
          database: { mode: "external", external: { type: "postgresql", host: "db.internal.example.com" } },
        }),
        "database.external.adminPassword",
        /^is required when the chart creates the system database \(database\.createSystemDatabase true\): it signs in to your database server as postgres, whose password a generated one cannot match; expected the server's administrator password \(secret\) here or as credentials\.passwords\.admin, or database\.createSystemDatabase false/,
      );
    });

    it("external without an admin password and a pre-created database: accepted, nothing to sign in with", async () => {
      await deploy(
        defaultArgs({
          network: undefined,
          storage: { mode: "none" },
          database: {
            mode: "external",
            createSystemDatabase: false,
            external: { type: "postgresql", host: "db.internal.example.com" },
          },
          credentials: { jdbcUser: "mzowner", passwords: { mzowner: pulumi.secret("Owner-Pass-1a2b") } },
        }),
      );
      assert.equal(envSecretsData().postgresqlPassword, undefined);
    });

    it("createSystemDatabase false: no admin password in env-secrets, the chart is told not to create it", async () => {
      await deploy(
        defaultArgs({
          database: { createSystemDatabase: false, systemDatabaseReady: true },
          credentials: { jdbcUser: "mzowner", passwords: { mzowner: pulumi.secret("Owner-Pass-1a2b") } },
        }),
      );
      const data = envSecretsData();
      for (const key of ["postgresqlPassword", "oraclePassword", "saphanaPassword"])
        assert.equal(data[key], undefined, `${key} stored although the database exists`);
      assert.equal(at(releaseValues(), "platform.db.createSystemDatabase"), false);
      assert.ok(String(one(INSTANCE).inputs.password).length >= 16, "RDS still needs a master password");
    });
  });

  describe("bad input, before any resource", () => {
    const cases: [string, Record<string, unknown>, string, RegExp][] = [
      [
        "instance class without db.",
        { instanceClass: "m5.large" },
        "database.instanceClass",
        /"m5\.large" is not valid; expected an RDS instance class/,
      ],
      [
        "unknown instance size",
        { instanceClass: "db.t4g.huge" },
        "database.instanceClass",
        /"db\.t4g\.huge" is not valid/,
      ],
      [
        "engine version RDS does not offer",
        { engineVersion: "12" },
        "database.engineVersion",
        /"12" is not valid; expected a PostgreSQL version RDS offers/,
      ],
      [
        "engine version in words",
        { engineVersion: "sixteen" },
        "database.engineVersion",
        /"sixteen" is not valid/,
      ],
      [
        "storage below the gp3 minimum",
        { allocatedStorage: 10 },
        "database.allocatedStorage",
        /10 is out of range; expected a whole number from 20 to 65536 GiB/,
      ],
      [
        "storage above the maximum",
        { allocatedStorage: 70000 },
        "database.allocatedStorage",
        /70000 is out of range/,
      ],
      [
        "autoscaling limit below the allocation",
        { allocatedStorage: 100, maxAllocatedStorage: 50 },
        "database.maxAllocatedStorage",
        /50 is below allocatedStorage \(100\); expected 0 \(no autoscaling\) or at least 110 GiB/,
      ],
      [
        "autoscaling limit less than 10% above",
        { allocatedStorage: 100, maxAllocatedStorage: 105 },
        "database.maxAllocatedStorage",
        /105 is less than 10% above allocatedStorage \(100\)/,
      ],
      [
        "autoscaling limit above the maximum",
        { maxAllocatedStorage: 70000 },
        "database.maxAllocatedStorage",
        /70000 is out of range/,
      ],
      [
        "retention below 7 days",
        { backupRetentionDays: 3 },
        "database.backupRetentionDays",
        /3 is out of range; expected a whole number from 7 to 35 days/,
      ],
      [
        "retention above 35 days",
        { backupRetentionDays: 36 },
        "database.backupRetentionDays",
        /36 is out of range/,
      ],
      [
        "identifier starting with a digit",
        { identifier: "1uepe" },
        "database.identifier",
        /"1uepe" is not a valid RDS identifier; expected 1-63 lower-case letters/,
      ],
      [
        "identifier with a double hyphen",
        { identifier: "uepe--db" },
        "database.identifier",
        /"uepe--db" is not a valid RDS identifier/,
      ],
      [
        "identifier ending with a hyphen",
        { identifier: "uepe-" },
        "database.identifier",
        /"uepe-" is not a valid RDS identifier/,
      ],
      [
        "identifier in upper case",
        { identifier: "UepeDb" },
        "database.identifier",
        /"UepeDb" is not a valid RDS identifier/,
      ],
      [
        "identifier longer than 63",
        { identifier: `u${"e".repeat(63)}` },
        "database.identifier",
        /is not a valid RDS identifier/,
      ],
      [
        "KMS alias instead of a key ARN",
        { kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:alias/rds" },
        "database.kmsKeyArn",
        /is not a valid KMS ARN; expected an ARN such as arn:aws:kms:/,
      ],
      [
        "KMS key id without ARN",
        { kmsKeyArn: "0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0" },
        "database.kmsKeyArn",
        /is not a valid KMS ARN/,
      ],
      [
        "monitoring interval RDS does not offer",
        { monitoringInterval: 7 },
        "database.monitoringInterval",
        /7 is not an enhanced-monitoring interval; expected one of 0, 1, 5, 10, 15, 30, 60 seconds/,
      ],
      [
        "malformed backup window",
        { backupWindow: "1:00-1:30" },
        "database.backupWindow",
        /"1:00-1:30" is not valid; expected a UTC window "hh24:mi-hh24:mi"/,
      ],
      [
        "backup window under 30 minutes",
        { backupWindow: "01:00-01:15" },
        "database.backupWindow",
        /is 15 minutes long; expected at least 30 minutes/,
      ],
      [
        "malformed maintenance window",
        { maintenanceWindow: "sunday 05:00" },
        "database.maintenanceWindow",
        /is not valid; expected a UTC window "ddd:hh24:mi-ddd:hh24:mi"/,
      ],
      [
        "maintenance overlapping backups",
        { backupWindow: "04:45-05:15", maintenanceWindow: "sun:05:00-sun:06:00" },
        "database.maintenanceWindow",
        /overlaps the daily backup window "04:45-05:15"/,
      ],
      [
        "maintenance across midnight overlapping backups",
        { backupWindow: "00:00-00:30", maintenanceWindow: "sat:23:30-sun:00:15" },
        "database.maintenanceWindow",
        /overlaps the daily backup window/,
      ],
      [
        "parameter name with capitals",
        { parameters: { MaxConnections: "100" } },
        "database.parameters.MaxConnections",
        /is not a PostgreSQL parameter name/,
      ],
      [
        "parameter value that is not a string",
        { parameters: { max_connections: 100 } },
        "database.parameters.max_connections",
        /100 is not a string/,
      ],
      [
        "an AWS Backup snapshot name without its job id",
        { snapshotIdentifier: "awsbackup:" },
        "database.snapshotIdentifier",
        /"awsbackup:" is not valid/,
      ],
      [
        "snapshot identifier starting with a digit",
        { snapshotIdentifier: "1snap" },
        "database.snapshotIdentifier",
        /"1snap" is not valid/,
      ],
      [
        "an RDS setting with an external database",
        {
          mode: "external",
          instanceClass: "db.t4g.medium",
          external: { type: "postgresql", host: "db.example.com" },
        },
        "database.instanceClass",
        /only shapes an RDS instance/,
      ],
      [
        "admin password for a pre-created database",
        {
          mode: "external",
          createSystemDatabase: false,
          external: { type: "postgresql", host: "db.example.com", adminPassword: "Some-Password-1" },
        },
        "database.external.adminPassword",
        /is not used: with createSystemDatabase false/,
      ],
    ];
    for (const [title, database, path, message] of cases)
      it(`rejects ${title}`, async () => {
        const args = defaultArgs({ database: database as never });
        const error = await assertRejected(args, path, message);
        assert.ok(!error.message.includes("Some-Password-1"), "a password is in the message");
      });

    it("rejects the admin password given twice", () => {
      const args = defaultArgs({
        network: undefined,
        storage: { mode: "none" },
        database: {
          mode: "external",
          external: { type: "postgresql", host: "db.example.com", adminPassword: "First-Password-1" },
        },
        credentials: { passwords: { admin: "Second-Password-2" } },
      });
      assert.throws(
        () => new UsageEngineStack("uepe", args),
        (e: ArgumentError) =>
          /database\.external\.adminPassword: and credentials\.passwords\.admin are both given/.test(
            e.message,
          ) &&
          !e.message.includes("First-Password-1") &&
          !e.message.includes("Second-Password-2"),
      );
      assert.equal(recorded.length, 0);
    });

    it("rejects fewer than 2 subnets, naming the Multi-AZ standby", () => {
      assert.throws(
        () =>
          new SystemDatabase("db", {
            network: { ...NETWORK, subnetIds: [NETWORK.subnetIds[0]] },
            adminPassword: "x-password",
            database: { multiAz: true },
          }),
        /network\.subnetIds: has 1 item\(s\); expected at least 2 private subnets in distinct Availability Zones \(a Multi-AZ instance keeps its standby in a second Availability Zone\)/,
      );
      assert.equal(recorded.length, 0);
    });

    it("rejects two subnets known to be in one zone", () => {
      assert.throws(
        () =>
          new SystemDatabase("db", {
            network: { ...NETWORK, availabilityZones: ["eu-west-1a", "eu-west-1a"] },
            adminPassword: "x-password",
          }),
        /network\.availabilityZones: lists only eu-west-1a; expected subnets in at least two Availability Zones/,
      );
      assert.equal(recorded.length, 0);
    });

    it("SystemDatabase alone refuses the external mode instead of creating nothing silently", () => {
      assert.throws(
        () =>
          new SystemDatabase("db", {
            network: NETWORK,
            adminPassword: "x-password",
            database: { mode: "external", external: { type: "postgresql", host: "db.example.com" } },
          }),
        /database\.mode: "external" creates nothing; expected "rds"/,
      );
      assert.equal(recorded.length, 0);
    });
  });
});
