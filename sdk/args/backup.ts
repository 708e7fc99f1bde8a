import type * as pulumi from "@pulumi/pulumi";
import type { Checker } from "../validation";
import { keyList } from "./keys";

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

/** AWS Backup after resolution. The cold window suspends ECDs whether or not AWS Backup runs. */
export type BackupSpec = EnabledBackupSpec | { enabled: false; coldBackupWindow?: ColdBackupWindow };

export interface EnabledBackupSpec {
  enabled: true;
  /** Undefined: derived from the component name. */
  vaultName?: string;
  schedule: string;
  startWindowMinutes: number;
  completionWindowMinutes: number;
  retentionDays: number;
  kmsKeyArn?: pulumi.Input<string>;
  /** The copy of every recovery point to a second vault, when asked for. */
  copy?: { vaultArn: string; retentionDays: number };
  coldBackupWindow?: ColdBackupWindow;
}

const BACKUP_KEYS = keyList<BackupOptions>({
  enabled: true,
  vaultName: true,
  schedule: true,
  startWindowMinutes: true,
  completionWindowMinutes: true,
  retentionDays: true,
  kmsKeyArn: true,
  copyToVaultArn: true,
  copyRetentionDays: true,
  coldBackupWindow: true,
});

export const DEFAULT_BACKUP_SCHEDULE = "cron(0 3 * * ? *)";
/** AWS Backup's longest lifecycle: 100 years. */
const MAX_RETENTION_DAYS = 36500;

export function resolveBackup(check: Checker, path: string, options: BackupOptions | undefined): BackupSpec {
  const o = options ?? {};
  check.knownKeys(path, o, BACKUP_KEYS);
  const retentionDays = o.retentionDays ?? 35;
  const resolved: EnabledBackupSpec = {
    enabled: true,
    vaultName: o.vaultName,
    schedule: o.schedule ?? DEFAULT_BACKUP_SCHEDULE,
    startWindowMinutes: o.startWindowMinutes ?? 60,
    completionWindowMinutes: o.completionWindowMinutes ?? 180,
    retentionDays,
    kmsKeyArn: o.kmsKeyArn,
    copy:
      o.copyToVaultArn !== undefined
        ? { vaultArn: o.copyToVaultArn, retentionDays: o.copyRetentionDays ?? retentionDays }
        : undefined,
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
    check.integer(`${path}.copyRetentionDays`, resolved.copy?.retentionDays, 1, MAX_RETENTION_DAYS, "days");
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
  return o.enabled === false ? { enabled: false, coldBackupWindow: o.coldBackupWindow } : resolved;
}
