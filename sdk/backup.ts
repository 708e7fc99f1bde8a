import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { checkTags, type Tags, withTags } from "./network";
import { Checker } from "./validation";

/** A daily window in which all ECDs are suspended so EFS is backed up cold. */
export interface ColdBackupWindow {
  /** Kubernetes cron expression at which ECDs are suspended, e.g. `0 2 * * *`. */
  from: string;
  /** Kubernetes cron expression at which ECDs resume, e.g. `0 4 * * *`. */
  until: string;
}

/** AWS Backup of the system database and the shared file system. */
export interface BackupOptions {
  /** Back up EFS and RDS with AWS Backup. Default: true. */
  enabled?: boolean;
  /** Backup vault name. Default: `<name>-vault`. */
  vaultName?: string;
  /** AWS cron schedule of the daily backup (UTC). Default: `cron(0 3 * * ? *)`. */
  schedule?: string;
  /** Days recovery points are kept. Default: 35. */
  retentionDays?: number;
  /** KMS key of the vault. Default: the AWS managed `aws/backup` key. */
  kmsKeyArn?: pulumi.Input<string>;
  /** Suspend ECDs during this window (chart `suspend.from/until`); the schedule must start inside it. Default: none. */
  coldBackupWindow?: ColdBackupWindow;
}

export interface BackupPlanArgs {
  /** Backup settings. */
  backup?: BackupOptions;
  /** ARNs of the resources to back up (EFS file system, RDS instance). */
  resourceArns: pulumi.Input<string>[];
  /** Tags on every AWS resource. */
  tags?: Tags;
}

export interface ResolvedBackup {
  enabled: boolean;
  vaultName?: string;
  schedule: string;
  retentionDays: number;
  kmsKeyArn?: pulumi.Input<string>;
  coldBackupWindow?: ColdBackupWindow;
}

const BACKUP_KEYS = ["enabled", "vaultName", "schedule", "retentionDays", "kmsKeyArn", "coldBackupWindow"];

export function resolveBackup(
  check: Checker,
  path: string,
  options: BackupOptions | undefined,
): ResolvedBackup {
  const o = options ?? {};
  check.knownKeys(path, o, BACKUP_KEYS);
  const resolved: ResolvedBackup = {
    enabled: o.enabled ?? true,
    vaultName: o.vaultName,
    schedule: o.schedule ?? "cron(0 3 * * ? *)",
    retentionDays: o.retentionDays ?? 35,
    kmsKeyArn: o.kmsKeyArn,
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
  check.integer(`${path}.retentionDays`, resolved.retentionDays, 1, 36500, "days");
  check.arn(`${path}.kmsKeyArn`, o.kmsKeyArn, "kms", "key/");
  if (check.knownKeys(`${path}.coldBackupWindow`, o.coldBackupWindow, ["from", "until"])) {
    check.required(`${path}.coldBackupWindow.from`, o.coldBackupWindow.from, "a cron expression");
    check.kubernetesCron(`${path}.coldBackupWindow.from`, o.coldBackupWindow.from);
    check.required(`${path}.coldBackupWindow.until`, o.coldBackupWindow.until, "a cron expression");
    check.kubernetesCron(`${path}.coldBackupWindow.until`, o.coldBackupWindow.until);
  }
  return resolved;
}

/** AWS managed policies the AWS Backup service role needs to back up and restore. */
export const BACKUP_ROLE_POLICIES = [
  "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
  "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
];

/**
 * AWS Backup for UEPE's data: a vault kept on destroy, a daily plan, an IAM role AWS Backup
 * assumes, and a selection of the given resources by ARN.
 */
export class BackupPlan extends pulumi.ComponentResource {
  /** Backup vault name. */
  public readonly vaultName: pulumi.Output<string>;
  /** Backup plan id. */
  public readonly planId: pulumi.Output<string>;

  constructor(name: string, args: BackupPlanArgs, opts?: pulumi.ComponentResourceOptions) {
    const check = new Checker("BackupPlan");
    const backup = resolveBackup(check, "backup", args.backup);
    checkTags(check, "tags", args.tags);
    check.list("resourceArns", args.resourceArns, 1);
    check.throwIfAny();
    super("usage-engine:index:BackupPlan", name, {}, opts);

    const tags = withTags(args.tags, `${name}-backup`);
    const vault = new aws.backup.Vault(
      `${name}-vault`,
      { name: backup.vaultName ?? `${name}-vault`, kmsKeyArn: backup.kmsKeyArn, tags },
      { parent: this, retainOnDelete: true },
    );
    const plan = new aws.backup.Plan(
      `${name}-plan`,
      {
        name: `${name}-daily`,
        rules: [
          {
            ruleName: "daily",
            targetVaultName: vault.name,
            schedule: backup.schedule,
            startWindow: 60,
            completionWindow: 180,
            lifecycle: { deleteAfter: backup.retentionDays },
            recoveryPointTags: tags,
          },
        ],
        tags,
      },
      { parent: this },
    );
    const role = new aws.iam.Role(
      `${name}-role`,
      {
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
    BACKUP_ROLE_POLICIES.forEach((policyArn, i) => {
      new aws.iam.RolePolicyAttachment(
        `${name}-role-policy-${i}`,
        { role: role.name, policyArn },
        { parent: this },
      );
    });
    new aws.backup.Selection(
      `${name}-selection`,
      { name: `${name}-data`, planId: plan.id, iamRoleArn: role.arn, resources: args.resourceArns },
      { parent: this },
    );
    this.vaultName = vault.name;
    this.planId = plan.id;
    this.registerOutputs({ vaultName: this.vaultName, planId: this.planId });
  }
}
