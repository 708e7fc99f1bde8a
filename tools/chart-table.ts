/**
 * `npm run chart-table [-- --print]`: renders the chart contract table (every chart value key and
 * Secret key the package writes, and the chart objects it acts on by name, from
 * sdk/chart/contract.ts) as Markdown and writes it into docs/chart-contract.md between the
 * `chart-table` markers; the prose around them is hand-written.
 * `--print` only prints the table. test/chart-table.test.ts fails while the doc's table differs
 * from the code.
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { type ContractRow, contractRows } from "./chart-contract";

export const CHART_DOC = path.resolve(__dirname, "..", "docs", "chart-contract.md");
export const BEGIN = "<!-- chart-table -->";
export const END = "<!-- /chart-table -->";

const cell = (text: string) => text.replace(/\|/g, "\\|");

function where(row: ContractRow): string {
  if (row.kind === "value") return "chart value";
  if (row.kind === "object") return `chart object (${row.objectKind})`;
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

/** The table currently between the markers of a Markdown text. */
export function tableIn(readme: string): string {
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`the document has no ${BEGIN} ... ${END} block`);
  return readme.slice(start + BEGIN.length, end).trim();
}

/** The Markdown text with the table between the markers replaced. */
export function withTable(readme: string, table: string): string {
  tableIn(readme);
  const start = readme.indexOf(BEGIN) + BEGIN.length;
  return `${readme.slice(0, start)}\n${table}\n${readme.slice(readme.indexOf(END))}`;
}

if (require.main === module) {
  const table = renderChartTable();
  if (process.argv.includes("--print")) console.log(table);
  else {
    const doc = readFileSync(CHART_DOC, "utf8");
    const next = withTable(doc, table);
    if (next !== doc) writeFileSync(CHART_DOC, next);
    const name = path.relative(path.resolve(__dirname, ".."), CHART_DOC);
    console.log(next === doc ? `${name}: chart table is up to date` : `${name}: chart table updated`);
  }
}
