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
type Model = (name: string, inputs: State) => { id: string; state: State };

/**
 * How many times the resources of each `<project>/<stack>/<logical name>` were deleted from their
 * stack (an evaluation that no longer declares them, or `destroyStack`): created again, they start
 * from empty state, so every value a provider chose at random (auto-names, RandomId) is new.
 */
const lives = new Map<string, number>();

/** Seed of a value kept in the stack's state: one per project, stack, resource and life of the resource. */
function stateSeed(name: string, inputs = ""): string {
  const key = `${pulumi.getProject()}/${pulumi.getStack()}/${name}`;
  return `${pulumi.getProject()}/${pulumi.getStack()}/${lives.get(key) ?? 0}/${name}${inputs}`;
}

/**
 * What the provider appends to a `namePrefix`: 26 characters, different for every stack and
 * resource (the real provider uses a timestamp and a counter), stable within one stack.
 */
function uniqueSuffix(name: string): string {
  return BigInt(`0x${hash(stateSeed(name), 24)}`)
    .toString()
    .padStart(26, "0")
    .slice(0, 26);
}

/**
 * Pulumi auto-naming, for a resource given no name: the logical name, a hyphen and 7 random
 * characters, chosen once and kept in the stack's state (so different in every stack and stable
 * within one).
 */
function autoName(name: string): string {
  return `${name}-${hash(stateSeed(name), 7)}`;
}

/** The physical name a resource asks for: the explicit one, else the prefix plus a unique suffix, else an auto-name. */
function physicalName(name: string, explicit: unknown, prefix: unknown, lowerCase = false): string {
  if (explicit !== undefined) return String(explicit);
  if (prefix !== undefined) return `${prefix}${uniqueSuffix(name)}`;
  return lowerCase ? autoName(name).toLowerCase() : autoName(name);
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
const RDS_IDENTIFIER = /^(?=.{1,63}$)[a-z](?:-?[a-z0-9])*$/;
const VAULT_NAME = /^[a-zA-Z0-9\-_]{2,50}$/;
const ALIAS_NAME = /^alias\/[a-zA-Z0-9/_-]+$/;

/**
 * Where AWS keeps each type's physical name — unique in the account and region (IAM: the account),
 * or within the scope named before the slash — read from the state the provider answers with, and
 * the error AWS answers a second create of that name with.
 */
const UNIQUE_NAMES: Record<string, { of: (s: State) => unknown; refusal: (name: string) => string }> = {
  "aws:rds/instance:Instance": {
    of: (s) => s.identifier,
    refusal: (n) => `DBInstanceAlreadyExists: DB instance ${n} already exists`,
  },
  "aws:rds/subnetGroup:SubnetGroup": {
    of: (s) => s.name,
    refusal: (n) => `DBSubnetGroupAlreadyExists: the DB subnet group ${n} already exists`,
  },
  "aws:rds/parameterGroup:ParameterGroup": {
    of: (s) => s.name,
    refusal: (n) => `DBParameterGroupAlreadyExists: parameter group ${n} already exists`,
  },
  "aws:rds/snapshot:Snapshot": {
    of: (s) => s.dbSnapshotIdentifier,
    refusal: (n) =>
      `DBSnapshotAlreadyExists: cannot create the snapshot because one named ${n} already exists`,
  },
  "aws:rds/eventSubscription:EventSubscription": {
    of: (s) => s.name,
    refusal: (n) => `SubscriptionAlreadyExist: event subscription ${n} already exists`,
  },
  "aws:ec2/securityGroup:SecurityGroup": {
    of: (s) => `${s.vpcId}/${s.name}`,
    refusal: (n) => `InvalidGroup.Duplicate: the security group ${n} already exists in the VPC`,
  },
  "aws:efs/fileSystem:FileSystem": {
    of: (s) => s.creationToken,
    refusal: (n) => `FileSystemAlreadyExists: a file system with creation token ${n} already exists`,
  },
  "aws:backup/vault:Vault": {
    of: (s) => s.name,
    refusal: (n) => `AlreadyExistsException: backup vault ${n} already exists`,
  },
  "aws:backup/plan:Plan": {
    of: (s) => s.name,
    refusal: (n) => `AlreadyExistsException: backup plan ${n} already exists`,
  },
  "aws:backup/selection:Selection": {
    of: (s) => `${s.planId}/${s.name}`,
    refusal: (n) => `AlreadyExistsException: backup selection ${n} already exists in its plan`,
  },
  "aws:kms/alias:Alias": {
    of: (s) => s.name,
    refusal: (n) => `AlreadyExistsException: An alias with the name ${n} already exists`,
  },
  "aws:iam/role:Role": {
    of: (s) => s.name,
    refusal: (n) => `EntityAlreadyExists: Role with name ${n} already exists.`,
  },
  "aws:iam/rolePolicy:RolePolicy": {
    of: (s) => `${s.role}/${s.name}`,
    refusal: (n) => `EntityAlreadyExists: the role policy ${n} already exists`,
  },
  // CreateTopic answers an existing topic of that name, so two stacks would silently share one.
  "aws:sns/topic:Topic": {
    of: (s) => s.name,
    refusal: (n) => `a topic named ${n} already exists in ${ACCOUNT}/${REGION}: CreateTopic would share it`,
  },
  // PutMetricAlarm silently overwrites the other alarm of that name; the model fails instead.
  "aws:cloudwatch/metricAlarm:MetricAlarm": {
    of: (s) => s.name,
    refusal: (n) => `an alarm named ${n} already exists in ${ACCOUNT}/${REGION}: alarm names are unique`,
  },
  "aws:eks/cluster:Cluster": {
    of: (s) => s.name,
    refusal: (n) => `ResourceInUseException: Cluster already exists with name: ${n}`,
  },
};

/** A physical name taken in the mocked account, and by whom. */
export interface AccountName {
  type: string;
  name: string;
  /** `<project>/<stack>/<type>/<logical name>` of the resource that holds it, or `retained:` and that once its stack let it go. */
  owner: string;
}

/**
 * Every physical name taken in the mocked account and region, by `type::name`. Kept across
 * `resetMocks({ keepAccount: true })`, so two stacks, or two lives of one stack, share it.
 */
const account = new Map<string, AccountName>();

/**
 * Final snapshot names the RDS instances of the account would take when deleted, by instance owner:
 * RDS refuses the deletion when a snapshot of that name already exists.
 */
const finalSnapshots = new Map<string, string>();

function ownerOf(type: string, name: string): string {
  return `${pulumi.getProject()}/${pulumi.getStack()}/${type}/${name}`;
}

/** The refusal of a create that asks for a name another resource of the account holds. */
function takenRefusal(type: string, state: State, owner?: string): string | undefined {
  const unique = UNIQUE_NAMES[type];
  const value = unique?.of(state);
  if (unique === undefined || value === undefined || String(value).includes("undefined")) return undefined;
  const holder = account.get(`${type}::${value}`);
  return holder !== undefined && holder.owner !== owner ? unique.refusal(String(value)) : undefined;
}

/** Records the physical name a created resource holds. */
function claim(type: string, state: State, owner: string): void {
  const value = UNIQUE_NAMES[type]?.of(state);
  if (value !== undefined) account.set(`${type}::${value}`, { type, name: String(value), owner });
  if (type === "aws:rds/instance:Instance" && state.finalSnapshotIdentifier !== undefined)
    finalSnapshots.set(owner, String(state.finalSnapshotIdentifier));
}

/**
 * Every physical name the account holds, plus (as type `aws:rds/snapshot:Snapshot`, owner
 * `final:` and the instance) the final snapshot names its instances would take when deleted.
 */
export function accountNames(): AccountName[] {
  return [
    ...account.values(),
    ...[...finalSnapshots].map(([owner, name]) => ({
      type: "aws:rds/snapshot:Snapshot",
      name,
      owner: `final:${owner}`,
    })),
  ];
}

/** A resource in a stack's state: its logical name and whether it is kept in AWS when deleted. */
interface StateEntry {
  name: string;
  retainOnDelete: boolean;
}

/** Each stack's state (`<project>/<stack>` -> owner -> entry), as its last committed evaluation left it. */
const stackStates = new Map<string, Map<string, StateEntry>>();
/** Whether `recorded` holds an evaluation the account has not committed yet. */
let uncommitted = false;

/** The resource leaves its stack: its names are free again, or stay taken when AWS keeps it. */
function deleteFromStack(owner: string, entry: StateEntry): void {
  for (const [key, held] of account)
    if (held.owner === owner)
      if (entry.retainOnDelete) account.set(key, { ...held, owner: `retained:${owner}` });
      else account.delete(key);
  finalSnapshots.delete(owner);
  const life = `${pulumi.getProject()}/${pulumi.getStack()}/${entry.name}`;
  lives.set(life, (lives.get(life) ?? 0) + 1);
}

/**
 * What `pulumi up` does after the evaluation: the stack's state becomes what it declared, and
 * whatever the state held that it no longer declares is deleted.
 */
function commitEvaluation(declared: Recorded[]): void {
  uncommitted = false;
  const stack = `${pulumi.getProject()}/${pulumi.getStack()}`;
  const next = new Map<string, StateEntry>(
    declared
      .filter((r) => r.custom)
      .map((r) => [ownerOf(r.type, r.name), { name: r.name, retainOnDelete: r.retainOnDelete }]),
  );
  for (const [owner, entry] of stackStates.get(stack) ?? [])
    if (!next.has(owner)) deleteFromStack(owner, entry);
  stackStates.set(stack, next);
}

/**
 * `pulumi destroy` of the stack just evaluated, as the account sees it: every name its resources
 * held is free again, except those of resources kept on delete (retainOnDelete), which stay taken
 * by a resource no stack manages any more; brought up again, it draws new random values.
 */
export function destroyStack(): void {
  if (uncommitted) commitEvaluation(recorded);
  commitEvaluation([]);
}

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

/**
 * RDS's rules for a PostgreSQL master password (CreateDBInstance): 8 to 128 printable ASCII
 * characters, none of '/', ''', '"', '@' or space. A restore from a snapshot sends none.
 */
function masterPasswordProblem(inputs: State): string | undefined {
  const password = unwrapSecrets(inputs.password);
  if (password === undefined && inputs.snapshotIdentifier !== undefined) return undefined;
  if (inputs.manageMasterUserPassword === true) return undefined;
  if (typeof password !== "string" || password.length < 8 || password.length > 128)
    return "InvalidParameterValue: The parameter MasterUserPassword is not a valid password because it is shorter than 8 characters or longer than 128.";
  if (!/^[\x20-\x7e]+$/.test(password) || /[/'"@ ]/.test(password))
    return "InvalidParameterValue: The parameter MasterUserPassword is not a valid password. Only printable ASCII characters besides '/', '@', '\"', ' ' may be used.";
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
  "aws:iam/role:Role": (inputs) => {
    if (inputs.name !== undefined && String(inputs.name).length > 64)
      return `ValidationError: role name ${inputs.name} is longer than 64 characters`;
    if (inputs.namePrefix !== undefined && String(inputs.namePrefix).length > 38)
      return `ValidationError: role name prefix ${inputs.namePrefix} is longer than 38 characters`;
    return undefined;
  },
  "aws:kms/alias:Alias": (inputs) => {
    const aliasName = String(inputs.name ?? inputs.namePrefix);
    if (!ALIAS_NAME.test(aliasName) || aliasName.length > 256)
      return `ValidationException: alias name ${aliasName} must be alias/ followed by letters, digits, '/', '_' or '-'`;
    if (aliasName.startsWith("alias/aws/"))
      return `NotAuthorizedException: ${aliasName}: alias/aws/ is reserved for AWS managed keys`;
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
  "aws:backup/vault:Vault": (inputs) =>
    inputs.name === undefined || VAULT_NAME.test(String(inputs.name))
      ? undefined
      : `InvalidParameterValueException: vault name ${inputs.name} must be 2-50 of [a-zA-Z0-9-_]`,
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
    for (const field of ["identifier", "finalSnapshotIdentifier"])
      if (inputs[field] !== undefined && !RDS_IDENTIFIER.test(String(inputs[field])))
        return `InvalidParameterValue: ${field} ${inputs[field]} must be 1-63 lower-case letters, digits or single hyphens, start with a letter and not end with a hyphen`;
    const password = masterPasswordProblem(inputs);
    if (password !== undefined) return password;
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
  "aws:rds/instance:Instance": (name, inputs) => {
    const id = physicalName(name, inputs.identifier, inputs.identifierPrefix, true);
    // The first export creates the log group (never expiring) unless it exists already.
    for (const log of (inputs.enabledCloudwatchLogsExports as string[] | undefined) ?? [])
      logGroups.add(`/aws/rds/instance/${id}/${log}`);
    const address = `${id}.c${hash(id, 11)}.${REGION}.rds.amazonaws.com`;
    return {
      id,
      state: {
        ...inputs,
        identifier: id,
        address,
        port: 5432,
        endpoint: `${address}:5432`,
        arn: arn("rds", `db:${id}`),
        engineVersionActual: `${inputs.engineVersion}.4`,
        resourceId: `db-${hash(id, 26).toUpperCase()}`,
      },
    };
  },
  "aws:rds/subnetGroup:SubnetGroup": (name, inputs) => {
    const groupName = physicalName(name, inputs.name, inputs.namePrefix, true);
    return { id: groupName, state: { ...inputs, name: groupName, arn: arn("rds", `subgrp:${groupName}`) } };
  },
  "aws:rds/parameterGroup:ParameterGroup": (name, inputs) => {
    const groupName = physicalName(name, inputs.name, inputs.namePrefix, true);
    return { id: groupName, state: { ...inputs, name: groupName, arn: arn("rds", `pg:${groupName}`) } };
  },
  "aws:rds/snapshot:Snapshot": (_n, inputs) => ({
    id: String(inputs.dbSnapshotIdentifier),
    state: { ...inputs, dbSnapshotArn: arn("rds", `snapshot:${inputs.dbSnapshotIdentifier}`) },
  }),
  "aws:ec2/securityGroup:SecurityGroup": (name, inputs) => {
    const id = `sg-${hash(name)}`;
    return {
      id,
      state: {
        ...inputs,
        arn: arn("ec2", `security-group/${id}`),
        name: physicalName(name, inputs.name, inputs.namePrefix),
      },
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
        creationToken: physicalName(name, inputs.creationToken, undefined),
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
  "aws:backup/vault:Vault": (name, inputs) => {
    const vaultName = physicalName(name, inputs.name, undefined);
    return {
      id: vaultName,
      state: { ...inputs, name: vaultName, arn: arn("backup", `backup-vault:${vaultName}`) },
    };
  },
  "aws:backup/plan:Plan": (name, inputs) => {
    // AWS draws the plan id: a selection's name need only be unique within its plan.
    const seed = stateSeed(name);
    const id = `${hash(seed, 8)}-${hash(`${seed}a`, 4)}-${hash(`${seed}b`, 4)}-${hash(`${seed}c`, 4)}-${hash(`${seed}d`, 12)}`;
    return {
      id,
      state: {
        ...inputs,
        name: physicalName(name, inputs.name, undefined),
        arn: arn("backup", `backup-plan:${id}`),
        version: hash(`${name}v`, 32),
      },
    };
  },
  "aws:backup/selection:Selection": (name, inputs) => ({
    id: hash(name, 36),
    state: { ...inputs, name: physicalName(name, inputs.name, undefined) },
  }),
  "aws:kms/alias:Alias": (name, inputs) => {
    const aliasName = physicalName(name, inputs.name, inputs.namePrefix);
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
  "aws:iam/role:Role": (name, inputs) => {
    const roleName = physicalName(name, inputs.name, inputs.namePrefix);
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
    const clusterName = physicalName(name, inputs.name, undefined);
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
    const policyName = physicalName(name, inputs.name, inputs.namePrefix);
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
    const topicName = physicalName(name, inputs.name, inputs.namePrefix);
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
    const alarmName = physicalName(name, inputs.name, undefined);
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
    const subscriptionName = physicalName(name, inputs.name, inputs.namePrefix);
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
  "random:index/randomId:RandomId": (name, inputs) => {
    // Random bytes chosen once and kept in state: new in every stack (and life of a stack) and
    // whenever a keeper changes, stable otherwise.
    const seed = stateSeed(name, `:${JSON.stringify(inputs.keepers ?? {})}`);
    const bytes = Buffer.from(hash(seed, 2 * Number(inputs.byteLength ?? 8)), "hex");
    const b64Url = bytes.toString("base64url");
    return {
      id: b64Url,
      state: {
        ...inputs,
        hex: `${inputs.prefix ?? ""}${bytes.toString("hex")}`,
        b64Url: `${inputs.prefix ?? ""}${b64Url}`,
        b64Std: `${inputs.prefix ?? ""}${bytes.toString("base64")}`,
        dec: `${inputs.prefix ?? ""}${BigInt(`0x${bytes.toString("hex")}`).toString()}`,
      },
    };
  },
  "random:index/randomPassword:RandomPassword": (name, inputs) => ({
    id: "none",
    state: { ...inputs, result: mockPassword(name, inputs), bcryptHash: `$2a$10$${hash(name, 53)}` },
  }),
  "random:index/randomBytes:RandomBytes": (name, inputs) => {
    const bytes = createHash("sha512")
      .update(`bytes:${pulumi.getProject()}/${pulumi.getStack()}/${name}`)
      .digest()
      .subarray(0, Number(inputs.length ?? 32));
    return { id: "none", state: { ...inputs, base64: bytes.toString("base64"), hex: bytes.toString("hex") } };
  },
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

/** Helm releases installed in the mocked cluster, as `namespace/name`. */
const helmReleases = new Set<string>();
/** Cluster-scoped cert-manager objects in the mocked cluster, as `kind/name`. */
const clusterObjects = new Set<string>();

/**
 * What the cluster says to a second install of what must exist once: Helm refuses a release name
 * already in use in its namespace (two installations each installing cert-manager), and the API
 * server a cluster-scoped object that already exists (two ClusterIssuers of one name).
 */
function clusterRefusal(type: string, name: string, inputs: State): string | undefined {
  if (type === "kubernetes:helm.sh/v3:Release") {
    const key = `${inputs.namespace ?? "default"}/${inputs.name ?? name}`;
    if (helmReleases.has(key)) return `Helm: cannot re-use a name that is still in use (release ${key})`;
    helmReleases.add(key);
  }
  if (type === "kubernetes:cert-manager.io/v1:ClusterIssuer") {
    const metadata = (inputs.metadata as State | undefined) ?? {};
    if (metadata.name === undefined) return undefined;
    const key = `ClusterIssuer/${metadata.name}`;
    if (clusterObjects.has(key)) return `clusterissuers.cert-manager.io "${metadata.name}" already exists`;
    clusterObjects.add(key);
  }
  return undefined;
}

/**
 * What AWS would answer a create of `type` with these inputs: the refusal, or undefined when
 * accepted. An explicit name some resource of the account holds is refused.
 */
export function refusalOf(type: string, inputs: State): string | undefined {
  return rules[type]?.(inputs) ?? takenRefusal(type, inputs);
}

function respond(args: pulumi.runtime.MockResourceArgs): { id: string; state: State } {
  const refuse = (message: string) => {
    refused.push({ type: args.type, name: args.name, message });
    throw new Error(message);
  };
  const problem = rules[args.type]?.(args.inputs) ?? clusterRefusal(args.type, args.name, args.inputs);
  if (problem !== undefined) refuse(problem);
  const answer = answerOf(args);
  // A second evaluation of the same stack asks for the names it holds: an update, not a create.
  const owner = ownerOf(args.type, args.name);
  const taken = takenRefusal(args.type, answer.state, owner);
  if (taken !== undefined) refuse(taken);
  claim(args.type, answer.state, owner);
  return answer;
}

function answerOf(args: pulumi.runtime.MockResourceArgs): { id: string; state: State } {
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

export interface ResetOptions {
  /** Evaluate as `pulumi preview`. Default: false (`pulumi up`). */
  preview?: boolean;
  /** `pulumi.getStack()`. Default: `dev`. */
  stack?: string;
  /** `pulumi.getProject()`. Default: `usage-engine-test`. */
  project?: string;
  /**
   * Keep the mocked account and the stacks' state from the evaluations before: the evaluation just
   * ended is committed as its stack's `pulumi up` (what it no longer declares is deleted), and the
   * physical names stay taken, so another stack, or this one again, meets them. Default: false (a
   * fresh account, every stack empty).
   */
  keepAccount?: boolean;
}

/** Starts a fresh mocked deployment; call in beforeEach. */
export function resetMocks(options: ResetOptions = {}): void {
  if (options.keepAccount && uncommitted) commitEvaluation(recorded);
  recorded.length = 0;
  recordedOutputs.length = 0;
  refused.length = 0;
  if (!options.keepAccount) {
    account.clear();
    finalSnapshots.clear();
    stackStates.clear();
    lives.clear();
  }
  helmReleases.clear();
  clusterObjects.clear();
  uncommitted = true;
  seq = 0;
  for (const key of Object.keys(delays)) delete delays[key];
  for (const key of Object.keys(subnetZones)) delete subnetZones[key];
  for (const key of Object.keys(existing)) delete existing[key];
  placedSubnets.length = 0;
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
