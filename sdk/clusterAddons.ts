import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  type AddonChart,
  addonRelease,
  CERT_MANAGER_CHART,
  EFS_CSI_DRIVER_CHART,
  EXTERNAL_DNS_CHART,
  INGRESS_NGINX_CHART,
} from "./addons";
import type { IdentitySpec } from "./args";
import {
  type ClusterAddonsArgs,
  type ClusterAddonsSpec,
  type ExternalDnsSpec,
  INTERNAL_LB_ANNOTATIONS,
  type IngressNginxSpec,
  resolveClusterAddons,
} from "./args/clusterAddons";
import { IRSA_ROLE_ANNOTATION, type WorkloadRole, workloadRole } from "./awsIdentity";
import { deepMerge, type Values } from "./chart/values";
import { certManagerValues, issuerObject, route53Dns01Policy } from "./tls";

export type { ClusterAddonsArgs } from "./args/clusterAddons";

/** The role ARN a chart annotates its service account with: IRSA only (Pod Identity needs no annotation). */
function irsaAnnotation(role: WorkloadRole | undefined, irsa: boolean): pulumi.Input<string> | undefined {
  return irsa ? role?.role.arn : undefined;
}

/** ingress-nginx values: its IngressClass, and the controller's load balancer limited or internal. */
export function ingressNginxValues(spec: IngressNginxSpec): Values {
  const service: Record<string, unknown> = {};
  if (spec.loadBalancerSourceRanges.length > 0)
    service.loadBalancerSourceRanges = spec.loadBalancerSourceRanges;
  if (spec.internal) service.annotations = { ...INTERNAL_LB_ANNOTATIONS };
  return deepMerge({ controller: { ingressClassResource: { name: spec.className }, service } }, spec.values);
}

/** external-dns's Route 53 rights: its record types and names in one hosted zone, and zone discovery. */
export function externalDnsPolicy(
  spec: Pick<ExternalDnsSpec, "hostedZoneId" | "domain" | "recordTypes">,
): string {
  const zone = `arn:aws:route53:::hostedzone/${spec.hostedZoneId}`;
  const types = [...new Set([...spec.recordTypes, "TXT"])];
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: ["route53:ChangeResourceRecordSets"],
        Resource: zone,
        Condition: {
          "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": types },
          "ForAllValues:StringLike": {
            "route53:ChangeResourceRecordSetsNormalizedRecordNames": [spec.domain, `*.${spec.domain}`],
          },
        },
      },
      {
        Effect: "Allow",
        Action: ["route53:ListResourceRecordSets", "route53:ListTagsForResource"],
        Resource: zone,
      },
      // Listing zones has no resource-level permission; external-dns then keeps to --zone-id-filter.
      { Effect: "Allow", Action: ["route53:ListHostedZones"], Resource: "*" },
    ],
  });
}

/**
 * external-dns values for one namespace: AWS provider, one zone and domain, upsert-only (never
 * deletes a record), its own TXT owner, only the record types it needs.
 */
export function externalDnsValues(
  spec: ExternalDnsSpec,
  namespace: string,
  ownerId: string,
  roleArn: pulumi.Input<string> | undefined,
): Values {
  const values: Record<string, unknown> = {
    provider: { name: "aws" },
    policy: "upsert-only",
    registry: "txt",
    txtOwnerId: ownerId,
    domainFilters: [spec.domain],
    sources: ["service", "ingress"],
    extraArgs: [
      `--zone-id-filter=${spec.hostedZoneId}`,
      `--namespace=${namespace}`,
      ...spec.recordTypes.map((type) => `--managed-record-types=${type}`),
    ],
  };
  if (roleArn !== undefined) values.serviceAccount = { annotations: { [IRSA_ROLE_ANNOTATION]: roleArn } };
  return deepMerge(values, spec.values);
}

/**
 * The EFS CSI driver's rights: what AWS's AmazonEFSCSIDriverPolicy grants (access points for
 * dynamic provisioning, tagged as the driver's), plus mounting with IAM authorization.
 */
export function efsCsiDriverPolicy(): string {
  const tag = "aws:RequestTag/efs.csi.aws.com/cluster";
  const owned = "aws:ResourceTag/efs.csi.aws.com/cluster";
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Action: [
          "elasticfilesystem:DescribeAccessPoints",
          "elasticfilesystem:DescribeFileSystems",
          "elasticfilesystem:DescribeMountTargets",
          "ec2:DescribeAvailabilityZones",
        ],
        Resource: "*",
      },
      {
        Effect: "Allow",
        Action: ["elasticfilesystem:CreateAccessPoint"],
        Resource: "*",
        Condition: { StringLike: { [tag]: "true" } },
      },
      {
        Effect: "Allow",
        Action: ["elasticfilesystem:TagResource"],
        Resource: "*",
        Condition: { StringLike: { [owned]: "true" } },
      },
      {
        Effect: "Allow",
        Action: ["elasticfilesystem:DeleteAccessPoint"],
        Resource: "*",
        Condition: { StringEquals: { [owned]: "true" } },
      },
      {
        Effect: "Allow",
        Action: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
        Resource: "*",
      },
    ],
  });
}

/** A workload role per service account an add-on chart runs (one for IRSA's trust, one association each). */
function addonRole(
  name: string,
  chart: AddonChart,
  serviceAccount: string,
  args: { identity: IdentitySpec; policy: string; policyName: string; description: string },
  tags: ClusterAddonsSpec["tags"],
  parent: pulumi.Resource,
): WorkloadRole | undefined {
  return workloadRole(
    name,
    {
      identity: args.identity,
      serviceAccount: { namespace: chart.namespace, name: serviceAccount },
      policy: args.policy,
      policyName: args.policyName,
      description: args.description,
      tags,
    },
    parent,
  );
}

/**
 * Cluster-wide software the installations of one cluster share, installed once: cert-manager
 * (CRDs kept on uninstall) with a ClusterIssuer, and on request ingress-nginx, external-dns and
 * the EFS CSI driver, each with its own IAM role (IRSA or EKS Pod Identity) when it calls AWS.
 * Installations consume `issuerKind`/`issuerName` (`tls.issuer` of type `existing`) and
 * `ingressClassName`.
 */
export class ClusterAddons extends pulumi.ComponentResource {
  /** Kind of the issuer installations use (`ClusterIssuer`); resolves once the issuer exists. */
  public readonly issuerKind: pulumi.Output<string>;
  /** Name of the issuer installations use; resolves once the issuer exists. */
  public readonly issuerName: pulumi.Output<string>;
  /** Whether cert-manager runs with `--issuer-ambient-credentials` (namespaced Issuers may use Route 53 through its identity). */
  public readonly issuerAmbientCredentials: pulumi.Output<boolean>;
  /** IngressClass of the installed ingress-nginx, once its release is deployed (empty when not installed). */
  public readonly ingressClassName: pulumi.Output<string>;
  /** Name of the ingress-nginx controller Service (empty when not installed). */
  public readonly ingressControllerServiceName: pulumi.Output<string>;
  /** Namespace of cert-manager (empty when ClusterAddons does not install it). */
  public readonly certManagerNamespace: pulumi.Output<string>;
  /** Helm release name of cert-manager (empty when not installed). */
  public readonly certManagerReleaseName: pulumi.Output<string>;
  /** Helm release names of external-dns, one per namespace (empty when not installed). */
  public readonly externalDnsReleaseNames: pulumi.Output<string[]>;
  /** ARN of the IAM role cert-manager uses for Route 53 (empty unless one was created). */
  public readonly route53RoleArn: pulumi.Output<string>;
  /** ARN of the IAM role of the EFS CSI driver's controller (its node daemon has a role of its own; empty unless created). */
  public readonly efsCsiDriverRoleArn: pulumi.Output<string>;

  constructor(name: string, args: ClusterAddonsArgs, opts?: pulumi.ComponentResourceOptions) {
    const spec = resolveClusterAddons(args);
    super("usage-engine:index:ClusterAddons", name, {}, opts);

    const ingress = spec.ingressNginx ? this.ingressNginx(name, spec.ingressNginx) : undefined;
    const certManager = this.certManager(name, spec);
    const dns = spec.externalDns ? this.externalDns(name, spec.externalDns, spec) : [];
    const efs = spec.efsCsiDriver ? this.efsCsiDriver(name, spec.efsCsiDriver, spec) : undefined;

    this.issuerKind = certManager.issuer.kind;
    this.issuerName = certManager.issuer.metadata.name;
    this.issuerAmbientCredentials = pulumi.output(spec.certManager?.issuerAmbientCredentials ?? false);
    this.ingressClassName =
      ingress && spec.ingressNginx
        ? ingress.status.apply(() => spec.ingressNginx?.className ?? "")
        : pulumi.output("");
    this.ingressControllerServiceName = pulumi.output(ingress ? INGRESS_NGINX_CHART.controllerService : "");
    this.certManagerNamespace = pulumi.output(certManager.release ? CERT_MANAGER_CHART.namespace : "");
    this.certManagerReleaseName = certManager.release?.name ?? pulumi.output("");
    this.externalDnsReleaseNames = pulumi.all(dns.map((release) => release.name));
    this.route53RoleArn = certManager.roleArn;
    this.efsCsiDriverRoleArn = efs?.role.arn ?? pulumi.output("");
    this.registerOutputs({
      issuerKind: this.issuerKind,
      issuerName: this.issuerName,
      issuerAmbientCredentials: this.issuerAmbientCredentials,
      ingressClassName: this.ingressClassName,
      ingressControllerServiceName: this.ingressControllerServiceName,
      certManagerNamespace: this.certManagerNamespace,
      certManagerReleaseName: this.certManagerReleaseName,
      externalDnsReleaseNames: this.externalDnsReleaseNames,
      route53RoleArn: this.route53RoleArn,
      efsCsiDriverRoleArn: this.efsCsiDriverRoleArn,
    });
  }

  /**
   * cert-manager and the ClusterIssuer. The issuer depends on the release, whose post-install
   * check waits for the webhook, so it is never submitted to a webhook that is not serving.
   */
  private certManager(
    name: string,
    spec: ClusterAddonsSpec,
  ): {
    release?: k8s.helm.v3.Release;
    issuer: k8s.apiextensions.CustomResource;
    roleArn: pulumi.Output<string>;
  } {
    const issuer = spec.issuer;
    const dns01 =
      issuer.type === "acme" && issuer.challenge.type === "route53Dns01" ? issuer.challenge : undefined;
    const role = dns01
      ? addonRole(
          `${name}-cert-manager-route53`,
          CERT_MANAGER_CHART,
          CERT_MANAGER_CHART.serviceAccount,
          {
            identity: dns01.identity,
            policy: route53Dns01Policy(dns01.hostedZoneId),
            policyName: "route53",
            description: "cert-manager: ACME DNS-01 challenges in the installations' hosted zone",
          },
          spec.tags,
          this,
        )
      : undefined;
    const cm = spec.certManager;
    const release = cm
      ? addonRelease(
          `${name}-cert-manager`,
          CERT_MANAGER_CHART,
          cm.version,
          certManagerValues(irsaAnnotation(role, dns01?.identity.mode === "irsa"), cm.values, {
            issuerAmbientCredentials: cm.issuerAmbientCredentials,
          }),
          // Pod Identity credentials are injected when a pod starts: the association comes first.
          { parent: this, dependsOn: role?.ready ?? [] },
        )
      : undefined;
    if (issuer.type === "selfSigned")
      pulumi.log.warn(
        "ClusterAddons issuer.type is selfSigned: browsers and the Desktop client will not trust the certificates it signs; use it for testing only.",
        this,
      );
    const created = new k8s.apiextensions.CustomResource(
      `${name}-issuer`,
      issuerObject({
        issuer,
        name: issuer.name ?? `${name}-issuer`,
        namespace: CERT_MANAGER_CHART.namespace,
        domain: spec.domain,
        route53Region: dns01 ? (dns01.region ?? aws.getRegionOutput({}, { parent: this }).region) : undefined,
      }),
      { parent: this, dependsOn: release ? [release] : [] },
    );
    return { release, issuer: created, roleArn: role?.role.arn ?? pulumi.output("") };
  }

  private ingressNginx(name: string, spec: IngressNginxSpec): k8s.helm.v3.Release {
    if (spec.allowPublic)
      pulumi.log.warn(
        "ClusterAddons ingressNginx.allowPublic is true: the ingress controller's load balancer is internet-facing; limit it with loadBalancerSourceRanges or make it internal unless the platform must be public.",
        this,
      );
    return addonRelease(
      `${name}-ingress-nginx`,
      INGRESS_NGINX_CHART,
      spec.version,
      ingressNginxValues(spec),
      {
        parent: this,
      },
    );
  }

  /** One external-dns per installation namespace (external-dns watches one namespace or all), each with its own role (trusted for its own service account). */
  private externalDns(name: string, dns: ExternalDnsSpec, spec: ClusterAddonsSpec): k8s.helm.v3.Release[] {
    return dns.namespaces.map((namespace) => {
      const releaseName = `${EXTERNAL_DNS_CHART.chart}-${namespace}`;
      const role = addonRole(
        `${name}-external-dns-${namespace}`,
        EXTERNAL_DNS_CHART,
        releaseName,
        {
          identity: dns.identity,
          policy: externalDnsPolicy(dns),
          policyName: "route53",
          description: `external-dns: records of namespace ${namespace} in the installations' hosted zone`,
        },
        spec.tags,
        this,
      );
      return addonRelease(
        `${name}-external-dns-${namespace}`,
        { ...EXTERNAL_DNS_CHART, release: releaseName },
        dns.version,
        externalDnsValues(
          dns,
          namespace,
          `${dns.ownerId ?? name}-${namespace}`,
          irsaAnnotation(role, dns.identity.mode === "irsa"),
        ),
        { parent: this, dependsOn: role?.ready ?? [] },
      );
    });
  }

  private efsCsiDriver(
    name: string,
    efs: NonNullable<ClusterAddonsSpec["efsCsiDriver"]>,
    spec: ClusterAddonsSpec,
  ): WorkloadRole | undefined {
    const roles = [
      EFS_CSI_DRIVER_CHART.controllerServiceAccount,
      EFS_CSI_DRIVER_CHART.nodeServiceAccount,
    ].map((account, i) =>
      addonRole(
        `${name}-efs-csi-${i === 0 ? "controller" : "node"}`,
        EFS_CSI_DRIVER_CHART,
        account,
        {
          identity: efs.identity,
          policy: efsCsiDriverPolicy(),
          policyName: "efs",
          description: `EFS CSI driver (${account}): access points and IAM-authorized mounts`,
        },
        spec.tags,
        this,
      ),
    );
    const annotated = (role: WorkloadRole | undefined) => ({
      serviceAccount: { annotations: { [IRSA_ROLE_ANNOTATION]: role?.role.arn } },
    });
    const values: Values =
      efs.identity.mode === "irsa" ? { controller: annotated(roles[0]), node: annotated(roles[1]) } : {};
    addonRelease(`${name}-efs-csi-driver`, EFS_CSI_DRIVER_CHART, efs.version, deepMerge(values, efs.values), {
      parent: this,
      dependsOn: roles.flatMap((role) => role?.ready ?? []),
    });
    return roles[0];
  }
}
