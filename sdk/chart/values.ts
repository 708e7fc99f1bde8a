import * as pulumi from "@pulumi/pulumi";
import { redactedView } from "../fingerprint";
import {
  CHART_KEYS,
  type ChartKeyName,
  DATABASE_VALUES_BLOCK,
  type DatabaseType,
  IMAGE_TAG_SUFFIXES,
  type UepeImage,
} from "./contract";

/**
 * The chart values renderer: what the package knows (chart inputs) becomes the chart's values,
 * key by key through the contract's table, and the user's `values` are merged last.
 */

/** What the package knows when it renders chart values. */
export interface ChartInputs {
  licenseKey: pulumi.Input<string>;
  database: {
    type: DatabaseType;
    host: pulumi.Input<string>;
    port: pulumi.Input<number>;
    name: pulumi.Input<string>;
    adminUser?: pulumi.Input<string>;
    createSystemDatabase: boolean;
  };
  /** PVC mounted as shared storage; undefined disables persistence. */
  claimName?: pulumi.Input<string>;
  tls:
    | { mode: "certManager"; issuerKind: pulumi.Input<string>; issuerName: pulumi.Input<string> }
    | { mode: "secret"; secretName: pulumi.Input<string> }
    | { mode: "disabled" };
  imagePullSecretNames: pulumi.Input<string>[];
  /** Where the images come from when not the chart's default (a mirror); tags keep their suffixes. */
  images?: { repository: string; version: string };
  serviceType: string;
  domain?: string;
  suspend?: { from: string; until: string };
  exposure?: ChartExposure;
}

/** How the platform is exposed (see sdk/exposure.ts). */
export interface ChartExposure {
  serviceAnnotations?: Record<string, string>;
  loadBalancerSourceRanges?: string[];
  ingress?: {
    className: string;
    /** An Output when a key depends on a value known only at deploy time (the issuer kind). */
    annotations: Record<string, pulumi.Input<string>> | pulumi.Output<Record<string, string>>;
    /** TLS Secret of the ingress hosts; undefined serves the ingress over plain HTTP. */
    tlsSecretName?: pulumi.Input<string>;
    platformHost: string;
    desktopOnlineHost: string;
  };
  /** The ingress controller's Service (e.g. ClusterAddons' ingress-nginx), when given. */
  ingressControllerServiceName?: pulumi.Input<string>;
}

/** Chart values: a map of keys to values, blocks and lists. */
export type Values = Record<string, unknown>;

/** Writes one table key; `<db>` in the path is replaced by the database values block. */
function put(values: Values, key: ChartKeyName, value: unknown, db?: DatabaseType): void {
  const path = CHART_KEYS[key].path.replace("<db>", db ? DATABASE_VALUES_BLOCK[db] : "<db>");
  const parts = path.split(".");
  let node = values;
  for (const part of parts.slice(0, -1)) {
    const child = node[part];
    const block: Values = isPlainObject(child) ? child : {};
    node[part] = block;
    node = block;
  }
  node[parts[parts.length - 1]] = value;
}

function renderDatabase(values: Values, db: ChartInputs["database"]): void {
  put(values, "dbType", db.type);
  put(values, "dbHost", db.host, db.type);
  put(values, "dbPort", db.port, db.type);
  put(values, "dbName", db.name, db.type);
  if (db.adminUser !== undefined) put(values, "dbAdminUsername", db.adminUser, db.type);
  put(values, "dbCreate", db.createSystemDatabase);
}

function renderTls(values: Values, tls: ChartInputs["tls"]): void {
  put(values, "tlsEnabled", tls.mode !== "disabled");
  if (tls.mode === "certManager") {
    put(values, "tlsStoreType", "certManager");
    put(values, "tlsIssuerKind", tls.issuerKind);
    put(values, "tlsIssuerName", tls.issuerName);
  } else if (tls.mode === "secret") {
    put(values, "tlsStoreType", "secret");
    put(values, "tlsSecretName", tls.secretName);
  }
}

function renderExposure(values: Values, exposure: ChartExposure): void {
  if (exposure.serviceAnnotations && Object.keys(exposure.serviceAnnotations).length > 0)
    put(values, "serviceAnnotations", exposure.serviceAnnotations);
  if (exposure.loadBalancerSourceRanges && exposure.loadBalancerSourceRanges.length > 0)
    put(values, "loadBalancerSourceRanges", exposure.loadBalancerSourceRanges);
  if (exposure.ingressControllerServiceName !== undefined)
    put(values, "ingressControllerServiceName", exposure.ingressControllerServiceName);
  const ingress = exposure.ingress;
  put(values, "ingressEnabled", ingress !== undefined);
  if (!ingress) return;
  put(values, "ingressClassName", ingress.className);
  if (pulumi.Output.isInstance(ingress.annotations) || Object.keys(ingress.annotations).length > 0)
    put(values, "ingressAnnotations", ingress.annotations);
  put(values, "ingressTls", ingress.tlsSecretName !== undefined);
  if (ingress.tlsSecretName !== undefined) put(values, "ingressTlsSecretName", ingress.tlsSecretName);
  put(values, "ingressPlatformHost", ingress.platformHost);
  put(values, "ingressDesktopOnlineHost", ingress.desktopOnlineHost);
}

const IMAGE_KEYS: Record<UepeImage, { repository: ChartKeyName; tag: ChartKeyName }> = {
  platform: { repository: "platformImageRepository", tag: "platformImageTag" },
  ec: { repository: "ecImageRepository", tag: "ecImageTag" },
  operator: { repository: "operatorImageRepository", tag: "operatorImageTag" },
  ui: { repository: "uiImageRepository", tag: "uiImageTag" },
};

function renderImages(values: Values, images: { repository: string; version: string }): void {
  for (const image of ["platform", "ec", "operator", "ui"] as const) {
    put(values, IMAGE_KEYS[image].repository, images.repository);
    put(values, IMAGE_KEYS[image].tag, `${images.version}${IMAGE_TAG_SUFFIXES[image]}`);
  }
}

/** The package's chart values, before user `values` are merged (may hold Outputs). */
export function renderChartValues(inputs: ChartInputs): Values {
  const values: Values = {};
  put(values, "environment", "aws");
  put(values, "licenseKey", pulumi.secret(inputs.licenseKey));
  if (inputs.domain) put(values, "domain", inputs.domain);
  if (inputs.imagePullSecretNames.length > 0)
    put(
      values,
      "imagePullSecrets",
      inputs.imagePullSecretNames.map((name) => ({ name })),
    );
  if (inputs.images) renderImages(values, inputs.images);
  put(values, "persistenceEnabled", inputs.claimName !== undefined);
  if (inputs.claimName !== undefined) put(values, "persistenceExistingClaim", inputs.claimName);
  renderDatabase(values, inputs.database);
  renderTls(values, inputs.tls);
  put(values, "serviceType", inputs.serviceType);
  if (inputs.exposure) renderExposure(values, inputs.exposure);
  if (inputs.suspend) {
    put(values, "suspendFrom", inputs.suspend.from);
    put(values, "suspendUntil", inputs.suspend.until);
  }
  return values;
}

/**
 * A JSON-like object: a map literal, not null, not a list, and not an Output, a Resource or any
 * other class instance (whose fields are machinery, not values).
 */
export function isPlainObject(value: unknown): value is Values {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Deep merge where `override` wins; lists are replaced, not concatenated (Helm semantics). */
export function deepMerge(base: Values, override: Values): Values {
  const out: Values = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = out[key];
    out[key] = isPlainObject(value) && isPlainObject(current) ? deepMerge(current, value) : value;
  }
  return out;
}

/** Sorts object keys recursively so serialized values never diff on key order. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isPlainObject(value)) return value;
  return sortedBlock(value);
}

function sortedBlock(block: Values): Values {
  return Object.fromEntries(
    Object.keys(block)
      .sort()
      .map((k) => [k, sortKeys(block[k])]),
  );
}

/**
 * Final chart values: the package's values with user `values` deep-merged last (user wins), keys
 * sorted, and the whole map secret because it carries the license key. Both sides are resolved
 * first (Outputs anywhere in them, at any depth), so a block given as an Output merges exactly
 * like a plain one instead of replacing the package's keys.
 */
export function chartValues(inputs: ChartInputs, userValues?: Values): pulumi.Output<Values> {
  const merged = pulumi
    .all([pulumi.output(renderChartValues(inputs)), pulumi.output(userValues ?? {})])
    .apply(([own, user]): Values => sortedBlock(deepMerge(own, user)));
  // secret() types its result as Output<Unwrap<Values>>, which TypeScript will not take back as
  // Output<Values> for an index-signature map; at run time it is the same Output, marked secret.
  return pulumi.secret(merged) as unknown as pulumi.Output<Values>;
}

/** A resolved view's map, or an empty one for anything else (a view of values is always a map). */
function asValues(value: unknown): Values {
  return isPlainObject(value) ? value : {};
}

/**
 * What a reviewer sees of the chart values: the same merge and sorting as {@link chartValues},
 * with every secret leaf (the license, any secret Output in your `values`) shown as a keyed marker
 * `[secret:xxxxxxxx]` and everything else as it is. Not secret, so `pulumi preview --diff` shows
 * a changed value as a one-line change. `key` is the stack's fingerprint key (see sdk/fingerprint.ts).
 */
export function redactedChartValues(
  inputs: ChartInputs,
  userValues: Values | undefined,
  key: pulumi.Input<string>,
): pulumi.Output<Values> {
  return pulumi
    .all([redactedView(renderChartValues(inputs), key), redactedView(userValues ?? {}, key)])
    .apply(([own, user]): Values => sortedBlock(deepMerge(asValues(own), asValues(user))));
}
