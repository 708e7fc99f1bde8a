import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { releaseSettings } from "./release";

/**
 * The cluster add-ons ClusterAddons installs, each pinned to one chart version and overridable
 * (`certManager.version`, `ingressNginx.version`, `externalDns.version`, `efsCsiDriver.version`).
 *
 * Bump policy: a pin stays on a release line its project still supports. cert-manager supports
 * each minor until the second minor after it ships (1.21 until 1.23): move to the newest patch of
 * the newest supported minor at least once per cert-manager minor release, and at once for a
 * security patch. Bump one add-on per change, after reading its release notes and upgrade guide
 * (CRD and values changes), and say in CHANGELOG.md what a user's cluster gets.
 */
export interface AddonChart {
  chart: string;
  /** Helm release name. Default: the chart name. */
  release?: string;
  repository: string;
  version: string;
  namespace: string;
}

export const CERT_MANAGER_CHART = {
  chart: "cert-manager",
  repository: "https://charts.jetstack.io",
  version: "v1.21.2",
  namespace: "cert-manager",
  /** The chart names its controller's service account after the release. */
  serviceAccount: "cert-manager",
} as const satisfies AddonChart & { serviceAccount: string };

export const INGRESS_NGINX_CHART = {
  chart: "ingress-nginx",
  repository: "https://kubernetes.github.io/ingress-nginx",
  version: "4.15.1",
  namespace: "ingress-nginx",
  /** The chart names the controller Service `<release>-controller`. */
  controllerService: "ingress-nginx-controller",
} as const satisfies AddonChart & { controllerService: string };

export const EXTERNAL_DNS_CHART = {
  chart: "external-dns",
  repository: "https://kubernetes-sigs.github.io/external-dns",
  version: "1.19.0",
  namespace: "external-dns",
  /** The chart names its service account after the release. */
  serviceAccount: "external-dns",
} as const satisfies AddonChart & { serviceAccount: string };

export const EFS_CSI_DRIVER_CHART = {
  chart: "aws-efs-csi-driver",
  repository: "https://kubernetes-sigs.github.io/aws-efs-csi-driver",
  version: "4.4.1",
  /** Where AWS's installation guide puts the driver, next to the other storage drivers. */
  namespace: "kube-system",
  /** The chart's service accounts: the controller (access points) and the node daemon (mounts). */
  controllerServiceAccount: "efs-csi-controller-sa",
  nodeServiceAccount: "efs-csi-node-sa",
} as const satisfies AddonChart & { controllerServiceAccount: string; nodeServiceAccount: string };

/** An add-on's own chart is small and starts in minutes; ten leaves room for image pulls. */
export const ADDON_TIMEOUT_SECONDS = 600;

/** Chart value keys that name a credential (a password, token, secret or private key). */
const CREDENTIAL_KEY = /password|passwd|secret|token|credential|private.?key|api.?key/i;

/** Whether chart values name a credential anywhere (by key; secret Outputs keep their own mark). */
export function namesCredential(values: unknown): boolean {
  if (Array.isArray(values)) return values.some(namesCredential);
  if (typeof values !== "object" || values === null || pulumi.Output.isInstance(values)) return false;
  return Object.entries(values).some(([key, value]) => CREDENTIAL_KEY.test(key) || namesCredential(value));
}

/**
 * An add-on's values as one Output: secret when a leaf is a secret Output (the Output carries that
 * mark to the whole map, and the release's stored values with it) or a key names a credential.
 */
export function addonValues(
  values: pulumi.Input<Record<string, unknown>>,
): pulumi.Output<Record<string, unknown>> {
  const output = pulumi.output(values).apply((v): Record<string, unknown> => v);
  return namesCredential(values) ? pulumi.secret(output).apply((v): Record<string, unknown> => v) : output;
}

/** An add-on release in its own namespace (created with it), named after its chart. */
export function addonRelease(
  name: string,
  chart: AddonChart,
  version: string,
  values: pulumi.Input<Record<string, unknown>>,
  opts: pulumi.CustomResourceOptions,
): k8s.helm.v3.Release {
  return new k8s.helm.v3.Release(
    name,
    {
      name: chart.release ?? chart.chart,
      chart: chart.chart,
      version,
      repositoryOpts: { repo: chart.repository },
      namespace: chart.namespace,
      values: addonValues(values),
      ...releaseSettings({ timeoutSeconds: ADDON_TIMEOUT_SECONDS, createNamespace: true }),
    },
    opts,
  );
}
