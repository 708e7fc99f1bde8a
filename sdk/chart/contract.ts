import * as semver from "semver";
import { type Checker, isUnknown } from "../validation";

/**
 * The chart contract: every UEPE chart value key and Secret key name this package writes, the
 * chart source and its defaults. Nothing outside this file names a chart key.
 *
 * Evidence: "verified" keys were seen in DigitalRoute documentation (source given); "unverified"
 * keys are our best reading of the 4.x chart and must be confirmed with
 * `helm show values digitalroute/usage-engine-private-edition --version <v>` (see
 * docs/chart-contract.md). Any of them can be overridden through the `values` argument.
 */

export const CHART_REPOSITORY = "https://digitalroute-public.github.io/usage-engine-private-edition";
export const CHART_NAME = "usage-engine-private-edition";

/** DigitalRoute's registry for the UEPE images; tags are `<version>`, `-ec`, `-operator`, `-ui`. */
export const DIGITALROUTE_REGISTRY = "462803626708.dkr.ecr.eu-west-1.amazonaws.com";
/** AWS account of DigitalRoute's ECR and the region it serves the images from (verified: 277676052). */
export const DIGITALROUTE_ECR_ACCOUNT = "462803626708";
export const DIGITALROUTE_ECR_REGION = "eu-west-1";
/** Name of the UEPE image repository, in DigitalRoute's ECR and in a mirror. */
export const DIGITALROUTE_IMAGE_NAME = "usage-engine-private-edition";

/** DigitalRoute's ECR host in `region` (the images are published in `eu-west-1`). */
export function digitalrouteRegistry(region: string = DIGITALROUTE_ECR_REGION): string {
  return `${DIGITALROUTE_ECR_ACCOUNT}.dkr.ecr.${region}.amazonaws.com`;
}

/** The UEPE images: one repository, one tag per component, `<version><suffix>` (verified: 277676052). */
export type UepeImage = "platform" | "ec" | "operator" | "ui";
export const IMAGE_TAG_SUFFIXES: Record<UepeImage, string> = {
  platform: "",
  ec: "-ec",
  operator: "-operator",
  ui: "-ui",
};

/**
 * `verified`: seen in DigitalRoute's documentation or chart (`source` says where); `unverified`:
 * our best reading of the chart, to be confirmed with `npm run check-chart`.
 */
export type Evidence = "verified" | "unverified";

/** One chart value key the package writes. */
export interface ChartKey {
  /** Dot path in the chart values; `<db>` stands for the database block (see DATABASE_VALUES_BLOCK). */
  readonly path: string;
  /** What feeds it. */
  readonly feed: string;
  readonly evidence: Evidence;
  /** Where it was verified (documentation page or chart version); required when `verified`. */
  readonly source?: string;
}

const DOCS = "https://infozone.atlassian.net/wiki/spaces/UEPE4D/pages";

/** Every chart value key the package writes, by logical name. */
export const CHART_KEYS = {
  licenseKey: {
    path: "licenseKey",
    feed: "licenseKey (secret)",
    evidence: "verified",
    source: `${DOCS}/160961577`,
  },
  environment: { path: "environment", feed: 'constant "aws"', evidence: "unverified" },
  domain: { path: "global.domain", feed: "exposure.domain", evidence: "unverified" },
  imagePullSecrets: {
    path: "global.imagePullSecrets",
    feed: "registry pull secret name",
    evidence: "unverified",
  },
  // Image keys: the tags are verified (277676052), where the chart reads them is not. Written only
  // for a mirror (or a non-default DigitalRoute region); otherwise the chart's defaults apply.
  platformImageRepository: {
    path: "platform.repository",
    feed: "registry.repository (mirror)",
    evidence: "unverified",
  },
  platformImageTag: { path: "platform.tag", feed: "version", evidence: "unverified" },
  ecImageRepository: { path: "ec.repository", feed: "registry.repository (mirror)", evidence: "unverified" },
  ecImageTag: { path: "ec.tag", feed: "version + -ec", evidence: "unverified" },
  operatorImageRepository: {
    path: "operator.repository",
    feed: "registry.repository (mirror)",
    evidence: "unverified",
  },
  operatorImageTag: { path: "operator.tag", feed: "version + -operator", evidence: "unverified" },
  uiImageRepository: {
    path: "desktopOnline.repository",
    feed: "registry.repository (mirror)",
    evidence: "unverified",
  },
  uiImageTag: { path: "desktopOnline.tag", feed: "version + -ui", evidence: "unverified" },
  persistenceEnabled: {
    path: "persistence.enabled",
    feed: "storage.mode != none",
    evidence: "verified",
    source: `${DOCS}/277839891`,
  },
  persistenceExistingClaim: {
    path: "persistence.existingClaim",
    feed: "SharedStorage PVC or storage.existingClaim",
    evidence: "verified",
    source: `${DOCS}/303828540`,
  },
  dbType: { path: "platform.db.type", feed: "database.external.type or postgresql", evidence: "unverified" },
  dbHost: { path: "<db>.host", feed: "RDS address or database.external.host", evidence: "unverified" },
  dbPort: { path: "<db>.port", feed: "RDS port or database.external.port", evidence: "unverified" },
  dbName: { path: "<db>.db", feed: "database.external.name or mz", evidence: "unverified" },
  dbAdminUsername: {
    path: "<db>.adminUsername",
    feed: "RDS master user or database.external.adminUser",
    evidence: "unverified",
  },
  dbCreate: {
    path: "platform.db.createSystemDatabase",
    feed: "database.createSystemDatabase",
    evidence: "unverified",
  },
  tlsEnabled: { path: "platform.tls.enabled", feed: "tls.mode != disabled", evidence: "unverified" },
  tlsStoreType: { path: "platform.tls.cert.storeType", feed: "tls.mode", evidence: "unverified" },
  tlsIssuerKind: {
    path: "platform.tls.cert.certManager.public.issuer.kind",
    feed: "Tls issuer kind",
    evidence: "unverified",
  },
  tlsIssuerName: {
    path: "platform.tls.cert.certManager.public.issuer.name",
    feed: "Tls issuer name",
    evidence: "unverified",
  },
  tlsSecretName: {
    path: "platform.tls.cert.secret.name",
    feed: "tls.existingSecretName",
    evidence: "unverified",
  },
  serviceType: { path: "platform.service.type", feed: "exposure.serviceType", evidence: "unverified" },
  serviceAnnotations: {
    path: "platform.service.annotations",
    feed: "exposure.serviceAnnotations",
    evidence: "unverified",
  },
  loadBalancerSourceRanges: {
    path: "platform.service.loadBalancerSourceRanges",
    feed: "exposure.loadBalancerSourceRanges",
    evidence: "unverified",
  },
  ingressEnabled: { path: "ingress.enabled", feed: "exposure.ingress.enabled", evidence: "unverified" },
  ingressClassName: {
    path: "ingress.className",
    feed: "exposure.ingress.className",
    evidence: "unverified",
  },
  ingressAnnotations: {
    path: "ingress.annotations",
    feed: "exposure.ingress.annotations + cert-manager issuer annotation",
    evidence: "unverified",
  },
  ingressTls: { path: "ingress.tls.enabled", feed: "exposure.ingress.tls", evidence: "unverified" },
  ingressTlsSecretName: {
    path: "ingress.tls.secretName",
    feed: "tls Secret (secret mode) or <release>-ingress-tls (cert-manager)",
    evidence: "unverified",
  },
  ingressPlatformHost: {
    path: "ingress.hosts.platform",
    feed: "exposure.ingress.host or platform.<domain>",
    evidence: "unverified",
  },
  ingressDesktopOnlineHost: {
    path: "ingress.hosts.desktopOnline",
    feed: "exposure.ingress.desktopOnlineHost or desktop-online.<domain>",
    evidence: "unverified",
  },
  ingressControllerServiceName: {
    path: "global.ingressController.serviceName",
    feed: "exposure.ingressControllerServiceName (ClusterAddons ingressControllerServiceName)",
    evidence: "unverified",
  },
  suspendFrom: {
    path: "suspend.from",
    feed: "backup.coldBackupWindow.from",
    evidence: "verified",
    source: "https://infozone.atlassian.net/wiki/spaces/UEPE3D/pages/1911342",
  },
  suspendUntil: {
    path: "suspend.until",
    feed: "backup.coldBackupWindow.until",
    evidence: "verified",
    source: "https://infozone.atlassian.net/wiki/spaces/UEPE3D/pages/1911342",
  },
} as const satisfies Record<string, ChartKey>;

export type ChartKeyName = keyof typeof CHART_KEYS;

/** System database types the chart supports besides its embedded Derby. */
export const DatabaseType = { Postgresql: "postgresql", Oracle: "oracle", Saphana: "saphana" } as const;
export type DatabaseType = (typeof DatabaseType)[keyof typeof DatabaseType];

/** The values block of each database type (`<db>` in the key paths above). */
export const DATABASE_VALUES_BLOCK: Record<DatabaseType, string> = {
  postgresql: "postgres",
  oracle: "oracle",
  saphana: "saphana",
};

/** Logical system credentials kept in `env-secrets`. */
export type CredentialName = "jdbcUser" | "jdbc" | "mzowner" | "admin" | "operator" | "keystore" | "key";

const PREPARATIONS_42 = `${DOCS}/277676052`;
const AUTHORIZATION_SERVER_42 = `${DOCS}/233865291`;

/** Name of the Secret the chart reads system credentials from (verified: PREPARATIONS_42). */
export const ENV_SECRETS_NAME = "env-secrets";
/** Name of the Secret the chart reads the authorization server's credentials from (verified). */
export const AUTHORIZATION_SERVER_SECRETS_NAME = "authorization-server-secrets";
/** Stands for the TLS Secret in SECRET_KEYS: its name is configurable and given to the chart. */
export const TLS_SECRET = "<tls secret>";
/** Stands for the image pull secret in SECRET_KEYS: its name is configurable and given to the chart. */
export const PULL_SECRET = "<pull secret>";

/** One key of a Secret the chart reads; the package creates the Secret before the release. */
export interface SecretKey {
  /** Name of the Secret, or TLS_SECRET / PULL_SECRET for Secrets whose name the chart values carry. */
  readonly secret: string;
  /** Key in the Secret. */
  readonly key: string;
  /** What feeds it. */
  readonly feed: string;
  readonly evidence: Evidence;
  /** Where it was verified; required when `verified`. */
  readonly source?: string;
  /** The chart value the key stands in for, when documented; the package never writes it. */
  readonly helmValue?: string;
}

/** Every Secret key the package writes for the chart, by logical name. */
export const SECRET_KEYS = {
  jdbcUser: {
    secret: ENV_SECRETS_NAME,
    key: "jdbcUser",
    feed: "credentials.jdbcUser or mzowner (this default user name is unverified)",
    evidence: "verified",
    source: PREPARATIONS_42,
  },
  jdbc: {
    secret: ENV_SECRETS_NAME,
    key: "jdbcPassword",
    feed: "credentials.passwords.jdbc or generated",
    evidence: "verified",
    source: PREPARATIONS_42,
  },
  mzowner: {
    secret: ENV_SECRETS_NAME,
    key: "mzownerPassword",
    feed: "credentials.passwords.mzowner or generated",
    evidence: "unverified",
    helmValue: "postgres.mzownerPassword / oracle.mzownerPassword",
  },
  postgresqlAdmin: {
    secret: ENV_SECRETS_NAME,
    key: "postgresqlPassword",
    feed: "credentials.passwords.admin or generated (PostgreSQL, database created by the chart)",
    evidence: "unverified",
  },
  oracleAdmin: {
    secret: ENV_SECRETS_NAME,
    key: "oraclePassword",
    feed: "credentials.passwords.admin or generated (Oracle, database created by the chart)",
    evidence: "unverified",
  },
  saphanaAdmin: {
    secret: ENV_SECRETS_NAME,
    key: "saphanaPassword",
    feed: "credentials.passwords.admin or generated (SAP HANA, database created by the chart)",
    evidence: "unverified",
  },
  operator: {
    secret: ENV_SECRETS_NAME,
    key: "operatorPassword",
    feed: "credentials.passwords.operator or generated",
    evidence: "unverified",
  },
  keystore: {
    secret: ENV_SECRETS_NAME,
    key: "tlsKeystorePassword",
    feed: "credentials.passwords.keystore or generated",
    evidence: "unverified",
  },
  key: {
    secret: ENV_SECRETS_NAME,
    key: "tlsKeyPassword",
    feed: "credentials.passwords.key or generated",
    evidence: "unverified",
  },
  managementApiUsername: {
    secret: AUTHORIZATION_SERVER_SECRETS_NAME,
    key: "managementApiUsername",
    feed: "authorizationServer.managementApiUsername or uepe-management",
    evidence: "verified",
    source: AUTHORIZATION_SERVER_42,
    helmValue: "authorizationServer.management-api.username",
  },
  managementApiPassword: {
    secret: AUTHORIZATION_SERVER_SECRETS_NAME,
    key: "managementApiPassword",
    feed: "authorizationServer.managementApiPassword or generated",
    evidence: "verified",
    source: AUTHORIZATION_SERVER_42,
    helmValue: "authorizationServer.management-api.password",
  },
  jwtKeystore: {
    secret: AUTHORIZATION_SERVER_SECRETS_NAME,
    key: "jwtKeystore",
    feed: "authorizationServer.jwt.keystore (base64 JKS), when given",
    evidence: "verified",
    source: AUTHORIZATION_SERVER_42,
    helmValue: "authorizationServer.jwt.keystore",
  },
  jwtKeyId: {
    secret: AUTHORIZATION_SERVER_SECRETS_NAME,
    key: "jwtKeyId",
    feed: "authorizationServer.jwt.keyId or jwt, when jwt is given",
    evidence: "verified",
    source: AUTHORIZATION_SERVER_42,
    helmValue: "authorizationServer.jwt.key-id",
  },
  jwtKeyPassword: {
    secret: AUTHORIZATION_SERVER_SECRETS_NAME,
    key: "jwtKeyPassword",
    feed: "authorizationServer.jwt.keyPassword, when jwt is given",
    evidence: "verified",
    source: AUTHORIZATION_SERVER_42,
    helmValue: "authorizationServer.jwt.key-password",
  },
  jwtKeystorePassword: {
    secret: AUTHORIZATION_SERVER_SECRETS_NAME,
    key: "jwtKeystorePassword",
    feed: "authorizationServer.jwt.keystorePassword, when jwt is given",
    evidence: "verified",
    source: AUTHORIZATION_SERVER_42,
    helmValue: "authorizationServer.jwt.keystore-password",
  },
  tlsKeystore: {
    secret: TLS_SECRET,
    key: "keystore.jks",
    feed: "tls.secret.keystoreJks (tls.mode secret)",
    evidence: "verified",
    source: PREPARATIONS_42,
  },
  tlsPrivateKey: {
    secret: TLS_SECRET,
    key: "tls.key",
    feed: "tls.secret.tlsKey (tls.mode secret)",
    evidence: "verified",
    source: PREPARATIONS_42,
  },
  tlsCertificate: {
    secret: TLS_SECRET,
    key: "tls.crt",
    feed: "tls.secret.tlsCrt (tls.mode secret)",
    evidence: "verified",
    source: PREPARATIONS_42,
  },
  // A Kubernetes-defined key (type kubernetes.io/dockerconfigjson), not a chart choice.
  pullSecretConfig: {
    secret: PULL_SECRET,
    key: ".dockerconfigjson",
    feed: "registry: mirror username/password (the refresher writes it for DigitalRoute's ECR)",
    evidence: "verified",
    source: "https://kubernetes.io/docs/concepts/configuration/secret/#docker-config-secrets",
  },
} as const satisfies Record<string, SecretKey>;

export type SecretKeyName = keyof typeof SECRET_KEYS;

/** Keys of the TLS Secret used in `tls.mode: "secret"`. */
export const TLS_SECRET_KEYS = {
  keystore: SECRET_KEYS.tlsKeystore.key,
  key: SECRET_KEYS.tlsPrivateKey.key,
  certificate: SECRET_KEYS.tlsCertificate.key,
} as const;

/** env-secrets key per logical credential (defaults; `credentials.keyNames` renames them). */
export const ENV_SECRET_KEYS: Record<Exclude<CredentialName, "admin">, string> = {
  jdbcUser: SECRET_KEYS.jdbcUser.key,
  jdbc: SECRET_KEYS.jdbc.key,
  mzowner: SECRET_KEYS.mzowner.key,
  operator: SECRET_KEYS.operator.key,
  keystore: SECRET_KEYS.keystore.key,
  key: SECRET_KEYS.key.key,
};

/** env-secrets key of the database administrator password, per database type. */
export const ADMIN_PASSWORD_KEYS: Record<DatabaseType, string> = {
  postgresql: SECRET_KEYS.postgresqlAdmin.key,
  oracle: SECRET_KEYS.oracleAdmin.key,
  saphana: SECRET_KEYS.saphanaAdmin.key,
};

/** One object the chart creates that the package acts on by name (outside the chart values). */
export interface ChartObject {
  /** Kubernetes kind. */
  readonly kind: string;
  /** The object's name in the release namespace. */
  readonly name: string;
  /** What the package does with it, and the argument that renames it. */
  readonly feed: string;
  readonly evidence: Evidence;
  /** Where it was verified; required when `verified`. */
  readonly source?: string;
}

/**
 * The vendor's "Upgrade - AWS" procedure (4.3 text, kept as reference seed 003): shut the
 * platform down with `kubectl scale --replicas=0 sts/platform`, make sure pod `platform-0` is
 * gone before the database backup, and scale `sts/platform` back to 1 after `helm upgrade`.
 */
const UPGRADE_AWS = "https://infozone.atlassian.net/wiki/pages/viewpage.action?pageId=419889171";

/** Objects of the chart the upgrade steps stop and start (names overridable in `upgrade`). */
export const CHART_OBJECTS = {
  platformStatefulSet: {
    kind: "StatefulSet",
    name: "platform",
    feed: "scaled to 0 before the upgrade's backups and back after the release (upgrade.platformStatefulSet)",
    evidence: "verified",
    source: UPGRADE_AWS,
  },
  platformPod: {
    kind: "Pod",
    name: "platform-0",
    feed: "awaited gone before the backups, ready after the release (upgrade.platformPod)",
    evidence: "verified",
    source: UPGRADE_AWS,
  },
} as const satisfies Record<string, ChartObject>;

/** Every concrete value path a table key can take (`<db>` expanded to each database block). */
export function chartKeyPaths(key: ChartKey): string[] {
  if (!key.path.includes("<db>")) return [key.path];
  return Object.values(DATABASE_VALUES_BLOCK).map((block) => key.path.replace("<db>", block));
}

const UPGRADE_PREPARATIONS = `${DOCS}/226197661`;

/** A chart value key that a chart version removed or renamed. */
export interface RemovedValue {
  /** Dot path of the key in the chart values. */
  readonly path: string;
  /** First chart version without the key. */
  readonly removedIn: string;
  /** The key (or package argument) to use instead, when there is one. */
  readonly replacement?: string;
  /** Whether DigitalRoute's documentation says the key was removed. */
  readonly evidence: Evidence;
  /** Whether `removedIn` is documented (`verified`) or our inference (`unverified`). */
  readonly versionEvidence: Evidence;
  /** Where the removal is documented. */
  readonly source: string;
}

/**
 * Keys removed or renamed between chart versions. A user `values` entry that the target chart
 * version removed is refused before any resource, instead of being ignored by Helm.
 * The four operator/JMX keys are quoted as removed in the vendor's upgrade preparations, whose
 * example upgrades to chart 4.0.0; the changelog line's version is not shown, so `removedIn` is
 * inferred. `suspend.crontab/duration` were replaced by `suspend.from/until` (cron, verified);
 * no 4.x page documents the old pair, hence 4.0.0 (inferred). Confirm against the CHANGELOG.md
 * of the chart you pin (`helm pull ... --untar`).
 */
export const REMOVED_VALUES: readonly RemovedValue[] = [
  {
    path: "mzOperator.clusterWide",
    removedIn: "4.0.0",
    evidence: "verified",
    versionEvidence: "unverified",
    source: UPGRADE_PREPARATIONS,
  },
  {
    path: "mzOperator.experimental.performPeriodicWorkflowCleanup",
    removedIn: "4.0.0",
    evidence: "verified",
    versionEvidence: "unverified",
    source: UPGRADE_PREPARATIONS,
  },
  {
    path: "jmx.remote",
    removedIn: "4.0.0",
    evidence: "verified",
    versionEvidence: "unverified",
    source: UPGRADE_PREPARATIONS,
  },
  {
    path: "platform.debug.jmx",
    removedIn: "4.0.0",
    evidence: "verified",
    versionEvidence: "unverified",
    source: UPGRADE_PREPARATIONS,
  },
  {
    path: "suspend.crontab",
    removedIn: "4.0.0",
    replacement: "suspend.from (a cron expression; or the package argument backup.coldBackupWindow.from)",
    evidence: "verified",
    versionEvidence: "unverified",
    source: "https://infozone.atlassian.net/wiki/pages/diffpages.action?originalId=91423260&pageId=91357900",
  },
  {
    path: "suspend.duration",
    removedIn: "4.0.0",
    replacement: "suspend.until (a cron expression; or the package argument backup.coldBackupWindow.until)",
    evidence: "verified",
    versionEvidence: "unverified",
    source: "https://infozone.atlassian.net/wiki/pages/diffpages.action?originalId=91423260&pageId=91357900",
  },
];

/** The value `values` sets at the dot path; undefined when it sets none or it is not known yet. */
export function valueAt(values: unknown, path: string): unknown {
  let node = values;
  for (const part of path.split(".")) {
    if (typeof node !== "object" || node === null || Array.isArray(node) || isUnknown(node)) return undefined;
    if (!Object.hasOwn(node, part)) return undefined;
    node = Reflect.get(node, part);
  }
  return node;
}

/** Whether `values` sets the dot path (to anything but null, which tells Helm to drop a key). */
function setsPath(values: unknown, path: string): boolean {
  const value = valueAt(values, path);
  return value !== null && value !== undefined;
}

/**
 * Refuses user `values` that would quietly undo a security argument: the license in plain values
 * (it belongs in the secret `licenseKey` argument), and the platform's TLS switched off while
 * `tls.mode` still says the platform serves TLS (`tls.mode: "disabled"` is the explicit way).
 */
export function checkWeakeningValues(
  check: Checker,
  path: string,
  values: unknown,
  armed: { tlsMode: unknown; serviceType: unknown },
): void {
  const tlsMode = armed.tlsMode;
  if (setsPath(values, CHART_KEYS.licenseKey.path))
    check.fail(
      `${path}.${CHART_KEYS.licenseKey.path}`,
      "would put the license in plain chart values",
      "the licenseKey argument (kept secret), and the key taken out of values",
    );
  const tls = valueAt(values, CHART_KEYS.tlsEnabled.path);
  if (tlsMode !== "disabled" && (tls === false || tls === "false"))
    check.fail(
      `${path}.${CHART_KEYS.tlsEnabled.path}`,
      `turns the platform's TLS off while tls.mode is "${String(tlsMode)}"`,
      'tls.mode "disabled" to serve plain HTTP on purpose, or the key taken out of values',
    );
  // The service type under the package's key or the name a chart version may read instead: a
  // LoadBalancer set here would skip exposure's rule (source ranges, internal scheme, allowPublic).
  if (armed.serviceType === "LoadBalancer") return;
  for (const key of [CHART_KEYS.serviceType.path, SERVICE_TYPE_ALIAS])
    if (valueAt(values, key) === "LoadBalancer")
      check.fail(
        `${path}.${key}`,
        "would make the platform a LoadBalancer past the exposure checks",
        'exposure.serviceType "LoadBalancer" with exposure.loadBalancerSourceRanges, an internal scheme or exposure.allowPublic',
      );
}

/** Where a chart version may read the service type from instead of the package's key. */
const SERVICE_TYPE_ALIAS = "platform.service.serviceType";

/**
 * Refuses every key of user `values` that `chartVersion` no longer has, naming the key path,
 * the version that removed it and its replacement. Skips an invalid version (reported elsewhere).
 */
export function checkRemovedValues(
  check: Checker,
  path: string,
  values: unknown,
  chartVersion: unknown,
): void {
  if (typeof chartVersion !== "string" || semver.valid(chartVersion) === null) return;
  for (const removed of REMOVED_VALUES) {
    if (!semver.gte(chartVersion, removed.removedIn) || !setsPath(values, removed.path)) continue;
    check.fail(
      `${path}.${removed.path}`,
      `was removed from the chart in version ${removed.removedIn} (deploying ${chartVersion})`,
      removed.replacement
        ? `${removed.replacement} instead`
        : "the key taken out of values: the chart has no replacement",
    );
  }
}
