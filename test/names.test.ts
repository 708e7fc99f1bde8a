/**
 * Physical names on a real account: many stacks of one project share an account and region, and
 * one program may hold many installations. The mocked account refuses a second resource of a type
 * with a name another resource holds (as AWS answers AlreadyExists), across evaluations that keep
 * the account; auto-names and RandomIds differ per stack and stay the same within one.
 */
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { BackupPlan, SystemDatabase, type UsageEngineStackArgs } from "../sdk";
import { defaultArgs, deploy, NETWORK } from "./fixtures";
import {
  type AccountName,
  accountNames,
  destroyStack,
  ofType,
  one,
  type ResetOptions,
  refused,
  resetMocks,
  settle,
} from "./harness";

const INSTANCE = "aws:rds/instance:Instance";
const VAULT = "aws:backup/vault:Vault";
const PLAN = "aws:backup/plan:Plan";
const SNAPSHOT = "aws:rds/snapshot:Snapshot";
const PROD = (): UsageEngineStackArgs => defaultArgs({ database: { profile: "prod" } });

/** The names one stack of the project holds, as sorted `type name` lines. */
function namesOf(stack: string, names: AccountName[] = accountNames()): string[] {
  const owners = [`usage-engine-test/${stack}/`, `final:usage-engine-test/${stack}/`];
  return names
    .filter((n) => owners.some((o) => n.owner.startsWith(o)))
    .map((n) => `${n.type} ${n.name}`)
    .sort();
}

/** What AWS refused since the last reset, a new array each time. */
function refusals(): string[] {
  return refused.map((r) => `${r.message}`);
}

/** `type name` lines held more than once. */
function duplicated(lines: string[]): string[] {
  return lines.filter((line, i) => lines.indexOf(line) !== i);
}

/** Evaluates the quickstart's arguments as `stack`, in the account the evaluations before left. */
async function up(
  stack: string,
  args: () => UsageEngineStackArgs,
  options: ResetOptions = {},
): Promise<void> {
  resetMocks({ stack, keepAccount: true, ...options });
  await deploy(args());
}

describe("physical names", () => {
  beforeEach(() => resetMocks());

  for (const [profile, args] of [
    ["dev", defaultArgs],
    ["prod", PROD],
  ] as const)
    it(`two stacks of one project (${profile} profile) ask for disjoint names, and AWS refuses none`, async () => {
      await up("dev", args);
      await up("staging", args);
      assert.deepEqual(refusals(), []);
      const dev = namesOf("dev");
      const staging = namesOf("staging");
      assert.ok(dev.length >= 12, `only ${dev.length} names held`);
      assert.equal(staging.length, dev.length);
      assert.deepEqual(
        dev.filter((n) => staging.includes(n)),
        [],
      );
      assert.deepEqual(duplicated([...dev, ...staging]), []);
    });

  it("names every account-unique resource of the quickstart: the types held", async () => {
    await up("dev", PROD);
    const types = new Set(accountNames().map((n) => n.type));
    for (const type of [
      INSTANCE,
      SNAPSHOT,
      "aws:rds/subnetGroup:SubnetGroup",
      "aws:rds/parameterGroup:ParameterGroup",
      "aws:rds/eventSubscription:EventSubscription",
      "aws:ec2/securityGroup:SecurityGroup",
      "aws:efs/fileSystem:FileSystem",
      VAULT,
      PLAN,
      "aws:backup/selection:Selection",
      "aws:kms/alias:Alias",
      "aws:iam/role:Role",
      "aws:sns/topic:Topic",
      "aws:cloudwatch/metricAlarm:MetricAlarm",
    ])
      assert.ok(types.has(type), `no ${type} name held`);
  });

  it("two installations in one program ask for disjoint names", async () => {
    resetMocks({ stack: "dev" });
    await deploy(PROD(), "uepe-a");
    await deploy({ ...PROD(), namespace: "uepe-b" }, "uepe-b");
    assert.deepEqual(refusals(), []);
    const lines = namesOf("dev");
    assert.deepEqual(duplicated(lines), []);
    const finals = accountNames().filter((n) => n.type === SNAPSHOT);
    assert.equal(finals.length, 2);
    assert.notEqual(finals[0].name, finals[1].name);
  });

  it("a second evaluation of the same stack asks for the same names, which AWS lets it keep", async () => {
    await up("dev", PROD);
    const first = namesOf("dev");
    await up("dev", PROD);
    assert.deepEqual(refusals(), []);
    assert.deepEqual(namesOf("dev"), first);
  });

  it("destroy then up draws new names: the retained vault and file system keep theirs", async () => {
    await up("dev", defaultArgs);
    const vault = String(one(VAULT).outputs.name);
    const efs = String(one("aws:efs/fileSystem:FileSystem").outputs.creationToken);
    destroyStack();
    assert.deepEqual(
      accountNames()
        .filter((n) => n.owner.startsWith("retained:"))
        .map((n) => n.name)
        .sort(),
      [efs, vault].sort(),
    );
    await up("dev", defaultArgs);
    assert.deepEqual(refusals(), []);
    assert.notEqual(one(VAULT).outputs.name, vault);
  });

  it("an upgrade tried again after its steps were dropped does not ask for the kept snapshot's name", async () => {
    const identity = {
      mode: "irsa" as const,
      oidcProviderArn:
        "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE0123",
    };
    const at410 = () => defaultArgs({ version: "4.1.0" });
    const to420 = () => defaultArgs({ version: "4.2.0", upgrade: { fromVersion: "4.1.0", identity } });
    await up("dev", at410);
    await up("dev", to420);
    const first = String(one(SNAPSHOT).inputs.dbSnapshotIdentifier);
    assert.match(first, /^uepe-database-[0-9a-f]{8}-4-1-0-pre-4-2-0-[0-9a-f]{8}$/);
    // The release failed; the program goes back to 4.1.0 and the steps leave the stack, the snapshot stays in AWS.
    await up("dev", at410);
    await up("dev", to420);
    assert.deepEqual(refusals(), []);
    const second = String(one(SNAPSHOT).inputs.dbSnapshotIdentifier);
    assert.match(second, /^uepe-database-[0-9a-f]{8}-4-1-0-pre-4-2-0-[0-9a-f]{8}$/);
    assert.notEqual(second, first);
    assert.ok(
      accountNames().some((n) => n.name === first && n.owner.startsWith("retained:")),
      "the first snapshot is no longer held as kept in AWS",
    );
  });

  it("default names: recognisable prefix, then a suffix unique to the stack and instance", async () => {
    await up("dev", defaultArgs);
    const db = one(INSTANCE);
    const suffix = String(db.inputs.identifier).slice(-8);
    assert.match(String(db.inputs.identifier), /^uepe-database-[0-9a-f]{8}$/);
    assert.equal(db.inputs.finalSnapshotIdentifier, `uepe-database-final-${suffix}`);
    assert.equal(one("aws:rds/subnetGroup:SubnetGroup").inputs.namePrefix, "uepe-database-");
    assert.equal(one("aws:rds/parameterGroup:ParameterGroup").inputs.namePrefix, "uepe-database-postgres16-");
    assert.match(String(one(VAULT).inputs.name), /^uepe-backup-vault-[0-9a-f]{8}$/);
    const backupSuffix = String(one(VAULT).inputs.name).slice(-8);
    assert.equal(one(PLAN, "-database-plan").inputs.name, `uepe-backup-database-${backupSuffix}`);
    assert.equal(one(PLAN, "-file-system-plan").inputs.name, `uepe-backup-file-system-${backupSuffix}`);
  });

  it("explicit names win, and a second stack asking for them is refused as AWS would", async () => {
    const explicit = () =>
      defaultArgs({ database: { identifier: "uepe-prod-db" }, backup: { vaultName: "uepe_prod_vault" } });
    await up("dev", explicit);
    assert.deepEqual(refusals(), []);
    const db = one(INSTANCE);
    assert.equal(db.inputs.identifier, "uepe-prod-db");
    assert.match(String(db.inputs.finalSnapshotIdentifier), /^uepe-prod-db-final-[0-9a-f]{8}$/);
    assert.equal(one(VAULT).inputs.name, "uepe_prod_vault");
    await up("staging", explicit);
    assert.deepEqual(refusals().sort(), [
      "AlreadyExistsException: backup vault uepe_prod_vault already exists",
      "DBInstanceAlreadyExists: DB instance uepe-prod-db already exists",
    ]);
  });

  it("a given identifier leaves a different final snapshot in every life of the stack", async () => {
    const explicit = () => defaultArgs({ database: { identifier: "uepe-prod-db" } });
    await up("dev", explicit);
    const first = String(one(INSTANCE).inputs.finalSnapshotIdentifier);
    destroyStack();
    await up("dev", explicit);
    assert.deepEqual(refusals(), []);
    assert.match(String(one(INSTANCE).inputs.finalSnapshotIdentifier), /^uepe-prod-db-final-[0-9a-f]{8}$/);
    assert.notEqual(one(INSTANCE).inputs.finalSnapshotIdentifier, first);
  });

  describe("fit AWS's limits whatever the component name", () => {
    const LONG = "UEPE_Production.Installation-for-the-EMEA-region-number-0042-of-many";

    it("RDS: identifier and final snapshot at most 63, lower-case, a letter first, no trailing or double hyphen", async () => {
      new SystemDatabase(LONG, {
        network: NETWORK,
        adminPassword: pulumi.secret("Given-Admin-Password-4d1c"),
      });
      await settle();
      assert.deepEqual(refusals(), []);
      const db = one(INSTANCE).inputs;
      for (const id of [String(db.identifier), String(db.finalSnapshotIdentifier)]) {
        assert.ok(id.length <= 63, `${id} is ${id.length} characters`);
        assert.match(id, /^[a-z](?:-?[a-z0-9])*$/);
      }
      assert.match(
        String(db.identifier),
        /^uepe-production-installation-for-the-emea-region-numbe-[0-9a-f]{8}$/,
      );
      assert.match(
        String(db.finalSnapshotIdentifier),
        /^uepe-production-installation-for-the-emea-region-final-[0-9a-f]{8}$/,
      );
    });

    it("AWS Backup: vault and plan names 2-50 of [a-zA-Z0-9-_], selections 1-50 of [a-zA-Z0-9-_.]", async () => {
      new BackupPlan(LONG, {
        databaseArn: "arn:aws:rds:eu-west-1:123456789012:db:uepe-database",
        fileSystemArn: "arn:aws:elasticfilesystem:eu-west-1:123456789012:file-system/fs-0123456789abcdef0",
      });
      await settle();
      assert.deepEqual(refusals(), []);
      assert.match(String(one(VAULT).inputs.name), /^UEPE_Production-Installation-for-th-vault-[0-9a-f]{8}$/);
      for (const name of [
        one(VAULT).inputs.name,
        ...[one(PLAN, "-database-plan"), one(PLAN, "-file-system-plan")].map((p) => p.inputs.name),
      ])
        assert.match(String(name), /^[a-zA-Z0-9_-]{2,50}$/);
      assert.deepEqual(
        ofType("aws:backup/selection:Selection")
          .map((r) => r.inputs.name)
          .sort(),
        [
          "UEPE_Production.Installation-for-the-E-file-system",
          "UEPE_Production.Installation-for-the-EMEA-database",
        ],
      );
    });
  });

  describe("the mocked account", () => {
    it("refuses a fixed name a resource of another stack holds, and lets the holder keep it", async () => {
      const givenIdentifier = async () => {
        new SystemDatabase("uepe-database", {
          database: { identifier: "uepe-db" },
          network: NETWORK,
          adminPassword: pulumi.secret("Given-Admin-Password-4d1c"),
        });
        await settle();
      };
      resetMocks({ stack: "dev" });
      await givenIdentifier();
      assert.deepEqual(refusals(), []);
      resetMocks({ stack: "dev", keepAccount: true });
      await givenIdentifier();
      assert.deepEqual(refusals(), []);
      resetMocks({ stack: "staging", keepAccount: true });
      await givenIdentifier();
      assert.deepEqual(refusals(), ["DBInstanceAlreadyExists: DB instance uepe-db already exists"]);
    });

    it("forgets the names on a reset without keepAccount", async () => {
      await up("dev", defaultArgs);
      resetMocks({ stack: "staging" });
      assert.deepEqual(accountNames(), []);
    });
  });
});
