import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { ArgumentError, PreUpgradeSnapshot, type UsageEngineStackArgs } from "../sdk";
import { checkRemovedValues, REMOVED_VALUES } from "../sdk/chart/contract";
import { preUpgradeSnapshotIdentifier, snapshotResourceOptions } from "../sdk/upgrade";
import { Checker } from "../sdk/validation";
import { defaultArgs, deploy } from "./fixtures";
import { delays, one, type Recorded, recorded, resetMocks, settle } from "./harness";

const SNAPSHOT = "aws:rds/snapshot:Snapshot";
const INSTANCE = "aws:rds/instance:Instance";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const SNAPSHOT_COMPONENT = "usage-engine:index:PreUpgradeSnapshot";

/** One `pulumi up` of the program under fresh mocks; returns what the engine would receive. */
async function evaluate(args: UsageEngineStackArgs, slow: Record<string, number> = {}): Promise<Recorded[]> {
  resetMocks();
  Object.assign(delays, slow);
  await deploy(args);
  return [...recorded];
}

function byUrn(registrations: Recorded[]): Map<string, Recorded> {
  return new Map(registrations.map((r) => [r.urn, r]));
}

function find(registrations: Recorded[], type: string): Recorded[] {
  return registrations.filter((r) => r.type === type);
}

/** `{ a: { b: true } }` for `a.b`. */
function valuesAt(path: string, value: unknown): Record<string, unknown> {
  return path
    .split(".")
    .reverse()
    .reduce<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>;
}

/** Runs the constructor and returns its ArgumentError; fails if it does not throw one. */
async function rejected(args: UsageEngineStackArgs): Promise<ArgumentError> {
  try {
    await deploy(args);
  } catch (err) {
    assert.ok(err instanceof ArgumentError, `expected an ArgumentError, got ${err}`);
    await settle();
    assert.equal(recorded.length, 0, "a resource was registered before validation failed");
    return err;
  }
  assert.fail("the arguments were accepted");
}

/** The chart values removed in 4.0.0, and the key that replaces each where there is one. */
const REMOVED_IN_4: { path: string; removedIn: string; replacement?: string }[] = [
  { path: "mzOperator.clusterWide", removedIn: "4.0.0" },
  { path: "mzOperator.experimental.performPeriodicWorkflowCleanup", removedIn: "4.0.0" },
  { path: "jmx.remote", removedIn: "4.0.0" },
  { path: "platform.debug.jmx", removedIn: "4.0.0" },
  { path: "suspend.crontab", removedIn: "4.0.0", replacement: "suspend.from" },
  { path: "suspend.duration", removedIn: "4.0.0", replacement: "suspend.until" },
];

/** The cluster identity the file-system backup Job runs under (IRSA). */
const IDENTITY = {
  mode: "irsa" as const,
  oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE0123",
};
const AT_410 = defaultArgs({ version: "4.1.0" });
const TO_420 = defaultArgs({ version: "4.2.0", upgrade: { fromVersion: "4.1.0", identity: IDENTITY } });

describe("upgrades", () => {
  beforeEach(() => resetMocks());

  describe("an existing stack at 4.1.0 moving to 4.2.0", () => {
    it("takes no snapshot on the first install: there is nothing to keep", async () => {
      const install = await evaluate(AT_410);
      assert.equal(find(install, SNAPSHOT).length, 0);
      assert.equal(find(install, SNAPSHOT_COMPONENT).length, 0);
    });

    it("snapshots the system database, named after the running version, before the release moves", async () => {
      const install = await evaluate(AT_410);
      const upgrade = await evaluate(TO_420, { [SNAPSHOT]: 40 });
      const instance = find(upgrade, INSTANCE)[0];
      assert.equal(instance.urn, find(install, INSTANCE)[0].urn, "the upgrade must target the same instance");
      const [snapshot] = find(upgrade, SNAPSHOT);
      assert.ok(snapshot, "no DB snapshot registered for the upgrade");
      assert.equal(snapshot.inputs.dbInstanceIdentifier, instance.inputs.identifier);
      assert.match(
        String(snapshot.inputs.dbSnapshotIdentifier),
        new RegExp(`^${instance.inputs.identifier}-4-1-0-pre-4-2-0-[0-9a-f]{8}$`),
      );
      assert.equal(snapshot.retainOnDelete, true, "the snapshot must outlive the stack");
      const tags = snapshot.inputs.tags as Record<string, string>;
      assert.equal(tags["uepe-version"], "4.1.0");
      assert.equal(tags["uepe-upgrade-to"], "4.2.0");
      assert.equal(tags["managed-by"], "pulumi-usage-engine");

      const release = find(upgrade, RELEASE).find((r) => r.name === "uepe-release")!;
      assert.equal(release.inputs.version, "4.2.0");
      assert.ok(release.dependencies.includes(snapshot.urn), "the release does not wait for the snapshot");
      assert.ok(
        release.startedSeq > snapshot.finishedSeq,
        "the release was sent to the provider before the snapshot existed",
      );
    });

    it("changes only what carries the version, and adds only the upgrade's steps", async () => {
      const before = byUrn(await evaluate(AT_410));
      const after = byUrn(await evaluate(TO_420));
      const added = [...after.values()].filter((r) => !before.has(r.urn)).map((r) => r.type);
      assert.deepEqual(
        added.sort(),
        [
          "usage-engine:index:UpgradeSteps",
          "kubernetes:core/v1:ServiceAccount",
          "kubernetes:rbac.authorization.k8s.io/v1:Role",
          "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
          "kubernetes:core/v1:ConfigMap",
          "kubernetes:batch/v1:Job",
          SNAPSHOT_COMPONENT,
          SNAPSHOT,
          // The snapshot's name suffix: a retried upgrade does not ask for the name of a kept snapshot.
          "random:index/randomId:RandomId",
          "aws:iam/role:Role",
          "aws:iam/rolePolicy:RolePolicy",
          "kubernetes:core/v1:ServiceAccount",
          "kubernetes:batch/v1:Job",
          "kubernetes:batch/v1:Job",
        ].sort(),
      );
      const changedByUrn = new Map<string, string[]>();
      for (const [urn, old] of before) {
        const now = after.get(urn);
        assert.ok(now, `${urn} disappeared in the upgrade`);
        const changed = changedLeaves(old.inputs, now.inputs);
        for (const leaf of changed)
          assert.ok(
            leaf.from.includes("4.1.0") && leaf.to === leaf.from.replaceAll("4.1.0", "4.2.0"),
            `${urn} ${leaf.path}: ${leaf.from} -> ${leaf.to} is not the version change`,
          );
        changedByUrn.set(
          urn,
          changed.map((c) => c.path),
        );
      }
      const release = [...before.values()].find((r) => r.type === RELEASE && r.name === "uepe-release")!;
      assert.ok(
        changedByUrn.get(release.urn)?.includes("version"),
        "the release's chart version did not change",
      );
      for (const untouched of [INSTANCE, "aws:efs/fileSystem:FileSystem", "aws:backup/plan:Plan"])
        for (const r of find([...before.values()], untouched))
          assert.deepEqual(changedByUrn.get(r.urn), [], `${untouched} changed in an upgrade`);
    });

    it("is stable once upgraded: the same program registers the same snapshot again", async () => {
      const first = byUrn(await evaluate(TO_420));
      const second = byUrn(await evaluate(TO_420));
      assert.deepEqual([...second.keys()].sort(), [...first.keys()].sort());
      for (const [urn, r] of first) assert.deepEqual(second.get(urn)!.inputs, r.inputs, urn);
    });

    it("takes a fresh snapshot on the next upgrade; the stack drops the old one, which AWS keeps", async () => {
      const to420 = find(await evaluate(TO_420), SNAPSHOT)[0];
      const to430 = find(
        await evaluate(
          defaultArgs({ version: "4.3.0", upgrade: { fromVersion: "4.2.0", identity: IDENTITY } }),
        ),
        SNAPSHOT,
      )[0];
      assert.notEqual(to430.urn, to420.urn);
      assert.match(to420.name, /4\.1\.0-to-4\.2\.0/);
      assert.match(to430.name, /4\.2\.0-to-4\.3\.0/);
      assert.notEqual(to430.inputs.dbSnapshotIdentifier, to420.inputs.dbSnapshotIdentifier);
      assert.match(String(to430.inputs.dbSnapshotIdentifier), /-4-2-0-pre-4-3-0-[0-9a-f]{8}$/);
      assert.equal(to420.retainOnDelete, true, "the stack forgetting the 4.1.0 snapshot would delete it");
      assert.equal(to430.retainOnDelete, true);
    });

    it("takes no snapshot when told not to, or when fromVersion equals version", async () => {
      const off = await evaluate(
        defaultArgs({
          ...TO_420,
          upgrade: { fromVersion: "4.1.0", snapshotDatabase: false, identity: IDENTITY },
        }),
      );
      assert.equal(find(off, SNAPSHOT).length, 0);
      const same = await evaluate(defaultArgs({ version: "4.2.0", upgrade: { fromVersion: "4.2.0" } }));
      assert.equal(find(same, SNAPSHOT).length, 0);
    });

    it("takes no snapshot of an external database, and refuses to be asked for one", async () => {
      const external = {
        mode: "external" as const,
        external: { type: "postgresql" as const, host: "db.example.com", adminPassword: "Admin-Pass-9e8d" },
      };
      const none = await evaluate(defaultArgs({ ...TO_420, database: external }));
      assert.equal(find(none, SNAPSHOT).length, 0);
      resetMocks();
      const err = await rejected(
        defaultArgs({
          ...TO_420,
          database: external,
          upgrade: { fromVersion: "4.1.0", snapshotDatabase: true, identity: IDENTITY },
        }),
      );
      assert.match(err.message, /upgrade\.snapshotDatabase: needs an RDS system database/);
    });
  });

  describe("holdRelease, retired", () => {
    it("is refused with the reason, before any resource", async () => {
      const err = await rejected(
        defaultArgs({
          version: "4.2.0",
          // @ts-expect-error retired on purpose: the argument no longer exists
          upgrade: { fromVersion: "4.1.0", identity: IDENTITY, holdRelease: true },
        }),
      );
      assert.deepEqual(
        err.problems.map((p) => p.path),
        ["upgrade.holdRelease"],
      );
      assert.match(
        err.message,
        /upgrade\.holdRelease: was retired: the upgrade now backs up the file system itself/,
      );
      assert.match(err.message, /expected the key removed/);
    });
  });

  describe("downgrades and versions", () => {
    it("refuses a downgrade before any resource, naming how to allow it", async () => {
      const err = await rejected(defaultArgs({ version: "4.1.0", upgrade: { fromVersion: "4.2.0" } }));
      assert.deepEqual(
        err.problems.map((p) => p.path),
        ["version"],
      );
      assert.match(err.message, /"4\.1\.0" is lower than upgrade\.fromVersion "4\.2\.0"/);
      assert.match(err.message, /upgrade\.allowDowngrade: true/);
    });

    it("rolls back when allowed, snapshotting the newer database first", async () => {
      const rollback = await evaluate(
        defaultArgs({
          version: "4.1.0",
          upgrade: { fromVersion: "4.2.0", allowDowngrade: true, identity: IDENTITY },
        }),
      );
      const release = find(rollback, RELEASE).find((r) => r.name === "uepe-release")!;
      assert.equal(release.inputs.version, "4.1.0");
      assert.match(
        String(find(rollback, SNAPSHOT)[0].inputs.dbSnapshotIdentifier),
        /-4-2-0-pre-4-1-0-[0-9a-f]{8}$/,
      );
    });

    it("orders prereleases as semver does", async () => {
      await rejected(defaultArgs({ version: "4.2.0-rc.1", upgrade: { fromVersion: "4.2.0" } }));
      resetMocks();
      const ga = await evaluate(
        defaultArgs({ version: "4.2.0", upgrade: { fromVersion: "4.2.0-rc.1", identity: IDENTITY } }),
      );
      assert.match(
        String(find(ga, SNAPSHOT)[0].inputs.dbSnapshotIdentifier),
        /-4-2-0-rc-1-pre-4-2-0-[0-9a-f]{8}$/,
      );
    });

    it("rejects versions that are not semver and unknown upgrade keys, all at once", async () => {
      const err = await rejected(
        defaultArgs({
          version: "4.2",
          // @ts-expect-error misspelled on purpose
          upgrade: { fromVersion: "latest", allowDowngrades: true, snapshotDatabase: "yes" },
        }),
      );
      const paths = err.problems.map((p) => p.path).sort();
      assert.deepEqual(paths, [
        "upgrade.allowDowngrades",
        "upgrade.fromVersion",
        "upgrade.snapshotDatabase",
        "version",
      ]);
      assert.match(
        err.message,
        /upgrade\.allowDowngrades: is not a known argument \(did you mean "allowDowngrade"\?\)/,
      );
      assert.match(err.message, /upgrade\.fromVersion: "latest" is not a semantic version/);
    });
  });

  describe("removed chart values", () => {
    it("knows exactly the removed keys tested here", () => {
      assert.deepEqual(
        REMOVED_VALUES.map((r) => [r.path, r.removedIn]),
        REMOVED_IN_4.map((r) => [r.path, r.removedIn]),
      );
    });

    for (const removed of REMOVED_IN_4) {
      it(`refuses values.${removed.path} from chart ${removed.removedIn} on`, async () => {
        const err = await rejected(defaultArgs({ values: valuesAt(removed.path, true) }));
        assert.equal(err.problems.length, 1);
        const [problem] = err.problems;
        assert.equal(problem.path, `values.${removed.path}`);
        assert.match(
          problem.message,
          new RegExp(`removed from the chart in version ${removed.removedIn.replace(/\./g, "\\.")}`),
        );
        if (removed.replacement)
          assert.ok(
            problem.message.includes(removed.replacement),
            `no replacement named in: ${problem.message}`,
          );
        else assert.match(problem.message, /no replacement/);
      });
    }

    it("names suspend.from and suspend.until as the replacements of the old suspend keys", async () => {
      const err = await rejected(
        defaultArgs({ values: { suspend: { crontab: "0 2 * * *", duration: 7200 } } }),
      );
      const messages = Object.fromEntries(err.problems.map((p) => [p.path, p.message]));
      assert.match(messages["values.suspend.crontab"], /expected suspend\.from/);
      assert.match(messages["values.suspend.duration"], /expected suspend\.until/);
    });

    it("reports every removed key in one error", async () => {
      const values = REMOVED_IN_4.reduce<Record<string, unknown>>(
        (all, r) => mergeDeep(all, valuesAt(r.path, "x")),
        {},
      );
      const err = await rejected(defaultArgs({ values }));
      assert.deepEqual(
        err.problems.map((p) => p.path).sort(),
        REMOVED_IN_4.map((r) => `values.${r.path}`).sort(),
      );
    });

    it("accepts the keys for a chart version that still has them, and null (which drops a key)", async () => {
      await evaluate(
        defaultArgs({ chart: { version: "3.3.0" }, values: { suspend: { crontab: "0 2 * * *" } } }),
      );
      assert.ok(recorded.length > 0);
      await evaluate(defaultArgs({ values: { jmx: { remote: null }, mzOperator: { enabled: true } } }));
      assert.ok(recorded.length > 0);
    });

    it("checks the chart version that is installed when the chart source overrides it", async () => {
      const err = await rejected(
        defaultArgs({ version: "4.2.0", chart: { version: "4.0.0" }, values: { jmx: { remote: true } } }),
      );
      assert.match(
        err.message,
        /values\.jmx\.remote: was removed from the chart in version 4\.0\.0 \(deploying 4\.0\.0\)/,
      );
    });

    it("skips values only known at deployment time", () => {
      const check = new Checker("test");
      checkRemovedValues(check, "values", { jmx: pulumi.output({ remote: true }) }, "4.2.0");
      assert.doesNotThrow(() => check.throwIfAny());
      checkRemovedValues(check, "values", { jmx: { remote: true } }, "4.2.0");
      assert.throws(() => check.throwIfAny(), /values\.jmx\.remote: was removed/);
    });
  });

  describe("restore", () => {
    it("creates the stack's instance from database.snapshotIdentifier", async () => {
      const id = "uepe-database-4-1-0-pre-4-2-0";
      const restore = await evaluate(defaultArgs({ database: { snapshotIdentifier: id } }));
      assert.equal(find(restore, INSTANCE)[0].inputs.snapshotIdentifier, id);
      const arn = "arn:aws:rds:eu-west-1:123456789012:snapshot:uepe-database-4-1-0-pre-4-2-0";
      const fromArn = await evaluate(defaultArgs({ database: { snapshotIdentifier: arn } }));
      assert.equal(find(fromArn, INSTANCE)[0].inputs.snapshotIdentifier, arn);
    });

    for (const bad of [
      "4-1-0-backup",
      "uepe--db",
      "uepe-db-",
      "uepe_db",
      "arn:aws:rds:eu-west-1:1234:snapshot:x",
    ]) {
      it(`rejects the malformed snapshot identifier ${JSON.stringify(bad)}`, async () => {
        const err = await rejected(defaultArgs({ database: { snapshotIdentifier: bad } }));
        assert.deepEqual(
          err.problems.map((p) => p.path),
          ["database.snapshotIdentifier"],
        );
        assert.match(err.message, /a DB snapshot identifier or ARN/);
      });
    }
  });

  describe("PreUpgradeSnapshot on its own", () => {
    it("derives an RDS-valid identifier from any semver", () => {
      const id = preUpgradeSnapshotIdentifier("uepe-database", "4.1.0+build.7", "4.2.0-rc.1", "9b1e04c7");
      assert.equal(id, "uepe-database-4-1-0-build-7-pre-4-2-0-rc-1-9b1e04c7");
      assert.match(id, /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
    });

    it("retains the snapshot on delete and gives its creation time", () => {
      const parent = {} as pulumi.Resource;
      const opts = snapshotResourceOptions(parent);
      assert.equal(opts.retainOnDelete, true);
      assert.equal(opts.parent, parent);
      assert.ok(opts.customTimeouts?.create, "no create timeout");
    });

    it("refuses an upgrade to the same version or a non-semver, before registering", async () => {
      assert.throws(
        () =>
          new PreUpgradeSnapshot("p", {
            instanceId: "uepe-database",
            fromVersion: "4.2.0",
            toVersion: "4.2.0",
          }),
        /toVersion: equals fromVersion/,
      );
      assert.throws(
        () =>
          new PreUpgradeSnapshot("p", {
            instanceId: "uepe-database",
            fromVersion: "four",
            toVersion: "4.2.0",
          }),
        /fromVersion: "four" is not a semantic version/,
      );
      await settle();
      assert.equal(recorded.length, 0);
    });

    it("snapshots the given instance when used alone", async () => {
      new PreUpgradeSnapshot("alone", { instanceId: "legacy-db", fromVersion: "4.0.0", toVersion: "4.1.0" });
      await settle();
      const snapshot = one(SNAPSHOT);
      assert.equal(snapshot.inputs.dbInstanceIdentifier, "legacy-db");
      assert.match(String(snapshot.inputs.dbSnapshotIdentifier), /^legacy-db-4-0-0-pre-4-1-0-[0-9a-f]{8}$/);
      assert.equal(snapshot.parent, one(SNAPSHOT_COMPONENT).urn);
    });
  });
});

function mergeDeep(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b))
    out[k] =
      typeof v === "object" && v !== null && typeof out[k] === "object" && out[k] !== null
        ? mergeDeep(out[k] as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  return out;
}

/** Leaf paths whose values differ between two input bags, rendered as strings. */
function changedLeaves(a: unknown, b: unknown, path = ""): { path: string; from: string; to: string }[] {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => changedLeaves(a[k], b[k], path ? `${path}.${k}` : k));
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [{ path, from: String(a), to: String(b) }];
}
