/**
 * Zero churn: a second `pulumi up` with the same configuration must find nothing to change. Here
 * each scenario is evaluated twice — the second time with the clock a year and a half later and
 * a different random sequence — and every registration must come out byte-for-byte the same:
 * names, URNs, inputs (secret markers included), key order, list order and resource options.
 */
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as path from "node:path";
import { ClusterAddons } from "../sdk";
import { shiftClock } from "./clock";
import { defaultArgs, deploy } from "./fixtures";
import { recorded, resetMocks, settle } from "./harness";
import { ADDONS_SCENARIOS, SCENARIOS } from "./scenarios";
import { KNOWN_WARNINGS } from "./setup";

/** What the engine compares between two deployments, per URN. */
interface Registration {
  type: string;
  name: string;
  parent: string;
  /** Inputs as serialized, secrets still marked, key order kept. */
  inputs: string;
  protect: boolean;
  retainOnDelete: boolean;
  ignoreChanges: string[];
  dependencies: string[];
}

function registrations(): Map<string, Registration> {
  const out = new Map<string, Registration>();
  for (const r of recorded) {
    assert.ok(!out.has(r.urn), `URN registered twice: ${r.urn}`);
    out.set(r.urn, {
      type: r.type,
      name: r.name,
      parent: r.parent,
      inputs: JSON.stringify(r.raw),
      protect: r.protect,
      retainOnDelete: r.retainOnDelete,
      ignoreChanges: r.ignoreChanges,
      // The order in which dependencies resolve is not part of the resource.
      dependencies: [...r.dependencies].sort(),
    });
  }
  return out;
}

/** Each difference between two evaluations, as `urn: field`. */
function differences(a: Map<string, Registration>, b: Map<string, Registration>): string[] {
  const out: string[] = [];
  for (const urn of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(urn);
    const y = b.get(urn);
    if (!x || !y) {
      out.push(`${urn}: only in the ${x ? "first" : "second"} evaluation`);
      continue;
    }
    for (const field of Object.keys(x) as (keyof Registration)[])
      if (JSON.stringify(x[field]) !== JSON.stringify(y[field])) out.push(`${urn}: ${field}`);
  }
  return out;
}

/** Runs `fn` with the clock moved `days` ahead and Math.random on another sequence. */
async function elsewhenAndElsewise<T>(days: number, fn: () => Promise<T>): Promise<T> {
  const restore = shiftClock(days);
  try {
    return await fn();
  } finally {
    restore();
  }
}

async function evaluate(args: () => Parameters<typeof deploy>[0]): Promise<Map<string, Registration>> {
  resetMocks();
  await deploy(args());
  return registrations();
}

interface ChildRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** One fresh process evaluating every scenario (test/churnChild.ts); the two run at once. */
function evaluateInProcess(env: Record<string, string>): Promise<ChildRun> {
  return new Promise((resolve) =>
    execFile(
      process.execPath,
      ["-r", "tsx/cjs", path.join(__dirname, "churnChild.ts")],
      {
        cwd: path.join(__dirname, ".."),
        encoding: "utf8",
        env: { ...process.env, ...env },
        maxBuffer: 256 * 1024 * 1024,
        timeout: 240_000,
      },
      (err, stdout, stderr) =>
        resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

describe("zero churn", function () {
  this.timeout(60_000);

  // The two processes start first and run while the in-process evaluations below do.
  let processes: Promise<[ChildRun, ChildRun]>;
  before(() => {
    processes = Promise.all([
      evaluateInProcess({}),
      evaluateInProcess({ CHURN_SHIFT_DAYS: "550", TZ: "Pacific/Kiritimati" }),
    ]);
  });

  for (const scenario of SCENARIOS)
    it(`${scenario.title}: a second evaluation registers identical resources`, async () => {
      const first = await evaluate(scenario.args);
      const second = await elsewhenAndElsewise(550, () => evaluate(scenario.args));
      assert.ok(first.size > 5, "too few registrations to compare");
      assert.deepEqual(differences(first, second), []);
    });

  for (const scenario of ADDONS_SCENARIOS)
    it(`${scenario.title}: a second evaluation registers identical resources`, async () => {
      const once = async () => {
        resetMocks();
        new ClusterAddons("addons", scenario.args());
        await settle();
        return registrations();
      };
      const first = await once();
      const second = await elsewhenAndElsewise(550, once);
      assert.ok(first.size > 2, "too few registrations to compare");
      assert.deepEqual(differences(first, second), []);
    });

  it("does not depend on the key order of user maps (tags, chart values, annotations)", async () => {
    const forward = await evaluate(() =>
      defaultArgs({
        tags: { team: "billing", env: "prod", "cost-center": "42" },
        values: { debug: { log: { level: { jetty: "INFO", root: "WARN" } } }, operator: { replicas: 1 } },
        exposure: { domain: "uepe.example.com", serviceAnnotations: { b: "2", a: "1" } },
      }),
    );
    const backward = await evaluate(() =>
      defaultArgs({
        exposure: { serviceAnnotations: { a: "1", b: "2" }, domain: "uepe.example.com" },
        values: { operator: { replicas: 1 }, debug: { log: { level: { root: "WARN", jetty: "INFO" } } } },
        tags: { "cost-center": "42", env: "prod", team: "billing" },
      }),
    );
    const release = [...forward.values()].find((r) => r.name === "uepe-release");
    assert.ok(release?.inputs.includes("jetty"), "user values did not reach the release");
    assert.deepEqual(differences(forward, backward), []);
  });

  it("every scenario registers the same in two separate processes (two `pulumi up` runs)", async function () {
    this.timeout(240_000);
    const runs = await processes;
    for (const run of runs) {
      assert.equal(run.status, 0, run.stderr);
      assert.equal(run.stderr, "", "the child printed to stderr");
    }
    const [one, two] = runs.map(
      (run) =>
        JSON.parse(run.stdout.trim().split("\n").pop() ?? "{}") as {
          scenarios: Record<string, Record<string, unknown>>;
          warnings: Record<string, string[]>;
        },
    );
    // The package's warnings are part of what a `pulumi up` shows: the same in both processes.
    assert.deepEqual(two.warnings, one.warnings, "the processes warned differently");
    const given = Object.values(one.warnings).flat();
    assert.ok(
      given.some((w) => /tls\.issuer\.type is selfSigned/.test(w)),
      "the default self-signed issuer did not warn",
    );
    for (const warning of given)
      assert.ok(
        KNOWN_WARNINGS.some((w) => w.test(warning)),
        `unexpected warning: ${warning}`,
      );
    const first = one.scenarios;
    const second = two.scenarios;
    assert.deepEqual(Object.keys(second), Object.keys(first));
    assert.ok(Object.keys(first).length >= SCENARIOS.length);
    for (const title of Object.keys(first)) {
      const a = first[title];
      const b = second[title];
      const changed = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter(
        (urn) => JSON.stringify(a[urn]) !== JSON.stringify(b[urn]),
      );
      assert.deepEqual(changed, [], `${title}: differs between processes`);
    }
  });

  describe("the comparison can fail", () => {
    it("sees a changed input, a new resource and a reordered list", () => {
      const base: Registration = {
        type: "t",
        name: "n",
        parent: "",
        inputs: JSON.stringify({ subnetIds: ["a", "b"] }),
        protect: false,
        retainOnDelete: false,
        ignoreChanges: [],
        dependencies: [],
      };
      const a = new Map([["urn:1", base]]);
      const b = new Map([
        ["urn:1", { ...base, inputs: JSON.stringify({ subnetIds: ["b", "a"] }) }],
        ["urn:2", base],
      ]);
      assert.deepEqual(differences(a, b), ["urn:1: inputs", "urn:2: only in the second evaluation"]);
    });

    it("moves the clock and the random sequence while it runs", async () => {
      const now = Date.now();
      const later = await elsewhenAndElsewise(550, async () => [
        Date.now(),
        new Date().getFullYear(),
        Math.random(),
      ]);
      assert.ok(later[0] - now > 500 * 86_400_000);
      assert.ok(later[1] > new Date().getFullYear());
      assert.equal(later[2], (42 * 16807) / 2147483647);
    });
  });
});
