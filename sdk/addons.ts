import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { releaseSettings } from "./release";

/**
 * The companion charts the package can install, pinned. Bump a pin in its own change, after
 * reading the chart's release notes, and keep it overridable (`certManagerVersion`,
 * `ingressNginx.version`, `externalDns.version`).
 */
export interface AddonChart {
  chart: string;
  repository: string;
  version: string;
  namespace: string;
}

export const CERT_MANAGER_CHART = {
  chart: "cert-manager",
  repository: "https://charts.jetstack.io",
  version: "v1.19.1",
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
      name: chart.chart,
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
