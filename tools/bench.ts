/**
 * `npm run bench`: how long a deployment takes, how long planning takes, and how evaluation
 * scales with the number of stacks in one program. Offline: the stack runs under the test
 * harness's mocks, where each resource type takes a delay proportional to its real provisioning
 * time (PROVISIONING_MINUTES). Prints a table; exits non-zero when a target is missed.
 *
 *   npm run bench                          # everything
 *   npm run bench -- --only=deploy         # or upgrade, plan, scaling
 *   BENCH_RUNS=5 npm run bench             # more repetitions per figure
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import type { UsageEngineStackArgs } from "../sdk";
import { UsageEngineStack } from "../sdk";
import { UPGRADE_STEP_NAMES } from "../sdk/upgradeSteps";
import { delays, type Recorded, recorded, resetMocks, settle } from "./mocks";

/**
 * Real provisioning time of each resource type, in minutes (create, until Pulumi moves on).
 * Sources: AWS and vendor documentation and common experience; what matters is the order of
 * magnitude and which resources are the long poles.
 */
export const PROVISIONING_MINUTES: Record<string, number> = {
  // RDS PostgreSQL: 10-15 minutes to "available" (Multi-AZ and restores take longer).
  "aws:rds/instance:Instance": 12,
  "aws:rds/subnetGroup:SubnetGroup": 0.05,
  "aws:rds/parameterGroup:ParameterGroup": 0.05,
  // A manual snapshot of a small instance (only in upgrades with a pre-upgrade snapshot).
  "aws:rds/snapshot:Snapshot": 5,
  "aws:ec2/securityGroup:SecurityGroup": 0.05,
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": 0.03,
  // EFS: the file system is available in under a minute, each mount target in 1-2 minutes.
  "aws:efs/fileSystem:FileSystem": 0.5,
  "aws:efs/mountTarget:MountTarget": 1.5,
  "aws:efs/accessPoint:AccessPoint": 0.1,
  "aws:efs/fileSystemPolicy:FileSystemPolicy": 0.05,
  "aws:efs/backupPolicy:BackupPolicy": 0.05,
  "aws:efs/replicationConfiguration:ReplicationConfiguration": 1,
  "aws:kms/key:Key": 0.2,
  "aws:kms/alias:Alias": 0.03,
  "aws:backup/vault:Vault": 0.05,
  "aws:backup/plan:Plan": 0.05,
  "aws:backup/selection:Selection": 0.1,
  // IAM is fast to create but eventually consistent: a few seconds until usable.
  "aws:iam/role:Role": 0.1,
  "aws:iam/rolePolicy:RolePolicy": 0.05,
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": 0.05,
  "aws:eks/podIdentityAssociation:PodIdentityAssociation": 0.1,
  "random:index/randomPassword:RandomPassword": 0.01,
  "random:index/randomId:RandomId": 0.01,
  "random:index/randomBytes:RandomBytes": 0.01,
  // Kubernetes API writes take about a second; Pulumi awaits a Job's completion (image pulls
  // plus the ECR login) and a PVC's binding.
  "kubernetes:batch/v1:Job": 1,
  "kubernetes:core/v1:PersistentVolumeClaim": 0.1,
};

/** Kubernetes objects not listed above: an API write, about two seconds. */
const KUBERNETES_OBJECT_MINUTES = 0.03;

/** Helm releases, by chart: until every workload is ready (Pulumi awaits them). */
export const CHART_MINUTES: Record<string, number> = {
  // UEPE: platform start, system database creation and migration, operator and UI.
  "usage-engine-private-edition": 6,
  // cert-manager: controller, cainjector and webhook ready, post-install check.
  "cert-manager": 1,
  // ingress-nginx provisions an AWS load balancer.
  "ingress-nginx": 1.5,
  "external-dns": 0.5,
};

/** Unknown resource types: seconds, and reported so the table above gets extended. */
const UNLISTED_MINUTES = 0.05;

const UEPE_CHART = "usage-engine-private-edition";

/** The quickstart's arguments (placeholder license and keys: nothing leaves the process). */
function defaultArgs(overrides: Partial<UsageEngineStackArgs> = {}): UsageEngineStackArgs {
  return {
    version: "4.2.0",
    licenseKey: pulumi.secret("bench-license-text"),
    network: {
      vpcId: "vpc-0a1b2c3d4e5f60718",
      subnetIds: ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"],
      allowedSecurityGroupIds: ["sg-0123456789abcdef0"],
    },
    registry: {
      accessKeyId: pulumi.secret("AKIAIOSFODNN7EXAMPLE"),
      secretAccessKey: pulumi.secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    },
    ...overrides,
  };
}
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
/** Scale of the model: 1 minute of real provisioning = this many milliseconds. */
const MS_PER_MINUTE = Number(process.env.BENCH_MS_PER_MINUTE ?? 100);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Modeled minutes of one recorded resource; `unlisted` collects types the table lacks. */
function minutesOf(r: Recorded, unlisted: Set<string>): number {
  if (!r.custom || r.type.startsWith("pulumi:providers:")) return 0;
  if (r.type === "kubernetes:helm.sh/v3:Release") {
    const chart = String(r.inputs.chart);
    if (chart in CHART_MINUTES) return CHART_MINUTES[chart];
    unlisted.add(`helm chart ${chart}`);
    return UNLISTED_MINUTES;
  }
  if (r.type in PROVISIONING_MINUTES) return PROVISIONING_MINUTES[r.type];
  if (r.type.startsWith("kubernetes:")) return KUBERNETES_OBJECT_MINUTES;
  unlisted.add(r.type);
  return UNLISTED_MINUTES;
}

/** Evaluates stacks under fresh mocks; returns the time until the last registration finished. */
async function run(
  stacks: [string, UsageEngineStackArgs][],
  msPerMinute: number,
  shape: Recorded[],
): Promise<number> {
  resetMocks();
  const unlisted = new Set<string>();
  for (const r of shape) delays[`${r.type}::${r.name}`] = minutesOf(r, unlisted) * msPerMinute;
  const t0 = performance.now();
  for (const [name, args] of stacks) new UsageEngineStack(name, args);
  await settle();
  return Math.max(...recorded.map((r) => r.finishedAt)) - t0;
}

/** The longest chain of modeled provisioning through the recorded dependencies. */
function criticalPath(resources: Recorded[]): {
  minutes: number;
  chain: Recorded[];
  finish: (urn: string) => { minutes: number; chain: Recorded[] };
} {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const children = new Map<string, Recorded[]>();
  for (const r of resources) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
  const unlisted = new Set<string>();
  const memo = new Map<string, { minutes: number; chain: Recorded[] }>();
  const finish = (urn: string): { minutes: number; chain: Recorded[] } => {
    const cached = memo.get(urn);
    if (cached) return cached;
    const r = byUrn.get(urn);
    let result = { minutes: 0, chain: [] as Recorded[] };
    if (r) {
      // Waiting on a component means waiting on everything under it.
      const waits = r.custom ? r.dependencies : (children.get(r.urn) ?? []).map((c) => c.urn);
      const before = waits.map(finish).reduce((a, b) => (b.minutes > a.minutes ? b : a), result);
      result = r.custom
        ? { minutes: before.minutes + minutesOf(r, unlisted), chain: [...before.chain, r] }
        : before;
    }
    memo.set(urn, result);
    return result;
  };
  const longest = resources.map((r) => finish(r.urn)).reduce((a, b) => (b.minutes > a.minutes ? b : a));
  return { ...longest, finish };
}

/**
 * When the release's inputs other than the database are ready, and which is last: how much
 * slack the parallel parts leave before they, not RDS, would delay the release.
 */
function releaseSlack(resources: Recorded[], structural: ReturnType<typeof criticalPath>): Row | undefined {
  const release = resources.find((r) => r.custom && r.inputs.chart === UEPE_CHART);
  if (!release) return undefined;
  const rdsChain = new Set(structural.finish(release.urn).chain.map((r) => r.urn));
  const others = release.dependencies
    .map((urn) => ({ urn, ...structural.finish(urn) }))
    .filter((d) => !d.chain.some((r) => rdsChain.has(r.urn) && r.type === "aws:rds/instance:Instance"))
    .sort((a, b) => b.minutes - a.minutes);
  const last = others[0];
  if (!last) return undefined;
  const name = last.chain[last.chain.length - 1]?.name ?? last.urn.split("::").pop();
  return {
    figure: "  release's other inputs all ready after",
    value: `${last.minutes.toFixed(2)} min (last: ${name}, via ${last.chain.map((r) => r.name).join(" → ")})`,
    target: "",
  };
}

/** Every stack of the full program, as the quickstart plus every optional part switched on. */
function fullArgs(): UsageEngineStackArgs {
  return defaultArgs({
    database: { profile: "prod" },
    tls: { issuer: { type: "acme", kind: "Issuer", acmeEmail: "ops@example.com" } },
    exposure: { domain: "uepe.example.com", ingress: { enabled: true, className: "nginx" } },
    backup: { schedule: "cron(0 21 * * ? *)", coldBackupWindow: { from: "0 1 * * *", until: "0 7 * * *" } },
  });
}

interface Row {
  figure: string;
  value: string;
  target: string;
  ok?: boolean;
}

/**
 * The chain of registrations that determined when the deployment finished, read off the run's
 * timestamps: from the last resource to finish, back through the dependency it waited on longest.
 * Of each link, the resource's modeled delay is a (scaled) wait; everything else — the time
 * between a dependency finishing and the next resource starting, and a provider answer arriving
 * after its delay because the event loop was busy — is the program's own work, not scaled.
 */
function measuredChain(
  resources: Recorded[],
  t0: number,
): { waitsMs: number; programMs: number; chain: Recorded[] } {
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const descendants = (urn: string): Recorded[] =>
    resources.filter((r) => r.parent === urn).flatMap((c) => (c.custom ? [c] : descendants(c.urn)));
  const custom = resources.filter((r) => r.custom);
  let current: Recorded | undefined = custom.reduce((a, b) => (b.finishedAt > a.finishedAt ? b : a));
  const chain: Recorded[] = [];
  let waitsMs = 0;
  let programMs = 0;
  while (current) {
    chain.unshift(current);
    const wait = delays[`${current.type}::${current.name}`] ?? 0;
    waitsMs += wait;
    programMs += current.finishedAt - current.startedAt - wait;
    const waitedOn: Recorded[] = current.dependencies.flatMap((urn) => {
      const r = byUrn.get(urn);
      return !r ? [] : r.custom ? [r] : descendants(r.urn);
    });
    const last: Recorded | undefined = waitedOn.reduce<Recorded | undefined>(
      (a, b) => (!a || b.finishedAt > a.finishedAt ? b : a),
      undefined,
    );
    programMs += current.startedAt - (last ? last.finishedAt : t0);
    current = last;
  }
  return { waitsMs, programMs, chain };
}

async function modeledDeploy(rows: Row[]): Promise<void> {
  const stack: [string, UsageEngineStackArgs][] = [["uepe", defaultArgs()]];
  // Warm-up and shape: which resources the default stack registers, with no delays.
  await run(stack, 0, []);
  const shape = [...recorded];
  const unlisted = new Set<string>();
  for (const r of shape) minutesOf(r, unlisted);
  const bound = PROVISIONING_MINUTES["aws:rds/instance:Instance"] + CHART_MINUTES[UEPE_CHART];
  const structural = criticalPath(shape);

  const scale = MS_PER_MINUTE;
  const runs: { minutes: number; raw: number; programMs: number; chain: Recorded[] }[] = [];
  for (let i = 0; i < RUNS; i++) {
    resetMocks();
    const makespan = await run(stack, scale, shape);
    const t0 = Math.max(...recorded.map((r) => r.finishedAt)) - makespan;
    const m = measuredChain([...recorded], t0);
    runs.push({
      minutes: m.waitsMs / scale + m.programMs / 60_000,
      raw: makespan / scale,
      programMs: m.programMs,
      chain: m.chain,
    });
  }
  runs.sort((a, b) => a.minutes - b.minutes);
  const mid = runs[Math.floor(runs.length / 2)];
  const ratio = mid.minutes / bound;

  rows.push(
    { figure: "physical lower bound: RDS + UEPE release", value: `${bound.toFixed(2)} min`, target: "" },
    {
      figure: "critical path through the stack's dependencies",
      value: `${structural.minutes.toFixed(2)} min`,
      target: `≤ ${(bound * 1.02).toFixed(2)} min`,
      ok: structural.minutes <= bound * 1.02,
    },
    { figure: "  chain", value: structural.chain.map((r) => r.name).join(" → "), target: "" },
    ...[releaseSlack(shape, structural)].filter((r): r is Row => r !== undefined),
    {
      figure: `modeled deploy time (1 min = ${scale} ms, median of ${RUNS})`,
      value: `${mid.minutes.toFixed(2)} min`,
      target: "",
    },
    { figure: "  chain that finished last", value: mid.chain.map((r) => r.name).join(" → "), target: "" },
    {
      figure: "  program's own time on that chain (not scaled)",
      value: `${mid.programMs.toFixed(0)} ms`,
      target: "",
    },
    { figure: "modeled / lower bound", value: ratio.toFixed(3), target: "≤ 1.02", ok: ratio <= 1.02 },
    {
      figure: "  raw makespan / lower bound (program time scaled too)",
      value: (mid.raw / bound).toFixed(3),
      target: "",
    },
  );
  pushUnlisted(rows, unlisted);
}

/**
 * The steps of an upgrade with the platform down, in minutes: what each one waits for in the
 * cluster or AWS (a resource the upgrade leaves unchanged costs nothing: Pulumi does not touch it).
 */
export const UPGRADE_MINUTES = {
  // kubectl scale to 0, then platform-0's graceful stop (its termination grace period).
  platformDown: 1,
  // A manual snapshot of the system database (incremental over the automated ones).
  databaseSnapshot: 5,
  // An on-demand AWS Backup job of EFS: job start latency plus an incremental copy.
  fileSystemBackup: 6,
  // helm upgrade with the platform stopped: operator, Desktop Online and hooks roll.
  release: 2,
  // The platform's first start on the new version: the system database migration.
  platformUp: 6,
} as const;

type UpgradeStep = keyof typeof UPGRADE_MINUTES;

/** Which upgrade step a registration is, if it is one. */
function upgradeStepOf(r: Recorded): UpgradeStep | undefined {
  if (r.type === "kubernetes:helm.sh/v3:Release" && r.inputs.chart === UEPE_CHART) return "release";
  if (!r.name.includes("-upgrade-")) return undefined;
  if (r.type === "aws:rds/snapshot:Snapshot") return "databaseSnapshot";
  if (r.type !== "kubernetes:batch/v1:Job") return undefined;
  if (r.name.endsWith(`-${UPGRADE_STEP_NAMES.platformDown}`)) return "platformDown";
  if (r.name.endsWith(`-${UPGRADE_STEP_NAMES.fileSystemBackup}`)) return "fileSystemBackup";
  if (r.name.endsWith(`-${UPGRADE_STEP_NAMES.platformUp}`)) return "platformUp";
  return undefined;
}

/**
 * A modeled upgrade 4.1.0 → 4.2.0 of the default stack: the platform's downtime (from the
 * platform-down Job's start to the platform-up Job's end) against the sum of the five steps it
 * cannot do without. Resources the upgrade adds (the steps' accounts, roles, record) take their
 * table time; resources it leaves unchanged take none.
 */
async function modeledUpgrade(rows: Row[]): Promise<void> {
  const identity = {
    mode: "irsa" as const,
    oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE",
  };
  const installed: [string, UsageEngineStackArgs][] = [["uepe", defaultArgs({ version: "4.1.0" })]];
  const upgrade: [string, UsageEngineStackArgs][] = [
    ["uepe", defaultArgs({ version: "4.2.0", upgrade: { fromVersion: "4.1.0", identity } })],
  ];
  await run(installed, 0, []);
  const before = new Map(recorded.map((r) => [r.urn, JSON.stringify(r.inputs)]));
  await run(upgrade, 0, []);
  const shape = [...recorded];
  const unlisted = new Set<string>();
  const minutes = (r: Recorded): number => {
    const step = upgradeStepOf(r);
    if (step) return UPGRADE_MINUTES[step];
    const unchanged = before.get(r.urn) === JSON.stringify(r.inputs);
    return unchanged ? 0 : minutesOf(r, unlisted);
  };
  const scale = MS_PER_MINUTE;
  const parts = Object.values(UPGRADE_MINUTES).reduce((a, b) => a + b, 0);
  // As for the deploy: the steps' delays are scaled waits, the rest of the downtime (the gaps
  // between one step's end and the next one's start) is the program's own time, at face value.
  const samples: { minutes: number; raw: number; programMs: number; chain: string }[] = [];
  for (let i = 0; i < RUNS; i++) {
    resetMocks();
    for (const r of shape) delays[`${r.type}::${r.name}`] = minutes(r) * scale;
    for (const [name, args] of upgrade) new UsageEngineStack(name, args);
    await settle();
    const steps = recorded
      .map((r) => ({ r, step: upgradeStepOf(r) }))
      .filter((x): x is { r: Recorded; step: UpgradeStep } => x.step !== undefined)
      .sort((a, b) => a.r.startedAt - b.r.startedAt);
    const down = steps.find((x) => x.step === "platformDown");
    const up = steps.find((x) => x.step === "platformUp");
    if (!down || !up || steps.length !== 5)
      throw new Error(`the upgrade registered ${steps.length} of its 5 steps`);
    const downtimeMs = up.r.finishedAt - down.r.startedAt;
    const programMs = downtimeMs - parts * scale;
    samples.push({
      minutes: parts + programMs / 60_000,
      raw: downtimeMs / scale,
      programMs,
      chain: steps.map((x) => x.step).join(" → "),
    });
  }
  samples.sort((a, b) => a.minutes - b.minutes);
  const mid = samples[Math.floor(samples.length / 2)];
  const ratio = mid.minutes / parts;
  const table = Object.entries(UPGRADE_MINUTES)
    .map(([step, m]) => `${step} ${m}`)
    .join(" + ");
  rows.push(
    {
      figure: "upgrade: irreducible platform downtime (sum of steps)",
      value: `${parts.toFixed(2)} min (${table})`,
      target: "",
    },
    {
      figure: `upgrade: modeled platform downtime (1 min = ${scale} ms, median of ${RUNS})`,
      value: `${mid.minutes.toFixed(2)} min`,
      target: "",
    },
    { figure: "  steps, in the order they ran", value: mid.chain, target: "" },
    {
      figure: "  program's own time between the steps (not scaled)",
      value: `${mid.programMs.toFixed(0)} ms`,
      target: "",
    },
    {
      figure: "upgrade: downtime / sum of its steps",
      value: ratio.toFixed(3),
      target: "≤ 1.05",
      ok: ratio <= 1.05,
    },
    {
      figure: "  raw downtime / sum of steps (program time scaled too)",
      value: (mid.raw / parts).toFixed(3),
      target: "",
    },
  );
  pushUnlisted(rows, unlisted);
}

/** The row that fails the bench when a registered type has no modeled time. */
function pushUnlisted(rows: Row[], unlisted: Set<string>): void {
  if (unlisted.size > 0)
    rows.push({
      figure: "types without a modeled time",
      value: [...unlisted].join(", "),
      target: "add them",
      ok: false,
    });
}

function planTime(rows: Row[]): void {
  const walls: number[] = [];
  const inner: { load: number; evaluate: number; resources: number }[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const child = spawnSync(
      process.execPath,
      ["-r", "tsx/cjs", path.join(__dirname, "bench.ts"), "--plan-child"],
      {
        cwd: path.join(__dirname, ".."),
        encoding: "utf8",
      },
    );
    walls.push(performance.now() - t0);
    const line = child.stdout.trim().split("\n").pop() ?? "";
    if (child.status !== 0 || !line.startsWith("{")) throw new Error(`plan child failed:\n${child.stderr}`);
    inner.push(JSON.parse(line));
  }
  rows.push(
    {
      figure: `offline plan, full stack, cold process (median of ${RUNS})`,
      value: `${(median(walls) / 1000).toFixed(2)} s`,
      target: "",
    },
    {
      figure: "  starting Node, loading the package and SDKs (tsx)",
      value: `${median(inner.map((x) => x.load)).toFixed(0)} ms`,
      target: "",
    },
    {
      figure: `  evaluating the stack (${inner[0].resources} registrations, preview)`,
      value: `${median(inner.map((x) => x.evaluate)).toFixed(0)} ms`,
      target: "",
    },
  );
}

/** Child process: load, then plan the full stack in preview mode; prints its timings as JSON. */
async function planChild(): Promise<void> {
  const load = performance.now();
  resetMocks({ preview: true });
  const t0 = performance.now();
  new UsageEngineStack("uepe", fullArgs());
  await settle();
  const evaluate = Math.max(...recorded.map((r) => r.finishedAt)) - t0;
  console.log(JSON.stringify({ load, evaluate, resources: recorded.length }));
}

async function scaling(rows: Row[]): Promise<void> {
  const counts = [1, 4, 16];
  const stacks = (n: number): [string, UsageEngineStackArgs][] =>
    Array.from({ length: n }, (_, i) => [`uepe${i}`, defaultArgs({ namespace: `uepe-${i}` })]);
  await run(stacks(4), 0, []);
  const times: number[] = [];
  for (const n of counts) {
    const samples = [];
    for (let i = 0; i < RUNS; i++) samples.push(await run(stacks(n), 0, []));
    // Best of the runs: other processes on the machine only ever add time.
    times.push(Math.min(...samples));
  }
  for (const [i, n] of counts.entries())
    rows.push({
      figure: `evaluation, ${n} stack${n > 1 ? "s" : ""} in one program (best of ${RUNS})`,
      value: `${times[i].toFixed(0)} ms (${(times[i] / n).toFixed(0)} ms per stack)`,
      target: "",
    });
  // Growth exponent between 4 and 16 stacks (1 stack carries the fixed start-up cost).
  const exponent = Math.log(times[2] / times[1]) / Math.log(16 / 4);
  rows.push({
    figure: "growth exponent, 4 → 16 stacks",
    value: exponent.toFixed(2),
    target: "≤ 1.15 (linear)",
    ok: exponent <= 1.15,
  });
}

function print(rows: Row[]): void {
  const widths = [0, 1, 2].map((c) =>
    Math.max(...rows.map((r) => [r.figure, r.value, r.target][c].length), 6),
  );
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i])).join(" | ")} |`;
  console.log(line(["figure", "value", "target"]));
  console.log(`|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`);
  for (const r of rows) {
    const target = r.ok === undefined ? r.target : `${r.target} ${r.ok ? "✔" : "✘"}`.trim();
    console.log(line([r.figure, r.value, target]));
  }
}

async function main(): Promise<void> {
  // Node's source-map stack rewriting (switched on by tsx) makes every Pulumi promise's stack
  // capture several times dearer; a compiled program runs without it.
  process.setSourceMapsEnabled(false);
  if (process.argv.includes("--plan-child")) return planChild();
  const only = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length);
  const rows: Row[] = [];
  if (!only || only === "deploy") await modeledDeploy(rows);
  if (!only || only === "upgrade") await modeledUpgrade(rows);
  if (!only || only === "plan") planTime(rows);
  if (!only || only === "scaling") await scaling(rows);
  print(rows);
  if (rows.some((r) => r.ok === false)) process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
