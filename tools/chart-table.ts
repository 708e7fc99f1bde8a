/**
 * `npm run chart-table [-- --write]`: renders the chart contract table (every chart value key and
 * Secret key the package writes, from sdk/chart.ts) as Markdown. With `--write` it replaces the
 * table in README.md between the `chart-table` markers; test/chart-table.test.ts fails while the
 * README's table differs from the code.
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { type ContractRow, contractRows } from "./chart-contract";

export const README = path.resolve(__dirname, "..", "README.md");
export const BEGIN = "<!-- chart-table -->";
export const END = "<!-- /chart-table -->";

const cell = (text: string) => text.replace(/\|/g, "\\|");

function where(row: ContractRow): string {
  if (row.kind === "value") return "chart value";
  const stands = row.helmValue ? ` (for \`${row.helmValue}\`)` : "";
  return `Secret \`${row.secret}\`${stands}`;
}

function evidence(row: ContractRow): string {
  return row.evidence === "verified" ? `verified ([source](${row.source}))` : "unverified";
}

/** The Markdown table, one row per key, chart values first; columns padded as biome formats them. */
export function renderChartTable(rows: readonly ContractRow[] = contractRows()): string {
  const header = ["Key", "Where", "Fed by", "Evidence"];
  const body = rows.map((row) => [`\`${row.key}\``, cell(where(row)), cell(row.feed), evidence(row)]);
  const widths = header.map((h, i) => Math.max(3, h.length, ...body.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}

/** The table currently between the markers of a README text. */
export function tableIn(readme: string): string {
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${BEGIN} ... ${END} block`);
  return readme.slice(start + BEGIN.length, end).trim();
}

/** The README text with the table between the markers replaced. */
export function withTable(readme: string, table: string): string {
  tableIn(readme);
  const start = readme.indexOf(BEGIN) + BEGIN.length;
  return `${readme.slice(0, start)}\n${table}\n${readme.slice(readme.indexOf(END))}`;
}

if (require.main === module) {
  const table = renderChartTable();
  if (process.argv.includes("--write")) {
    const readme = readFileSync(README, "utf8");
    const next = withTable(readme, table);
    if (next !== readme) writeFileSync(README, next);
    console.log(next === readme ? "README.md chart table is up to date" : "README.md chart table updated");
  } else console.log(table);
}
