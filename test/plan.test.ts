/**
 * `npm run plan`, run as a user runs it (a child process): what it prints, what it writes, and
 * that bad input fails clearly without writing anything.
 */
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse } from "yaml";

const ROOT = path.resolve(__dirname, "..");

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `npm run plan` (without npm) as a child process; several can run at once. */
function plan(args: string[]): Promise<Run> {
  return new Promise((resolve) =>
    execFile(
      process.execPath,
      ["--require", "tsx/cjs", path.join(ROOT, "tools", "plan.ts"), ...args],
      { cwd: ROOT, encoding: "utf8", timeout: 120_000 },
      (err, stdout, stderr) =>
        resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

/** The placeholder secrets of a plan-config.yaml: none may appear on screen or on disk. */
function placeholderSecrets(example: string): string[] {
  const doc = parse(readFileSync(path.join(ROOT, "examples", example, "plan-config.yaml"), "utf8"));
  return (doc.secrets as string[]).map((key) => String(doc.config[key]));
}

describe("npm run plan", function () {
  this.timeout(180_000);
  let scratch: string;
  beforeEach(() => {
    scratch = mkdtempSync(path.join(tmpdir(), "uepe-plan-"));
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  describe("quickstart (the default)", () => {
    let run: Run;
    let out: string;
    before(async () => {
      out = mkdtempSync(path.join(tmpdir(), "uepe-plan-out-"));
      run = await plan(["--out", out]);
    });
    after(() => rmSync(out, { recursive: true, force: true }));

    it("succeeds and says the config is placeholders and nothing was created", () => {
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, /^Plan of examples\/quickstart: \d+ resources/m);
      assert.match(run.stdout, /every secret a placeholder/);
      assert.match(run.stderr, /evaluating examples\/quickstart/);
    });

    it("warns on stderr, as `pulumi up` would, that the quickstart's self-signed issuer is for testing", () => {
      const warnings = run.stderr.split("\n").filter((l) => l.startsWith("warning:"));
      assert.deepEqual(warnings, [
        "warning: [runtime] ClusterAddons issuer.type is selfSigned: browsers and the Desktop client will not trust the certificates it signs; use it for testing only.",
      ]);
    });

    it("prints the resource tree: the stack under the root, its parts and the release under it", () => {
      const lines = run.stdout.split("\n");
      assert.ok(
        lines.some((l) => /^[├└]─ usage-engine:index:UsageEngineStack {2}uepe$/.test(l)),
        "stack at the root",
      );
      assert.ok(
        lines.some((l) => /^ {3}[├└]─ kubernetes:helm\.sh\/v3:Release {2}uepe-release$/.test(l)),
        "release under it",
      );
      assert.ok(
        lines.some((l) => /^ {3}│ {2}[├└]─ aws:rds\/instance:Instance {2}uepe-database-instance$/.test(l)),
        "RDS under the database part",
      );
    });

    it("counts resources per type, consistent with the tree", () => {
      const tree = run.stdout.split("Count per type:")[0];
      const counts = run.stdout.split("Count per type:")[1].split("\n\n")[0];
      for (const [, n, type] of counts.matchAll(/^ +(\d+) {2}(\S+)$/gm)) {
        const inTree = tree.split("\n").filter((l) => l.includes(`─ ${type}  `)).length;
        assert.equal(inTree, Number(n), `count of ${type}`);
      }
      assert.match(counts, /^ +1 {2}aws:rds\/instance:Instance$/m);
    });

    it("prints the chart values with the license redacted and the wiring visible", () => {
      const section = run.stdout.split(/Chart values of release uepe\/uepe .*\n/)[1].split("\n\n")[0];
      const values = parse(section.replace(/^ {2}/gm, ""));
      assert.equal(values.licenseKey, "[secret]");
      assert.match(values.postgres.host, /\.eu-west-1\.rds\.amazonaws\.com$/);
      assert.equal(values.persistence.existingClaim.length > 0, true);
    });

    it("never shows or writes a secret", () => {
      const written = filesUnder(out).map((f) => readFileSync(f, "utf8"));
      for (const secret of placeholderSecrets("quickstart")) {
        assert.ok(!run.stdout.includes(secret), `stdout shows ${secret}`);
        for (const text of written) assert.ok(!text.includes(secret), `a written file holds ${secret}`);
      }
    });

    it("writes every Kubernetes object as a manifest and each release's values as YAML", () => {
      const files = filesUnder(out).map((f) => path.relative(out, f));
      const manifests = files.filter((f) => f.startsWith(`manifests${path.sep}`));
      const objects = [...run.stdout.matchAll(/─ kubernetes:(?!helm\.sh)\S+ {2}/g)].length;
      assert.equal(manifests.length, objects);
      for (const file of manifests) {
        const object = parse(readFileSync(path.join(out, file), "utf8"));
        assert.ok(object.apiVersion && object.kind && object.metadata?.name, `${file} is not a manifest`);
      }
      const envSecrets = parse(
        readFileSync(path.join(out, "manifests", "uepe", "secret-env-secrets.yaml"), "utf8"),
      );
      assert.ok(Object.keys(envSecrets.stringData).length > 0);
      for (const value of Object.values(envSecrets.stringData)) assert.equal(value, "[secret]");
      const values = parse(readFileSync(path.join(out, "uepe-uepe.values.yaml"), "utf8"));
      assert.equal(values.licenseKey, "[secret]");
      assert.equal(values.persistence.enabled, true);
    });
  });

  it("plans the other examples too", async () => {
    const examples = ["embed", "kaa"];
    const runs = await Promise.all(examples.map((e) => plan([e, "--out", path.join(scratch, e)])));
    runs.forEach((run, i) => {
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, new RegExp(`^Plan of examples/${examples[i]}: `, "m"));
      for (const secret of placeholderSecrets(examples[i]))
        assert.ok(!run.stdout.includes(secret), `${examples[i]} shows ${secret}`);
    });
  });

  it("names a config given with --config and does not call its secrets placeholders", async () => {
    const config = path.join(scratch, "my-stack.yaml");
    writeFileSync(config, readFileSync(path.join(ROOT, "examples", "quickstart", "plan-config.yaml")));
    const run = await plan(["--config", config, "--out", path.join(scratch, "out")]);
    assert.equal(run.status, 0, run.stderr);
    assert.ok(run.stdout.includes(`Config comes from ${config}; its secret values are never printed here.`));
    assert.doesNotMatch(run.stdout, /placeholder/);
  });

  it("shows the alarms a prod stack creates, and none for dev", async () => {
    const config = path.join(scratch, "prod.yaml");
    const quickstart = readFileSync(path.join(ROOT, "examples", "quickstart", "plan-config.yaml"), "utf8");
    writeFileSync(config, quickstart.replace("config:\n", "config:\n  uepe-quickstart:profile: prod\n"));
    const [prod, dev] = await Promise.all([
      plan(["--config", config, "--out", path.join(scratch, "prod")]),
      plan(["--out", path.join(scratch, "dev")]),
    ]);
    assert.equal(prod.status, 0, prod.stderr);
    const alarms = (run: Run) => run.stdout.match(/aws:cloudwatch\/metricAlarm:MetricAlarm/g)?.length ?? 0;
    assert.ok(alarms(prod) >= 6, `prod plan shows ${alarms(prod)} alarms`);
    assert.match(prod.stdout, /aws:backup\/vaultNotifications:VaultNotifications/);
    assert.equal(alarms(dev), 0);
  });

  describe("--diff: what changing to another config would do", () => {
    const quickstart = () =>
      readFileSync(path.join(ROOT, "examples", "quickstart", "plan-config.yaml"), "utf8");
    /** The quickstart's config with these keys added. */
    const withKeys = (dir: string, file: string, keys: Record<string, string>) => {
      const config = path.join(dir, file);
      const lines = Object.entries(keys).map(([k, v]) => `  uepe-quickstart:${k}: ${v}\n`);
      writeFileSync(config, quickstart().replace("config:\n", `config:\n${lines.join("")}`));
      return config;
    };
    let dir: string;
    let rename: Run;
    let retention: Run;
    let license: Run;
    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), "uepe-plan-diff-"));
      const renamed = withKeys(dir, "renamed.yaml", { databaseIdentifier: "uepe-db-r1" });
      const kept = withKeys(dir, "retention.yaml", { databaseBackupRetentionDays: "21" });
      const renewed = path.join(dir, "renewed.yaml");
      writeFileSync(
        renewed,
        quickstart().replace("placeholder-license-key", "placeholder-license-key-renewed"),
      );
      [rename, retention, license] = await Promise.all([
        plan(["--diff", renamed]),
        plan(["--diff", kept]),
        plan(["--diff", renewed]),
      ]);
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    const changes = (run: Run) => run.stdout.split("\n").filter((l) => /^ {2}(\+-|\+ |- |~ ) /.test(l));

    it("reports a new backup retention as an in-place update of the RDS instance, nothing else", () => {
      assert.equal(retention.status, 0, retention.stderr);
      assert.match(
        retention.stdout,
        /^Resources: 0 to add, 0 to remove, 1 to update in place, 0 to replace\.$/m,
      );
      assert.deepEqual(changes(retention), [
        "  ~  update  aws:rds/instance:Instance  uepe-database-instance  [backupRetentionPeriod]",
      ]);
      assert.doesNotMatch(retention.stdout, /^!!/m);
      assert.match(retention.stdout, /^chartValuesRedacted of uepe: no change$/m);
    });

    it("reports the replacements a new database identifier forces, and renames the instance in place", () => {
      assert.equal(rename.status, 0, rename.stderr);
      const lines = changes(rename);
      assert.ok(
        lines.includes(
          "  +- replace aws:rds/subnetGroup:SubnetGroup  uepe-database-subnets  [forced by namePrefix]",
        ),
        lines.join("\n"),
      );
      assert.ok(
        lines.some((l) =>
          /^ {2}\+- replace aws:rds\/parameterGroup:ParameterGroup {2}uepe-database-parameters {2}\[forced by namePrefix\]$/.test(
            l,
          ),
        ),
      );
      assert.ok(
        lines.some((l) =>
          /^ {2}~ {2}update {2}aws:rds\/instance:Instance {2}uepe-database-instance {2}\[.*identifier.*\]$/.test(
            l,
          ),
        ),
      );
      assert.match(
        rename.stdout,
        /^ {2}~ postgres\.host: "uepe-database-[0-9a-f]{8}\..*" -> "uepe-db-r1\..*"$/m,
      );
    });

    it("shows a new license only as a changed marker", () => {
      assert.equal(license.status, 0, license.stderr);
      const section = license.stdout.split(/^chartValuesRedacted of uepe:\n/m)[1].split("\n\n")[0];
      assert.match(section, /^ {2}~ licenseKey: "\[secret:[0-9a-f]{8}\]" -> "\[secret:[0-9a-f]{8}\]"$/);
      assert.equal(section.trim().split("\n").length, 1);
      assert.doesNotMatch(license.stdout, /placeholder-license-key/);
    });

    it("never prints a secret", () => {
      for (const run of [rename, retention, license])
        for (const secret of placeholderSecrets("quickstart"))
          assert.ok(!run.stdout.includes(secret), secret);
    });
  });

  describe("bad input: a clear message, a non-zero exit, nothing written", () => {
    const cases: [string, (dir: string) => string[], RegExp][] = [
      ["an unknown example", () => ["quickstrat"], /unknown example "quickstrat"/],
      ["the YAML example", () => ["yaml"], /Pulumi YAML program: run it with the Pulumi CLI/],
      ["an unknown option", () => ["--output", "x"], /unknown option --output/],
      [
        "an unreadable config",
        (dir) => ["--config", path.join(dir, "missing.yaml")],
        /cannot read config .*ENOENT/,
      ],
      [
        "a config that is not YAML",
        (dir) => {
          writeFileSync(path.join(dir, "broken.yaml"), "config: [unclosed\n");
          return ["--config", path.join(dir, "broken.yaml")];
        },
        /is not valid YAML/,
      ],
      [
        "invalid arguments",
        (dir) => {
          const doc = parse(
            readFileSync(path.join(ROOT, "examples", "quickstart", "plan-config.yaml"), "utf8"),
          );
          doc.config["uepe-quickstart:vpcId"] = "vpc-nope";
          writeFileSync(path.join(dir, "invalid.yaml"), JSON.stringify(doc));
          return ["--config", path.join(dir, "invalid.yaml")];
        },
        /examples\/quickstart with .*invalid\.yaml failed: .*\n.*network\.vpcId: "vpc-nope" is not valid; expected a VPC id/,
      ],
    ];
    // Every case runs at once, each with its own directory; the tests then read the results.
    const dirs = cases.map(() => mkdtempSync(path.join(tmpdir(), "uepe-plan-bad-")));
    let runs: Promise<Run>[] = [];
    before(() => {
      runs = cases.map(([, args], i) => plan([...args(dirs[i]), "--out", path.join(dirs[i], "out")]));
    });
    after(() => {
      for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    });
    for (const [i, [title, , message]] of cases.entries())
      it(`rejects ${title}`, async () => {
        const run = await runs[i];
        assert.notEqual(run.status, 0);
        assert.match(run.stderr, message);
        assert.equal(existsSync(path.join(dirs[i], "out")), false, "something was written");
        for (const secret of placeholderSecrets("quickstart")) assert.ok(!run.stderr.includes(secret));
      });
  });
});
