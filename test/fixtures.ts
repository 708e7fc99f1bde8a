import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { ArgumentError, UsageEngineStack, type UsageEngineStackArgs } from "../sdk";
import { DeployTimeArgumentError } from "../sdk/validation";
import {
  type Recorded,
  type RecordedOutputs,
  recorded,
  recordedOutputs,
  resetMocks,
  settle,
} from "./harness";
import { listenWarnings } from "./setup";

/** Secret inputs a test can look for in plaintext. */
export const LICENSE = "UEPE-LICENSE-7f3e9c2a-d41b-4b8e-9a51-license-text";
export const ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE";
export const SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/** Passwords of a keystore the user brings (`tls.mode` "secret"): required, never generated. */
export const KEYSTORE_PASSWORDS = { keystore: "Keystore-Pass-5e6f7a", key: "Private-Key-Pass-6f7a8b" };

export const NETWORK = {
  vpcId: "vpc-0a1b2c3d4e5f60718",
  subnetIds: ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"],
  allowedSecurityGroupIds: ["sg-0123456789abcdef0"],
};

/** The smallest complete set of arguments: what a user of the quickstart gives. */
export function defaultArgs(overrides: Partial<UsageEngineStackArgs> = {}): UsageEngineStackArgs {
  return {
    version: "4.2.0",
    licenseKey: pulumi.secret(LICENSE),
    network: NETWORK,
    registry: {
      accessKeyId: pulumi.secret(ACCESS_KEY_ID),
      secretAccessKey: pulumi.secret(SECRET_ACCESS_KEY),
    },
    ...overrides,
  };
}

/** An installation that creates no AWS data resource: an external PostgreSQL and no storage. */
export function externalOnlyArgs(overrides: Partial<UsageEngineStackArgs> = {}): UsageEngineStackArgs {
  return defaultArgs({
    network: undefined,
    storage: { mode: "none" },
    database: {
      mode: "external",
      external: {
        type: "postgresql",
        host: "db.internal.example.com",
        adminPassword: pulumi.secret("Admin-Pass-9e8d"),
      },
    },
    ...overrides,
  });
}

/** Constructs a stack under the current mocks and waits until every registration is answered. */
export async function deploy(
  args: UsageEngineStackArgs = defaultArgs(),
  name = "uepe",
): Promise<UsageEngineStack> {
  const stack = new UsageEngineStack(name, args);
  await settle();
  return stack;
}

/**
 * One evaluation shared by every test of a describe block: the stack is deployed under fresh mocks
 * in `before`, and before each test what it registered is put back (a copy, so a test cannot
 * change what the next one sees) where the harness queries read it. Call inside `describe`.
 */
export function deployedOnce(args: () => UsageEngineStackArgs = defaultArgs): {
  readonly stack: UsageEngineStack;
} {
  let stack: UsageEngineStack | undefined;
  let registrations: Recorded[] = [];
  let outputs: RecordedOutputs[] = [];
  before(async () => {
    resetMocks();
    stack = await deploy(args());
    registrations = structuredClone(recorded);
    outputs = structuredClone(recordedOutputs);
  });
  beforeEach(() => {
    recorded.splice(0, recorded.length, ...structuredClone(registrations));
    recordedOutputs.splice(0, recordedOutputs.length, ...structuredClone(outputs));
  });
  return {
    get stack(): UsageEngineStack {
      assert.ok(stack, "the shared stack is deployed in before()");
      return stack;
    },
  };
}

/**
 * Constructs the stack, expects an ArgumentError with a problem at `path` matching `message`,
 * and checks that nothing was registered. Returns the error for further assertions.
 */
export async function assertRejected(
  args: UsageEngineStackArgs,
  path: string,
  message: RegExp,
): Promise<ArgumentError> {
  return assertConstructionRejected(() => new UsageEngineStack("uepe", args), path, message);
}

/** As assertRejected, for any component: `construct` builds it with the arguments under test. */
export async function assertConstructionRejected(
  construct: () => unknown,
  path: string,
  message: RegExp,
): Promise<ArgumentError> {
  let error: unknown;
  try {
    construct();
  } catch (e) {
    error = e;
  }
  await settle();
  assert.ok(error instanceof ArgumentError, `expected an ArgumentError, got ${String(error)}`);
  const problem = error.problems.find((p) => p.path === path);
  assert.ok(problem, `no problem at ${path}: ${error.message}`);
  assert.match(problem.message, message);
  assert.equal(recorded.length, 0, "a resource was registered before validation failed");
  return error;
}

/**
 * Runs `construct` (a component given Output values that break a rule checked at deployment) and
 * expects the deployment to fail with a DeployTimeArgumentError naming `path` with `message`, as
 * a real program would (the failed registrations surface as unhandled rejections). Checks that no
 * UEPE release was registered. Returns the error for further assertions.
 */
export async function assertDeployRejected(
  construct: () => unknown,
  path: string,
  message: RegExp,
): Promise<DeployTimeArgumentError> {
  const failures: unknown[] = [];
  const listen = (e: unknown) => failures.push(e);
  process.on("unhandledRejection", listen);
  try {
    construct();
    await settle();
    await new Promise((r) => setTimeout(r, 20));
  } finally {
    process.off("unhandledRejection", listen);
  }
  const errors = failures.filter((e) => e instanceof DeployTimeArgumentError);
  const error = errors.find((e) => e.problems.some((p) => p.path === path));
  assert.ok(
    error,
    `no deploy-time problem at ${path}: ${failures.map(String).join("\n") || "nothing failed"}`,
  );
  const problem = error.problems.find((p) => p.path === path);
  assert.match(problem?.message ?? "", message);
  assert.equal(
    recorded.filter((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name.endsWith("-release")).length,
    0,
    "the UEPE release was registered although a deploy-time check failed",
  );
  return error;
}

/**
 * Collects `pulumi.log.warn` messages until `restore` is called. Warnings are never printed: the
 * root hooks of test/setup.ts capture them all; this is the view of one test on that capture.
 */
export function captureWarnings(): { messages: string[]; restore: () => void } {
  return listenWarnings();
}
