import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import * as path from "node:path";
import { CHART_KEYS, SECRET_KEYS } from "../sdk/chart/contract";
import { chartHas, compare, main, parseArgv, report, UsageError, type Written } from "../tools/check-chart";
import { resetMocks } from "./harness";

const ROOT = path.resolve(__dirname, "..");
const FIXTURES = path.join(__dirname, "fixtures", "check-chart");
const fixture = (name: string) => path.join(FIXTURES, name);

/** Runs the command in-process; returns its exit code and what it printed. */
async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    argv,
    (line: string) => out.push(line),
    (line: string) => err.push(line),
  );
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** The lines of one report section (after its title, up to the next blank line). */
function section(report: string, titleStart: string): string[] {
  const lines = report.split("\n");
  const start = lines.findIndex((l) => l.startsWith(titleStart));
  assert.ok(start >= 0, `no section "${titleStart}" in:\n${report}`);
  const rest = lines.slice(start + 1);
  const end = rest.indexOf("");
  return (end < 0 ? rest : rest.slice(0, end)).map((l) => l.trim().split(/\s+/)[0]);
}

const UNKNOWN = "Keys the chart does not have";
const CONFIRMED = "Unverified keys this chart confirms";
const REMOVED = "Removed keys in use";

describe("check-chart", () => {
  beforeEach(() => resetMocks());

  it("passes a chart that has every key the quickstart writes, listing the unverified keys it confirms", async () => {
    const { code, out } = await run(fixture("values-complete.yaml"));
    assert.equal(code, 0, out);
    assert.deepEqual(section(out, UNKNOWN), []);
    const confirmed = section(out, CONFIRMED);
    assert.ok(confirmed.includes("platform.service.type"));
    assert.ok(confirmed.includes("postgres.host"));
    assert.ok(!confirmed.includes("persistence.existingClaim"), "a verified key is listed as confirmed");
    const unverifiedSecrets = [
      "env-secrets/mzownerPassword",
      "env-secrets/postgresqlPassword",
      "env-secrets/operatorPassword",
      "env-secrets/tlsKeystorePassword",
      "env-secrets/tlsKeyPassword",
    ];
    assert.deepEqual(section(out, "Unverified Secret keys written").sort(), unverifiedSecrets.sort());
  });

  it("fails on keys the chart does not have, and names each one with its feed", async () => {
    const { code, out } = await run(fixture("values-partial.yaml"));
    assert.equal(code, 1);
    const unknown = section(out, UNKNOWN);
    assert.deepEqual(
      unknown.sort(),
      ["environment", "platform.db.createSystemDatabase", "platform.service.type"].sort(),
    );
    assert.match(out, /platform\.service\.type {2}unverified; fed by exposure\.serviceType/);
    assert.ok(!section(out, CONFIRMED).includes("platform.service.type"));
  });

  it("evaluates the arguments of an args file and reports removed keys in the user's values", async () => {
    const { code, out } = await run(fixture("values-partial.yaml"), "--args", fixture("args-oracle.yaml"));
    assert.equal(code, 1);
    const unknown = section(out, UNKNOWN);
    assert.ok(unknown.includes("oracle.host"), "the external Oracle block was not evaluated");
    assert.ok(!unknown.includes("postgres.host"));
    assert.deepEqual(section(out, REMOVED), ["mzOperator.clusterWide"]);
    assert.match(out, /mzOperator\.clusterWide {2}removed in 4\.0\.0/);
    assert.deepEqual(section(out, "Your own values the chart does not have"), ["platform.extraSetting"]);
  });

  it("stops reporting a key the user replaced with the chart's own and dropped with null", async () => {
    const { out } = await run(fixture("values-partial.yaml"), "--args", fixture("args-override.yaml"));
    assert.ok(!section(out, UNKNOWN).includes("platform.service.type"));
    assert.ok(
      section(out, UNKNOWN).includes("platform.db.createSystemDatabase"),
      "other unknown keys must still be reported",
    );
    assert.doesNotMatch(out, /Your own values the chart does not have/);
  });

  it("evaluates the stack at --version, where a removed key is not yet removed", async () => {
    const { out } = await run(
      fixture("values-complete.yaml"),
      "--args",
      fixture("args-oracle.yaml"),
      "--version",
      "3.9.0",
    );
    assert.match(out, /usage-engine-private-edition 3\.9\.0/);
    assert.deepEqual(section(out, REMOVED), []);
  });

  it("prints the number of unverified keys with --summary, without a values file", async () => {
    const { code, out } = await run("--summary");
    assert.equal(code, 0);
    const rows = [...Object.values(CHART_KEYS), ...Object.values(SECRET_KEYS)] as { evidence: string }[];
    const unverified = rows.filter((r) => r.evidence === "unverified").length;
    assert.match(out, new RegExp(`^Unverified keys: ${unverified} of ${rows.length} `));
  });

  it("adds the summary to a report with --summary", async () => {
    const { out } = await run(fixture("values-complete.yaml"), "--summary");
    assert.match(out, /Keys the chart does not have/);
    assert.match(out, /\nUnverified keys: \d+ of \d+/);
  });

  describe("bad input: a clear message, exit 2, nothing written", () => {
    const cases: [string, string[], RegExp][] = [
      ["a missing file", ["missing.yaml"], /cannot read values file .*missing\.yaml: no such file/],
      ["a directory", [FIXTURES], /cannot read values file .*: is a directory/],
      ["broken YAML", ["broken.yaml"], /values file .*broken\.yaml is not YAML: .*line 3/],
      ["a YAML list", ["not-a-mapping.yaml"], /is not a YAML mapping of keys \(found a list\)/],
      [
        "a missing args file",
        ["values-complete.yaml", "--args", "nope.yaml"],
        /cannot read args file .*nope\.yaml/,
      ],
      [
        "a malformed version",
        ["values-complete.yaml", "--version", "4.2"],
        /--version "4\.2" is not a chart version/,
      ],
      ["an unknown option", ["values-complete.yaml", "--strict"], /unknown option --strict/],
      ["no values file", [], /no values file given/],
    ];
    for (const [title, argv, message] of cases)
      it(title, async () => {
        const before = readdirSync(FIXTURES).sort();
        const resolvedArgv = argv.map((a) => (a.endsWith(".yaml") ? fixture(a) : a));
        const { code, out, err } = await run(...resolvedArgv);
        assert.equal(code, 2);
        assert.match(err, message);
        assert.match(err, /^check-chart: /);
        assert.equal(out, "", "printed a report despite bad input");
        assert.deepEqual(readdirSync(FIXTURES).sort(), before, "a file was written");
      });

    it("invalid stack arguments in the args file", async () => {
      const { code, err } = await run(
        fixture("values-complete.yaml"),
        "--args",
        fixture("values-partial.yaml"),
      );
      assert.equal(code, 2);
      assert.match(err, /Invalid UsageEngineStack arguments:[\s\S]*persistence: is not a known argument/);
    });
  });

  it("parses its command line", () => {
    assert.deepEqual(parseArgv(["v.yaml", "--version", "4.3.1", "--args", "a.yaml", "--summary"]), {
      valuesFile: "v.yaml",
      version: "4.3.1",
      argsFile: "a.yaml",
      summary: true,
    });
    assert.throws(() => parseArgv(["a.yaml", "b.yaml"]), UsageError);
    assert.throws(() => parseArgv(["a.yaml", "--version"]), /--version needs a value/);
  });

  it("reports keys outside the package's own table as unknown, whatever the chart has", () => {
    const written: Written = {
      version: "4.2.0",
      chartName: "usage-engine-private-edition",
      values: { persistence: { enabled: true, stray: 1 } },
      userValues: {},
      valuePaths: ["persistence.enabled"],
      unknownValuePaths: ["persistence.stray"],
      secretKeys: [{ secret: "env-secrets", key: "strayPassword", tableSecret: "env-secrets" }],
      unknownSecretKeys: ["env-secrets/strayPassword"],
    };
    const result = compare(written, { persistence: { enabled: false, stray: 0 } });
    assert.deepEqual(
      result.unknown.map((f) => f.path),
      ["persistence.stray", "env-secrets/strayPassword"],
    );
    const { text, code } = report(written, result, "v.yaml");
    assert.equal(code, 1);
    assert.match(text, /env-secrets\/strayPassword {2}not in the package's table/);
  });

  it("treats maps the chart leaves empty or null as free-form, but not an empty chart", () => {
    const chart = { ingress: { annotations: {} }, extra: null, platform: { tls: false } };
    assert.equal(chartHas(chart, "ingress.annotations.team"), true);
    assert.equal(chartHas(chart, "extra.anything.deep"), true);
    assert.equal(chartHas(chart, "ingress.className"), false);
    assert.equal(chartHas(chart, "platform.tls.enabled"), false, "a key under a scalar is not in the chart");
    assert.equal(chartHas({}, "licenseKey"), false);
  });

  it("runs as an npm script with the documented exit code", function () {
    this.timeout(60_000);
    const result = spawnSync("npm", ["run", "--silent", "check-chart", "--", fixture("missing.yaml")], {
      cwd: ROOT,
      encoding: "utf8",
    });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /check-chart: cannot read values file/);
    assert.equal(result.stdout, "");
  });
});
