import { createHmac } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/**
 * Keyed fingerprints of secrets, for the review views (`chartValuesRedacted` and the Secrets'
 * redacted data): a secret shows as `[secret:3f9a1c2e]`, which changes when the secret changes
 * and tells nothing about it. The fingerprint is an HMAC-SHA-256 keyed with random bytes kept
 * secret in the stack's state, never a plain hash: a plain hash of a short or guessable secret
 * (a password from a list, a license of a known shape) could be tested offline by anyone reading
 * a preview; without the key it cannot.
 */

/** Bytes of the fingerprint key (HMAC-SHA-256's block-size-independent strength: 256 bits). */
export const FINGERPRINT_KEY_BYTES = 32;
/** Hex characters of a marker: enough to see a change, too few to identify a value. */
export const MARKER_LENGTH = 8;
/** What a marker looks like. */
export const MARKER_PATTERN = /^\[secret:[0-9a-f]{8}\]$/;

/** The per-stack fingerprint key: random bytes created once, secret in state, stable across updates. */
export function fingerprintKey(name: string, parent: pulumi.Resource): pulumi.Output<string> {
  const bytes = new random.RandomBytes(
    `${name}-fingerprint-key`,
    { length: FINGERPRINT_KEY_BYTES },
    { parent },
  );
  return pulumi.secret(bytes.base64);
}

/** Stable text of a value: strings as they are, anything else as JSON with sorted keys. */
function canonical(value: unknown): string {
  if (typeof value === "string") return value;
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === "object" && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** `[secret:xxxxxxxx]`: the truncated HMAC-SHA-256 of the value under the key. */
export function marker(key: string, value: unknown): string {
  const digest = createHmac("sha256", key).update(canonical(value)).digest("hex");
  return `[secret:${digest.slice(0, MARKER_LENGTH)}]`;
}

/** A secret's shape with every scalar replaced by its marker (lists and maps keep their keys). */
function markLeaves(key: string, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => markLeaves(key, v));
  if (isMap(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, markLeaves(key, v)]));
  return marker(key, value);
}

function isMap(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/**
 * The marker of a secret, deliberately released from secrecy: the SDK marks anything computed
 * from a secret as secret, and the marker is the one thing computed here that is safe to show.
 */
export function secretMarker(key: pulumi.Input<string>, value: pulumi.Input<unknown>): pulumi.Output<string> {
  return pulumi.unsecret(pulumi.all([key, value]).apply(([k, v]) => marker(k, v)));
}

/** A secret Output's markers (its shape kept), released from secrecy; only markers are released. */
function secretLeaves(key: pulumi.Input<string>, value: pulumi.Output<unknown>): pulumi.Output<unknown> {
  return pulumi.unsecret(pulumi.all([key, value]).apply(([k, v]) => markLeaves(k, v)));
}

/**
 * The non-secret view of a tree of values that may hold Outputs at any depth: every Output that is
 * secret becomes markers, everything else appears as it is. Walked before anything is resolved,
 * because resolving a tree merges the secrecy of its leaves into the whole.
 */
export function redactedView(tree: unknown, key: pulumi.Input<string>): pulumi.Output<unknown> {
  if (pulumi.Output.isInstance(tree))
    return pulumi
      .output(pulumi.isSecret(tree))
      .apply((secret): pulumi.Output<unknown> => (secret ? secretLeaves(key, tree) : tree));
  if (tree instanceof Promise) return redactedView(pulumi.output(tree), key);
  if (Array.isArray(tree)) return pulumi.all(tree.map((v) => redactedView(v, key)));
  if (isMap(tree))
    return pulumi.all(Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, redactedView(v, key)])));
  return pulumi.output(tree);
}

/**
 * The view of a Kubernetes Secret's data: its keys, sorted, each with the marker of its value,
 * secret or not (a reviewer sees which entry changed, never what it holds).
 */
export function redactedData(
  data: Record<string, pulumi.Input<string>>,
  key: pulumi.Input<string>,
): pulumi.Output<Record<string, string>> {
  const keys = Object.keys(data).sort();
  return pulumi.all(Object.fromEntries(keys.map((k) => [k, secretMarker(key, data[k])])));
}
