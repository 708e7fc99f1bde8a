/**
 * `npm run plan [example] [--out dir] [--config file]`: the main job without a cloud. Evaluates
 * an example program under Pulumi's mocks, with the provider model the tests use (AWS-shaped
 * ids, ARNs and endpoints), and shows what `pulumi up` would create: the resource tree, a count
 * per type, the chart values with secrets redacted, and every Kubernetes manifest and values file
 * as YAML under --out. Bad input (unknown example, unreadable config, invalid arguments) exits
 * non-zero with a clear message and writes nothing.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import type { Recorded } from "./mocks";

/**
 * The Pulumi SDK and the mock model, loaded once there is a program to evaluate: loading them
 * takes seconds, and bad arguments or an unreadable config should fail at once.
 */
const mocks = () => require("./mocks") as typeof import("./mocks");
const isSecretWrapper = (value: unknown): value is { value: unknown } => mocks().isSecretWrapper(value);

const ROOT = path.resolve(__dirname, "..");
const EXAMPLES_DIR = path.join(ROOT, "examples");
/** Examples written in TypeScript can be evaluated here; the YAML one needs the Pulumi CLI. */
export const PLANNABLE = ["quickstart", "embed", "kaa"];
const REDACTED = "[secret]";

/** A problem the user can fix: printed without a stack trace, exit code attached. */
export class PlanError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export interface PlanOptions {
  example: string;
  out: string;
  config?: string;
}

const USAGE = `usage: npm run plan [-- <example>] [--out <dir>] [--config <file>]
  example   one of ${PLANNABLE.join(", ")} (default: quickstart)
  --out     where manifests and values files are written (default: plan-out/<example>)
  --config  stack config to use instead of examples/<example>/plan-config.yaml`;

export function parseArgs(argv: string[]): PlanOptions {
  let example: string | undefined;
  let out: string | undefined;
  let config: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--out" || arg === "--config") {
      const value = argv[++i];
      if (!value || value.startsWith("--")) throw new PlanError(`${arg} needs a value\n${USAGE}`, 2);
      if (arg === "--out") out = value;
      else config = value;
    } else if (arg === "--help" || arg === "-h") throw new PlanError(USAGE, 0);
    else if (arg.startsWith("-")) throw new PlanError(`unknown option ${arg}\n${USAGE}`, 2);
    else if (example === undefined) example = arg;
    else throw new PlanError(`one example at a time (got ${example} and ${arg})\n${USAGE}`, 2);
  }
  example ??= "quickstart";
  if (!PLANNABLE.includes(example)) {
    const hint =
      example === "yaml"
        ? "examples/yaml is a Pulumi YAML program: run it with the Pulumi CLI (see examples/yaml/README.md)."
        : `unknown example "${example}"`;
    throw new PlanError(`${hint}\n${USAGE}`, 2);
  }
  return { example, out: path.resolve(out ?? path.join(ROOT, "plan-out", example)), config };
}

/** Stack config of a plan: Pulumi-style `project:key` values and the keys that are secret. */
export interface PlanConfig {
  project: string;
  values: Record<string, string>;
  secretKeys: string[];
}

export function loadConfig(example: string, file?: string): PlanConfig {
  const project = parse(readFileSync(path.join(EXAMPLES_DIR, example, "Pulumi.yaml"), "utf8")).name as string;
  const configFile = file ? path.resolve(file) : path.join(EXAMPLES_DIR, example, "plan-config.yaml");
  let text: string;
  try {
    text = readFileSync(configFile, "utf8");
  } catch (err) {
    throw new PlanError(`cannot read config ${configFile}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  let doc: { config?: Record<string, unknown>; secrets?: unknown };
  try {
    doc = parse(text) ?? {};
  } catch (err) {
    throw new PlanError(`config ${configFile} is not valid YAML: ${(err as Error).message.split("\n")[0]}`);
  }
  if (typeof doc !== "object" || typeof doc.config !== "object" || doc.config === null)
    throw new PlanError(`config ${configFile} has no \`config:\` map of ${project}:<key> values`);
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(doc.config)) {
    if (!key.includes(":"))
      throw new PlanError(`config ${configFile}: key "${key}" needs its namespace, e.g. ${project}:${key}`);
    values[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  const secretKeys = Array.isArray(doc.secrets) ? doc.secrets.map(String) : [];
  for (const key of secretKeys)
    if (!(key in values)) throw new PlanError(`config ${configFile}: secret key ${key} has no value`);
  return { project, values, secretKeys };
}

/**
 * Makes the example resolve this package (its source) and the one Pulumi SDK the mocks are
 * installed in, even when the example has its own node_modules.
 */
function pinModules(): void {
  const Module = require("node:module") as {
    _resolveFilename: (
      request: string,
      parent: { filename?: string } | undefined,
      ...rest: unknown[]
    ) => string;
  };
  const resolve = Module._resolveFilename;
  Module._resolveFilename = (request, parent, ...rest) => {
    if (request === "pulumi-usage-engine") return require.resolve(path.join(ROOT, "sdk"));
    if (/^@pulumi\//.test(request) && parent?.filename?.startsWith(EXAMPLES_DIR))
      return require.resolve(request, { paths: [ROOT] });
    return resolve(request, parent, ...rest);
  };
}

/** Every scalar secret the program handled: secret config, generated passwords, secret inputs. */
function knownSecrets(config: PlanConfig): string[] {
  const { recorded } = mocks();
  const found = new Set(config.secretKeys.map((k) => config.values[k]));
  const visit = (value: unknown, inSecret: boolean) => {
    if (isSecretWrapper(value)) visit(value.value, true);
    else if (typeof value === "string") {
      if (inSecret) found.add(value);
    } else if (Array.isArray(value)) for (const v of value) visit(v, false);
    else if (typeof value === "object" && value !== null)
      for (const v of Object.values(value)) visit(v, false);
  };
  for (const r of recorded) {
    visit(r.raw, false);
    // Generated passwords: the provider's answer, never an input.
    if (r.type === "random:index/randomPassword:RandomPassword") {
      const result = r.outputs?.result;
      if (typeof result === "string") found.add(result);
    }
  }
  return [...found].filter((s) => s.length >= 4).sort((a, b) => b.length - a.length);
}

/**
 * The value as written to disk or screen: secret wrappers and known secret strings become
 * [secret]. `openOuterSecret` looks inside a value that is secret as a whole (chart values are,
 * because they carry the license) and redacts only the secrets in it.
 */
function redact(value: unknown, secrets: string[], openOuterSecret = false): unknown {
  if (isSecretWrapper(value))
    return openOuterSecret ? redact(value.value, secrets) : redactLeaves(value.value);
  if (typeof value === "string") return secrets.some((s) => value.includes(s)) ? REDACTED : value;
  if (Array.isArray(value)) return value.map((v) => redact(v, secrets));
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, secrets)]));
  return value;
}

/** A secret map keeps its shape (the keys are not secret), every value inside becomes [secret]. */
function redactLeaves(value: unknown): unknown {
  if (isSecretWrapper(value)) return redactLeaves(value.value);
  if (Array.isArray(value)) return value.map(redactLeaves);
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactLeaves(v)]));
  return REDACTED;
}

const HELM_RELEASE = "kubernetes:helm.sh/v3:Release";
const isManifest = (r: Recorded) =>
  r.custom &&
  r.type.startsWith("kubernetes:") &&
  r.type !== HELM_RELEASE &&
  !r.type.startsWith("kubernetes:helm.sh/");

export interface PlanResult {
  resources: Recorded[];
  tree: string[];
  counts: [string, number][];
  releases: { name: string; namespace: string; chart: string; version: string; values: unknown }[];
  manifests: { file: string; object: unknown }[];
}

function tree(resources: Recorded[]): string[] {
  const children = new Map<string, Recorded[]>();
  const urns = new Set(resources.map((r) => r.urn));
  for (const r of resources) {
    const parent = urns.has(r.parent) ? r.parent : "";
    children.set(parent, [...(children.get(parent) ?? []), r]);
  }
  const lines: string[] = [];
  const walk = (parent: string, indent: string) => {
    const list = children.get(parent) ?? [];
    list.forEach((r, i) => {
      const last = i === list.length - 1;
      lines.push(`${indent}${last ? "└─ " : "├─ "}${r.type}  ${r.name}`);
      walk(r.urn, indent + (last ? "   " : "│  "));
    });
  };
  walk("", "");
  return lines;
}

function manifestFile(object: Record<string, unknown>): string {
  const metadata = (object.metadata ?? {}) as { name?: string; namespace?: string };
  const kind = String(object.kind ?? "Object").toLowerCase();
  return path.join(
    "manifests",
    metadata.namespace ?? "_cluster",
    `${kind}-${metadata.name ?? "unnamed"}.yaml`,
  );
}

/** Evaluates the example under mocks; throws PlanError for anything the user must fix. */
export async function evaluate(
  options: PlanOptions,
  onProgress: (count: number) => void = () => {},
): Promise<PlanResult> {
  const config = loadConfig(options.example, options.config);
  const { recorded, resetMocks, settle } = mocks();
  const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
  resetMocks({ project: config.project, stack: "plan" });
  pulumi.runtime.setAllConfig(config.values, config.secretKeys);
  pinModules();
  const failures: unknown[] = [];
  const onRejection = (err: unknown) => failures.push(err);
  process.on("unhandledRejection", onRejection);
  const ticker = setInterval(() => onProgress(recorded.length), 100);
  try {
    require(path.join(EXAMPLES_DIR, options.example, "index.ts"));
    await settle();
  } catch (err) {
    throw new PlanError(
      `examples/${options.example} failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  } finally {
    clearInterval(ticker);
    process.off("unhandledRejection", onRejection);
  }
  if (failures.length > 0) {
    const first = failures[0];
    throw new PlanError(
      `examples/${options.example} failed: ${first instanceof Error ? first.message : String(first)}`,
    );
  }
  onProgress(recorded.length);

  const resources = [...recorded].sort((a, b) => a.startedSeq - b.startedSeq);
  const secrets = knownSecrets(config);
  const counts = new Map<string, number>();
  for (const r of resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  const releases = resources
    .filter((r) => r.type === HELM_RELEASE)
    .map((r) => {
      const inputs = r.inputs as { name?: string; namespace?: string; chart?: string; version?: string };
      const raw = r.raw as { values?: unknown };
      return {
        name: inputs.name ?? r.name,
        namespace: inputs.namespace ?? "default",
        chart: inputs.chart ?? "",
        version: inputs.version ?? "",
        // The values map is one secret in state (it carries a license); show it with its secret parts redacted.
        values: redact(raw.values ?? {}, secrets, true),
      };
    });
  const manifests = resources.filter(isManifest).map((r) => {
    const object = redact(r.raw, secrets) as Record<string, unknown>;
    const metadata = { ...((object.metadata as Record<string, unknown> | undefined) ?? {}) };
    const answered = (r.outputs?.metadata as { name?: string } | undefined)?.name;
    metadata.name ??= answered;
    const manifest = { ...object, metadata };
    return { file: manifestFile(manifest), object: manifest };
  });
  return {
    resources,
    tree: tree(resources),
    counts: [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])),
    releases,
    manifests,
  };
}

export function write(result: PlanResult, out: string): string[] {
  const files: string[] = [];
  const put = (file: string, content: unknown) => {
    const target = path.join(out, file);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, stringify(content, { sortMapEntries: true }));
    files.push(target);
  };
  for (const m of result.manifests) put(m.file, m.object);
  for (const r of result.releases) put(`${r.namespace}-${r.name}.values.yaml`, r.values);
  return files;
}

function progress(example: string): (count: number) => void {
  const frames = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
  let frame = 0;
  if (!process.stderr.isTTY) {
    process.stderr.write(`evaluating examples/${example} under mocks...\n`);
    return () => {};
  }
  return (count) => {
    process.stderr.write(
      `\r${frames[frame++ % frames.length]} evaluating examples/${example}: ${count} resources`,
    );
  };
}

/** Where the config came from: the example's made-up one, or the user's file (whose secrets are real). */
export function configLine(configFile: string | undefined): string {
  if (configFile === undefined)
    return "Config comes from the example's plan-config.yaml: made-up ids, every secret a placeholder.";
  return `Config comes from ${configFile}; its secret values are never printed here.`;
}

async function main(argv: string[]): Promise<void> {
  const options = parseArgs(argv);
  const started = Date.now();
  const result = await evaluate(options, progress(options.example));
  if (process.stderr.isTTY) process.stderr.write("\r\x1b[K");
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const out: string[] = [];
  out.push(
    `Plan of examples/${options.example}: ${result.resources.length} resources (evaluated offline in ${seconds}s).`,
    configLine(options.config),
    "Ids, ARNs and endpoints are modeled the way AWS and Kubernetes answer; nothing was created.",
    "",
    "Resources:",
    ...result.tree,
    "",
    "Count per type:",
    ...result.counts.map(([type, n]) => `  ${String(n).padStart(3)}  ${type}`),
  );
  for (const r of result.releases)
    out.push(
      "",
      `Chart values of release ${r.namespace}/${r.name} (${r.chart} ${r.version}), secrets shown as ${REDACTED}:`,
      ...stringify(r.values, { sortMapEntries: true })
        .trimEnd()
        .split("\n")
        .map((l) => `  ${l}`),
    );
  write(result, options.out);
  out.push(
    "",
    `Wrote ${result.manifests.length} Kubernetes manifests and ${result.releases.length} values files to ${path.relative(process.cwd(), options.out) || "."}/`,
  );
  console.log(out.join("\n"));
}

if (require.main === module)
  main(process.argv.slice(2))
    .then(() => process.exit(0))
    .catch((err: unknown) => {
      if (process.stderr.isTTY) process.stderr.write("\r\x1b[K");
      if (err instanceof PlanError) {
        (err.exitCode === 0 ? console.log : console.error)(
          err.exitCode === 0 ? err.message : `plan: ${err.message}`,
        );
        process.exit(err.exitCode);
      }
      console.error(
        `plan: unexpected failure: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
      process.exit(1);
    });
