import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type BackupOptions, type EnabledBackupSpec, resolveBackup, type Tags, Validated } from "./args";
import { checkTags } from "./args/network";
import { withTags } from "./network";
import { Checker } from "./validation";

/** BackupPlan's arguments after resolution. */
export interface BackupPlanSpec {
  backup: EnabledBackupSpec;
  resourceArns: pulumi.Input<string>[];
  tags: Tags;
}

/** Resolves a BackupPlan used on its own, through the stack's own backup resolver. */
export function resolveBackupPlanArgs(args: BackupPlanArgs): BackupPlanSpec {
  const check = new Checker("BackupPlan");
  const backup = resolveBackup(check, "backup", args.backup);
  if (!backup.enabled)
    check.fail("backup.enabled", "is false: a BackupPlan would back up nothing", "true, or no BackupPlan");
  checkTags(check, "tags", args.tags);
  check.list("resourceArns", args.resourceArns, 1);
  check.throwIfAny();
  if (!backup.enabled) throw new Error("unreachable: a disabled backup was reported above");
  return { backup, resourceArns: args.resourceArns, tags: args.tags ?? {} };
}

export interface BackupPlanArgs {
  /** Backup settings; `enabled` must not be false. Default: the defaults above. */
  backup?: BackupOptions;
  /** ARNs of the resources to back up (EFS file system, RDS instance). */
  resourceArns: pulumi.Input<string>[];
  /** Tags on every AWS resource and recovery point. Default: none beyond `managed-by` and `Name`. */
  tags?: Tags;
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
  /** ARN of the IAM role AWS Backup assumes (scheduled and on-demand backups, restores). */
  public readonly roleArn: pulumi.Output<string>;

  constructor(
    name: string,
    args: BackupPlanArgs | Validated<BackupPlanSpec>,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    const {
      backup,
      resourceArns,
      tags: userTags,
    } = args instanceof Validated ? args.spec : resolveBackupPlanArgs(args);
    super("usage-engine:index:BackupPlan", name, {}, opts);

    const vaultName = backup.vaultName ?? `${name}-vault`;
    const tags = withTags(userTags, vaultName);
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
      { name: `${name}-data`, planId: plan.id, iamRoleArn: role.arn, resources: resourceArns },
      { parent: this, dependsOn: attachments },
    );
    this.vaultName = vault.name;
    this.vaultArn = vault.arn;
    this.kmsKeyArn = pulumi.output(kmsKeyArn);
    this.planId = plan.id;
    this.roleArn = role.arn;
    this.registerOutputs({
      vaultName: this.vaultName,
      vaultArn: this.vaultArn,
      kmsKeyArn: this.kmsKeyArn,
      planId: this.planId,
      roleArn: this.roleArn,
    });
  }
}

/** The plan's one rule: schedule, windows, retention, and the optional copy to a second vault. */
export function backupRule(
  backup: EnabledBackupSpec,
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
    copyActions: backup.copy
      ? [{ destinationVaultArn: backup.copy.vaultArn, lifecycle: { deleteAfter: backup.copy.retentionDays } }]
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
