import * as assert from "node:assert/strict";
import { ArgumentError, BackupPlan, type BackupPlanArgs, UsageEngineStack } from "../sdk";
import { assertRejected, defaultArgs, deploy } from "./fixtures";
import { at, ofType, one, recorded, resetMocks, settle } from "./harness";

const VAULT = "aws:backup/vault:Vault";
const PLAN = "aws:backup/plan:Plan";
const SELECTION = "aws:backup/selection:Selection";
const KEY = "aws:kms/key:Key";
const ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const FS_ARN = "arn:aws:elasticfilesystem:eu-west-1:123456789012:file-system/fs-0123456789abcdef0";
const DB_ARN = "arn:aws:rds:eu-west-1:123456789012:db:uepe-database";
const KMS_KEY = "arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
const COPY_VAULT = "arn:aws:backup:eu-central-1:123456789012:backup-vault:uepe-dr";
/** ECDs suspended 02:00-06:00 UTC every night. */
const NIGHT = { from: "0 2 * * *", until: "0 6 * * *" };

async function backupPlan(overrides: Partial<BackupPlanArgs> = {}): Promise<void> {
  new BackupPlan("uepe-backup", { resourceArns: [FS_ARN, DB_ARN], ...overrides });
  await settle();
}

interface Rule {
  ruleName: string;
  schedule: string;
  scheduleExpressionTimezone: string;
  startWindow: number;
  completionWindow: number;
  lifecycle: { deleteAfter: number };
  copyActions?: { destinationVaultArn: string; lifecycle: { deleteAfter: number } }[];
  targetVaultName: string;
}

function rule(): Rule {
  const rules = one(PLAN).inputs.rules as Rule[];
  assert.equal(rules.length, 1);
  return rules[0];
}

/** The UsageEngineStack's argument error for these backup options, or a failed assertion. */
function stackError(backup: Record<string, unknown>): ArgumentError {
  try {
    new UsageEngineStack("uepe", defaultArgs({ backup: backup as never }));
  } catch (e) {
    assert.ok(e instanceof ArgumentError, `expected an ArgumentError, got ${String(e)}`);
    return e;
  }
  assert.fail("the stack accepted the arguments");
}

describe("BackupPlan", () => {
  beforeEach(() => resetMocks());

  describe("vault and key", () => {
    it("creates a rotating KMS key and a vault encrypted with it, both kept on destroy", async () => {
      await backupPlan();
      const key = one(KEY);
      const vault = one(VAULT);
      assert.equal(key.inputs.enableKeyRotation, true);
      assert.equal(key.inputs.deletionWindowInDays, 30);
      assert.equal(key.retainOnDelete, true, "the key would be deleted and the recovery points unreadable");
      assert.equal(vault.retainOnDelete, true, "the vault would be deleted with the stack");
      assert.equal(vault.inputs.forceDestroy, false);
      assert.equal(vault.inputs.kmsKeyArn, key.outputs.arn);
      assert.equal(vault.inputs.name, "uepe-backup-vault");
      assert.equal(one("aws:kms/alias:Alias").inputs.name, "alias/uepe-backup-vault");
    });

    it("uses a given key and vault name and creates no key", async () => {
      await backupPlan({ backup: { kmsKeyArn: KMS_KEY, vaultName: "uepe_prod" } });
      assert.equal(ofType(KEY).length, 0);
      assert.equal(one(VAULT).inputs.kmsKeyArn, KMS_KEY);
      assert.equal(one(VAULT).inputs.name, "uepe_prod");
    });
  });

  describe("plan", () => {
    it("runs daily at 03:00 UTC, starts within an hour, may run three, and keeps 35 days", async () => {
      await backupPlan();
      const r = rule();
      assert.equal(r.schedule, "cron(0 3 * * ? *)");
      assert.equal(r.scheduleExpressionTimezone, "Etc/UTC");
      assert.equal(r.startWindow, 60);
      assert.equal(r.completionWindow, 180);
      assert.deepEqual(r.lifecycle, { deleteAfter: 35 });
      assert.equal(r.copyActions, undefined);
      assert.equal(r.targetVaultName, "uepe-backup-vault");
    });

    it("copies every recovery point to a second vault when asked", async () => {
      await backupPlan({ backup: { retentionDays: 14, copyToVaultArn: COPY_VAULT, copyRetentionDays: 90 } });
      assert.deepEqual(rule().copyActions, [
        { destinationVaultArn: COPY_VAULT, lifecycle: { deleteAfter: 90 } },
      ]);
      resetMocks();
      await backupPlan({ backup: { retentionDays: 14, copyToVaultArn: COPY_VAULT } });
      assert.deepEqual(
        rule().copyActions?.[0].lifecycle,
        { deleteAfter: 14 },
        "copy retention defaults to retentionDays",
      );
    });
  });

  describe("role and selection", () => {
    it("lets AWS Backup assume a role with the managed backup and restore policies", async () => {
      await backupPlan();
      const role = one("aws:iam/role:Role");
      assert.deepEqual(JSON.parse(String(role.inputs.assumeRolePolicy)).Statement, [
        { Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: "sts:AssumeRole" },
      ]);
      assert.deepEqual(
        ofType(ATTACHMENT)
          .map((a) => a.inputs.policyArn)
          .sort(),
        [
          "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
          "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
        ],
      );
      for (const attachment of ofType(ATTACHMENT)) assert.equal(attachment.inputs.role, role.outputs.name);
    });

    it("selects the resources by ARN, after the role holds its policies", async () => {
      await backupPlan();
      const selection = one(SELECTION);
      assert.deepEqual(selection.inputs.resources, [FS_ARN, DB_ARN]);
      assert.equal(selection.inputs.iamRoleArn, one("aws:iam/role:Role").outputs.arn);
      for (const attachment of ofType(ATTACHMENT))
        assert.ok(
          selection.dependencies.includes(attachment.urn),
          "the selection does not wait for a policy",
        );
    });

    it("through the stack, selects the RDS instance and the EFS file system", async () => {
      await deploy();
      assert.deepEqual(one(SELECTION).inputs.resources, [
        one("aws:rds/instance:Instance").outputs.arn,
        one("aws:efs/fileSystem:FileSystem").outputs.arn,
      ]);
    });

    it("through the stack, selects only what exists, and nothing when disabled", async () => {
      await deploy(defaultArgs({ storage: { mode: "none" } }));
      assert.deepEqual(one(SELECTION).inputs.resources, [one("aws:rds/instance:Instance").outputs.arn]);
      resetMocks();
      await deploy(defaultArgs({ backup: { enabled: false } }));
      assert.equal(ofType(PLAN).length + ofType(VAULT).length, 0);
    });
  });

  describe("cold-backup window", () => {
    it("suspends ECDs for the window and accepts a backup that starts and ends inside it", async () => {
      await deploy(defaultArgs({ backup: { coldBackupWindow: NIGHT, schedule: "cron(0 2 * * ? *)" } }));
      const values = one("kubernetes:helm.sh/v3:Release", "uepe-release").inputs.values;
      assert.equal(at(values, "suspend.from"), "0 2 * * *");
      assert.equal(at(values, "suspend.until"), "0 6 * * *");
      assert.equal(rule().schedule, "cron(0 2 * * ? *)");
    });

    it("accepts a weekly backup that ends exactly when the daily window closes", async () => {
      await deploy(
        defaultArgs({
          backup: { coldBackupWindow: NIGHT, schedule: "cron(30 2 ? * SUN *)", completionWindowMinutes: 150 },
        }),
      );
      assert.equal(rule().schedule, "cron(30 2 ? * SUN *)");
      assert.equal(rule().completionWindow, 150);
    });

    it("rejects the default 03:00 schedule when start plus completion run past a 02:00-06:00 window", () => {
      const error = stackError({ coldBackupWindow: NIGHT });
      assert.match(
        error.message,
        /backup\.schedule: "cron\(0 3 \* \* \? \*\)" does not start and finish \(240 min\) inside the window from "0 2 \* \* \*" until "0 6 \* \* \*"/,
      );
      assert.equal(recorded.length, 0);
    });

    it("rejects a backup that starts before the window opens", () => {
      const error = stackError({
        coldBackupWindow: NIGHT,
        schedule: "cron(0 1 * * ? *)",
        completionWindowMinutes: 60,
      });
      assert.ok(
        error.problems.some(
          (p) => p.path === "backup.schedule" && /does not start and finish/.test(p.message),
        ),
      );
    });

    it("rejects a schedule that is inside on some days only", () => {
      const weekdays = { from: "0 2 * * 1-5", until: "0 6 * * 1-5" };
      const error = stackError({
        coldBackupWindow: weekdays,
        schedule: "cron(0 2 * * ? *)",
        completionWindowMinutes: 60,
      });
      assert.ok(
        error.problems.some((p) => p.path === "backup.schedule"),
        error.message,
      );
    });

    it("counts a longer start window against the window too", () => {
      const error = stackError({
        coldBackupWindow: NIGHT,
        schedule: "cron(0 2 * * ? *)",
        startWindowMinutes: 120,
        completionWindowMinutes: 180,
      });
      assert.match(error.message, /does not start and finish \(300 min\) inside the window/);
    });
  });

  describe("bad input, before any resource", () => {
    const cases: [string, Record<string, unknown>, string, RegExp][] = [
      [
        "a Kubernetes cron as schedule",
        { schedule: "0 3 * * *" },
        "backup.schedule",
        /"0 3 \* \* \*" is not a valid AWS cron expression; expected an AWS cron expression such as "cron\(0 3 \* \* \? \*\)"/,
      ],
      [
        "both day fields set",
        { schedule: "cron(0 3 * * * *)" },
        "backup.schedule",
        /is not a valid AWS cron expression/,
      ],
      [
        "neither day field a ?",
        { schedule: "cron(0 3 1 * MON *)" },
        "backup.schedule",
        /is not a valid AWS cron expression/,
      ],
      [
        "five fields in cron()",
        { schedule: "cron(0 3 * * ?)" },
        "backup.schedule",
        /is not a valid AWS cron expression/,
      ],
      [
        "hour 24",
        { schedule: "cron(0 24 * * ? *)" },
        "backup.schedule",
        /is not a valid AWS cron expression/,
      ],
      [
        "a rate expression",
        { schedule: "rate(1 day)" },
        "backup.schedule",
        /is not a valid AWS cron expression/,
      ],
      [
        "retention of 0 days",
        { retentionDays: 0 },
        "backup.retentionDays",
        /0 is out of range; expected a whole number from 1 to 36500 days/,
      ],
      ["retention over 100 years", { retentionDays: 36501 }, "backup.retentionDays", /36501 is out of range/],
      [
        "a start window under an hour",
        { startWindowMinutes: 30 },
        "backup.startWindowMinutes",
        /30 is out of range; expected a whole number from 60/,
      ],
      [
        "a completion window under an hour",
        { completionWindowMinutes: 30 },
        "backup.completionWindowMinutes",
        /30 is out of range/,
      ],
      [
        "a KMS alias as vault key",
        { kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:alias/aws/backup" },
        "backup.kmsKeyArn",
        /is not a valid KMS ARN/,
      ],
      [
        "a copy target that is not a vault ARN",
        { copyToVaultArn: "arn:aws:s3:::uepe-backups" },
        "backup.copyToVaultArn",
        /is not a valid BACKUP ARN; expected an ARN such as arn:aws:backup:/,
      ],
      [
        "copy retention without a copy target",
        { copyRetentionDays: 30 },
        "backup.copyRetentionDays",
        /is only used with copyToVaultArn/,
      ],
      [
        "copy retention out of range",
        { copyToVaultArn: COPY_VAULT, copyRetentionDays: 0 },
        "backup.copyRetentionDays",
        /0 is out of range/,
      ],
      [
        "a vault name with spaces",
        { vaultName: "uepe vault" },
        "backup.vaultName",
        /is not valid; expected 2-50 letters/,
      ],
      [
        "a cold window that is not a cron",
        { coldBackupWindow: { from: "02:00", until: "06:00" } },
        "backup.coldBackupWindow.from",
        /"02:00" is not a valid cron schedule/,
      ],
    ];
    for (const [title, backup, path, message] of cases)
      it(`rejects ${title}`, async () => {
        await assertRejected(defaultArgs({ backup: backup as never }), path, message);
      });

    it("BackupPlan alone refuses enabled: false and an empty selection", () => {
      assert.throws(
        () => new BackupPlan("bk", { resourceArns: [], backup: { enabled: false } }),
        /backup\.enabled: is false: a BackupPlan would back up nothing[\s\S]*resourceArns: has 0 item/,
      );
      assert.equal(recorded.length, 0);
    });
  });
});

describe("destroying the stack keeps the data", () => {
  beforeEach(() => resetMocks());

  it("RDS refuses deletion and would leave a final snapshot and its automated backups", async () => {
    await deploy(defaultArgs({ database: { profile: "prod" } }));
    const db = one("aws:rds/instance:Instance");
    assert.equal(db.inputs.deletionProtection, true);
    assert.equal(db.inputs.skipFinalSnapshot, false);
    assert.match(String(db.inputs.finalSnapshotIdentifier), /^[a-z][a-z0-9-]*-final$/);
    assert.equal(db.inputs.deleteAutomatedBackups, false);
  });

  it("EFS, the backup vault and its key are left in place by the engine, and the volume is retained", async () => {
    await deploy();
    for (const type of ["aws:efs/fileSystem:FileSystem", VAULT, KEY])
      assert.equal(one(type).retainOnDelete, true, `${type} would be deleted on destroy`);
    assert.equal(
      at(one("kubernetes:core/v1:PersistentVolume").inputs, "spec.persistentVolumeReclaimPolicy"),
      "Retain",
    );
  });

  it("keeps nothing that holds no data: retention is reserved for the stateful resources", async () => {
    await deploy();
    const retained = recorded.filter((r) => r.retainOnDelete).map((r) => r.type);
    for (const type of retained)
      assert.ok(
        ["aws:efs/fileSystem:FileSystem", VAULT, KEY].includes(type) || !type.startsWith("aws:"),
        `${type} is retained on delete but holds no data`,
      );
  });
});
