import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CERT_MANAGER_CHART } from "./addons";
import {
  checkIssuerReference,
  type IssuerSpec,
  resolveTls,
  type Tags,
  type TlsOptions,
  type TlsSpec,
  Validated,
} from "./args";
import { IRSA_ROLE_ANNOTATION, workloadRole } from "./awsIdentity";
import { TLS_SECRET_KEYS } from "./chart/contract";
import { deepMerge, type Values } from "./chart/values";
import { managedLabels } from "./kubernetes";
import { Checker } from "./validation";

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

/** Tls's arguments after resolution. */
export interface TlsPartSpec {
  tls: TlsSpec;
  namespace: pulumi.Input<string>;
  domain?: string;
  ingressClassName?: string;
  tags: Tags;
}

/** Resolves a Tls used on its own, through the stack's own TLS resolver. */
export function resolveTlsArgs(args: TlsArgs): TlsPartSpec {
  const check = new Checker("Tls");
  const tls = resolveTls(check, "tls", args.tls);
  check.hostname("domain", args.domain);
  check.rfc1123Subdomain("ingressClassName", args.ingressClassName);
  check.throwIfAny();
  return {
    tls,
    namespace: args.namespace,
    domain: args.domain,
    ingressClassName: args.ingressClassName,
    tags: args.tags ?? {},
  };
}

/**
 * cert-manager chart values: CRDs installed and kept, the Route 53 role on its service account
 * (IRSA), and `--issuer-ambient-credentials` when namespaced Issuers may use that role.
 */
export function certManagerValues(
  roleArn: pulumi.Input<string> | undefined,
  userValues: Values,
  options: { issuerAmbientCredentials?: boolean } = {},
): Values {
  const values: Values = { crds: { enabled: true, keep: true } };
  if (roleArn !== undefined) values.serviceAccount = { annotations: { [IRSA_ROLE_ANNOTATION]: roleArn } };
  if (options.issuerAmbientCredentials) values.extraArgs = ["--issuer-ambient-credentials"];
  return deepMerge(values, userValues);
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
  issuer: Exclude<IssuerSpec, { type: "existing" }>;
  name: string;
  namespace: pulumi.Input<string>;
  domain?: string;
  ingressClassName?: string;
  /** Region for the Route 53 solver (DNS-01 only). */
  route53Region?: pulumi.Input<string>;
}

/** The ACME solver: HTTP-01 through an ingress, or DNS-01 through Route 53; limited to the domain. */
function acmeSolver(
  i: IssuerObjectInputs,
  issuer: Extract<IssuerSpec, { type: "acme" }>,
): Record<string, unknown> {
  const solver: Record<string, unknown> =
    issuer.challenge.type === "route53Dns01"
      ? { dns01: { route53: { region: i.route53Region, hostedZoneID: issuer.challenge.hostedZoneId } } }
      : {
          http01: {
            ingress: { ingressClassName: issuer.challenge.ingressClass ?? i.ingressClassName ?? "nginx" },
          },
        };
  if (i.domain) solver.selector = { dnsZones: [i.domain] };
  return solver;
}

/** The Issuer/ClusterIssuer object for `selfSigned` and `acme` issuers. */
export function issuerObject(i: IssuerObjectInputs): k8s.apiextensions.CustomResourceArgs {
  const metadata: Record<string, unknown> = { name: i.name, labels: managedLabels() };
  if (i.issuer.kind === "Issuer") metadata.namespace = i.namespace;
  if (i.issuer.type === "selfSigned")
    return { apiVersion: "cert-manager.io/v1", kind: i.issuer.kind, metadata, spec: { selfSigned: {} } };
  return {
    apiVersion: "cert-manager.io/v1",
    kind: i.issuer.kind,
    metadata,
    spec: {
      acme: {
        email: i.issuer.email,
        server: i.issuer.server,
        privateKeySecretRef: { name: `${i.name}-account-key` },
        solvers: [acmeSolver(i, i.issuer)],
      },
    },
  };
}

type CertManagerTls = Extract<TlsSpec, { mode: "certManager" }>;

/**
 * An issuer reference whose kind or name may be Outputs: checked once known (a bad value fails
 * the deployment before the release that consumes it), with the plan-time checks' wording.
 */
export function checkedIssuerReference(
  path: string,
  kind: pulumi.Input<string>,
  name: pulumi.Input<string>,
): { kind: pulumi.Output<string>; name: pulumi.Output<string> } {
  const checked = pulumi.all([kind, name]).apply(([k, n]) => {
    const check = new Checker("Tls");
    check.required(`${path}.name`, n, "the name of your issuer");
    checkIssuerReference(check, path, k, n);
    check.throwIfAny();
    return { kind: k, name: n };
  });
  return { kind: checked.kind, name: checked.name };
}

/**
 * Platform TLS. `certManager`: creates the issuer the chart's Certificate refers to, or refers to
 * an existing one (ClusterAddons' ClusterIssuer); cert-manager must already run in the cluster
 * (ClusterAddons installs it once per cluster, webhook ready before its issuer).
 * `secret`: uses or creates the Secret with keystore.jks, tls.key and tls.crt.
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

  constructor(name: string, args: TlsArgs | Validated<TlsPartSpec>, opts?: pulumi.ComponentResourceOptions) {
    const spec = args instanceof Validated ? args.spec : resolveTlsArgs(args);
    super("usage-engine:index:Tls", name, {}, opts);

    const tls = spec.tls;
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
      this.secretName = this.tlsSecret(name, tls.secret, spec.namespace);
    } else {
      const issuer = this.certManager(name, tls, spec);
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

  private tlsSecret(
    name: string,
    source: Extract<TlsSpec, { mode: "secret" }>["secret"],
    namespace: pulumi.Input<string>,
  ): pulumi.Output<string> {
    if (source.source === "existing") return pulumi.output(source.name);
    const secret = new k8s.core.v1.Secret(
      `${name}-secret`,
      {
        metadata: { name: source.name, namespace, labels: managedLabels() },
        type: "Opaque",
        data: { [TLS_SECRET_KEYS.keystore]: pulumi.secret(source.keystoreJks) },
        stringData: {
          [TLS_SECRET_KEYS.key]: pulumi.secret(source.tlsKey),
          [TLS_SECRET_KEYS.certificate]: pulumi.secret(source.tlsCrt),
        },
      },
      { parent: this },
    );
    return secret.metadata.name;
  }

  private certManager(
    name: string,
    tls: CertManagerTls,
    spec: TlsPartSpec,
  ): { kind: pulumi.Output<string>; name: pulumi.Output<string>; roleArn: pulumi.Output<string> } {
    const issuer = tls.issuer;
    if (issuer.type === "existing")
      return {
        ...checkedIssuerReference("tls.issuer", issuer.kind, issuer.name),
        roleArn: pulumi.output(""),
      };
    const dns01 =
      issuer.type === "acme" && issuer.challenge.type === "route53Dns01" ? issuer.challenge : undefined;
    const role = dns01
      ? workloadRole(
          `${name}-cert-manager-route53`,
          {
            identity: dns01.identity,
            serviceAccount: {
              namespace: CERT_MANAGER_CHART.namespace,
              name: CERT_MANAGER_CHART.serviceAccount,
            },
            policy: route53Dns01Policy(dns01.hostedZoneId),
            description: "cert-manager: ACME DNS-01 challenges in the UEPE hosted zone",
            tags: spec.tags,
          },
          this,
        )
      : undefined;
    if (role && dns01?.identity.mode === "irsa")
      pulumi.log.warn(
        `cert-manager is not installed by this component: annotate its service account with ${IRSA_ROLE_ANNOTATION}=<route53RoleArn> so it can use the created role (or use ClusterAddons' ClusterIssuer, whose role it sets).`,
        this,
      );
    const roleArn = role?.role.arn ?? pulumi.output("");
    if (issuer.type === "selfSigned")
      pulumi.log.warn(
        "tls.issuer.type is selfSigned: browsers and the Desktop client will not trust the certificate; use it for testing only.",
        this,
      );
    const object = issuerObject({
      issuer,
      name: issuer.name ?? `${name}-issuer`,
      namespace: spec.namespace,
      domain: spec.domain,
      ingressClassName: spec.ingressClassName,
      route53Region: dns01 ? (dns01.region ?? aws.getRegionOutput({}, { parent: this }).region) : undefined,
    });
    // Pod Identity credentials reach cert-manager's pods only once the association exists.
    const created = new k8s.apiextensions.CustomResource(`${name}-issuer`, object, {
      parent: this,
      dependsOn: role?.ready ?? [],
    });
    return { kind: pulumi.output(issuer.kind), name: created.metadata.name, roleArn };
  }
}
