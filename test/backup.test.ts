import * as assert from "node:assert/strict";
import { ArgumentError, BackupPlan, type BackupPlanArgs, UsageEngineStack } from "../sdk";
import { assertRejected, defaultArgs, deploy } from "./fixtures";
import { at, ofType, one, recorded, refusalOf, resetMocks, resolved, settle } from "./harness";

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

async function backupPlan(overrides: Partial<BackupPlanArgs> = {}): Promise<BackupPlan> {
  const part = new BackupPlan("uepe-backup", { databaseArn: DB_ARN, fileSystemArn: FS_ARN, ...overrides });
  await settle();
  return part;
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

/** The one rule of the plan that backs up `what`. */
function rule(what: "database" | "file-system"): Rule {
  const rules = one(PLAN, `-${what}-plan`).inputs.rules as Rule[];
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
      assert.match(String(vault.inputs.name), /^uepe-backup-vault-[0-9a-f]{8}$/);
      assert.equal(one("aws:kms/alias:Alias").inputs.namePrefix, "alias/uepe-backup-key-");
    });

    it("through the stack, uses the installation's data key and creates no key of its own", async () => {
      await deploy();
      assert.equal(ofType(KEY).length, 1);
      assert.equal(one(KEY).name, "uepe-data-key");
      assert.equal(one(VAULT).inputs.kmsKeyArn, one(KEY).outputs.arn);
    });

    it("uses a given key and vault name and creates no key", async () => {
      await backupPlan({ backup: { kmsKeyArn: KMS_KEY, vaultName: "uepe_prod" } });
      assert.equal(ofType(KEY).length, 0);
      assert.equal(one(VAULT).inputs.kmsKeyArn, KMS_KEY);
      assert.equal(one(VAULT).inputs.name, "uepe_prod");
    });
  });

  describe("plans, in restore order", () => {
    it("backs up the database daily at 03:00 UTC, starting within an hour, running at most three, kept 35 days", async () => {
      await backupPlan();
      const r = rule("database");
      assert.equal(r.ruleName, "database");
      assert.equal(r.schedule, "cron(0 3 * * ? *)");
      assert.equal(r.scheduleExpressionTimezone, "Etc/UTC");
      assert.equal(r.startWindow, 60);
      assert.equal(r.completionWindow, 180);
      assert.deepEqual(r.lifecycle, { deleteAfter: 35 });
      assert.equal(r.copyActions, undefined);
      assert.equal(r.targetVaultName, one(VAULT).outputs.name);
      assert.match(String(one(PLAN, "-database-plan").inputs.name), /^uepe-backup-database-[0-9a-f]{8}$/);
    });

    it("backs up the file system once the database backup must be done: 03:00 + 60 + 180 min = 07:00", async () => {
      await backupPlan();
      const r = rule("file-system");
      assert.equal(r.ruleName, "file-system");
      assert.equal(r.schedule, "cron(0 7 * * ? *)");
      assert.equal(r.startWindow, 60);
      assert.equal(r.completionWindow, 180);
      assert.deepEqual(r.lifecycle, { deleteAfter: 35 });
      assert.equal(r.targetVaultName, one(VAULT).outputs.name);
      assert.match(
        String(one(PLAN, "-file-system-plan").inputs.name),
        /^uepe-backup-file-system-[0-9a-f]{8}$/,
      );
    });

    it("moves the file-system backup with shorter windows, past midnight and onto the next weekday", async () => {
      await backupPlan({ backup: { schedule: "cron(30 1 * * ? *)", completionWindowMinutes: 120 } });
      assert.equal(rule("file-system").schedule, "cron(30 4 * * ? *)");
      resetMocks();
      await backupPlan({ backup: { schedule: "cron(0 22 * * ? *)" } });
      assert.equal(rule("file-system").schedule, "cron(0 2 * * ? *)");
      resetMocks();
      await backupPlan({ backup: { schedule: "cron(0 22 ? * MON-FRI *)" } });
      assert.equal(rule("file-system").schedule, "cron(0 2 ? * TUE,WED,THU,FRI,SAT *)");
      resetMocks();
      await backupPlan({ backup: { schedule: "cron(0 23 ? * 7 *)" } });
      assert.equal(rule("file-system").schedule, "cron(0 3 ? * SUN *)", "AWS day 7 is Saturday");
    });

    it("takes an explicit file-system schedule exactly start + completion windows after the database", async () => {
      await backupPlan({ backup: { fileSystemSchedule: "cron(0 7 * * ? *)" } });
      assert.equal(rule("file-system").schedule, "cron(0 7 * * ? *)");
      resetMocks();
      await backupPlan({
        backup: {
          schedule: "cron(0 */6 * * ? *)",
          fileSystemSchedule: "cron(0 4/6 * * ? *)",
          completionWindowMinutes: 180,
        },
      });
      assert.equal(rule("database").schedule, "cron(0 */6 * * ? *)");
      assert.equal(rule("file-system").schedule, "cron(0 4/6 * * ? *)");
    });

    it("copies every recovery point of both plans to a second vault when asked", async () => {
      await backupPlan({ backup: { retentionDays: 14, copyToVaultArn: COPY_VAULT, copyRetentionDays: 90 } });
      for (const what of ["database", "file-system"] as const)
        assert.deepEqual(rule(what).copyActions, [
          { destinationVaultArn: COPY_VAULT, lifecycle: { deleteAfter: 90 } },
        ]);
      resetMocks();
      await backupPlan({ backup: { retentionDays: 14, copyToVaultArn: COPY_VAULT } });
      assert.deepEqual(
        rule("file-system").copyActions?.[0].lifecycle,
        { deleteAfter: 14 },
        "copy retention defaults to retentionDays",
      );
    });

    it("creates only the plan of what it is given", async () => {
      new BackupPlan("uepe-backup", { fileSystemArn: FS_ARN });
      await settle();
      assert.deepEqual(
        ofType(PLAN).map((p) => p.name),
        ["uepe-backup-file-system-plan"],
      );
    });
  });

  describe("the restore order is enforced", () => {
    it("the mock model refuses what AWS Backup refuses: a start window under 60 minutes, repeated rule names", () => {
      const plan = (rules: object[]) => refusalOf(PLAN, { name: "uepe-backup-database", rules });
      assert.match(
        plan([{ ruleName: "database", startWindow: 59 }]) ?? "",
        /start window must be at least 60 minutes/,
      );
      assert.equal(plan([{ ruleName: "database", startWindow: 60 }]), undefined);
      assert.match(
        plan([{ ruleName: "a" }, { ruleName: "a" }]) ?? "",
        /must be 1-50 of \[a-zA-Z0-9-_.\] and distinct/,
      );
    });

    it("refuses a file-system schedule one minute short of the database backup's windows", () => {
      const error = stackError({ fileSystemSchedule: "cron(59 6 * * ? *)" });
      assert.deepEqual(
        error.problems.map((p) => p.path),
        ["backup.fileSystemSchedule"],
      );
      assert.match(
        error.problems[0].message,
        /^"cron\(59 6 \* \* \? \*\)" starts 239 minutes after a run of backup\.schedule "cron\(0 3 \* \* \? \*\)", before that database backup must have finished \(240 min\); expected an AWS cron expression whose every run starts at least 240 minutes \(startWindowMinutes \+ completionWindowMinutes\) after the latest run of backup\.schedule/,
      );
      assert.equal(recorded.length, 0);
    });

    it("counts the windows given: 30 minutes less completion window, 30 minutes earlier", () => {
      assert.doesNotThrow(
        () =>
          new UsageEngineStack(
            "uepe",
            defaultArgs({
              backup: { completionWindowMinutes: 150, fileSystemSchedule: "cron(30 6 * * ? *)" },
            }),
          ),
      );
      resetMocks();
      const error = stackError({ completionWindowMinutes: 150, fileSystemSchedule: "cron(29 6 * * ? *)" });
      assert.match(
        error.message,
        /backup\.fileSystemSchedule: "cron\(29 6 \* \* \? \*\)" starts 209 minutes after/,
      );
    });

    it("refuses a file-system backup at the same time as the database backup", () => {
      const error = stackError({ fileSystemSchedule: "cron(0 3 * * ? *)" });
      assert.match(
        error.message,
        /backup\.fileSystemSchedule: "cron\(0 3 \* \* \? \*\)" starts 0 minutes after/,
      );
    });

    it("asks for a file-system schedule when the database schedule cannot be moved as a cron expression", () => {
      const error = stackError({ schedule: "cron(0 */6 * * ? *)" });
      assert.match(
        error.message,
        /backup\.fileSystemSchedule: is required: backup\.schedule "cron\(0 \*\/6 \* \* \? \*\)" cannot be moved 240 minutes later as a cron expression; expected an AWS cron expression whose every run starts at least 240 minutes/,
      );
      const monthly = stackError({ schedule: "cron(0 22 1 * ? *)" });
      assert.ok(
        monthly.problems.some((p) => p.path === "backup.fileSystemSchedule"),
        monthly.message,
      );
    });

    it("refuses windows longer than the time between database backups", () => {
      const error = stackError({ completionWindowMinutes: 1381 });
      assert.match(
        error.message,
        /backup\.schedule: "cron\(0 3 \* \* \? \*\)" runs again within its start plus completion windows \(1441 min\): no file-system backup can wait for a finished database backup; expected startWindowMinutes \+ completionWindowMinutes shorter than the time between runs of backup\.schedule/,
      );
    });
  });

  describe("immutable recovery points", () => {
    const LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration";
    const POLICY = "aws:backup/vaultPolicy:VaultPolicy";
    const BREAK_GLASS = "arn:aws:iam::123456789012:role/uepe-break-glass";
    const denial = (r = one(POLICY)) => JSON.parse(String(r.inputs.policy)).Statement;

    it("prod: a governance Vault Lock at the rules' retention and a policy denying deletion to everyone", async () => {
      await deploy(defaultArgs({ database: { profile: "prod" }, backup: { retentionDays: 42 } }));
      const lock = one(LOCK);
      assert.equal(lock.inputs.backupVaultName, one(VAULT).outputs.name);
      assert.equal(lock.inputs.minRetentionDays, 42);
      assert.equal(lock.inputs.changeableForDays, undefined, "a grace period would make it compliance mode");
      assert.equal(lock.inputs.maxRetentionDays, undefined);
      assert.equal(lock.retainOnDelete, true);
      assert.equal(one(POLICY).inputs.backupVaultName, one(VAULT).outputs.name);
      assert.equal(one(POLICY).retainOnDelete, true);
      assert.deepEqual(denial(), [
        {
          Sid: "DenyRecoveryPointDeletion",
          Effect: "Deny",
          Principal: { AWS: "*" },
          Action: ["backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle"],
          Resource: "*",
        },
      ]);
    });

    it("prod with a break-glass role: only that role may delete or change the policy", async () => {
      await deploy(
        defaultArgs({ database: { profile: "prod" }, backup: { breakGlassRoleArn: BREAK_GLASS } }),
      );
      assert.deepEqual(denial(), [
        {
          Sid: "DenyRecoveryPointDeletion",
          Effect: "Deny",
          Principal: { AWS: "*" },
          Action: [
            "backup:DeleteRecoveryPoint",
            "backup:UpdateRecoveryPointLifecycle",
            "backup:PutBackupVaultAccessPolicy",
            "backup:DeleteBackupVaultAccessPolicy",
          ],
          Resource: "*",
          Condition: { ArnNotEquals: { "aws:PrincipalArn": BREAK_GLASS } },
        },
      ]);
    });

    it("dev: neither, unless asked", async () => {
      await deploy();
      assert.equal(ofType(LOCK).length + ofType(POLICY).length, 0);
      resetMocks();
      await deploy(defaultArgs({ backup: { vaultLockMode: "governance", denyRecoveryPointDeletion: true } }));
      assert.equal(one(LOCK).inputs.minRetentionDays, 35);
      assert.equal(ofType(POLICY).length, 1);
      resetMocks();
      await deploy(
        defaultArgs({
          database: { profile: "prod" },
          backup: { vaultLockMode: "none", denyRecoveryPointDeletion: false },
        }),
      );
      assert.equal(ofType(LOCK).length + ofType(POLICY).length, 0);
    });

    it("compliance mode carries its grace period (default 3 days)", async () => {
      await backupPlan({ backup: { vaultLockMode: "compliance" } });
      assert.equal(one(LOCK).inputs.changeableForDays, 3);
      resetMocks();
      await backupPlan({
        backup: { vaultLockMode: "compliance", complianceGraceDays: 14, retentionDays: 90 },
      });
      assert.equal(one(LOCK).inputs.changeableForDays, 14);
      assert.equal(one(LOCK).inputs.minRetentionDays, 90);
    });

    it("refuses a grace period outside compliance mode or under 3 days, and a break-glass role without the policy", async () => {
      await assertRejected(
        defaultArgs({ backup: { vaultLockMode: "governance", complianceGraceDays: 7 } }),
        "backup.complianceGraceDays",
        /is only used with vaultLockMode "compliance"/,
      );
      resetMocks();
      await assertRejected(
        defaultArgs({ backup: { vaultLockMode: "compliance", complianceGraceDays: 2 } }),
        "backup.complianceGraceDays",
        /2 is out of range; expected a whole number from 3 to 36500 days/,
      );
      resetMocks();
      await assertRejected(
        defaultArgs({ backup: { breakGlassRoleArn: BREAK_GLASS } }),
        "backup.breakGlassRoleArn",
        /is only used with denyRecoveryPointDeletion/,
      );
      resetMocks();
      await assertRejected(
        defaultArgs({ database: { profile: "prod" }, backup: { breakGlassRoleArn: "uepe-break-glass" } }),
        "backup.breakGlassRoleArn",
        /is not a valid IAM ARN/,
      );
      resetMocks();
      await assertRejected(
        defaultArgs({ backup: { vaultLockMode: "Governance" as never } }),
        "backup.vaultLockMode",
        /"Governance" is not supported/,
      );
    });

    it("AWS refuses a lock whose minimum exceeds its maximum, or a grace period under 3 days, as the mock model does", () => {
      assert.match(
        String(refusalOf(LOCK, { backupVaultName: "v", minRetentionDays: 40, maxRetentionDays: 35 })),
        /MinRetentionDays 40 exceeds MaxRetentionDays 35/,
      );
      assert.equal(
        refusalOf(LOCK, { backupVaultName: "v", minRetentionDays: 35, maxRetentionDays: 35 }),
        undefined,
      );
      assert.match(
        String(refusalOf(LOCK, { backupVaultName: "v", minRetentionDays: 35, changeableForDays: 2 })),
        /ChangeableForDays 2 must be at least 3/,
      );
      assert.equal(
        refusalOf(LOCK, { backupVaultName: "v", minRetentionDays: 35, changeableForDays: 3 }),
        undefined,
      );
      assert.match(
        String(refusalOf(LOCK, { backupVaultName: "v", minRetentionDays: 0 })),
        /between 1 and 36500/,
      );
    });
  });

  describe("role and selection", () => {
    it("lets AWS Backup assume, for this account only, a role that can back up but not restore", async () => {
      await backupPlan();
      const role = one("aws:iam/role:Role");
      assert.deepEqual(JSON.parse(String(role.inputs.assumeRolePolicy)).Statement, [
        {
          Effect: "Allow",
          Principal: { Service: "backup.amazonaws.com" },
          Action: "sts:AssumeRole",
          Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
        },
      ]);
      assert.deepEqual(
        ofType(ATTACHMENT).map((a) => a.inputs.policyArn),
        ["arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup"],
      );
      for (const attachment of ofType(ATTACHMENT)) assert.equal(attachment.inputs.role, role.outputs.name);
    });

    it("creates a separate restore role only on request", async () => {
      const part = await backupPlan({ backup: { createRestoreRole: true } });
      const roles = ofType("aws:iam/role:Role");
      assert.equal(roles.length, 2);
      const restore = one("aws:iam/role:Role", "-restore-role");
      assert.deepEqual(
        ofType(ATTACHMENT)
          .filter((a) => a.inputs.role === restore.outputs.name)
          .map((a) => a.inputs.policyArn),
        ["arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores"],
      );
      assert.equal(
        JSON.parse(String(restore.inputs.assumeRolePolicy)).Statement[0].Condition.StringEquals[
          "aws:SourceAccount"
        ],
        "123456789012",
      );
      assert.equal(await resolved(part.restoreRoleArn), restore.outputs.arn);
      for (const selection of ofType(SELECTION))
        assert.notEqual(selection.inputs.iamRoleArn, restore.outputs.arn);
      resetMocks();
      const plain = await backupPlan();
      assert.equal(ofType("aws:iam/role:Role").length, 1);
      assert.equal(await resolved(plain.restoreRoleArn), "");
    });

    it("selects each resource by ARN in its own plan, after the role holds its policies", async () => {
      await backupPlan();
      assert.deepEqual(one(SELECTION, "-database-").inputs.resources, [DB_ARN]);
      assert.deepEqual(one(SELECTION, "-file-system-").inputs.resources, [FS_ARN]);
      for (const selection of ofType(SELECTION)) {
        assert.equal(selection.inputs.iamRoleArn, one("aws:iam/role:Role").outputs.arn);
        for (const attachment of ofType(ATTACHMENT))
          assert.ok(
            selection.dependencies.includes(attachment.urn),
            "the selection does not wait for a policy",
          );
      }
    });

    it("through the stack, selects the RDS instance in the database plan and EFS in the file-system plan", async () => {
      const stack = await deploy();
      const database = one(SELECTION, "-database-selection");
      const fileSystem = one(SELECTION, "-file-system-selection");
      assert.deepEqual(database.inputs.resources, [one("aws:rds/instance:Instance").outputs.arn]);
      assert.deepEqual(fileSystem.inputs.resources, [one("aws:efs/fileSystem:FileSystem").outputs.arn]);
      assert.ok(database.dependencies.includes(one(PLAN, "-database-plan").urn));
      assert.ok(fileSystem.dependencies.includes(one(PLAN, "-file-system-plan").urn));
      assert.match(String(await resolved(stack.backupPlanId)), /^[0-9a-f-]{36}$/);
      assert.match(String(await resolved(stack.fileSystemBackupPlanId)), /^[0-9a-f-]{36}$/);
      assert.notEqual(await resolved(stack.backupPlanId), await resolved(stack.fileSystemBackupPlanId));
    });

    it("through the stack, hands out the restore role it creates on request", async () => {
      const stack = await deploy(defaultArgs({ backup: { createRestoreRole: true } }));
      const restore = one("aws:iam/role:Role", "-restore-role");
      assert.match(String(restore.outputs.arn), /^arn:aws:iam::123456789012:role\//);
      assert.equal(await resolved(stack.backupRestoreRoleArn), restore.outputs.arn);
    });

    it("through the stack, selects only what exists, and nothing when disabled", async () => {
      const stack = await deploy(defaultArgs({ storage: { mode: "none" } }));
      assert.deepEqual(one(SELECTION).inputs.resources, [one("aws:rds/instance:Instance").outputs.arn]);
      assert.equal(await resolved(stack.fileSystemBackupPlanId), "");
      assert.equal(await resolved(stack.backupRestoreRoleArn), "");
      resetMocks();
      await deploy(defaultArgs({ backup: { enabled: false } }));
      assert.equal(ofType(PLAN).length + ofType(VAULT).length, 0);
    });
  });

  describe("cold-backup window, around the file-system backup", () => {
    it("suspends ECDs for the window and accepts a file-system backup that starts and ends inside it", async () => {
      await deploy(defaultArgs({ backup: { coldBackupWindow: NIGHT, schedule: "cron(0 22 * * ? *)" } }));
      const values = one("kubernetes:helm.sh/v3:Release", "uepe-release").inputs.values;
      assert.equal(at(values, "suspend.from"), "0 2 * * *");
      assert.equal(at(values, "suspend.until"), "0 6 * * *");
      assert.equal(rule("database").schedule, "cron(0 22 * * ? *)", "the database backup may run outside it");
      assert.equal(rule("file-system").schedule, "cron(0 2 * * ? *)");
    });

    it("accepts a weekly file-system backup that ends exactly when the daily window closes", async () => {
      await deploy(
        defaultArgs({
          backup: {
            coldBackupWindow: NIGHT,
            schedule: "cron(0 22 ? * SAT *)",
            fileSystemSchedule: "cron(30 2 ? * SUN *)",
            completionWindowMinutes: 150,
          },
        }),
      );
      assert.equal(rule("file-system").schedule, "cron(30 2 ? * SUN *)");
      assert.equal(rule("file-system").completionWindow, 150);
    });

    it("reads AWS day numbers from Sunday = 1 against a Kubernetes window on Sundays (0)", async () => {
      await deploy(
        defaultArgs({
          backup: {
            coldBackupWindow: { from: "0 2 * * 0", until: "0 6 * * 0" },
            schedule: "cron(0 22 ? * 7 *)",
            fileSystemSchedule: "cron(0 2 ? * 1 *)",
          },
        }),
      );
      assert.equal(rule("file-system").schedule, "cron(0 2 ? * 1 *)");
    });

    it("rejects the default schedule, whose file-system backup at 07:00 misses a 02:00-06:00 window", () => {
      const error = stackError({ coldBackupWindow: NIGHT });
      assert.match(
        error.message,
        /backup\.schedule: the file-system backup it implies, "cron\(0 7 \* \* \? \*\)" \(240 min later\), does not start and finish \(240 min\) inside the window from "0 2 \* \* \*" until "0 6 \* \* \*"; expected a schedule whose file-system backup, 240 minutes later, starts and finishes inside the window \(UTC\), or backup\.fileSystemSchedule/,
      );
      assert.equal(recorded.length, 0);
    });

    it("rejects a given file-system schedule that starts before the window opens, at its own path", () => {
      const error = stackError({
        coldBackupWindow: NIGHT,
        schedule: "cron(0 20 * * ? *)",
        fileSystemSchedule: "cron(0 1 * * ? *)",
        completionWindowMinutes: 60,
      });
      assert.deepEqual(
        error.problems.map((p) => p.path),
        ["backup.fileSystemSchedule"],
      );
      assert.match(
        error.problems[0].message,
        /^"cron\(0 1 \* \* \? \*\)" does not start and finish \(120 min\) inside/,
      );
    });

    it("rejects a file-system schedule that is inside on some days only", () => {
      const weekdays = { from: "0 2 * * 1-5", until: "0 6 * * 1-5" };
      const error = stackError({
        coldBackupWindow: weekdays,
        schedule: "cron(0 22 * * ? *)",
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
        schedule: "cron(0 21 * * ? *)",
        fileSystemSchedule: "cron(0 2 * * ? *)",
        startWindowMinutes: 120,
        completionWindowMinutes: 180,
      });
      assert.match(
        error.message,
        /backup\.fileSystemSchedule: "cron\(0 2 \* \* \? \*\)" does not start and finish \(300 min\) inside the window/,
      );
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
        "a file-system schedule that is not an AWS cron",
        { fileSystemSchedule: "0 7 * * *" },
        "backup.fileSystemSchedule",
        /"0 7 \* \* \*" is not a valid AWS cron expression/,
      ],
      [
        "a copy vault ARN without its account",
        { copyToVaultArn: "arn:aws:backup:eu-central-1::backup-vault:uepe-dr" },
        "backup.copyToVaultArn",
        /names no region or no account; expected arn:aws:backup:<region>:<12-digit account>:backup-vault:<name>/,
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

    it("BackupPlan alone refuses enabled: false and nothing to back up", () => {
      assert.throws(
        () => new BackupPlan("bk", { backup: { enabled: false } }),
        /backup\.enabled: is false: a BackupPlan would back up nothing[\s\S]*databaseArn: and fileSystemArn are both missing/,
      );
      assert.throws(
        () => new BackupPlan("bk", { databaseArn: FS_ARN }),
        /databaseArn: "arn:aws:elasticfilesystem:[^"]+" is not a valid RDS ARN/,
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
    assert.match(String(db.inputs.finalSnapshotIdentifier), /^uepe-database-final-[0-9a-f]{8}$/);
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
