import type * as pulumi from "@pulumi/pulumi";
import { type Checker, EKS_CLUSTER, OIDC_PROVIDER_ARN } from "../validation";
import { keyList } from "./keys";

/**
 * How a workload gets AWS credentials: an add-on (cert-manager, external-dns) for Route 53, or
 * the upgrade's file-system backup Job for AWS Backup. `none` uses whatever the pod already has
 * (node role, an annotation you manage); `irsa` creates an IAM role trusted through the
 * cluster's OIDC provider; `podIdentity` creates an IAM role and an EKS Pod Identity association.
 */
export const AwsIdentityMode = { None: "none", Irsa: "irsa", PodIdentity: "podIdentity" } as const;
export type AwsIdentityMode = (typeof AwsIdentityMode)[keyof typeof AwsIdentityMode];

/** The IAM role a workload uses: an add-on's for Route 53 records, the upgrade backup Job's for AWS Backup. */
export interface AwsIdentityOptions {
  /** How the workload's pods get the role. `none` leaves the workload with whatever its pods have, usually the node role, whose rights every pod on those nodes shares. Default: `irsa` when `oidcProviderArn` is given, `podIdentity` when `clusterName` is given (and no `oidcProviderArn`), else `none`. */
  mode?: AwsIdentityMode;
  /** The cluster's IAM OIDC provider ARN, e.g. `arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC...`. Required for `irsa`. May be an Output (e.g. of the program's own cluster; checked when known). Default: none. */
  oidcProviderArn?: pulumi.Input<string>;
  /** EKS cluster name for the Pod Identity association. Required for `podIdentity`. May be an Output (checked when known). Default: none. */
  clusterName?: pulumi.Input<string>;
}

/** The identity after resolution: what each mode needs is present. */
export type IdentitySpec =
  | { mode: "none" }
  | { mode: "irsa"; oidcProviderArn: pulumi.Input<string> }
  | { mode: "podIdentity"; clusterName: pulumi.Input<string> };

const IDENTITY_KEYS = keyList<AwsIdentityOptions>({ mode: true, oidcProviderArn: true, clusterName: true });

export function resolveAwsIdentity(
  check: Checker,
  path: string,
  options: AwsIdentityOptions | undefined,
): IdentitySpec {
  const o = options ?? {};
  check.knownKeys(path, o, IDENTITY_KEYS);
  // Giving the cluster's OIDC provider or name says which identity is meant.
  const mode =
    o.mode ??
    (o.oidcProviderArn !== undefined ? "irsa" : o.clusterName !== undefined ? "podIdentity" : "none");
  check.oneOf(`${path}.mode`, mode, ["none", "irsa", "podIdentity"]);
  // Plain values are checked now, Outputs once they resolve (before the role that trusts them).
  const oidcProviderArn = check.input(`${path}.oidcProviderArn`, o.oidcProviderArn, OIDC_PROVIDER_ARN);
  const clusterName = check.input(`${path}.clusterName`, o.clusterName, EKS_CLUSTER);
  if (mode === "irsa") {
    check.required(`${path}.oidcProviderArn`, o.oidcProviderArn, "the cluster's IAM OIDC provider ARN");
    return { mode, oidcProviderArn: oidcProviderArn ?? "" };
  }
  if (mode === "podIdentity") {
    check.required(`${path}.clusterName`, o.clusterName, "the EKS cluster name");
    return { mode, clusterName: clusterName ?? "" };
  }
  return { mode: "none" };
}

const HOSTED_ZONE_ID = /^Z[0-9A-Z]{1,31}$/;

/** A Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ (without the `/hostedzone/` prefix). */
export function checkHostedZoneId(check: Checker, path: string, value: unknown): void {
  check.pattern(path, value, HOSTED_ZONE_ID, "a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ");
}
