import type * as pulumi from "@pulumi/pulumi";
import { TLS_SECRET_KEYS } from "../chart/contract";
import { base64File, type Checker, type InputRule, pemBlock } from "../validation";
import {
  type AwsIdentityOptions,
  checkHostedZoneId,
  type IdentitySpec,
  resolveAwsIdentity,
} from "./identity";
import { keyList, refuseMovedToClusterAddons } from "./keys";

/** How the platform gets its TLS certificate. */
export const TlsMode = { CertManager: "certManager", Secret: "secret", Disabled: "disabled" } as const;
export type TlsMode = (typeof TlsMode)[keyof typeof TlsMode];
/** Which issuer signs the platform certificate. */
export const IssuerType = { SelfSigned: "selfSigned", Acme: "acme", Existing: "existing" } as const;
export type IssuerType = (typeof IssuerType)[keyof typeof IssuerType];
/** cert-manager issuer kind. */
export const IssuerKind = { Issuer: "Issuer", ClusterIssuer: "ClusterIssuer" } as const;
export type IssuerKind = (typeof IssuerKind)[keyof typeof IssuerKind];
/** How the ACME server checks that you control the domain. */
export const AcmeChallenge = { Http01: "http01", Route53Dns01: "route53Dns01" } as const;
export type AcmeChallenge = (typeof AcmeChallenge)[keyof typeof AcmeChallenge];

/** The cert-manager issuer. */
export interface IssuerOptions {
  /** `selfSigned` (testing only: browsers and the Desktop client will not trust it), `acme`, or an `existing` issuer, such as the one ClusterAddons creates (`kind: addons.issuerKind, name: addons.issuerName`). The stack never installs cert-manager: it must already run in the cluster. Default: `selfSigned`. */
  type?: IssuerType;
  /** Issuer kind, `ClusterIssuer` or `Issuer`; an `Issuer` the stack creates lives in the release namespace. May be an Output for `existing` (checked when known; the release waits for it). Default: `ClusterIssuer`. */
  kind?: pulumi.Input<string>;
  /** Issuer name. Required for `existing`, where it may be an Output (the release waits for it). Default: `<component name>-issuer`. */
  name?: pulumi.Input<string>;
  /** Account e-mail registered with the ACME server (expiry notices go there). Required for `acme`. Default: none. */
  acmeEmail?: string;
  /** ACME directory URL (e.g. Let's Encrypt staging while testing). Default: `https://acme-v02.api.letsencrypt.org/directory`. */
  acmeServer?: string;
  /** ACME challenge: `http01` through an ingress, or `route53Dns01` through a Route 53 hosted zone. Default: `route53Dns01` when `route53HostedZoneId` is set, else `http01`. */
  acmeChallenge?: AcmeChallenge;
  /** Ingress class that serves HTTP-01 challenges. Default: the `exposure.ingress.className`, else `nginx`. */
  http01IngressClass?: string;
  /** Route 53 hosted zone id for DNS-01, e.g. `Z0123456789ABCDEFGHIJ`. Required for `route53Dns01`. Default: none. */
  route53HostedZoneId?: string;
  /** AWS region cert-manager's Route 53 client uses. Default: the AWS provider's region. */
  route53Region?: string;
  /** IAM role cert-manager uses for Route 53 (created for `irsa` or `podIdentity`). Default: `irsa` when `oidcProviderArn` is given, `podIdentity` when `clusterName` is, else `none` (the pod's existing credentials, usually the node role). */
  route53Identity?: AwsIdentityOptions;
  /** cert-manager runs with `--issuer-ambient-credentials` (ClusterAddons `certManager.issuerAmbientCredentials: true`): without it a namespaced `Issuer` gets no AWS credentials for Route 53 DNS-01. Default: false. */
  ambientCredentials?: boolean;
}

/** A TLS Secret created from your certificate material (all values secret). */
export interface TlsSecretOptions {
  /** Name of the Secret. Default: `uepe-tls`. */
  name?: string;
  /** The JKS keystore, base64-encoded (`base64 -w0 keystore.jks`); give its passwords as `credentials.passwords.keystore` and `.key` (required). */
  keystoreJks: pulumi.Input<string>;
  /** PEM private key (`tls.key`). */
  tlsKey: pulumi.Input<string>;
  /** PEM certificate chain (`tls.crt`). */
  tlsCrt: pulumi.Input<string>;
}

/** Platform TLS. */
export interface TlsOptions {
  /** `certManager` issues the certificate, `secret` uses a Secret holding keystore.jks, tls.key and tls.crt, `disabled` serves plain HTTP. Default: `certManager`. */
  mode?: TlsMode;
  /** Issuer of the platform certificate. Default: a self-signed ClusterIssuer (testing only). */
  issuer?: IssuerOptions;
  /** An existing Secret (in the release namespace) with keystore.jks, tls.key and tls.crt, for `secret` mode. Default: none. */
  existingSecretName?: string;
  /** Create the Secret for `secret` mode from these values instead. Default: none. */
  secret?: TlsSecretOptions;
}

export const LETS_ENCRYPT_PRODUCTION = "https://acme-v02.api.letsencrypt.org/directory";
export const DEFAULT_TLS_SECRET_NAME = "uepe-tls";

/** How the ACME server checks control of the domain, with what each challenge needs. */
export type AcmeChallengeSpec =
  | { type: "http01"; ingressClass?: string }
  | { type: "route53Dns01"; hostedZoneId: string; region?: string; identity: IdentitySpec };

/** The issuer after resolution. `name` undefined: derived from the component name. */
export type IssuerSpec =
  | { type: "selfSigned"; kind: IssuerKind; name?: string }
  | {
      type: "acme";
      kind: IssuerKind;
      name?: string;
      email: string;
      server: string;
      challenge: AcmeChallengeSpec;
    }
  /** Kind and name may be known only at deploy time (another component's outputs). */
  | { type: "existing"; kind: pulumi.Input<string>; name: pulumi.Input<string> };

/** Where the TLS Secret of `secret` mode comes from. */
export type TlsSecretSpec =
  | { source: "existing"; name: string }
  | {
      source: "material";
      name: string;
      keystoreJks: pulumi.Input<string>;
      tlsKey: pulumi.Input<string>;
      tlsCrt: pulumi.Input<string>;
    };

/** Platform TLS after resolution. */
export type TlsSpec =
  | { mode: "certManager"; issuer: IssuerSpec }
  | { mode: "secret"; secret: TlsSecretSpec }
  | { mode: "disabled" };

const TLS_KEYS = keyList<TlsOptions>({
  mode: true,
  issuer: true,
  existingSecretName: true,
  secret: true,
});
const ISSUER_KEYS = keyList<IssuerOptions>({
  type: true,
  kind: true,
  name: true,
  acmeEmail: true,
  acmeServer: true,
  acmeChallenge: true,
  http01IngressClass: true,
  route53HostedZoneId: true,
  route53Region: true,
  route53Identity: true,
  ambientCredentials: true,
});
/**
 * Arguments that installed cluster-wide software from each installation, and the ClusterAddons
 * argument that does it now (cert-manager is shared by every installation of a cluster).
 */
const MOVED_TO_CLUSTER_ADDONS: Readonly<Record<string, string>> = {
  installCertManager: "ClusterAddons certManager.enabled",
  certManagerVersion: "ClusterAddons certManager.version",
  certManagerValues: "ClusterAddons certManager.values",
};
const SECRET_KEYS = keyList<TlsSecretOptions>({ name: true, keystoreJks: true, tlsKey: true, tlsCrt: true });
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/;
const PEM_PRIVATE_KEY = /-----BEGIN ([A-Z]+ )?PRIVATE KEY-----[\s\S]+-----END ([A-Z]+ )?PRIVATE KEY-----/;

/** Whether a value is a plain string (not an Output or a Promise known only at deploy time). */
function plain(value: pulumi.Input<string> | undefined): value is string | undefined {
  return value === undefined || typeof value === "string";
}

/** Checks an issuer kind and name; run on plain values now and on Outputs once they resolve. */
export function checkIssuerReference(check: Checker, path: string, kind: unknown, name: unknown): void {
  check.oneOf(`${path}.kind`, kind, ["Issuer", "ClusterIssuer"]);
  check.rfc1123Subdomain(`${path}.name`, name);
}

/**
 * A namespaced Issuer solving Route 53 DNS-01 with ambient credentials (IRSA, Pod Identity or the
 * node role: the solver is never given keys) works only when cert-manager was started with
 * `--issuer-ambient-credentials`; cert-manager otherwise uses ambient credentials for
 * ClusterIssuers only, and the challenge fails at deploy time with no AWS credentials.
 */
function checkAmbientCredentials(check: Checker, path: string, o: IssuerOptions, kind: string): void {
  check.boolean(`${path}.ambientCredentials`, o.ambientCredentials);
  if (kind !== "Issuer" || o.ambientCredentials === true) return;
  check.fail(
    `${path}.kind`,
    'is "Issuer" with route53Dns01: cert-manager gives a namespaced Issuer no ambient AWS credentials (IRSA, Pod Identity, node role) unless it runs with --issuer-ambient-credentials',
    'kind "ClusterIssuer" (such as the one ClusterAddons creates), or ambientCredentials: true once cert-manager runs with --issuer-ambient-credentials (ClusterAddons certManager.issuerAmbientCredentials: true)',
  );
}

/** The issuer of type `existing`: a reference, possibly to another component's outputs. */
function existingIssuer(check: Checker, path: string, o: IssuerOptions, enforce: boolean): IssuerSpec {
  if (enforce) check.required(`${path}.name`, o.name, "the name of your issuer");
  checkIssuerReference(check, path, o.kind, o.name);
  return { type: "existing", kind: o.kind ?? "ClusterIssuer", name: o.name ?? "" };
}

/**
 * Checks the issuer block. Its shape is checked in every TLS mode; what an issuer type requires
 * only when cert-manager issues the certificate (`enforce`).
 */
export function resolveIssuer(check: Checker, path: string, o: IssuerOptions, enforce: boolean): IssuerSpec {
  check.knownKeys(path, o, ISSUER_KEYS);
  const type = o.type ?? "selfSigned";
  const challenge = o.acmeChallenge ?? (o.route53HostedZoneId !== undefined ? "route53Dns01" : "http01");
  const identity = resolveAwsIdentity(check, `${path}.route53Identity`, o.route53Identity);
  check.oneOf(`${path}.type`, type, ["selfSigned", "acme", "existing"]);
  check.email(`${path}.acmeEmail`, o.acmeEmail);
  check.pattern(`${path}.acmeServer`, o.acmeServer, /^https:\/\/\S+$/, "an https:// ACME directory URL");
  check.oneOf(`${path}.acmeChallenge`, challenge, ["http01", "route53Dns01"]);
  check.rfc1123Subdomain(`${path}.http01IngressClass`, o.http01IngressClass);
  checkHostedZoneId(check, `${path}.route53HostedZoneId`, o.route53HostedZoneId);
  check.awsRegion(`${path}.route53Region`, o.route53Region);
  const usesRoute53 = type === "acme" && challenge === "route53Dns01";
  if (enforce && !usesRoute53 && identity.mode !== "none")
    check.fail(
      `${path}.route53Identity.mode`,
      `"${identity.mode}" only applies to an acme issuer with route53Dns01`,
      'mode "none" or acmeChallenge "route53Dns01"',
    );
  if (type === "existing") return existingIssuer(check, path, o, enforce);
  // The stack creates this issuer: its kind decides where, its name is in its own names.
  const kind = plain(o.kind) ? (o.kind ?? "ClusterIssuer") : "ClusterIssuer";
  const name = plain(o.name) ? o.name : undefined;
  for (const key of ["kind", "name"] as const)
    if (!plain(o[key]))
      check.fail(
        `${path}.${key}`,
        `is known only at deploy time, but the stack creates this ${type} issuer`,
        `a plain string, or type "existing" to refer to an issuer by Outputs`,
      );
  checkIssuerReference(check, path, kind, name);
  const issuerKind: IssuerKind = kind === "Issuer" ? "Issuer" : "ClusterIssuer";
  if (enforce && usesRoute53) checkAmbientCredentials(check, path, o, kind);
  if (type !== "acme") return { type: "selfSigned", kind: issuerKind, name };
  if (enforce) {
    check.required(`${path}.acmeEmail`, o.acmeEmail, "an e-mail address for the ACME account");
    if (usesRoute53)
      check.required(
        `${path}.route53HostedZoneId`,
        o.route53HostedZoneId,
        "the Route 53 hosted zone id of your domain for DNS-01",
      );
  }
  return {
    type,
    kind: issuerKind,
    name,
    email: o.acmeEmail ?? "",
    server: o.acmeServer ?? LETS_ENCRYPT_PRODUCTION,
    challenge: usesRoute53
      ? {
          type: "route53Dns01",
          hostedZoneId: o.route53HostedZoneId ?? "",
          region: o.route53Region,
          identity,
        }
      : { type: "http01", ingressClass: o.http01IngressClass },
  };
}

/** The Secret's material, each value checked (Outputs at deployment): base64 keystore, PEM key and certificate. */
function checkSecretMaterial(
  check: Checker,
  path: string,
  secret: TlsSecretOptions,
): Pick<TlsSecretOptions, "keystoreJks" | "tlsKey" | "tlsCrt"> {
  const checked = { keystoreJks: secret.keystoreJks, tlsKey: secret.tlsKey, tlsCrt: secret.tlsCrt };
  if (!check.knownKeys(path, secret, SECRET_KEYS)) return checked;
  check.rfc1123Subdomain(`${path}.name`, secret.name);
  const material: [keyof typeof checked, string, InputRule][] = [
    [
      "keystoreJks",
      TLS_SECRET_KEYS.keystore,
      base64File("the base64-encoded JKS keystore", "is not in the expected format (value hidden)"),
    ],
    [
      "tlsKey",
      TLS_SECRET_KEYS.key,
      pemBlock("a PEM private key (-----BEGIN PRIVATE KEY-----)", PEM_PRIVATE_KEY),
    ],
    [
      "tlsCrt",
      TLS_SECRET_KEYS.certificate,
      pemBlock("a PEM certificate (-----BEGIN CERTIFICATE-----)", PEM_CERTIFICATE),
    ],
  ];
  for (const [key, secretKey, rule] of material)
    if (check.required(`${path}.${key}`, secret[key], `${rule.accepted}, stored as ${secretKey}`))
      checked[key] = check.input(`${path}.${key}`, secret[key], rule);
  return checked;
}

function resolveTlsSecret(check: Checker, path: string, o: TlsOptions): TlsSecretSpec {
  if (o.existingSecretName !== undefined && o.secret !== undefined)
    check.fail(
      `${path}.secret`,
      "is given together with existingSecretName",
      "one of existingSecretName or secret",
    );
  else if (o.existingSecretName === undefined && o.secret === undefined)
    check.fail(
      `${path}.existingSecretName`,
      "is required in secret mode (or give tls.secret)",
      "a Secret with keystore.jks, tls.key and tls.crt, or tls.secret { keystoreJks, tlsKey, tlsCrt }",
    );
  if (o.secret === undefined) return { source: "existing", name: o.existingSecretName ?? "" };
  const material = checkSecretMaterial(check, `${path}.secret`, o.secret);
  return { source: "material", name: o.secret.name ?? DEFAULT_TLS_SECRET_NAME, ...material };
}

export function resolveTls(check: Checker, path: string, options: TlsOptions | undefined): TlsSpec {
  const o = options ?? {};
  const moved = refuseMovedToClusterAddons(check, path, o, MOVED_TO_CLUSTER_ADDONS);
  check.knownKeys(path, o, [...TLS_KEYS, ...moved]);
  const mode = o.mode ?? "certManager";
  const issuer = resolveIssuer(check, `${path}.issuer`, o.issuer ?? {}, mode === "certManager");
  check.oneOf(`${path}.mode`, mode, ["certManager", "secret", "disabled"]);
  check.rfc1123Subdomain(`${path}.existingSecretName`, o.existingSecretName);
  if (mode === "secret") return { mode, secret: resolveTlsSecret(check, path, o) };
  for (const key of ["existingSecretName", "secret"] as const)
    if (o[key] !== undefined)
      check.fail(`${path}.${key}`, `only applies to mode "secret"`, 'mode "secret" or no value');
  if (mode === "disabled") return { mode };
  return { mode: "certManager", issuer };
}
