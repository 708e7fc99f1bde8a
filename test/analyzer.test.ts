/**
 * The multi-language contract: the Pulumi package schema inferred from sdk/ (what Python, Go,
 * .NET, Java and YAML SDKs are generated from), the committed schema.json, and the plugin
 * entry point that serves it.
 */
import * as assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as pulumi from "@pulumi/pulumi";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import { GetSchemaRequest } from "@pulumi/pulumi/proto/provider_pb";
import { ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { finishSchema, packageRoot, SECRET_OUTPUTS, UsageEngineProvider } from "../sdk/componentProvider";
import { committedSchema, formatSchema } from "../tools/schema";
import { captureWarnings, defaultArgs, deploy } from "./fixtures";
import { recorded, resetMocks, resolved, settle } from "./harness";

const TOKEN = "usage-engine:index:UsageEngineStack";

interface Property {
  type?: string;
  $ref?: string;
  description?: string;
  optional?: boolean;
  secret?: boolean;
  items?: Property;
}
interface Schema {
  name: string;
  version: string;
  resources: Record<
    string,
    { isComponent: boolean; inputProperties: Record<string, Property>; properties: Record<string, Property> }
  >;
  types: Record<string, { type: string; properties?: Record<string, Property>; enum?: { value: string }[] }>;
}

/** The arguments and outputs of the public contract (ARCHITECTURE.md). */
const CONTRACT_ARGS = [
  "version",
  "licenseKey",
  "namespace",
  "releaseName",
  "createNamespace",
  "network",
  "database",
  "storage",
  "backup",
  "tls",
  "registry",
  "credentials",
  "exposure",
  "values",
  "chart",
  "tags",
];
const CONTRACT_OUTPUTS = [
  "namespace",
  "releaseName",
  "releaseStatus",
  "databaseEndpoint",
  "databaseInstanceId",
  "fileSystemId",
  "accessPointId",
  "claimName",
  "backupVaultName",
  "backupPlanId",
  "issuerName",
  "envSecretName",
  "pullSecretName",
  "chartValues",
];

/** Mode arguments: where they live in the schema and the values they must offer. */
const MODES: [string, string, string, string[]][] = [
  ["DatabaseOptions", "mode", "DatabaseMode", ["rds", "external"]],
  ["DatabaseOptions", "profile", "DatabaseProfile", ["dev", "prod"]],
  ["ExternalDatabaseOptions", "type", "DatabaseType", ["postgresql", "oracle", "saphana"]],
  ["StorageOptions", "mode", "StorageMode", ["efs", "existingClaim", "none"]],
  ["TlsOptions", "mode", "TlsMode", ["certManager", "secret", "disabled"]],
  ["IssuerOptions", "type", "IssuerType", ["selfSigned", "acme", "existing"]],
  ["RegistryOptions", "source", "RegistrySource", ["digitalroute", "mirror"]],
  ["ExposureOptions", "serviceType", "ServiceType", ["NodePort", "LoadBalancer", "ClusterIP"]],
];

const typeRef = (name: string) => `#/types/usage-engine:index:${name}`;

/**
 * The provider the in-process tests talk to. Its analyzer type-checks the whole package (~10 s):
 * done once, and the schema it caches is what every test here reads, before secrets are marked
 * (ComponentProvider's getSchema) and after (UsageEngineProvider's).
 */
const provider = new UsageEngineProvider();
let analyzed: Promise<string> | undefined;
function analyzerSchema(): Promise<string> {
  analyzed ??= ComponentProvider.prototype.getSchema.call(provider);
  return analyzed;
}

describe("package schema (multi-language)", function () {
  this.timeout(120_000);
  let raw: Schema;
  let schema: Schema;

  before(async () => {
    raw = JSON.parse(await analyzerSchema());
    schema = finishSchema(JSON.parse(await analyzerSchema())) as unknown as Schema;
  });

  it("is built offline by the analyzer for the package named usage-engine", () => {
    assert.equal(raw.name, "usage-engine");
    assert.ok(raw.resources[TOKEN], `analyzer produced no ${TOKEN}`);
    assert.equal(raw.version, require("../package.json").version);
    // The served schema differs from the analyzer's only in the secret flags it adds and in
    // descriptions written escaped in JSDoc (`*` then `/` would close the comment).
    const strip = (value: unknown): unknown =>
      JSON.parse(JSON.stringify(value, (key, v) => (key === "secret" && v === true ? undefined : v)));
    const unescaped = JSON.parse(JSON.stringify(raw).split("*\\\\/").join("*/"));
    assert.deepEqual(strip(schema), unescaped);
    assert.ok(!JSON.stringify(schema).includes("*\\\\/"), "a description still shows *\\/");
    assert.match(JSON.stringify(schema), /Default: `0 \*\/8 \* \* \*`/);
  });

  it("has the UsageEngineStack and ClusterAddons components under their fixed tokens", () => {
    assert.deepEqual(Object.keys(schema.resources).sort(), ["usage-engine:index:ClusterAddons", TOKEN]);
    assert.equal(schema.resources[TOKEN].isComponent, true);
    assert.equal(schema.resources["usage-engine:index:ClusterAddons"].isComponent, true);
  });

  it("ClusterAddons outputs what installations consume, and an existing issuer takes them as strings", () => {
    const addons = schema.resources["usage-engine:index:ClusterAddons"];
    for (const output of ["issuerKind", "issuerName", "ingressClassName", "ingressControllerServiceName"])
      assert.equal(addons.properties[output]?.type, "string", `${output} missing`);
    for (const arg of [
      "certManager",
      "issuer",
      "ingressNginx",
      "externalDns",
      "efsCsiDriver",
      "cluster",
      "domain",
    ])
      assert.ok(addons.inputProperties[arg]?.description, `argument ${arg} missing`);
    const issuer = schema.types["usage-engine:index:IssuerOptions"].properties;
    assert.equal(issuer?.kind?.type, "string");
    assert.equal(issuer?.name?.type, "string");
  });

  it("has every documented argument and output, each with a description", () => {
    const { inputProperties, properties } = schema.resources[TOKEN];
    for (const arg of CONTRACT_ARGS) {
      assert.ok(inputProperties[arg], `argument ${arg} missing from the schema`);
      assert.ok(inputProperties[arg].description, `argument ${arg} has no description`);
    }
    for (const output of CONTRACT_OUTPUTS) {
      assert.ok(properties[output], `output ${output} missing from the schema`);
      assert.ok(properties[output].description, `output ${output} has no description`);
    }
  });

  it("describes every nested argument and states the default of every optional one", () => {
    const undocumented: string[] = [];
    const noDefault: string[] = [];
    const visit = (owner: string, props: Record<string, Property>) => {
      for (const [name, prop] of Object.entries(props)) {
        if (!prop.description) undocumented.push(`${owner}.${name}`);
        else if (prop.optional && !/Default/.test(prop.description)) noDefault.push(`${owner}.${name}`);
      }
    };
    visit("UsageEngineStackArgs", schema.resources[TOKEN].inputProperties);
    for (const [token, type] of Object.entries(schema.types))
      if (type.properties) visit(token.split(":")[2], type.properties);
    assert.deepEqual(undocumented, [], "properties without JSDoc");
    assert.deepEqual(noDefault, [], "optional properties whose JSDoc does not state the default");
  });

  it("turns every mode into a schema enum", () => {
    for (const [owner, property, enumName, values] of MODES) {
      const prop = schema.types[`usage-engine:index:${owner}`]?.properties?.[property];
      assert.ok(prop, `${owner}.${property} missing`);
      assert.equal(prop.$ref, typeRef(enumName), `${owner}.${property} is not the ${enumName} enum`);
      const enumType = schema.types[`usage-engine:index:${enumName}`];
      assert.equal(enumType.type, "string");
      assert.deepEqual(enumType.enum?.map((m) => m.value).sort(), [...values].sort(), enumName);
    }
  });

  it("marks the license, keys and passwords as secret inputs and nothing else of the top level", () => {
    const { inputProperties } = schema.resources[TOKEN];
    const secretArgs = Object.keys(inputProperties).filter((k) => inputProperties[k].secret);
    assert.deepEqual(secretArgs, ["licenseKey"]);
    const secretIn = (type: string) =>
      Object.entries(schema.types[`usage-engine:index:${type}`].properties ?? {})
        .filter(([, p]) => p.secret)
        .map(([k]) => k)
        .sort();
    assert.deepEqual(secretIn("RegistryOptions"), ["accessKeyId", "password", "secretAccessKey"]);
    assert.deepEqual(secretIn("CredentialsOptions"), ["extra", "passwords"]);
    assert.deepEqual(secretIn("ExternalDatabaseOptions"), ["adminPassword"]);
    assert.deepEqual(secretIn("NetworkOptions"), []);
  });

  it("marks exactly the outputs that are secret at run time", async () => {
    resetMocks();
    const stack = (await deploy()) as unknown as Record<string, pulumi.Output<unknown>>;
    const { properties } = schema.resources[TOKEN];
    const secretAtRunTime: string[] = [];
    for (const name of Object.keys(properties))
      if (await pulumi.isSecret(stack[name])) secretAtRunTime.push(name);
    const marked = Object.keys(properties).filter((k) => properties[k].secret);
    assert.deepEqual(marked.sort(), secretAtRunTime.sort());
    assert.deepEqual(SECRET_OUTPUTS.UsageEngineStack, ["chartValues", "databaseAdminPassword"]);
  });

  it("is committed as schema.json, up to date with the code", () => {
    assert.ok(
      committedSchema() === formatSchema(schema),
      "schema.json is stale: the public types in sdk/ changed. Run `npm run schema` and commit schema.json.",
    );
  });
});

describe("provider construct (what another language's `new UsageEngineStack` reaches)", function () {
  this.timeout(120_000);

  it("builds the component from its token and answers with every schema output", async () => {
    resetMocks();
    const result = await provider.construct("uepe", TOKEN, defaultArgs() as unknown as pulumi.Inputs, {});
    await settle();
    const schema = JSON.parse(await provider.getSchema()) as Schema;
    assert.deepEqual(
      Object.keys(result.state).sort(),
      Object.keys(schema.resources[TOKEN].properties).sort(),
    );
    assert.equal(await resolved(result.state.namespace as pulumi.Output<string>), "uepe");
    assert.ok(recorded.some((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "uepe-release"));
    await assert.rejects(
      provider.construct("x", "pulumi-usage-engine:index:UsageEngineStack", {}, {}),
      /Invalid package name pulumi-usage-engine, expected 'usage-engine'/,
    );
  });

  it("builds ClusterAddons from its token, with every schema output", async () => {
    resetMocks();
    const token = "usage-engine:index:ClusterAddons";
    const warnings = captureWarnings();
    const result = await provider.construct("addons", token, {}, {});
    await settle();
    warnings.restore();
    const schema = JSON.parse(await provider.getSchema()) as Schema;
    assert.deepEqual(
      Object.keys(result.state).sort(),
      Object.keys(schema.resources[token].properties).sort(),
    );
    assert.equal(await resolved(result.state.issuerName as pulumi.Output<string>), "addons-issuer");
    assert.ok(
      recorded.some((r) => r.type === "kubernetes:helm.sh/v3:Release" && r.name === "addons-cert-manager"),
    );
  });
});

describe("plugin entry point (PulumiPlugin.yaml main)", function () {
  // A fresh process analyzes the package again (~15 s of CPU) while the other test files run beside it.
  this.timeout(240_000);
  let child: ChildProcess | undefined;
  afterEach(() => child?.kill());

  it("serves the usage-engine schema over gRPC the way the Pulumi CLI launches it", async () => {
    const root = packageRoot();
    // run-plugin passes the engine address as the only argument; the host prints its port.
    child = spawn(process.execPath, ["--require", "tsx/cjs", path.join(root, "sdk", "provider.ts")], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr?.on("data", (d) => {
      stderr += d;
    });
    const port = await new Promise<string>((resolve, reject) => {
      child?.stdout?.once("data", (d) => resolve(String(d).trim()));
      child?.once("exit", (code) => reject(new Error(`provider exited with ${code}: ${stderr}`)));
    });
    assert.match(port, /^\d+$/);
    const client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const served = await new Promise<string>((resolve, reject) =>
      client.getSchema(new GetSchemaRequest(), (err, res) => (err ? reject(err) : resolve(res.getSchema()))),
    );
    client.close();
    const schema = JSON.parse(served) as Schema;
    assert.equal(schema.name, "usage-engine");
    assert.ok(schema.resources[TOKEN]);
    assert.equal(schema.resources[TOKEN].properties.chartValues.secret, true);
    assert.deepEqual(schema, finishSchema(JSON.parse(await analyzerSchema())));
  });
});
