import * as path from "node:path";
import { main } from "@pulumi/pulumi/provider";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { ClusterAddons } from "./clusterAddons";
import { UsageEngineStack } from "./usageEngineStack";
import { isSecretPath } from "./validation";

/**
 * Pulumi package name. Fixed here because Pulumi would otherwise derive it from the npm name
 * (`pulumi-usage-engine`), and the token must stay `usage-engine:index:UsageEngineStack`.
 */
export const PACKAGE_NAME = "usage-engine";

/** Components other languages get through `pulumi package add`. */
export const COMPONENTS = [UsageEngineStack, ClusterAddons];

/**
 * Outputs that are secret at run time. The analyzer cannot see `pulumi.secret()`, so the schema
 * marks them here; generated SDKs then keep them secret on the consumer's side too.
 */
export const SECRET_OUTPUTS: Readonly<Record<string, readonly string[]>> = {
  UsageEngineStack: ["chartValues", "databaseAdminPassword"],
};

/** Repository root: holds package.json and the tsconfig.json the analyzer reads (one up from sdk/ and bin/). */
export function packageRoot(): string {
  return path.resolve(__dirname, "..");
}

interface SchemaProperty {
  secret?: boolean;
  [key: string]: unknown;
}
interface PackageSchema {
  resources: Record<
    string,
    { inputProperties?: Record<string, SchemaProperty>; properties?: Record<string, SchemaProperty> }
  >;
  types: Record<string, { properties?: Record<string, SchemaProperty> }>;
  [key: string]: unknown;
}

function markInputs(properties: Record<string, SchemaProperty> | undefined): void {
  for (const [name, property] of Object.entries(properties ?? {}))
    if (isSecretPath(name)) property.secret = true;
}

/**
 * Adds `secret: true` to the schema: every input whose name the package treats as secret (the
 * license, passwords, access keys, tokens — the same rule that keeps them out of error
 * messages), and the outputs in {@link SECRET_OUTPUTS}.
 */
export function markSecrets(schema: PackageSchema): PackageSchema {
  for (const [token, resource] of Object.entries(schema.resources)) {
    markInputs(resource.inputProperties);
    for (const output of SECRET_OUTPUTS[token.split(":")[2]] ?? []) {
      const property = resource.properties?.[output];
      if (!property) throw new Error(`secret output ${output} is not an output of ${token}`);
      property.secret = true;
    }
  }
  for (const type of Object.values(schema.types)) markInputs(type.properties);
  return schema;
}

/**
 * JSDoc cannot hold `*` followed by `/` (it would close the comment), so a cron default such as
 * `0 *\/8 * * *` is written escaped in sdk/; the schema (and every SDK and doc made from it) shows
 * it as it is meant.
 */
function unescapeDescriptions(value: unknown): void {
  if (Array.isArray(value)) for (const item of value) unescapeDescriptions(item);
  else if (typeof value === "object" && value !== null)
    for (const [key, child] of Object.entries(value)) {
      if (key === "description" && typeof child === "string")
        Reflect.set(value, key, child.split("*\\/").join("*/"));
      else unescapeDescriptions(child);
    }
}

/** The analyzer's schema as the package serves it: secrets marked, descriptions unescaped. */
export function finishSchema(schema: PackageSchema): PackageSchema {
  unescapeDescriptions(markSecrets(schema));
  return schema;
}

/**
 * The component provider other languages talk to: Pulumi's ComponentProvider (schema inferred
 * from the TypeScript types, construct by class name) with secrets marked in the schema.
 */
export class UsageEngineProvider extends ComponentProvider {
  private marked?: string;

  constructor(dirname = packageRoot()) {
    super({ components: COMPONENTS, name: PACKAGE_NAME, dirname });
  }

  override async getSchema(): Promise<string> {
    // The analyzer's schema, of the shape the Pulumi package schema specifies.
    this.marked ??= JSON.stringify(finishSchema(JSON.parse(await super.getSchema()) as PackageSchema));
    return this.marked;
  }
}

/** Serves the provider over gRPC (what `componentProviderHost` does, with the marked schema). */
export function serve(args: string[]): Promise<void> {
  return main(new UsageEngineProvider(), args);
}
