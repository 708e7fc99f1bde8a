/**
 * `npm run schema`: regenerates schema.json, the Pulumi package schema other languages' SDKs are
 * generated from. It is inferred from the TypeScript types and JSDoc in sdk/, so run this after
 * changing a public argument or output; test/analyzer.test.ts fails while the file is stale.
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { packageRoot, UsageEngineProvider } from "../sdk/componentProvider";

export const SCHEMA_FILE = path.join(packageRoot(), "schema.json");

/** The schema as committed: pretty-printed, newline-terminated. */
export async function renderSchema(): Promise<string> {
  let schema: unknown;
  try {
    schema = JSON.parse(await new UsageEngineProvider().getSchema());
  } catch (err) {
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${hint(String(err))}`);
  }
  return formatSchema(schema);
}

/** The committed form: pretty-printed, newline-terminated. */
export function formatSchema(schema: unknown): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

/** What to do about the analyzer's usual complaints. */
function hint(message: string): string {
  if (/Union types are not supported/.test(message))
    return "A closed set must be an `as const` object plus the same-named union type, e.g. DatabaseMode in sdk/database.ts; other unions cannot cross languages.";
  if (/Intersection types|Unsupported type/.test(message))
    return "Public args must be interfaces of strings, numbers, booleans, lists, maps and other such interfaces.";
  return "Public args must be analyzable by Pulumi's component analyzer (see docs/development.md).";
}

export function committedSchema(): string {
  return readFileSync(SCHEMA_FILE, "utf8");
}

async function cli(): Promise<void> {
  const fresh = await renderSchema();
  writeFileSync(SCHEMA_FILE, fresh);
  const schema = JSON.parse(fresh);
  console.log(
    `wrote ${path.relative(process.cwd(), SCHEMA_FILE) || SCHEMA_FILE}: ${Object.keys(schema.resources).length} component(s), ${Object.keys(schema.types).length} type(s)`,
  );
}

if (require.main === module)
  cli().catch((err: unknown) => {
    console.error(`schema: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
