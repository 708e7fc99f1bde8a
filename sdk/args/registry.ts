import type * as pulumi from "@pulumi/pulumi";
import { DIGITALROUTE_ECR_REGION, DIGITALROUTE_IMAGE_NAME, digitalrouteRegistry } from "../chart/contract";
import { isKubernetesCron, longestCronGapHours } from "../cron";
import { ACCESS_KEY_ID, type Checker, nonBlank, SECRET_ACCESS_KEY } from "../validation";
import { keyList } from "./keys";

/** Where the UEPE images are pulled from. */
export const RegistrySource = { Digitalroute: "digitalroute", Mirror: "mirror" } as const;
export type RegistrySource = (typeof RegistrySource)[keyof typeof RegistrySource];

/** Registry access for the UEPE images. */
export interface RegistryOptions {
  /**
   * `digitalroute` pulls from DigitalRoute's ECR with the access keys DigitalRoute issued (a
   * refresher keeps the pull secret valid); `mirror` pulls from your own registry.
   * Default: `digitalroute`.
   */
  source?: RegistrySource;
  /** DigitalRoute-issued AWS access key id (kept secret). Required for `digitalroute`. Default: none. */
  accessKeyId?: pulumi.Input<string>;
  /** DigitalRoute-issued AWS secret access key (kept secret). Required for `digitalroute`. Default: none. */
  secretAccessKey?: pulumi.Input<string>;
  /** Region of DigitalRoute's ECR (`digitalroute` only). Default: `eu-west-1`. */
  region?: string;
  /**
   * Name of the image pull secret in the release namespace. With a `mirror` and no
   * `username`/`password`, the name of a pull secret you created yourself.
   * Default: `ecr-cred` (`digitalroute`, or `mirror` with credentials); none otherwise.
   */
  pullSecretName?: string;
  /**
   * Five-field cron schedule (UTC) of the pull secret refresher (`digitalroute` only). ECR
   * tokens expire after 12 hours, so the schedule must run at least every 11 hours.
   * Default: `0 *\/8 * * *`.
   */
  refreshSchedule?: string;
  /**
   * Image repository of your mirror, without tag, e.g.
   * `123456789012.dkr.ecr.eu-west-1.amazonaws.com/usage-engine-private-edition`; the four UEPE
   * tags (`<version>`, `-ec`, `-operator`, `-ui`) keep their names. Required for `mirror`. Default: none.
   */
  repository?: string;
  /**
   * Registry host (and port) the mirror's pull secret is for (`mirror` with `username`/`password`).
   * Default: the host part of `repository`.
   */
  server?: string;
  /** User of the mirror's pull secret (kept secret). Default: none (nodes pull with their IAM role). */
  username?: pulumi.Input<string>;
  /** Password of the mirror's pull secret (kept secret). Default: none. */
  password?: pulumi.Input<string>;
  /**
   * AWS CLI image the refresher gets the ECR token with; override for air-gapped mirrors.
   * Needs `/bin/sh`, `base64` and `tr`. Takes a digest (`repo:tag@sha256:…`), recommended in
   * production. Default: `public.ecr.aws/aws-cli/aws-cli:2.36.49`.
   */
  awsCliImage?: string;
  /**
   * kubectl image the refresher writes the pull secret with; override for air-gapped mirrors or
   * to match your cluster's minor version. Only `kubectl` is run (no shell needed). Takes a
   * digest (`repo:tag@sha256:…`), recommended in production. Default: `registry.k8s.io/kubectl:v1.36.4`.
   */
  kubectlImage?: string;
}

/**
 * Pinned, maintained images of the refresher. Both tags were seen pinned by digest in public
 * repositories (aws-cli 2.36.49 on public.ecr.aws; kubectl v1.36.4 from Kubernetes' own
 * registry, whose release notes list the v1.36 kubectl image). The AWS CLI image is Amazon Linux
 * with a shell; registry.k8s.io/kubectl has no shell, which is why the kubectl step only runs
 * `kubectl apply` on a manifest the AWS CLI step wrote.
 */
export const DEFAULT_AWS_CLI_IMAGE = "public.ecr.aws/aws-cli/aws-cli:2.36.49";
export const DEFAULT_KUBECTL_IMAGE = "registry.k8s.io/kubectl:v1.36.4";
export const DEFAULT_REFRESH_SCHEDULE = "0 */8 * * *";
export const DEFAULT_PULL_SECRET_NAME = "ecr-cred";
/** ECR tokens live 12 hours; an hour of margin covers a slow or retried refresh. */
export const MAX_REFRESH_GAP_HOURS = 11;

/** DigitalRoute's ECR: the access keys, the refresher's schedule and images, the pull secret it writes. */
export interface DigitalRouteRegistrySpec {
  source: "digitalroute";
  region: string;
  accessKeyId: pulumi.Input<string>;
  secretAccessKey: pulumi.Input<string>;
  pullSecretName: string;
  /** Registry host the pull secret authenticates to. */
  server: string;
  /** Image repository the chart is pointed at; undefined keeps the chart's default (eu-west-1). */
  imageRepository?: string;
  refreshSchedule: string;
  awsCliImage: string;
  kubectlImage: string;
}

/** A mirror's pull secret: none (nodes pull with their IAM role), the user's own, or one built from credentials. */
export type MirrorPullSecretSpec =
  | { kind: "none" }
  | { kind: "existing"; name: string }
  | {
      kind: "created";
      name: string;
      server: string;
      username: pulumi.Input<string>;
      password: pulumi.Input<string>;
    };

/** The user's own registry. */
export interface MirrorRegistrySpec {
  source: "mirror";
  imageRepository: string;
  pullSecret: MirrorPullSecretSpec;
}

/** Registry access after resolution. */
export type RegistrySpec = DigitalRouteRegistrySpec | MirrorRegistrySpec;

/** Name of the pull secret the chart references; undefined when there is none. */
export function pullSecretName(r: RegistrySpec): string | undefined {
  if (r.source === "digitalroute") return r.pullSecretName;
  return r.pullSecret.kind === "none" ? undefined : r.pullSecret.name;
}

const REGISTRY_KEYS = keyList<RegistryOptions>({
  source: true,
  accessKeyId: true,
  secretAccessKey: true,
  region: true,
  pullSecretName: true,
  refreshSchedule: true,
  repository: true,
  server: true,
  username: true,
  password: true,
  awsCliImage: true,
  kubectlImage: true,
});
const DIGITALROUTE_ONLY = [
  "accessKeyId",
  "secretAccessKey",
  "region",
  "refreshSchedule",
  "awsCliImage",
  "kubectlImage",
] as const satisfies readonly (keyof RegistryOptions)[];
const MIRROR_ONLY = [
  "repository",
  "server",
  "username",
  "password",
] as const satisfies readonly (keyof RegistryOptions)[];
/** The mirror's password: any text the registry accepts, but not empty. */
const MIRROR_PASSWORD = nonBlank("the mirror's password (secret), together with username");
const REGISTRY_SERVER = /^[a-z0-9]+(?:[.-][a-z0-9]+)*(?::\d{1,5})?$/;

/** Validates `registry` (at `path`) and applies defaults; problems go to `check`. */
export function resolveRegistry(
  check: Checker,
  path: string,
  options: RegistryOptions | undefined,
): RegistrySpec {
  const o: RegistryOptions = options ?? {};
  if (!check.knownKeys(path, o, REGISTRY_KEYS)) return resolveDigitalRoute(check, path, {});
  const source = o.source ?? "digitalroute";
  check.oneOf(`${path}.source`, source, Object.values(RegistrySource));
  check.rfc1123Subdomain(`${path}.pullSecretName`, o.pullSecretName);
  const misplaced = source === "mirror" ? DIGITALROUTE_ONLY : MIRROR_ONLY;
  for (const key of misplaced)
    if (o[key] !== undefined)
      check.fail(
        `${path}.${key}`,
        `is only used when ${path}.source is "${source === "mirror" ? "digitalroute" : "mirror"}"`,
        `the argument removed, or ${path}.source changed`,
      );
  return source === "mirror" ? resolveMirror(check, path, o) : resolveDigitalRoute(check, path, o);
}

function resolveDigitalRoute(check: Checker, path: string, o: RegistryOptions): DigitalRouteRegistrySpec {
  const region = o.region ?? DIGITALROUTE_ECR_REGION;
  check.required(`${path}.accessKeyId`, o.accessKeyId, "the access key id DigitalRoute issued (secret)");
  check.required(
    `${path}.secretAccessKey`,
    o.secretAccessKey,
    "the secret access key DigitalRoute issued (secret)",
  );
  const resolved: DigitalRouteRegistrySpec = {
    source: "digitalroute",
    region,
    accessKeyId: check.input(`${path}.accessKeyId`, o.accessKeyId, ACCESS_KEY_ID) ?? "",
    secretAccessKey: check.input(`${path}.secretAccessKey`, o.secretAccessKey, SECRET_ACCESS_KEY) ?? "",
    pullSecretName: o.pullSecretName ?? DEFAULT_PULL_SECRET_NAME,
    server: digitalrouteRegistry(region),
    imageRepository:
      region === DIGITALROUTE_ECR_REGION
        ? undefined
        : `${digitalrouteRegistry(region)}/${DIGITALROUTE_IMAGE_NAME}`,
    refreshSchedule: o.refreshSchedule ?? DEFAULT_REFRESH_SCHEDULE,
    awsCliImage: o.awsCliImage ?? DEFAULT_AWS_CLI_IMAGE,
    kubectlImage: o.kubectlImage ?? DEFAULT_KUBECTL_IMAGE,
  };
  check.awsRegion(`${path}.region`, resolved.region);
  checkRefreshSchedule(check, `${path}.refreshSchedule`, resolved.refreshSchedule);
  check.image(`${path}.awsCliImage`, o.awsCliImage);
  check.image(`${path}.kubectlImage`, o.kubectlImage);
  return resolved;
}

function resolveMirror(check: Checker, path: string, o: RegistryOptions): MirrorRegistrySpec {
  const withCredentials = o.username !== undefined || o.password !== undefined;
  if (withCredentials) {
    check.required(`${path}.username`, o.username, "the mirror's user, together with password");
    check.required(`${path}.password`, o.password, "the mirror's password (secret), together with username");
  } else if (o.server !== undefined) {
    check.fail(
      `${path}.server`,
      "is set without username and password",
      "username and password with it, or none of the three when nodes pull with their IAM role",
    );
  }
  if (check.required(`${path}.repository`, o.repository, "your mirror's image repository, without tag"))
    check.imageRepository(`${path}.repository`, o.repository);
  check.pattern(`${path}.server`, o.server, REGISTRY_SERVER, "a registry host, optionally with :port");
  const repository = typeof o.repository === "string" ? o.repository : "";
  const pullSecret: MirrorPullSecretSpec = withCredentials
    ? {
        kind: "created",
        name: o.pullSecretName ?? DEFAULT_PULL_SECRET_NAME,
        server: o.server ?? registryHost(repository),
        username: o.username ?? "",
        password: check.input(`${path}.password`, o.password, MIRROR_PASSWORD) ?? "",
      }
    : o.pullSecretName !== undefined
      ? { kind: "existing", name: o.pullSecretName }
      : { kind: "none" };
  return { source: "mirror", imageRepository: repository, pullSecret };
}

function checkRefreshSchedule(check: Checker, path: string, schedule: unknown): void {
  if (typeof schedule !== "string" || !isKubernetesCron(schedule)) {
    check.kubernetesCron(path, schedule);
    return;
  }
  const gap = longestCronGapHours(schedule);
  if (gap > MAX_REFRESH_GAP_HOURS)
    check.fail(
      path,
      `"${schedule}" leaves up to ${Math.round(gap)} hours between refreshes, but ECR tokens expire after 12`,
      `a schedule that runs at least every ${MAX_REFRESH_GAP_HOURS} hours, such as "${DEFAULT_REFRESH_SCHEDULE}"`,
    );
}

/** The registry host of an image repository (Docker's rule: a first part with `.` or `:`, or localhost). */
export function registryHost(repository: string): string {
  const first = repository.split("/")[0];
  const hasHost =
    repository.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  return hasHost ? first : "https://index.docker.io/v1/";
}
