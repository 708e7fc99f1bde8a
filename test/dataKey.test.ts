import * as assert from "node:assert/strict";
import { BackupPlan, DataKey } from "../sdk";
import { defaultArgs, deploy, externalOnlyArgs } from "./fixtures";
import {
  ofType,
  one,
  type Recorded,
  recorded,
  refusalOf,
  refused,
  resetMocks,
  resolved,
  settle,
} from "./harness";

const KEY = "aws:kms/key:Key";
const ALIAS = "aws:kms/alias:Alias";
const INSTANCE = "aws:rds/instance:Instance";
const FILE_SYSTEM = "aws:efs/fileSystem:FileSystem";
const VAULT = "aws:backup/vault:Vault";
const USER_KEY = "arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0";
const OTHER_USER_KEY = "arn:aws:kms:eu-west-1:123456789012:key/9f8e7d6c-5b4a-3928-1706-f5e4d3c2b1a0";
const DR_VAULT_OTHER_ACCOUNT = "arn:aws:backup:eu-central-1:210987654321:backup-vault:uepe-dr";
const DR_VAULT_SAME_ACCOUNT = "arn:aws:backup:eu-central-1:123456789012:backup-vault:uepe-dr";

interface Statement {
  Sid: string;
  Effect: string;
  Principal: { AWS: string };
  Action: string[];
  Resource: string;
  Condition?: Record<string, Record<string, string | string[]>>;
}

/** The one KMS key that is not the alarm topic's (prod stacks also create that one). */
function dataKey(): Recorded {
  const keys = ofType(KEY).filter((k) => !k.name.includes("-alarms-"));
  assert.equal(keys.length, 1, `expected one data key, found ${keys.map((k) => k.name).join(", ")}`);
  return keys[0];
}

function policy(key: Recorded = dataKey()): Statement[] {
  return JSON.parse(String(key.inputs.policy)).Statement;
}

const statement = (sid: string, key?: Recorded) => policy(key).find((s) => s.Sid === sid);

describe("the installation's data key", () => {
  beforeEach(() => resetMocks());

  describe("one customer managed key for the data", () => {
    it("rotates, waits 30 days before deletion and is kept when the stack is destroyed", async () => {
      await deploy();
      const key = dataKey();
      assert.equal(key.name, "uepe-data-key");
      assert.equal(key.inputs.enableKeyRotation, true);
      assert.equal(key.inputs.deletionWindowInDays, 30);
      assert.equal(key.retainOnDelete, true, "the key would be deleted and every backup unreadable");
      assert.equal(
        key.inputs.tags && (key.inputs.tags as Record<string, string>)["managed-by"],
        "pulumi-usage-engine",
      );
    });

    it("encrypts RDS, EFS and the backup vault by default", async () => {
      const stack = await deploy();
      const arn = String(dataKey().outputs.arn);
      assert.match(arn, /^arn:aws:kms:eu-west-1:123456789012:key\/[0-9a-f-]{36}$/);
      assert.equal(one(INSTANCE).inputs.kmsKeyId, arn);
      assert.equal(one(INSTANCE).inputs.storageEncrypted, true);
      assert.equal(
        one(INSTANCE).inputs.performanceInsightsKmsKeyId,
        undefined,
        "dev has no Performance Insights",
      );
      assert.equal(one(FILE_SYSTEM).inputs.kmsKeyId, arn);
      assert.equal(one(FILE_SYSTEM).inputs.encrypted, true);
      assert.equal(one(VAULT).inputs.kmsKeyArn, arn);
      assert.equal(await resolved(stack.dataKeyArn), arn);
      assert.equal(ofType(KEY).length, 1, "the vault got a key of its own");
    });

    it("encrypts Performance Insights with it on the prod profile", async () => {
      await deploy(defaultArgs({ database: { profile: "prod" } }));
      const arn = String(dataKey().outputs.arn);
      assert.equal(one(INSTANCE).inputs.kmsKeyId, arn);
      assert.equal(one(INSTANCE).inputs.performanceInsightsEnabled, true);
      assert.equal(one(INSTANCE).inputs.performanceInsightsKmsKeyId, arn);
    });

    it("leaves a restored instance on its snapshot's key (RDS cannot change it on restore)", async () => {
      await deploy(defaultArgs({ database: { profile: "prod", snapshotIdentifier: "uepe-database-final" } }));
      const arn = String(dataKey().outputs.arn);
      assert.equal(one(INSTANCE).inputs.kmsKeyId, undefined);
      assert.equal(one(INSTANCE).inputs.performanceInsightsKmsKeyId, arn);
    });

    it("is created before the data it encrypts, which then proceeds in parallel", async () => {
      await deploy();
      const key = dataKey().urn;
      for (const type of [INSTANCE, FILE_SYSTEM, VAULT])
        assert.ok(one(type).dependencies.includes(key), `${type} does not wait for the key`);
      assert.ok(!one(FILE_SYSTEM).dependencies.includes(one(INSTANCE).urn), "EFS waits for RDS");
      assert.ok(!one(INSTANCE).dependencies.includes(one(FILE_SYSTEM).urn), "RDS waits for EFS");
      assert.equal(one("usage-engine:index:DataKey").parent, one("usage-engine:index:UsageEngineStack").urn);
    });
  });

  describe("the user's keys win, each for its service", () => {
    it("database.kmsKeyArn: RDS storage and Performance Insights use it, EFS and the vault the installation key", async () => {
      await deploy(defaultArgs({ database: { profile: "prod", kmsKeyArn: USER_KEY } }));
      const arn = String(dataKey().outputs.arn);
      assert.equal(one(INSTANCE).inputs.kmsKeyId, USER_KEY);
      assert.equal(one(INSTANCE).inputs.performanceInsightsKmsKeyId, USER_KEY);
      assert.equal(one(FILE_SYSTEM).inputs.kmsKeyId, arn);
      assert.equal(one(VAULT).inputs.kmsKeyArn, arn);
    });

    it("storage.kmsKeyArn and backup.kmsKeyArn: EFS and the vault use them, RDS the installation key", async () => {
      await deploy(defaultArgs({ storage: { kmsKeyArn: USER_KEY }, backup: { kmsKeyArn: OTHER_USER_KEY } }));
      assert.equal(one(FILE_SYSTEM).inputs.kmsKeyId, USER_KEY);
      assert.equal(one(VAULT).inputs.kmsKeyArn, OTHER_USER_KEY);
      assert.equal(one(INSTANCE).inputs.kmsKeyId, dataKey().outputs.arn);
    });

    it("a key for every service: no installation key at all", async () => {
      const stack = await deploy(
        defaultArgs({
          database: { kmsKeyArn: USER_KEY },
          storage: { kmsKeyArn: USER_KEY },
          backup: { kmsKeyArn: OTHER_USER_KEY },
        }),
      );
      assert.equal(ofType(KEY).length + ofType(ALIAS).length, 0);
      assert.equal(await resolved(stack.dataKeyArn), "");
    });

    it("nothing to encrypt (external database, no storage): no key", async () => {
      await deploy(externalOnlyArgs());
      assert.equal(ofType(KEY).length, 0);
    });
  });

  describe("key policy", () => {
    it("lets the account administer the key but not use it", async () => {
      await deploy();
      const admin = statement("AccountAdministersKey");
      assert.ok(admin);
      assert.deepEqual(admin.Principal, { AWS: "arn:aws:iam::123456789012:root" });
      assert.equal(admin.Condition, undefined);
      for (const action of [
        "kms:PutKeyPolicy",
        "kms:ScheduleKeyDeletion",
        "kms:EnableKeyRotation",
        "kms:TagResource",
      ])
        assert.ok(admin.Action.includes(action), `${action} missing`);
      for (const action of ["kms:*", "kms:Decrypt", "kms:Encrypt", "kms:CreateGrant", "kms:GenerateDataKey*"])
        assert.ok(
          !admin.Action.includes(action),
          `${action} would let IAM read the data outside the services`,
        );
    });

    it("lets principals of the account use it only through RDS, EFS and AWS Backup in the region", async () => {
      await deploy();
      const use = statement("DataServicesUseKey");
      assert.ok(use);
      assert.deepEqual(use.Principal, { AWS: "*" });
      assert.deepEqual(use.Condition, {
        StringEquals: {
          "kms:CallerAccount": "123456789012",
          "kms:ViaService": [
            "backup.eu-west-1.amazonaws.com",
            "elasticfilesystem.eu-west-1.amazonaws.com",
            "rds.eu-west-1.amazonaws.com",
          ],
        },
      });
      assert.deepEqual(use.Action, [
        "kms:CreateGrant",
        "kms:Decrypt",
        "kms:DescribeKey",
        "kms:Encrypt",
        "kms:GenerateDataKey*",
        "kms:ListGrants",
        "kms:ReEncrypt*",
      ]);
      assert.deepEqual(
        policy().map((s) => s.Sid),
        ["AccountAdministersKey", "DataServicesUseKey"],
      );
    });

    it("names only the services that use it", async () => {
      await deploy(defaultArgs({ storage: { kmsKeyArn: USER_KEY }, backup: { kmsKeyArn: OTHER_USER_KEY } }));
      assert.deepEqual(statement("DataServicesUseKey")?.Condition?.StringEquals["kms:ViaService"], [
        "backup.eu-west-1.amazonaws.com",
        "rds.eu-west-1.amazonaws.com",
      ]);
      resetMocks();
      await deploy(defaultArgs({ database: { kmsKeyArn: USER_KEY }, backup: { enabled: false } }));
      assert.deepEqual(statement("DataServicesUseKey")?.Condition?.StringEquals["kms:ViaService"], [
        "elasticfilesystem.eu-west-1.amazonaws.com",
      ]);
    });

    it("grants a copy vault in another account what its copy needs", async () => {
      await deploy(defaultArgs({ backup: { copyToVaultArn: DR_VAULT_OTHER_ACCOUNT } }));
      assert.deepEqual(statement("CopyAccountUsesKey"), {
        Sid: "CopyAccountUsesKey",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::210987654321:root" },
        Action: ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"],
        Resource: "*",
      });
      assert.deepEqual(statement("CopyAccountGrantsForAwsResources"), {
        Sid: "CopyAccountGrantsForAwsResources",
        Effect: "Allow",
        Principal: { AWS: "arn:aws:iam::210987654321:root" },
        Action: ["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"],
        Resource: "*",
        Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
      });
    });

    it("grants nothing for a copy in the same account (another region)", async () => {
      await deploy(defaultArgs({ backup: { copyToVaultArn: DR_VAULT_SAME_ACCOUNT } }));
      assert.deepEqual(
        policy().map((s) => s.Sid),
        ["AccountAdministersKey", "DataServicesUseKey"],
      );
      assert.ok(!JSON.stringify(policy()).includes("210987654321"));
    });

    it("grants nothing to the copy account when the key encrypts neither the instance nor the vault", async () => {
      await deploy(
        defaultArgs({
          database: { kmsKeyArn: USER_KEY },
          backup: { kmsKeyArn: OTHER_USER_KEY, copyToVaultArn: DR_VAULT_OTHER_ACCOUNT },
        }),
      );
      assert.deepEqual(
        policy().map((s) => s.Sid),
        ["AccountAdministersKey", "DataServicesUseKey"],
      );
    });
  });

  describe("alias", () => {
    it("is a prefix the provider completes, so it differs per stack and stays put within one", async () => {
      await deploy();
      const alias = one(ALIAS);
      assert.equal(alias.inputs.namePrefix, "alias/uepe-data-");
      assert.equal(alias.inputs.name, undefined);
      assert.equal(alias.inputs.targetKeyId, dataKey().outputs.keyId);
      const dev = String(alias.outputs.name);
      assert.match(dev, /^alias\/uepe-data-[0-9]{26}$/);
      resetMocks({ stack: "prod" });
      await deploy();
      const prod = String(one(ALIAS).outputs.name);
      assert.match(prod, /^alias\/uepe-data-[0-9]{26}$/);
      assert.notEqual(prod, dev, "two stacks in one account would ask for the same alias");
      resetMocks();
      await deploy();
      assert.equal(String(one(ALIAS).outputs.name), dev);
    });
  });

  describe("used alone", () => {
    it("DataKey grants exactly the services it is given", async () => {
      const key = new DataKey("reports", { services: ["elasticfilesystem"], tags: { team: "billing" } });
      await settle();
      assert.deepEqual(statement("DataServicesUseKey")?.Condition?.StringEquals["kms:ViaService"], [
        "elasticfilesystem.eu-west-1.amazonaws.com",
      ]);
      assert.equal(one(ALIAS).inputs.namePrefix, "alias/reports-");
      assert.equal((dataKey().inputs.tags as Record<string, string>).team, "billing");
      assert.equal(await resolved(key.keyArn), dataKey().outputs.arn);
    });

    it("DataKey refuses no services, an unknown one and a copy target that is not a vault", () => {
      assert.throws(
        () => new DataKey("k", { services: [] }),
        /Invalid DataKey arguments:\n {2}- services: has 0 item\(s\); expected at least 1/,
      );
      assert.throws(
        () => new DataKey("k", { services: ["s3" as never], copyToVaultArn: "arn:aws:s3:::bucket" }),
        /services\[0\]: "s3" is not supported; expected one of "rds", "elasticfilesystem", "backup"[\s\S]*copyToVaultArn: "arn:aws:s3:::bucket" is not a valid BACKUP ARN/,
      );
      assert.equal(recorded.length, 0);
    });

    it("a BackupPlan alone encrypts its vault with a DataKey of its own, for AWS Backup only", async () => {
      new BackupPlan("uepe-backup", {
        fileSystemArn: "arn:aws:elasticfilesystem:eu-west-1:123456789012:file-system/fs-0123456789abcdef0",
        backup: { copyToVaultArn: DR_VAULT_OTHER_ACCOUNT },
      });
      await settle();
      assert.equal(one(VAULT).inputs.kmsKeyArn, dataKey().outputs.arn);
      assert.equal(dataKey().retainOnDelete, true);
      assert.equal(one(ALIAS).inputs.namePrefix, "alias/uepe-backup-key-");
      assert.deepEqual(statement("DataServicesUseKey")?.Condition?.StringEquals["kms:ViaService"], [
        "backup.eu-west-1.amazonaws.com",
      ]);
      assert.ok(statement("CopyAccountUsesKey"), "the copy account cannot read the recovery points");
    });
  });

  describe("the mock model refuses what KMS refuses", () => {
    it("a key policy that would lock the account out of the key", () => {
      const lockedOut = JSON.stringify({
        Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:Decrypt", Resource: "*" }],
      });
      assert.match(
        refusalOf(KEY, { policy: lockedOut }) ?? "",
        /^MalformedPolicyDocumentException: The new key policy will not allow you to update the key policy/,
      );
      const administered = JSON.stringify({
        Statement: [
          {
            Effect: "Allow",
            Principal: { AWS: "arn:aws:iam::123456789012:root" },
            Action: "kms:*",
            Resource: "*",
          },
        ],
      });
      assert.equal(refusalOf(KEY, { policy: administered }), undefined);
    });

    it("a deletion window outside 7-30 days", () => {
      assert.match(refusalOf(KEY, { deletionWindowInDays: 31 }) ?? "", /must be between 7 and 30/);
      assert.match(refusalOf(KEY, { deletionWindowInDays: 6 }) ?? "", /must be between 7 and 30/);
      assert.equal(refusalOf(KEY, { deletionWindowInDays: 7 }), undefined);
    });

    it("an alias in the AWS namespace, a malformed one, and a name already taken", async () => {
      assert.match(refusalOf(ALIAS, { namePrefix: "alias/aws/uepe-" }) ?? "", /^NotAuthorizedException/);
      assert.match(refusalOf(ALIAS, { name: "uepe-data" }) ?? "", /^ValidationException/);
      await deploy();
      const taken = String(one(ALIAS).outputs.name);
      assert.match(refusalOf(ALIAS, { name: taken }) ?? "", /^AlreadyExistsException/);
      assert.equal(refusalOf(ALIAS, { namePrefix: "alias/uepe-data-" }), undefined);
    });

    it("refused nothing the stack asked for", async () => {
      await deploy(
        defaultArgs({ database: { profile: "prod" }, backup: { copyToVaultArn: DR_VAULT_OTHER_ACCOUNT } }),
      );
      assert.deepEqual(refused, []);
      // The data key, and on prod the alarm topic's own key (its policy admits the publishers).
      assert.deepEqual(
        ofType(KEY)
          .map((k) => k.name)
          .sort(),
        ["uepe-alarms-topic-key", "uepe-data-key"],
      );
      assert.equal(ofType(ALIAS).length, 1);
    });
  });
});
