import type * as pulumi from "@pulumi/pulumi";
import { CERT_MANAGER_CHART, EFS_CSI_DRIVER_CHART, EXTERNAL_DNS_CHART, INGRESS_NGINX_CHART } from "../addons";
import { valueAt } from "../chart/contract";
import type { Values } from "../chart/values";
import { Checker } from "../validation";
import { LB_INTERNAL_ANNOTATION, LB_SCHEME_ANNOTATION } from "./exposure";
import {
  type AwsIdentityOptions,
  checkHostedZoneId,
  type IdentitySpec,
  resolveAwsIdentity,
} from "./identity";
import { keyList } from "./keys";
import { checkTags, type Tags } from "./network";
import { type AcmeChallenge, type IssuerSpec, resolveIssuer } from "./tls";

/** The ClusterIssuer ClusterAddons creates. */
export const ClusterIssuerType = { SelfSigned: "selfSigned", Acme: "acme" } as const;
export type ClusterIssuerType = (typeof ClusterIssuerType)[keyof typeof ClusterIssuerType];

/** The cluster's identity providers; each add-on's AWS identity defaults from them. */
export interface ClusterIdentityOptions {
  /** The cluster's IAM OIDC provider ARN: add-on identities default to `irsa` with it. May be an Output. Default: none. */
  oidcProviderArn?: pulumi.Input<string>;
  /** EKS cluster name: add-on identities default to `podIdentity` with it (when no `oidcProviderArn`). May be an Output. Default: none. */
  name?: pulumi.Input<string>;
}

/** cert-manager, installed cluster-wide with its CRDs. */
export interface CertManagerOptions {
  /** Install cert-manager; false when the cluster already runs it (the ClusterIssuer is still created). Default: true. */
  enabled?: boolean;
  /** cert-manager chart version. Default: `v1.21.2`. */
  version?: string;
  /** Extra cert-manager chart values, deep-merged last (you win). Default: none. */
  // biome-ignore lint/suspicious/noExplicitAny: chart values are free-form by nature
  values?: { [key: string]: any };
  /** Start cert-manager with `--issuer-ambient-credentials`, so namespaced `Issuer`s (not only ClusterIssuers) may use the pods' AWS credentials (IRSA, Pod Identity, node role) for Route 53 DNS-01. Any namespace's Issuer then gets cert-manager's Route 53 rights. Default: false. */
  issuerAmbientCredentials?: boolean;
}

/** The ClusterIssuer every installation of the cluster can use. */
export interface ClusterIssuerOptions {
  /** `selfSigned` (testing only: browsers and the Desktop client will not trust it) or `acme`. Default: `selfSigned`. */
  type?: ClusterIssuerType;
  /** ClusterIssuer name. Default: `<component name>-issuer`. */
  name?: string;
  /** Account e-mail registered with the ACME server (expiry notices go there). Required for `acme`. Default: none. */
  acmeEmail?: string;
  /** ACME directory URL (e.g. Let's Encrypt staging while testing). Default: `https://acme-v02.api.letsencrypt.org/directory`. */
  acmeServer?: string;
  /** ACME challenge: `http01` through an ingress, or `route53Dns01` through a Route 53 hosted zone. Default: `route53Dns01` when `route53HostedZoneId` is set, else `http01`. */
  acmeChallenge?: AcmeChallenge;
  /** Ingress class that serves HTTP-01 challenges. Default: `ingressNginx.className` when ingress-nginx is installed, else `nginx`. */
  http01IngressClass?: string;
  /** Route 53 hosted zone id for DNS-01, e.g. `Z0123456789ABCDEFGHIJ`. Required for `route53Dns01`. Default: none. */
  route53HostedZoneId?: string;
  /** AWS region cert-manager's Route 53 client uses. Default: the AWS provider's region. */
  route53Region?: string;
  /** IAM role cert-manager uses for Route 53 (created for `irsa` or `podIdentity`). Default: from `cluster` (`irsa` with its OIDC provider, `podIdentity` with its name), else `none` (the node role). */
  route53Identity?: AwsIdentityOptions;
}

/** The ingress-nginx controller. Its Service is an AWS load balancer: open to the internet unless limited. */
export interface IngressNginxOptions {
  /** Install ingress-nginx (namespace `ingress-nginx`). Default: false. */
  enabled?: boolean;
  /** IngressClass the controller serves. Default: `nginx`. */
  className?: string;
  /** Client CIDR blocks the controller's load balancer admits. Default: none. */
  loadBalancerSourceRanges?: string[];
  /** An internal load balancer (reachable only from the VPC and what is peered with it). Default: false. */
  internal?: boolean;
  /** Accept an internet-facing load balancer open to every address; logged as a warning on every run. Default: false. */
  allowPublic?: boolean;
  /** ingress-nginx chart version. Default: `4.15.1`. */
  version?: string;
  /** Extra chart values, deep-merged last (you win). Default: none. */
  // biome-ignore lint/suspicious/noExplicitAny: chart values are free-form by nature
  values?: { [key: string]: any };
}

/** external-dns, keeping Route 53 records of the installations' ingresses and Services. */
export interface ClusterExternalDnsOptions {
  /** Route 53 hosted zone of `domain`, e.g. `Z0123456789ABCDEFGHIJ`. */
  hostedZoneId: string;
  /** Namespaces of the installations whose ingresses and Services get records; one external-dns each. Default: `["uepe"]`. */
  namespaces?: string[];
  /** TXT owner id marking the records this external-dns manages (per namespace: `<ownerId>-<namespace>`). Default: the component name. */
  ownerId?: string;
  /** Record types external-dns manages (its TXT registry records are always allowed). Default: `["A", "AAAA", "CNAME"]`. */
  recordTypes?: string[];
  /** IAM role external-dns uses (created for `irsa` or `podIdentity`). Default: from `cluster`, else `none` (the node role). */
  identity?: AwsIdentityOptions;
  /** external-dns chart version. Default: `1.19.0`. */
  version?: string;
  /** Extra chart values, deep-merged last (you win). Default: none. */
  // biome-ignore lint/suspicious/noExplicitAny: chart values are free-form by nature
  values?: { [key: string]: any };
}

/** The Amazon EFS CSI driver, from its Helm chart (namespace `kube-system`). */
export interface EfsCsiDriverOptions {
  /** Install the driver. Leave false when the cluster already has it (e.g. as an EKS add-on). Default: false. */
  enabled?: boolean;
  /** IAM role of the driver's controller and node service accounts (created for `irsa` or `podIdentity`). Default: from `cluster`, else `none` (the node role). */
  identity?: AwsIdentityOptions;
  /** aws-efs-csi-driver chart version. Default: `4.4.1`. */
  version?: string;
  /** Extra chart values, deep-merged last (you win). Default: none. */
  // biome-ignore lint/suspicious/noExplicitAny: chart values are free-form by nature
  values?: { [key: string]: any };
}

export interface ClusterAddonsArgs {
  /** The cluster's OIDC provider and name, from which add-on identities default. Default: none. */
  cluster?: ClusterIdentityOptions;
  /** DNS domain of the installations, e.g. `uepe.example.com`: the ACME solver and external-dns are limited to it. Required with `externalDns`. Default: none. */
  domain?: string;
  /** cert-manager. Default: installed, pinned, CRDs kept on uninstall. */
  certManager?: CertManagerOptions;
  /** The ClusterIssuer installations use. Default: self-signed (testing only). */
  issuer?: ClusterIssuerOptions;
  /** The ingress-nginx controller. Default: not installed. */
  ingressNginx?: IngressNginxOptions;
  /** external-dns for one hosted zone. Default: not installed. */
  externalDns?: ClusterExternalDnsOptions;
  /** The Amazon EFS CSI driver. Default: not installed. */
  efsCsiDriver?: EfsCsiDriverOptions;
  /** Tags on the AWS resources (the add-ons' IAM roles). Default: none beyond `managed-by`. */
  tags?: Tags;
}

/** A chart to install: its version and values, defaults applied. */
export interface AddonChartSpec {
  version: string;
  values: Values;
}

export interface IngressNginxSpec extends AddonChartSpec {
  className: string;
  loadBalancerSourceRanges: string[];
  internal: boolean;
  /** An open internet-facing load balancer, accepted on request (warned about on every run). */
  allowPublic: boolean;
}

export interface ExternalDnsSpec extends AddonChartSpec {
  hostedZoneId: string;
  domain: string;
  namespaces: string[];
  ownerId?: string;
  recordTypes: string[];
  identity: IdentitySpec;
}

/** ClusterAddons after resolution: present blocks are installed. */
export interface ClusterAddonsSpec {
  domain?: string;
  certManager?: AddonChartSpec & { issuerAmbientCredentials: boolean };
  issuer: Exclude<IssuerSpec, { type: "existing" }>;
  ingressNginx?: IngressNginxSpec;
  externalDns?: ExternalDnsSpec;
  efsCsiDriver?: AddonChartSpec & { identity: IdentitySpec };
  tags: Tags;
}

const ARGS_KEYS = keyList<ClusterAddonsArgs>({
  cluster: true,
  domain: true,
  certManager: true,
  issuer: true,
  ingressNginx: true,
  externalDns: true,
  efsCsiDriver: true,
  tags: true,
});
const CLUSTER_KEYS = keyList<ClusterIdentityOptions>({ oidcProviderArn: true, name: true });
const CERT_MANAGER_KEYS = keyList<CertManagerOptions>({
  enabled: true,
  version: true,
  values: true,
  issuerAmbientCredentials: true,
});
const ISSUER_KEYS = keyList<ClusterIssuerOptions>({
  type: true,
  name: true,
  acmeEmail: true,
  acmeServer: true,
  acmeChallenge: true,
  http01IngressClass: true,
  route53HostedZoneId: true,
  route53Region: true,
  route53Identity: true,
});
const INGRESS_NGINX_KEYS = keyList<IngressNginxOptions>({
  enabled: true,
  className: true,
  loadBalancerSourceRanges: true,
  internal: true,
  allowPublic: true,
  version: true,
  values: true,
});
const EXTERNAL_DNS_KEYS = keyList<ClusterExternalDnsOptions>({
  hostedZoneId: true,
  namespaces: true,
  ownerId: true,
  recordTypes: true,
  identity: true,
  version: true,
  values: true,
});
const EFS_KEYS = keyList<EfsCsiDriverOptions>({ enabled: true, identity: true, version: true, values: true });
const CHART_VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;
/** Record types external-dns can manage in Route 53 (its `--managed-record-types`). */
const RECORD_TYPES = ["A", "AAAA", "CNAME", "NS", "MX", "SRV", "TXT"] as const;

/** Annotations that make the AWS load balancer of a Service internal (AWS LB controller, in-tree). */
export const INTERNAL_LB_ANNOTATIONS: Readonly<Record<string, string>> = {
  [LB_SCHEME_ANNOTATION]: "internal",
  [LB_INTERNAL_ANNOTATION]: "true",
};

/** An identity with the cluster's providers filled in where the add-on's own block has none. */
function identityOptions(
  cluster: ClusterIdentityOptions | undefined,
  own: AwsIdentityOptions | undefined,
): AwsIdentityOptions | undefined {
  if (cluster?.oidcProviderArn === undefined && cluster?.name === undefined) return own;
  const merged: AwsIdentityOptions = { ...own };
  // An explicit mode or provider of the add-on wins; only what it leaves out comes from the cluster.
  if (merged.mode === undefined && merged.oidcProviderArn === undefined && merged.clusterName === undefined) {
    merged.oidcProviderArn = cluster.oidcProviderArn;
    merged.clusterName = cluster.oidcProviderArn === undefined ? cluster.name : undefined;
  }
  if (merged.mode === "irsa") merged.oidcProviderArn ??= cluster.oidcProviderArn;
  if (merged.mode === "podIdentity") merged.clusterName ??= cluster.name;
  for (const key of ["oidcProviderArn", "clusterName"] as const)
    if (merged[key] === undefined) delete merged[key];
  return merged;
}

function checkChart(
  check: Checker,
  path: string,
  o: { version?: string; values?: unknown },
  example: string,
): void {
  check.pattern(`${path}.version`, o.version, CHART_VERSION, `a chart version such as ${example}`);
  check.map(`${path}.values`, o.values, "a map of chart values");
}

function resolveCertManager(
  check: Checker,
  path: string,
  o: CertManagerOptions,
): ClusterAddonsSpec["certManager"] {
  check.knownKeys(path, o, CERT_MANAGER_KEYS);
  check.boolean(`${path}.enabled`, o.enabled);
  check.boolean(`${path}.issuerAmbientCredentials`, o.issuerAmbientCredentials);
  checkChart(check, path, o, CERT_MANAGER_CHART.version);
  if (o.enabled === false) {
    for (const key of ["version", "values", "issuerAmbientCredentials"] as const)
      if (o[key] !== undefined)
        check.fail(
          `${path}.${key}`,
          "only applies when ClusterAddons installs cert-manager",
          "enabled: true, or leave it out",
        );
    return undefined;
  }
  return {
    version: o.version ?? CERT_MANAGER_CHART.version,
    values: o.values ?? {},
    issuerAmbientCredentials: o.issuerAmbientCredentials ?? false,
  };
}

function resolveClusterIssuer(
  check: Checker,
  path: string,
  o: ClusterIssuerOptions,
  cluster: ClusterIdentityOptions | undefined,
): ClusterAddonsSpec["issuer"] {
  check.knownKeys(path, o, ISSUER_KEYS);
  check.oneOf(`${path}.type`, o.type ?? "selfSigned", ["selfSigned", "acme"]);
  const usesRoute53 =
    o.type === "acme" &&
    (o.acmeChallenge === "route53Dns01" ||
      (o.acmeChallenge === undefined && o.route53HostedZoneId !== undefined));
  const issuer = resolveIssuer(
    check,
    path,
    {
      ...o,
      type: o.type === "acme" ? "acme" : "selfSigned",
      kind: "ClusterIssuer",
      route53Identity: usesRoute53 ? identityOptions(cluster, o.route53Identity) : o.route53Identity,
    },
    true,
  );
  return issuer.type === "existing" ? { type: "selfSigned", kind: "ClusterIssuer" } : issuer;
}

function resolveIngressNginx(
  check: Checker,
  path: string,
  o: IngressNginxOptions,
): IngressNginxSpec | undefined {
  check.knownKeys(path, o, INGRESS_NGINX_KEYS);
  for (const key of ["enabled", "internal", "allowPublic"] as const) check.boolean(`${path}.${key}`, o[key]);
  check.rfc1123Subdomain(`${path}.className`, o.className);
  check.cidrs(`${path}.loadBalancerSourceRanges`, o.loadBalancerSourceRanges);
  checkChart(check, path, o, INGRESS_NGINX_CHART.version);
  if (o.enabled !== true) {
    const given = Object.keys(o).filter((key) => key !== "enabled");
    if (given.length > 0)
      check.fail(`${path}.${given[0]}`, "is set but ingressNginx.enabled is not true", "enabled: true");
    return undefined;
  }
  const spec: IngressNginxSpec = {
    className: o.className ?? "nginx",
    loadBalancerSourceRanges: o.loadBalancerSourceRanges ?? [],
    internal: o.internal ?? false,
    allowPublic: o.allowPublic ?? false,
    version: o.version ?? INGRESS_NGINX_CHART.version,
    values: o.values ?? {},
  };
  checkControllerService(check, path, spec);
  return spec;
}

/**
 * The controller's Service is the chart's `LoadBalancer` unless the values say otherwise, and an
 * AWS load balancer is internet-facing and open to 0.0.0.0/0 by default: refused unless it is
 * limited (source ranges), internal, or accepted as public on purpose. The chart's own values
 * count too, so a user who set them there is not asked twice.
 */
function checkControllerService(check: Checker, path: string, spec: IngressNginxSpec): void {
  const type = valueAt(spec.values, "controller.service.type") ?? "LoadBalancer";
  if (type !== "LoadBalancer") return;
  const ranges = valueAt(spec.values, "controller.service.loadBalancerSourceRanges");
  const annotations = valueAt(spec.values, "controller.service.annotations");
  const internalByValues =
    typeof annotations === "object" &&
    annotations !== null &&
    Object.entries(INTERNAL_LB_ANNOTATIONS).some(([key, value]) => Reflect.get(annotations, key) === value);
  const limited = spec.loadBalancerSourceRanges.length > 0 || (Array.isArray(ranges) && ranges.length > 0);
  if (limited || spec.internal || internalByValues || spec.allowPublic) return;
  check.fail(
    path,
    "would install the controller behind an internet-facing load balancer open to every address (the chart's default Service)",
    "loadBalancerSourceRanges (the client CIDR blocks), internal: true (an internal load balancer), or allowPublic: true to accept a public one",
  );
}

function resolveExternalDns(
  check: Checker,
  path: string,
  o: ClusterExternalDnsOptions,
  domain: string | undefined,
  cluster: ClusterIdentityOptions | undefined,
): ExternalDnsSpec {
  check.knownKeys(path, o, EXTERNAL_DNS_KEYS);
  check.required(`${path}.hostedZoneId`, o.hostedZoneId, "the Route 53 hosted zone id of your domain");
  checkHostedZoneId(check, `${path}.hostedZoneId`, o.hostedZoneId);
  check.required(
    "domain",
    domain,
    "the DNS domain external-dns may change records in, e.g. uepe.example.com",
  );
  if (check.list(`${path}.namespaces`, o.namespaces, 1))
    o.namespaces.forEach((ns, i) => {
      check.rfc1123Label(`${path}.namespaces[${i}]`, ns);
    });
  check.rfc1123Label(`${path}.ownerId`, o.ownerId);
  if (check.list(`${path}.recordTypes`, o.recordTypes, 1))
    o.recordTypes.forEach((type, i) => {
      check.oneOf(`${path}.recordTypes[${i}]`, type, RECORD_TYPES);
    });
  checkChart(check, path, o, EXTERNAL_DNS_CHART.version);
  return {
    hostedZoneId: o.hostedZoneId,
    domain: domain ?? "",
    namespaces: o.namespaces ?? ["uepe"],
    ownerId: o.ownerId,
    recordTypes: o.recordTypes ?? ["A", "AAAA", "CNAME"],
    identity: resolveAwsIdentity(check, `${path}.identity`, identityOptions(cluster, o.identity)),
    version: o.version ?? EXTERNAL_DNS_CHART.version,
    values: o.values ?? {},
  };
}

function resolveEfsCsiDriver(
  check: Checker,
  path: string,
  o: EfsCsiDriverOptions,
  cluster: ClusterIdentityOptions | undefined,
): ClusterAddonsSpec["efsCsiDriver"] {
  check.knownKeys(path, o, EFS_KEYS);
  check.boolean(`${path}.enabled`, o.enabled);
  checkChart(check, path, o, EFS_CSI_DRIVER_CHART.version);
  const identity = resolveAwsIdentity(check, `${path}.identity`, identityOptions(cluster, o.identity));
  if (o.enabled !== true) return undefined;
  return { identity, version: o.version ?? EFS_CSI_DRIVER_CHART.version, values: o.values ?? {} };
}

/** Validates ClusterAddons' arguments and applies defaults; throws one error listing all problems. */
export function resolveClusterAddons(args: ClusterAddonsArgs): ClusterAddonsSpec {
  const check = new Checker("ClusterAddons");
  const a: ClusterAddonsArgs = args ?? {};
  // Checked as an unknown value so that the key check does not narrow the typed arguments.
  const given: unknown = a;
  if (!check.knownKeys("", given, ARGS_KEYS)) check.throwIfAny();
  if (check.knownKeys("cluster", a.cluster, CLUSTER_KEYS)) {
    check.arn("cluster.oidcProviderArn", a.cluster.oidcProviderArn, "iam", "oidc-provider/");
    check.eksClusterName("cluster.name", a.cluster.name);
  }
  check.hostname("domain", a.domain);
  checkTags(check, "tags", a.tags);
  const ingressNginx = resolveIngressNginx(check, "ingressNginx", a.ingressNginx ?? {});
  const issuerOptions: ClusterIssuerOptions = { ...a.issuer };
  if (ingressNginx && issuerOptions.http01IngressClass === undefined)
    issuerOptions.http01IngressClass = ingressNginx.className;
  const spec: ClusterAddonsSpec = {
    domain: a.domain,
    certManager: resolveCertManager(check, "certManager", a.certManager ?? {}),
    issuer: resolveClusterIssuer(check, "issuer", issuerOptions, a.cluster),
    ingressNginx,
    externalDns:
      a.externalDns === undefined
        ? undefined
        : resolveExternalDns(check, "externalDns", a.externalDns, a.domain, a.cluster),
    efsCsiDriver: resolveEfsCsiDriver(check, "efsCsiDriver", a.efsCsiDriver ?? {}, a.cluster),
    tags: a.tags ?? {},
  };
  check.throwIfAny();
  return spec;
}
