import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { IdentitySpec, Tags } from "./args";
import { withTags } from "./network";

/** Where a workload's pods run: the role is trusted for exactly this service account. */
export interface ServiceAccountRef {
  namespace: string;
  name: string;
}

/** The account, partition and region the program deploys to, as a service's trust conditions need them. */
export interface DeployTarget {
  account: string;
  partition: string;
  region: string;
}

/** Looks up the account (sts:GetCallerIdentity) and region the AWS provider deploys to. */
export function deployTarget(parent: pulumi.Resource): pulumi.Output<DeployTarget> {
  const identity = aws.getCallerIdentityOutput({}, { parent });
  const region = aws.getRegionOutput({}, { parent }).region;
  return pulumi.all([identity.accountId, identity.arn, region]).apply(([account, arn, home]) => ({
    account,
    partition: arn.split(":")[1] || "aws",
    region: home,
  }));
}

/**
 * A trust policy for an AWS service, limited to acting for this account (`aws:SourceAccount`)
 * and, when the service says on whose behalf it acts, for those resources (`aws:SourceArn`): the
 * confused-deputy guard, so the service cannot be made to use the role for another account.
 */
export function serviceTrustPolicy(
  service: string,
  account: string,
  options: { sourceArn?: string; actions?: string[] } = {},
): string {
  const condition: Record<string, Record<string, string>> = {
    StringEquals: { "aws:SourceAccount": account },
  };
  if (options.sourceArn !== undefined) condition.ArnLike = { "aws:SourceArn": options.sourceArn };
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: service },
        Action: options.actions ?? "sts:AssumeRole",
        Condition: condition,
      },
    ],
  });
}

/** A role's trust: the OIDC provider (its ARN resolved) for IRSA, or EKS Pod Identity. */
export type ResolvedTrust = { mode: "irsa"; oidcProviderArn: string } | { mode: "podIdentity" };

/** The role's trust policy: the OIDC provider's web identity for one service account, or EKS Pod Identity. */
export function trustPolicy(identity: ResolvedTrust, account: ServiceAccountRef, awsAccount: string): string {
  if (identity.mode === "podIdentity")
    return serviceTrustPolicy("pods.eks.amazonaws.com", awsAccount, {
      actions: ["sts:AssumeRole", "sts:TagSession"],
    });
  const arn = identity.oidcProviderArn;
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
  identity: IdentitySpec;
  serviceAccount: ServiceAccountRef;
  /** IAM policy document (JSON) granted to the role. */
  policy: pulumi.Input<string>;
  /** Suffix of the inline policy's resource name. Default: `route53` (the add-ons' DNS access). */
  policyName?: string;
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
  const identity = args.identity;
  if (identity.mode === "none") return undefined;
  const tags = withTags(args.tags, name);
  const role = new aws.iam.Role(
    name,
    {
      description: args.description,
      // The provider ARN may be an Output of the program's own cluster: resolved before it is parsed.
      assumeRolePolicy: pulumi
        .all([deployTarget(parent), identity.mode === "irsa" ? identity.oidcProviderArn : ""])
        .apply(([t, oidcProviderArn]) =>
          trustPolicy(
            identity.mode === "irsa" ? { mode: "irsa", oidcProviderArn } : { mode: "podIdentity" },
            args.serviceAccount,
            t.account,
          ),
        ),
      tags,
    },
    { parent },
  );
  const policy = new aws.iam.RolePolicy(
    `${name}-${args.policyName ?? "route53"}`,
    { role: role.name, policy: args.policy },
    { parent },
  );
  const ready: pulumi.Resource[] = [role, policy];
  if (identity.mode === "podIdentity")
    ready.push(
      new aws.eks.PodIdentityAssociation(
        name,
        {
          clusterName: identity.clusterName,
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
