import * as assert from "node:assert/strict";
import type * as pulumi from "@pulumi/pulumi";
import { UsageEngineStack } from "../sdk";
import { defaultArgs, deploy, deployedOnce, externalOnlyArgs, LICENSE, NETWORK } from "./fixtures";
import { at, isSecret, isSecretAt, ofType, one, recorded, resetMocks, resolved } from "./harness";

const RELEASE = "kubernetes:helm.sh/v3:Release";

function uepeRelease() {
  return one(RELEASE, "uepe-release");
}

function urnOf(type: string, nameIncludes = ""): string {
  return one(type, nameIncludes).urn;
}

describe("UsageEngineStack", () => {
  beforeEach(() => resetMocks());

  describe("default stack", () => {
    // Every test reads the same evaluation of the default stack.
    const shared = deployedOnce();

    it("creates every part as its own component under the stack", async () => {
      const stackUrn = urnOf("usage-engine:index:UsageEngineStack");
      for (const part of [
        "SystemCredentials",
        "SystemDatabase",
        "SharedStorage",
        "DataKey",
        "BackupPlan",
        "Tls",
        "RegistryAccess",
      ]) {
        const component = one(`usage-engine:index:${part}`);
        assert.equal(component.parent, stackUrn, `${part} is not parented to the stack`);
        assert.ok(
          recorded.some((r) => r.parent === component.urn),
          `${part} has no children`,
        );
      }
    });

    it("creates the uepe namespace unless told not to", async () => {
      assert.equal(at(one("kubernetes:core/v1:Namespace").inputs, "metadata.name"), "uepe");
      assert.deepEqual(at(one("kubernetes:core/v1:Namespace").inputs, "metadata.labels"), {
        "app.kubernetes.io/managed-by": "pulumi",
        "app.kubernetes.io/part-of": "usage-engine",
        "pod-security.kubernetes.io/enforce": "baseline",
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/audit": "restricted",
      });
      resetMocks();
      await deploy(defaultArgs({ createNamespace: false, namespace: "platform" }));
      assert.equal(ofType("kubernetes:core/v1:Namespace").length, 0);
      assert.equal(at(uepeRelease().inputs, "namespace"), "platform");
    });

    it("installs the chart from DigitalRoute's repository at the requested version", async () => {
      const release = uepeRelease().inputs;
      assert.equal(release.chart, "usage-engine-private-edition");
      assert.equal(release.version, "4.2.0");
      assert.equal(
        at(release, "repositoryOpts.repo"),
        "https://digitalroute-public.github.io/usage-engine-private-edition",
      );
      assert.equal(release.name, "uepe");
      assert.equal(release.namespace, "uepe");
      assert.equal(release.atomic, true);
      assert.equal(release.cleanupOnFail, true);
      assert.ok(
        Number(release.timeout) >= 900,
        "timeout too short for a first start that creates the system DB",
      );
    });

    it("gives the release the PVC, the database endpoint, the issuer and the pull secret", async () => {
      const values = uepeRelease().inputs.values;
      const claim = at(one("kubernetes:core/v1:PersistentVolumeClaim").inputs, "metadata.name");
      assert.equal(at(values, "persistence.enabled"), true);
      assert.equal(at(values, "persistence.existingClaim"), claim);
      const rds = one("aws:rds/instance:Instance");
      assert.match(
        String(at(values, "postgres.host")),
        new RegExp(`^${rds.inputs.identifier}\\.c[0-9a-f]+\\.eu-west-1\\.rds\\.amazonaws\\.com$`),
      );
      assert.equal(at(values, "postgres.port"), 5432);
      const issuer = ofType("kubernetes:cert-manager.io/v1:ClusterIssuer")[0];
      assert.ok(issuer, "no ClusterIssuer");
      assert.equal(
        at(values, "platform.tls.cert.certManager.public.issuer.name"),
        at(issuer.inputs, "metadata.name"),
      );
      assert.equal(at(values, "platform.tls.cert.certManager.public.issuer.kind"), "ClusterIssuer");
      const pullSecrets = at(values, "global.imagePullSecrets") as { name: string }[];
      assert.deepEqual(pullSecrets, [{ name: "ecr-cred" }]);
      assert.equal(at(values, "licenseKey"), LICENSE);
    });

    it("makes the release wait for env-secrets, the PVC and the issuer", async () => {
      const deps = uepeRelease().dependencies;
      const envSecret = ofType("kubernetes:core/v1:Secret").find(
        (s) => at(s.inputs, "metadata.name") === "env-secrets",
      );
      assert.ok(envSecret, "no env-secrets Secret");
      assert.ok(deps.includes(envSecret.urn), "release does not depend on env-secrets");
      assert.ok(
        deps.includes(urnOf("kubernetes:core/v1:PersistentVolumeClaim")),
        "release does not depend on the PVC",
      );
      const issuer = ofType("kubernetes:cert-manager.io/v1:ClusterIssuer")[0];
      assert.ok(deps.includes(issuer.urn), "release does not depend on the issuer");
      assert.ok(deps.includes(urnOf("aws:rds/instance:Instance")), "release does not depend on the database");
    });

    it("does not make the release wait for the backup plan", async () => {
      const deps = new Set(uepeRelease().dependencies);
      const backupChildren = recorded.filter(
        (r) => r.type.startsWith("aws:backup/") || r.type === "aws:iam/role:Role",
      );
      assert.ok(backupChildren.length > 0);
      for (const child of backupChildren) assert.ok(!deps.has(child.urn), `release waits for ${child.type}`);
    });

    it("keeps the license and every password secret", async () => {
      const { stack } = shared;
      assert.equal(await isSecret(stack.chartValues), true);
      assert.equal(
        isSecretAt(uepeRelease().raw, ["values"]) || isSecretAt(uepeRelease().raw, ["values", "licenseKey"]),
        true,
      );
      const envSecret = ofType("kubernetes:core/v1:Secret").find(
        (s) => at(s.inputs, "metadata.name") === "env-secrets",
      )!;
      const data = at(envSecret.inputs, "stringData") as Record<string, string>;
      for (const key of Object.keys(data).filter((k) => k.endsWith("Password")))
        assert.ok(isSecretAt(envSecret.raw, ["stringData", key]), `env-secrets ${key} is not secret`);
      const master = one("aws:rds/instance:Instance");
      assert.ok(isSecretAt(master.raw, ["password"]), "RDS master password is not secret");
    });

    it("uses the generated admin password as the RDS master password", async () => {
      const master = String(one("aws:rds/instance:Instance").inputs.password);
      const generated = ofType("random:index/randomPassword:RandomPassword").map((r) => r.name);
      assert.ok(generated.some((n) => n.includes("admin")));
      const envSecret = ofType("kubernetes:core/v1:Secret").find(
        (s) => at(s.inputs, "metadata.name") === "env-secrets",
      )!;
      assert.equal(at(envSecret.inputs, "stringData.postgresqlPassword"), master);
    });

    it("exports every output of the contract", async () => {
      const { stack } = shared;
      const expected: Record<string, RegExp> = {
        namespace: /^uepe$/,
        releaseName: /^uepe$/,
        releaseStatus: /^deployed$/,
        databaseEndpoint: /\.rds\.amazonaws\.com:5432$/,
        databaseInstanceId: /^[a-z][a-z0-9-]+$/,
        fileSystemId: /^fs-[0-9a-f]{17}$/,
        accessPointId: /^fsap-[0-9a-f]{17}$/,
        claimName: /^[a-z0-9-]+$/,
        backupVaultName: /^[A-Za-z0-9_-]+$/,
        backupPlanId: /^[0-9a-f-]{36}$/,
        fileSystemBackupPlanId: /^[0-9a-f-]{36}$/,
        dataKeyArn: /^arn:aws:kms:eu-west-1:123456789012:key\/[0-9a-f-]{36}$/,
        issuerName: /^[a-z0-9-]+$/,
        envSecretName: /^env-secrets$/,
        pullSecretName: /^ecr-cred$/,
      };
      const outputs = stack as unknown as Record<string, pulumi.Output<string>>;
      for (const [name, pattern] of Object.entries(expected))
        assert.match(String(await resolved(outputs[name])), pattern, `output ${name}`);
    });
  });

  describe("bad input", () => {
    const cases: [string, () => Parameters<typeof defaultArgs>[0] | object, RegExp][] = [
      ["missing version", () => ({ version: undefined }), /version: is required/],
      [
        "non-semver version",
        () => ({ version: "4.2" }),
        /version: "4\.2" is not a plain MAJOR\.MINOR\.PATCH version/,
      ],
      ["missing license", () => ({ licenseKey: undefined }), /licenseKey: is required/],
      ["missing network with RDS", () => ({ network: undefined }), /network: is required/],
      [
        "one subnet for RDS",
        () => ({ network: { ...NETWORK, subnetIds: [NETWORK.subnetIds[0]] } }),
        /network\.subnetIds: has 1 item/,
      ],
      ["bad namespace", () => ({ namespace: "UEPE_ns" }), /namespace: "UEPE_ns" is not a valid name/],
      [
        "unknown top-level arg",
        () => ({ verison: "4.2.0" }),
        /verison: is not a known argument \(did you mean "version"\?\)/,
      ],
    ];
    for (const [title, override, message] of cases)
      it(`rejects ${title} before registering anything`, () => {
        const args = { ...defaultArgs(), ...(override() as object) };
        assert.throws(() => new UsageEngineStack("uepe", args as never), message);
        assert.equal(recorded.length, 0);
      });

    it("needs no network when neither RDS nor EFS is created", async () => {
      await deploy(externalOnlyArgs());
      assert.equal(ofType("aws:rds/instance:Instance").length, 0);
      assert.equal(ofType("aws:efs/fileSystem:FileSystem").length, 0);
      assert.equal(at(uepeRelease().inputs.values, "persistence.enabled"), false);
    });
  });
});
