/**
 * The upgrade's steps (issue 18): with `upgrade.fromVersion` different from `version`, one
 * `pulumi up` stops the platform, snapshots the database, backs up the file system, upgrades the
 * release and starts the platform, each step after the one before, under an `UpgradeSteps`
 * component that `pulumi preview` lists.
 */
import * as assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import { ArgumentError, type UsageEngineStackArgs } from "../sdk";
import { replicasToRestore, stepObjectName, stepTimeout, UpgradeSteps } from "../sdk/upgradeSteps";
import { defaultArgs, deploy } from "./fixtures";
import { at, delays, existing, one, type Recorded, recorded, resetMocks, settle } from "./harness";
import { imageProblems, restrictedViolations } from "./podSecurity";

const JOB = "kubernetes:batch/v1:Job";
const SNAPSHOT = "aws:rds/snapshot:Snapshot";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const STEPS = "usage-engine:index:UpgradeSteps";
const ROLE = "kubernetes:rbac.authorization.k8s.io/v1:Role";
const BINDING = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding";
const ACCOUNT = "kubernetes:core/v1:ServiceAccount";
const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";
const IAM_ROLE = "aws:iam/role:Role";
const STATEFUL_SET = "kubernetes:apps/v1:StatefulSet";

const OIDC = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE0123";
const IRSA = { mode: "irsa" as const, oidcProviderArn: OIDC };
const POD_IDENTITY = { mode: "podIdentity" as const, clusterName: "uepe-cluster" };

/** The names the issue asks for: both versions in every step's name. */
const N = "uepe-upgrade-4.1.0-to-4.2.0";
const K = "uepe-upgrade-4-1-0-to-4-2-0";

function upgrade(extra: UsageEngineStackArgs["upgrade"] = {}, overrides: Partial<UsageEngineStackArgs> = {}) {
  return defaultArgs({
    version: "4.2.0",
    upgrade: { fromVersion: "4.1.0", identity: IRSA, ...extra },
    ...overrides,
  });
}

async function evaluate(args: UsageEngineStackArgs, slow: Record<string, number> = {}): Promise<Recorded[]> {
  resetMocks();
  Object.assign(delays, slow);
  await deploy(args);
  return [...recorded];
}

function named(registrations: Recorded[], type: string, name: string): Recorded {
  const found = registrations.filter((r) => r.type === type && r.name === name);
  assert.equal(found.length, 1, `expected one ${type} ${name}, found ${found.length}`);
  return found[0];
}

interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: Record<string, unknown> }[];
}
interface PodSpec {
  serviceAccountName: string;
  automountServiceAccountToken: boolean;
  initContainers?: Container[];
  containers: Container[];
}

function podOf(job: Recorded): PodSpec {
  return at(job.inputs, "spec.template.spec") as PodSpec;
}

function containersOf(pod: PodSpec): Container[] {
  return [...(pod.initContainers ?? []), ...pod.containers];
}

/** The kubectl calls of a pod, in the order they run (init containers first). */
function calls(pod: PodSpec): string[][] {
  return containersOf(pod).map((c) => c.args ?? []);
}

function envOf(container: Container): Record<string, unknown> {
  return Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value ?? e.valueFrom]));
}

/** URNs of what one evaluation registered and the other did not, by `type name`. */
function removed(base: Recorded[], other: Recorded[]): string[] {
  const kept = new Set(other.map((r) => r.urn));
  return base
    .filter((r) => !kept.has(r.urn))
    .map((r) => `${r.type} ${r.name}`)
    .sort();
}

async function rejected(args: UsageEngineStackArgs): Promise<ArgumentError> {
  resetMocks();
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

describe("upgrade steps", () => {
  beforeEach(() => resetMocks());

  describe("order: one `pulumi up` runs the vendor's sequence", () => {
    it("runs 1 platform down → 2 snapshot → 3 file-system backup → 4 release → 5 platform up, each after the previous finished", async () => {
      const all = await evaluate(upgrade(), { [JOB]: 40, [SNAPSHOT]: 40, [RELEASE]: 40 });
      const sequence = [
        named(all, JOB, `${N}-platform-down`),
        named(all, SNAPSHOT, `${N}-database-snapshot`),
        named(all, JOB, `${N}-file-system-backup`),
        named(all, RELEASE, "uepe-release"),
        named(all, JOB, `${N}-platform-up`),
      ];
      for (let i = 1; i < sequence.length; i++) {
        const [before, after] = [sequence[i - 1], sequence[i]];
        assert.ok(after.dependencies.includes(before.urn), `${after.name} does not wait for ${before.name}`);
        assert.ok(
          after.startedAt >= before.finishedAt && after.startedSeq > before.finishedSeq,
          `${after.name} started before ${before.name} finished`,
        );
      }
    });

    it("waits on the release's other inputs before the platform goes down: its downtime holds only the steps", async () => {
      const all = await evaluate(upgrade(), { [`${JOB}::uepe-registry-bootstrap`]: 60 });
      const bootstrap = named(all, JOB, "uepe-registry-bootstrap");
      const down = named(all, JOB, `${N}-platform-down`);
      assert.ok(
        down.startedAt >= bootstrap.finishedAt,
        "the platform went down before the pull secret existed",
      );
      const stack = one("usage-engine:index:UsageEngineStack").urn;
      const parts = [
        "Tls",
        "RegistryAccess",
        "SystemCredentials",
        "AuthorizationServerSecrets",
        "SharedStorage",
      ];
      for (const part of parts) {
        const component = all.find((r) => r.type === `usage-engine:index:${part}` && r.parent === stack);
        assert.ok(component, `${part} missing`);
        const children = all.filter((r) => r.parent === component.urn && r.custom).map((r) => r.urn);
        assert.ok(
          children.some((urn) => down.dependencies.includes(urn)),
          `the platform goes down without waiting for ${part}`,
        );
      }
    });

    it("keeps the order of the steps that remain when one is opted out", async () => {
      const noSnapshot = await evaluate(upgrade({ snapshotDatabase: false }), { [JOB]: 30 });
      const down = named(noSnapshot, JOB, `${N}-platform-down`);
      const backup = named(noSnapshot, JOB, `${N}-file-system-backup`);
      assert.ok(backup.dependencies.includes(down.urn) && backup.startedAt >= down.finishedAt);
      const noShutdown = await evaluate(upgrade({ shutdownPlatform: false }), { [SNAPSHOT]: 30 });
      const snapshot = named(noShutdown, SNAPSHOT, `${N}-database-snapshot`);
      const backup2 = named(noShutdown, JOB, `${N}-file-system-backup`);
      assert.ok(backup2.startedAt >= snapshot.finishedAt);
      const release = named(noShutdown, RELEASE, "uepe-release");
      assert.ok(release.dependencies.includes(backup2.urn) && release.dependencies.includes(snapshot.urn));
    });
  });

  describe("what `pulumi preview` shows", () => {
    it("lists every step as a resource under one UpgradeSteps child of the stack, also in preview", async () => {
      resetMocks({ preview: true });
      await deploy(upgrade());
      const steps = one(STEPS);
      assert.equal(steps.name, N);
      assert.equal(steps.parent, one("usage-engine:index:UsageEngineStack").urn);
      const under = recorded.filter((r) => r.parent === steps.urn).map((r) => `${r.type} ${r.name}`);
      assert.deepEqual(
        under.sort(),
        [
          `${ACCOUNT} ${N}-file-system-backup`,
          `${ACCOUNT} ${N}-platform-scaler`,
          `${CONFIG_MAP} ${N}-platform-replicas`,
          `${JOB} ${N}-file-system-backup`,
          `${JOB} ${N}-platform-down`,
          `${JOB} ${N}-platform-up`,
          `${ROLE} ${N}-platform-scaler`,
          `${BINDING} ${N}-platform-scaler`,
          `${IAM_ROLE} ${N}-file-system-backup`,
          `aws:iam/rolePolicy:RolePolicy ${N}-file-system-backup-backup`,
          `usage-engine:index:PreUpgradeSnapshot ${N}-database`,
        ].sort(),
      );
      const snapshotComponent = one("usage-engine:index:PreUpgradeSnapshot");
      assert.equal(one(SNAPSHOT).parent, snapshotComponent.urn);
    });

    it("names every step after both versions, in Pulumi and in the cluster", async () => {
      const all = await evaluate(upgrade());
      const steps = one(STEPS).urn;
      const stepResources = all.filter((r) => r.parent === steps || r.type === SNAPSHOT);
      for (const r of stepResources) assert.ok(r.name.startsWith(`${N}-`), r.name);
      const objects = stepResources.filter((r) => r.type.startsWith("kubernetes:"));
      assert.deepEqual(objects.map((r) => at(r.inputs, "metadata.name")).sort(), [
        `${K}-file-system-backup`,
        `${K}-file-system-backup`,
        `${K}-platform-down`,
        `${K}-platform-replicas`,
        `${K}-platform-scaler`,
        `${K}-platform-scaler`,
        `${K}-platform-scaler`,
        `${K}-platform-up`,
      ]);
      for (const r of objects) assert.equal(at(r.inputs, "metadata.namespace"), "uepe");
    });

    it("keeps Job names within 63 characters for any versions, distinct per upgrade", () => {
      const long = stepObjectName(
        "uepe",
        "4.1.0-rc.12+build.2024.06.01",
        "4.2.0-rc.3+build.2024.09.30",
        "platform-down",
      );
      assert.ok(long.length <= 63, long);
      assert.match(long, /^uepe-upgrade-4-1-0-rc-12-build-2024-06-0-[0-9a-f]{8}-platform-down$/);
      const other = stepObjectName(
        "uepe",
        "4.1.0-rc.12+build.2024.06.01",
        "4.2.0-rc.3+build.2024.09.31",
        "platform-down",
      );
      assert.notEqual(long, other);
      assert.equal(
        stepObjectName("uepe", "4.1.0", "4.2.0", "platform-up"),
        "uepe-upgrade-4-1-0-to-4-2-0-platform-up",
      );
    });
  });

  describe("steps 1 and 5: the platform scaler", () => {
    it("may only read and scale sts/platform and follow pod platform-0, by name", async () => {
      const all = await evaluate(upgrade());
      const role = named(all, ROLE, `${N}-platform-scaler`);
      assert.deepEqual(role.inputs.rules, [
        { apiGroups: ["apps"], resources: ["statefulsets"], resourceNames: ["platform"], verbs: ["get"] },
        {
          apiGroups: ["apps"],
          resources: ["statefulsets/scale"],
          resourceNames: ["platform"],
          verbs: ["get", "patch"],
        },
        {
          apiGroups: [""],
          resources: ["pods"],
          resourceNames: ["platform-0"],
          verbs: ["get", "list", "watch"],
        },
      ]);
      const binding = named(all, BINDING, `${N}-platform-scaler`);
      assert.deepEqual(binding.inputs.subjects, [
        { kind: "ServiceAccount", name: `${K}-platform-scaler`, namespace: "uepe" },
      ]);
      assert.deepEqual(binding.inputs.roleRef, {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "Role",
        name: `${K}-platform-scaler`,
      });
      assert.equal(all.filter((r) => r.type.includes("ClusterRole")).length, 0);
      const steps = one(STEPS).urn;
      assert.equal(
        all.filter((r) => r.type === ROLE && r.parent === steps).length,
        1,
        "the backup Job got RBAC",
      );
      for (const job of [`${N}-platform-down`, `${N}-platform-up`])
        assert.equal(podOf(named(all, JOB, job)).serviceAccountName, `${K}-platform-scaler`);
    });

    it("step 1 scales sts/platform to 0, then waits until platform-0 is gone, within its deadline", async () => {
      const job = named(await evaluate(upgrade()), JOB, `${N}-platform-down`);
      assert.deepEqual(calls(podOf(job)), [
        ["scale", "statefulset/platform", "--replicas=0", "--namespace=$(POD_NAMESPACE)"],
        ["wait", "--for=delete", "pod/platform-0", "--timeout=540s", "--namespace=$(POD_NAMESPACE)"],
      ]);
      assert.equal(at(job.inputs, "spec.activeDeadlineSeconds"), 600);
      assert.equal(at(job.inputs, "spec.backoffLimit"), 1);
      assert.deepEqual(at(job.inputs, "metadata.annotations"), { "pulumi.com/replaceUnready": "true" });
      assert.equal(
        at(job.inputs, "spec.ttlSecondsAfterFinished"),
        undefined,
        "a vanished Job would run again",
      );
    });

    it("records the replicas before step 1 and step 5 restores them, then waits until platform-0 is ready", async () => {
      resetMocks();
      existing[`${STATEFUL_SET}::uepe/platform`] = { spec: { replicas: 3 } };
      await deploy(upgrade());
      const record = one(CONFIG_MAP, "platform-replicas");
      assert.deepEqual(record.inputs.data, { replicas: "3" });
      assert.deepEqual(record.ignoreChanges, ["data"], "a rerun after a failed release would record 0");
      const down = one(JOB, "platform-down");
      assert.ok(
        down.dependencies.includes(record.urn),
        "the platform may go down before its replicas are recorded",
      );
      const up = one(JOB, "platform-up");
      const pod = podOf(up);
      assert.deepEqual(calls(pod), [
        ["scale", "statefulset/platform", "--replicas=$(REPLICAS)", "--namespace=$(POD_NAMESPACE)"],
        ["wait", "--for=create", "pod/platform-0", "--timeout=300s", "--namespace=$(POD_NAMESPACE)"],
        [
          "wait",
          "--for=condition=Ready",
          "pod/platform-0",
          "--timeout=1800s",
          "--namespace=$(POD_NAMESPACE)",
        ],
      ]);
      assert.deepEqual(envOf(pod.initContainers?.[0] ?? pod.containers[0]).REPLICAS, {
        configMapKeyRef: { name: `${K}-platform-replicas`, key: "replicas" },
      });
      assert.equal(
        at(up.inputs, "spec.activeDeadlineSeconds"),
        2400,
        "no time for the first start's migration",
      );
    });

    it("starts a platform found stopped with one replica, the vendor's count", () => {
      assert.equal(replicasToRestore(undefined), "1");
      assert.equal(replicasToRestore(0), "1");
      assert.equal(replicasToRestore(1), "1");
      assert.equal(replicasToRestore(2), "2");
    });

    it("gives Pulumi a longer timeout than each Job's deadline, so the Job's own failure is reported", () => {
      assert.equal(stepTimeout(600), "15m");
      assert.equal(stepTimeout(2400), "45m");
      assert.equal(stepTimeout(10800), "185m");
    });

    it("acts on renamed platform objects", async () => {
      const all = await evaluate(upgrade({ platformStatefulSet: "uepe-platform" }));
      const rules = named(all, ROLE, `${N}-platform-scaler`).inputs.rules as { resourceNames: string[] }[];
      assert.deepEqual(
        rules.map((r) => r.resourceNames),
        [["uepe-platform"], ["uepe-platform"], ["uepe-platform-0"]],
      );
      assert.deepEqual(calls(podOf(named(all, JOB, `${N}-platform-down`)))[1].slice(0, 3), [
        "wait",
        "--for=delete",
        "pod/uepe-platform-0",
      ]);
      const pod = await evaluate(upgrade({ platformPod: "platform-1" }));
      assert.equal(calls(podOf(named(pod, JOB, `${N}-platform-up`)))[2][2], "pod/platform-1");
    });
  });

  describe("step 3: the file-system backup", () => {
    it("starts an on-demand AWS Backup job of the stack's EFS into its vault with its backup role, and waits for it", async () => {
      const all = await evaluate(upgrade());
      const job = named(all, JOB, `${N}-file-system-backup`);
      const pod = podOf(job);
      assert.equal(pod.containers.length, 1);
      const [container] = pod.containers;
      assert.deepEqual(container.command?.slice(0, 2), ["/bin/sh", "-c"]);
      const script = container.command?.[2] ?? "";
      assert.match(
        script,
        /aws backup start-backup-job --backup-vault-name "\$VAULT_NAME" --resource-arn "\$FILE_SYSTEM_ARN"/,
      );
      assert.match(script, /aws backup describe-backup-job --backup-job-id "\$job" --query State/);
      assert.match(script, /COMPLETED\)[\s\S]*exit 0/);
      assert.match(script, /ABORTED\|FAILED\|EXPIRED\|PARTIAL\)[\s\S]*exit 1/);
      const env = envOf(container);
      const efs = all.find((r) => r.type === "aws:efs/fileSystem:FileSystem");
      const vault = all.find((r) => r.type === "aws:backup/vault:Vault");
      const backupRole = all.find((r) => r.type === IAM_ROLE && r.name === "uepe-backup-role");
      assert.equal(env.FILE_SYSTEM_ARN, efs?.outputs.arn);
      assert.equal(env.VAULT_NAME, vault?.outputs.name);
      assert.equal(env.BACKUP_ROLE_ARN, backupRole?.outputs.arn);
      assert.equal(env.AWS_REGION, "eu-west-1");
      assert.equal(env.AWS_EC2_METADATA_DISABLED, "true");
      assert.equal(env.RETENTION_DAYS, "35");
      assert.deepEqual(JSON.parse(String(env.RECOVERY_POINT_TAGS)), {
        Name: `${K}-file-system-backup`,
        "managed-by": "pulumi-usage-engine",
        "uepe-upgrade-to": "4.2.0",
        "uepe-version": "4.1.0",
      });
      assert.deepEqual(env.IDEMPOTENCY_TOKEN, {
        fieldRef: { apiVersion: "v1", fieldPath: "metadata.labels['batch.kubernetes.io/controller-uid']" },
      });
      assert.equal(at(job.inputs, "spec.activeDeadlineSeconds"), 10800);
      assert.equal(
        pod.automountServiceAccountToken,
        false,
        "the backup pod has no business with the Kubernetes API",
      );
    });

    it("runs under an IAM role that trusts only its ServiceAccount (IRSA) and may only back up into the vault", async () => {
      const all = await evaluate(upgrade());
      const role = named(all, IAM_ROLE, `${N}-file-system-backup`);
      const trust = JSON.parse(String(role.inputs.assumeRolePolicy));
      assert.deepEqual(trust.Statement, [
        {
          Effect: "Allow",
          Principal: { Federated: OIDC },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE0123:sub": `system:serviceaccount:uepe:${K}-file-system-backup`,
              "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE0123:aud": "sts.amazonaws.com",
            },
          },
        },
      ]);
      const account = named(all, ACCOUNT, `${N}-file-system-backup`);
      assert.deepEqual(at(account.inputs, "metadata.annotations"), {
        "eks.amazonaws.com/role-arn": role.outputs.arn,
      });
      assert.equal(
        podOf(named(all, JOB, `${N}-file-system-backup`)).serviceAccountName,
        `${K}-file-system-backup`,
      );
      const vault = all.find((r) => r.type === "aws:backup/vault:Vault");
      const backupRole = all.find((r) => r.type === IAM_ROLE && r.name === "uepe-backup-role");
      const policy = JSON.parse(
        String(named(all, "aws:iam/rolePolicy:RolePolicy", `${N}-file-system-backup-backup`).inputs.policy),
      );
      assert.deepEqual(policy.Statement, [
        {
          Sid: "StartBackupIntoTheVault",
          Effect: "Allow",
          Action: "backup:StartBackupJob",
          Resource: vault?.outputs.arn,
        },
        { Sid: "FollowBackupJobs", Effect: "Allow", Action: "backup:DescribeBackupJob", Resource: "*" },
        {
          Sid: "PassTheBackupRole",
          Effect: "Allow",
          Action: "iam:PassRole",
          Resource: backupRole?.outputs.arn,
          Condition: { StringEquals: { "iam:PassedToService": "backup.amazonaws.com" } },
        },
      ]);
    });

    it("with Pod Identity: the association binds the role to its ServiceAccount only, before the Job starts", async () => {
      const all = await evaluate(upgrade({ identity: POD_IDENTITY }));
      const association = named(
        all,
        "aws:eks/podIdentityAssociation:PodIdentityAssociation",
        `${N}-file-system-backup`,
      );
      assert.equal(association.inputs.clusterName, "uepe-cluster");
      assert.equal(association.inputs.namespace, "uepe");
      assert.equal(association.inputs.serviceAccount, `${K}-file-system-backup`);
      const role = named(all, IAM_ROLE, `${N}-file-system-backup`);
      assert.equal(association.inputs.roleArn, role.outputs.arn);
      assert.deepEqual(JSON.parse(String(role.inputs.assumeRolePolicy)).Statement[0].Principal, {
        Service: "pods.eks.amazonaws.com",
      });
      assert.equal(
        at(named(all, ACCOUNT, `${N}-file-system-backup`).inputs, "metadata.annotations"),
        undefined,
      );
      assert.ok(named(all, JOB, `${N}-file-system-backup`).dependencies.includes(association.urn));
    });

    it("refuses at plan time without a cluster identity, naming both ways out", async () => {
      const err = await rejected(defaultArgs({ version: "4.2.0", upgrade: { fromVersion: "4.1.0" } }));
      assert.deepEqual(
        err.problems.map((p) => p.path),
        ["upgrade.identity"],
      );
      assert.match(err.message, /upgrade\.identity: is needed to back up the file system/);
      assert.match(err.message, /mode: "irsa", oidcProviderArn \} or \{ mode: "podIdentity", clusterName \}/);
      assert.match(err.message, /or upgrade\.backupFileSystem: false/);
    });

    it("needs no identity when opted out, or on an unchanged version", async () => {
      const off = await evaluate(
        defaultArgs({ version: "4.2.0", upgrade: { fromVersion: "4.1.0", backupFileSystem: false } }),
      );
      assert.ok(off.some((r) => r.name === `${N}-platform-down`));
      const same = await evaluate(defaultArgs({ version: "4.2.0", upgrade: { fromVersion: "4.2.0" } }));
      assert.equal(same.filter((r) => r.type === STEPS).length, 0);
    });

    it("refuses to back up what the package cannot: no vault, or a claim it does not own", async () => {
      const noVault = await rejected(upgrade({}, { backup: { enabled: false } }));
      assert.deepEqual(
        noVault.problems.map((p) => p.path),
        ["upgrade.backupFileSystem"],
      );
      assert.match(
        noVault.message,
        /backup\.enabled is false; expected backup\.enabled true, or upgrade\.backupFileSystem: false/,
      );
      const claim = { mode: "existingClaim" as const, existingClaim: "uepe-shared" };
      const mine = await rejected(upgrade({ backupFileSystem: true }, { storage: claim }));
      assert.match(mine.message, /upgrade\.backupFileSystem: needs the EFS file system the package creates/);
      const skipped = await evaluate(
        defaultArgs({ version: "4.2.0", upgrade: { fromVersion: "4.1.0" }, storage: claim }),
      );
      assert.equal(skipped.filter((r) => r.name.includes("file-system-backup")).length, 0);
      assert.ok(
        skipped.some((r) => r.name === `${N}-platform-down`),
        "the other steps still run",
      );
    });
  });

  describe("the package's own workloads", () => {
    for (const identity of [IRSA, POD_IDENTITY])
      it(`every step Job meets Pod Security restricted and runs pinned images (${identity.mode})`, async () => {
        const all = await evaluate(upgrade({ identity }));
        const jobs = all.filter((r) => r.type === JOB && r.name.startsWith(N));
        assert.equal(jobs.length, 3);
        for (const job of jobs) {
          const pod = at(job.inputs, "spec.template.spec");
          assert.deepEqual(restrictedViolations(pod), [], job.name);
          for (const c of containersOf(podOf(job)))
            assert.deepEqual(imageProblems(c.image), [], `${job.name}/${c.name}`);
        }
        assert.deepEqual(
          Object.fromEntries(
            jobs.map((j) => [j.name, [...new Set(containersOf(podOf(j)).map((c) => c.image))]]),
          ),
          {
            [`${N}-platform-down`]: ["registry.k8s.io/kubectl:v1.36.4"],
            [`${N}-file-system-backup`]: ["public.ecr.aws/aws-cli/aws-cli:2.36.49"],
            [`${N}-platform-up`]: ["registry.k8s.io/kubectl:v1.36.4"],
          },
        );
      });

    it("runs the images given for the upgrade, else the registry refresher's", async () => {
      const given = await evaluate(
        upgrade({
          kubectlImage: "registry.example.com/kubectl:v1.33.2",
          awsCliImage: "registry.example.com/aws-cli:2.27.1",
        }),
      );
      assert.equal(
        podOf(named(given, JOB, `${N}-platform-down`)).containers[0].image,
        "registry.example.com/kubectl:v1.33.2",
      );
      assert.equal(
        podOf(named(given, JOB, `${N}-file-system-backup`)).containers[0].image,
        "registry.example.com/aws-cli:2.27.1",
      );
      const refresher = defaultArgs().registry;
      const inherited = await evaluate(
        upgrade({}, { registry: { ...refresher, kubectlImage: "registry.example.com/kubectl:v1.34.0" } }),
      );
      assert.equal(
        podOf(named(inherited, JOB, `${N}-platform-up`)).containers[0].image,
        "registry.example.com/kubectl:v1.34.0",
      );
    });
  });

  describe("zero churn and fresh steps", () => {
    it("registers identical resources on a second evaluation with the same versions", async () => {
      const run = async (replicas: number) => {
        resetMocks();
        existing[`${STATEFUL_SET}::uepe/platform`] = { spec: { replicas } };
        await deploy(upgrade());
        return new Map(
          recorded.map((r) => [
            r.urn,
            {
              inputs: JSON.stringify(r.raw),
              options: JSON.stringify([
                r.protect,
                r.retainOnDelete,
                r.ignoreChanges,
                [...r.dependencies].sort(),
              ]),
            },
          ]),
        );
      };
      const first = await run(2);
      // The second run finds the platform as the first left it, or at 0 after a failed release:
      // the record keeps what it first read (the engine ignores its data from then on).
      const second = await run(0);
      assert.deepEqual([...second.keys()].sort(), [...first.keys()].sort());
      const record = [...first.keys()].find((urn) => urn.endsWith(`${N}-platform-replicas`));
      assert.ok(record && [...first.keys()].some((urn) => urn.endsWith(`${N}-platform-down`)));
      for (const [urn, registration] of first) {
        assert.equal(second.get(urn)?.options, registration.options, urn);
        if (urn !== record) assert.equal(second.get(urn)?.inputs, registration.inputs, urn);
      }
      assert.match(first.get(record)?.inputs ?? "", /"replicas":"2"/);
      assert.match(first.get(record)?.options ?? "", /\["data"\]/);
    });

    it("gives the next upgrade fresh steps, sharing no URN with the last one's", async () => {
      const stepsOf = (rs: Recorded[]) => rs.filter((r) => r.name.includes("-upgrade-")).map((r) => r.urn);
      const to420 = stepsOf(await evaluate(upgrade()));
      const to430 = stepsOf(
        await evaluate(defaultArgs({ version: "4.3.0", upgrade: { fromVersion: "4.2.0", identity: IRSA } })),
      );
      assert.equal(to430.length, to420.length);
      assert.deepEqual(
        to430.filter((urn) => to420.includes(urn)),
        [],
      );
      assert.ok(to430.every((urn) => urn.includes("4.2.0-to-4.3.0")));
    });
  });

  describe("opt-outs and first installs", () => {
    const SHUTDOWN = [
      `${ACCOUNT} ${N}-platform-scaler`,
      `${BINDING} ${N}-platform-scaler`,
      `${CONFIG_MAP} ${N}-platform-replicas`,
      `${JOB} ${N}-platform-down`,
      `${JOB} ${N}-platform-up`,
      `${ROLE} ${N}-platform-scaler`,
    ];

    it("shutdownPlatform: false removes exactly the platform down and up steps", async () => {
      const base = await evaluate(upgrade());
      const off = await evaluate(upgrade({ shutdownPlatform: false }));
      assert.deepEqual(removed(base, off), SHUTDOWN.sort());
      assert.deepEqual(removed(off, base), []);
    });

    it("snapshotDatabase: false removes exactly the database snapshot", async () => {
      const base = await evaluate(upgrade());
      const off = await evaluate(upgrade({ snapshotDatabase: false }));
      assert.deepEqual(removed(base, off), [
        `${SNAPSHOT} ${N}-database-snapshot`,
        `random:index/randomId:RandomId ${N}-database-name-suffix`,
        `usage-engine:index:PreUpgradeSnapshot ${N}-database`,
      ]);
      assert.deepEqual(removed(off, base), []);
    });

    it("backupFileSystem: false removes exactly the file-system backup", async () => {
      const base = await evaluate(upgrade());
      const off = await evaluate(upgrade({ backupFileSystem: false }));
      assert.deepEqual(
        removed(base, off),
        [
          `${ACCOUNT} ${N}-file-system-backup`,
          `${IAM_ROLE} ${N}-file-system-backup`,
          `${JOB} ${N}-file-system-backup`,
          `aws:iam/rolePolicy:RolePolicy ${N}-file-system-backup-backup`,
        ].sort(),
      );
      assert.deepEqual(removed(off, base), []);
    });

    it("a first install, or a version that stays, creates none of it", async () => {
      for (const args of [
        defaultArgs({ version: "4.2.0" }),
        defaultArgs({ version: "4.2.0", upgrade: { identity: IRSA } }),
        defaultArgs({ version: "4.2.0", upgrade: { fromVersion: "4.2.0", identity: IRSA } }),
      ]) {
        const all = await evaluate(args);
        assert.equal(all.filter((r) => r.type === STEPS || r.name.includes("-upgrade-")).length, 0);
        assert.deepEqual(
          all.filter((r) => r.type === JOB).map((r) => r.name),
          ["uepe-registry-bootstrap"],
        );
        const release = named(all, RELEASE, "uepe-release");
        assert.ok(
          all.filter((r) => release.dependencies.includes(r.urn)).every((r) => !r.name.includes("upgrade")),
        );
      }
    });
  });

  describe("UpgradeSteps on its own", () => {
    it("validates before registering anything, through the stack's resolver", async () => {
      assert.throws(
        () =>
          new UpgradeSteps("alone", {
            namespace: "Bad_NS",
            toVersion: "4.2.0",
            upgrade: { fromVersion: "4.2.0" },
          }),
        (err: unknown) =>
          err instanceof ArgumentError &&
          /namespace: "Bad_NS" is not a valid name/.test(err.message) &&
          /toVersion: equals upgrade\.fromVersion/.test(err.message),
      );
      assert.throws(
        () =>
          new UpgradeSteps("alone", {
            namespace: "uepe",
            toVersion: "4.2.0",
            upgrade: { fromVersion: "4.1.0" },
            fileSystem: {
              fileSystemArn: "arn:aws:elasticfilesystem:eu-west-1:123456789012:file-system/fs-1",
              vaultName: "v",
              vaultArn: "arn:aws:backup:eu-west-1:123456789012:backup-vault:v",
              backupRoleArn: "arn:aws:iam::123456789012:role/backup",
            },
          }),
        /upgrade\.identity: is needed to back up the file system/,
      );
      await settle();
      assert.equal(recorded.length, 0);
    });

    it("runs only the steps it is given the data for", async () => {
      const steps = new UpgradeSteps("alone", {
        namespace: "platform",
        toVersion: "4.2.0",
        upgrade: { fromVersion: "4.1.0" },
      });
      const release = new k8s.core.v1.ConfigMap("release-stand-in", { data: {} });
      steps.startPlatformAfter(release);
      await settle();
      const types = recorded.filter((r) => r.parent === one(STEPS).urn).map((r) => r.type);
      assert.deepEqual(types.sort(), [ACCOUNT, BINDING, CONFIG_MAP, JOB, JOB, ROLE].sort());
      assert.ok(one(JOB, "platform-up").dependencies.includes(one(CONFIG_MAP, "release-stand-in").urn));
      assert.equal(
        at(one(JOB, "platform-down").inputs, "metadata.name"),
        "uepe-upgrade-4-1-0-to-4-2-0-platform-down",
      );
      assert.equal(at(one(JOB, "platform-down").inputs, "metadata.namespace"), "platform");
    });
  });
});
