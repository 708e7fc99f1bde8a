/**
 * `npm run args-doc`: writes docs/arguments.md, the argument reference, from schema.json, which
 * the analyzer derives from the JSDoc in sdk/. One source of truth: change the JSDoc, run
 * `npm run schema && npm run args-doc`. The whole file is generated; test/docs.test.ts fails
 * while it is stale.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
export const ARGS_DOC = path.join(ROOT, "docs", "arguments.md");
const SCHEMA = path.join(ROOT, "schema.json");
const PREFIX = "usage-engine:index:";
/** The components documented, in this order: the installation, then what a cluster shares. */
const COMPONENTS = ["UsageEngineStack", "ClusterAddons"];

interface Property {
  type?: string;
  $ref?: string;
  items?: Property;
  additionalProperties?: Property;
  description?: string;
  secret?: boolean;
}
interface TypeSpec {
  type: string;
  properties?: Record<string, Property>;
  required?: string[];
  enum?: { name: string; value: string }[];
}
interface Schema {
  resources: Record<
    string,
    {
      inputProperties: Record<string, Property>;
      requiredInputs: string[];
      properties: Record<string, Property>;
    }
  >;
  types: Record<string, TypeSpec>;
}

const anchor = (name: string) => `#${name.toLowerCase()}`;
// A description as one table cell. A JSDoc comment ends at the first star-slash, so sdk/ writes a
// cron step as `*\/8`; that backslash belongs to JSDoc, not to the reader, and is dropped here.
const cell = (text: string) =>
  text
    .replace(/\*\\\//g, "*/")
    .replace(/\s*\n\s*/g, " ")
    .replace(/\|/g, "\\|");

function typeOf(prop: Property, schema: Schema, objects: string[]): string {
  if (prop.$ref?.startsWith("#/types/")) {
    const name = prop.$ref.slice(`#/types/${PREFIX}`.length);
    const spec = schema.types[`${PREFIX}${name}`];
    if (spec.enum) return spec.enum.map((m) => `\`${m.value}\``).join(" \\| ");
    if (!objects.includes(name)) objects.push(name);
    return `[${name}](${anchor(name)})`;
  }
  if (prop.$ref === "pulumi.json#/Any") return "any";
  // A resource of another package (a handle output), e.g. /aws/v7.48.0/schema.json#/resources/aws:rds%2Finstance:Instance.
  const foreign = /#\/resources\/(.+)$/.exec(prop.$ref ?? "");
  if (foreign) return `resource \`${decodeURIComponent(foreign[1])}\``;
  if (prop.type === "array" && prop.items) return `${typeOf(prop.items, schema, objects)}[]`;
  if (prop.type === "object" && prop.additionalProperties)
    return `map of ${typeOf(prop.additionalProperties, schema, objects)}`;
  return prop.type ?? "?";
}

/** A markdown table with aligned columns (the way the formatter lays it out). */
function markdownTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, 3, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
}

function table(
  props: Record<string, Property>,
  required: string[],
  schema: Schema,
  objects: string[],
): string[] {
  const rows: string[][] = [];
  for (const [name, prop] of Object.entries(props)) {
    const flags = [required.includes(name) ? "required" : "", prop.secret ? "secret" : ""].filter(Boolean);
    const type = `${typeOf(prop, schema, objects)}${flags.length ? ` (${flags.join(", ")})` : ""}`;
    rows.push([`\`${name}\``, type, cell(prop.description ?? "")]);
  }
  return markdownTable(["name", "type", "description"], rows);
}

/** Marks the file as generated; the first line of docs/arguments.md. */
export const GENERATED_HEADER =
  "<!-- Generated from schema.json by `npm run args-doc` (tools/argsDoc.ts). Do not edit by hand. -->";

/** The whole of docs/arguments.md, generated from a schema. */
export function renderArgs(schema: Schema): string {
  const components = COMPONENTS.map((name) => ({ name, spec: schema.resources[`${PREFIX}${name}`] })).filter(
    (c) => c.spec !== undefined,
  );
  const objects: string[] = [];
  const lines = [
    GENERATED_HEADER,
    "",
    "# Arguments",
    "",
    "Generated from `schema.json` by `npm run args-doc`; the same names work in every language",
    "(snake_case in Python, PascalCase in .NET and Go). Secret arguments are encrypted in state.",
    "",
    "## Inputs",
  ];
  for (const { name, spec } of components)
    lines.push(
      "",
      `### ${name}`,
      "",
      ...table(spec.inputProperties, spec.requiredInputs ?? [], schema, objects),
    );
  for (let i = 0; i < objects.length; i++) {
    const spec = schema.types[`${PREFIX}${objects[i]}`];
    lines.push(
      "",
      `### ${objects[i]}`,
      "",
      ...table(spec.properties ?? {}, spec.required ?? [], schema, objects),
    );
  }
  lines.push("", "## Outputs");
  for (const { name, spec } of components) {
    const outputs = Object.entries(spec.properties).map(([output, prop]) => [
      `\`${output}\``,
      `${typeOf(prop, schema, [])}${prop.secret ? " (secret)" : ""}`,
      cell(prop.description ?? ""),
    ]);
    lines.push("", `### ${name} outputs`, "", ...markdownTable(["name", "type", "description"], outputs));
  }
  return `${lines.join("\n")}\n`;
}

/** The current text of docs/arguments.md. */
export function readArgsDoc(file = ARGS_DOC): string {
  return readFileSync(file, "utf8");
}

export function loadSchema(): Schema {
  return JSON.parse(readFileSync(SCHEMA, "utf8"));
}

if (require.main === module) {
  mkdirSync(path.dirname(ARGS_DOC), { recursive: true });
  writeFileSync(ARGS_DOC, renderArgs(loadSchema()));
  console.log(`${path.relative(ROOT, ARGS_DOC)}: regenerated from schema.json`);
}
