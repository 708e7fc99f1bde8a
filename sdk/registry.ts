import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DIGITALROUTE_ECR_REGION, DIGITALROUTE_IMAGE_NAME, digitalrouteRegistry, SECRET_KEYS } from "./chart";
import { managedLabels } from "./kubernetes";
import { Checker, isKubernetesCron, longestCronGapHours } from "./validation";

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
   * Needs `/bin/sh`, `base64` and `tr`. Default: `public.ecr.aws/aws-cli/aws-cli:2.36.49`.
   */
  awsCliImage?: string;
  /**
   * kubectl image the refresher writes the pull secret with; override for air-gapped mirrors or
   * to match your cluster's minor version. Only `kubectl` is run (no shell needed).
   * Default: `registry.k8s.io/kubectl:v1.36.4`.
   */
  kubectlImage?: string;
}

export interface RegistryAccessArgs {
  /** Registry settings. Default: DigitalRoute's ECR (requires the access keys). */
  registry?: RegistryOptions;
  /** Namespace of the pull secret and the refresher (the release namespace). */
  namespace: pulumi.Input<string>;
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

/** Names of the refresher's objects (the vendor procedure's `ecr-credentials-sync`). */
export const REFRESHER_NAME = "ecr-credentials-sync";
export const BOOTSTRAP_JOB_NAME = `${REFRESHER_NAME}-bootstrap`;
export const KEYS_SECRET_NAME = `${REFRESHER_NAME}-keys`;
/** Keys of the access-key Secret. */
export const KEYS_SECRET_KEYS = { accessKeyId: "accessKeyId", secretAccessKey: "secretAccessKey" } as const;

/** Every argument with its default applied, after validation. */
export interface ResolvedRegistry {
  source: RegistrySource;
  region: string;
  /** Name of the pull secret the chart references; undefined when there is none. */
  pullSecretName?: string;
  /** Whether this package creates the pull secret (false: none, or the user's own). */
  createsPullSecret: boolean;
  /** Registry host the pull secret authenticates to. */
  server?: string;
  /** Image repository the chart is pointed at; undefined keeps the chart's default (DigitalRoute, eu-west-1). */
  imageRepository?: string;
  refreshSchedule: string;
  awsCliImage: string;
  kubectlImage: string;
}

const REGISTRY_KEYS = [
  "source",
  "accessKeyId",
  "secretAccessKey",
  "region",
  "pullSecretName",
  "refreshSchedule",
  "repository",
  "server",
  "username",
  "password",
  "awsCliImage",
  "kubectlImage",
];
const DIGITALROUTE_ONLY = [
  "accessKeyId",
  "secretAccessKey",
  "region",
  "refreshSchedule",
  "awsCliImage",
  "kubectlImage",
];
const MIRROR_ONLY = ["repository", "server", "username", "password"];
const SECRET_ACCESS_KEY = /^[A-Za-z0-9/+]{40}$/;
const REGISTRY_SERVER = /^[a-z0-9]+(?:[.-][a-z0-9]+)*(?::\d{1,5})?$/;

/** Validates `registry` (at `path`) and applies defaults; problems go to `check`. */
export function resolveRegistry(
  check: Checker,
  path: string,
  options: RegistryOptions | undefined,
): ResolvedRegistry {
  const o: RegistryOptions = options ?? {};
  if (!check.knownKeys(path, o, REGISTRY_KEYS)) return digitalRouteDefaults({});
  const source = o.source ?? "digitalroute";
  check.oneOf(`${path}.source`, source, Object.values(RegistrySource));
  check.rfc1123Subdomain(`${path}.pullSecretName`, o.pullSecretName);
  const misplaced = source === "mirror" ? DIGITALROUTE_ONLY : MIRROR_ONLY;
  for (const key of misplaced)
    if (o[key as keyof RegistryOptions] !== undefined)
      check.fail(
        `${path}.${key}`,
        `is only used when ${path}.source is "${source === "mirror" ? "digitalroute" : "mirror"}"`,
        `the argument removed, or ${path}.source changed`,
      );
  return source === "mirror" ? resolveMirror(check, path, o) : resolveDigitalRoute(check, path, o);
}

function digitalRouteDefaults(o: RegistryOptions): ResolvedRegistry {
  const region = o.region ?? DIGITALROUTE_ECR_REGION;
  return {
    source: "digitalroute",
    region,
    pullSecretName: o.pullSecretName ?? DEFAULT_PULL_SECRET_NAME,
    createsPullSecret: true,
    server: digitalrouteRegistry(region),
    imageRepository:
      region === DIGITALROUTE_ECR_REGION
        ? undefined
        : `${digitalrouteRegistry(region)}/${DIGITALROUTE_IMAGE_NAME}`,
    refreshSchedule: o.refreshSchedule ?? DEFAULT_REFRESH_SCHEDULE,
    awsCliImage: o.awsCliImage ?? DEFAULT_AWS_CLI_IMAGE,
    kubectlImage: o.kubectlImage ?? DEFAULT_KUBECTL_IMAGE,
  };
}

function resolveDigitalRoute(check: Checker, path: string, o: RegistryOptions): ResolvedRegistry {
  const resolved = digitalRouteDefaults(o);
  check.pattern(
    `${path}.region`,
    resolved.region,
    /^[a-z]{2}(-[a-z]+)+-\d$/,
    "an AWS region such as eu-west-1",
  );
  if (check.required(`${path}.accessKeyId`, o.accessKeyId, "the access key id DigitalRoute issued (secret)"))
    check.awsAccessKeyId(`${path}.accessKeyId`, o.accessKeyId);
  if (
    check.required(
      `${path}.secretAccessKey`,
      o.secretAccessKey,
      "the secret access key DigitalRoute issued (secret)",
    )
  )
    checkSecretAccessKey(check, `${path}.secretAccessKey`, o.secretAccessKey);
  checkRefreshSchedule(check, `${path}.refreshSchedule`, resolved.refreshSchedule);
  check.image(`${path}.awsCliImage`, o.awsCliImage);
  check.image(`${path}.kubectlImage`, o.kubectlImage);
  return resolved;
}

function resolveMirror(check: Checker, path: string, o: RegistryOptions): ResolvedRegistry {
  const withCredentials = o.username !== undefined || o.password !== undefined;
  if (withCredentials) {
    check.required(`${path}.username`, o.username, "the mirror's user, together with password");
    check.required(`${path}.password`, o.password, "the mirror's password (secret), together with username");
    check.secret(`${path}.password`, o.password);
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
  const repository = typeof o.repository === "string" ? o.repository : undefined;
  return {
    source: "mirror",
    region: DIGITALROUTE_ECR_REGION,
    pullSecretName: withCredentials ? (o.pullSecretName ?? DEFAULT_PULL_SECRET_NAME) : o.pullSecretName,
    createsPullSecret: withCredentials,
    server: withCredentials ? (o.server ?? registryHost(repository ?? "")) : undefined,
    imageRepository: repository,
    refreshSchedule: DEFAULT_REFRESH_SCHEDULE,
    awsCliImage: DEFAULT_AWS_CLI_IMAGE,
    kubectlImage: DEFAULT_KUBECTL_IMAGE,
  };
}

function checkSecretAccessKey(check: Checker, path: string, value: unknown): void {
  if (typeof value === "string" && !SECRET_ACCESS_KEY.test(value))
    check.fail(
      path,
      "is not shaped like an AWS secret access key (value hidden)",
      "40 characters of letters, digits, '/' and '+'",
    );
  else check.secret(path, value);
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

function refresherLabels(): Record<string, string> {
  return {
    ...managedLabels(),
    "app.kubernetes.io/name": REFRESHER_NAME,
    "app.kubernetes.io/component": "registry-credentials",
  };
}

/**
 * The refresher's permissions: read and update the one pull secret, and create it. Kubernetes
 * cannot narrow `create` by `resourceNames` (RBAC authorizes a create before the new object's
 * name is known), so `create` is granted on Secrets in the namespace without a name; the
 * account can still not read, list or change any other Secret.
 */
export function refresherRules(pullSecretName: string): k8s.types.input.rbac.v1.PolicyRule[] {
  return [
    { apiGroups: [""], resources: ["secrets"], resourceNames: [pullSecretName], verbs: ["get", "patch"] },
    { apiGroups: [""], resources: ["secrets"], verbs: ["create"] },
  ];
}

/** Pod Security "restricted" for every refresher container; the root file system is read-only. */
export const RESTRICTED_CONTAINER: k8s.types.input.core.v1.SecurityContext = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

/** An unprivileged uid/gid without an entry in either image: the steps need no user database. */
const REFRESHER_UID = 65532;
const TOKEN_DIR = "/run/ecr";
const MANIFEST = `${TOKEN_DIR}/secret.json`;
const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
const PULL_SECRET_KEY = SECRET_KEYS.pullSecretConfig.key;

/**
 * The AWS CLI step: gets an ECR authorization token (already base64 of `AWS:<password>`) and
 * writes the complete docker-registry Secret manifest into the memory-backed volume. The token
 * only passes through shell variables and pipes (printf is a builtin): never argv, never logs.
 */
export const AWS_CLI_SCRIPT = [
  "set -eu",
  "umask 077",
  "token=$(aws ecr get-authorization-token --query 'authorizationData[0].authorizationToken' --output text)",
  'if [ -z "$token" ] || [ "$token" = None ]; then echo "ECR returned no authorization token" >&2; exit 1; fi',
  `config=$(printf '{"auths":{"%s":{"auth":"%s"}}}' "$REGISTRY" "$token" | base64 | tr -d '\\n')`,
  'if [ -z "$config" ]; then echo "could not encode the docker config" >&2; exit 1; fi',
  `printf '{"apiVersion":"v1","kind":"Secret","type":"kubernetes.io/dockerconfigjson","metadata":{"name":"%s","namespace":"%s","labels":{"app.kubernetes.io/managed-by":"${REFRESHER_NAME}","app.kubernetes.io/part-of":"usage-engine"}},"data":{"${PULL_SECRET_KEY}":"%s"}}' "$SECRET_NAME" "$NAMESPACE" "$config" > ${MANIFEST}`,
  'echo "ECR authorization token for $REGISTRY written"',
].join("\n");

/** The kubectl step: server-side apply creates or updates the Secret, with no annotation copy of its data. */
export const KUBECTL_ARGS = [
  "apply",
  "--server-side",
  `--field-manager=${REFRESHER_NAME}`,
  "--force-conflicts",
  `--filename=${MANIFEST}`,
];

/** The refresher pod, shared by the CronJob and the bootstrap Job. */
export function refresherPodTemplate(r: ResolvedRegistry): k8s.types.input.core.v1.PodTemplateSpec {
  const keyRef = (key: string) => ({ secretKeyRef: { name: KEYS_SECRET_NAME, key } });
  return {
    metadata: { labels: refresherLabels() },
    spec: {
      serviceAccountName: REFRESHER_NAME,
      // Only the kubectl step talks to the API server; it alone mounts the token (below).
      automountServiceAccountToken: false,
      restartPolicy: "Never",
      securityContext: {
        runAsNonRoot: true,
        runAsUser: REFRESHER_UID,
        runAsGroup: REFRESHER_UID,
        fsGroup: REFRESHER_UID,
        seccompProfile: { type: "RuntimeDefault" },
      },
      volumes: [
        { name: "token", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
        { name: "aws-home", emptyDir: { sizeLimit: "64Mi" } },
        { name: "kubectl-home", emptyDir: { sizeLimit: "64Mi" } },
        {
          name: "api-access",
          projected: {
            sources: [
              { serviceAccountToken: { path: "token", expirationSeconds: 3600 } },
              { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
              {
                downwardAPI: {
                  items: [
                    { path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } },
                  ],
                },
              },
            ],
          },
        },
      ],
      initContainers: [
        {
          name: "get-token",
          image: r.awsCliImage,
          imagePullPolicy: "IfNotPresent",
          command: ["/bin/sh", "-c", AWS_CLI_SCRIPT],
          env: [
            { name: "AWS_ACCESS_KEY_ID", valueFrom: keyRef(KEYS_SECRET_KEYS.accessKeyId) },
            { name: "AWS_SECRET_ACCESS_KEY", valueFrom: keyRef(KEYS_SECRET_KEYS.secretAccessKey) },
            { name: "AWS_DEFAULT_REGION", value: r.region },
            // Never fall back to the node's instance role when the keys are wrong.
            { name: "AWS_EC2_METADATA_DISABLED", value: "true" },
            { name: "AWS_PAGER", value: "" },
            { name: "HOME", value: "/home/aws" },
            // The root file system is read-only; anything temporary goes to the HOME volume.
            { name: "TMPDIR", value: "/home/aws" },
            { name: "REGISTRY", value: r.server },
            { name: "SECRET_NAME", value: r.pullSecretName },
            {
              name: "NAMESPACE",
              valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } },
            },
          ],
          volumeMounts: [
            { name: "token", mountPath: TOKEN_DIR },
            { name: "aws-home", mountPath: "/home/aws" },
          ],
          securityContext: RESTRICTED_CONTAINER,
          resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
        },
      ],
      containers: [
        {
          name: "apply-secret",
          image: r.kubectlImage,
          imagePullPolicy: "IfNotPresent",
          command: ["kubectl"],
          args: KUBECTL_ARGS,
          env: [{ name: "HOME", value: "/home/kubectl" }],
          volumeMounts: [
            { name: "token", mountPath: TOKEN_DIR, readOnly: true },
            { name: "kubectl-home", mountPath: "/home/kubectl" },
            { name: "api-access", mountPath: SERVICE_ACCOUNT_DIR, readOnly: true },
          ],
          securityContext: RESTRICTED_CONTAINER,
          resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
        },
      ],
    },
  };
}

/** One refresh run; a stuck image pull or API call fails the run instead of hanging. */
export function refreshJobSpec(
  template: k8s.types.input.core.v1.PodTemplateSpec,
): k8s.types.input.batch.v1.JobSpec {
  return { backoffLimit: 2, activeDeadlineSeconds: 600, template };
}

/** The annotation that re-runs the bootstrap Job when the access keys change. */
export const KEYS_REVISION_ANNOTATION = "pulumi-usage-engine/keys-revision";

/** A `kubernetes.io/dockerconfigjson` payload for a static registry login (secret). */
export function dockerConfigJson(
  server: string,
  username: pulumi.Input<string>,
  password: pulumi.Input<string>,
): pulumi.Output<string> {
  return pulumi.secret(
    pulumi.all([username, password]).apply(([user, pass]) =>
      JSON.stringify({
        auths: {
          [server]: {
            username: user,
            password: pass,
            auth: Buffer.from(`${user}:${pass}`).toString("base64"),
          },
        },
      }),
    ),
  );
}

/**
 * Access to the UEPE images. For DigitalRoute's ECR: the access keys in their own Secret, a
 * refresher CronJob that renews the `ecr-cred` pull secret before the 12-hour token expires, and
 * a bootstrap Job from the same pod that creates it before the release installs; no token ever
 * enters Pulumi state. For a mirror: an optional static pull secret.
 */
export class RegistryAccess extends pulumi.ComponentResource {
  /**
   * Name of the image pull secret the chart references (empty for a mirror without one). For
   * DigitalRoute's ECR it resolves once the bootstrap Job has written the secret, so whatever
   * consumes it waits for a usable pull secret.
   */
  public readonly pullSecretName: pulumi.Output<string>;

  constructor(name: string, args: RegistryAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    const check = new Checker("RegistryAccess");
    const registry = resolveRegistry(check, "registry", args.registry);
    check.required("namespace", args.namespace, "the release namespace");
    check.throwIfAny();
    super("usage-engine:index:RegistryAccess", name, {}, opts);

    const options = args.registry ?? {};
    this.pullSecretName =
      registry.source === "digitalroute"
        ? createRefresher(this, name, registry, args.namespace, options)
        : createMirrorPullSecret(this, name, registry, args.namespace, options);
    this.registerOutputs({ pullSecretName: this.pullSecretName });
  }
}

function createRefresher(
  parent: pulumi.Resource,
  name: string,
  r: ResolvedRegistry,
  namespace: pulumi.Input<string>,
  options: RegistryOptions,
): pulumi.Output<string> {
  const labels = refresherLabels();
  const metadata = (objectName: string) => ({ name: objectName, namespace, labels });
  const keys = new k8s.core.v1.Secret(
    `${name}-keys`,
    {
      metadata: metadata(KEYS_SECRET_NAME),
      type: "Opaque",
      stringData: {
        [KEYS_SECRET_KEYS.accessKeyId]: pulumi.secret(options.accessKeyId as pulumi.Input<string>),
        [KEYS_SECRET_KEYS.secretAccessKey]: pulumi.secret(options.secretAccessKey as pulumi.Input<string>),
      },
    },
    { parent },
  );
  const account = new k8s.core.v1.ServiceAccount(
    `${name}-refresher`,
    { metadata: metadata(REFRESHER_NAME), automountServiceAccountToken: false },
    { parent },
  );
  const role = new k8s.rbac.v1.Role(
    `${name}-refresher`,
    { metadata: metadata(REFRESHER_NAME), rules: refresherRules(r.pullSecretName as string) },
    { parent },
  );
  const binding = new k8s.rbac.v1.RoleBinding(
    `${name}-refresher`,
    {
      metadata: metadata(REFRESHER_NAME),
      subjects: [{ kind: "ServiceAccount", name: account.metadata.name, namespace }],
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
    },
    { parent },
  );
  const template = refresherPodTemplate(r);
  new k8s.batch.v1.CronJob(
    `${name}-refresher`,
    {
      metadata: metadata(REFRESHER_NAME),
      spec: {
        schedule: r.refreshSchedule,
        timeZone: "Etc/UTC",
        concurrencyPolicy: "Forbid",
        // A run missed while the control plane was down still happens within the hour.
        startingDeadlineSeconds: 3600,
        successfulJobsHistoryLimit: 1,
        failedJobsHistoryLimit: 1,
        jobTemplate: { metadata: { labels }, spec: refreshJobSpec(template) },
      },
    },
    { parent, dependsOn: [binding, keys] },
  );
  // The bootstrap Job: @pulumi/kubernetes waits until a Job reports Complete (and fails the update
  // when it reports Failed), so the pull secret exists when this resource is done. It keeps a fixed
  // name and no TTL, so a second `pulumi up` sees identical inputs and changes nothing. Its pod
  // template is immutable: when the images, region or keys change, the provider replaces it
  // (delete, then create, because the name is fixed) and the new run refreshes the secret. The keys
  // Secret's resourceVersion, not the keys, marks their revision. replaceUnready re-runs a Job that
  // failed in an earlier update instead of waiting on it forever.
  const bootstrap = new k8s.batch.v1.Job(
    `${name}-bootstrap`,
    {
      metadata: { ...metadata(BOOTSTRAP_JOB_NAME), annotations: { "pulumi.com/replaceUnready": "true" } },
      spec: refreshJobSpec({
        ...template,
        metadata: {
          labels,
          annotations: { [KEYS_REVISION_ANNOTATION]: keys.metadata.resourceVersion },
        },
      }),
    },
    { parent, dependsOn: [account, role, binding, keys], customTimeouts: { create: "10m", update: "10m" } },
  );
  return bootstrap.id.apply(() => r.pullSecretName as string);
}

function createMirrorPullSecret(
  parent: pulumi.Resource,
  name: string,
  r: ResolvedRegistry,
  namespace: pulumi.Input<string>,
  options: RegistryOptions,
): pulumi.Output<string> {
  if (!r.createsPullSecret) return pulumi.output(r.pullSecretName ?? "");
  const secret = new k8s.core.v1.Secret(
    `${name}-pull-secret`,
    {
      metadata: { name: r.pullSecretName, namespace, labels: managedLabels() },
      type: "kubernetes.io/dockerconfigjson",
      stringData: {
        [PULL_SECRET_KEY]: dockerConfigJson(
          r.server as string,
          options.username as pulumi.Input<string>,
          options.password as pulumi.Input<string>,
        ),
      },
    },
    { parent },
  );
  return secret.metadata.name;
}
