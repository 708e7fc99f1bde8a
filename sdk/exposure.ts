import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { addonRelease, EXTERNAL_DNS_CHART, INGRESS_NGINX_CHART } from "./addons";
import {
  DESKTOP_CLIENT_PORT,
  type ExposureOptions,
  type ExposureSpec,
  publicLoadBalancerWarning,
  resolveExposure,
  type Tags,
  Validated,
} from "./args";
import { IRSA_ROLE_ANNOTATION, workloadRole } from "./awsIdentity";
import { type ChartExposure, deepMerge, type Values } from "./chart/values";
import { Checker } from "./validation";

/** Annotation cert-manager's ingress-shim reads to issue the ingress certificate. */
export function issuerAnnotation(kind: string): string {
  return kind === "Issuer" ? "cert-manager.io/issuer" : "cert-manager.io/cluster-issuer";
}

/** The platform's TLS as the ingress sees it. */
export type IngressCertificate =
  | {
      source: "certManager";
      /** Known when the program runs: it picks the annotation key. */
      issuerKind: string;
      issuerName: pulumi.Input<string>;
      secretName: string;
    }
  | { source: "secret"; secretName: pulumi.Input<string> }
  | { source: "none" };

/** The chart's exposure inputs: the platform Service, and the ingress with its certificate. */
export function chartExposure(n: ExposureSpec, certificate: IngressCertificate): ChartExposure {
  const out: ChartExposure = {
    serviceAnnotations: n.serviceAnnotations,
    loadBalancerSourceRanges: n.loadBalancerSourceRanges,
  };
  if (n.ingressNginx) out.ingressControllerServiceName = INGRESS_NGINX_CHART.controllerService;
  if (!n.ingress) return out;
  const annotations: Record<string, pulumi.Input<string>> = { ...n.ingress.annotations };
  let tlsSecretName: pulumi.Input<string> | undefined;
  if (n.ingress.tls && certificate.source === "certManager") {
    const key = issuerAnnotation(certificate.issuerKind);
    const userSetIssuer = Object.keys(annotations).some((k) => k.startsWith("cert-manager.io/"));
    if (!userSetIssuer) annotations[key] = certificate.issuerName;
    tlsSecretName = certificate.secretName;
  } else if (n.ingress.tls && certificate.source === "secret") {
    tlsSecretName = certificate.secretName;
  }
  out.ingress = {
    className: n.ingress.className,
    annotations,
    tlsSecretName,
    platformHost: n.ingress.platformHost,
    desktopOnlineHost: n.ingress.desktopOnlineHost,
  };
  return out;
}

/** URLs a user opens, when the package knows the host names (ingress); empty otherwise. */
export function endpointUrls(n: ExposureSpec): { platformUrl: string; desktopOnlineUrl: string } {
  if (!n.ingress) return { platformUrl: "", desktopOnlineUrl: "" };
  const scheme = n.ingress.tls ? "https" : "http";
  return {
    platformUrl: `${scheme}://${n.ingress.platformHost}`,
    desktopOnlineUrl: `${scheme}://${n.ingress.desktopOnlineHost}`,
  };
}

/** Why the Desktop client may be unreachable with these settings, if it is. */
export function desktopClientWarning(n: ExposureSpec): string | undefined {
  if (n.serviceType !== "ClusterIP") return undefined;
  return `exposure.serviceType is ClusterIP: the Desktop client's TCP ${DESKTOP_CLIENT_PORT} is reachable only inside the cluster${
    n.ingress ? " (an HTTP ingress cannot carry it)" : ""
  }; use NodePort or LoadBalancer to connect Desktop clients.`;
}

/** external-dns's Route 53 permissions: records of one hosted zone, and zone discovery. */
export function externalDnsPolicy(hostedZoneId: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: ["route53:ChangeResourceRecordSets"],
        Resource: `arn:aws:route53:::hostedzone/${hostedZoneId}`,
      },
      {
        Effect: "Allow",
        Action: ["route53:ListHostedZones", "route53:ListResourceRecordSets", "route53:ListTagsForResource"],
        Resource: "*",
      },
    ],
  });
}

/** external-dns values: AWS provider, one hosted zone, upsert-only (never deletes records it did not create). */
export function externalDnsValues(
  hostedZoneId: string,
  domain: string | undefined,
  ownerId: string,
  roleArn: pulumi.Input<string> | undefined,
  userValues: Values,
): Values {
  const values: Record<string, unknown> = {
    provider: { name: "aws" },
    policy: "upsert-only",
    registry: "txt",
    txtOwnerId: ownerId,
    sources: ["service", "ingress"],
    extraArgs: [`--zone-id-filter=${hostedZoneId}`],
  };
  if (domain) values.domainFilters = [domain];
  if (roleArn !== undefined) values.serviceAccount = { annotations: { [IRSA_ROLE_ANNOTATION]: roleArn } };
  return deepMerge(values, userValues);
}

export interface AddonsArgs {
  exposure: ExposureSpec;
  /** Identifies this installation's records in the zone (external-dns TXT owner). */
  ownerId: string;
  tags: Tags;
}

/** The optional companions: ingress-nginx and external-dns (with its Route 53 role), as Helm releases. */
export function installAddons(
  name: string,
  args: AddonsArgs,
  parent: pulumi.Resource,
): k8s.helm.v3.Release[] {
  const n = args.exposure;
  const releases: k8s.helm.v3.Release[] = [];
  if (n.ingressNginx) {
    const className = n.ingress?.className ?? "nginx";
    releases.push(
      addonRelease(
        `${name}-ingress-nginx`,
        INGRESS_NGINX_CHART,
        n.ingressNginx.version,
        deepMerge({ controller: { ingressClassResource: { name: className } } }, n.ingressNginx.values),
        { parent },
      ),
    );
  }
  const dns = n.externalDns;
  if (dns) {
    const role = workloadRole(
      `${name}-external-dns`,
      {
        identity: dns.identity,
        serviceAccount: { namespace: EXTERNAL_DNS_CHART.namespace, name: EXTERNAL_DNS_CHART.serviceAccount },
        policy: externalDnsPolicy(dns.hostedZoneId),
        description: "external-dns: records of the UEPE hosted zone",
        tags: args.tags,
      },
      parent,
    );
    releases.push(
      addonRelease(
        `${name}-external-dns`,
        EXTERNAL_DNS_CHART,
        dns.version,
        externalDnsValues(
          dns.hostedZoneId,
          n.domain,
          args.ownerId,
          dns.identity.mode === "irsa" ? role?.role.arn : undefined,
          dns.values,
        ),
        { parent, dependsOn: role?.ready ?? [] },
      ),
    );
  }
  return releases;
}

export interface ExposureArgs {
  /** How the platform is reached. */
  exposure?: ExposureOptions;
  /** Whether the platform has a certificate (`tls.mode` is not `disabled`): the ingress then serves HTTPS. Default: true. */
  tlsEnabled?: boolean;
  /** Identifies this installation's records in the hosted zone (external-dns TXT owner id). Default: the component name. */
  ownerId?: string;
  /** Tags on the AWS resources (external-dns role). Default: none beyond `managed-by`. */
  tags?: Tags;
}

/** Exposure's arguments after resolution; `ownerId` undefined: the component name. */
export interface ExposurePartSpec {
  exposure: ExposureSpec;
  ownerId?: string;
  tags: Tags;
}

/** Resolves an Exposure used on its own, through the stack's own exposure resolver. */
export function resolveExposureArgs(args: ExposureArgs): ExposurePartSpec {
  const check = new Checker("Exposure");
  const exposure = resolveExposure(check, "exposure", args.exposure, args.tlsEnabled ?? true);
  check.rfc1123Subdomain("ownerId", args.ownerId);
  check.throwIfAny();
  return { exposure, ownerId: args.ownerId, tags: args.tags ?? {} };
}

/**
 * How the platform is reached: the optional ingress-nginx and external-dns releases (external-dns
 * with its Route 53 role), and the URLs the ingress serves. The platform Service and the ingress
 * themselves are rendered by the UEPE chart from `chartExposure`.
 */
export class Exposure extends pulumi.ComponentResource {
  /** URL of the platform's REST endpoints (empty without an ingress: the Service address is assigned by the cluster). */
  public readonly platformUrl: pulumi.Output<string>;
  /** URL of Desktop Online (empty without an ingress). */
  public readonly desktopOnlineUrl: pulumi.Output<string>;

  constructor(
    name: string,
    args: ExposureArgs | Validated<ExposurePartSpec>,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    const spec = args instanceof Validated ? args.spec : resolveExposureArgs(args);
    super("usage-engine:index:Exposure", name, {}, opts);

    for (const warning of [desktopClientWarning(spec.exposure), publicLoadBalancerWarning(spec.exposure)])
      if (warning) pulumi.log.warn(warning, this);
    installAddons(name, { exposure: spec.exposure, ownerId: spec.ownerId ?? name, tags: spec.tags }, this);
    const urls = endpointUrls(spec.exposure);
    this.platformUrl = pulumi.output(urls.platformUrl);
    this.desktopOnlineUrl = pulumi.output(urls.desktopOnlineUrl);
    this.registerOutputs({ platformUrl: this.platformUrl, desktopOnlineUrl: this.desktopOnlineUrl });
  }
}
