import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  type DigitalRouteRegistrySpec,
  type MirrorRegistrySpec,
  pullSecretName,
  type RegistryOptions,
  type RegistrySpec,
  resolveRegistry,
  Validated,
} from "./args";
import { SECRET_KEYS } from "./chart/contract";
import { managedLabels } from "./kubernetes";
import { Checker } from "./validation";

export interface RegistryAccessArgs {
  /** Registry settings. Default: DigitalRoute's ECR (requires the access keys). */
  registry?: RegistryOptions;
  /** Namespace of the pull secret and the refresher (the release namespace). */
  namespace: pulumi.Input<string>;
}

/** RegistryAccess's arguments after resolution. */
export interface RegistryAccessSpec {
  registry: RegistrySpec;
  namespace: pulumi.Input<string>;
}

/** Resolves a RegistryAccess used on its own, through the stack's own registry resolver. */
export function resolveRegistryAccessArgs(args: RegistryAccessArgs): RegistryAccessSpec {
  const check = new Checker("RegistryAccess");
  const registry = resolveRegistry(check, "registry", args.registry);
  check.required("namespace", args.namespace, "the release namespace");
  check.throwIfAny();
  return { registry, namespace: args.namespace };
}

/** Names of the refresher's objects (the vendor procedure's `ecr-credentials-sync`). */
export const REFRESHER_NAME = "ecr-credentials-sync";
export const BOOTSTRAP_JOB_NAME = `${REFRESHER_NAME}-bootstrap`;
export const KEYS_SECRET_NAME = `${REFRESHER_NAME}-keys`;
/** Keys of the access-key Secret. */
export const KEYS_SECRET_KEYS = { accessKeyId: "accessKeyId", secretAccessKey: "secretAccessKey" } as const;

function refresherLabels(): Record<string, string> {
  return {
    ...managedLabels(),
    "app.kubernetes.io/name": REFRESHER_NAME,
    "app.kubernetes.io/component": "registry-credentials",
  };
}

/**
 * The refresher's permissions: read and update the one pull secret, nothing else. The package
 * creates that Secret itself, so the refresher never needs `create`, which Kubernetes cannot
 * narrow by name (RBAC authorizes a create before the new object's name is known).
 */
export function refresherRules(pullSecretName: string): k8s.types.input.rbac.v1.PolicyRule[] {
  return [
    { apiGroups: [""], resources: ["secrets"], resourceNames: [pullSecretName], verbs: ["get", "patch"] },
  ];
}

/** The pull secret's content until the bootstrap Job writes a token: a docker config with no logins. */
export const EMPTY_DOCKER_CONFIG = '{"auths":{}}';

/**
 * The pull secret, created empty by the package so the refresher only patches it. Its data belongs
 * to the refresher (server-side apply, its own field manager): Pulumi ignores changes to it, so a
 * refreshed token is never a diff and never enters state.
 */
function emptyPullSecret(
  name: string,
  r: DigitalRouteRegistrySpec,
  namespace: pulumi.Input<string>,
  parent: pulumi.Resource,
): k8s.core.v1.Secret {
  return new k8s.core.v1.Secret(
    `${name}-pull-secret`,
    {
      metadata: {
        name: r.pullSecretName,
        namespace,
        labels: refresherLabels(),
        // A 0.1.0 refresher created the Secret itself: take its labels over instead of failing on
        // a field conflict (the bootstrap Job, whose pod changed, then writes a token again).
        annotations: { "pulumi.com/patchForce": "true" },
      },
      type: "kubernetes.io/dockerconfigjson",
      data: { [PULL_SECRET_KEY]: Buffer.from(EMPTY_DOCKER_CONFIG).toString("base64") },
    },
    { parent, ignoreChanges: ["data"] },
  );
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
  `printf '{"apiVersion":"v1","kind":"Secret","type":"kubernetes.io/dockerconfigjson","metadata":{"name":"%s","namespace":"%s"},"data":{"${PULL_SECRET_KEY}":"%s"}}' "$SECRET_NAME" "$NAMESPACE" "$config" > ${MANIFEST}`,
  'echo "ECR authorization token for $REGISTRY written"',
].join("\n");

/**
 * The kubectl step: server-side apply updates the Secret's data (a patch: the Secret exists), with
 * no annotation copy of it; the labels stay Pulumi's.
 */
export const KUBECTL_ARGS = [
  "apply",
  "--server-side",
  `--field-manager=${REFRESHER_NAME}`,
  "--force-conflicts",
  `--filename=${MANIFEST}`,
];

/** The refresher pod, shared by the CronJob and the bootstrap Job. */
export function refresherPodTemplate(r: DigitalRouteRegistrySpec): k8s.types.input.core.v1.PodTemplateSpec {
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
 * Access to the UEPE images. For DigitalRoute's ECR: the access keys in their own Secret, the
 * `ecr-cred` pull secret created empty, a refresher CronJob that renews its token before the
 * 12-hour token expires, and a bootstrap Job from the same pod that fills it before the release
 * installs; no token ever enters Pulumi state. For a mirror: an optional static pull secret.
 */
export class RegistryAccess extends pulumi.ComponentResource {
  /**
   * Name of the image pull secret the chart references (empty for a mirror without one). For
   * DigitalRoute's ECR it resolves once the bootstrap Job has written the secret, so whatever
   * consumes it waits for a usable pull secret.
   */
  public readonly pullSecretName: pulumi.Output<string>;

  constructor(
    name: string,
    args: RegistryAccessArgs | Validated<RegistryAccessSpec>,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    const { registry, namespace } = args instanceof Validated ? args.spec : resolveRegistryAccessArgs(args);
    super("usage-engine:index:RegistryAccess", name, {}, opts);

    this.pullSecretName =
      registry.source === "digitalroute"
        ? createRefresher(this, name, registry, namespace)
        : createMirrorPullSecret(this, name, registry, namespace);
    this.registerOutputs({ pullSecretName: this.pullSecretName });
  }
}

function createRefresher(
  parent: pulumi.Resource,
  name: string,
  r: DigitalRouteRegistrySpec,
  namespace: pulumi.Input<string>,
): pulumi.Output<string> {
  const labels = refresherLabels();
  const metadata = (objectName: string) => ({ name: objectName, namespace, labels });
  const keys = new k8s.core.v1.Secret(
    `${name}-keys`,
    {
      metadata: metadata(KEYS_SECRET_NAME),
      type: "Opaque",
      stringData: {
        [KEYS_SECRET_KEYS.accessKeyId]: pulumi.secret(r.accessKeyId),
        [KEYS_SECRET_KEYS.secretAccessKey]: pulumi.secret(r.secretAccessKey),
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
    { metadata: metadata(REFRESHER_NAME), rules: refresherRules(r.pullSecretName) },
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
  const pullSecret = emptyPullSecret(name, r, namespace, parent);
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
    { parent, dependsOn: [binding, keys, pullSecret] },
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
    {
      parent,
      dependsOn: [account, role, binding, keys, pullSecret],
      customTimeouts: { create: "10m", update: "10m" },
    },
  );
  return bootstrap.id.apply(() => r.pullSecretName);
}

function createMirrorPullSecret(
  parent: pulumi.Resource,
  name: string,
  r: MirrorRegistrySpec,
  namespace: pulumi.Input<string>,
): pulumi.Output<string> {
  const pull = r.pullSecret;
  if (pull.kind !== "created") return pulumi.output(pullSecretName(r) ?? "");
  const secret = new k8s.core.v1.Secret(
    `${name}-pull-secret`,
    {
      metadata: { name: pull.name, namespace, labels: managedLabels() },
      type: "kubernetes.io/dockerconfigjson",
      stringData: { [PULL_SECRET_KEY]: dockerConfigJson(pull.server, pull.username, pull.password) },
    },
    { parent },
  );
  return secret.metadata.name;
}
