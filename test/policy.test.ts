/**
 * Policy as code, run offline: @pulumi/awsguard's rules (each a ResourceValidationPolicy or
 * StackValidationPolicy, invoked here the way the Pulumi policy analyzer invokes them) plus the
 * package's own house rules, against every resource the stack registers.
 */
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = "1";

import * as assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import type {
  Policy,
  PolicyResource,
  ReportViolation,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";
import { ClusterAddons, DataAlarms } from "../sdk";
import { defaultArgs, deploy } from "./fixtures";
import { type Recorded, recorded, resetMocks, settle } from "./harness";
import { imageProblems, podSpecOf, restrictedViolations } from "./podSecurity";
import { ADDONS_SCENARIOS, DEFAULT, PROD, SCENARIOS, type Scenario } from "./scenarios";

type AnyPolicy = ResourceValidationPolicy | StackValidationPolicy;

/** The modules of @pulumi/awsguard; each exports its policies. */
const AWSGUARD_MODULES = [
  "apiGateway",
  "compute",
  "database",
  "elasticsearch",
  "network",
  "security",
  "storage",
];

function awsguardPolicies(): AnyPolicy[] {
  return AWSGUARD_MODULES.flatMap((m) =>
    Object.values(require(`@pulumi/awsguard/${m}`) as Record<string, unknown>).filter(
      (p): p is AnyPolicy =>
        typeof p === "object" &&
        p !== null &&
        "name" in p &&
        ("validateResource" in p || "validateStack" in p),
    ),
  );
}

/** One policy violation, at mandatory enforcement. */
interface Violation {
  policy: string;
  type: string;
  name: string;
  message: string;
}

class NotApplicable extends Error {}

/**
 * Type matching as the analyzer does it: by the class's Pulumi type token. awsguard was built
 * against @pulumi/aws v4 classes; their tokens are the ones v7 registers for the same resources.
 */
function isTypeOf(type: string, resourceClass: unknown): boolean {
  const cls = resourceClass as { __pulumiType?: string; isInstance?: (o: unknown) => boolean };
  if (typeof cls.__pulumiType === "string") return cls.__pulumiType === type;
  return cls.isInstance?.({ __pulumiType: type }) === true;
}

/** A policy's configuration as the CLI hands it over when none is set: each property's default. */
function defaultConfig(policy: Policy): Record<string, unknown> {
  const properties = (policy.configSchema?.properties ?? {}) as Record<string, { default?: unknown }>;
  return Object.fromEntries(
    Object.entries(properties)
      .filter(([, schema]) => schema.default !== undefined)
      .map(([key, schema]) => [key, schema.default]),
  );
}

function policyResource(r: Recorded): PolicyResource {
  return {
    type: r.type,
    props: r.inputs,
    urn: r.urn,
    name: r.name,
    opts: options(r),
    dependencies: [],
    propertyDependencies: {},
    isType: (cls: unknown) => isTypeOf(r.type, cls),
    asType: (cls: unknown) => (isTypeOf(r.type, cls) ? r.inputs : undefined),
  } as unknown as PolicyResource;
}

function options(r: Recorded) {
  return {
    protect: r.protect,
    ignoreChanges: r.ignoreChanges,
    aliases: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
    additionalSecretOutputs: [],
    parent: r.parent || undefined,
  };
}

const notApplicable = (reason?: string): never => {
  throw new NotApplicable(reason);
};

/** Runs every policy against the recorded resources, every one at mandatory enforcement. */
async function runPolicies(policies: AnyPolicy[], resources: Recorded[]): Promise<Violation[]> {
  const violations: Violation[] = [];
  for (const policy of policies) {
    const config = () => defaultConfig(policy) as never;
    if ("validateResource" in policy && policy.validateResource) {
      const validations = Array.isArray(policy.validateResource)
        ? policy.validateResource
        : [policy.validateResource];
      for (const r of resources)
        for (const validate of validations) {
          const args = {
            type: r.type,
            props: r.inputs,
            urn: r.urn,
            name: r.name,
            opts: options(r),
            stackTags: new Map<string, string>(),
            isType: (cls: unknown) => isTypeOf(r.type, cls),
            asType: (cls: unknown) => (isTypeOf(r.type, cls) ? r.inputs : undefined),
            getConfig: config,
            notApplicable,
          } as unknown as ResourceValidationArgs;
          const report: ReportViolation = (message) =>
            violations.push({ policy: policy.name, type: r.type, name: r.name, message });
          try {
            await validate(args, report);
          } catch (e) {
            if (!(e instanceof NotApplicable)) throw e;
          }
        }
    }
    if ("validateStack" in policy && policy.validateStack) {
      const args: StackValidationArgs = {
        resources: resources.map(policyResource),
        stackTags: new Map(),
        getConfig: config,
        notApplicable,
      };
      try {
        await policy.validateStack(args, (message, urn) =>
          violations.push({ policy: policy.name, type: "(stack)", name: urn ?? "", message }),
        );
      } catch (e) {
        if (!(e instanceof NotApplicable)) throw e;
      }
    }
  }
  return violations;
}

// ---------------------------------------------------------------------------------------------
// House rules: what the package promises beyond awsguard.

/** The @pulumi/aws v7 class of a type token such as `aws:rds/instance:Instance`. */
function awsClass(type: string): { toString(): string } | undefined {
  const m = /^aws:([^/]+)\/[^:]+:(.+)$/.exec(type);
  if (!m) return undefined;
  const module = m[1] === "index" ? aws : (aws as unknown as Record<string, Record<string, unknown>>)[m[1]];
  return (module as Record<string, { toString(): string }> | undefined)?.[m[2]];
}

/** Whether the resource type takes `tags` (read off the generated class: it copies `args.tags`). */
function takesTags(type: string): boolean {
  return awsClass(type)?.toString().includes('resourceInputs["tags"]') === true;
}

const WORLD = new Set(["0.0.0.0/0", "::/0"]);

const HOUSE_AWS: ResourceValidationPolicy[] = [
  {
    name: "aws-resources-tagged",
    description: "Every AWS resource that takes tags says it is managed by pulumi-usage-engine.",
    validateResource: (args, report) => {
      if (!args.type.startsWith("aws:") || !takesTags(args.type)) return;
      if (args.props.tags?.["managed-by"] !== "pulumi-usage-engine") report("missing the managed-by tag");
    },
  },
  {
    name: "rds-keeps-data",
    description: "RDS instances refuse deletion, leave a final snapshot and keep backups at least 7 days.",
    validateResource: (args, report) => {
      if (args.type !== "aws:rds/instance:Instance") return;
      const p = args.props;
      if (p.deletionProtection !== true) report("deletionProtection is not on");
      if (p.skipFinalSnapshot !== false || !p.finalSnapshotIdentifier) report("no final snapshot");
      if (!(p.backupRetentionPeriod >= 7)) report("automated backups kept less than 7 days");
      if (p.storageEncrypted !== true) report("storage not encrypted");
    },
  },
  {
    name: "no-world-ingress",
    description: "No security group admits traffic from the whole internet.",
    validateResource: (args, report) => {
      const p = args.props;
      if (args.type === "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") {
        if (WORLD.has(p.cidrIpv4) || WORLD.has(p.cidrIpv6)) report("ingress from anywhere");
      } else if (args.type === "aws:ec2/securityGroup:SecurityGroup") {
        for (const rule of p.ingress ?? [])
          if ([...(rule.cidrBlocks ?? []), ...(rule.ipv6CidrBlocks ?? [])].some((c: string) => WORLD.has(c)))
            report("inline ingress from anywhere");
      } else if (args.type === "aws:ec2/securityGroupRule:SecurityGroupRule" && p.type === "ingress") {
        if ([...(p.cidrBlocks ?? []), ...(p.ipv6CidrBlocks ?? [])].some((c: string) => WORLD.has(c)))
          report("ingress from anywhere");
      }
    },
  },
];

const HOUSE_KUBERNETES: ResourceValidationPolicy[] = [
  {
    name: "pod-security-restricted",
    description: "Workloads the package runs meet the Pod Security restricted profile.",
    validateResource: (args, report) => {
      if (!args.type.startsWith("kubernetes:")) return;
      const pod = podSpecOf(String(args.props.kind), args.props);
      if (pod) for (const problem of restrictedViolations(pod)) report(problem);
    },
  },
  {
    name: "pinned-maintained-images",
    description: "Workloads the package runs use pinned images that are still published.",
    validateResource: (args, report) => {
      if (!args.type.startsWith("kubernetes:")) return;
      const pod = podSpecOf(String(args.props.kind), args.props);
      const containers = [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])];
      for (const c of containers) for (const problem of imageProblems(String(c.image))) report(problem);
    },
  },
];

// ---------------------------------------------------------------------------------------------

/** An awsguard violation the package accepts on purpose, with the reason (also in docs/proof.md). */
interface Exception {
  stacks: string[];
  policy: string;
  type: string;
  why: string;
}

const EXCEPTIONS: Exception[] = [
  {
    stacks: [DEFAULT.title],
    policy: "rds-instance-multi-az-enabled",
    type: "aws:rds/instance:Instance",
    why:
      "The dev profile (the default) is single-AZ to halve the instance cost of test installations; " +
      "the prod profile is Multi-AZ and passes. Users set database.multiAz or profile: prod.",
  },
];

const excused = (stack: string, v: Violation) =>
  EXCEPTIONS.some((e) => e.stacks.includes(stack) && e.policy === v.policy && e.type === v.type);

const show = (v: Violation) => `${v.policy} on ${v.type} ${v.name}: ${v.message}`;

/** What a scenario registers; each scenario is evaluated once, for awsguard and the house rules alike. */
const evaluations = new Map<Scenario, Promise<Recorded[]>>();
function resourcesOf(scenario: Scenario): Promise<Recorded[]> {
  let evaluation = evaluations.get(scenario);
  if (!evaluation) {
    evaluation = (async () => {
      resetMocks();
      await deploy(scenario.args());
      return [...recorded];
    })();
    evaluations.set(scenario, evaluation);
  }
  return evaluation;
}

describe("policy", function () {
  this.timeout(60_000);
  let awsguard: AnyPolicy[];
  before(() => {
    awsguard = awsguardPolicies();
  });

  it("loads every awsguard rule", () => {
    const names = awsguard.map((p) => p.name);
    for (const name of [
      "rds-storage-encrypted",
      "rds-instance-public-access",
      "efs-encrypted",
      "cmk-backing-key-rotation-enabled",
    ])
      assert.ok(names.includes(name), name);
    assert.ok(names.length >= 20, `only ${names.length} rules`);
  });

  for (const scenario of [DEFAULT, PROD])
    describe(`awsguard, all rules mandatory: ${scenario.title} stack`, () => {
      let violations: Violation[];
      before(async () => {
        violations = await runPolicies(awsguard, await resourcesOf(scenario));
      });

      it("has no violation beyond the documented exceptions", () => {
        assert.deepEqual(violations.filter((v) => !excused(scenario.title, v)).map(show), []);
      });

      it("needs every exception it claims (none is stale)", () => {
        for (const e of EXCEPTIONS.filter((x) => x.stacks.includes(scenario.title)))
          assert.ok(
            violations.some((v) => v.policy === e.policy && v.type === e.type),
            `exception ${e.policy} no longer applies to the ${scenario.title} stack: remove it`,
          );
      });
    });

  // The other scenarios use the dev profile: the default stack's exceptions are theirs too.
  for (const scenario of SCENARIOS.filter((s) => s !== DEFAULT && s !== PROD))
    it(`awsguard, no violation beyond the dev-profile exceptions: ${scenario.title}`, async () => {
      const violations = await runPolicies(awsguard, await resourcesOf(scenario));
      assert.deepEqual(violations.filter((v) => !excused(DEFAULT.title, v)).map(show), []);
    });

  it("accepts exactly one exception: Multi-AZ on the dev profile", () => {
    assert.deepEqual(
      EXCEPTIONS.map((e) => [e.stacks, e.policy, e.type]),
      [[["default"], "rds-instance-multi-az-enabled", "aws:rds/instance:Instance"]],
    );
  });

  it("passes efs-encrypted and cmk-backing-key-rotation-enabled with the installation key and with the user's", async () => {
    const key = "arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-4e5f-6071-8293-a4b5c6d7e8f9";
    for (const args of [defaultArgs(), defaultArgs({ storage: { kmsKeyArn: key } })]) {
      const resources = await resourcesOf({ title: "keys", args: () => args });
      assert.ok(resources.some((r) => r.type === "aws:efs/fileSystem:FileSystem"));
      const violations = await runPolicies(awsguard, resources);
      assert.deepEqual(
        violations
          .filter((v) => v.policy === "efs-encrypted" || v.policy === "cmk-backing-key-rotation-enabled")
          .map(show),
        [],
      );
    }
  });

  it("would report efs-encrypted on a file system with the AWS managed key (the rule is live)", async () => {
    const efs = {
      type: "aws:efs/fileSystem:FileSystem",
      name: "managed-key-efs",
      urn: "urn:pulumi:dev::p::aws:efs/fileSystem:FileSystem::managed-key-efs",
      inputs: { encrypted: true },
      protect: false,
      ignoreChanges: [],
      parent: "",
    } as unknown as Recorded;
    assert.deepEqual(
      (await runPolicies(awsguard, [efs])).map((v) => v.policy),
      ["efs-encrypted"],
    );
  });

  it("reports violations it is shown (the runner is not blind)", async () => {
    const rds = {
      type: "aws:rds/instance:Instance",
      name: "open-db",
      urn: "urn:pulumi:dev::p::aws:rds/instance:Instance::open-db",
      inputs: { publiclyAccessible: true, storageEncrypted: false, multiAz: true, backupRetentionPeriod: 0 },
      protect: false,
      ignoreChanges: [],
      parent: "",
    } as unknown as Recorded;
    const policies = [...awsguard, ...HOUSE_AWS];
    const found = new Set((await runPolicies(policies, [rds])).map((v) => v.policy));
    for (const policy of [
      "rds-instance-public-access",
      "rds-storage-encrypted",
      "rds-instance-backup-enabled",
      "rds-keeps-data",
      "aws-resources-tagged",
    ])
      assert.ok(found.has(policy), `${policy} did not fire`);
  });

  for (const scenario of SCENARIOS)
    it(`house rules hold: ${scenario.title}`, async () => {
      const violations = await runPolicies([...HOUSE_AWS, ...HOUSE_KUBERNETES], await resourcesOf(scenario));
      assert.deepEqual(violations.map(show), []);
    });

  for (const scenario of ADDONS_SCENARIOS)
    it(`awsguard and house rules hold: ${scenario.title}`, async () => {
      resetMocks();
      new ClusterAddons("addons", scenario.args());
      await settle();
      const violations = await runPolicies([...awsguard, ...HOUSE_AWS, ...HOUSE_KUBERNETES], [...recorded]);
      assert.deepEqual(violations.map(show), []);
    });

  it("DataAlarms (not yet part of the stack): awsguard and house rules hold", async () => {
    resetMocks();
    new DataAlarms("uepe-alarms", {
      alarms: { emails: ["ops@example.com"] },
      database: {
        instanceId: "uepe-database",
        instanceClass: "db.m7g.large",
        allocatedStorage: 100,
        maxAllocatedStorage: 1000,
        multiAz: true,
      },
      fileSystem: { fileSystemId: "fs-0123456789abcdef0", throughputMode: "bursting" },
      backupVault: { vaultName: "uepe-backup-vault", copyEnabled: true },
    });
    await settle();
    const resources = [...recorded];
    assert.ok(
      resources.some((r) => r.type === "aws:kms/key:Key"),
      "no topic key: the key rotation rule checked nothing",
    );
    const violations = await runPolicies([...awsguard, ...HOUSE_AWS], resources);
    assert.deepEqual(violations.map(show), []);
  });

  it("inspects the workloads the package runs (the registry refresher)", async () => {
    const workloads = (await resourcesOf(DEFAULT)).filter(
      (r) => r.type.startsWith("kubernetes:") && podSpecOf(String(r.inputs.kind), r.inputs),
    );
    assert.ok(workloads.length >= 1, "the default stack runs no workload: the pod rules checked nothing");
  });

  describe("house rules can fail", () => {
    it("Pod Security restricted", () => {
      assert.deepEqual(
        restrictedViolations({
          hostNetwork: true,
          volumes: [{ name: "host", hostPath: { path: "/" } }],
          containers: [
            { name: "c", securityContext: { privileged: true, capabilities: { add: ["SYS_ADMIN"] } } },
          ],
        }),
        [
          "hostNetwork is set",
          "volume host is hostPath",
          "container c is privileged",
          "container c does not set allowPrivilegeEscalation: false",
          "container c does not drop ALL capabilities",
          "container c adds capability SYS_ADMIN",
          "container c may run as root",
          "container c has no seccomp profile",
        ],
      );
      assert.deepEqual(
        restrictedViolations({
          securityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
          containers: [
            {
              name: "c",
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
            },
          ],
        }),
        [],
      );
    });

    it("pinned, maintained images", () => {
      assert.deepEqual(imageProblems("bitnami/kubectl:1.30"), [
        "image bitnami/kubectl:1.30 is no longer maintained",
      ]);
      assert.deepEqual(imageProblems("registry.k8s.io/kubectl"), [
        "image registry.k8s.io/kubectl is not pinned",
      ]);
      assert.deepEqual(imageProblems("localhost:5000/tools/aws-cli:latest"), [
        "image localhost:5000/tools/aws-cli:latest is not pinned",
      ]);
      assert.deepEqual(imageProblems("localhost:5000/tools/aws-cli"), [
        "image localhost:5000/tools/aws-cli is not pinned",
      ]);
      assert.deepEqual(imageProblems("public.ecr.aws/aws-cli/aws-cli:2.22.0"), []);
      assert.deepEqual(imageProblems(`registry.k8s.io/kubectl@sha256:${"a".repeat(64)}`), []);
    });

    it("tags: reads which AWS types take tags", () => {
      assert.equal(takesTags("aws:rds/instance:Instance"), true);
      assert.equal(takesTags("aws:iam/rolePolicyAttachment:RolePolicyAttachment"), false);
    });
  });
});
