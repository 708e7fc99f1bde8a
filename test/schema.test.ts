/**
 * Every Kubernetes object the package creates, in every scenario, is checked the way the API
 * server would: the OpenAPI schema (kubernetes-models, and @kubernetes-models/cert-manager for
 * cert-manager's CRDs), strict field validation (no field the type does not have: the API server
 * rejects them, and a CRD silently prunes them), and the object-meta rules the schema leaves out.
 */
import * as assert from "node:assert/strict";
import * as ts from "typescript";
import { ClusterAddons } from "../sdk";
import { deploy } from "./fixtures";
import {
  KUBERNETES_NON_OBJECTS,
  kubernetesObject,
  type Recorded,
  recorded,
  resetMocks,
  settle,
} from "./harness";
import { ADDONS_SCENARIOS, SCENARIOS } from "./scenarios";

/** API groups whose models live in @kubernetes-models/cert-manager rather than kubernetes-models. */
const CERT_MANAGER_GROUPS = new Set(["cert-manager.io", "acme.cert-manager.io"]);

interface ModelClass {
  new (data: unknown): { validate(): void };
  apiVersion: string;
  kind: string;
}

interface TypeModel {
  /** Module path of the model, e.g. kubernetes-models/batch/v1/CronJob. */
  module: string;
  model: ModelClass;
  kind: string;
}

/** The model of a type token such as `kubernetes:batch/v1:CronJob`; undefined when there is none. */
function modelOf(type: string): TypeModel | undefined {
  const m = /^kubernetes:([^/]+)\/([^:]+):(.+)$/.exec(type);
  if (!m) return undefined;
  const [, group, version, kind] = m;
  const module = CERT_MANAGER_GROUPS.has(group)
    ? `@kubernetes-models/cert-manager/${group}/${version}/${kind}`
    : group === "core"
      ? `kubernetes-models/${version}/${kind}`
      : `kubernetes-models/${group}/${version}/${kind}`;
  try {
    const model = (require(module) as Record<string, ModelClass>)[kind];
    return model ? { module, model, kind } : undefined;
  } catch {
    return undefined;
  }
}

/** A TypeScript view of the models' declarations, for strict (unknown-field) validation. */
class FieldChecker {
  private readonly checker: ts.TypeChecker;
  private readonly program: ts.Program;

  constructor(modules: string[]) {
    const files = modules.map((m) => require.resolve(m).replace(/\.js$/, ".d.ts"));
    this.program = ts.createProgram(files, { strict: true, noEmit: true, skipLibCheck: true });
    this.checker = this.program.getTypeChecker();
  }

  /** Paths of fields in `data` that the model's interface (`I<Kind>`) does not declare. */
  unknownFields(model: TypeModel, data: unknown): string[] {
    const file = this.program.getSourceFile(require.resolve(model.module).replace(/\.js$/, ".d.ts"));
    const moduleSymbol = file && this.checker.getSymbolAtLocation(file);
    const symbol =
      moduleSymbol && this.checker.getExportsOfModule(moduleSymbol).find((s) => s.name === `I${model.kind}`);
    if (!symbol) return [`(no declaration I${model.kind} in ${model.module})`];
    const found: string[] = [];
    this.walk(this.checker.getDeclaredTypeOfSymbol(symbol), data, "", found);
    return found;
  }

  private walk(type: ts.Type, value: unknown, at: string, found: string[]): void {
    const t = this.checker.getNonNullableType(type);
    if (t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return;
    if (Array.isArray(value)) {
      const element = this.checker.isArrayType(t)
        ? this.checker.getTypeArguments(t as ts.TypeReference)[0]
        : undefined;
      if (element) for (const [i, item] of value.entries()) this.walk(element, item, `${at}[${i}]`, found);
      return;
    }
    if (typeof value !== "object" || value === null) return;
    const members = t.isUnion() ? t.types : [t];
    for (const [key, child] of Object.entries(value)) {
      const property = members
        .map((m) => this.checker.getPropertyOfType(m, key))
        .find((p) => p !== undefined);
      if (property) {
        this.walk(this.checker.getTypeOfSymbol(property), child, `${at}.${key}`, found);
        continue;
      }
      const index = members
        .map((m) => this.checker.getIndexInfoOfType(m, ts.IndexKind.String))
        .find((i) => i);
      if (index) this.walk(index.type, child, `${at}.${key}`, found);
      else found.push(`${at}.${key}`);
    }
  }
}

/**
 * Fields newer than the installed models (kubernetes-models-ts lags the CRDs it is generated from;
 * its Node 20 builds stop at cert-manager's pre-1.12 schema). Each entry names the release that
 * added the field and where that is documented; a test below fails once the models catch up.
 */
const MODEL_LAG: {
  kinds: string[];
  field: RegExp;
  example: Record<string, unknown>;
  since: string;
  source: string;
}[] = [
  {
    kinds: ["Issuer", "ClusterIssuer"],
    field: /^\.spec\.acme\.solvers\[\d+\]\.http01\.ingress\.ingressClassName$/,
    example: { spec: { acme: { solvers: [{ http01: { ingress: { ingressClassName: "nginx" } } }] } } },
    since: "cert-manager v1.12",
    source: "https://cert-manager.io/docs/configuration/acme/http01/",
  },
];

const lagging = (kind: string, field: string) =>
  MODEL_LAG.some((lag) => lag.kinds.includes(kind) && lag.field.test(field));

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;
const CONFIG_KEY = /^[-._a-zA-Z0-9]+$/;
/** Kinds whose names must be DNS-1123 labels rather than subdomains. */
const LABEL_NAMED_KINDS = new Set(["Namespace", "Service"]);

/** Object-meta rules the API server enforces beyond the OpenAPI schema. */
function metaProblems(object: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const meta = (object.metadata ?? {}) as {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  const kind = String(object.kind);
  const nameRule = LABEL_NAMED_KINDS.has(kind) ? DNS1123_LABEL : DNS1123_SUBDOMAIN;
  if (
    typeof meta.name !== "string" ||
    meta.name.length > (LABEL_NAMED_KINDS.has(kind) ? 63 : 253) ||
    !nameRule.test(meta.name)
  )
    problems.push(`metadata.name ${JSON.stringify(meta.name)}`);
  if (meta.namespace !== undefined && !DNS1123_LABEL.test(meta.namespace))
    problems.push(`metadata.namespace ${JSON.stringify(meta.namespace)}`);
  for (const [key, value] of Object.entries(meta.labels ?? {})) {
    if (!QUALIFIED_NAME.test(key) || key.split("/").pop()!.length > 63) problems.push(`label key ${key}`);
    if (typeof value !== "string" || value.length > 63 || !LABEL_VALUE.test(value))
      problems.push(`label ${key} value`);
  }
  for (const key of Object.keys(meta.annotations ?? {}))
    if (!QUALIFIED_NAME.test(key)) problems.push(`annotation key ${key}`);
  if (kind === "Secret" || kind === "ConfigMap")
    for (const field of ["data", "stringData", "binaryData"])
      for (const key of Object.keys((object[field] as object | undefined) ?? {}))
        if (!CONFIG_KEY.test(key) || key.length > 253) problems.push(`${field} key ${key}`);
  return problems;
}

/** Every problem of one recorded Kubernetes registration; empty when the API server would accept it. */
function problemsOf(r: Recorded, fields: FieldChecker): string[] {
  const model = modelOf(r.type);
  if (!model) return ["no schema for this type (unknown Kubernetes type)"];
  const object = kubernetesObject(r);
  const problems: string[] = [];
  if (object.apiVersion !== model.model.apiVersion || object.kind !== model.model.kind)
    problems.push(`apiVersion/kind ${object.apiVersion}/${object.kind} do not match the type`);
  try {
    new model.model(object).validate();
  } catch (e) {
    problems.push(`schema: ${(e as Error).message}`);
  }
  for (const field of fields.unknownFields(model, object))
    if (!lagging(model.kind, field)) problems.push(`unknown field ${field}`);
  problems.push(...metaProblems(object));
  return problems;
}

const isKubernetesObject = (r: Recorded) =>
  r.type.startsWith("kubernetes:") && !KUBERNETES_NON_OBJECTS.has(r.type);

/** The model modules every scenario needs, resolved once: the TypeScript program is the slow part. */
let fields: FieldChecker;
const byScenario = new Map<string, Recorded[]>();

describe("Kubernetes schema", function () {
  this.timeout(120_000);

  before(async () => {
    for (const scenario of SCENARIOS) {
      resetMocks();
      await deploy(scenario.args());
      byScenario.set(scenario.title, recorded.filter(isKubernetesObject));
    }
    for (const scenario of ADDONS_SCENARIOS) {
      resetMocks();
      new ClusterAddons("addons", scenario.args());
      await settle();
      byScenario.set(scenario.title, recorded.filter(isKubernetesObject));
    }
    const modules = new Set<string>();
    for (const objects of byScenario.values())
      for (const r of objects) {
        const model = modelOf(r.type);
        if (model) modules.add(model.module);
      }
    modules.add("@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer");
    modules.add("@kubernetes-models/cert-manager/cert-manager.io/v1/Issuer");
    fields = new FieldChecker([...modules]);
  });

  for (const scenario of [...SCENARIOS, ...ADDONS_SCENARIOS])
    it(`${scenario.title}: every object is valid`, () => {
      const objects = byScenario.get(scenario.title)!;
      assert.ok(objects.length > 0, "no Kubernetes objects");
      const problems = objects.flatMap((r) => problemsOf(r, fields).map((p) => `${r.type} ${r.name}: ${p}`));
      assert.deepEqual(problems, []);
    });

  it("covers cert-manager issuers of both kinds", () => {
    const types = new Set([...byScenario.values()].flat().map((r) => r.type));
    for (const type of [
      "kubernetes:cert-manager.io/v1:ClusterIssuer",
      "kubernetes:cert-manager.io/v1:Issuer",
    ])
      assert.ok(types.has(type), `no scenario creates ${type}`);
  });

  it("allows a field newer than the models only while the models lack it", () => {
    for (const lag of MODEL_LAG)
      for (const kind of lag.kinds) {
        const model = modelOf(`kubernetes:cert-manager.io/v1:${kind}`)!;
        const unknown = fields.unknownFields(model, {
          apiVersion: "cert-manager.io/v1",
          kind,
          ...lag.example,
        });
        assert.equal(
          unknown.length,
          1,
          `${kind}: the models now know the field added in ${lag.since}; drop the allowance`,
        );
        assert.match(unknown[0], lag.field);
      }
  });

  describe("the checks can fail", () => {
    const fake = (type: string, inputs: Record<string, unknown>): Recorded =>
      ({ type, name: "fake", inputs, outputs: {} }) as unknown as Recorded;

    it("reports a Kubernetes type without a schema", () => {
      assert.deepEqual(problemsOf(fake("kubernetes:example.com/v1:Widget", {}), fields), [
        "no schema for this type (unknown Kubernetes type)",
      ]);
    });

    it("reports a cert-manager issuer missing required ACME fields", () => {
      const issuer = fake("kubernetes:cert-manager.io/v1:ClusterIssuer", {
        apiVersion: "cert-manager.io/v1",
        kind: "ClusterIssuer",
        metadata: { name: "le" },
        spec: { acme: { email: "ops@example.com" } },
      });
      const problems = problemsOf(issuer, fields);
      assert.equal(problems.length, 1);
      assert.match(problems[0], /^schema: .*must have required property privateKeySecretRef/);
    });

    it("reports a misspelled field, a bad name, label and Secret key", () => {
      const issuer = fake("kubernetes:cert-manager.io/v1:ClusterIssuer", {
        apiVersion: "cert-manager.io/v1",
        kind: "ClusterIssuer",
        metadata: { name: "Self_Signed", labels: { "app.kubernetes.io/part-of": "usage engine" } },
        spec: { selfsigned: {} },
      });
      assert.deepEqual(problemsOf(issuer, fields), [
        "unknown field .spec.selfsigned",
        'metadata.name "Self_Signed"',
        "label app.kubernetes.io/part-of value",
      ]);
    });
  });
});
