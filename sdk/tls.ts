import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { managedLabels } from "./kubernetes";
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

/** The cert-manager issuer. */
export interface IssuerOptions {
  /** `selfSigned` (testing only), `acme`, or an `existing` issuer. Default: `selfSigned`. */
  type?: IssuerType;
  /** Issuer kind. Default: `ClusterIssuer`. */
  kind?: IssuerKind;
  /** Issuer name. Default: `<name>-issuer`; required for `existing`. */
  name?: string;
  /** Account e-mail for ACME. */
  acmeEmail?: string;
  /** ACME directory URL. Default: Let's Encrypt production. */
  acmeServer?: string;
  /** Route 53 hosted zone for ACME DNS-01; HTTP-01 is used when absent. */
  route53HostedZoneId?: string;
}

/** Platform TLS. */
export interface TlsOptions {
  /** `certManager` issues the certificate, `secret` uses a Secret you made, `disabled` serves plain HTTP. Default: `certManager`. */
  mode?: TlsMode;
  /** Install cert-manager with its Helm chart; false uses an installation already in the cluster. Default: true. */
  installCertManager?: boolean;
  /** cert-manager chart version. Default: `v1.19.1`. */
  certManagerVersion?: string;
  /** Issuer of the platform certificate. Default: a self-signed ClusterIssuer. */
  issuer?: IssuerOptions;
  /** Secret holding keystore.jks, tls.key and tls.crt when `mode` is `secret`. */
  existingSecretName?: string;
}

export interface TlsArgs {
  /** TLS settings. */
  tls?: TlsOptions;
}

export const CERT_MANAGER_CHART = {
  chart: "cert-manager",
  repository: "https://charts.jetstack.io",
  version: "v1.19.1",
  namespace: "cert-manager",
} as const;

export interface ResolvedTls {
  mode: TlsMode;
  installCertManager: boolean;
  certManagerVersion: string;
  issuer: { type: IssuerType; kind: IssuerKind; name?: string };
  existingSecretName?: string;
}

export function resolveTls(check: Checker, path: string, options: TlsOptions | undefined): ResolvedTls {
  const o = options ?? {};
  check.knownKeys(path, o, [
    "mode",
    "installCertManager",
    "certManagerVersion",
    "issuer",
    "existingSecretName",
  ]);
  const issuer = o.issuer ?? {};
  check.knownKeys(`${path}.issuer`, issuer, [
    "type",
    "kind",
    "name",
    "acmeEmail",
    "acmeServer",
    "route53HostedZoneId",
  ]);
  const resolved: ResolvedTls = {
    mode: o.mode ?? "certManager",
    installCertManager: o.installCertManager ?? true,
    certManagerVersion: o.certManagerVersion ?? CERT_MANAGER_CHART.version,
    issuer: { type: issuer.type ?? "selfSigned", kind: issuer.kind ?? "ClusterIssuer", name: issuer.name },
    existingSecretName: o.existingSecretName,
  };
  check.oneOf(`${path}.mode`, resolved.mode, ["certManager", "secret", "disabled"]);
  check.boolean(`${path}.installCertManager`, o.installCertManager);
  check.pattern(
    `${path}.certManagerVersion`,
    resolved.certManagerVersion,
    /^v\d+\.\d+\.\d+$/,
    "a cert-manager chart version such as v1.19.1",
  );
  check.oneOf(`${path}.issuer.type`, resolved.issuer.type, ["selfSigned", "acme", "existing"]);
  check.oneOf(`${path}.issuer.kind`, resolved.issuer.kind, ["Issuer", "ClusterIssuer"]);
  check.rfc1123Subdomain(`${path}.issuer.name`, issuer.name);
  if (resolved.issuer.type === "existing")
    check.required(`${path}.issuer.name`, issuer.name, "the name of your issuer");
  if (resolved.mode === "secret") {
    check.required(
      `${path}.existingSecretName`,
      o.existingSecretName,
      "a Secret with keystore.jks, tls.key and tls.crt",
    );
    check.rfc1123Subdomain(`${path}.existingSecretName`, o.existingSecretName);
  }
  return resolved;
}

/**
 * Platform TLS: installs cert-manager (CRDs included) and creates the issuer the chart's
 * Certificate refers to. The issuer depends on the cert-manager release, whose post-install
 * check waits for the webhook, so it is never submitted to a webhook that is not serving.
 */
export class Tls extends pulumi.ComponentResource {
  /** Issuer kind the chart refers to (empty unless `mode` is `certManager`). */
  public readonly issuerKind: pulumi.Output<string>;
  /** Issuer name the chart refers to (empty unless `mode` is `certManager`). */
  public readonly issuerName: pulumi.Output<string>;

  constructor(name: string, args: TlsArgs, opts?: pulumi.ComponentResourceOptions) {
    const check = new Checker("Tls");
    const tls = resolveTls(check, "tls", args.tls);
    check.throwIfAny();
    super("usage-engine:index:Tls", name, {}, opts);

    if (tls.mode !== "certManager") {
      this.issuerKind = pulumi.output("");
      this.issuerName = pulumi.output("");
      this.registerOutputs({});
      return;
    }
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
            timeout: 600,
            values: { crds: { enabled: true, keep: true } },
          },
          { parent: this },
        )
      : undefined;
    const issuerName = tls.issuer.name ?? `${name}-issuer`;
    if (tls.issuer.type === "existing") {
      this.issuerKind = pulumi.output(tls.issuer.kind);
      this.issuerName = pulumi.output(issuerName);
    } else {
      const issuer = new k8s.apiextensions.CustomResource(
        `${name}-issuer`,
        {
          apiVersion: "cert-manager.io/v1",
          kind: "ClusterIssuer",
          metadata: { name: issuerName, labels: managedLabels() },
          spec: { selfSigned: {} },
        },
        { parent: this, dependsOn: certManager ? [certManager] : [] },
      );
      this.issuerKind = pulumi.output("ClusterIssuer");
      this.issuerName = issuer.metadata.name;
    }
    this.registerOutputs({ issuerKind: this.issuerKind, issuerName: this.issuerName });
  }
}
