import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

/**
 * The UEPE Helm release and how it behaves on install, upgrade and failure. These settings
 * turn the vendor's `helm upgrade --atomic --cleanup-on-fail` into the release's own behaviour:
 * a failed install or upgrade is rolled back by Helm (atomic) and the objects it added are
 * removed (cleanup-on-fail), so `pulumi up` reports the failure and the previous revision keeps
 * running.
 */

/** Release timeout: the platform's first start creates and migrates the system database. */
export const RELEASE_TIMEOUT_SECONDS = 1800;

/** Helm revisions kept per release: enough to inspect a few upgrades back, bounded. */
export const RELEASE_MAX_HISTORY = 10;

/** How every Helm release the package creates installs, upgrades and fails. */
export interface ReleaseSettings {
  /** Roll back to the previous revision when the install or upgrade does not become ready. */
  atomic: true;
  /** Delete objects the failed upgrade created. */
  cleanupOnFail: true;
  /** Wait for the workloads to be ready; atomic needs it to judge success. */
  skipAwait: false;
  timeout: number;
  maxHistory: number;
  createNamespace: boolean;
}

/**
 * The settings of every release the package installs (UEPE and the add-ons): atomic with
 * cleanup, awaited, bounded history. `createNamespace`: whether Helm creates the release's
 * namespace (an add-on's own) or leaves it to the stack (the installation's).
 */
export function releaseSettings(o: { timeoutSeconds: number; createNamespace: boolean }): ReleaseSettings {
  return {
    atomic: true,
    cleanupOnFail: true,
    skipAwait: false,
    timeout: o.timeoutSeconds,
    maxHistory: RELEASE_MAX_HISTORY,
    createNamespace: o.createNamespace,
  };
}

/** The install/upgrade behaviour every UEPE release gets: the namespace is never Helm's. */
export const RELEASE_BEHAVIOUR = releaseSettings({
  timeoutSeconds: RELEASE_TIMEOUT_SECONDS,
  createNamespace: false,
});

/** Where the chart comes from. */
export interface ReleaseChart {
  /** Helm repository URL. */
  repository: string;
  /** Chart name. */
  name: string;
  /** Chart version. */
  version: string;
}

export interface UepeReleaseArgs {
  /** Helm release name. */
  releaseName: string;
  /** Namespace of the release. */
  namespace: pulumi.Input<string>;
  /** Chart source and version. */
  chart: ReleaseChart;
  /** Chart values (secret: they carry the license key). */
  // biome-ignore lint/suspicious/noExplicitAny: chart values are free-form by nature
  values: pulumi.Input<{ [key: string]: any }>;
}

/** The release's arguments: the chart, its values and {@link RELEASE_BEHAVIOUR}. */
export function releaseArgs(args: UepeReleaseArgs): k8s.helm.v3.ReleaseArgs {
  return {
    name: args.releaseName,
    namespace: args.namespace,
    chart: args.chart.name,
    version: args.chart.version,
    repositoryOpts: { repo: args.chart.repository },
    values: args.values,
    ...RELEASE_BEHAVIOUR,
  };
}

/**
 * The `usage-engine-private-edition` Helm release. `opts` carries the parent and what the
 * release waits for (`dependsOn`), e.g. the upgrade's steps before it.
 */
export function uepeRelease(
  name: string,
  args: UepeReleaseArgs,
  opts: pulumi.CustomResourceOptions,
): k8s.helm.v3.Release {
  return new k8s.helm.v3.Release(name, releaseArgs(args), opts);
}
