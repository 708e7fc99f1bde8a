/**
 * The examples compile against the package as a user gets it: the package is built (the
 * TypeScript compiler, as `npm run build` does) into a scratch install, linked into each example's
 * node_modules the way npm links a `file:../..` dependency, and each example is type-checked with
 * its own tsconfig. No path mapping: the example resolves `pulumi-usage-engine` exactly as it
 * would after `npm install`. The YAML example is checked against the committed schema instead.
 */
import * as assert from "node:assert/strict";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as ts from "typescript";
import { parse } from "yaml";
import { evaluate } from "../tools/plan";
import { isSecretAt } from "./harness";

const ROOT = path.resolve(__dirname, "..");
const EXAMPLES = path.join(ROOT, "examples");
const TYPESCRIPT_EXAMPLES = ["quickstart", "embed", "kaa"];

/**
 * Parsed declaration files, shared by every program below: the package and the three examples all
 * read @pulumi/aws and @pulumi/kubernetes (close to a million lines of declarations), which one
 * `tsc` process each would parse and bind again. The compiler reuses a parsed file a second
 * program asks for; only the checking is per program.
 */
const sourceFiles = new Map<string, ts.SourceFile>();

function compilerHost(options: ts.CompilerOptions): ts.CompilerHost {
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const version = typeof languageVersion === "object" ? languageVersion : { languageVersion };
    const key = `${version.languageVersion}:${version.impliedNodeFormat}:${fileName}`;
    let file = sourceFiles.get(key);
    if (!file) {
      file = read(fileName, languageVersion, onError, shouldCreate);
      if (file) sourceFiles.set(key, file);
    }
    return file;
  };
  return host;
}

/** `tsc -p <project> [options]` in this process: the errors it would print, empty when none. */
function tsc(project: string, options: ts.CompilerOptions = {}): string {
  const diagnostics: ts.Diagnostic[] = [];
  const config = ts.getParsedCommandLineOfConfigFile(project, options, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => diagnostics.push(d),
  });
  if (config) {
    diagnostics.push(...config.errors);
    const program = ts.createProgram({
      rootNames: config.fileNames,
      options: config.options,
      projectReferences: config.projectReferences,
      host: compilerHost(config.options),
    });
    diagnostics.push(...ts.getPreEmitDiagnostics(program), ...program.emit().diagnostics);
  }
  return ts
    .formatDiagnostics(ts.sortAndDeduplicateDiagnostics(diagnostics), {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => ROOT,
      getNewLine: () => "\n",
    })
    .trim();
}

describe("examples", function () {
  this.timeout(180_000);
  let scratch: string;

  before(() => {
    scratch = mkdtempSync(path.join(tmpdir(), "uepe-examples-"));
    // One node_modules above everything: the dependencies both the package and the examples use.
    symlinkSync(path.join(ROOT, "node_modules"), path.join(scratch, "node_modules"), "dir");
    const pkg = path.join(scratch, "pulumi-usage-engine");
    mkdirSync(pkg);
    cpSync(path.join(ROOT, "package.json"), path.join(pkg, "package.json"));
    const errors = tsc(path.join(ROOT, "tsconfig.json"), { outDir: path.join(pkg, "bin") });
    assert.equal(errors, "", `the package does not build:\n${errors}`);
  });

  after(() => rmSync(scratch, { recursive: true, force: true }));

  it("has the three program examples and the YAML one", () => {
    const found = readdirSync(EXAMPLES, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    assert.deepEqual(found, [...TYPESCRIPT_EXAMPLES, "yaml"].sort());
  });

  for (const example of TYPESCRIPT_EXAMPLES)
    describe(example, () => {
      const dir = path.join(EXAMPLES, example);

      it("depends on the package the way a user would (file:../..)", () => {
        const manifest = JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8"));
        assert.equal(manifest.dependencies["pulumi-usage-engine"], "file:../..");
        const tsconfig = JSON.parse(readFileSync(path.join(dir, "tsconfig.json"), "utf8"));
        assert.equal(tsconfig.compilerOptions.paths, undefined, "no path mapping users could not have");
        const project = parse(readFileSync(path.join(dir, "Pulumi.yaml"), "utf8"));
        assert.equal(project.runtime.name, "nodejs");
      });

      it("type-checks against the built package", () => {
        const copy = path.join(scratch, "examples", example);
        cpSync(dir, copy, { recursive: true, filter: (src) => !src.includes(`${path.sep}node_modules`) });
        // What `npm install` does for a file: dependency: a link to the package directory.
        mkdirSync(path.join(copy, "node_modules"), { recursive: true });
        symlinkSync(
          path.join(scratch, "pulumi-usage-engine"),
          path.join(copy, "node_modules", "pulumi-usage-engine"),
          "dir",
        );
        const errors = tsc(path.join(copy, "tsconfig.json"), { noEmit: true });
        assert.equal(errors, "", `examples/${example} does not type-check:\n${errors}`);
      });
    });

  describe("quickstart, evaluated under mocks", () => {
    it("puts every Kubernetes object on the kubeconfig's explicit provider, and is what the root program runs", async () => {
      const root = parse(readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
      assert.equal(path.resolve(ROOT, root.main), path.join(EXAMPLES, "quickstart"));
      const { resources } = await evaluate({
        example: "quickstart",
        out: path.join(scratch, "plan-quickstart"),
      });
      const cluster = resources.find((r) => r.type === "pulumi:providers:kubernetes" && r.name === "cluster");
      assert.ok(cluster, "no explicit kubernetes provider");
      const objects = resources.filter((r) => r.custom && r.type.startsWith("kubernetes:"));
      assert.ok(objects.length > 5);
      for (const object of objects)
        assert.ok(
          object.provider.startsWith(`${cluster.urn}::`),
          `${object.type} ${object.name} is not on the cluster provider`,
        );
      // cert-manager once, through ClusterAddons, and the stack on its ClusterIssuer.
      const addons = resources.filter((r) => r.type === "usage-engine:index:ClusterAddons");
      assert.equal(addons.length, 1);
      const releases = resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release");
      assert.deepEqual(releases.map((r) => r.inputs.chart).sort(), [
        "cert-manager",
        "usage-engine-private-edition",
      ]);
      const certManager = releases.find((r) => r.inputs.chart === "cert-manager");
      assert.equal(
        certManager?.parent,
        addons[0].urn,
        "cert-manager belongs to ClusterAddons, not the installation",
      );
      const issuers = resources.filter((r) => r.type.startsWith("kubernetes:cert-manager.io/"));
      assert.deepEqual(
        issuers.map((r) => [r.type, r.parent]),
        [["kubernetes:cert-manager.io/v1:ClusterIssuer", addons[0].urn]],
      );
    });
  });

  describe("embed, evaluated under mocks", () => {
    it("runs two installations in two namespaces, every child on the program's explicit providers", async () => {
      const { resources } = await evaluate({ example: "embed", out: path.join(scratch, "plan") });
      const urnOf = (type: string, name: string) => {
        const found = resources.find((r) => r.type === type && r.name === name);
        assert.ok(found, `no ${type} ${name}`);
        return found.urn;
      };
      const awsProvider = urnOf("pulumi:providers:aws", "platform");
      const k8sProvider = urnOf("pulumi:providers:kubernetes", "platform");
      const stacks = resources.filter((r) => r.type === "usage-engine:index:UsageEngineStack");
      assert.deepEqual(stacks.map((r) => r.name).sort(), ["uepe-staging", "uepe-test"]);
      // One ClusterAddons for both: one cert-manager, one ClusterIssuer, no workaround.
      assert.equal(resources.filter((r) => r.type === "usage-engine:index:ClusterAddons").length, 1);
      assert.equal(resources.filter((r) => r.inputs.chart === "cert-manager").length, 1);
      assert.equal(
        resources.filter((r) => r.type === "kubernetes:cert-manager.io/v1:ClusterIssuer").length,
        1,
      );
      const namespaces = resources
        .filter((r) => r.type === "kubernetes:core/v1:Namespace")
        .map((r) => (r.inputs.metadata as { name: string }).name);
      assert.deepEqual(namespaces.sort(), ["uepe-staging", "uepe-test"]);

      const parentOf = new Map(resources.map((r) => [r.urn, r.parent]));
      const inStack = (urn: string, stack: string): boolean =>
        urn === stack || (parentOf.has(urn) && inStack(parentOf.get(urn) ?? "", stack));
      for (const stack of stacks) {
        const children = resources.filter(
          (r) => r.custom && r.urn !== stack.urn && inStack(r.urn, stack.urn),
        );
        assert.ok(children.length > 20, `${stack.name} has only ${children.length} resources`);
        for (const child of children) {
          if (child.type.startsWith("pulumi:providers:")) continue; // the registry's own ECR credentials
          const expected = child.type.startsWith("aws:")
            ? awsProvider
            : child.type.startsWith("kubernetes:")
              ? k8sProvider
              : "";
          if (!expected) continue;
          assert.ok(
            child.provider.startsWith(`${expected}::`),
            `${stack.name}: ${child.type} ${child.name} is not on the platform provider (${child.provider || "default"})`,
          );
        }
      }
    });
  });

  describe("kaa, evaluated under mocks", () => {
    it("prepares the three Secrets Kaa's chart reads and points its release at them", async () => {
      const { resources } = await evaluate({ example: "kaa", out: path.join(scratch, "plan-kaa") });
      const secrets = new Map(
        resources
          .filter((r) => r.type === "kubernetes:core/v1:Secret")
          .map((r) => [(r.inputs.metadata as { name: string }).name, r]),
      );
      assert.deepEqual([...secrets.keys()].sort(), ["kaaid", "keycloak-backend", "license"]);
      const pull = secrets.get("kaaid");
      assert.ok(pull, "no kaaid pull secret");
      assert.equal(pull.inputs.type, "kubernetes.io/dockerconfigjson");
      assert.ok(
        isSecretAt(pull.raw, ["stringData", ".dockerconfigjson"]),
        "pull secret content is not secret",
      );
      const auths = JSON.parse(
        String((pull.inputs.stringData as Record<string, string>)[".dockerconfigjson"]),
      ).auths;
      assert.deepEqual(Object.keys(auths), ["dev-hub.kaaiot.net"]);
      assert.ok(isSecretAt(secrets.get("keycloak-backend")?.raw, ["stringData", "client-secret"]));
      assert.ok(isSecretAt(secrets.get("license")?.raw, ["data", "file"]));

      const releases = resources.filter((r) => r.type === "kubernetes:helm.sh/v3:Release");
      assert.equal(releases.length, 1, "only Kaa's release: nothing of Usage Engine");
      const global = (releases[0].inputs.values as { global: Record<string, unknown> }).global;
      assert.deepEqual(global, {
        license: { secretName: "license" },
        image: { pullSecrets: [{ name: "kaaid" }] },
        keycloak: { backend: { existingSecret: "keycloak-backend" } },
      });
      assert.equal(resources.filter((r) => r.type.startsWith("aws:")).length, 0);
    });
  });

  describe("yaml", () => {
    const program = parse(readFileSync(path.join(EXAMPLES, "yaml", "Pulumi.yaml"), "utf8"));
    const schema = JSON.parse(readFileSync(path.join(ROOT, "schema.json"), "utf8"));

    it("adds the package from this repository", () => {
      assert.equal(program.runtime, "yaml");
      assert.ok(
        existsSync(path.join(EXAMPLES, "yaml", program.packages["usage-engine"], "PulumiPlugin.yaml")),
      );
    });

    it("is the quickstart: ClusterAddons, and the stack on its issuer", () => {
      assert.equal(program.resources.addons.type, "usage-engine:index:ClusterAddons");
      assert.deepEqual(program.resources.uepe.properties.tls, {
        // Pulumi YAML's interpolation of the ClusterAddons outputs, as written in the program.
        issuer: { type: "existing", kind: `\${addons.issuerKind}`, name: `\${addons.issuerName}` },
      });
    });

    for (const key of ["uepe", "addons"])
      it(`${key}: uses only arguments the schema has, and sets every required one`, () => {
        const resource = program.resources[key];
        resource.properties ??= {};
        const component = schema.resources[resource.type];
        const unknown: string[] = [];
        const visit = (
          props: Record<string, unknown>,
          spec: Record<string, { $ref?: string }>,
          at: string,
        ) => {
          for (const [key, value] of Object.entries(props)) {
            const prop = spec[key];
            if (!prop) unknown.push(`${at}${key}`);
            else if (prop.$ref?.startsWith("#/types/") && typeof value === "object" && value !== null)
              visit(
                value as Record<string, unknown>,
                schema.types[prop.$ref.slice("#/types/".length)].properties ?? {},
                `${at}${key}.`,
              );
          }
        };
        visit(resource.properties, component.inputProperties, "");
        assert.deepEqual(unknown, []);
        for (const required of component.requiredInputs)
          assert.ok(required in resource.properties, `required argument ${required} not set`);
      });
  });
});
