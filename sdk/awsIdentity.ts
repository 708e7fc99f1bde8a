import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import { type Tags, withTags } from "./network";
import type { Checker } from "./validation";

/**
 * How an add-on (cert-manager, external-dns) gets AWS credentials for Route 53:
 * `none` uses whatever the pod already has (node role, an annotation you manage);
 * `irsa` creates an IAM role trusted through the cluster's OIDC provider;
 * `podIdentity` creates an IAM role and an EKS Pod Identity association.
 */
export const AwsIdentityMode = { None: "none", Irsa: "irsa", PodIdentity: "podIdentity" } as const;
export type AwsIdentityMode = (typeof AwsIdentityMode)[keyof typeof AwsIdentityMode];

/** The IAM role an add-on uses to change Route 53 records. */
export interface AwsIdentityOptions {
  /** How the add-on's pods get the role. Default: `none`. */
  mode?: AwsIdentityMode;
  /** The cluster's IAM OIDC provider ARN, e.g. `arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC...`. Required for `irsa`. Default: none. */
  oidcProviderArn?: string;
  /** EKS cluster name for the Pod Identity association. Required for `podIdentity`. Default: none. */
  clusterName?: string;
}

export interface ResolvedAwsIdentity {
  mode: AwsIdentityMode;
  oidcProviderArn?: string;
  clusterName?: string;
}

const EKS_CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9\-_]{0,99}$/;

export function resolveAwsIdentity(
  check: Checker,
  path: string,
  options: AwsIdentityOptions | undefined,
): ResolvedAwsIdentity {
  const o = options ?? {};
  check.knownKeys(path, o, ["mode", "oidcProviderArn", "clusterName"]);
  const mode = o.mode ?? "none";
  check.oneOf(`${path}.mode`, mode, ["none", "irsa", "podIdentity"]);
  check.arn(`${path}.oidcProviderArn`, o.oidcProviderArn, "iam", "oidc-provider/");
  check.pattern(
    `${path}.clusterName`,
    o.clusterName,
    EKS_CLUSTER_NAME,
    "an EKS cluster name (letters, digits, '-' and '_', at most 100 characters)",
  );
  if (mode === "irsa")
    check.required(`${path}.oidcProviderArn`, o.oidcProviderArn, "the cluster's IAM OIDC provider ARN");
  if (mode === "podIdentity") check.required(`${path}.clusterName`, o.clusterName, "the EKS cluster name");
  return { mode, oidcProviderArn: o.oidcProviderArn, clusterName: o.clusterName };
}

/** Where a workload's pods run: the role is trusted for exactly this service account. */
export interface ServiceAccountRef {
  namespace: string;
  name: string;
}

/** The role's trust policy: the OIDC provider's web identity for one service account, or EKS Pod Identity. */
export function trustPolicy(identity: ResolvedAwsIdentity, account: ServiceAccountRef): string {
  if (identity.mode === "podIdentity")
    return JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Service: "pods.eks.amazonaws.com" },
          Action: ["sts:AssumeRole", "sts:TagSession"],
        },
      ],
    });
  const arn = identity.oidcProviderArn!;
  const issuer = arn.slice(arn.indexOf(":oidc-provider/") + ":oidc-provider/".length);
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: arn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: {
            [`${issuer}:sub`]: `system:serviceaccount:${account.namespace}:${account.name}`,
            [`${issuer}:aud`]: "sts.amazonaws.com",
          },
        },
      },
    ],
  });
}

export interface WorkloadRoleArgs {
  identity: ResolvedAwsIdentity;
  serviceAccount: ServiceAccountRef;
  /** IAM policy document (JSON) granted to the role. */
  policy: pulumi.Input<string>;
  description: string;
  tags?: Tags;
}

/** An IAM role for one service account, with its inline policy and (Pod Identity) its association. */
export interface WorkloadRole {
  role: aws.iam.Role;
  /** Resources the workload's pods must not start before (Pod Identity injects credentials at pod creation). */
  ready: pulumi.Resource[];
}

/** Creates the role for `irsa`/`podIdentity`; nothing for `none`. */
export function workloadRole(
  name: string,
  args: WorkloadRoleArgs,
  parent: pulumi.Resource,
): WorkloadRole | undefined {
  if (args.identity.mode === "none") return undefined;
  const tags = withTags(args.tags, name);
  const role = new aws.iam.Role(
    name,
    {
      description: args.description,
      assumeRolePolicy: trustPolicy(args.identity, args.serviceAccount),
      tags,
    },
    { parent },
  );
  const policy = new aws.iam.RolePolicy(
    `${name}-route53`,
    { role: role.name, policy: args.policy },
    { parent },
  );
  const ready: pulumi.Resource[] = [role, policy];
  if (args.identity.mode === "podIdentity")
    ready.push(
      new aws.eks.PodIdentityAssociation(
        name,
        {
          clusterName: args.identity.clusterName!,
          namespace: args.serviceAccount.namespace,
          serviceAccount: args.serviceAccount.name,
          roleArn: role.arn,
          tags,
        },
        { parent },
      ),
    );
  return { role, ready };
}

/** Service account annotation that makes EKS inject IRSA credentials. */
export const IRSA_ROLE_ANNOTATION = "eks.amazonaws.com/role-arn";

const HOSTED_ZONE_ID = /^Z[0-9A-Z]{1,31}$/;

/** A Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ (without the `/hostedzone/` prefix). */
export function checkHostedZoneId(check: Checker, path: string, value: unknown): void {
  check.pattern(path, value, HOSTED_ZONE_ID, "a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ");
}
