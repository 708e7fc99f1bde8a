import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  type PlatformObjectsSpec,
  resolveUpgrade,
  type Tags,
  type UpgradeImagesSpec,
  type UpgradeOptions,
  Validated,
  type WorkloadIdentitySpec,
} from "./args";
import { checkTags } from "./args/network";
import { IRSA_ROLE_ANNOTATION, workloadRole } from "./awsIdentity";
import { managedLabels } from "./kubernetes";
import { withTags } from "./network";
import { RESTRICTED_CONTAINER } from "./registry";
import { identifierPart, PreUpgradeSnapshot } from "./upgrade";
import { Checker } from "./validation";

/**
 * The vendor's upgrade procedure as resources, in its order, each step waiting for the one
 * before: (1) the platform is scaled to 0 and its pod awaited gone, (2) the system database is
 * snapshotted, (3) the file system is backed up (after the database: a restore needs the database
 * backup to be the older), (4) the release is upgraded by the stack, (5) the platform is scaled
 * back to the replicas it had and its pod awaited ready. Every object's name carries both
 * versions: the same versions register the same steps again (nothing runs twice), the next
 * upgrade registers fresh ones.
 *
 * The Jobs are awaited by @pulumi/kubernetes until they report Complete; one that fails or
 * passes its deadline fails `pulumi up` at that step. They keep no TTL: a Job that vanished from
 * the cluster would be created, and run, again by the next `pulumi up --refresh`.
 */

/** Step 1's deadline: platform-0 has ended (its grace period) well within it. */
export const PLATFORM_DOWN_SECONDS = 600;
/** Step 3's deadline: an on-demand EFS backup, incremental after the plan's scheduled ones. */
export const FILE_SYSTEM_BACKUP_SECONDS = 3 * 3600;
/**
 * Step 5's deadline: the platform's first start on the new version migrates the system database
 * (the release's own timeout covered this while the release started the platform).
 */
export const PLATFORM_UP_SECONDS = 2400;
/** How long step 5 waits for platform-0 to be ready, once it exists. */
export const PLATFORM_READY_SECONDS = 1800;
/** How long step 5 waits for the StatefulSet controller to create platform-0. */
export const PLATFORM_CREATED_SECONDS = 300;

/** Suffixes of the steps' names (Pulumi resources and Kubernetes objects). */
export const UPGRADE_STEP_NAMES = {
  platformDown: "platform-down",
  databaseSnapshot: "database",
  fileSystemBackup: "file-system-backup",
  platformUp: "platform-up",
  platformScaler: "platform-scaler",
  platformReplicas: "platform-replicas",
} as const;

/** Key of the record ConfigMap that holds the platform's replicas from before the upgrade. */
export const REPLICAS_KEY = "replicas";
/** An unprivileged uid/gid without an entry in either image: the steps need no user database. */
const STEP_UID = 65532;
const KUBECTL_HOME = "/home/kubectl";
const AWS_HOME = "/home/aws";
/** Kubernetes object names of a Job: its pods carry the name in a label (at most 63 characters). */
const MAX_NAME = 63;

/** The file system the upgrade backs up, and where the recovery point goes. */
export interface FileSystemBackupTarget {
  /** ARN of the EFS file system. */
  fileSystemArn: pulumi.Input<string>;
  /** Name of the AWS Backup vault the recovery point goes into. */
  vaultName: pulumi.Input<string>;
  /** ARN of that vault (the Job's role may only start backups into it). */
  vaultArn: pulumi.Input<string>;
  /** ARN of the IAM role AWS Backup assumes to read the file system (BackupPlan `roleArn`). */
  backupRoleArn: pulumi.Input<string>;
  /** Days the recovery point is kept. Default: 35. */
  retentionDays?: number;
}

/** UpgradeSteps' arguments after resolution: each optional block is one step, present when it runs. */
export interface UpgradeStepsSpec {
  namespace: string;
  releaseName: string;
  fromVersion: string;
  toVersion: string;
  /** Steps 1 and 5: the platform objects scaled down and up. */
  shutdown?: PlatformObjectsSpec;
  /** Step 2: the RDS instance snapshotted. */
  snapshot?: { instanceId: pulumi.Input<string> };
  /** Step 3: the file system backed up, under the identity of the backup Job. */
  fileSystemBackup?: FileSystemBackupTarget & { retentionDays: number; identity: WorkloadIdentitySpec };
  images: UpgradeImagesSpec;
  /** What must be ready before the platform goes down, so the downtime holds only the steps. */
  shutdownAfter: pulumi.Input<pulumi.Resource>[];
  tags: Tags;
}

export interface UpgradeStepsArgs {
  /** Namespace of the installation: where the platform runs and the steps' Jobs run. */
  namespace: string;
  /** Helm release name; the steps' Kubernetes objects are prefixed with it. Default: `uepe`. */
  releaseName?: string;
  /** The UEPE version about to be deployed. */
  toVersion: string;
  /** The upgrade block, as UsageEngineStack takes it (`fromVersion` required). */
  upgrade: UpgradeOptions;
  /** RDS instance to snapshot (step 2). Default: none (no snapshot). */
  databaseInstanceId?: pulumi.Input<string>;
  /** File system to back up (step 3). Default: none (no file-system backup). */
  fileSystem?: FileSystemBackupTarget;
  /** Resources that must be ready before the platform goes down. Default: none. */
  shutdownAfter?: pulumi.Input<pulumi.Resource>[];
  /** Tags on every AWS resource and on the recovery point. Default: none beyond `managed-by`. */
  tags?: Tags;
}

/** Resolves UpgradeSteps used on its own, through the stack's own upgrade resolver. */
export function resolveUpgradeStepsArgs(args: UpgradeStepsArgs): UpgradeStepsSpec {
  const check = new Checker("UpgradeSteps");
  check.rfc1123Label("namespace", args.namespace);
  check.required("namespace", args.namespace, "the installation's namespace");
  check.rfc1123Label("releaseName", args.releaseName, 53);
  check.required("toVersion", args.toVersion, "the version about to be deployed");
  check.semver("toVersion", args.toVersion);
  check.required("upgrade.fromVersion", args.upgrade?.fromVersion, "the version running now");
  check.integer("fileSystem.retentionDays", args.fileSystem?.retentionDays, 1, 36500, "days");
  checkTags(check, "tags", args.tags);
  const upgrade = resolveUpgrade(check, "upgrade", args.upgrade, {
    version: args.toVersion,
    rds: args.databaseInstanceId !== undefined,
    efs: args.fileSystem !== undefined,
    backupEnabled: args.fileSystem !== undefined,
  });
  if (upgrade.kind === "none" && args.upgrade?.fromVersion === args.toVersion)
    check.fail("toVersion", "equals upgrade.fromVersion: nothing is upgraded", "a different version");
  check.throwIfAny();
  if (upgrade.kind === "none") throw new Error("unreachable: an upgrade without a change was reported above");
  const backup = upgrade.backupFileSystem;
  return {
    namespace: args.namespace,
    releaseName: args.releaseName ?? "uepe",
    fromVersion: upgrade.fromVersion,
    toVersion: args.toVersion,
    shutdown: upgrade.shutdownPlatform ? upgrade.platform : undefined,
    snapshot:
      upgrade.snapshotDatabase && args.databaseInstanceId !== undefined
        ? { instanceId: args.databaseInstanceId }
        : undefined,
    fileSystemBackup:
      backup.enabled && args.fileSystem
        ? {
            ...args.fileSystem,
            retentionDays: args.fileSystem.retentionDays ?? 35,
            identity: backup.identity,
          }
        : undefined,
    images: upgrade.images,
    shutdownAfter: args.shutdownAfter ?? [],
    tags: args.tags ?? {},
  };
}

/**
 * `<release>-upgrade-<from>-to-<to>-<step>`. Longer than 63 characters (long prerelease or build
 * versions), the versions are cut and a hash of the whole name keeps it unique; the step stays.
 */
export function stepObjectName(releaseName: string, from: string, to: string, step: string): string {
  const base = `${releaseName}-upgrade-${identifierPart(from)}-to-${identifierPart(to)}`;
  const full = `${base}-${step}`;
  if (full.length <= MAX_NAME) return full;
  const hash = createHash("sha256").update(full).digest("hex").slice(0, 8);
  const room = MAX_NAME - step.length - hash.length - 2;
  return `${base.slice(0, room).replace(/-+$/, "")}-${hash}-${step}`;
}

/**
 * What the platform scaler (steps 1 and 5) may do, by name wherever Kubernetes allows it: read
 * the platform StatefulSet (kubectl looks it up before scaling), read and change its scale, and
 * follow the platform pod (`kubectl wait` lists and watches it by a metadata.name field selector,
 * which RBAC matches against resourceNames).
 */
export function platformScalerRules(platform: PlatformObjectsSpec): k8s.types.input.rbac.v1.PolicyRule[] {
  return [
    {
      apiGroups: ["apps"],
      resources: ["statefulsets"],
      resourceNames: [platform.statefulSet],
      verbs: ["get"],
    },
    {
      apiGroups: ["apps"],
      resources: ["statefulsets/scale"],
      resourceNames: [platform.statefulSet],
      verbs: ["get", "patch"],
    },
    { apiGroups: [""], resources: ["pods"], resourceNames: [platform.pod], verbs: ["get", "list", "watch"] },
  ];
}

/**
 * The backup Job's IAM policy: start backup jobs into the installation's vault only, passing the
 * AWS Backup role only (to AWS Backup only), and read backup jobs' state. IAM cannot narrow
 * StartBackupJob to one protected resource (its only resource is the vault) nor
 * DescribeBackupJob to anything (it has no resource type); the file system the Job backs up is
 * fixed in its pod spec, which only this stack writes.
 */
export function fileSystemBackupPolicy(
  vaultArn: pulumi.Input<string>,
  backupRoleArn: pulumi.Input<string>,
): pulumi.Output<string> {
  return pulumi.all([vaultArn, backupRoleArn]).apply(([vault, role]) =>
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Sid: "StartBackupIntoTheVault", Effect: "Allow", Action: "backup:StartBackupJob", Resource: vault },
        { Sid: "FollowBackupJobs", Effect: "Allow", Action: "backup:DescribeBackupJob", Resource: "*" },
        {
          Sid: "PassTheBackupRole",
          Effect: "Allow",
          Action: "iam:PassRole",
          Resource: role,
          Condition: { StringEquals: { "iam:PassedToService": "backup.amazonaws.com" } },
        },
      ],
    }),
  );
}

/**
 * Step 3's script: starts the on-demand backup and polls it until it ends. The idempotency token
 * is the Job's uid, so a retried pod of the same Job follows the backup its first pod started.
 */
export const FILE_SYSTEM_BACKUP_SCRIPT = [
  "set -eu",
  'job=$(aws backup start-backup-job --backup-vault-name "$VAULT_NAME" --resource-arn "$FILE_SYSTEM_ARN" \\',
  '  --iam-role-arn "$BACKUP_ROLE_ARN" --idempotency-token "$IDEMPOTENCY_TOKEN" --start-window-minutes 60 \\',
  '  --complete-window-minutes "$COMPLETE_WINDOW_MINUTES" --lifecycle "DeleteAfterDays=$RETENTION_DAYS" \\',
  '  --recovery-point-tags "$RECOVERY_POINT_TAGS" --query BackupJobId --output text)',
  'echo "AWS Backup job $job started: $FILE_SYSTEM_ARN into vault $VAULT_NAME"',
  "while :; do",
  '  state=$(aws backup describe-backup-job --backup-job-id "$job" --query State --output text)',
  '  case "$state" in',
  "    COMPLETED)",
  '      echo "AWS Backup job $job completed: recovery point $(aws backup describe-backup-job --backup-job-id "$job" --query RecoveryPointArn --output text)"',
  "      exit 0 ;;",
  "    ABORTED|FAILED|EXPIRED|PARTIAL)",
  '      echo "AWS Backup job $job ended $state: $(aws backup describe-backup-job --backup-job-id "$job" --query StatusMessage --output text)" >&2',
  "      exit 1 ;;",
  "  esac",
  "  sleep 30",
  "done",
].join("\n");

function stepLabels(step: string): Record<string, string> {
  return {
    ...managedLabels(),
    "app.kubernetes.io/name": "uepe-upgrade",
    "app.kubernetes.io/component": step,
  };
}

/** Pod-level half of Pod Security "restricted"; every container adds RESTRICTED_CONTAINER. */
const STEP_POD_SECURITY: k8s.types.input.core.v1.PodSecurityContext = {
  runAsNonRoot: true,
  runAsUser: STEP_UID,
  runAsGroup: STEP_UID,
  fsGroup: STEP_UID,
  seccompProfile: { type: "RuntimeDefault" },
};

const POD_NAMESPACE: k8s.types.input.core.v1.EnvVar = {
  name: "POD_NAMESPACE",
  valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } },
};

/** One kubectl call (the image has no shell); `$(VAR)` in args is expanded by Kubernetes. */
function kubectl(
  name: string,
  image: string,
  args: string[],
  env: k8s.types.input.core.v1.EnvVar[] = [],
): k8s.types.input.core.v1.Container {
  return {
    name,
    image,
    imagePullPolicy: "IfNotPresent",
    command: ["kubectl"],
    args: [...args, "--namespace=$(POD_NAMESPACE)"],
    env: [{ name: "HOME", value: KUBECTL_HOME }, POD_NAMESPACE, ...env],
    volumeMounts: [{ name: "kubectl-home", mountPath: KUBECTL_HOME }],
    securityContext: RESTRICTED_CONTAINER,
    resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
  };
}

/** A pod of the platform scaler: kubectl calls run in order, each after the previous succeeded. */
function scalerPod(
  step: string,
  serviceAccountName: string,
  calls: k8s.types.input.core.v1.Container[],
): k8s.types.input.core.v1.PodTemplateSpec {
  return {
    metadata: { labels: stepLabels(step) },
    spec: {
      serviceAccountName,
      // Every container here talks to the API server: the token is what they run on.
      automountServiceAccountToken: true,
      restartPolicy: "Never",
      securityContext: STEP_POD_SECURITY,
      volumes: [{ name: "kubectl-home", emptyDir: { sizeLimit: "64Mi" } }],
      initContainers: calls.slice(0, -1),
      containers: calls.slice(-1),
    },
  };
}

/** Step 1's pod: scale the platform to 0, then wait until its pod no longer exists. */
export function platformDownPod(
  platform: PlatformObjectsSpec,
  serviceAccountName: string,
  image: string,
): k8s.types.input.core.v1.PodTemplateSpec {
  return scalerPod(UPGRADE_STEP_NAMES.platformDown, serviceAccountName, [
    kubectl("scale-down", image, ["scale", `statefulset/${platform.statefulSet}`, "--replicas=0"]),
    kubectl("wait-gone", image, [
      "wait",
      "--for=delete",
      `pod/${platform.pod}`,
      `--timeout=${PLATFORM_DOWN_SECONDS - 60}s`,
    ]),
  ]);
}

/**
 * Step 5's pod: scale the platform back to the replicas recorded before step 1, wait for the
 * StatefulSet controller to create its pod, then for the pod to be ready (kubectl 1.31 or later,
 * for `--for=create`).
 */
export function platformUpPod(
  platform: PlatformObjectsSpec,
  serviceAccountName: string,
  image: string,
  replicasConfigMap: string,
): k8s.types.input.core.v1.PodTemplateSpec {
  const replicas = {
    name: "REPLICAS",
    valueFrom: { configMapKeyRef: { name: replicasConfigMap, key: REPLICAS_KEY } },
  };
  return scalerPod(UPGRADE_STEP_NAMES.platformUp, serviceAccountName, [
    kubectl(
      "scale-up",
      image,
      ["scale", `statefulset/${platform.statefulSet}`, "--replicas=$(REPLICAS)"],
      [replicas],
    ),
    kubectl("wait-created", image, [
      "wait",
      "--for=create",
      `pod/${platform.pod}`,
      `--timeout=${PLATFORM_CREATED_SECONDS}s`,
    ]),
    kubectl("wait-ready", image, [
      "wait",
      "--for=condition=Ready",
      `pod/${platform.pod}`,
      `--timeout=${PLATFORM_READY_SECONDS}s`,
    ]),
  ]);
}

/** What step 3's pod is told: where to back up from and to, and how to tag and keep the result. */
export interface FileSystemBackupEnv {
  fileSystemArn: pulumi.Input<string>;
  vaultName: pulumi.Input<string>;
  backupRoleArn: pulumi.Input<string>;
  region: pulumi.Input<string>;
  retentionDays: number;
  recoveryPointTags: Tags;
}

/** Step 3's pod: the AWS CLI under the Job's own IAM role; it never talks to the Kubernetes API. */
export function fileSystemBackupPod(
  serviceAccountName: string,
  image: string,
  env: FileSystemBackupEnv,
): k8s.types.input.core.v1.PodTemplateSpec {
  const sortedTags = Object.fromEntries(
    Object.entries(env.recoveryPointTags).sort(([a], [b]) => a.localeCompare(b)),
  );
  return {
    metadata: { labels: stepLabels(UPGRADE_STEP_NAMES.fileSystemBackup) },
    spec: {
      serviceAccountName,
      // IRSA and Pod Identity mount their own token; the Kubernetes API token is not needed.
      automountServiceAccountToken: false,
      restartPolicy: "Never",
      securityContext: STEP_POD_SECURITY,
      volumes: [{ name: "aws-home", emptyDir: { sizeLimit: "64Mi" } }],
      containers: [
        {
          name: "back-up-file-system",
          image,
          imagePullPolicy: "IfNotPresent",
          command: ["/bin/sh", "-c", FILE_SYSTEM_BACKUP_SCRIPT],
          env: [
            { name: "FILE_SYSTEM_ARN", value: env.fileSystemArn },
            { name: "VAULT_NAME", value: env.vaultName },
            { name: "BACKUP_ROLE_ARN", value: env.backupRoleArn },
            { name: "RETENTION_DAYS", value: String(env.retentionDays) },
            { name: "COMPLETE_WINDOW_MINUTES", value: String(FILE_SYSTEM_BACKUP_SECONDS / 60) },
            { name: "RECOVERY_POINT_TAGS", value: JSON.stringify(sortedTags) },
            {
              name: "IDEMPOTENCY_TOKEN",
              valueFrom: {
                fieldRef: {
                  apiVersion: "v1",
                  fieldPath: "metadata.labels['batch.kubernetes.io/controller-uid']",
                },
              },
            },
            { name: "AWS_REGION", value: env.region },
            { name: "AWS_DEFAULT_REGION", value: env.region },
            // Never fall back to the node's instance role when the pod's own role is missing.
            { name: "AWS_EC2_METADATA_DISABLED", value: "true" },
            { name: "AWS_PAGER", value: "" },
            { name: "HOME", value: AWS_HOME },
            // The root file system is read-only; anything temporary goes to the HOME volume.
            { name: "TMPDIR", value: AWS_HOME },
          ],
          volumeMounts: [{ name: "aws-home", mountPath: AWS_HOME }],
          securityContext: RESTRICTED_CONTAINER,
          resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "256Mi" } },
        },
      ],
    },
  };
}

/** A step Job: bounded by its deadline, retried once, re-run by the next `pulumi up` if it failed. */
export function stepJobSpec(
  deadlineSeconds: number,
  template: k8s.types.input.core.v1.PodTemplateSpec,
): k8s.types.input.batch.v1.JobSpec {
  return { backoffLimit: 1, activeDeadlineSeconds: deadlineSeconds, template };
}

/** Pulumi waits a little longer than the Job's deadline, so the Job's own failure is what it reports. */
export function stepTimeout(deadlineSeconds: number): string {
  return `${Math.ceil(deadlineSeconds / 60) + 5}m`;
}

/** The recorded replicas: what the platform ran with, or 1 (the vendor's) if it was already stopped. */
export function replicasToRestore(replicas: number | undefined): string {
  return String(replicas !== undefined && replicas > 0 ? replicas : 1);
}

/** The region of an ARN (`arn:aws:<service>:<region>:…`). */
function arnRegion(arn: string): string {
  return arn.split(":")[3] ?? "";
}

function present<T>(...items: (T | undefined)[]): T[] {
  return items.filter((item) => item !== undefined);
}

/** The objects steps 1 and 5 share: the scaler's account and role, and the replicas record. */
interface PlatformScaler {
  account: k8s.core.v1.ServiceAccount;
  binding: k8s.rbac.v1.RoleBinding;
  replicas: k8s.core.v1.ConfigMap;
  down: k8s.batch.v1.Job;
}

/**
 * The upgrade's steps around the release (see the top of this file). Construct it before the
 * release, make the release depend on `beforeRelease`, then call `startPlatformAfter(release)`.
 */
export class UpgradeSteps extends pulumi.ComponentResource {
  /** Identifier of the pre-upgrade DB snapshot (empty without one). */
  public readonly snapshotIdentifier: pulumi.Output<string>;
  /** What the release waits for: the platform stopped, the database and file system backed up. */
  public readonly beforeRelease: pulumi.Resource[];
  private readonly spec: UpgradeStepsSpec;
  private readonly stepName: string;
  private readonly scaler?: PlatformScaler;

  constructor(
    name: string,
    args: UpgradeStepsArgs | Validated<UpgradeStepsSpec>,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    const spec = args instanceof Validated ? args.spec : resolveUpgradeStepsArgs(args);
    super("usage-engine:index:UpgradeSteps", name, {}, opts);
    this.spec = spec;
    this.stepName = name;

    this.scaler = spec.shutdown ? this.platformDown(spec.shutdown) : undefined;
    const down = this.scaler?.down;
    const snapshot = spec.snapshot
      ? new PreUpgradeSnapshot(
          `${name}-${UPGRADE_STEP_NAMES.databaseSnapshot}`,
          {
            instanceId: spec.snapshot.instanceId,
            fromVersion: spec.fromVersion,
            toVersion: spec.toVersion,
            tags: spec.tags,
          },
          { parent: this, dependsOn: present(down) },
        )
      : undefined;
    const backup = spec.fileSystemBackup
      ? this.fileSystemBackup(spec.fileSystemBackup, present<pulumi.Resource>(down, snapshot))
      : undefined;
    this.beforeRelease = present<pulumi.Resource>(down, snapshot, backup);
    this.snapshotIdentifier = snapshot?.snapshotIdentifier ?? pulumi.output("");
    this.registerOutputs({ snapshotIdentifier: this.snapshotIdentifier });
  }

  /**
   * Step 5, after `release`: scale the platform back to its recorded replicas and wait until its
   * pod is ready. Nothing without the shutdown step (the platform was never stopped).
   */
  public startPlatformAfter(release: pulumi.Resource): k8s.batch.v1.Job | undefined {
    const platform = this.spec.shutdown;
    if (!platform || !this.scaler) return undefined;
    const { account, binding, replicas } = this.scaler;
    const step = UPGRADE_STEP_NAMES.platformUp;
    return new k8s.batch.v1.Job(
      `${this.stepName}-${step}`,
      {
        metadata: this.metadata(step, { "pulumi.com/replaceUnready": "true" }),
        spec: stepJobSpec(
          PLATFORM_UP_SECONDS,
          platformUpPod(
            platform,
            this.objectName(UPGRADE_STEP_NAMES.platformScaler),
            this.spec.images.kubectl,
            this.objectName(UPGRADE_STEP_NAMES.platformReplicas),
          ),
        ),
      },
      {
        parent: this,
        dependsOn: [release, account, binding, replicas],
        customTimeouts: {
          create: stepTimeout(PLATFORM_UP_SECONDS),
          update: stepTimeout(PLATFORM_UP_SECONDS),
        },
      },
    );
  }

  private objectName(step: string): string {
    return stepObjectName(this.spec.releaseName, this.spec.fromVersion, this.spec.toVersion, step);
  }

  private metadata(step: string, annotations?: Record<string, string>): k8s.types.input.meta.v1.ObjectMeta {
    return {
      name: this.objectName(step),
      namespace: this.spec.namespace,
      labels: stepLabels(step),
      annotations,
    };
  }

  /** Step 1 and what steps 1 and 5 share: the scaler's RBAC and the record of the replicas. */
  private platformDown(platform: PlatformObjectsSpec): PlatformScaler {
    const n = this.stepName;
    const opts = { parent: this };
    const scaler = UPGRADE_STEP_NAMES.platformScaler;
    const account = new k8s.core.v1.ServiceAccount(
      `${n}-${scaler}`,
      { metadata: this.metadata(scaler), automountServiceAccountToken: false },
      opts,
    );
    const role = new k8s.rbac.v1.Role(
      `${n}-${scaler}`,
      { metadata: this.metadata(scaler), rules: platformScalerRules(platform) },
      opts,
    );
    const binding = new k8s.rbac.v1.RoleBinding(
      `${n}-${scaler}`,
      {
        metadata: this.metadata(scaler),
        subjects: [{ kind: "ServiceAccount", name: account.metadata.name, namespace: this.spec.namespace }],
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: role.metadata.name },
      },
      opts,
    );
    // The replicas are read before the platform goes down and written once: a `pulumi up` rerun
    // after a failed release (platform at 0) keeps the count from before the upgrade.
    const live = k8s.apps.v1.StatefulSet.get(
      `${n}-platform`,
      `${this.spec.namespace}/${platform.statefulSet}`,
      opts,
    );
    const record = UPGRADE_STEP_NAMES.platformReplicas;
    const replicas = new k8s.core.v1.ConfigMap(
      `${n}-${record}`,
      {
        metadata: this.metadata(record),
        data: { [REPLICAS_KEY]: live.spec.apply((s) => replicasToRestore(s?.replicas)) },
      },
      { ...opts, ignoreChanges: ["data"] },
    );
    const step = UPGRADE_STEP_NAMES.platformDown;
    const down = new k8s.batch.v1.Job(
      `${n}-${step}`,
      {
        metadata: this.metadata(step, { "pulumi.com/replaceUnready": "true" }),
        spec: stepJobSpec(
          PLATFORM_DOWN_SECONDS,
          platformDownPod(platform, this.objectName(scaler), this.spec.images.kubectl),
        ),
      },
      {
        ...opts,
        dependsOn: [account, role, binding, replicas, ...this.spec.shutdownAfter],
        customTimeouts: {
          create: stepTimeout(PLATFORM_DOWN_SECONDS),
          update: stepTimeout(PLATFORM_DOWN_SECONDS),
        },
      },
    );
    return { account, binding, replicas, down };
  }

  /** Step 3: the on-demand AWS Backup job of the file system, run by a Job under its own IAM role. */
  private fileSystemBackup(
    target: NonNullable<UpgradeStepsSpec["fileSystemBackup"]>,
    after: pulumi.Resource[],
  ): k8s.batch.v1.Job {
    const n = this.stepName;
    const step = UPGRADE_STEP_NAMES.fileSystemBackup;
    const accountName = this.objectName(step);
    const role = workloadRole(
      `${n}-${step}`,
      {
        identity: target.identity,
        serviceAccount: { namespace: this.spec.namespace, name: accountName },
        policy: fileSystemBackupPolicy(target.vaultArn, target.backupRoleArn),
        policyName: "backup",
        description: `UEPE upgrade ${this.spec.fromVersion} to ${this.spec.toVersion}: on-demand AWS Backup of the file system`,
        tags: this.spec.tags,
      },
      this,
    );
    const annotations =
      role && target.identity.mode === "irsa" ? { [IRSA_ROLE_ANNOTATION]: role.role.arn } : undefined;
    const account = new k8s.core.v1.ServiceAccount(
      `${n}-${step}`,
      {
        metadata: { ...this.metadata(step), annotations },
        automountServiceAccountToken: false,
      },
      { parent: this },
    );
    const tags = {
      ...withTags(this.spec.tags, this.objectName(step)),
      "uepe-version": this.spec.fromVersion,
      "uepe-upgrade-to": this.spec.toVersion,
    };
    return new k8s.batch.v1.Job(
      `${n}-${step}`,
      {
        metadata: this.metadata(step, { "pulumi.com/replaceUnready": "true" }),
        spec: stepJobSpec(
          FILE_SYSTEM_BACKUP_SECONDS,
          fileSystemBackupPod(accountName, this.spec.images.awsCli, {
            fileSystemArn: target.fileSystemArn,
            vaultName: target.vaultName,
            backupRoleArn: target.backupRoleArn,
            region: pulumi.output(target.vaultArn).apply(arnRegion),
            retentionDays: target.retentionDays,
            recoveryPointTags: tags,
          }),
        ),
      },
      {
        parent: this,
        // Pod Identity credentials are injected when a pod starts: the association comes first.
        dependsOn: [account, ...(role?.ready ?? []), ...after],
        customTimeouts: {
          create: stepTimeout(FILE_SYSTEM_BACKUP_SECONDS),
          update: stepTimeout(FILE_SYSTEM_BACKUP_SECONDS),
        },
      },
    );
  }
}
