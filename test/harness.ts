/**
 * Test harness: the mocked deployment of tools/mocks.ts (re-exported, so tests import everything
 * from here) and the queries tests make of what it recorded.
 */
import * as pulumi from "@pulumi/pulumi";
import { type Recorded, recorded } from "../tools/mocks";

export * from "../tools/mocks";

type State = Record<string, unknown>;

/** The resolved value of an Output (undefined when unknown). */
export function resolved<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((v) => resolve(v)));
}

/** Whether an Output is secret. */
export function isSecret<T>(output: pulumi.Output<T>): Promise<boolean> {
  return pulumi.isSecret(output);
}

export function ofType(type: string): Recorded[] {
  return recorded.filter((r) => r.type === type);
}

export function one(type: string, nameIncludes = ""): Recorded {
  const found = recorded.filter((r) => r.type === type && r.name.includes(nameIncludes));
  if (found.length !== 1)
    throw new Error(`expected one ${type} named *${nameIncludes}*, found ${found.length}`);
  return found[0];
}

/** Reads a dot path from a plain object. */
export function at(value: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((node, key) => (node as State | undefined)?.[key], value);
}

/** Recorded types under `kubernetes:` that are not API objects (a Helm release is Helm's record). */
export const KUBERNETES_NON_OBJECTS = new Set([
  "kubernetes:helm.sh/v3:Release",
  "kubernetes:helm.sh/v4:Chart",
]);

/**
 * The Kubernetes object a recorded registration sends to the API server: its inputs, with the
 * name the provider generates when none was given (as the mocked API server answered).
 */
export function kubernetesObject(r: Recorded): Record<string, unknown> {
  const metadata = { ...((r.inputs.metadata as State | undefined) ?? {}) };
  metadata.name ??= (r.outputs.metadata as State | undefined)?.name;
  return { ...r.inputs, metadata };
}

/**
 * The arguments the package constructs a provider SDK class with while `run` runs, as it hands
 * them over. The Kubernetes and AWS SDKs wrap properties they know to be sensitive in a secret
 * themselves (a Secret's whole stringData, an RDS password), so the registered inputs cannot show
 * whether the package made a value secret: this can. `module` is the SDK file defining the class,
 * which the SDKs' lazy exports read on every use (e.g. "@pulumi/aws/rds/instance", "Instance").
 */
export async function constructedWith<Args>(
  module: string,
  className: string,
  run: () => Promise<unknown>,
): Promise<Args[]> {
  type Constructor = new (name: string, args?: unknown, opts?: unknown) => object;
  const exports = require(module) as Record<string, Constructor>;
  const Original = exports[className];
  const handed: Args[] = [];
  exports[className] = class extends Original {
    constructor(name: string, args?: unknown, opts?: unknown) {
      handed.push(args as Args);
      super(name, args, opts);
    }
  };
  try {
    await run();
  } finally {
    exports[className] = Original;
  }
  return handed;
}
