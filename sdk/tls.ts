import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  type AwsIdentityOptions,
  checkHostedZoneId,
  IRSA_ROLE_ANNOTATION,
  type ResolvedAwsIdentity,
  resolveAwsIdentity,
  workloadRole,
} from "./awsIdentity";
import { deepMerge, TLS_SECRET_KEYS } from "./chart";
import { managedLabels } from "./kubernetes";
import type { Tags } from "./network";
import { Checker } from "./validation";

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
  /** Ingress class that serves HTTP-01 challenges. Default: the `networking.ingress.className`, else `nginx`. */
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
  /** The JKS keystore, base64-encoded (`base64 -w0 keystore.jks`); its passwords are the env-secrets keystore/key passwords. */
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

export interface TlsArgs {
  /** TLS settings. */
  tls?: TlsOptions;
  /** Release namespace: where an `Issuer` and a created TLS Secret live. */
  namespace: pulumi.Input<string>;
  /** DNS domain of the installation; the ACME solver is limited to it. Default: none (solver answers for any name). */
  domain?: string;
  /** Ingress class used for HTTP-01 when `issuer.http01IngressClass` is not set. Default: `nginx`. */
  ingressClassName?: string;
  /** Tags on the AWS resources (the Route 53 role). Default: none beyond `managed-by`. */
  tags?: Tags;
}

export const CERT_MANAGER_CHART = {
  chart: "cert-manager",
  repository: "https://charts.jetstack.io",
  version: "v1.19.1",
  namespace: "cert-manager",
  /** The chart names its controller's service account after the release. */
  serviceAccount: "cert-manager",
} as const;

export const LETS_ENCRYPT_PRODUCTION = "https://acme-v02.api.letsencrypt.org/directory";
export const DEFAULT_TLS_SECRET_NAME = "uepe-tls";

export interface ResolvedIssuer {
  type: IssuerType;
  kind: IssuerKind;
  name?: string;
  acmeEmail?: string;
  acmeServer: string;
  acmeChallenge: AcmeChallenge;
  http01IngressClass?: string;
  route53HostedZoneId?: string;
  route53Region?: string;
  route53Identity: ResolvedAwsIdentity;
}

export interface ResolvedTls {
  mode: TlsMode;
  installCertManager: boolean;
  certManagerVersion: string;
  issuer: ResolvedIssuer;
  existingSecretName?: string;
  secret?: TlsSecretOptions;
}

const TLS_KEYS = [
  "mode",
  "installCertManager",
  "certManagerVersion",
  "certManagerValues",
  "issuer",
  "existingSecretName",
  "secret",
];
const ISSUER_KEYS = [
  "type",
  "kind",
  "name",
  "acmeEmail",
  "acmeServer",
  "acmeChallenge",
  "http01IngressClass",
  "route53HostedZoneId",
  "route53Region",
  "route53Identity",
];
const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/;
const PEM_PRIVATE_KEY = /-----BEGIN ([A-Z]+ )?PRIVATE KEY-----[\s\S]+-----END ([A-Z]+ )?PRIVATE KEY-----/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

function resolveIssuer(check: Checker, path: string, o: IssuerOptions, mode: TlsMode): ResolvedIssuer {
  check.knownKeys(path, o, ISSUER_KEYS);
  const issuer: ResolvedIssuer = {
    type: o.type ?? "selfSigned",
    kind: o.kind ?? "ClusterIssuer",
    name: o.name,
    acmeEmail: o.acmeEmail,
    acmeServer: o.acmeServer ?? LETS_ENCRYPT_PRODUCTION,
    acmeChallenge: o.acmeChallenge ?? (o.route53HostedZoneId !== undefined ? "route53Dns01" : "http01"),
    http01IngressClass: o.http01IngressClass,
    route53HostedZoneId: o.route53HostedZoneId,
    route53Region: o.route53Region,
    route53Identity: resolveAwsIdentity(check, `${path}.route53Identity`, o.route53Identity),
  };
  check.oneOf(`${path}.type`, issuer.type, ["selfSigned", "acme", "existing"]);
  check.oneOf(`${path}.kind`, issuer.kind, ["Issuer", "ClusterIssuer"]);
  check.rfc1123Subdomain(`${path}.name`, o.name);
  check.email(`${path}.acmeEmail`, o.acmeEmail);
  check.pattern(`${path}.acmeServer`, o.acmeServer, /^https:\/\/\S+$/, "an https:// ACME directory URL");
  check.oneOf(`${path}.acmeChallenge`, issuer.acmeChallenge, ["http01", "route53Dns01"]);
  check.rfc1123Subdomain(`${path}.http01IngressClass`, o.http01IngressClass);
  checkHostedZoneId(check, `${path}.route53HostedZoneId`, o.route53HostedZoneId);
  check.pattern(`${path}.route53Region`, o.route53Region, AWS_REGION, "an AWS region such as eu-west-1");
  if (mode !== "certManager") return issuer;
  if (issuer.type === "existing") check.required(`${path}.name`, o.name, "the name of your issuer");
  if (issuer.type === "acme") {
    check.required(`${path}.acmeEmail`, o.acmeEmail, "an e-mail address for the ACME account");
    if (issuer.acmeChallenge === "route53Dns01")
      check.required(
        `${path}.route53HostedZoneId`,
        o.route53HostedZoneId,
        "the Route 53 hosted zone id of your domain for DNS-01",
      );
  }
  const usesRoute53 = issuer.type === "acme" && issuer.acmeChallenge === "route53Dns01";
  if (!usesRoute53 && issuer.route53Identity.mode !== "none")
    check.fail(
      `${path}.route53Identity.mode`,
      `"${issuer.route53Identity.mode}" only applies to an acme issuer with route53Dns01`,
      'mode "none" or acmeChallenge "route53Dns01"',
    );
  return issuer;
}

function checkSecretMaterial(check: Checker, path: string, secret: TlsSecretOptions): void {
  if (!check.knownKeys(path, secret, ["name", "keystoreJks", "tlsKey", "tlsCrt"])) return;
  check.rfc1123Subdomain(`${path}.name`, secret.name);
  const material: [keyof TlsSecretOptions, string, RegExp, string][] = [
    ["keystoreJks", TLS_SECRET_KEYS.keystore, BASE64, "the base64-encoded JKS keystore"],
    ["tlsKey", TLS_SECRET_KEYS.key, PEM_PRIVATE_KEY, "a PEM private key (-----BEGIN PRIVATE KEY-----)"],
    [
      "tlsCrt",
      TLS_SECRET_KEYS.certificate,
      PEM_CERTIFICATE,
      "a PEM certificate (-----BEGIN CERTIFICATE-----)",
    ],
  ];
  for (const [key, secretKey, form, accepted] of material) {
    const value = secret[key];
    if (!check.required(`${path}.${key}`, value, `${accepted}, stored as ${secretKey}`)) continue;
    check.secret(`${path}.${key}`, value, accepted);
    // Values are secret: say what is wrong without ever showing them.
    if (typeof value === "string" && value.length > 0 && !form.test(value.trim()))
      check.fail(`${path}.${key}`, "is not in the expected format (value hidden)", accepted);
  }
}

export function resolveTls(check: Checker, path: string, options: TlsOptions | undefined): ResolvedTls {
  const o = options ?? {};
  check.knownKeys(path, o, TLS_KEYS);
  const mode = o.mode ?? "certManager";
  const resolved: ResolvedTls = {
    mode,
    installCertManager: o.installCertManager ?? true,
    certManagerVersion: o.certManagerVersion ?? CERT_MANAGER_CHART.version,
    issuer: resolveIssuer(check, `${path}.issuer`, o.issuer ?? {}, mode),
    existingSecretName: o.existingSecretName,
    secret: o.secret,
  };
  check.oneOf(`${path}.mode`, mode, ["certManager", "secret", "disabled"]);
  check.boolean(`${path}.installCertManager`, o.installCertManager);
  check.pattern(
    `${path}.certManagerVersion`,
    o.certManagerVersion,
    /^v\d+\.\d+\.\d+$/,
    "a cert-manager chart version such as v1.19.1",
  );
  if (
    o.certManagerValues !== undefined &&
    (typeof o.certManagerValues !== "object" ||
      o.certManagerValues === null ||
      Array.isArray(o.certManagerValues))
  )
    check.fail(`${path}.certManagerValues`, "is not an object", "a map of cert-manager chart values");
  check.rfc1123Subdomain(`${path}.existingSecretName`, o.existingSecretName);
  if (mode === "secret") {
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
    if (o.secret !== undefined) checkSecretMaterial(check, `${path}.secret`, o.secret);
  } else {
    for (const key of ["existingSecretName", "secret"] as const)
      if (o[key] !== undefined)
        check.fail(`${path}.${key}`, `only applies to mode "secret"`, 'mode "secret" or no value');
  }
  return resolved;
}

/** cert-manager chart values: CRDs installed and kept, the Route 53 role on its service account (IRSA). */
export function certManagerValues(
  roleArn: pulumi.Input<string> | undefined,
  // biome-ignore lint/suspicious/noExplicitAny: chart values are free-form by nature
  userValues: { [key: string]: any } | undefined,
): Record<string, unknown> {
  const values: Record<string, unknown> = { crds: { enabled: true, keep: true } };
  if (roleArn !== undefined) values.serviceAccount = { annotations: { [IRSA_ROLE_ANNOTATION]: roleArn } };
  return deepMerge(values, userValues ?? {});
}

/** cert-manager's Route 53 permissions for DNS-01, limited to one hosted zone and TXT records. */
export function route53Dns01Policy(hostedZoneId: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: "route53:GetChange", Resource: "arn:aws:route53:::change/*" },
      {
        Effect: "Allow",
        Action: ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets"],
        Resource: `arn:aws:route53:::hostedzone/${hostedZoneId}`,
        Condition: {
          "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"] },
        },
      },
    ],
  });
}

export interface IssuerObjectInputs {
  issuer: ResolvedIssuer;
  name: string;
  namespace: pulumi.Input<string>;
  domain?: string;
  ingressClassName?: string;
  /** Region for the Route 53 solver (DNS-01 only). */
  route53Region?: pulumi.Input<string>;
}

/** The Issuer/ClusterIssuer object for `selfSigned` and `acme` issuers. */
export function issuerObject(i: IssuerObjectInputs): Record<string, unknown> {
  const metadata: Record<string, unknown> = { name: i.name, labels: managedLabels() };
  if (i.issuer.kind === "Issuer") metadata.namespace = i.namespace;
  if (i.issuer.type === "selfSigned")
    return { apiVersion: "cert-manager.io/v1", kind: i.issuer.kind, metadata, spec: { selfSigned: {} } };
  const solver: Record<string, unknown> =
    i.issuer.acmeChallenge === "route53Dns01"
      ? { dns01: { route53: { region: i.route53Region, hostedZoneID: i.issuer.route53HostedZoneId } } }
      : {
          http01: {
            ingress: { ingressClassName: i.issuer.http01IngressClass ?? i.ingressClassName ?? "nginx" },
          },
        };
  if (i.domain) solver.selector = { dnsZones: [i.domain] };
  return {
    apiVersion: "cert-manager.io/v1",
    kind: i.issuer.kind,
    metadata,
    spec: {
      acme: {
        email: i.issuer.acmeEmail,
        server: i.issuer.acmeServer,
        privateKeySecretRef: { name: `${i.name}-account-key` },
        solvers: [solver],
      },
    },
  };
}

/**
 * Platform TLS. `certManager`: installs cert-manager (CRDs included), then creates the issuer
 * the chart's Certificate refers to. The issuer depends on the cert-manager release, whose
 * post-install check waits for the webhook, so it is never submitted to a webhook that is not
 * serving. `secret`: uses or creates the Secret with keystore.jks, tls.key and tls.crt.
 */
export class Tls extends pulumi.ComponentResource {
  /** Issuer kind the chart refers to (empty unless `mode` is `certManager`). */
  public readonly issuerKind: pulumi.Output<string>;
  /** Issuer name the chart refers to (empty unless `mode` is `certManager`). */
  public readonly issuerName: pulumi.Output<string>;
  /** TLS Secret the chart refers to (empty unless `mode` is `secret`). */
  public readonly secretName: pulumi.Output<string>;
  /** ARN of the IAM role cert-manager uses for Route 53 (empty unless one was created). */
  public readonly route53RoleArn: pulumi.Output<string>;

  constructor(name: string, args: TlsArgs, opts?: pulumi.ComponentResourceOptions) {
    const check = new Checker("Tls");
    const tls = resolveTls(check, "tls", args.tls);
    check.hostname("domain", args.domain);
    check.rfc1123Subdomain("ingressClassName", args.ingressClassName);
    check.throwIfAny();
    super("usage-engine:index:Tls", name, {}, opts);

    this.issuerKind = pulumi.output("");
    this.issuerName = pulumi.output("");
    this.secretName = pulumi.output("");
    this.route53RoleArn = pulumi.output("");
    if (tls.mode === "disabled") {
      pulumi.log.warn(
        "tls.mode is disabled: the platform serves plain HTTP and credentials cross the network unencrypted; use certManager or secret outside of testing.",
        this,
      );
    } else if (tls.mode === "secret") {
      this.secretName = this.tlsSecret(name, tls, args.namespace);
    } else {
      const issuer = this.certManager(name, tls, args);
      this.issuerKind = issuer.kind;
      this.issuerName = issuer.name;
      this.route53RoleArn = issuer.roleArn;
    }
    this.registerOutputs({
      issuerKind: this.issuerKind,
      issuerName: this.issuerName,
      secretName: this.secretName,
      route53RoleArn: this.route53RoleArn,
    });
  }

  private tlsSecret(name: string, tls: ResolvedTls, namespace: pulumi.Input<string>): pulumi.Output<string> {
    if (tls.secret === undefined) return pulumi.output(tls.existingSecretName!);
    const secret = new k8s.core.v1.Secret(
      `${name}-secret`,
      {
        metadata: { name: tls.secret.name ?? DEFAULT_TLS_SECRET_NAME, namespace, labels: managedLabels() },
        type: "Opaque",
        data: { [TLS_SECRET_KEYS.keystore]: pulumi.secret(tls.secret.keystoreJks) },
        stringData: {
          [TLS_SECRET_KEYS.key]: pulumi.secret(tls.secret.tlsKey),
          [TLS_SECRET_KEYS.certificate]: pulumi.secret(tls.secret.tlsCrt),
        },
      },
      { parent: this },
    );
    return secret.metadata.name;
  }

  private certManager(
    name: string,
    tls: ResolvedTls,
    args: TlsArgs,
  ): { kind: pulumi.Output<string>; name: pulumi.Output<string>; roleArn: pulumi.Output<string> } {
    const issuer = tls.issuer;
    const usesRoute53 = issuer.type === "acme" && issuer.acmeChallenge === "route53Dns01";
    const role = usesRoute53
      ? workloadRole(
          `${name}-cert-manager-route53`,
          {
            identity: issuer.route53Identity,
            serviceAccount: {
              namespace: CERT_MANAGER_CHART.namespace,
              name: CERT_MANAGER_CHART.serviceAccount,
            },
            policy: route53Dns01Policy(issuer.route53HostedZoneId!),
            description: "cert-manager: ACME DNS-01 challenges in the UEPE hosted zone",
            tags: args.tags,
          },
          this,
        )
      : undefined;
    if (role && issuer.route53Identity.mode === "irsa" && !tls.installCertManager)
      pulumi.log.warn(
        `cert-manager is not installed by this component: annotate its service account with ${IRSA_ROLE_ANNOTATION}=<route53RoleArn> so it can use the created role.`,
        this,
      );
    const certManager = tls.installCertManager
      ? new k8s.helm.v3.Release(
          `${name}-cert-manager`,
          {
            name: "cert-manager",
            chart: CERT_MANAGER_CHART.chart,
            version: tls.certManagerVersion,
            repositoryOpts: { repo: CERT_MANAGER_CHART.repository },
            namespace: CERT_MANAGER_CHART.namespace,
            createNamespace: true,
            atomic: true,
            cleanupOnFail: true,
            skipAwait: false,
            timeout: 600,
            values: certManagerValues(
              issuer.route53Identity.mode === "irsa" ? role?.role.arn : undefined,
              args.tls?.certManagerValues,
            ),
          },
          // Pod Identity credentials are injected when a pod starts: the association comes first.
          { parent: this, dependsOn: role?.ready ?? [] },
        )
      : undefined;
    const roleArn = role?.role.arn ?? pulumi.output("");
    const issuerName = issuer.name ?? `${name}-issuer`;
    if (issuer.type === "existing")
      return { kind: pulumi.output(issuer.kind), name: pulumi.output(issuerName), roleArn };
    if (issuer.type === "selfSigned")
      pulumi.log.warn(
        "tls.issuer.type is selfSigned: browsers and the Desktop client will not trust the certificate; use it for testing only.",
        this,
      );
    const object = issuerObject({
      issuer,
      name: issuerName,
      namespace: args.namespace,
      domain: args.domain,
      ingressClassName: args.ingressClassName,
      route53Region: usesRoute53
        ? (issuer.route53Region ?? aws.getRegionOutput({}, { parent: this }).region)
        : undefined,
    });
    const created = new k8s.apiextensions.CustomResource(
      `${name}-issuer`,
      object as k8s.apiextensions.CustomResourceArgs,
      // The release's hooks finish only when the webhook answers; the issuer waits for them.
      { parent: this, dependsOn: certManager ? [certManager] : [] },
    );
    return { kind: pulumi.output(issuer.kind), name: created.metadata.name, roleArn };
  }
}
