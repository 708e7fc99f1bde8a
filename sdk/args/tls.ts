import type * as pulumi from "@pulumi/pulumi";
import { CERT_MANAGER_CHART } from "../addons";
import { TLS_SECRET_KEYS } from "../chart/contract";
import type { Values } from "../chart/values";
import { base64File, type Checker, type InputRule, pemBlock } from "../validation";
import {
  type AwsIdentityOptions,
  checkHostedZoneId,
  type IdentitySpec,
  resolveAwsIdentity,
} from "./identity";
import { keyList } from "./keys";

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
  /** `selfSigned` (testing only: browsers and the Desktop client will not trust it), `acme`, or an `existing` issuer. Default: `selfSigned`. */
  type?: IssuerType;
  /** Issuer kind; an `Issuer` is created in the release namespace. Default: `ClusterIssuer`. */
  kind?: IssuerKind;
  /** Issuer name. Required for `existing`. Default: `<component name>-issuer`. */
  name?: string;
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
  /** IAM role cert-manager uses for Route 53 (created for `irsa` or `podIdentity`). Default: `{ mode: "none" }` (the pod's existing credentials). */
  route53Identity?: AwsIdentityOptions;
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
  /** Install cert-manager with its Helm chart; false uses an installation already in the cluster. Default: true. */
  installCertManager?: boolean;
  /** cert-manager chart version. Default: `v1.19.1`. */
  certManagerVersion?: string;
  /** Extra cert-manager chart values, deep-merged last (you win). Default: none. */
  // biome-ignore lint/suspicious/noExplicitAny: chart values are free-form by nature
  certManagerValues?: { [key: string]: any };
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
  | { type: "existing"; kind: IssuerKind; name: string };

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
  | {
      mode: "certManager";
      installCertManager: boolean;
      certManagerVersion: string;
      certManagerValues: Values;
      issuer: IssuerSpec;
    }
  | { mode: "secret"; secret: TlsSecretSpec }
  | { mode: "disabled" };

const TLS_KEYS = keyList<TlsOptions>({
  mode: true,
  installCertManager: true,
  certManagerVersion: true,
  certManagerValues: true,
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
});
const SECRET_KEYS = keyList<TlsSecretOptions>({ name: true, keystoreJks: true, tlsKey: true, tlsCrt: true });
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/;
const PEM_PRIVATE_KEY = /-----BEGIN ([A-Z]+ )?PRIVATE KEY-----[\s\S]+-----END ([A-Z]+ )?PRIVATE KEY-----/;

/**
 * Checks the issuer block. Its shape is checked in every TLS mode; what an issuer type requires
 * only when cert-manager issues the certificate (`enforce`).
 */
function resolveIssuer(check: Checker, path: string, o: IssuerOptions, enforce: boolean): IssuerSpec {
  check.knownKeys(path, o, ISSUER_KEYS);
  const type = o.type ?? "selfSigned";
  const kind = o.kind ?? "ClusterIssuer";
  const challenge = o.acmeChallenge ?? (o.route53HostedZoneId !== undefined ? "route53Dns01" : "http01");
  const identity = resolveAwsIdentity(check, `${path}.route53Identity`, o.route53Identity);
  check.oneOf(`${path}.type`, type, ["selfSigned", "acme", "existing"]);
  check.oneOf(`${path}.kind`, kind, ["Issuer", "ClusterIssuer"]);
  check.rfc1123Subdomain(`${path}.name`, o.name);
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
  if (type === "existing") {
    if (enforce) check.required(`${path}.name`, o.name, "the name of your issuer");
    return { type, kind, name: o.name ?? "" };
  }
  if (type !== "acme") return { type: "selfSigned", kind, name: o.name };
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
    kind,
    name: o.name,
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
  check.knownKeys(path, o, TLS_KEYS);
  const mode = o.mode ?? "certManager";
  const issuer = resolveIssuer(check, `${path}.issuer`, o.issuer ?? {}, mode === "certManager");
  check.oneOf(`${path}.mode`, mode, ["certManager", "secret", "disabled"]);
  check.boolean(`${path}.installCertManager`, o.installCertManager);
  check.pattern(
    `${path}.certManagerVersion`,
    o.certManagerVersion,
    /^v\d+\.\d+\.\d+$/,
    "a cert-manager chart version such as v1.19.1",
  );
  check.map(`${path}.certManagerValues`, o.certManagerValues, "a map of cert-manager chart values");
  check.rfc1123Subdomain(`${path}.existingSecretName`, o.existingSecretName);
  if (mode === "secret") return { mode, secret: resolveTlsSecret(check, path, o) };
  for (const key of ["existingSecretName", "secret"] as const)
    if (o[key] !== undefined)
      check.fail(`${path}.${key}`, `only applies to mode "secret"`, 'mode "secret" or no value');
  if (mode === "disabled") return { mode };
  return {
    mode: "certManager",
    installCertManager: o.installCertManager ?? true,
    certManagerVersion: o.certManagerVersion ?? CERT_MANAGER_CHART.version,
    certManagerValues: o.certManagerValues ?? {},
    issuer,
  };
}
