import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import type { UsageEngineStackArgs } from "../sdk";
import {
  CHART_KEYS,
  type ChartKey,
  chartKeyPaths,
  DATABASE_VALUES_BLOCK,
  PULL_SECRET,
  SECRET_KEYS,
  type SecretKey,
  TLS_SECRET,
} from "../sdk/chart/contract";
import {
  contractRows,
  uepeRelease,
  userSecretKeys,
  valuePathIndex,
  walkSecrets,
  walkValues,
} from "../tools/chart-contract";
import { defaultArgs, deploy, KEYSTORE_PASSWORDS } from "./fixtures";
import { recorded, resetMocks } from "./harness";
import { SCENARIOS, type Scenario } from "./scenarios";

type Values = Record<string, unknown>;

const PEM_KEY = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----";
const PEM_CRT = "-----BEGIN CERTIFICATE-----\nMIIDazCCAlOgAwIBAgIUe3Zk\n-----END CERTIFICATE-----";
const JKS_B64 = Buffer.from([0xfe, 0xed, 0xfe, 0xed, 0, 0, 0, 2, 0, 0, 0, 1]).toString("base64");

/** Configurations beyond the shared scenarios: the remaining ways the package writes keys. */
const CONTRACT_SCENARIOS: Scenario[] = [
  {
    title: "TLS Secret created from inputs, mirror registry with a pull secret",
    args: () =>
      defaultArgs({
        tls: {
          mode: "secret",
          secret: {
            keystoreJks: pulumi.secret(JKS_B64),
            tlsKey: pulumi.secret(PEM_KEY),
            tlsCrt: pulumi.secret(PEM_CRT),
          },
        },
        credentials: { passwords: KEYSTORE_PASSWORDS },
        registry: {
          source: "mirror",
          repository: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/usage-engine-private-edition",
          username: "AWS",
          password: pulumi.secret("mirror-password-3e1"),
        },
      }),
  },
  {
    title: "renamed and extra env-secrets keys, JWT keystore, user values",
    args: () =>
      defaultArgs({
        credentials: {
          keyNames: { jdbc: "jdbcPass", admin: "dbaPassword" },
          extra: { reportingPassword: "r-3f9a" },
        },
        authorizationServer: {
          jwt: {
            keystore: pulumi.secret(JKS_B64),
            keyPassword: pulumi.secret("kp"),
            keystorePassword: pulumi.secret("ksp"),
          },
        },
        values: {
          platform: { extraSetting: true },
          team: { owner: "billing" },
          debug: { log: { level: { jetty: "info" } } },
        },
      }),
  },
  {
    title: "external SAP HANA the chart creates the system database on",
    args: () =>
      defaultArgs({
        database: {
          mode: "external",
          external: {
            type: "saphana",
            host: "hana.internal.example.com",
            adminPassword: pulumi.secret("hana-admin-7"),
          },
        },
      }),
  },
  {
    title:
      "LoadBalancer with annotations and source ranges, a cluster ingress controller, HTTPS ingress on two hosts",
    args: () =>
      defaultArgs({
        exposure: {
          domain: "uepe.example.com",
          serviceType: "LoadBalancer",
          serviceAnnotations: { "service.beta.kubernetes.io/aws-load-balancer-type": "external" },
          loadBalancerSourceRanges: ["203.0.113.0/24"],
          ingressControllerServiceName: "ingress-nginx-controller",
          ingress: { enabled: true, annotations: { "example.com/team": "billing" } },
        },
      }),
  },
];

const ALL = [...SCENARIOS, ...CONTRACT_SCENARIOS];

interface Evaluated {
  values: Values;
  written: string[];
  unknownValues: string[];
  secrets: ReturnType<typeof walkSecrets>;
  version: string;
}

async function evaluate(args: UsageEngineStackArgs): Promise<Evaluated> {
  resetMocks();
  await deploy(args);
  const values = uepeRelease(recorded).inputs.values as Values;
  const walk = walkValues(values, (args.values ?? {}) as Values);
  return {
    values,
    written: walk.written,
    unknownValues: walk.unknown,
    secrets: walkSecrets(recorded, values, { "env-secrets": userSecretKeys(args.credentials) }),
    version: args.chart?.version ?? args.version,
  };
}

describe("chart contract", () => {
  const seenValues = new Set<string>();
  const seenSecretKeys = new Set<string>();

  describe("every key the package writes is in the table", () => {
    for (const scenario of ALL)
      it(scenario.title, async () => {
        const result = await evaluate(scenario.args());
        assert.deepEqual(result.unknownValues, [], "chart values outside the CHART_KEYS table");
        assert.deepEqual(result.secrets.unknown, [], "Secret keys outside the SECRET_KEYS table");
        const index = valuePathIndex();
        for (const path of result.written) seenValues.add(index.get(path)!);
        for (const k of result.secrets.written)
          if (k.tableSecret) seenSecretKeys.add(`${k.tableSecret}/${k.key}`);
      });

    it("has no row that no configuration writes (run after the configurations above)", function () {
      if (seenValues.size === 0) this.skip();
      const unusedValues = Object.keys(CHART_KEYS).filter((name) => !seenValues.has(name));
      assert.deepEqual(
        unusedValues,
        [],
        "CHART_KEYS rows no configuration writes: add a configuration or drop the row",
      );
      const unusedSecrets = Object.values(SECRET_KEYS as Record<string, SecretKey>)
        .map((k) => `${k.secret}/${k.key}`)
        .filter((k) => !seenSecretKeys.has(k));
      assert.deepEqual(unusedSecrets, [], "SECRET_KEYS rows no configuration writes");
    });
  });

  describe("the walk itself", () => {
    it("flags a chart value the table does not have, however deep", () => {
      const walk = walkValues({
        persistence: { enabled: true, storageClass: "efs" },
        platform: { db: { pool: { size: 8 } } },
      });
      assert.deepEqual(walk.written, ["persistence.enabled"]);
      assert.deepEqual(walk.unknown, ["persistence.storageClass", "platform.db.pool.size"]);
    });

    it("treats a table key's map or list value as that key's, and skips only what the user set", () => {
      const values = {
        global: { imagePullSecrets: [{ name: "ecr-cred" }] },
        ingress: { annotations: { a: "b" } },
        platform: { service: { type: "NodePort", extra: 1 }, custom: { x: 1 } },
      };
      const walk = walkValues(values, { platform: { custom: { x: 1 } } });
      assert.deepEqual(walk.written.sort(), [
        "global.imagePullSecrets",
        "ingress.annotations",
        "platform.service.type",
      ]);
      assert.deepEqual(walk.unknown, ["platform.service.extra"]);
    });

    it("does not count a table key the user dropped with null", () => {
      const values = { platform: { service: { type: null, serviceType: "LoadBalancer" } } };
      const walk = walkValues(values, { platform: { service: { type: null, serviceType: "LoadBalancer" } } });
      assert.deepEqual(walk, { written: [], unknown: [] });
    });

    it("flags a Secret key outside the table, and a package Secret no workload reads", () => {
      const secret = (name: string, stringData: Values, type = "kubernetes:core/v1:Secret") => ({
        type,
        name,
        inputs: { metadata: { name }, stringData },
      });
      const job = {
        type: "kubernetes:batch/v1:Job",
        name: "j",
        inputs: { spec: { env: [{ valueFrom: { secretKeyRef: { name: "own", key: "token" } } }] } },
      };
      const walk = walkSecrets(
        [
          secret("env-secrets", { jdbcPassword: "x", jdbcPwd: "y", mine: "z" }),
          secret("own", { token: "t", unused: "u" }),
          secret("tls-a", { "tls.crt": "c", "ca.crt": "c" }),
          job,
        ],
        { platform: { tls: { cert: { secret: { name: "tls-a" } } } } },
        { "env-secrets": ["mine"] },
      );
      assert.deepEqual(walk.unknown.sort(), ["env-secrets/jdbcPwd", "own/unused", "tls-a/ca.crt"]);
      assert.equal(walk.written.find((k) => k.secret === "tls-a")?.tableSecret, TLS_SECRET);
    });
  });

  describe("the table", () => {
    const rows = contractRows();

    it("gives a source for every verified key", () => {
      for (const row of rows.filter((r) => r.evidence === "verified"))
        assert.match(row.source ?? "", /^https:\/\//, `${row.name} is verified without a source`);
    });

    it("has one row per value path and per Secret key, and no path inside another", () => {
      const paths = Object.values(CHART_KEYS as Record<string, ChartKey>).flatMap(chartKeyPaths);
      assert.equal(new Set(paths).size, paths.length, "a value path is listed twice");
      for (const a of paths)
        for (const b of paths) assert.ok(!b.startsWith(`${a}.`), `${b} lies inside the table key ${a}`);
      const secretKeys = Object.values(SECRET_KEYS as Record<string, SecretKey>).map(
        (k) => `${k.secret}/${k.key}`,
      );
      assert.equal(new Set(secretKeys).size, secretKeys.length, "a Secret key is listed twice");
    });

    it("expands <db> to every database block", () => {
      assert.deepEqual(
        chartKeyPaths(CHART_KEYS.dbHost),
        Object.values(DATABASE_VALUES_BLOCK).map((block) => `${block}.host`),
      );
    });

    it("only names Secret key names Kubernetes accepts", () => {
      for (const k of Object.values(SECRET_KEYS as Record<string, SecretKey>))
        assert.match(k.key, /^[-._a-zA-Z0-9]+$/, `${k.key} is not a valid Secret key`);
      assert.ok(Object.values(SECRET_KEYS).some((k) => k.secret === PULL_SECRET));
    });
  });
});
