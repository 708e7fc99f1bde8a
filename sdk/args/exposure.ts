import type * as pulumi from "@pulumi/pulumi";
import type { Checker } from "../validation";
import { keyList, refuseMovedToClusterAddons } from "./keys";

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

/** How the platform is reached. */
export interface ExposureOptions {
  /** Service type of the platform; it carries the Desktop client's TCP 6790, which no HTTP ingress can. Default: `NodePort`. */
  serviceType?: ServiceType;
  /** Annotations on the platform Service, e.g. AWS Load Balancer Controller NLB settings. Default: none. */
  serviceAnnotations?: { [key: string]: string };
  /**
   * Client CIDR blocks allowed through the load balancer (`LoadBalancer` only). A `LoadBalancer`
   * needs them, an internal scheme annotation, or `allowPublic`. Default: none.
   */
  loadBalancerSourceRanges?: string[];
  /**
   * Accept a `LoadBalancer` open to the whole internet (no source ranges, not internal); every run
   * warns about it. Default: false.
   */
  allowPublic?: boolean;
  /** HTTP(S) ingress. Default: none. */
  ingress?: IngressOptions;
  /** DNS domain of the installation, e.g. `uepe.example.com`; flows to the chart, the ingress hosts and the ACME solver. Default: none. */
  domain?: string;
  /** Name of the ingress controller's Service the platform points at, e.g. ClusterAddons' `ingressControllerServiceName`. Default: none. */
  ingressControllerServiceName?: pulumi.Input<string>;
}

/** The platform's Desktop control interface: raw TCP, never through an HTTP ingress. */
export const DESKTOP_CLIENT_PORT = 6790;

export interface ResolvedIngress {
  className: string;
  platformHost: string;
  desktopOnlineHost: string;
  annotations: { [key: string]: string };
  tls: boolean;
}

/** How the platform is reached, after resolution. */
export interface ExposureSpec {
  serviceType: ServiceType;
  serviceAnnotations: { [key: string]: string };
  loadBalancerSourceRanges: string[];
  /** An internet-facing LoadBalancer open to every address, accepted on purpose. */
  allowPublic: boolean;
  domain?: string;
  ingress?: ResolvedIngress;
  ingressControllerServiceName?: pulumi.Input<string>;
}

const EXPOSURE_KEYS = keyList<ExposureOptions>({
  serviceType: true,
  serviceAnnotations: true,
  loadBalancerSourceRanges: true,
  allowPublic: true,
  ingress: true,
  domain: true,
  ingressControllerServiceName: true,
});
/** Arguments that installed cluster-wide add-ons from each installation (see ClusterAddons). */
const MOVED_TO_CLUSTER_ADDONS: Readonly<Record<string, string>> = {
  installIngressNginx: "ClusterAddons ingressNginx.enabled",
  ingressNginx: "ClusterAddons ingressNginx",
  externalDns: "ClusterAddons externalDns (and domain)",
};
const INGRESS_KEYS = keyList<IngressOptions>({
  enabled: true,
  className: true,
  host: true,
  desktopOnlineHost: true,
  annotations: true,
  tls: true,
});
/** Annotation keys: optional DNS-subdomain prefix, then a name of up to 63 characters. */
const ANNOTATION_KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

function isMap(value: unknown): value is object {
  return typeof value === "object" && value !== null;
}

function checkAnnotations(check: Checker, path: string, annotations: unknown): void {
  // Any key is allowed: knownKeys here only checks that it is a map.
  if (!check.knownKeys(path, annotations, isMap(annotations) ? Object.keys(annotations) : [])) return;
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

function resolveIngress(
  check: Checker,
  path: string,
  ingress: IngressOptions | undefined,
  domain: string | undefined,
  tlsEnabled: boolean,
): ResolvedIngress | undefined {
  // Checked as an unknown value so that the key check does not narrow the typed options.
  const given: unknown = ingress;
  if (ingress === undefined || !check.knownKeys(path, given, INGRESS_KEYS)) return undefined;
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
        "is required when exposure.domain is not set",
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
 * Validates the exposure block and applies defaults. `tlsEnabled` is whether the platform has a
 * certificate (tls.mode is not `disabled`): it decides whether the ingress serves HTTPS.
 */
export function resolveExposure(
  check: Checker,
  path: string,
  exposure: ExposureOptions | undefined,
  tlsEnabled = true,
): ExposureSpec {
  const n = exposure ?? {};
  const moved = refuseMovedToClusterAddons(check, path, n, MOVED_TO_CLUSTER_ADDONS);
  check.knownKeys(path, n, [...EXPOSURE_KEYS, ...moved]);
  const serviceType = n.serviceType ?? "NodePort";
  check.oneOf(`${path}.serviceType`, serviceType, ["NodePort", "LoadBalancer", "ClusterIP"]);
  check.hostname(`${path}.domain`, n.domain);
  checkAnnotations(check, `${path}.serviceAnnotations`, n.serviceAnnotations);
  if (check.cidrs(`${path}.loadBalancerSourceRanges`, n.loadBalancerSourceRanges)) {
    if (serviceType !== "LoadBalancer" && n.loadBalancerSourceRanges.length > 0)
      check.fail(
        `${path}.loadBalancerSourceRanges`,
        `only applies to serviceType "LoadBalancer" (is "${serviceType}")`,
        'serviceType "LoadBalancer" or no source ranges',
      );
  }
  check.rfc1123Subdomain(`${path}.ingressControllerServiceName`, n.ingressControllerServiceName);
  check.boolean(`${path}.allowPublic`, n.allowPublic);
  checkOpenLoadBalancer(check, path, n, serviceType);
  return {
    serviceType,
    serviceAnnotations: n.serviceAnnotations ?? {},
    loadBalancerSourceRanges: n.loadBalancerSourceRanges ?? [],
    allowPublic: n.allowPublic === true,
    domain: n.domain,
    ingress: resolveIngress(check, `${path}.ingress`, n.ingress, n.domain, tlsEnabled),
    ingressControllerServiceName: n.ingressControllerServiceName,
  };
}

/** The AWS Load Balancer Controller's scheme annotation, and the legacy in-tree controller's. */
export const LB_SCHEME_ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-scheme";
export const LB_INTERNAL_ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-internal";

/** Whether these Service annotations ask AWS for an internal (VPC-only) load balancer. */
export function isInternalLoadBalancer(annotations: { [key: string]: string } | undefined): boolean {
  const a = annotations ?? {};
  return (
    a[LB_SCHEME_ANNOTATION] === "internal" || ["true", "0.0.0.0/0"].includes(a[LB_INTERNAL_ANNOTATION] ?? "")
  );
}

/**
 * A LoadBalancer Service with no source ranges and no internal scheme is reachable by the whole
 * internet (both AWS controllers default to internet-facing, 0.0.0.0/0): it must be asked for.
 */
function checkOpenLoadBalancer(check: Checker, path: string, n: ExposureOptions, serviceType: string): void {
  if (serviceType !== "LoadBalancer" || n.allowPublic === true) return;
  if ((n.loadBalancerSourceRanges ?? []).length > 0 || isInternalLoadBalancer(n.serviceAnnotations)) return;
  check.fail(
    `${path}.serviceType`,
    '"LoadBalancer" without source ranges or an internal scheme opens the platform to the whole internet',
    `${path}.loadBalancerSourceRanges (client CIDRs), an internal load balancer (serviceAnnotations "${LB_SCHEME_ANNOTATION}": "internal", or the legacy "${LB_INTERNAL_ANNOTATION}": "true"), or ${path}.allowPublic: true`,
  );
}

/** The warning an accepted public LoadBalancer gives on every run. */
export function publicLoadBalancerWarning(n: ExposureSpec): string | undefined {
  if (n.serviceType !== "LoadBalancer" || !n.allowPublic) return undefined;
  if (n.loadBalancerSourceRanges.length > 0 || isInternalLoadBalancer(n.serviceAnnotations)) return undefined;
  return "exposure.allowPublic is true: the platform's LoadBalancer accepts connections from any address on the internet; set exposure.loadBalancerSourceRanges or an internal scheme to close it.";
}
