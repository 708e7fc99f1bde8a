/**
 * docs/ says what the code does: docs/arguments.md is the argument reference generated from
 * schema.json.
 */
import * as assert from "node:assert/strict";
import { GENERATED_HEADER, loadSchema, readArgsDoc, renderArgs } from "../tools/argsDoc";

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

  it("docs/arguments.md lists every argument and output of the component", () => {
    const schema = loadSchema();
    const component = schema.resources["usage-engine:index:UsageEngineStack"];
    const args = readArgsDoc();
    for (const name of [...Object.keys(component.inputProperties), ...Object.keys(component.properties)])
      assert.match(args, new RegExp(`^\\| \`${name}\` +\\|`, "m"), `${name} missing`);
    for (const [token, type] of Object.entries(schema.types))
      if (type.properties) assert.match(args, new RegExp(`^### ${token.split(":")[2]}$`, "m"));
  });

  it("docs/arguments.md shows cron steps as written, without JSDoc's escape", () => {
    const args = readArgsDoc();
    assert.doesNotMatch(args, /\*\\\//);
    assert.match(args, /`0 \*\/8 \* \* \*`/);
  });
});
