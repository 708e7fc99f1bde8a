/**
 * The chart contract as data to walk: one row per chart value key and Secret key the package
 * writes (from the tables in sdk/chart/contract.ts), and the checks that hold produced chart
 * values and Secrets against those tables. Used by the contract test, `npm run check-chart` and
 * the table generator of docs/chart-contract.md.
 */
import {
  CHART_KEYS,
  CHART_NAME,
  CHART_OBJECTS,
  type ChartKey,
  type ChartObject,
  chartKeyPaths,
  type Evidence,
  PULL_SECRET,
  SECRET_KEYS,
  type SecretKey,
  TLS_SECRET,
} from "../sdk/chart/contract";
import { isPlainObject } from "../sdk/chart/values";

export type RowKind = "value" | "secret" | "object";

/**
 * One key the package writes: a chart value (dot path) or a key of a Secret the chart reads; or
 * an object of the chart the package acts on by name.
 */
export interface ContractRow {
  kind: RowKind;
  /** Logical name in the table (CHART_KEYS or SECRET_KEYS). */
  name: string;
  /** Value path, the key inside `secret`, or the object's name. */
  key: string;
  /** The Secret (or TLS_SECRET / PULL_SECRET) for Secret keys. */
  secret?: string;
  /** The object's kind, for chart objects. */
  objectKind?: string;
  feed: string;
  evidence: Evidence;
  source?: string;
  /** The chart value a Secret key stands in for, when documented. */
  helmValue?: string;
}

/** Every row of the contract: chart values first, then Secret keys, then chart objects, each in table order. */
export function contractRows(): ContractRow[] {
  const values = Object.entries(CHART_KEYS as Record<string, ChartKey>).map(
    ([name, k]): ContractRow => ({
      kind: "value",
      name,
      key: k.path,
      feed: k.feed,
      evidence: k.evidence,
      source: k.source,
    }),
  );
  const secrets = Object.entries(SECRET_KEYS as Record<string, SecretKey>).map(
    ([name, k]): ContractRow => ({
      kind: "secret",
      name,
      key: k.key,
      secret: k.secret,
      feed: k.feed,
      evidence: k.evidence,
      source: k.source,
      helmValue: k.helmValue,
    }),
  );
  const objects = Object.entries(CHART_OBJECTS as Record<string, ChartObject>).map(
    ([name, o]): ContractRow => ({
      kind: "object",
      name,
      key: o.name,
      objectKind: o.kind,
      feed: o.feed,
      evidence: o.evidence,
      source: o.source,
    }),
  );
  return [...values, ...secrets, ...objects];
}

type Values = Record<string, unknown>;

function isNonEmptyObject(value: unknown): value is Values {
  return isPlainObject(value) && Object.keys(value).length > 0;
}

/** Concrete value path (`<db>` expanded) to its CHART_KEYS name. */
export function valuePathIndex(): Map<string, string> {
  const index = new Map<string, string>();
  for (const [name, key] of Object.entries(CHART_KEYS as Record<string, ChartKey>))
    for (const path of chartKeyPaths(key)) index.set(path, name);
  return index;
}

/** Whether `values` holds the dot path, with any value. */
export function hasPath(values: unknown, path: string): boolean {
  let node = values;
  for (const part of path.split(".")) {
    if (!isPlainObject(node) || !Object.hasOwn(node, part)) return false;
    node = node[part];
  }
  return true;
}

/** The value at a dot path, or undefined. */
export function valueAt(values: unknown, path: string): unknown {
  let node = values;
  for (const part of path.split(".")) {
    if (!isPlainObject(node)) return undefined;
    node = node[part];
  }
  return node;
}

/** What a walk over chart values found. */
export interface ValueWalk {
  /** Table paths the values set (a table path's value, map or list included, is that key's). */
  written: string[];
  /** Paths the package set that the table does not have. */
  unknown: string[];
}

/**
 * Walks chart values: a path in the table is written (unless null); any other leaf is unknown,
 * unless the user set that path in their own `values` (those keys are theirs, not the package's).
 */
export function walkValues(values: Values, userValues: Values = {}): ValueWalk {
  const index = valuePathIndex();
  const walk: ValueWalk = { written: [], unknown: [] };
  const visit = (node: unknown, path: string) => {
    // null drops a key (Helm semantics): a table key the user nulled is not written.
    if (path !== "" && index.has(path)) {
      if (node !== null) walk.written.push(path);
    } else if (path !== "" && hasPath(userValues, path) && !isNonEmptyObject(valueAt(userValues, path)))
      return;
    else if (isNonEmptyObject(node))
      for (const [key, child] of Object.entries(node)) visit(child, path ? `${path}.${key}` : key);
    else walk.unknown.push(path);
  };
  visit(values, "");
  return walk;
}

/** A registered resource, as the mock harness records it. */
export interface Resource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
}

export const SECRET_TYPE = "kubernetes:core/v1:Secret";
export const RELEASE_TYPE = "kubernetes:helm.sh/v3:Release";

/** The UEPE release among the registered resources (other releases install add-ons). */
export function uepeRelease(resources: readonly Resource[], chartName = CHART_NAME): Resource {
  const found = resources.filter((r) => r.type === RELEASE_TYPE && r.inputs.chart === chartName);
  if (found.length !== 1) throw new Error(`expected one ${chartName} release, found ${found.length}`);
  return found[0];
}

/** Secret names (and keys; undefined = every key) that the package's own workloads read. */
function workloadSecretReads(resources: readonly Resource[]): Map<string, Set<string> | undefined> {
  const reads = new Map<string, Set<string> | undefined>();
  const readAll = (name: unknown) => {
    if (typeof name === "string") reads.set(name, undefined);
  };
  const visit = (node: unknown) => {
    if (Array.isArray(node)) for (const item of node) visit(item);
    if (!isPlainObject(node)) return;
    const ref = node.secretKeyRef;
    if (isPlainObject(ref) && typeof ref.name === "string" && typeof ref.key === "string") {
      const keys = reads.get(ref.name);
      if (keys !== undefined || !reads.has(ref.name)) reads.set(ref.name, (keys ?? new Set()).add(ref.key));
    }
    if (isPlainObject(node.secretRef)) readAll(node.secretRef.name);
    if (isPlainObject(node.secret)) readAll(node.secret.secretName);
    for (const child of Object.values(node)) visit(child);
  };
  for (const r of resources) if (r.type !== SECRET_TYPE) visit(r.inputs);
  return reads;
}

/** One key of a Secret the package created. */
export interface WrittenSecretKey {
  /** The Secret's name. */
  secret: string;
  key: string;
  /** The table's Secret (name, TLS_SECRET or PULL_SECRET); undefined for the package's own Secrets. */
  tableSecret?: string;
}

export interface SecretWalk {
  written: WrittenSecretKey[];
  /** `secret/key` entries no table row, user argument or package workload accounts for. */
  unknown: string[];
}

/**
 * Checks every Secret the package created. Secrets the chart reads — those named in the table,
 * the TLS Secret and the pull secrets the chart values name — may hold only the table's keys and
 * the user's own (`credentials.keyNames`, `credentials.extra`). Any other Secret is the package's
 * own (e.g. the registry refresher's access keys): each of its keys must be read by a workload
 * the package runs.
 */
export function walkSecrets(
  resources: readonly Resource[],
  chartValues: Values,
  userKeys: { [secret: string]: readonly string[] } = {},
): SecretWalk {
  const tableKeys = new Map<string, Set<string>>();
  for (const k of Object.values(SECRET_KEYS as Record<string, SecretKey>))
    tableKeys.set(k.secret, (tableKeys.get(k.secret) ?? new Set()).add(k.key));
  const aliases = new Map<string, string>();
  const tlsName = valueAt(chartValues, CHART_KEYS.tlsSecretName.path);
  if (typeof tlsName === "string") aliases.set(tlsName, TLS_SECRET);
  const pullSecrets = valueAt(chartValues, CHART_KEYS.imagePullSecrets.path);
  if (Array.isArray(pullSecrets))
    for (const p of pullSecrets)
      if (isPlainObject(p) && typeof p.name === "string") aliases.set(p.name, PULL_SECRET);
  const reads = workloadSecretReads(resources);

  const walk: SecretWalk = { written: [], unknown: [] };
  for (const r of resources.filter((x) => x.type === SECRET_TYPE)) {
    const name = String((r.inputs.metadata as Values | undefined)?.name ?? r.name);
    const keys = [
      ...Object.keys((r.inputs.data as Values | undefined) ?? {}),
      ...Object.keys((r.inputs.stringData as Values | undefined) ?? {}),
    ];
    const tableSecret = tableKeys.has(name) ? name : aliases.get(name);
    for (const key of keys) {
      walk.written.push({ secret: name, key, tableSecret });
      const accounted =
        tableSecret !== undefined
          ? tableKeys.get(tableSecret)?.has(key) || (userKeys[name] ?? []).includes(key)
          : reads.has(name) && (reads.get(name) === undefined || reads.get(name)?.has(key));
      if (!accounted) walk.unknown.push(`${name}/${key}`);
    }
  }
  return walk;
}

/** The env-secrets keys a user named in `credentials` (renamed keys and extra entries). */
export function userSecretKeys(credentials: unknown): string[] {
  if (!isPlainObject(credentials)) return [];
  const renamed = isPlainObject(credentials.keyNames) ? Object.values(credentials.keyNames).map(String) : [];
  const extra = isPlainObject(credentials.extra) ? Object.keys(credentials.extra) : [];
  return [...renamed, ...extra];
}
