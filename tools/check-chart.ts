/**
 * `npm run check-chart -- <values.yaml> [--version X] [--args file] [--summary]`
 *
 * Holds the keys the package writes against a real chart's values file, made on a machine that
 * can reach the chart repository:
 *
 *   helm show values digitalroute/usage-engine-private-edition --version 4.2.0 > values.yaml
 *
 * The stack is evaluated offline under mocks (for the arguments in `--args`, default the
 * quickstart's), and the chart values it produces are compared with the file. Prints the keys the
 * chart does not have (exit 1), the unverified keys the chart confirms, and removed keys in use.
 * `--summary` prints how many keys of the contract are still unverified (no values file needed).
 * Reads only; writes nothing.
 */
import { readFileSync } from "node:fs";
import * as semver from "semver";
import { parse as parseYaml } from "yaml";
import { UsageEngineStack, type UsageEngineStackArgs } from "../sdk";
import { MINIMUM_VERSION } from "../sdk/args/stack";
import { CHART_NAME, REMOVED_VALUES, type RemovedValue } from "../sdk/chart/contract";
import { ArgumentError } from "../sdk/validation";
import {
  type ContractRow,
  contractRows,
  hasPath,
  uepeRelease,
  userSecretKeys,
  valuePathIndex,
  type WrittenSecretKey,
  walkSecrets,
  walkValues,
} from "./chart-contract";
import { recorded, resetMocks, settle } from "./mocks";

type Values = Record<string, unknown>;

const USAGE = "usage: npm run check-chart -- <values.yaml> [--version X] [--args file] [--summary]";

/** A problem with the command line or its files: reported on stderr, exit code 2. */
export class UsageError extends Error {}

export interface Options {
  valuesFile?: string;
  version?: string;
  argsFile?: string;
  summary: boolean;
}

export function parseArgv(argv: readonly string[]): Options {
  const options: Options = { summary: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = () => {
      const value = argv[++i];
      if (value === undefined || value.startsWith("--"))
        throw new UsageError(`${arg} needs a value\n${USAGE}`);
      return value;
    };
    if (arg === "--summary") options.summary = true;
    else if (arg === "--version") options.version = next();
    else if (arg === "--args") options.argsFile = next();
    else if (arg.startsWith("--")) throw new UsageError(`unknown option ${arg}\n${USAGE}`);
    else if (options.valuesFile === undefined) options.valuesFile = arg;
    else throw new UsageError(`more than one values file given (${options.valuesFile}, ${arg})\n${USAGE}`);
  }
  if (options.version !== undefined && semver.valid(options.version) === null)
    throw new UsageError(`--version ${JSON.stringify(options.version)} is not a chart version such as 4.2.0`);
  if (options.valuesFile === undefined && !options.summary)
    throw new UsageError(`no values file given\n${USAGE}`);
  return options;
}

/** Reads a YAML (or JSON) file whose top level must be a mapping. */
export function readYamlMapping(file: string, what: string): Values {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      `cannot read ${what} ${file}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory" : String(err)}`,
    );
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (err) {
    const first = String((err as Error).message)
      .split("\n")[0]
      .replace(/:$/, "");
    throw new UsageError(`${what} ${file} is not YAML: ${first}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new UsageError(
      `${what} ${file} is not a YAML mapping of keys (found ${parsed === null || parsed === undefined ? "nothing" : Array.isArray(parsed) ? "a list" : `a ${typeof parsed}`})`,
    );
  return parsed as Values;
}

/**
 * The quickstart's arguments with placeholder identifiers: what `--args` is laid over. Only key
 * paths matter here, so no real license, network or access key is needed.
 */
export function quickstartArgs(): UsageEngineStackArgs {
  return {
    version: "4.2.0",
    licenseKey: "placeholder-license-text",
    network: {
      vpcId: "vpc-00000000000000000",
      subnetIds: ["subnet-00000000000000001", "subnet-00000000000000002"],
      allowedSecurityGroupIds: ["sg-00000000000000000"],
    },
    registry: {
      accessKeyId: "AKIAIOSFODNN7EXAMPLE",
      secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    },
  };
}

/** The stack arguments: the quickstart's, with the args file's top-level arguments laid over them. */
export function stackArgs(options: Options): UsageEngineStackArgs {
  const file = options.argsFile ? readYamlMapping(options.argsFile, "args file") : {};
  const args = { ...quickstartArgs(), ...file } as UsageEngineStackArgs;
  if (options.version !== undefined) {
    // The stack deploys UEPE 4.x; an older chart is evaluated as a chart source override.
    if (semver.gte(options.version, MINIMUM_VERSION)) args.version = options.version;
    if (args.chart?.version !== undefined || args.version !== options.version)
      args.chart = { ...args.chart, version: options.version };
  }
  return args;
}

/** What the package writes for one set of arguments. */
export interface Written {
  /** Chart version the stack deploys. */
  version: string;
  chartName: string;
  /** Chart values as given to the release (package and user values merged). */
  values: Values;
  /** The user's own `values` (not part of the package's contract). */
  userValues: Values;
  /** Table value paths the package set, and paths outside the table. */
  valuePaths: string[];
  unknownValuePaths: string[];
  secretKeys: WrittenSecretKey[];
  unknownSecretKeys: string[];
}

/** The removed keys `values` sets for the chart version (the stack would refuse them). */
export function removedInUse(values: unknown, version: string): RemovedValue[] {
  return REMOVED_VALUES.filter((r) => semver.gte(version, r.removedIn) && hasPath(values, r.path));
}

/** A copy of `values` without the dot paths given. */
function withoutPaths(values: Values, paths: readonly string[]): Values {
  const copy = structuredClone(values);
  for (const path of paths) {
    const parts = path.split(".");
    let node: unknown = copy;
    for (const part of parts.slice(0, -1)) node = (node as Values)[part];
    delete (node as Values)[parts[parts.length - 1]];
  }
  return copy;
}

/**
 * Evaluates the stack under mocks and collects every key it writes. Removed keys in the user's
 * `values` are left out of the evaluation (the stack refuses them) and reported instead.
 */
export async function evaluate(args: UsageEngineStackArgs): Promise<Written> {
  const version = args.chart?.version ?? args.version;
  const userValues = (args.values ?? {}) as Values;
  const removed = semver.valid(version) ? removedInUse(userValues, version).map((r) => r.path) : [];
  if (removed.length > 0) args = { ...args, values: withoutPaths(userValues, removed) };
  resetMocks();
  try {
    new UsageEngineStack("uepe", args);
  } catch (err) {
    if (err instanceof ArgumentError) throw new UsageError(err.message);
    throw err;
  }
  await settle();
  const chartName = args.chart?.name ?? CHART_NAME;
  const values = uepeRelease(recorded, chartName).inputs.values as Values;
  const valueWalk = walkValues(values, (args.values ?? {}) as Values);
  const secretWalk = walkSecrets(recorded, values, { "env-secrets": userSecretKeys(args.credentials) });
  return {
    version,
    chartName,
    values,
    userValues,
    valuePaths: valueWalk.written,
    unknownValuePaths: valueWalk.unknown,
    secretKeys: secretWalk.written,
    unknownSecretKeys: secretWalk.unknown,
  };
}

/**
 * Whether the chart's values have the path. A key under a map the chart leaves empty (`{}`) or
 * null is accepted: such maps are free-form (annotations, extra settings).
 */
export function chartHas(chartValues: Values, path: string): boolean {
  let node: unknown = chartValues;
  for (const [depth, part] of path.split(".").entries()) {
    if (node === null) return true;
    if (typeof node !== "object" || Array.isArray(node)) return false;
    const map = node as Values;
    if (depth > 0 && Object.keys(map).length === 0) return true;
    if (!Object.hasOwn(map, part)) return false;
    node = map[part];
  }
  return true;
}

export interface Finding {
  path: string;
  row?: ContractRow;
  removed?: RemovedValue;
}

export interface Comparison {
  /** Keys the package writes that the chart does not have, or that are outside the package's table. */
  unknown: Finding[];
  /** Unverified keys the chart has. */
  confirmed: Finding[];
  /** Keys removed at or before the version, set by the package or the user's values. */
  removed: Finding[];
  /** Keys of the user's own values the chart does not have (information only). */
  userUnknown: string[];
}

/** Compares what the package writes with a chart's values file. */
export function compare(written: Written, chartValues: Values): Comparison {
  const index = valuePathIndex();
  const rows = new Map(contractRows().map((row) => [`${row.kind}:${row.name}`, row]));
  const rowOf = (path: string) => rows.get(`value:${index.get(path)}`);
  const unknown: Finding[] = [];
  const confirmed: Finding[] = [];
  for (const path of written.valuePaths) {
    const row = rowOf(path);
    if (!chartHas(chartValues, path)) unknown.push({ path, row });
    else if (row?.evidence === "unverified") confirmed.push({ path, row });
  }
  for (const path of [...written.unknownValuePaths, ...written.unknownSecretKeys]) unknown.push({ path });
  const removed = [
    ...new Set([
      ...removedInUse(written.values, written.version),
      ...removedInUse(written.userValues, written.version),
    ]),
  ].map((r) => ({ path: r.path, removed: r }));
  const userUnknown = leafPaths(written.userValues).filter(
    (p) => !chartHas(chartValues, p) && !removed.some((r) => r.path === p),
  );
  return {
    unknown,
    confirmed,
    removed,
    userUnknown,
  };
}

/** Paths of the set leaves (null drops a key, so it sets nothing). */
function leafPaths(values: Values, prefix = ""): string[] {
  return Object.entries(values).flatMap(([key, value]) => {
    if (value === null) return [];
    const path = prefix ? `${prefix}.${key}` : key;
    return typeof value === "object" &&
      value !== null &&
      !Array.isArray(value) &&
      Object.keys(value).length > 0
      ? leafPaths(value as Values, path)
      : [path];
  });
}

/** "N of M keys unverified" for the whole contract, by kind (chart objects are counted apart: they are no keys). */
export function summary(rows: readonly ContractRow[] = contractRows()): string {
  const count = (...kinds: string[]) => {
    const of = rows.filter((r) => kinds.includes(r.kind));
    return { all: of.length, unverified: of.filter((r) => r.evidence === "unverified").length };
  };
  const total = count("value", "secret");
  const values = count("value");
  const secrets = count("secret");
  const objects = count("object");
  return `Unverified keys: ${total.unverified} of ${total.all} (chart values ${values.unverified} of ${values.all}, Secret keys ${secrets.unverified} of ${secrets.all}); chart objects: ${objects.unverified} of ${objects.all} unverified`;
}

function describe(f: Finding): string {
  if (f.removed)
    return `${f.path}  removed in ${f.removed.removedIn}${f.removed.replacement ? `; use ${f.removed.replacement}` : ""}`;
  if (!f.row) return `${f.path}  not in the package's table (a bug: report it)`;
  return `${f.path}  ${f.row.evidence}; fed by ${f.row.feed}`;
}

function section(title: string, lines: readonly string[], out: string[]): void {
  out.push("", `${title} (${lines.length})${lines.length ? ":" : ""}`);
  for (const line of lines) out.push(`  ${line}`);
}

/** `secret/key` of each unverified table Secret key the stack writes. */
function unverifiedSecretKeys(written: Written): string[] {
  const rows = contractRows().filter((r) => r.kind === "secret" && r.evidence === "unverified");
  return written.secretKeys
    .filter((k) => rows.some((r) => r.secret === k.tableSecret && r.key === k.key))
    .map((k) => `${k.secret}/${k.key}`);
}

/** The report printed for one comparison; returns the text and the exit code. */
export function report(
  written: Written,
  result: Comparison,
  valuesFile: string,
): { text: string; code: number } {
  const out = [
    `check-chart: ${written.chartName} ${written.version} — ${valuesFile}`,
    `The package writes ${written.valuePaths.length} chart value keys and ${written.secretKeys.filter((k) => k.tableSecret).length} keys of Secrets the chart reads for these arguments.`,
  ];
  section(
    "Keys the chart does not have — set the chart's own key in `values` and drop ours there with null",
    result.unknown.map(describe),
    out,
  );
  section(
    `Unverified keys this chart confirms — mark them verified in sdk/chart/contract.ts (source: helm show values, chart ${written.version})`,
    result.confirmed.map(describe),
    out,
  );
  section("Removed keys in use", result.removed.map(describe), out);
  if (result.userUnknown.length > 0)
    section("Your own values the chart does not have (not checked further)", result.userUnknown, out);
  section(
    "Unverified Secret keys written — the chart's templates read them, a values file cannot confirm them",
    unverifiedSecretKeys(written),
    out,
  );
  out.push(
    "",
    "Confirm them in the rendered chart:",
    `  helm template t digitalroute/${written.chartName} --version ${written.version} | grep -n -A2 secretKeyRef`,
  );
  const code = result.unknown.length > 0 || result.removed.length > 0 ? 1 : 0;
  return { text: out.join("\n"), code };
}

/** Runs the command; returns the exit code (0 fine, 1 keys the chart lacks, 2 bad usage or input). */
export async function main(
  argv: readonly string[],
  print = console.log,
  printError = console.error,
): Promise<number> {
  try {
    const options = parseArgv(argv);
    if (options.valuesFile === undefined) {
      print(summary());
      return 0;
    }
    const chartValues = readYamlMapping(options.valuesFile, "values file");
    const written = await evaluate(stackArgs(options));
    const { text, code } = report(written, compare(written, chartValues), options.valuesFile);
    print(text);
    if (options.summary) print(`\n${summary()}`);
    return code;
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    printError(`check-chart: ${err.message}`);
    return 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(2);
    },
  );
}
