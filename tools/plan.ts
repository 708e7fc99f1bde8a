/**
 * `npm run plan [example] [--out dir] [--config file] [--diff other-config]`: the main job without
 * a cloud. Evaluates an example program under Pulumi's mocks, with the provider model the tests
 * use (AWS-shaped ids, ARNs and endpoints), and shows what `pulumi up` would create: the resource
 * tree, a count per type, the chart values with secrets redacted, and every Kubernetes manifest and
 * values file as YAML under --out. With --diff it evaluates the example a second time with the
 * other config and shows what changing to it would do instead: resources added, removed, updated
 * in place or replaced (tools/replacements.ts), data resources that would be lost named loudly,
 * and the review views' changes line by line. Bad input (unknown example, unreadable config,
 * invalid arguments) exits non-zero with a clear message and writes nothing.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import type { Recorded } from "./mocks";
import { losesData, type ResourceChange, resourceChanges } from "./replacements";

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
  /** A second config: show what changing from `config` to it would do, instead of the plan. */
  diff?: string;
}

const USAGE = `usage: npm run plan [-- <example>] [--out <dir>] [--config <file>] [--diff <file>]
  example   one of ${PLANNABLE.join(", ")} (default: quickstart)
  --out     where manifests and values files are written (default: plan-out/<example>)
  --config  stack config to use instead of examples/<example>/plan-config.yaml
  --diff    another stack config: print what changing from the config to it would do
            (resources added, removed, updated, replaced; the redacted chart values' changes)`;

export function parseArgs(argv: string[]): PlanOptions {
  let example: string | undefined;
  let out: string | undefined;
  let config: string | undefined;
  let diff: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--out" || arg === "--config" || arg === "--diff") {
      const value = argv[++i];
      if (!value || value.startsWith("--")) throw new PlanError(`${arg} needs a value\n${USAGE}`, 2);
      if (arg === "--out") out = value;
      else if (arg === "--config") config = value;
      else diff = value;
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
  return { example, out: path.resolve(out ?? path.join(ROOT, "plan-out", example)), config, diff };
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
let pinned = false;
function pinModules(): void {
  if (pinned) return;
  pinned = true;
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
    // The review views' fingerprint key.
    if (r.type === "random:index/randomBytes:RandomBytes")
      for (const encoding of ["base64", "hex"]) {
        const key = r.outputs?.[encoding];
        if (typeof key === "string") found.add(key);
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
  /** The review views each UsageEngineStack registered (chartValuesRedacted, …), by component URN. */
  views: ReviewViews[];
}

/** The non-secret views of one UsageEngineStack, as registered with its outputs. */
export interface ReviewViews {
  urn: string;
  chartValues: unknown;
  envSecrets: unknown;
  authorizationServerSecrets: unknown;
}

/** The stacks' review views among the registered component outputs (redacted again, to be sure). */
function reviewViews(secrets: string[]): ReviewViews[] {
  return mocks()
    .recordedOutputs.filter(
      (o) => typeof o.raw === "object" && o.raw !== null && "chartValuesRedacted" in o.raw,
    )
    .map((o) => {
      const raw = o.raw as Record<string, unknown>;
      return {
        urn: o.urn,
        chartValues: redact(raw.chartValuesRedacted, secrets),
        envSecrets: redact(raw.envSecretsRedacted, secrets),
        authorizationServerSecrets: redact(raw.authorizationServerSecretsRedacted, secrets),
      };
    });
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
  // A second evaluation (--diff) runs the program again: forget the example's compiled modules.
  for (const file of Object.keys(require.cache))
    if (file.startsWith(path.join(EXAMPLES_DIR, options.example) + path.sep)) delete require.cache[file];
  // With --diff two configs are evaluated: a failure says which one.
  const subject = `examples/${options.example}${options.config ? ` with ${options.config}` : ""}`;
  const failures: unknown[] = [];
  const onRejection = (err: unknown) => failures.push(err);
  process.on("unhandledRejection", onRejection);
  const ticker = setInterval(() => onProgress(recorded.length), 100);
  try {
    require(path.join(EXAMPLES_DIR, options.example, "index.ts"));
    await settle();
  } catch (err) {
    throw new PlanError(`${subject} failed: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    clearInterval(ticker);
    process.off("unhandledRejection", onRejection);
  }
  if (failures.length > 0) {
    const first = failures[0];
    throw new PlanError(`${subject} failed: ${first instanceof Error ? first.message : String(first)}`);
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
    views: reviewViews(secrets),
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

/** A view as `path: value` lines, one per scalar, sorted: a changed value is one changed line. */
export function flatten(value: unknown, prefix = ""): Map<string, string> {
  const lines = new Map<string, string>();
  const walk = (node: unknown, at: string) => {
    if (Array.isArray(node) && node.length > 0) for (const [i, v] of node.entries()) walk(v, `${at}[${i}]`);
    else if (typeof node === "object" && node !== null && Object.keys(node).length > 0)
      for (const [k, v] of Object.entries(node)) walk(v, at ? `${at}.${k}` : k);
    else lines.set(at, JSON.stringify(node));
  };
  walk(value, prefix);
  return new Map([...lines.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** What changes between two views, line by line: `~ path: old -> new`, `+ path: new`, `- path: old`. */
export function viewChanges(before: unknown, after: unknown): string[] {
  const old = flatten(before);
  const now = flatten(after);
  const paths = [...new Set([...old.keys(), ...now.keys()])].sort();
  return paths.flatMap((p) => {
    const a = old.get(p);
    const b = now.get(p);
    if (a === b) return [];
    if (a === undefined) return [`+ ${p}: ${b}`];
    if (b === undefined) return [`- ${p}: ${a}`];
    return [`~ ${p}: ${a} -> ${b}`];
  });
}

const CHANGE_SYMBOL: Record<ResourceChange["kind"], string> = {
  add: "+ ",
  remove: "- ",
  update: "~ ",
  replace: "+-",
};

function changeLine(c: ResourceChange): string {
  const detail =
    c.kind === "replace"
      ? `  [forced by ${c.replacedBy.join(", ")}]`
      : c.kind === "update"
        ? `  [${c.properties.join(", ")}]`
        : "";
  return `  ${CHANGE_SYMBOL[c.kind]} ${c.kind.padEnd(7)} ${c.type}  ${c.name}${detail}`;
}

/** The loud part: a data resource (RDS, EFS, backup vault) the change would replace or delete. */
function dataLossLine(c: ResourceChange): string {
  const what =
    c.kind === "replace"
      ? `REPLACES ${c.type} ${c.name} (${c.replacedBy.join(", ")} changed): the stack would move to a new, empty one`
      : `DELETES ${c.type} ${c.name}: the stack would let go of its data`;
  const guard = c.protected
    ? "It is protected: `pulumi preview` and `pulumi up` refuse until you run `pulumi state unprotect` on it (docs/runbooks/restore.md)."
    : "It is NOT protected (protectData: false): `pulumi up` would do it.";
  return `!! ${what}. ${guard}`;
}

/** Pairs each stack's views of the two evaluations and prints what changes in each. */
function viewSections(before: ReviewViews[], after: ReviewViews[]): string[] {
  const out: string[] = [];
  for (const b of after) {
    const a = before.find((v) => v.urn === b.urn);
    const stack = b.urn.split("::").pop();
    const sections: [string, unknown, unknown][] = [
      ["chartValuesRedacted", a?.chartValues, b.chartValues],
      ["envSecretsRedacted", a?.envSecrets, b.envSecrets],
      ["authorizationServerSecretsRedacted", a?.authorizationServerSecrets, b.authorizationServerSecrets],
    ];
    for (const [name, old, now] of sections) {
      const changes = viewChanges(old ?? {}, now);
      out.push(
        "",
        `${name} of ${stack}${changes.length === 0 ? ": no change" : ":"}`,
        ...changes.map((l) => `  ${l}`),
      );
    }
  }
  return out;
}

/** The --diff report: resource changes, data resources lost (loudly), then the review views' changes. */
export function renderDiff(options: PlanOptions, before: PlanResult, after: PlanResult): string[] {
  const changes = resourceChanges(before.resources, after.resources);
  const count = (kind: ResourceChange["kind"]) => changes.filter((c) => c.kind === kind).length;
  const from = options.config ?? `examples/${options.example}/plan-config.yaml`;
  return [
    `Diff of examples/${options.example}: ${from} -> ${options.diff} (evaluated offline; nothing was created).`,
    "Replacements follow the providers' rules for the properties the package sets (tools/replacements.ts).",
    "",
    `Resources: ${count("add")} to add, ${count("remove")} to remove, ${count("update")} to update in place, ${count("replace")} to replace.`,
    ...changes.map(changeLine),
    ...(changes.some(losesData) ? ["", ...changes.filter(losesData).map(dataLossLine)] : []),
    ...viewSections(before.views, after.views),
  ];
}

async function mainDiff(options: PlanOptions & { diff: string }): Promise<void> {
  const before = await evaluate(options, progress(options.example));
  const after = await evaluate({ ...options, config: options.diff }, progress(options.example));
  if (process.stderr.isTTY) process.stderr.write("\r\x1b[K");
  console.log(renderDiff(options, before, after).join("\n"));
}

async function main(argv: string[]): Promise<void> {
  const options = parseArgs(argv);
  if (options.diff !== undefined) return mainDiff({ ...options, diff: options.diff });
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
