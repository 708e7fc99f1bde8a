import * as pulumi from "@pulumi/pulumi";
import {
  DESKTOP_CLIENT_PORT,
  type ExposureOptions,
  type ExposureSpec,
  publicLoadBalancerWarning,
  resolveExposure,
  Validated,
} from "./args";
import type { ChartExposure } from "./chart/values";
import { Checker } from "./validation";

/** Annotation cert-manager's ingress-shim reads to issue the ingress certificate. */
export function issuerAnnotation(kind: string): string {
  return kind === "Issuer" ? "cert-manager.io/issuer" : "cert-manager.io/cluster-issuer";
}

/** The platform's TLS as the ingress sees it. */
export type IngressCertificate =
  | {
      source: "certManager";
      /** Picks the annotation key; an Output (another component's issuer) is read once known. */
      issuerKind: pulumi.Input<string>;
      issuerName: pulumi.Input<string>;
      secretName: string;
    }
  | { source: "secret"; secretName: pulumi.Input<string> }
  | { source: "none" };

type ChartIngressAnnotations = NonNullable<ChartExposure["ingress"]>["annotations"];

/** The ingress annotations plus cert-manager's issuer annotation, whose key depends on the issuer kind. */
function withIssuerAnnotation(
  annotations: Record<string, pulumi.Input<string>>,
  certificate: Extract<IngressCertificate, { source: "certManager" }>,
): ChartIngressAnnotations {
  const kind = certificate.issuerKind;
  if (typeof kind === "string") return { ...annotations, [issuerAnnotation(kind)]: certificate.issuerName };
  return pulumi
    .all([kind, certificate.issuerName, annotations])
    .apply(([k, issuerName, given]) => ({ ...given, [issuerAnnotation(k)]: issuerName }));
}

/** The chart's exposure inputs: the platform Service, and the ingress with its certificate. */
export function chartExposure(n: ExposureSpec, certificate: IngressCertificate): ChartExposure {
  const out: ChartExposure = {
    serviceAnnotations: n.serviceAnnotations,
    loadBalancerSourceRanges: n.loadBalancerSourceRanges,
  };
  if (n.ingressControllerServiceName !== undefined)
    out.ingressControllerServiceName = n.ingressControllerServiceName;
  if (!n.ingress) return out;
  let annotations: ChartIngressAnnotations = { ...n.ingress.annotations };
  let tlsSecretName: pulumi.Input<string> | undefined;
  if (n.ingress.tls && certificate.source === "certManager") {
    const userSetIssuer = Object.keys(annotations).some((k) => k.startsWith("cert-manager.io/"));
    if (!userSetIssuer) annotations = withIssuerAnnotation(annotations, certificate);
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

export interface ExposureArgs {
  /** How the platform is reached. */
  exposure?: ExposureOptions;
  /** Whether the platform has a certificate (`tls.mode` is not `disabled`): the ingress then serves HTTPS. Default: true. */
  tlsEnabled?: boolean;
}

/** Exposure's arguments after resolution. */
export interface ExposurePartSpec {
  exposure: ExposureSpec;
}

/** Resolves an Exposure used on its own, through the stack's own exposure resolver. */
export function resolveExposureArgs(args: ExposureArgs): ExposurePartSpec {
  const check = new Checker("Exposure");
  const exposure = resolveExposure(check, "exposure", args.exposure, args.tlsEnabled ?? true);
  check.throwIfAny();
  return { exposure };
}

/**
 * How the platform is reached: the URLs the ingress serves. The platform Service and the ingress
 * themselves are rendered by the UEPE chart from `chartExposure`; the ingress controller and
 * external-dns are cluster-wide (ClusterAddons).
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
    const urls = endpointUrls(spec.exposure);
    this.platformUrl = pulumi.output(urls.platformUrl);
    this.desktopOnlineUrl = pulumi.output(urls.desktopOnlineUrl);
    this.registerOutputs({ platformUrl: this.platformUrl, desktopOnlineUrl: this.desktopOnlineUrl });
  }
}
