import * as assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { CHART_KEYS, SECRET_KEYS } from "../sdk/chart";
import { contractRows } from "../tools/chart-contract";
import { BEGIN, END, README, renderChartTable, tableIn, withTable } from "../tools/chart-table";

describe("README chart table", () => {
  it("matches the tables in sdk/chart.ts (regenerate with `npm run chart-table -- --write`)", () => {
    assert.equal(tableIn(readFileSync(README, "utf8")), renderChartTable());
  });

  it("has one row per chart value key and per Secret key, with evidence and source", () => {
    const rows = renderChartTable().split("\n").slice(2);
    assert.equal(rows.length, Object.keys(CHART_KEYS).length + Object.keys(SECRET_KEYS).length);
    assert.ok(
      rows.some((r) => r.startsWith(`| \`${CHART_KEYS.persistenceExistingClaim.path}\` | chart value |`)),
    );
    assert.ok(
      rows.some((r) => r.includes(`verified ([source](${CHART_KEYS.persistenceExistingClaim.source}))`)),
    );
    assert.ok(rows.some((r) => r.startsWith(`| \`${SECRET_KEYS.jdbc.key}\` | Secret \`env-secrets\``)));
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
