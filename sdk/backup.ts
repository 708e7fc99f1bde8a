import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { checkTags, type Tags, withTags } from "./network";
import { Checker } from "./validation";

/** A daily window in which all ECDs are suspended so EFS is backed up cold. */
export interface ColdBackupWindow {
  /** Kubernetes cron expression (UTC) at which ECDs are suspended, e.g. `0 2 * * *`. */
  from: string;
  /** Kubernetes cron expression (UTC) at which ECDs resume, e.g. `0 6 * * *`. */
  until: string;
}

/** AWS Backup of the system database and the shared file system. */
export interface BackupOptions {
  /** Back up EFS and RDS with AWS Backup. Default: true. */
  enabled?: boolean;
  /** Backup vault name, 2-50 letters, digits, '-' or '_'. Default: `<component name>-vault`, e.g. `uepe-backup-vault`. */
  vaultName?: string;
  /** AWS cron schedule of the backup, UTC, e.g. `cron(0 3 * * ? *)`. Default: `cron(0 3 * * ? *)` (daily 03:00). */
  schedule?: string;
  /** Minutes after the scheduled time within which a job must start, at least 60. Default: 60. */
  startWindowMinutes?: number;
  /** Minutes a started job may run before AWS Backup cancels it, at least 60. Default: 180. */
  completionWindowMinutes?: number;
  /** Days recovery points are kept, 1-36500. Default: 35. */
  retentionDays?: number;
  /**
   * KMS key that encrypts the vault. Default: a customer managed key created for the vault, with
   * rotation on, kept on destroy like the vault (recovery points are unreadable without it).
   */
  kmsKeyArn?: pulumi.Input<string>;
  /**
   * ARN of a second backup vault, in another region or account, that every recovery point is
   * copied to. Default: none.
   */
  copyToVaultArn?: string;
  /** Days copies are kept in `copyToVaultArn`, 1-36500. Default: `retentionDays`. */
  copyRetentionDays?: number;
  /**
   * Suspend all ECDs in this window (chart `suspend.from`/`suspend.until`) so EFS is backed up cold.
   * Every run of `schedule` must start in it, and its start plus completion windows must end
   * before it closes. Default: none (ECDs keep running during backups).
   */
  coldBackupWindow?: ColdBackupWindow;
}

export interface BackupPlanArgs {
  /** Backup settings; `enabled` must not be false. Default: the defaults above. */
  backup?: BackupOptions;
  /** ARNs of the resources to back up (EFS file system, RDS instance). */
  resourceArns: pulumi.Input<string>[];
  /** Tags on every AWS resource and recovery point. Default: none beyond `managed-by` and `Name`. */
  tags?: Tags;
}

export interface ResolvedBackup {
  enabled: boolean;
  vaultName?: string;
  schedule: string;
  startWindowMinutes: number;
  completionWindowMinutes: number;
  retentionDays: number;
  kmsKeyArn?: pulumi.Input<string>;
  copyToVaultArn?: string;
  copyRetentionDays: number;
  coldBackupWindow?: ColdBackupWindow;
}

const BACKUP_KEYS = [
  "enabled",
  "vaultName",
  "schedule",
  "startWindowMinutes",
  "completionWindowMinutes",
  "retentionDays",
  "kmsKeyArn",
  "copyToVaultArn",
  "copyRetentionDays",
  "coldBackupWindow",
];

export const DEFAULT_BACKUP_SCHEDULE = "cron(0 3 * * ? *)";
/** AWS Backup's longest lifecycle: 100 years. */
const MAX_RETENTION_DAYS = 36500;

export function resolveBackup(
  check: Checker,
  path: string,
  options: BackupOptions | undefined,
): ResolvedBackup {
  const o = options ?? {};
  check.knownKeys(path, o, BACKUP_KEYS);
  const retentionDays = o.retentionDays ?? 35;
  const resolved: ResolvedBackup = {
    enabled: o.enabled ?? true,
    vaultName: o.vaultName,
    schedule: o.schedule ?? DEFAULT_BACKUP_SCHEDULE,
    startWindowMinutes: o.startWindowMinutes ?? 60,
    completionWindowMinutes: o.completionWindowMinutes ?? 180,
    retentionDays,
    kmsKeyArn: o.kmsKeyArn,
    copyToVaultArn: o.copyToVaultArn,
    copyRetentionDays: o.copyRetentionDays ?? retentionDays,
    coldBackupWindow: o.coldBackupWindow,
  };
  check.boolean(`${path}.enabled`, o.enabled);
  check.pattern(
    `${path}.vaultName`,
    o.vaultName,
    /^[a-zA-Z0-9\-_]{2,50}$/,
    "2-50 letters, digits, '-' or '_'",
  );
  check.awsCron(`${path}.schedule`, resolved.schedule);
  const startOk = check.integer(
    `${path}.startWindowMinutes`,
    resolved.startWindowMinutes,
    60,
    10080,
    "minutes",
  );
  const completionOk = check.integer(
    `${path}.completionWindowMinutes`,
    resolved.completionWindowMinutes,
    60,
    52560000,
    "minutes",
  );
  check.integer(`${path}.retentionDays`, resolved.retentionDays, 1, MAX_RETENTION_DAYS, "days");
  check.arn(`${path}.kmsKeyArn`, o.kmsKeyArn, "kms", "key/");
  check.arn(`${path}.copyToVaultArn`, o.copyToVaultArn, "backup", "backup-vault:");
  if (o.copyToVaultArn !== undefined)
    check.integer(`${path}.copyRetentionDays`, resolved.copyRetentionDays, 1, MAX_RETENTION_DAYS, "days");
  else if (o.copyRetentionDays !== undefined)
    check.fail(
      `${path}.copyRetentionDays`,
      "is only used with copyToVaultArn",
      "copyToVaultArn, or leave it out",
    );
  if (check.knownKeys(`${path}.coldBackupWindow`, o.coldBackupWindow, ["from", "until"])) {
    check.required(`${path}.coldBackupWindow.from`, o.coldBackupWindow.from, "a cron expression");
    check.kubernetesCron(`${path}.coldBackupWindow.from`, o.coldBackupWindow.from);
    check.required(`${path}.coldBackupWindow.until`, o.coldBackupWindow.until, "a cron expression");
    check.kubernetesCron(`${path}.coldBackupWindow.until`, o.coldBackupWindow.until);
    // A job may start at the end of its start window and then run for the whole completion window.
    if (startOk && completionOk)
      check.awsCronWithin(
        `${path}.schedule`,
        resolved.schedule,
        o.coldBackupWindow,
        resolved.startWindowMinutes + resolved.completionWindowMinutes,
      );
  }
  return resolved;
}

/** AWS managed policies the AWS Backup service role needs to back up and restore. */
export const BACKUP_ROLE_POLICIES = [
  "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
  "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
];

/**
 * AWS Backup for UEPE's data: a KMS key and a vault, both kept on destroy, a plan with one
 * scheduled rule (optionally copying to a second vault), an IAM role AWS Backup assumes, and a
 * selection of the given resources by ARN that waits until the role can act.
 */
export class BackupPlan extends pulumi.ComponentResource {
  /** Backup vault name. */
  public readonly vaultName: pulumi.Output<string>;
  /** Backup vault ARN. */
  public readonly vaultArn: pulumi.Output<string>;
  /** ARN of the KMS key that encrypts the vault. */
  public readonly kmsKeyArn: pulumi.Output<string>;
  /** Backup plan id. */
  public readonly planId: pulumi.Output<string>;

  constructor(name: string, args: BackupPlanArgs, opts?: pulumi.ComponentResourceOptions) {
    const check = new Checker("BackupPlan");
    const backup = resolveBackup(check, "backup", args.backup);
    if (!backup.enabled)
      check.fail("backup.enabled", "is false: a BackupPlan would back up nothing", "true, or no BackupPlan");
    checkTags(check, "tags", args.tags);
    check.list("resourceArns", args.resourceArns, 1);
    check.throwIfAny();
    super("usage-engine:index:BackupPlan", name, {}, opts);

    const vaultName = backup.vaultName ?? `${name}-vault`;
    const tags = withTags(args.tags, vaultName);
    const kmsKeyArn = backup.kmsKeyArn ?? vaultKey(name, vaultName, tags, this);
    // Kept on destroy: deleting the vault would require deleting every recovery point first.
    const vault = new aws.backup.Vault(
      `${name}-vault`,
      { name: vaultName, kmsKeyArn, forceDestroy: false, tags },
      { parent: this, retainOnDelete: true },
    );
    const plan = new aws.backup.Plan(
      `${name}-plan`,
      { name: `${name}-plan`, rules: [backupRule(backup, vault.name, tags)], tags },
      { parent: this },
    );
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        description: "AWS Backup of the UEPE system database and shared storage",
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: "sts:AssumeRole" },
          ],
        }),
        tags,
      },
      { parent: this },
    );
    const attachments = BACKUP_ROLE_POLICIES.map(
      (policyArn, i) =>
        new aws.iam.RolePolicyAttachment(
          `${name}-role-policy-${i}`,
          { role: role.name, policyArn },
          { parent: this },
        ),
    );
    // AWS Backup validates the role when the selection is created: it must already hold its policies.
    new aws.backup.Selection(
      `${name}-selection`,
      { name: `${name}-data`, planId: plan.id, iamRoleArn: role.arn, resources: args.resourceArns },
      { parent: this, dependsOn: attachments },
    );
    this.vaultName = vault.name;
    this.vaultArn = vault.arn;
    this.kmsKeyArn = pulumi.output(kmsKeyArn);
    this.planId = plan.id;
    this.registerOutputs({
      vaultName: this.vaultName,
      vaultArn: this.vaultArn,
      kmsKeyArn: this.kmsKeyArn,
      planId: this.planId,
    });
  }
}

/** The plan's one rule: schedule, windows, retention, and the optional copy to a second vault. */
export function backupRule(
  backup: ResolvedBackup,
  vaultName: pulumi.Input<string>,
  tags: Tags,
): aws.types.input.backup.PlanRule {
  return {
    ruleName: "scheduled",
    targetVaultName: vaultName,
    schedule: backup.schedule,
    scheduleExpressionTimezone: "Etc/UTC",
    startWindow: backup.startWindowMinutes,
    completionWindow: backup.completionWindowMinutes,
    lifecycle: { deleteAfter: backup.retentionDays },
    copyActions: backup.copyToVaultArn
      ? [{ destinationVaultArn: backup.copyToVaultArn, lifecycle: { deleteAfter: backup.copyRetentionDays } }]
      : undefined,
    recoveryPointTags: tags,
  };
}

/** A customer managed key for the vault, kept on destroy: recovery points cannot be read without it. */
function vaultKey(
  name: string,
  vaultName: string,
  tags: Tags,
  parent: pulumi.Resource,
): pulumi.Output<string> {
  const key = new aws.kms.Key(
    `${name}-key`,
    {
      description: `Encrypts the AWS Backup vault ${vaultName} (UEPE recovery points)`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      tags,
    },
    { parent, retainOnDelete: true },
  );
  new aws.kms.Alias(`${name}-key-alias`, { name: `alias/${vaultName}`, targetKeyId: key.keyId }, { parent });
  return key.arn;
}
