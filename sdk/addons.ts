import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
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
      values,
      ...releaseSettings({ timeoutSeconds: ADDON_TIMEOUT_SECONDS, createNamespace: true }),
    },
    opts,
  );
}
