import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type BackupOptions, type EnabledBackupSpec, resolveBackup, type Tags, Validated } from "./args";
import { checkTags } from "./args/network";
import { deployTarget, serviceTrustPolicy } from "./awsIdentity";
import { DataKey } from "./dataKey";
import { nameSuffix, suffixed } from "./names";
import { withTags } from "./network";
import { Checker } from "./validation";

/** BackupPlan's arguments after resolution. */
export interface BackupPlanSpec {
  backup: EnabledBackupSpec;
  databaseArn?: pulumi.Input<string>;
  fileSystemArn?: pulumi.Input<string>;
  tags: Tags;
  /** Pulumi's `protect` on the vault. */
  protect: boolean;
}

/** Resolves a BackupPlan used on its own, through the stack's own backup resolver. */
export function resolveBackupPlanArgs(args: BackupPlanArgs): BackupPlanSpec {
  const check = new Checker("BackupPlan");
  const backup = resolveBackup(check, "backup", args.backup);
  if (!backup.enabled)
    check.fail("backup.enabled", "is false: a BackupPlan would back up nothing", "true, or no BackupPlan");
  checkTags(check, "tags", args.tags);
  if (args.databaseArn === undefined && args.fileSystemArn === undefined)
    check.fail(
      "databaseArn",
      "and fileSystemArn are both missing: a BackupPlan would back up nothing",
      "the ARN of an RDS instance, of an EFS file system, or both",
    );
  check.arn("databaseArn", args.databaseArn, "rds", "db:");
  check.arn("fileSystemArn", args.fileSystemArn, "elasticfilesystem", "file-system/");
  check.boolean("protect", args.protect);
  check.throwIfAny();
  if (!backup.enabled) throw new Error("unreachable: a disabled backup was reported above");
  return {
    backup,
    databaseArn: args.databaseArn,
    fileSystemArn: args.fileSystemArn,
    tags: args.tags ?? {},
    protect: args.protect ?? true,
  };
}

export interface BackupPlanArgs {
  /** Backup settings; `enabled` must not be false. Default: the defaults above. */
  backup?: BackupOptions;
  /** ARN of the RDS instance backed up on `backup.schedule`. Default: none (at least one ARN is required). */
  databaseArn?: pulumi.Input<string>;
  /** ARN of the EFS file system backed up on `backup.fileSystemSchedule`, after the database. Default: none. */
  fileSystemArn?: pulumi.Input<string>;
  /** Tags on every AWS resource and recovery point. Default: none beyond `managed-by` and `Name`. */
  tags?: Tags;
  /**
   * Pulumi's `protect` on the backup vault: `pulumi up` refuses to replace it and `pulumi destroy`
   * to delete it until `pulumi state unprotect` is run. Default: true.
   */
  protect?: boolean;
}

/** The AWS managed policy the AWS Backup service role needs for scheduled and on-demand backups. */
export const BACKUP_ROLE_POLICIES = [
  "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
];
/** The AWS managed policy of the separate restore role (created on request). */
export const RESTORE_ROLE_POLICIES = [
  "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
];

/** What the vault access policy denies to everyone (but the break-glass role). */
export const PROTECTED_RECOVERY_POINT_ACTIONS = [
  "backup:DeleteRecoveryPoint",
  "backup:UpdateRecoveryPointLifecycle",
];
/**
 * Denied too when a break-glass role is named, so only that role can lift the denial; without
 * one, denying them would leave nobody able to ever change the policy again.
 */
export const PROTECTED_POLICY_ACTIONS = [
  "backup:PutBackupVaultAccessPolicy",
  "backup:DeleteBackupVaultAccessPolicy",
];

/** What one plan backs up: AWS Backup applies a selection to every rule of its plan, so one plan each. */
type BackedUp = "database" | "file-system";

/**
 * AWS Backup for UEPE's data, in restore order: a vault kept on destroy (encrypted with the given
 * key, or a DataKey of its own), one plan for the database and one for the file system scheduled
 * after it (each optionally copying to a second vault), an IAM role AWS Backup assumes, and each
 * plan's selection by ARN, created once the role can act.
 */
export class BackupPlan extends pulumi.ComponentResource {
  /** Backup vault name. */
  public readonly vaultName: pulumi.Output<string>;
  /** Backup vault ARN. */
  public readonly vaultArn: pulumi.Output<string>;
  /** ARN of the KMS key that encrypts the vault. */
  public readonly kmsKeyArn: pulumi.Output<string>;
  /** Id of the database backup plan (empty without `databaseArn`). */
  public readonly databasePlanId: pulumi.Output<string>;
  /** Id of the file-system backup plan (empty without `fileSystemArn`). */
  public readonly fileSystemPlanId: pulumi.Output<string>;
  /** ARN of the IAM role AWS Backup assumes for scheduled and on-demand backups (not restores). */
  public readonly roleArn: pulumi.Output<string>;
  /** ARN of the IAM role for restores (empty unless `backup.createRestoreRole`). */
  public readonly restoreRoleArn: pulumi.Output<string>;

  constructor(
    name: string,
    args: BackupPlanArgs | Validated<BackupPlanSpec>,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    const spec = args instanceof Validated ? args.spec : resolveBackupPlanArgs(args);
    const backup = spec.backup;
    super("usage-engine:index:BackupPlan", name, {}, opts);

    const suffix = nameSuffix(name, this);
    const tags = withTags(spec.tags, backup.vaultName ?? `${name}-vault`);
    const kmsKeyArn = backup.kmsKeyArn ?? vaultKey(name, backup, spec.tags, this);
    // Kept on destroy: deleting the vault would require deleting every recovery point first.
    const vault = new aws.backup.Vault(
      `${name}-vault`,
      { name: backup.vaultName ?? backupName(name, "vault", suffix), kmsKeyArn, forceDestroy: false, tags },
      { parent: this, retainOnDelete: true, protect: spec.protect },
    );
    const role = serviceRole(`${name}-role`, BACKUP_ROLE_POLICIES, BACKUP_ROLE_DESCRIPTION, tags, this);
    const restoreRole = backup.createRestoreRole
      ? serviceRole(`${name}-restore-role`, RESTORE_ROLE_POLICIES, RESTORE_ROLE_DESCRIPTION, tags, this)
      : undefined;
    protectRecoveryPoints(name, backup, vault, this);
    const planOf = (backedUp: BackedUp, arn: pulumi.Input<string> | undefined) =>
      arn === undefined
        ? pulumi.output("")
        : scheduledBackup(name, backedUp, { backup, arn, vaultName: vault.name, role, suffix, tags }, this);
    this.vaultName = vault.name;
    this.vaultArn = vault.arn;
    this.kmsKeyArn = pulumi.output(kmsKeyArn);
    this.databasePlanId = planOf("database", spec.databaseArn);
    this.fileSystemPlanId = planOf("file-system", spec.fileSystemArn);
    this.roleArn = role.arn;
    this.restoreRoleArn = restoreRole?.arn ?? pulumi.output("");
    this.registerOutputs({
      restoreRoleArn: this.restoreRoleArn,
      vaultName: this.vaultName,
      vaultArn: this.vaultArn,
      kmsKeyArn: this.kmsKeyArn,
      databasePlanId: this.databasePlanId,
      fileSystemPlanId: this.fileSystemPlanId,
      roleArn: this.roleArn,
    });
  }
}

/**
 * `<name>-<what>-<suffix>` within AWS Backup's rules for vault and plan names (2-50 of
 * `[a-zA-Z0-9-_]`), the name cut to fit: unique per stack and instance, where the provider's
 * auto-name (the logical name as given, up to 255 characters) may not fit.
 */
export function backupName(name: string, what: string, suffix: pulumi.Output<string>): pulumi.Output<string> {
  return suffix.apply((s) => suffixed(name.replace(/[^a-zA-Z0-9_-]/g, "-"), `${what}-${s}`, 50));
}

/** `<name>-<what>` within AWS Backup's rules for selection names (1-50 of `[a-zA-Z0-9-_.]`), unique within its plan. */
export function selectionName(name: string, what: string): string {
  return suffixed(name.replace(/[^a-zA-Z0-9_.-]/g, "-"), what, 50);
}

/** A vault key of the plan's own, when none is given: a DataKey that AWS Backup alone may use. */
function vaultKey(
  name: string,
  backup: EnabledBackupSpec,
  tags: Tags,
  parent: pulumi.Resource,
): pulumi.Output<string> {
  return new DataKey(
    `${name}-key`,
    new Validated({ services: ["backup"], copyToVaultArn: backup.copy?.vaultArn, tags }),
    { parent },
  ).keyArn;
}

const BACKUP_ROLE_DESCRIPTION = "AWS Backup of the UEPE system database and shared storage";
const RESTORE_ROLE_DESCRIPTION = "AWS Backup restores of the UEPE system database and shared storage";

/** An IAM role AWS Backup assumes for this account only, and the attachments of its managed policies. */
function serviceRole(
  name: string,
  policies: string[],
  description: string,
  tags: Tags,
  parent: pulumi.Resource,
): { arn: pulumi.Output<string>; attachments: aws.iam.RolePolicyAttachment[] } {
  const role = new aws.iam.Role(
    name,
    {
      description,
      // AWS Backup passes no aws:SourceArn when it assumes its service role: the account is the guard.
      assumeRolePolicy: deployTarget(parent).apply((t) =>
        serviceTrustPolicy("backup.amazonaws.com", t.account),
      ),
      tags,
    },
    { parent },
  );
  const attachments = policies.map(
    (policyArn, i) =>
      new aws.iam.RolePolicyAttachment(`${name}-policy-${i}`, { role: role.name, policyArn }, { parent }),
  );
  return { arn: role.arn, attachments };
}

/**
 * Keeps recovery points until their retention ends: the Vault Lock (minimum retention = the rules'
 * retention; governance mode has no grace period, compliance mode is permanent after it) and the
 * vault access policy denying deletion to everyone but the break-glass role.
 */
function protectRecoveryPoints(
  name: string,
  backup: EnabledBackupSpec,
  vault: aws.backup.Vault,
  parent: pulumi.Resource,
): void {
  if (backup.vaultLock)
    new aws.backup.VaultLockConfiguration(
      `${name}-vault-lock`,
      {
        backupVaultName: vault.name,
        minRetentionDays: backup.retentionDays,
        changeableForDays: backup.vaultLock.mode === "compliance" ? backup.vaultLock.graceDays : undefined,
      },
      // Kept with the vault (kept on destroy): a destroy must not unlock the recovery points, and a
      // compliance lock past its grace period could not be removed anyway.
      { parent, retainOnDelete: true },
    );
  const protection = backup.recoveryPointProtection;
  if (protection)
    new aws.backup.VaultPolicy(
      `${name}-vault-policy`,
      { backupVaultName: vault.name, policy: vaultAccessPolicy(protection.exemptRoleArn) },
      // Kept with the vault it protects (which is kept on destroy).
      { parent, retainOnDelete: true },
    );
}

/**
 * The vault access policy: nobody but the break-glass role deletes or shortens a recovery point,
 * whichever service's ARN it has (RDS recovery points are RDS snapshots, hence `*`, which a vault
 * access policy scopes to its vault).
 */
export function vaultAccessPolicy(exemptRoleArn: string | undefined): string {
  const statement = {
    Sid: "DenyRecoveryPointDeletion",
    Effect: "Deny",
    Principal: { AWS: "*" },
    Action: exemptRoleArn
      ? [...PROTECTED_RECOVERY_POINT_ACTIONS, ...PROTECTED_POLICY_ACTIONS]
      : PROTECTED_RECOVERY_POINT_ACTIONS,
    Resource: "*",
  };
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      exemptRoleArn
        ? { ...statement, Condition: { ArnNotEquals: { "aws:PrincipalArn": exemptRoleArn } } }
        : statement,
    ],
  });
}

interface ScheduledBackupArgs {
  backup: EnabledBackupSpec;
  arn: pulumi.Input<string>;
  vaultName: pulumi.Input<string>;
  role: { arn: pulumi.Output<string>; attachments: aws.iam.RolePolicyAttachment[] };
  /** The plan's nameSuffix. */
  suffix: pulumi.Output<string>;
  tags: Tags;
}

/** One plan with its one rule, and the selection of what it backs up; returns the plan id. */
function scheduledBackup(
  name: string,
  backedUp: BackedUp,
  args: ScheduledBackupArgs,
  parent: pulumi.Resource,
): pulumi.Output<string> {
  const plan = new aws.backup.Plan(
    `${name}-${backedUp}-plan`,
    {
      name: backupName(name, backedUp, args.suffix),
      rules: [backupRule(args.backup, backedUp, args.vaultName, args.tags)],
      tags: args.tags,
    },
    { parent },
  );
  // AWS Backup validates the role when the selection is created: it must already hold its policies.
  new aws.backup.Selection(
    `${name}-${backedUp}-selection`,
    {
      name: selectionName(name, backedUp),
      planId: plan.id,
      iamRoleArn: args.role.arn,
      resources: [args.arn],
    },
    { parent, dependsOn: args.role.attachments },
  );
  return plan.id;
}

/**
 * A plan's one rule: the database on `schedule`, the file system on `fileSystemSchedule`, both
 * with the same windows and retention, and the optional copy to a second vault.
 */
export function backupRule(
  backup: EnabledBackupSpec,
  backedUp: BackedUp,
  vaultName: pulumi.Input<string>,
  tags: Tags,
): aws.types.input.backup.PlanRule {
  return {
    ruleName: backedUp,
    targetVaultName: vaultName,
    schedule: backedUp === "database" ? backup.schedule : backup.fileSystemSchedule,
    scheduleExpressionTimezone: "Etc/UTC",
    startWindow: backup.startWindowMinutes,
    completionWindow: backup.completionWindowMinutes,
    lifecycle: { deleteAfter: backup.retentionDays },
    copyActions: backup.copy
      ? [{ destinationVaultArn: backup.copy.vaultArn, lifecycle: { deleteAfter: backup.copy.retentionDays } }]
      : undefined,
    recoveryPointTags: tags,
  };
}
