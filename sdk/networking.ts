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
import { type ChartNetworking, deepMerge } from "./chart";
import type { Tags } from "./network";
import { Checker } from "./validation";

/** Kubernetes Service type of the platform. */
export const ServiceType = {
  NodePort: "NodePort",
  LoadBalancer: "LoadBalancer",
  ClusterIP: "ClusterIP",
} as const;
export type ServiceType = (typeof ServiceType)[keyof typeof ServiceType];

/** An HTTP(S) ingress in front of the platform's web endpoints (REST APIs and Desktop Online). */
export interface IngressOptions {
  /** Create the ingress. Default: false. */
  enabled?: boolean;
  /** Ingress class. Default: `nginx`. */
  className?: string;
  /** Host name of the platform's REST endpoints. Default: `platform.<domain>` (requires `domain`). */
  host?: string;
  /** Host name of Desktop Online. Default: `desktop-online.<domain>` (requires `domain`). */
  desktopOnlineHost?: string;
  /** Annotations on the ingress; a cert-manager issuer annotation is added unless you set one. Default: none. */
  annotations?: { [key: string]: string };
  /** Serve the ingress hosts over HTTPS with the platform's issuer or TLS Secret. Default: true unless `tls.mode` is `disabled`. */
  tls?: boolean;
}

/** A companion Helm chart the package installs when asked: pinned, with your overrides. */
export interface AddonChartOptions {
  /** Chart version. Default: the version pinned by this package. */
  version?: string;
  /** Extra chart values, deep-merged last (you win). Default: none. */
  // biome-ignore lint/suspicious/noExplicitAny: chart values are free-form by nature
  values?: { [key: string]: any };
}

/** external-dns keeps Route 53 records for the ingress hosts (and LoadBalancer Services) up to date. */
export interface ExternalDnsOptions {
  /** Route 53 hosted zone external-dns manages, e.g. `Z0123456789ABCDEFGHIJ`. */
  hostedZoneId: string;
  /** IAM role external-dns uses (created for `irsa` or `podIdentity`). Default: `{ mode: "none" }` (the pod's existing credentials). */
  identity?: AwsIdentityOptions;
  /** Chart version. Default: `1.19.0`. */
  version?: string;
  /** Extra chart values, deep-merged last (you win). Default: none. */
  // biome-ignore lint/suspicious/noExplicitAny: chart values are free-form by nature
  values?: { [key: string]: any };
}

/** How the platform is reached. */
export interface NetworkingOptions {
  /** Service type of the platform; it carries the Desktop client's TCP 6790, which no HTTP ingress can. Default: `NodePort`. */
  serviceType?: ServiceType;
  /** Annotations on the platform Service, e.g. AWS Load Balancer Controller NLB settings. Default: none. */
  serviceAnnotations?: { [key: string]: string };
  /** Client CIDR blocks allowed through the load balancer (`LoadBalancer` only). Default: none (the load balancer's own default). */
  loadBalancerSourceRanges?: string[];
  /** HTTP(S) ingress. Default: none. */
  ingress?: IngressOptions;
  /** DNS domain of the installation, e.g. `uepe.example.com`; flows to the chart, the ingress hosts and the ACME solver. Default: none. */
  domain?: string;
  /** Install the ingress-nginx controller (namespace `ingress-nginx`). Default: false. */
  installIngressNginx?: boolean;
  /** ingress-nginx chart version and values. Default: chart `4.15.1`, its own defaults. */
  ingressNginx?: AddonChartOptions;
  /** Install external-dns for this hosted zone (namespace `external-dns`). Default: not installed. */
  externalDns?: ExternalDnsOptions;
}

export const INGRESS_NGINX_CHART = {
  chart: "ingress-nginx",
  repository: "https://kubernetes.github.io/ingress-nginx",
  version: "4.15.1",
  namespace: "ingress-nginx",
  /** The chart names the controller Service `<release>-controller`. */
  controllerService: "ingress-nginx-controller",
} as const;

export const EXTERNAL_DNS_CHART = {
  chart: "external-dns",
  repository: "https://kubernetes-sigs.github.io/external-dns",
  version: "1.19.0",
  namespace: "external-dns",
  /** The chart names its service account after the release. */
  serviceAccount: "external-dns",
} as const;

/** The platform's Desktop control interface: raw TCP, never through an HTTP ingress. */
export const DESKTOP_CLIENT_PORT = 6790;

export interface ResolvedIngress {
  className: string;
  platformHost: string;
  desktopOnlineHost: string;
  annotations: { [key: string]: string };
  tls: boolean;
}

export interface ResolvedNetworking {
  serviceType: ServiceType;
  serviceAnnotations: { [key: string]: string };
  loadBalancerSourceRanges: string[];
  domain?: string;
  ingress?: ResolvedIngress;
  installIngressNginx: boolean;
  externalDns?: { hostedZoneId: string; identity: ResolvedAwsIdentity };
}

const NETWORKING_KEYS = [
  "serviceType",
  "serviceAnnotations",
  "loadBalancerSourceRanges",
  "ingress",
  "domain",
  "installIngressNginx",
  "ingressNginx",
  "externalDns",
];
const INGRESS_KEYS = ["enabled", "className", "host", "desktopOnlineHost", "annotations", "tls"];
/** Annotation keys: optional DNS-subdomain prefix, then a name of up to 63 characters. */
const ANNOTATION_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const CHART_VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

function checkAnnotations(check: Checker, path: string, annotations: unknown): void {
  if (!check.knownKeys(path, annotations, Object.keys((annotations as object | undefined) ?? {}))) return;
  for (const [key, value] of Object.entries(annotations)) {
    if (!ANNOTATION_KEY.test(key))
      check.fail(
        `${path}.${key}`,
        "is not a valid annotation key",
        "[prefix/]name such as service.beta.kubernetes.io/aws-load-balancer-type",
      );
    check.string(`${path}.${key}`, value, "an annotation value string");
  }
}

function checkAddonChart(check: Checker, path: string, options: AddonChartOptions | undefined): void {
  if (!check.knownKeys(path, options, ["version", "values"])) return;
  check.pattern(`${path}.version`, options.version, CHART_VERSION, "a chart version such as 4.15.1");
  checkValues(check, `${path}.values`, options.values);
}

function checkValues(check: Checker, path: string, values: unknown): void {
  if (values !== undefined && (typeof values !== "object" || values === null || Array.isArray(values)))
    check.fail(path, "is not an object", "a map of chart values");
}

function resolveIngress(
  check: Checker,
  path: string,
  ingress: IngressOptions | undefined,
  domain: string | undefined,
  tlsEnabled: boolean,
): ResolvedIngress | undefined {
  if (ingress === undefined || !check.knownKeys(path, ingress as unknown, INGRESS_KEYS)) return undefined;
  check.boolean(`${path}.enabled`, ingress.enabled);
  check.boolean(`${path}.tls`, ingress.tls);
  check.rfc1123Subdomain(`${path}.className`, ingress.className);
  check.hostname(`${path}.host`, ingress.host);
  check.hostname(`${path}.desktopOnlineHost`, ingress.desktopOnlineHost);
  checkAnnotations(check, `${path}.annotations`, ingress.annotations);
  if (ingress.enabled !== true) return undefined;
  for (const [key, prefix] of [
    ["host", "platform"],
    ["desktopOnlineHost", "desktop-online"],
  ] as const)
    if (ingress[key] === undefined && domain === undefined)
      check.fail(
        `${path}.${key}`,
        "is required when networking.domain is not set",
        `a host name such as ${prefix}.uepe.example.com`,
      );
  if (ingress.tls === true && !tlsEnabled)
    check.fail(
      `${path}.tls`,
      'needs a certificate but tls.mode is "disabled"',
      'tls.mode "certManager" or "secret", or ingress.tls false',
    );
  return {
    className: ingress.className ?? "nginx",
    platformHost: ingress.host ?? `platform.${domain}`,
    desktopOnlineHost: ingress.desktopOnlineHost ?? `desktop-online.${domain}`,
    annotations: ingress.annotations ?? {},
    tls: ingress.tls ?? tlsEnabled,
  };
}

/**
 * Validates the networking block and applies defaults. `tlsEnabled` is whether the platform has a
 * certificate (tls.mode is not `disabled`): it decides whether the ingress serves HTTPS.
 */
export function resolveNetworking(
  check: Checker,
  path: string,
  networking: NetworkingOptions | undefined,
  tlsEnabled = true,
): ResolvedNetworking {
  const n = networking ?? {};
  check.knownKeys(path, n, NETWORKING_KEYS);
  const serviceType = n.serviceType ?? "NodePort";
  check.oneOf(`${path}.serviceType`, serviceType, ["NodePort", "LoadBalancer", "ClusterIP"]);
  check.hostname(`${path}.domain`, n.domain);
  checkAnnotations(check, `${path}.serviceAnnotations`, n.serviceAnnotations);
  if (check.list(`${path}.loadBalancerSourceRanges`, n.loadBalancerSourceRanges)) {
    n.loadBalancerSourceRanges.forEach((cidr, i) => {
      check.cidr(`${path}.loadBalancerSourceRanges[${i}]`, cidr);
    });
    if (serviceType !== "LoadBalancer" && n.loadBalancerSourceRanges.length > 0)
      check.fail(
        `${path}.loadBalancerSourceRanges`,
        `only applies to serviceType "LoadBalancer" (is "${serviceType}")`,
        'serviceType "LoadBalancer" or no source ranges',
      );
  }
  check.boolean(`${path}.installIngressNginx`, n.installIngressNginx);
  checkAddonChart(check, `${path}.ingressNginx`, n.ingressNginx);
  if (n.ingressNginx !== undefined && n.installIngressNginx !== true)
    check.fail(
      `${path}.ingressNginx`,
      "is set but installIngressNginx is not true",
      "installIngressNginx: true",
    );
  let externalDns: ResolvedNetworking["externalDns"];
  if (
    check.knownKeys(`${path}.externalDns`, n.externalDns, ["hostedZoneId", "identity", "version", "values"])
  ) {
    const e = n.externalDns;
    check.required(
      `${path}.externalDns.hostedZoneId`,
      e.hostedZoneId,
      "the Route 53 hosted zone id of your domain",
    );
    checkHostedZoneId(check, `${path}.externalDns.hostedZoneId`, e.hostedZoneId);
    check.pattern(`${path}.externalDns.version`, e.version, CHART_VERSION, "a chart version such as 1.19.0");
    checkValues(check, `${path}.externalDns.values`, e.values);
    externalDns = {
      hostedZoneId: e.hostedZoneId,
      identity: resolveAwsIdentity(check, `${path}.externalDns.identity`, e.identity),
    };
  }
  return {
    serviceType,
    serviceAnnotations: n.serviceAnnotations ?? {},
    loadBalancerSourceRanges: n.loadBalancerSourceRanges ?? [],
    domain: n.domain,
    ingress: resolveIngress(check, `${path}.ingress`, n.ingress, n.domain, tlsEnabled),
    installIngressNginx: n.installIngressNginx ?? false,
    externalDns,
  };
}

/** Checks the networking block (for callers that only validate). */
export function checkNetworking(
  check: Checker,
  path: string,
  networking: NetworkingOptions | undefined,
  tlsEnabled = true,
): void {
  resolveNetworking(check, path, networking, tlsEnabled);
}

/** Annotation cert-manager's ingress-shim reads to issue the ingress certificate. */
export function issuerAnnotation(kind: string): string {
  return kind === "Issuer" ? "cert-manager.io/issuer" : "cert-manager.io/cluster-issuer";
}

/** The platform's TLS as the ingress sees it. */
export type IngressCertificate =
  | {
      source: "certManager";
      issuerKind: pulumi.Input<string>;
      issuerName: pulumi.Input<string>;
      secretName: string;
    }
  | { source: "secret"; secretName: pulumi.Input<string> }
  | { source: "none" };

/** The chart's networking inputs: Service exposure, and the ingress with its certificate. */
export function chartNetworking(
  n: ResolvedNetworking,
  certificate: IngressCertificate,
  issuerKind?: string,
): ChartNetworking {
  const out: ChartNetworking = {
    serviceAnnotations: n.serviceAnnotations,
    loadBalancerSourceRanges: n.loadBalancerSourceRanges,
  };
  if (n.installIngressNginx) out.ingressControllerServiceName = INGRESS_NGINX_CHART.controllerService;
  if (!n.ingress) return out;
  const annotations: Record<string, pulumi.Input<string>> = { ...n.ingress.annotations };
  let tlsSecretName: pulumi.Input<string> | undefined;
  if (n.ingress.tls && certificate.source === "certManager") {
    const key = issuerAnnotation(issuerKind ?? "ClusterIssuer");
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
export function endpointUrls(n: ResolvedNetworking): { platformUrl: string; desktopOnlineUrl: string } {
  if (!n.ingress) return { platformUrl: "", desktopOnlineUrl: "" };
  const scheme = n.ingress.tls ? "https" : "http";
  return {
    platformUrl: `${scheme}://${n.ingress.platformHost}`,
    desktopOnlineUrl: `${scheme}://${n.ingress.desktopOnlineHost}`,
  };
}

/** Why the Desktop client may be unreachable with these settings, if it is. */
export function desktopClientWarning(n: ResolvedNetworking): string | undefined {
  if (n.serviceType !== "ClusterIP") return undefined;
  return `networking.serviceType is ClusterIP: the Desktop client's TCP ${DESKTOP_CLIENT_PORT} is reachable only inside the cluster${
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
  // biome-ignore lint/suspicious/noExplicitAny: chart values are free-form by nature
  userValues: { [key: string]: any } | undefined,
): Record<string, unknown> {
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
  return deepMerge(values, userValues ?? {});
}

export interface AddonsArgs {
  networking: ResolvedNetworking;
  options: NetworkingOptions | undefined;
  /** Identifies this installation's records in the zone (external-dns TXT owner). */
  ownerId: string;
  tags?: Tags;
}

function addonRelease(
  name: string,
  chart: { chart: string; repository: string; namespace: string },
  version: string,
  values: pulumi.Input<Record<string, unknown>>,
  opts: pulumi.CustomResourceOptions,
): k8s.helm.v3.Release {
  return new k8s.helm.v3.Release(
    name,
    {
      name: chart.chart,
      chart: chart.chart,
      version,
      repositoryOpts: { repo: chart.repository },
      namespace: chart.namespace,
      createNamespace: true,
      atomic: true,
      cleanupOnFail: true,
      skipAwait: false,
      timeout: 600,
      values,
    },
    opts,
  );
}

/** The optional companions: ingress-nginx and external-dns (with its Route 53 role), as Helm releases. */
export function installAddons(
  name: string,
  args: AddonsArgs,
  parent: pulumi.Resource,
): k8s.helm.v3.Release[] {
  const n = args.networking;
  const releases: k8s.helm.v3.Release[] = [];
  if (n.installIngressNginx) {
    const className = n.ingress?.className ?? "nginx";
    releases.push(
      addonRelease(
        `${name}-ingress-nginx`,
        INGRESS_NGINX_CHART,
        args.options?.ingressNginx?.version ?? INGRESS_NGINX_CHART.version,
        deepMerge(
          { controller: { ingressClassResource: { name: className } } },
          args.options?.ingressNginx?.values ?? {},
        ),
        { parent },
      ),
    );
  }
  if (n.externalDns) {
    const role = workloadRole(
      `${name}-external-dns`,
      {
        identity: n.externalDns.identity,
        serviceAccount: { namespace: EXTERNAL_DNS_CHART.namespace, name: EXTERNAL_DNS_CHART.serviceAccount },
        policy: externalDnsPolicy(n.externalDns.hostedZoneId),
        description: "external-dns: records of the UEPE hosted zone",
        tags: args.tags,
      },
      parent,
    );
    const e = args.options?.externalDns;
    releases.push(
      addonRelease(
        `${name}-external-dns`,
        EXTERNAL_DNS_CHART,
        e?.version ?? EXTERNAL_DNS_CHART.version,
        externalDnsValues(
          n.externalDns.hostedZoneId,
          n.domain,
          args.ownerId,
          n.externalDns.identity.mode === "irsa" ? role?.role.arn : undefined,
          e?.values,
        ),
        { parent, dependsOn: role?.ready ?? [] },
      ),
    );
  }
  return releases;
}

export interface NetworkingArgs {
  /** Networking settings. */
  networking?: NetworkingOptions;
  /** Whether the platform has a certificate (`tls.mode` is not `disabled`): the ingress then serves HTTPS. Default: true. */
  tlsEnabled?: boolean;
  /** Identifies this installation's records in the hosted zone (external-dns TXT owner id). Default: the component name. */
  ownerId?: string;
  /** Tags on the AWS resources (external-dns role). Default: none beyond `managed-by`. */
  tags?: Tags;
}

/**
 * How the platform is reached: the optional ingress-nginx and external-dns releases (external-dns
 * with its Route 53 role), and the URLs the ingress serves. The platform Service and the ingress
 * themselves are rendered by the UEPE chart from `chartNetworking`.
 */
export class Networking extends pulumi.ComponentResource {
  /** URL of the platform's REST endpoints (empty without an ingress: the Service address is assigned by the cluster). */
  public readonly platformUrl: pulumi.Output<string>;
  /** URL of Desktop Online (empty without an ingress). */
  public readonly desktopOnlineUrl: pulumi.Output<string>;

  constructor(name: string, args: NetworkingArgs, opts?: pulumi.ComponentResourceOptions) {
    const check = new Checker("Networking");
    const n = resolveNetworking(check, "networking", args.networking, args.tlsEnabled ?? true);
    check.rfc1123Subdomain("ownerId", args.ownerId);
    check.throwIfAny();
    super("usage-engine:index:Networking", name, {}, opts);

    const warning = desktopClientWarning(n);
    if (warning) pulumi.log.warn(warning, this);
    installAddons(
      name,
      { networking: n, options: args.networking, ownerId: args.ownerId ?? name, tags: args.tags },
      this,
    );
    const urls = endpointUrls(n);
    this.platformUrl = pulumi.output(urls.platformUrl);
    this.desktopOnlineUrl = pulumi.output(urls.desktopOnlineUrl);
    this.registerOutputs({ platformUrl: this.platformUrl, desktopOnlineUrl: this.desktopOnlineUrl });
  }
}
