/**
 * The README says what the code does: the plan excerpt is what `npm run plan` prints, the
 * fresh-machine commands are the two promised, and every language is covered. (The argument
 * reference lives in docs/arguments.md: test/docs.test.ts.)
 */
import * as assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const README = path.join(ROOT, "README.md");

function section(name: string): string {
  const readme = readFileSync(README, "utf8");
  const match = new RegExp(`<!-- section:${name} -->\\n([\\s\\S]*?)<!-- /section:${name} -->`).exec(readme);
  assert.ok(match, `README has no ${name} section`);
  return match[1];
}

describe("README", function () {
  this.timeout(120_000);

  it("section quickstart gives a fresh machine exactly two commands: plan and test", () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(section("quickstart"))?.[1] ?? "";
    const commands = firstBlock
      .split("\n")
      .map((l) => l.replace(/#.*$/, "").trim())
      .filter(Boolean);
    assert.deepEqual(commands, ["npm ci && npm run plan", "npm ci && npm test"]);
    const scripts = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts;
    assert.ok(scripts.plan && scripts.test);
  });

  it("section plan shows an excerpt of what npm run plan prints", () => {
    const excerpt = /```text\n([\s\S]*?)```/.exec(section("plan"))?.[1];
    assert.ok(excerpt, "no ```text excerpt in section plan");
    const run = spawnSync(process.execPath, ["--require", "tsx/cjs", path.join(ROOT, "tools", "plan.ts")], {
      cwd: ROOT,
      encoding: "utf8",
      timeout: 120_000,
    });
    assert.equal(run.status, 0, run.stderr);
    // Counts and timings change as the package grows; the lines themselves must not.
    const normalize = (line: string) => line.replace(/\d+(\.\d+)?/g, "#");
    const printed = new Set(run.stdout.split("\n").map(normalize));
    for (const line of excerpt.split("\n").filter((l) => l.trim() && l !== "..."))
      assert.ok(printed.has(normalize(line)), `npm run plan no longer prints: ${line}`);
  });

  it("section languages covers installing from every Pulumi language", () => {
    const languages = section("languages");
    for (const language of ["Python", "Go", ".NET", "Java", "YAML"])
      assert.match(
        languages,
        new RegExp(`^\\| ${language.replace(".", "\\.")} +\\| \`pulumi package add <repo>\``, "m"),
      );
    assert.match(languages, /usage-engine:index:UsageEngineStack/);
  });
});
