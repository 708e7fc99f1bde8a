/**
 * docs/ says what the code does: docs/arguments.md is the argument reference generated from
 * schema.json, and every relative link in README.md and docs/ reaches a file that exists.
 */
import * as assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { GENERATED_HEADER, loadSchema, readArgsDoc, renderArgs } from "../tools/argsDoc";

const ROOT = path.resolve(__dirname, "..");

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(file);
    return entry.name.endsWith(".md") ? [file] : [];
  });
}

/** Link targets of a Markdown text, `[text](target)` and `[text]: target`, outside code. */
function linkTargets(markdown: string): string[] {
  const prose = markdown.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
  const inline = [...prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);
  const reference = [...prose.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/gm)].map((m) => m[1]);
  return [...inline, ...reference];
}

/** A target that names a file in this repository (not a URL, not a same-page anchor). */
const isRelative = (target: string) => !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith("#");

describe("docs", function () {
  this.timeout(30_000);

  it("docs/arguments.md is the argument reference generated from schema.json", () => {
    assert.ok(
      readArgsDoc() === renderArgs(loadSchema()),
      "docs/arguments.md is stale: run `npm run schema && npm run args-doc` and commit docs/arguments.md",
    );
    assert.ok(
      readArgsDoc().startsWith(`${GENERATED_HEADER}\n`),
      "docs/arguments.md does not say it is generated",
    );
  });

  it("docs/arguments.md lists every argument and output of both components", () => {
    const schema = loadSchema();
    const args = readArgsDoc();
    for (const token of ["usage-engine:index:UsageEngineStack", "usage-engine:index:ClusterAddons"]) {
      const component = schema.resources[token];
      assert.ok(component, `${token} missing from schema.json`);
      assert.match(args, new RegExp(`^### ${token.split(":")[2]}$`, "m"));
      for (const name of [...Object.keys(component.inputProperties), ...Object.keys(component.properties)])
        assert.match(args, new RegExp(`^\\| \`${name}\` +\\|`, "m"), `${name} missing`);
    }
    for (const [token, type] of Object.entries(schema.types))
      if (type.properties) assert.match(args, new RegExp(`^### ${token.split(":")[2]}$`, "m"));
  });

  it("docs/arguments.md names every type, the handles as the other package's resource", () => {
    const args = readArgsDoc();
    assert.doesNotMatch(
      args,
      /^\| `[^`]+` +\| \? +\|/m,
      "a property whose type the generator could not name",
    );
    assert.match(args, /^\| `release` +\| resource `kubernetes:helm\.sh\/v3:Release` +\|/m);
    assert.match(args, /^\| `databaseInstance` +\| resource `aws:rds\/instance:Instance` +\|/m);
  });

  it("docs/arguments.md shows cron steps as written, without JSDoc's escape", () => {
    const args = readArgsDoc();
    assert.doesNotMatch(args, /\*\\\//);
    assert.match(args, /`0 \*\/8 \* \* \*`/);
  });

  it("every relative link in README.md and docs/ points to an existing file", () => {
    const files = [path.join(ROOT, "README.md"), ...markdownFiles(path.join(ROOT, "docs"))];
    assert.ok(files.length > 1, "no Markdown files under docs/");
    const broken: string[] = [];
    for (const file of files)
      for (const target of linkTargets(readFileSync(file, "utf8")).filter(isRelative)) {
        const relative = decodeURI(target.replace(/[#?].*$/, ""));
        if (!existsSync(path.resolve(path.dirname(file), relative)))
          broken.push(`${path.relative(ROOT, file)}: ${target}`);
      }
    assert.deepEqual(broken, []);
  });

  it("the link check sees inline and reference links and skips URLs, anchors and code", () => {
    const text = [
      "[a](docs/a.md) [b](../b.md#part) [c](https://example.com) [d](#here)",
      "`[e](in-code.md)`",
      "```md\n[f](in-block.md)\n```",
      "[g]: ./g.md",
    ].join("\n");
    assert.deepEqual(linkTargets(text).filter(isRelative), ["docs/a.md", "../b.md#part", "./g.md"]);
  });
});
