import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { backupVaultAccount, type ResolvedStack, type Tags, Validated } from "./args";
import { checkTags } from "./args/network";
import { withTags } from "./network";
import { Checker } from "./validation";

/** An AWS service that encrypts UEPE's data with the key, named as in its endpoint (`rds.<region>.amazonaws.com`). */
export const DataKeyService = { Rds: "rds", Efs: "elasticfilesystem", Backup: "backup" } as const;
export type DataKeyService = (typeof DataKeyService)[keyof typeof DataKeyService];
const SERVICES: readonly DataKeyService[] = Object.values(DataKeyService);

export interface DataKeyArgs {
  /**
   * The services that encrypt with the key. Principals of the account may use it only through
   * these services (`kms:ViaService`, in the key's region); the account itself administers it.
   */
  services: DataKeyService[];
  /**
   * ARN of the vault AWS Backup copies recovery points to. When it is in another account, that
   * account is granted the use its copy needs (decrypt, re-encrypt, describe, grants for AWS
   * resources). Default: none.
   */
  copyToVaultArn?: string;
  /** Tags on the key. Default: none beyond `managed-by` and `Name`. */
  tags?: Tags;
}

/** DataKey's arguments after resolution. */
export interface DataKeySpec {
  services: DataKeyService[];
  copyToVaultArn?: string;
  tags: Tags;
}

/** Resolves a DataKey used on its own. */
export function resolveDataKeyArgs(args: DataKeyArgs): DataKeySpec {
  const check = new Checker("DataKey");
  if (check.list("services", args.services, 1))
    args.services.forEach((service, i) => {
      check.oneOf(`services[${i}]`, service, SERVICES);
    });
  check.arn("copyToVaultArn", args.copyToVaultArn, "backup", "backup-vault:");
  checkTags(check, "tags", args.tags);
  check.throwIfAny();
  return { services: args.services, copyToVaultArn: args.copyToVaultArn, tags: args.tags ?? {} };
}

/**
 * A customer managed KMS key for UEPE's data: rotation on, 30-day deletion window, kept on
 * destroy (recovery points and snapshots are unreadable without it), an alias unique per stack,
 * and a key policy that grants the services using it what they need and no more.
 */
export class DataKey extends pulumi.ComponentResource {
  /** ARN of the key. */
  public readonly keyArn: pulumi.Output<string>;
  /** Id of the key. */
  public readonly keyId: pulumi.Output<string>;
  /** The key's alias, `alias/<name>-<unique suffix>`. */
  public readonly aliasName: pulumi.Output<string>;

  constructor(
    name: string,
    args: DataKeyArgs | Validated<DataKeySpec>,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    const spec = args instanceof Validated ? args.spec : resolveDataKeyArgs(args);
    super("usage-engine:index:DataKey", name, {}, opts);

    const identity = aws.getCallerIdentityOutput({}, { parent: this });
    const region = aws.getRegionOutput({}, { parent: this }).region;
    const policy = pulumi.all([identity.accountId, identity.arn, region]).apply(([account, arn, home]) =>
      dataKeyPolicy({
        account,
        partition: arn.split(":")[1] || "aws",
        region: home,
        services: spec.services,
        copyAccount: copyAccount(spec.copyToVaultArn, account),
      }),
    );
    const key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `UEPE data of ${name}, used through ${[...spec.services].sort().join(", ")}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy,
        tags: withTags(spec.tags, name),
      },
      { parent: this, retainOnDelete: true },
    );
    // A prefix, not a name: the provider appends a unique suffix, so two stacks never ask for one alias.
    const alias = new aws.kms.Alias(
      `${name}-alias`,
      { namePrefix: `alias/${name.replace(/[^a-zA-Z0-9/_-]/g, "-")}-`, targetKeyId: key.keyId },
      { parent: this },
    );
    this.keyArn = key.arn;
    this.keyId = key.keyId;
    this.aliasName = alias.name;
    this.registerOutputs({ keyArn: this.keyArn, keyId: this.keyId, aliasName: this.aliasName });
  }
}

/** The account of the copy vault when it is not this one: the one that must be granted use of the key. */
function copyAccount(vaultArn: string | undefined, account: string): string | undefined {
  const other = vaultArn === undefined ? undefined : backupVaultAccount(vaultArn);
  return other !== undefined && other !== account ? other : undefined;
}

/** Administration of the key (never its use): what the account's administrators and Pulumi need. */
export const KEY_ADMINISTRATION = [
  "kms:CancelKeyDeletion",
  "kms:CreateAlias",
  "kms:DeleteAlias",
  "kms:DescribeKey",
  "kms:DisableKey",
  "kms:DisableKeyRotation",
  "kms:EnableKey",
  "kms:EnableKeyRotation",
  "kms:GetKeyPolicy",
  "kms:GetKeyRotationStatus",
  "kms:ListAliases",
  "kms:ListGrants",
  "kms:ListKeyPolicies",
  "kms:ListKeyRotations",
  "kms:ListResourceTags",
  "kms:PutKeyPolicy",
  "kms:RevokeGrant",
  "kms:RotateKeyOnDemand",
  "kms:ScheduleKeyDeletion",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:UpdateAlias",
  "kms:UpdateKeyDescription",
];

/** What an integrated service does with a customer key: data keys, re-encryption, grants for its resources. */
export const SERVICE_USE = [
  "kms:CreateGrant",
  "kms:Decrypt",
  "kms:DescribeKey",
  "kms:Encrypt",
  "kms:GenerateDataKey*",
  "kms:ListGrants",
  "kms:ReEncrypt*",
];

export interface DataKeyPolicyInputs {
  account: string;
  partition: string;
  region: string;
  services: readonly DataKeyService[];
  /** Another account AWS Backup copies recovery points to. */
  copyAccount?: string;
}

/**
 * The key policy. The account administers the key; principals of the account use it only
 * through the listed services in the key's region (as the AWS managed `aws/rds` and
 * `aws/elasticfilesystem` keys allow, so moving to this key takes no IAM change); and a copy
 * account gets what AWS documents for cross-account AWS Backup copies: use of the key, and grants
 * only for AWS resources.
 */
export function dataKeyPolicy(p: DataKeyPolicyInputs): string {
  const root = (account: string) => `arn:${p.partition}:iam::${account}:root`;
  const suffix = p.partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
  const statements: object[] = [
    {
      Sid: "AccountAdministersKey",
      Effect: "Allow",
      Principal: { AWS: root(p.account) },
      Action: KEY_ADMINISTRATION,
      Resource: "*",
    },
    {
      Sid: "DataServicesUseKey",
      Effect: "Allow",
      Principal: { AWS: "*" },
      Action: SERVICE_USE,
      Resource: "*",
      Condition: {
        StringEquals: {
          "kms:CallerAccount": p.account,
          "kms:ViaService": [...p.services].sort().map((service) => `${service}.${p.region}.${suffix}`),
        },
      },
    },
  ];
  if (p.copyAccount !== undefined)
    statements.push(
      {
        Sid: "CopyAccountUsesKey",
        Effect: "Allow",
        Principal: { AWS: root(p.copyAccount) },
        Action: ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"],
        Resource: "*",
      },
      {
        Sid: "CopyAccountGrantsForAwsResources",
        Effect: "Allow",
        Principal: { AWS: root(p.copyAccount) },
        Action: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
        Resource: "*",
        Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
      },
    );
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** What the installation's key encrypts: each data service the stack creates whose key the user did not give. */
interface KeyUse {
  databaseStorage: boolean;
  databaseInsights: boolean;
  fileSystem: boolean;
  vault: boolean;
  backups: boolean;
}

function keyUse(r: ResolvedStack): KeyUse {
  const db = r.database;
  const backups = r.backup.enabled && (db.mode === "rds" || r.storage.mode === "efs");
  return {
    // A restored instance keeps its snapshot's key: RDS cannot change it on restore.
    databaseStorage: db.mode === "rds" && db.kmsKeyArn === undefined && db.snapshotIdentifier === undefined,
    databaseInsights:
      db.mode === "rds" && db.performanceInsights && db.performanceInsightsKmsKeyArn === undefined,
    fileSystem: r.storage.mode === "efs" && r.storage.kmsKeyArn === undefined,
    vault: backups && r.backup.enabled && r.backup.kmsKeyArn === undefined,
    backups,
  };
}

/**
 * The services the installation key must serve: RDS and EFS for what they encrypt with it, and
 * AWS Backup when it backs up into a vault under the key or acts on data under it. Empty when the
 * user gave a key for everything, or nothing is created.
 */
export function installationKeyServices(r: ResolvedStack): DataKeyService[] {
  const use = keyUse(r);
  const services: DataKeyService[] = [];
  if (use.databaseStorage || use.databaseInsights) services.push(DataKeyService.Rds);
  if (use.fileSystem) services.push(DataKeyService.Efs);
  if (use.backups && (use.vault || services.length > 0)) services.push(DataKeyService.Backup);
  return services;
}

/**
 * The copy vault the installation key must be shared with: copies read RDS snapshots with the
 * instance's key and EFS recovery points with the vault's key, so only when one of those is it.
 */
export function installationKeyCopyVault(r: ResolvedStack): string | undefined {
  const use = keyUse(r);
  if (!r.backup.enabled || !use.backups || !(use.vault || use.databaseStorage)) return undefined;
  return r.backup.copy?.vaultArn;
}

/** The resolved stack with the installation key filled in wherever the user gave none. */
export function withInstallationKey(
  r: ResolvedStack,
  keyArn: pulumi.Output<string> | undefined,
): ResolvedStack {
  if (keyArn === undefined) return r;
  const use = keyUse(r);
  const db = r.database;
  const storage = r.storage;
  const backup = r.backup;
  return {
    ...r,
    database:
      db.mode === "rds"
        ? {
            ...db,
            kmsKeyArn: use.databaseStorage ? keyArn : db.kmsKeyArn,
            performanceInsightsKmsKeyArn: use.databaseInsights ? keyArn : db.performanceInsightsKmsKeyArn,
          }
        : db,
    storage: storage.mode === "efs" ? { ...storage, kmsKeyArn: storage.kmsKeyArn ?? keyArn } : storage,
    backup: backup.enabled ? { ...backup, kmsKeyArn: backup.kmsKeyArn ?? keyArn } : backup,
  };
}
