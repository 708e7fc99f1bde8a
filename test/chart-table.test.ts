import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { CHART_KEYS, CHART_OBJECTS, SECRET_KEYS } from "../sdk/chart/contract";
import { contractRows } from "../tools/chart-contract";
import { BEGIN, CHART_DOC, END, renderChartTable, tableIn, withTable } from "../tools/chart-table";

describe("docs/chart-contract.md chart table", () => {
  it("matches the tables in sdk/chart/contract.ts (regenerate with `npm run chart-table`)", () => {
    assert.equal(tableIn(readFileSync(CHART_DOC, "utf8")), renderChartTable());
  });

  it("has one row per chart value key, per Secret key and per chart object, with evidence and source", () => {
    const rows = renderChartTable().split("\n").slice(2);
    assert.equal(
      rows.length,
      Object.keys(CHART_KEYS).length + Object.keys(SECRET_KEYS).length + Object.keys(CHART_OBJECTS).length,
    );
    const cells = rows.map((r) => r.split(" | ").map((c) => c.replace(/^\|/, "").trim()));
    const claim = cells.find((c) => c[0] === `\`${CHART_KEYS.persistenceExistingClaim.path}\``);
    assert.deepEqual(claim?.slice(1, 2), ["chart value"]);
    assert.match(
      claim?.[3] ?? "",
      new RegExp(`^verified \\(\\[source\\]\\(${CHART_KEYS.persistenceExistingClaim.source}\\)\\)`),
    );
    const jdbc = cells.find((c) => c[0] === `\`${SECRET_KEYS.jdbc.key}\``);
    assert.equal(jdbc?.[1], "Secret `env-secrets`");
    const platform = cells.find((c) => c[0] === "`platform`");
    assert.equal(platform?.[1], "chart object (StatefulSet)");
    assert.match(platform?.[3] ?? "", /^verified \(\[source\]\(https:\/\/infozone\.atlassian\.net\//);
    assert.equal(cells.find((c) => c[0] === "`platform-0`")?.[1], "chart object (Pod)");
  });

  it("pads every column to one width, as the formatter keeps Markdown tables", () => {
    const lengths = new Set(
      renderChartTable()
        .split("\n")
        .map((l) => l.length),
    );
    assert.equal(lengths.size, 1);
  });

  it("escapes pipes so a feed cannot break the table", () => {
    const [row] = contractRows();
    const table = renderChartTable([{ ...row, feed: "a | b" }]);
    assert.match(table, /\| a \\\| b \|/);
  });

  it("replaces only what lies between the markers", () => {
    const readme = `# x\n${BEGIN}\nold\n${END}\ntail\n`;
    assert.equal(withTable(readme, "new"), `# x\n${BEGIN}\nnew\n${END}\ntail\n`);
    assert.throws(() => withTable("# no markers\n", "new"), /has no <!-- chart-table -->/);
  });
});
