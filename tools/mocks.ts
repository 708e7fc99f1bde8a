/**
 * The mocked deployment, shared by the tests (through test/harness.ts), `npm run plan` and the
 * benchmark: runs programs under `pulumi.runtime.setMocks` with a provider model that answers the
 * way AWS, Kubernetes and random do (ids, ARNs, endpoints, generated passwords), and records
 * every registration with the options the engine would see (protect, retainOnDelete,
 * dependencies, secret-ness of each input). Add a model here when the package creates a new
 * resource type, shaped like the real provider's answer.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import * as settings from "@pulumi/pulumi/runtime/settings";

export const ACCOUNT = "123456789012";
export const REGION = "eu-west-1";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const SIG_KEY = "4dabf18193072939515e22adb298388d";

/** One resource registration as the engine would receive it. */
export interface Recorded {
  type: string;
  name: string;
  urn: string;
  parent: string;
  custom: boolean;
  /** Inputs with secrets unwrapped (what the provider would get). */
  inputs: Record<string, unknown>;
  /** Inputs as serialized: secrets are wrapped in Pulumi's secret signature. */
  raw: unknown;
  protect: boolean;
  retainOnDelete: boolean;
  ignoreChanges: string[];
  /** URNs this resource waits for (explicit dependsOn and data dependencies). */
  dependencies: string[];
  /** Provider reference (`<provider urn>::<id>`) the resource is created with; empty for a default provider. */
  provider: string;
  /** Order in which registration finished (provider "created" it). */
  finishedSeq: number;
  /** Order in which the provider was asked to create it. */
  startedSeq: number;
  /** State the provider answered with (secrets unwrapped), e.g. a RandomPassword's `result`. */
  outputs: Record<string, unknown>;
  /** performance.now() when the engine was asked to create it (its inputs had resolved). */
  startedAt: number;
  /** performance.now() when the provider answered. */
  finishedAt: number;
}

/** Component outputs registered with registerOutputs, raw (secret-marked). */
export interface RecordedOutputs {
  urn: string;
  raw: unknown;
}

export const recorded: Recorded[] = [];
export const recordedOutputs: RecordedOutputs[] = [];
let seq = 0;
let inflight = 0;
/**
 * Provisioning delay in ms, by type token or by `type::name` for one resource (which wins); used
 * by ordering tests and the benchmark.
 */
export const delays: Record<string, number> = {};
/**
 * Objects that already exist in the cloud or the cluster, by `type::id`: what a read (`X.get()`)
 * answers, e.g. the live platform StatefulSet an upgrade reads its replicas from. A read of
 * anything not listed answers the generic model.
 */
export const existing: Record<string, Record<string, unknown>> = {};

export function hash(text: string, length = 17): string {
  return createHash("sha256").update(text).digest("hex").slice(0, length);
}

/** What the mocked `aws.ecr.getAuthorizationToken` answers: base64 of `AWS:<token>`, a secret. */
export const ECR_AUTHORIZATION_TOKEN = Buffer.from(`AWS:ecr-token-${hash("token", 40)}`).toString("base64");

/** A deterministic password shaped like random.RandomPassword's result for these inputs. */
function mockPassword(name: string, inputs: Record<string, unknown>): string {
  const length = Number(inputs.length ?? 16);
  const specials = inputs.special === false ? "" : String(inputs.overrideSpecial ?? "!@#$%&*()-_=+[]{}<>:?");
  const classes = ["abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "0123456789", specials].filter(
    Boolean,
  );
  const bytes = createHash("sha512").update(`password:${name}`).digest();
  let out = "";
  for (let i = 0; i < length; i++) {
    const set = i < classes.length ? classes[i] : classes.join("");
    out += set[bytes[i % bytes.length] % set.length];
  }
  return out;
}

type State = Record<string, unknown>;
/** CloudWatch alarm names taken in this deployment (one account and region). */
const alarmNames = new Set<string>();
type Model = (name: string, inputs: State) => { id: string; state: State };

/**
 * What the provider appends to a `namePrefix`: 26 characters, different for every stack and
 * resource (the real provider uses a timestamp and a counter), stable within one stack.
 */
function uniqueSuffix(name: string): string {
  return BigInt(`0x${hash(`${pulumi.getProject()}/${pulumi.getStack()}/${name}`, 24)}`)
    .toString()
    .padStart(26, "0")
    .slice(0, 26);
}

/** A request AWS refuses: the error code and message the API answers with. */
export interface Refusal {
  type: string;
  name: string;
  message: string;
}

/** Every create the model refused since the last reset (the registration fails, as it would). */
export const refused: Refusal[] = [];

/** A rule AWS enforces on create: the refusal message, or undefined when the request is accepted. */
type Rule = (inputs: State) => string | undefined;

const BACKUP_NAME = /^[a-zA-Z0-9\-_.]{1,50}$/;
const ALIAS_NAME = /^alias\/[a-zA-Z0-9/_-]+$/;
/** Alias names taken in the mocked account and region. */
const aliases = new Set<string>();

interface PolicyStatement {
  Effect?: string;
  Principal?: { AWS?: string | string[] } | string;
  Action?: string | string[];
  Condition?: unknown;
}

/**
 * KMS's lockout safety check: the new key policy must let the account (IAM, through the account
 * root principal) call kms:PutKeyPolicy unconditionally, or the key could never be managed again.
 */
function keyPolicyProblem(policy: unknown): string | undefined {
  if (policy === undefined) return undefined;
  let document: { Statement?: PolicyStatement[] };
  try {
    document = JSON.parse(String(policy));
  } catch {
    return "MalformedPolicyDocumentException: the key policy is not JSON";
  }
  const root = `arn:aws:iam::${ACCOUNT}:root`;
  const lets = (s: PolicyStatement) => {
    const principal = typeof s.Principal === "object" ? s.Principal.AWS : s.Principal;
    const principals = Array.isArray(principal) ? principal : [principal];
    const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
    return (
      s.Effect === "Allow" &&
      s.Condition === undefined &&
      principals.some((p) => p === root || p === ACCOUNT) &&
      actions.some((a) => a === "kms:*" || a === "kms:Put*" || a === "kms:PutKeyPolicy")
    );
  };
  if (!(document.Statement ?? []).some(lets))
    return "MalformedPolicyDocumentException: The new key policy will not allow you to update the key policy in the future.";
  return undefined;
}

interface PlanRule {
  ruleName?: string;
  startWindow?: number;
  completionWindow?: number;
}

/**
 * The API server's validation of a `kubernetes.io/dockerconfigjson` Secret: the `.dockerconfigjson`
 * key must be present and hold JSON (base64 in `data`, plain in `stringData`).
 */
function dockerConfigSecretProblem(given: State): string | undefined {
  // The Kubernetes SDK makes Secret data secret: the API server sees the plain values.
  const inputs = unwrapSecrets(given) as State;
  if (inputs.type !== "kubernetes.io/dockerconfigjson") return undefined;
  const key = ".dockerconfigjson";
  const data = (inputs.data as State | undefined)?.[key];
  const plain = (inputs.stringData as State | undefined)?.[key];
  if (data === undefined && plain === undefined) return `Secret is invalid: data[${key}]: Required value`;
  const text = plain !== undefined ? String(plain) : Buffer.from(String(data), "base64").toString();
  // A value still unknown in a preview is checked when it is known.
  if ([plain, data].includes(pulumi.runtime.unknownValue)) return undefined;
  try {
    JSON.parse(text);
  } catch {
    return `Secret is invalid: data[${key}]: Invalid value: "<secret contents redacted>": invalid character`;
  }
  return undefined;
}

/** Log groups in the mocked account and region: RDS creates its export's group if it is missing. */
const logGroups = new Set<string>();
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];
const POSTGRES_LOG_EXPORTS = ["postgresql", "upgrade", "iam-db-auth-error"];

const rules: Record<string, Rule> = {
  "aws:cloudwatch/logGroup:LogGroup": (inputs) => {
    if (inputs.retentionInDays !== undefined && !LOG_RETENTION_DAYS.includes(Number(inputs.retentionInDays)))
      return `InvalidParameterException: retentionInDays ${inputs.retentionInDays} is not a valid retention period`;
    if (inputs.name !== undefined && logGroups.has(String(inputs.name)))
      return `ResourceAlreadyExistsException: The specified log group already exists: ${inputs.name}`;
    return undefined;
  },
  "kubernetes:core/v1:Secret": dockerConfigSecretProblem,
  "aws:kms/key:Key": (inputs) => {
    const window = Number(inputs.deletionWindowInDays ?? 30);
    if (!(window >= 7 && window <= 30))
      return `ValidationException: PendingWindowInDays ${window} must be between 7 and 30`;
    return keyPolicyProblem(inputs.policy);
  },
  "aws:kms/alias:Alias": (inputs) => {
    const aliasName = String(inputs.name ?? inputs.namePrefix);
    if (!ALIAS_NAME.test(aliasName) || aliasName.length > 256)
      return `ValidationException: alias name ${aliasName} must be alias/ followed by letters, digits, '/', '_' or '-'`;
    if (aliasName.startsWith("alias/aws/"))
      return `NotAuthorizedException: ${aliasName}: alias/aws/ is reserved for AWS managed keys`;
    if (inputs.name !== undefined && aliases.has(aliasName))
      return `AlreadyExistsException: An alias with the name ${aliasName} already exists`;
    return undefined;
  },
  "aws:backup/plan:Plan": (inputs) => {
    if (!BACKUP_NAME.test(String(inputs.name)))
      return `InvalidParameterValueException: plan name ${inputs.name}`;
    const planRules = (inputs.rules as PlanRule[] | undefined) ?? [];
    const names = planRules.map((r) => String(r.ruleName));
    if (names.some((n) => !BACKUP_NAME.test(n)) || new Set(names).size !== names.length)
      return `InvalidParameterValueException: rule names ${names.join(", ")} must be 1-50 of [a-zA-Z0-9-_.] and distinct`;
    const early = planRules.find((r) => r.startWindow !== undefined && r.startWindow < 60);
    if (early)
      return `InvalidParameterValueException: rule ${early.ruleName}: start window must be at least 60 minutes`;
    return undefined;
  },
  // PutBackupVaultLockConfiguration: retention 1-36500 days, min <= max; ChangeableForDays (which
  // makes the lock compliance mode) at least 3.
  "aws:backup/vaultLockConfiguration:VaultLockConfiguration": (inputs) => {
    const min = inputs.minRetentionDays === undefined ? undefined : Number(inputs.minRetentionDays);
    const max = inputs.maxRetentionDays === undefined ? undefined : Number(inputs.maxRetentionDays);
    for (const [key, days] of [
      ["MinRetentionDays", min],
      ["MaxRetentionDays", max],
    ] as const)
      if (days !== undefined && !(Number.isInteger(days) && days >= 1 && days <= 36500))
        return `InvalidParameterValueException: ${key} ${days} must be between 1 and 36500`;
    if (min !== undefined && max !== undefined && min > max)
      return `InvalidParameterValueException: MinRetentionDays ${min} exceeds MaxRetentionDays ${max}`;
    if (inputs.changeableForDays !== undefined && !(Number(inputs.changeableForDays) >= 3))
      return `InvalidParameterValueException: ChangeableForDays ${inputs.changeableForDays} must be at least 3`;
    return undefined;
  },
  "aws:backup/vaultPolicy:VaultPolicy": (inputs) => {
    try {
      JSON.parse(String(inputs.policy));
    } catch {
      return "MalformedPolicyDocumentException: the vault access policy is not JSON";
    }
    return undefined;
  },
  "aws:backup/selection:Selection": (inputs) =>
    BACKUP_NAME.test(String(inputs.name))
      ? undefined
      : `InvalidParameterValueException: selection name ${inputs.name}`,
  "aws:efs/fileSystem:FileSystem": (inputs) =>
    inputs.kmsKeyId !== undefined && inputs.encrypted !== true
      ? "BadRequest: a KmsKeyId requires Encrypted to be true"
      : undefined,
  "aws:rds/instance:Instance": (inputs) => {
    if (inputs.kmsKeyId !== undefined && inputs.storageEncrypted !== true)
      return "InvalidParameterCombination: a KmsKeyId requires StorageEncrypted";
    const exports = (inputs.enabledCloudwatchLogsExports as string[] | undefined) ?? [];
    const unknownExport = exports.find((e) => !POSTGRES_LOG_EXPORTS.includes(e));
    if (unknownExport !== undefined)
      return `InvalidParameterCombination: You cannot use the log type ${unknownExport} with engine postgres`;
    if (inputs.performanceInsightsKmsKeyId !== undefined && inputs.performanceInsightsEnabled !== true)
      return "InvalidParameterCombination: a Performance Insights KMS key requires Performance Insights enabled";
    return undefined;
  },
};

const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;

/** What each provider returns on create, by type token. */
const models: Record<string, Model> = {
  "aws:rds/instance:Instance": (_name, inputs) => {
    const id = String(inputs.identifier);
    // The first export creates the log group (never expiring) unless it exists already.
    for (const log of (inputs.enabledCloudwatchLogsExports as string[] | undefined) ?? [])
      logGroups.add(`/aws/rds/instance/${id}/${log}`);
    const address = `${id}.c${hash(id, 11)}.${REGION}.rds.amazonaws.com`;
    return {
      id,
      state: {
        ...inputs,
        address,
        port: 5432,
        endpoint: `${address}:5432`,
        arn: arn("rds", `db:${id}`),
        engineVersionActual: `${inputs.engineVersion}.4`,
        resourceId: `db-${hash(id, 26).toUpperCase()}`,
      },
    };
  },
  "aws:rds/subnetGroup:SubnetGroup": (_n, inputs) => ({
    id: String(inputs.name),
    state: { ...inputs, arn: arn("rds", `subgrp:${inputs.name}`) },
  }),
  "aws:rds/parameterGroup:ParameterGroup": (_n, inputs) => ({
    id: String(inputs.name),
    state: { ...inputs, arn: arn("rds", `pg:${inputs.name}`) },
  }),
  "aws:rds/snapshot:Snapshot": (_n, inputs) => ({
    id: String(inputs.dbSnapshotIdentifier),
    state: { ...inputs, dbSnapshotArn: arn("rds", `snapshot:${inputs.dbSnapshotIdentifier}`) },
  }),
  "aws:ec2/securityGroup:SecurityGroup": (name, inputs) => {
    const id = `sg-${hash(name)}`;
    return {
      id,
      state: { ...inputs, arn: arn("ec2", `security-group/${id}`), name: `${name}-${hash(name, 7)}` },
    };
  },
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": (name, inputs) => ({
    id: `sgr-${hash(name)}`,
    state: { ...inputs },
  }),
  "aws:efs/fileSystem:FileSystem": (name, inputs) => {
    const id = `fs-${hash(name)}`;
    return {
      id,
      state: {
        ...inputs,
        arn: arn("elasticfilesystem", `file-system/${id}`),
        dnsName: `${id}.efs.${REGION}.amazonaws.com`,
      },
    };
  },
  "aws:efs/mountTarget:MountTarget": (name, inputs) => ({ id: `fsmt-${hash(name)}`, state: { ...inputs } }),
  "aws:efs/accessPoint:AccessPoint": (name, inputs) => {
    const id = `fsap-${hash(name)}`;
    return { id, state: { ...inputs, arn: arn("elasticfilesystem", `access-point/${id}`) } };
  },
  "aws:kms/key:Key": (name, inputs) => {
    const id = `${hash(name, 8)}-${hash(`${name}1`, 4)}-${hash(`${name}2`, 4)}-${hash(`${name}3`, 4)}-${hash(`${name}4`, 12)}`;
    return { id, state: { ...inputs, keyId: id, arn: arn("kms", `key/${id}`) } };
  },
  "aws:backup/vault:Vault": (_n, inputs) => ({
    id: String(inputs.name),
    state: { ...inputs, arn: arn("backup", `backup-vault:${inputs.name}`) },
  }),
  "aws:backup/plan:Plan": (name, inputs) => {
    const id = `${hash(name, 8)}-${hash(`${name}a`, 4)}-${hash(`${name}b`, 4)}-${hash(`${name}c`, 4)}-${hash(`${name}d`, 12)}`;
    return {
      id,
      state: { ...inputs, arn: arn("backup", `backup-plan:${id}`), version: hash(`${name}v`, 32) },
    };
  },
  "aws:backup/selection:Selection": (name, inputs) => ({ id: hash(name, 36), state: { ...inputs } }),
  "aws:kms/alias:Alias": (name, inputs) => {
    const aliasName = String(inputs.name ?? `${inputs.namePrefix}${uniqueSuffix(name)}`);
    return { id: aliasName, state: { ...inputs, name: aliasName, arn: arn("kms", aliasName) } };
  },
  "aws:efs/fileSystemPolicy:FileSystemPolicy": (_n, inputs) => ({
    id: String(inputs.fileSystemId),
    state: { ...inputs },
  }),
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": (name, inputs) => ({
    id: `${inputs.role}-${hash(name, 26)}`,
    state: { ...inputs },
  }),
  "aws:eks/addon:Addon": (_n, inputs) => ({
    id: `${inputs.clusterName}:${inputs.addonName}`,
    state: {
      ...inputs,
      addonVersion: inputs.addonVersion ?? "v2.1.4-eksbuild.1",
      arn: arn(
        "eks",
        `addon/${inputs.clusterName}/${inputs.addonName}/${hash(String(inputs.clusterName), 8)}`,
      ),
    },
  }),
  "aws:iam/role:Role": (name, inputs) => {
    const roleName = String(inputs.name ?? `${name}-${hash(name, 7)}`);
    return {
      id: roleName,
      state: { ...inputs, name: roleName, arn: `arn:aws:iam::${ACCOUNT}:role/${roleName}` },
    };
  },
  "aws:ec2/vpc:Vpc": (name, inputs) => {
    const id = `vpc-${hash(name)}`;
    return {
      id,
      state: {
        ...inputs,
        arn: arn("ec2", `vpc/${id}`),
        defaultSecurityGroupId: `sg-${hash(`${name}default`)}`,
      },
    };
  },
  "aws:ec2/subnet:Subnet": (name, inputs) => {
    const id = `subnet-${hash(name)}`;
    return { id, state: { ...inputs, arn: arn("ec2", `subnet/${id}`) } };
  },
  "aws:eks/cluster:Cluster": (name, inputs) => {
    // Auto-named like the AWS provider does: the logical name plus a random suffix.
    const clusterName = String(inputs.name ?? `${name}-${hash(name, 7)}`);
    const vpcConfig = { ...((inputs.vpcConfig as State | undefined) ?? {}) };
    vpcConfig.clusterSecurityGroupId = `sg-${hash(`${clusterName}cluster`)}`;
    return {
      id: clusterName,
      state: {
        ...inputs,
        name: clusterName,
        arn: arn("eks", `cluster/${clusterName}`),
        endpoint: `https://${hash(clusterName, 32).toUpperCase()}.gr7.${REGION}.eks.amazonaws.com`,
        certificateAuthority: { data: Buffer.from(`ca-of-${clusterName}`).toString("base64") },
        vpcConfig,
      },
    };
  },
  "aws:iam/rolePolicy:RolePolicy": (name, inputs) => {
    const policyName = String(inputs.name ?? `${name}-${hash(name, 7)}`);
    return { id: `${inputs.role}:${policyName}`, state: { ...inputs, name: policyName } };
  },
  "aws:eks/podIdentityAssociation:PodIdentityAssociation": (name, inputs) => {
    const associationId = `a-${hash(name, 17)}`;
    return {
      id: `${inputs.clusterName},${associationId}`,
      state: {
        ...inputs,
        associationId,
        associationArn: arn("eks", `podidentityassociation/${inputs.clusterName}/${associationId}`),
      },
    };
  },
  "aws:sns/topic:Topic": (name, inputs) => {
    // Auto-named like the AWS provider does: the logical name plus a random suffix.
    const topicName = String(inputs.name ?? `${name}-${hash(name, 7)}`);
    const topicArn = arn("sns", topicName);
    return { id: topicArn, state: { ...inputs, name: topicName, arn: topicArn, owner: ACCOUNT } };
  },
  "aws:sns/topicPolicy:TopicPolicy": (_n, inputs) => ({
    id: String(inputs.arn),
    state: { ...inputs, owner: ACCOUNT },
  }),
  "aws:sns/topicSubscription:TopicSubscription": (name, inputs) => {
    const subscriptionArn = `${inputs.topic}:${hash(name, 8)}-${hash(`${name}a`, 4)}-${hash(`${name}b`, 4)}-${hash(`${name}c`, 4)}-${hash(`${name}d`, 12)}`;
    return {
      id: subscriptionArn,
      state: {
        ...inputs,
        arn: subscriptionArn,
        ownerId: ACCOUNT,
        // E-mail endpoints stay pending until the recipient confirms.
        pendingConfirmation: inputs.protocol === "email" || inputs.protocol === "email-json",
        confirmationWasAuthenticated: false,
      },
    };
  },
  "aws:cloudwatch/metricAlarm:MetricAlarm": (name, inputs) => {
    const alarmName = String(inputs.name ?? `${name}-${hash(name, 7)}`);
    // PutMetricAlarm would silently overwrite the other alarm of that name (one per account and
    // region); the model fails instead, so a test sees two alarms fighting over one name.
    if (alarmNames.has(alarmName))
      throw new Error(
        `an alarm named ${alarmName} already exists in ${ACCOUNT}/${REGION}: alarm names are unique`,
      );
    alarmNames.add(alarmName);
    return {
      id: alarmName,
      state: { ...inputs, name: alarmName, arn: arn("cloudwatch", `alarm:${alarmName}`) },
    };
  },
  "aws:cloudwatch/logGroup:LogGroup": (name, inputs) => {
    const groupName = String(inputs.name ?? `${name}-${hash(name, 7)}`);
    logGroups.add(groupName);
    return {
      id: groupName,
      state: { ...inputs, name: groupName, arn: arn("logs", `log-group:${groupName}`) },
    };
  },
  "aws:backup/vaultNotifications:VaultNotifications": (_n, inputs) => ({
    id: String(inputs.backupVaultName),
    state: { ...inputs, backupVaultArn: arn("backup", `backup-vault:${inputs.backupVaultName}`) },
  }),
  "aws:rds/eventSubscription:EventSubscription": (name, inputs) => {
    const subscriptionName = String(inputs.name ?? `${name}-${hash(name, 7)}`);
    return {
      id: subscriptionName,
      state: {
        ...inputs,
        name: subscriptionName,
        arn: arn("rds", `es:${subscriptionName}`),
        customerAwsId: ACCOUNT,
      },
    };
  },
  "random:index/randomPassword:RandomPassword": (name, inputs) => ({
    id: "none",
    state: { ...inputs, result: mockPassword(name, inputs), bcryptHash: `$2a$10$${hash(name, 53)}` },
  }),
  "kubernetes:helm.sh/v3:Release": (name, inputs) => {
    const releaseName = String(inputs.name ?? `${name}-${hash(name, 8)}`);
    return {
      id: `${inputs.namespace ?? "default"}/${releaseName}`,
      state: {
        ...inputs,
        name: releaseName,
        status: {
          status: "deployed",
          name: releaseName,
          namespace: inputs.namespace,
          version: inputs.version,
        },
      },
    };
  },
};

/**
 * Kubernetes objects: the API server echoes the object, fills in a generated name and sets a
 * resourceVersion, a numeric revision that differs whenever the written object differs.
 */
function kubernetesModel(name: string, inputs: State): { id: string; state: State } {
  const metadata = { ...((inputs.metadata as State | undefined) ?? {}) };
  metadata.name ??= `${name}-${hash(name, 8)}`;
  metadata.resourceVersion = String(Number.parseInt(hash(`${name}:${JSON.stringify(inputs)}`, 8), 16));
  metadata.uid = `${hash(name, 8)}-${hash(`${name}u`, 4)}-4${hash(`${name}v`, 3)}-a${hash(`${name}w`, 3)}-${hash(`${name}x`, 12)}`;
  const id = metadata.namespace ? `${metadata.namespace}/${metadata.name}` : String(metadata.name);
  return { id, state: { ...inputs, metadata } };
}

/** What AWS would answer a create of `type` with these inputs: the refusal, or undefined when accepted. */
export function refusalOf(type: string, inputs: State): string | undefined {
  return rules[type]?.(inputs);
}

function respond(args: pulumi.runtime.MockResourceArgs): { id: string; state: State } {
  const problem = refusalOf(args.type, args.inputs);
  if (problem !== undefined) {
    refused.push({ type: args.type, name: args.name, message: problem });
    throw new Error(problem);
  }
  if (args.type === "aws:kms/alias:Alias") {
    const answer = models[args.type](args.name, args.inputs);
    aliases.add(answer.id);
    return answer;
  }
  const model = models[args.type];
  if (model) return model(args.name, args.inputs);
  if (args.type.startsWith("kubernetes:")) return kubernetesModel(args.name, args.inputs);
  return { id: `${args.name}-${hash(args.name, 8)}`, state: { ...args.inputs } };
}

/**
 * Availability Zone of each subnet the model knows. Subnets not listed are placed round-robin over
 * the region's zones in the order they are first described, as a VPC with one private subnet per
 * zone would be; tests that need two subnets in one zone list them here.
 */
export const subnetZones: Record<string, string> = {};
const placedSubnets: string[] = [];

/** ec2:DescribeSubnets for one subnet id, the fields getSubnet returns that the package reads. */
function describeSubnet(id: string): State {
  if (!/^subnet-[0-9a-f]{8,17}$/.test(id)) throw new Error(`InvalidSubnetID.Malformed: ${id}`);
  if (!(id in subnetZones) && !placedSubnets.includes(id)) placedSubnets.push(id);
  const zone = subnetZones[id] ?? `${REGION}${"abc"[placedSubnets.indexOf(id) % 3]}`;
  return {
    id,
    arn: arn("ec2", `subnet/${id}`),
    availabilityZone: zone,
    state: "available",
  };
}

const mocks: pulumi.runtime.Mocks = {
  newResource: async (args) => {
    const delay = delays[`${args.type}::${args.name}`] ?? delays[args.type] ?? 0;
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const live = args.id ? existing[`${args.type}::${args.id}`] : undefined;
    if (args.id && live) return { id: args.id, state: { ...args.inputs, ...live } };
    return respond(args);
  },
  call: (args) => {
    if (args.token === "aws:ecr/getAuthorizationToken:getAuthorizationToken") {
      return {
        authorizationToken: ECR_AUTHORIZATION_TOKEN,
        expiresAt: "2026-11-24T00:00:00Z",
        proxyEndpoint: "https://x",
        userName: "AWS",
        password: "p",
      };
    }
    if (args.token === "aws:index/getRegion:getRegion") return { name: REGION, region: REGION, id: REGION };
    if (args.token === "aws:ec2/getSubnet:getSubnet") return describeSubnet(String(args.inputs.id));
    if (args.token === "aws:index/getCallerIdentity:getCallerIdentity")
      return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/test`, userId: "AIDA" };
    return args.inputs;
  },
};

type Callback = (err: unknown, response: unknown) => void;
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getObject(): { toJavaScript(): unknown } | undefined;
  getProtect(): boolean;
  getRetainondelete(): boolean;
  getIgnorechangesList(): string[];
  getDependenciesList(): string[];
  getProvider(): string;
}

/** Wraps the mock monitor so each registration is recorded with its options. */
function instrumentMonitor(): void {
  const monitor = settings.getMonitor() as unknown as {
    readResource(req: unknown, cb: Callback): void;
    registerResource(req: RegisterRequest, cb: Callback): void;
    registerResourceOutputs(
      req: { getUrn(): string; getOutputs(): { toJavaScript(): unknown } | undefined },
      cb: Callback,
    ): void;
  };
  // A read is in flight like a registration: settle() must wait for its answer too.
  const read = monitor.readResource.bind(monitor);
  monitor.readResource = (req, cb) => {
    inflight++;
    read(req, (err, response) => {
      inflight--;
      cb(err, response);
    });
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req, cb) => {
    inflight++;
    const startedSeq = seq++;
    const startedAt = performance.now();
    register(req, (err, response) => {
      inflight--;
      if (!err) {
        const raw = req.getObject()?.toJavaScript() ?? {};
        recorded.push({
          type: req.getType(),
          name: req.getName(),
          urn: (response as { getUrn(): string }).getUrn(),
          parent: req.getParent(),
          custom: req.getCustom(),
          inputs: unwrapSecrets(raw) as Record<string, unknown>,
          raw,
          protect: req.getProtect(),
          retainOnDelete: req.getRetainondelete(),
          ignoreChanges: req.getIgnorechangesList(),
          dependencies: req.getDependenciesList(),
          provider: req.getProvider(),
          startedSeq,
          finishedSeq: seq++,
          startedAt,
          finishedAt: performance.now(),
          outputs: unwrapSecrets(
            (response as { getObject(): { toJavaScript(): unknown } | undefined })
              .getObject()
              ?.toJavaScript() ?? {},
          ) as Record<string, unknown>,
        });
      }
      cb(err, response);
    });
  };
  const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req, cb) => {
    recordedOutputs.push({ urn: req.getUrn(), raw: req.getOutputs()?.toJavaScript() ?? {} });
    registerOutputs(req, cb);
  };
}

export function isSecretWrapper(value: unknown): value is { value: unknown } {
  return typeof value === "object" && value !== null && (value as State)[SIG_KEY] === SECRET_SIG;
}

/** Replaces secret wrappers by their values. */
export function unwrapSecrets(value: unknown): unknown {
  if (isSecretWrapper(value)) return unwrapSecrets(value.value);
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (typeof value === "object" && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unwrapSecrets(v)]));
  return value;
}

/** Every string (and object key) that is NOT inside a secret wrapper. */
export function plaintextStrings(value: unknown, out: string[] = []): string[] {
  if (isSecretWrapper(value)) return out;
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) for (const v of value) plaintextStrings(v, out);
  else if (typeof value === "object" && value !== null)
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      plaintextStrings(v, out);
    }
  return out;
}

/** True when the value at this input path is wrapped as a secret. */
export function isSecretAt(raw: unknown, path: string[]): boolean {
  let node = raw;
  for (const key of path) {
    if (isSecretWrapper(node)) return true;
    if (typeof node !== "object" || node === null) return false;
    node = (node as State)[key];
  }
  return isSecretWrapper(node);
}

/** Starts a fresh mocked deployment; call in beforeEach. */
export function resetMocks(options: { preview?: boolean; stack?: string; project?: string } = {}): void {
  recorded.length = 0;
  recordedOutputs.length = 0;
  refused.length = 0;
  aliases.clear();
  seq = 0;
  for (const key of Object.keys(delays)) delete delays[key];
  for (const key of Object.keys(subnetZones)) delete subnetZones[key];
  for (const key of Object.keys(existing)) delete existing[key];
  placedSubnets.length = 0;
  alarmNames.clear();
  logGroups.clear();
  pulumi.runtime.setMocks(
    mocks,
    options.project ?? "usage-engine-test",
    options.stack ?? "dev",
    options.preview ?? false,
  );
  instrumentMonitor();
}

/** Waits until every registration in flight has been answered. */
export async function settle(): Promise<void> {
  let quiet = 0;
  while (quiet < 5) {
    await new Promise((r) => setTimeout(r, inflight > 0 ? 5 : 1));
    quiet = inflight === 0 ? quiet + 1 : 0;
  }
}
