import type * as pulumi from "@pulumi/pulumi";
import { parseAwsCron, shiftAwsCron, shortestLeadMinutes } from "../cron";
import type { Checker } from "../validation";
import { keyList } from "./keys";

/** A daily window in which all ECDs are suspended so EFS is backed up cold. */
export interface ColdBackupWindow {
  /** Kubernetes cron expression (UTC) at which ECDs are suspended, e.g. `0 2 * * *`. */
  from: string;
  /** Kubernetes cron expression (UTC) at which ECDs resume, e.g. `0 6 * * *`. */
  until: string;
}

/** How the backup vault keeps recovery points from being deleted before their retention ends. */
export const VaultLockMode = {
  /** No Vault Lock. */
  None: "none",
  /** Vault Lock in governance mode: only a principal allowed backup:DeleteBackupVaultLockConfiguration can lift it. */
  Governance: "governance",
  /** Vault Lock in compliance mode: after its grace period nobody, not even the account root, can lift it. */
  Compliance: "compliance",
} as const;
export type VaultLockMode = (typeof VaultLockMode)[keyof typeof VaultLockMode];

/**
 * AWS Backup of the system database and the shared file system, in the order a restore needs: the
 * vendor's restore pairs a database backup with a newer file-system backup, so each has its own
 * plan and the file-system backup is scheduled after the database backup can have finished.
 */
export interface BackupOptions {
  /** Back up EFS and RDS with AWS Backup. Default: true. */
  enabled?: boolean;
  /**
   * Backup vault name, 2-50 letters, digits, '-' or '_'; used as given, so keep it unique in the
   * account and region. Default: `<component name>-vault-<suffix>`, the suffix unique to the stack
   * and instance and kept in state, e.g. `uepe-backup-vault-7d04b1e9`.
   */
  vaultName?: string;
  /** AWS cron schedule of the database backup, UTC, e.g. `cron(0 3 * * ? *)`. Default: `cron(0 3 * * ? *)` (daily 03:00). */
  schedule?: string;
  /**
   * AWS cron schedule of the file-system backup, UTC; each run starts at least
   * `startWindowMinutes` + `completionWindowMinutes` after the latest run of `schedule`. Default:
   * `schedule` moved that much later (`cron(0 7 * * ? *)`), when a cron can say it.
   */
  fileSystemSchedule?: string;
  /** Minutes after the scheduled time within which a job must start, at least 60 (AWS Backup's minimum); both backups. Default: 60. */
  startWindowMinutes?: number;
  /** Minutes a started job may run before AWS Backup cancels it, at least 60; both backups. Default: 180. */
  completionWindowMinutes?: number;
  /** Days recovery points are kept, 1-36500. Default: 35. */
  retentionDays?: number;
  /**
   * KMS key that encrypts the vault. Default: the installation's customer managed data key; a
   * BackupPlan used alone creates a key of its own (rotation on, kept on destroy).
   */
  kmsKeyArn?: pulumi.Input<string>;
  /**
   * ARN of a second backup vault, in another region or account, that every recovery point is
   * copied to. A vault in another account is granted use of the data key; it must allow
   * `backup:CopyIntoBackupVault` from this account. Default: none.
   */
  copyToVaultArn?: string;
  /** Days copies are kept in `copyToVaultArn`, 1-36500. Default: `retentionDays`. */
  copyRetentionDays?: number;
  /**
   * Suspend all ECDs in this window (chart `suspend.from`/`suspend.until`) so EFS is backed up cold.
   * Each file-system backup must start in it and end, start plus completion windows later, before
   * it closes. Default: none (ECDs keep running).
   */
  coldBackupWindow?: ColdBackupWindow;
  /**
   * AWS Backup Vault Lock, with a minimum retention of `retentionDays`. `governance` stops
   * deletions and shorter lifecycles by anyone without the right to remove the lock;
   * `compliance` is IRREVERSIBLE once `complianceGraceDays` have passed: nobody, not AWS support,
   * not the account root, can remove the lock or delete a recovery point before it expires, and
   * the vault can never be deleted while it holds one. Default: `governance` with the `prod`
   * database profile, `none` otherwise (and for a BackupPlan used alone).
   */
  vaultLockMode?: VaultLockMode;
  /**
   * Days after creation in which a `compliance` lock can still be removed (3-36500); after them
   * it is permanent. Only with `vaultLockMode: "compliance"`. Default: 3.
   */
  complianceGraceDays?: number;
  /**
   * A vault access policy that denies deleting recovery points, shortening their lifecycle and
   * changing the vault's access policy to every principal but `breakGlassRoleArn`. Default: true
   * with the `prod` database profile, false otherwise (and for a BackupPlan used alone).
   */
  denyRecoveryPointDeletion?: boolean;
  /**
   * ARN of the IAM role exempt from the vault access policy's denials (a break-glass role you
   * guard). Only with `denyRecoveryPointDeletion`. Default: none (nobody may delete; recovery
   * points only expire).
   */
  breakGlassRoleArn?: string;
  /**
   * Create a separate IAM role AWS Backup assumes for restores
   * (`AWSBackupServiceRolePolicyForRestores`); the backup role cannot restore. Default: false.
   */
  createRestoreRole?: boolean;
}

/** AWS Backup after resolution. The cold window suspends ECDs whether or not AWS Backup runs. */
export type BackupSpec = EnabledBackupSpec | { enabled: false; coldBackupWindow?: ColdBackupWindow };

export interface EnabledBackupSpec {
  enabled: true;
  /** Undefined: derived from the component name. */
  vaultName?: string;
  /** The database backup's schedule. */
  schedule: string;
  /** The file-system backup's schedule: given, or `schedule` moved by both windows. */
  fileSystemSchedule: string;
  startWindowMinutes: number;
  completionWindowMinutes: number;
  retentionDays: number;
  kmsKeyArn?: pulumi.Input<string>;
  /** The copy of every recovery point to a second vault, when asked for. */
  copy?: { vaultArn: string; retentionDays: number };
  coldBackupWindow?: ColdBackupWindow;
  /** The Vault Lock, when one is set: compliance mode carries its grace period. */
  vaultLock?: { mode: "governance" } | { mode: "compliance"; graceDays: number };
  /** The vault access policy's denials, when on; `exemptRoleArn` is the break-glass role. */
  recoveryPointProtection?: { exemptRoleArn?: string };
  createRestoreRole: boolean;
}

const BACKUP_KEYS = keyList<BackupOptions>({
  enabled: true,
  vaultName: true,
  schedule: true,
  fileSystemSchedule: true,
  startWindowMinutes: true,
  completionWindowMinutes: true,
  retentionDays: true,
  kmsKeyArn: true,
  copyToVaultArn: true,
  copyRetentionDays: true,
  coldBackupWindow: true,
  vaultLockMode: true,
  complianceGraceDays: true,
  denyRecoveryPointDeletion: true,
  breakGlassRoleArn: true,
  createRestoreRole: true,
});

export const DEFAULT_BACKUP_SCHEDULE = "cron(0 3 * * ? *)";
/** AWS Backup's longest lifecycle: 100 years. */
const MAX_RETENTION_DAYS = 36500;

/**
 * Validates the backup block and applies defaults. `prod`: the database profile is `prod`, which
 * turns the Vault Lock and the vault access policy on unless they are set.
 */
export function resolveBackup(
  check: Checker,
  path: string,
  options: BackupOptions | undefined,
  prod = false,
): BackupSpec {
  const o = options ?? {};
  check.knownKeys(path, o, BACKUP_KEYS);
  const retentionDays = o.retentionDays ?? 35;
  const schedule = o.schedule ?? DEFAULT_BACKUP_SCHEDULE;
  const startWindowMinutes = o.startWindowMinutes ?? 60;
  const completionWindowMinutes = o.completionWindowMinutes ?? 180;
  const resolved: EnabledBackupSpec = {
    enabled: true,
    vaultName: o.vaultName,
    schedule,
    fileSystemSchedule:
      o.fileSystemSchedule ?? derivedSchedule(schedule, startWindowMinutes, completionWindowMinutes),
    startWindowMinutes,
    completionWindowMinutes,
    retentionDays,
    kmsKeyArn: o.kmsKeyArn,
    copy:
      o.copyToVaultArn !== undefined
        ? { vaultArn: o.copyToVaultArn, retentionDays: o.copyRetentionDays ?? retentionDays }
        : undefined,
    coldBackupWindow: o.coldBackupWindow,
    ...resolveImmutability(check, path, o, prod),
  };
  check.boolean(`${path}.enabled`, o.enabled);
  check.pattern(
    `${path}.vaultName`,
    o.vaultName,
    /^[a-zA-Z0-9\-_]{2,50}$/,
    "2-50 letters, digits, '-' or '_'",
  );
  check.awsCron(`${path}.schedule`, schedule);
  check.awsCron(`${path}.fileSystemSchedule`, o.fileSystemSchedule);
  const windowsOk = [
    check.integer(`${path}.startWindowMinutes`, startWindowMinutes, 60, 10080, "minutes"),
    check.integer(`${path}.completionWindowMinutes`, completionWindowMinutes, 60, 52560000, "minutes"),
  ].every(Boolean);
  check.integer(`${path}.retentionDays`, retentionDays, 1, MAX_RETENTION_DAYS, "days");
  check.arn(`${path}.kmsKeyArn`, o.kmsKeyArn, "kms", "key/");
  checkCopy(check, path, o);
  const coldWindowOk = checkColdWindowForm(check, `${path}.coldBackupWindow`, o.coldBackupWindow);
  if (windowsOk && typeof schedule === "string" && parseAwsCron(schedule)) {
    const given = o.fileSystemSchedule !== undefined;
    if (checkRestoreOrder(check, path, resolved, given) && coldWindowOk)
      checkColdWindow(check, path, resolved, given);
  }
  return o.enabled === false ? { enabled: false, coldBackupWindow: o.coldBackupWindow } : resolved;
}

/** Vault Lock, the vault access policy and the restore role, checked together. */
function resolveImmutability(
  check: Checker,
  path: string,
  o: BackupOptions,
  prod: boolean,
): Pick<EnabledBackupSpec, "vaultLock" | "recoveryPointProtection" | "createRestoreRole"> {
  const mode = o.vaultLockMode ?? (prod ? "governance" : "none");
  check.oneOf(`${path}.vaultLockMode`, mode, ["none", "governance", "compliance"]);
  const graceDays = o.complianceGraceDays ?? 3;
  if (mode === "compliance")
    check.integer(`${path}.complianceGraceDays`, graceDays, 3, MAX_RETENTION_DAYS, "days");
  else if (o.complianceGraceDays !== undefined)
    check.fail(
      `${path}.complianceGraceDays`,
      'is only used with vaultLockMode "compliance"',
      'vaultLockMode: "compliance", or leave it out',
    );
  check.boolean(`${path}.denyRecoveryPointDeletion`, o.denyRecoveryPointDeletion);
  const deny = o.denyRecoveryPointDeletion ?? prod;
  check.arn(`${path}.breakGlassRoleArn`, o.breakGlassRoleArn, "iam", "role/");
  if (o.breakGlassRoleArn !== undefined && deny !== true)
    check.fail(
      `${path}.breakGlassRoleArn`,
      "is only used with denyRecoveryPointDeletion",
      "denyRecoveryPointDeletion: true, or leave it out",
    );
  check.boolean(`${path}.createRestoreRole`, o.createRestoreRole);
  return {
    vaultLock:
      mode === "governance"
        ? { mode: "governance" }
        : mode === "compliance"
          ? { mode: "compliance", graceDays }
          : undefined,
    recoveryPointProtection: deny === true ? { exemptRoleArn: o.breakGlassRoleArn } : undefined,
    createRestoreRole: o.createRestoreRole === true,
  };
}

/**
 * The database schedule moved by both windows; "" when it cannot be (not a cron, windows not
 * numbers, or no cron says it), which the restore-order check reports before anything uses it.
 */
function derivedSchedule(schedule: unknown, start: unknown, completion: unknown): string {
  if (typeof schedule !== "string" || typeof start !== "number" || typeof completion !== "number") return "";
  return shiftAwsCron(schedule, start + completion) ?? "";
}

function checkCopy(check: Checker, path: string, o: BackupOptions): void {
  check.arn(`${path}.copyToVaultArn`, o.copyToVaultArn, "backup", "backup-vault:");
  const vaultArn = o.copyToVaultArn;
  // A vault ARN the generic check accepts may still leave out the region or account it lives in.
  if (
    typeof vaultArn === "string" &&
    /^arn:aws[a-zA-Z-]*:backup:[a-z0-9-]*:(\d{12})?:backup-vault:/.test(vaultArn) &&
    !backupVaultAccount(vaultArn)
  )
    check.fail(
      `${path}.copyToVaultArn`,
      `"${vaultArn}" names no region or no account`,
      "arn:aws:backup:<region>:<12-digit account>:backup-vault:<name>",
    );
  if (o.copyToVaultArn !== undefined)
    check.integer(`${path}.copyRetentionDays`, o.copyRetentionDays, 1, MAX_RETENTION_DAYS, "days");
  else if (o.copyRetentionDays !== undefined)
    check.fail(
      `${path}.copyRetentionDays`,
      "is only used with copyToVaultArn",
      "copyToVaultArn, or leave it out",
    );
}

/** The account of a backup vault ARN `arn:<partition>:backup:<region>:<account>:backup-vault:<name>`. */
export function backupVaultAccount(vaultArn: string): string | undefined {
  return /^arn:aws[a-z-]*:backup:[a-z0-9-]+:(\d{12}):backup-vault:.+$/.exec(vaultArn)?.[1];
}

/** Whether the cold window's two cron expressions are present and valid. */
function checkColdWindowForm(check: Checker, path: string, window: ColdBackupWindow | undefined): boolean {
  if (!check.knownKeys(path, window, ["from", "until"])) return false;
  const fromOk = check.required(`${path}.from`, window.from, "a cron expression");
  check.kubernetesCron(`${path}.from`, window.from);
  const untilOk = check.required(`${path}.until`, window.until, "a cron expression");
  check.kubernetesCron(`${path}.until`, window.until);
  return fromOk && untilOk;
}

/**
 * The restore order: every file-system backup starts at least start + completion windows after
 * the latest database backup, so that one has finished or been cancelled. A derived schedule that
 * could not be written, or that cannot keep the gap (the database backup runs more often than the
 * gap), is reported on the arguments the user can change. True when the order holds.
 */
function checkRestoreOrder(check: Checker, path: string, backup: EnabledBackupSpec, given: boolean): boolean {
  const gap = backup.startWindowMinutes + backup.completionWindowMinutes;
  const accepted = `an AWS cron expression whose every run starts at least ${gap} minutes (startWindowMinutes + completionWindowMinutes) after the latest run of ${path}.schedule`;
  if (!given && backup.fileSystemSchedule === "") {
    check.fail(
      `${path}.fileSystemSchedule`,
      `is required: ${path}.schedule "${backup.schedule}" cannot be moved ${gap} minutes later as a cron expression`,
      accepted,
    );
    return false;
  }
  if (given && (typeof backup.fileSystemSchedule !== "string" || !parseAwsCron(backup.fileSystemSchedule)))
    return false;
  const lead = shortestLeadMinutes(backup.fileSystemSchedule, backup.schedule);
  if (lead === undefined || lead >= gap) return true;
  if (given)
    check.fail(
      `${path}.fileSystemSchedule`,
      `"${backup.fileSystemSchedule}" starts ${lead} minutes after a run of ${path}.schedule "${backup.schedule}", before that database backup must have finished (${gap} min)`,
      `${accepted}, so the database backup is older than the file-system backup`,
    );
  else
    check.fail(
      `${path}.schedule`,
      `"${backup.schedule}" runs again within its start plus completion windows (${gap} min): no file-system backup can wait for a finished database backup`,
      `startWindowMinutes + completionWindowMinutes shorter than the time between runs of ${path}.schedule`,
    );
  return false;
}

/**
 * The cold window holds the file-system backup: a job may start at the end of its start window and
 * then run for the whole completion window. A derived schedule is reported on `schedule`, which
 * moves it.
 */
function checkColdWindow(check: Checker, path: string, backup: EnabledBackupSpec, given: boolean): void {
  const duration = backup.startWindowMinutes + backup.completionWindowMinutes;
  check.awsCronWithin(
    given ? `${path}.fileSystemSchedule` : `${path}.schedule`,
    backup.fileSystemSchedule,
    backup.coldBackupWindow,
    duration,
    given
      ? {}
      : {
          subject: `the file-system backup it implies, "${backup.fileSystemSchedule}" (${duration} min later),`,
          accepted: `a schedule whose file-system backup, ${duration} minutes later, starts and finishes inside the window (UTC), or ${path}.fileSystemSchedule`,
        },
  );
}
