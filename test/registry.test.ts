import * as assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CronJob } from "kubernetes-models/batch/v1/CronJob";
import { Job } from "kubernetes-models/batch/v1/Job";
import { Role } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import { RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import { Secret } from "kubernetes-models/v1/Secret";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { RegistryAccess, type RegistryOptions } from "../sdk";
import { resolveRegistry } from "../sdk/args";
import { AWS_CLI_SCRIPT } from "../sdk/registry";
import { ArgumentError, Checker } from "../sdk/validation";
import { ACCESS_KEY_ID, defaultArgs, deploy, SECRET_ACCESS_KEY } from "./fixtures";
import {
  at,
  delays,
  isSecretAt,
  ofType,
  one,
  plaintextStrings,
  type Recorded,
  recorded,
  refusalOf,
  resetMocks,
  resolved,
  settle,
} from "./harness";

const SECRET = "kubernetes:core/v1:Secret";
const CRONJOB = "kubernetes:batch/v1:CronJob";
const JOB = "kubernetes:batch/v1:Job";
const ROLE = "kubernetes:rbac.authorization.k8s.io/v1:Role";
const BINDING = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding";
const ACCOUNT = "kubernetes:core/v1:ServiceAccount";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const uepeRelease = () => one(RELEASE, "uepe-release");

const MIRROR = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/usage-engine-private-edition";
const MIRROR_PASSWORD = "mirror-Pa55word-b7c1e0";

type Obj = Record<string, unknown>;
interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: Obj }[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  securityContext?: Obj;
  resources?: { requests?: Obj; limits?: Obj };
}
interface PodSpec {
  serviceAccountName: string;
  automountServiceAccountToken: boolean;
  restartPolicy: string;
  securityContext: Obj;
  volumes: { name: string; emptyDir?: Obj; projected?: Obj }[];
  initContainers: Container[];
  containers: Container[];
}

function digitalroute(extra: RegistryOptions = {}): RegistryOptions {
  return {
    accessKeyId: pulumi.secret(ACCESS_KEY_ID),
    secretAccessKey: pulumi.secret(SECRET_ACCESS_KEY),
    ...extra,
  };
}

async function access(registry: RegistryOptions | undefined = digitalroute()): Promise<RegistryAccess> {
  const part = new RegistryAccess("uepe-registry", { registry, namespace: "uepe" });
  await settle();
  return part;
}

function byName(type: string, name: string): Recorded {
  const found = ofType(type).filter((r) => at(r.inputs, "metadata.name") === name);
  assert.equal(found.length, 1, `expected one ${type} named ${name}, found ${found.length}`);
  return found[0];
}

const cronJob = () => one(CRONJOB).inputs;
const bootstrapJob = () => one(JOB).inputs;
const cronPod = () => at(cronJob(), "spec.jobTemplate.spec.template.spec") as PodSpec;
const bootstrapPod = () => at(bootstrapJob(), "spec.template.spec") as PodSpec;
const containersOf = (pod: PodSpec) => [...pod.initContainers, ...pod.containers];

const dockerConfig = (secret: Recorded) => String((secret.inputs.stringData as Obj)[".dockerconfigjson"]);

/** Everything a user could read without the Secret: each string outside a secret wrapper. */
function plaintextEverywhere(): string[] {
  return recorded.flatMap((r) => [r.name, r.urn, ...plaintextStrings(r.raw)]);
}

function thrown(registry: RegistryOptions | undefined): ArgumentError {
  try {
    new RegistryAccess("uepe-registry", { registry, namespace: "uepe" });
  } catch (error) {
    assert.ok(error instanceof ArgumentError, `not an ArgumentError: ${error}`);
    return error;
  }
  assert.fail("no error thrown");
}

describe("RegistryAccess", () => {
  beforeEach(() => resetMocks());

  describe("DigitalRoute ECR", () => {
    it("keeps the access keys in their own Secret, both values secret", async () => {
      await access();
      const keys = byName(SECRET, "ecr-credentials-sync-keys");
      assert.equal(keys.inputs.type, "Opaque");
      assert.deepEqual(keys.inputs.stringData, {
        accessKeyId: ACCESS_KEY_ID,
        secretAccessKey: SECRET_ACCESS_KEY,
      });
      assert.ok(isSecretAt(keys.raw, ["stringData", "accessKeyId"]), "access key id not secret");
      assert.ok(isSecretAt(keys.raw, ["stringData", "secretAccessKey"]), "secret access key not secret");
    });

    it("hands the keys to the AWS CLI step only through secretKeyRef, never as env values", async () => {
      await access();
      for (const pod of [cronPod(), bootstrapPod()]) {
        const [getToken] = pod.initContainers;
        const env = Object.fromEntries((getToken.env ?? []).map((e) => [e.name, e]));
        assert.deepEqual(env.AWS_ACCESS_KEY_ID, {
          name: "AWS_ACCESS_KEY_ID",
          valueFrom: { secretKeyRef: { name: "ecr-credentials-sync-keys", key: "accessKeyId" } },
        });
        assert.deepEqual(env.AWS_SECRET_ACCESS_KEY, {
          name: "AWS_SECRET_ACCESS_KEY",
          valueFrom: { secretKeyRef: { name: "ecr-credentials-sync-keys", key: "secretAccessKey" } },
        });
        for (const container of containersOf(pod))
          for (const e of container.env ?? [])
            assert.ok(
              e.value !== ACCESS_KEY_ID && e.value !== SECRET_ACCESS_KEY,
              `${container.name} has a key in ${e.name}`,
            );
        assert.equal(
          pod.containers.some((c) => (c.env ?? []).some((e) => e.name.startsWith("AWS_"))),
          false,
          "the kubectl step sees AWS settings",
        );
      }
    });

    it("refreshes on the default schedule, one run at a time, keeping one Job of each outcome", async () => {
      await access();
      const spec = cronJob().spec as Obj;
      assert.equal(spec.schedule, "0 */8 * * *");
      assert.equal(spec.concurrencyPolicy, "Forbid");
      assert.equal(spec.successfulJobsHistoryLimit, 1);
      assert.equal(spec.failedJobsHistoryLimit, 1);
      assert.equal(at(cronJob(), "metadata.name"), "ecr-credentials-sync");
      assert.equal(at(cronJob(), "metadata.namespace"), "uepe");
    });

    it("uses refreshSchedule when given", async () => {
      await access(digitalroute({ refreshSchedule: "30 */6 * * *" }));
      assert.equal(at(cronJob(), "spec.schedule"), "30 */6 * * *");
    });

    it("accepts a refreshSchedule whose longest gap is 11 hours: an hour inside the 12 h token lifetime", async () => {
      // Runs at 00:00, 11:00 and 22:00: gaps of 11, 11 and 2 hours.
      await access(digitalroute({ refreshSchedule: "0 */11 * * *" }));
      assert.equal(at(cronJob(), "spec.schedule"), "0 */11 * * *");
    });

    it("grants exactly get/patch on the pull secret, no create, to its own account", async () => {
      await access(digitalroute({ pullSecretName: "uepe-pull" }));
      assert.deepEqual(one(ROLE).inputs.rules, [
        { apiGroups: [""], resources: ["secrets"], resourceNames: ["uepe-pull"], verbs: ["get", "patch"] },
      ]);
      const verbs = (one(ROLE).inputs.rules as { verbs: string[] }[]).flatMap((rule) => rule.verbs);
      assert.ok(!verbs.includes("create"), "the refresher may create Secrets");
      const binding = one(BINDING).inputs;
      assert.deepEqual(binding.subjects, [
        { kind: "ServiceAccount", name: "ecr-credentials-sync", namespace: "uepe" },
      ]);
      assert.deepEqual(binding.roleRef, {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "Role",
        name: "ecr-credentials-sync",
      });
      assert.equal(one(ACCOUNT).inputs.automountServiceAccountToken, false);
      assert.equal(cronPod().serviceAccountName, "ecr-credentials-sync");
      assert.equal(ofType("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole").length, 0);
    });

    it("creates the pull secret empty, and leaves its data to the refresher (no churn)", async () => {
      await access(digitalroute({ pullSecretName: "uepe-pull" }));
      const pull = byName(SECRET, "uepe-pull");
      assert.equal(pull.inputs.type, "kubernetes.io/dockerconfigjson");
      assert.deepEqual(pull.inputs.data, { ".dockerconfigjson": "eyJhdXRocyI6e319" });
      assert.equal(Buffer.from("eyJhdXRocyI6e319", "base64").toString(), '{"auths":{}}');
      assert.deepEqual(pull.ignoreChanges, ["data"]);
      assert.equal((at(pull.inputs, "metadata.annotations") as Obj)["pulumi.com/patchForce"], "true");
      for (const job of [one(JOB), one(CRONJOB)])
        assert.ok(job.dependencies.includes(pull.urn), `${job.type} runs before the pull secret exists`);
      assert.ok(!AWS_CLI_SCRIPT.includes('"labels"'), "the refresher would fight Pulumi over the labels");
    });

    it("the API server refuses a docker config Secret without its key, as the mock model does", () => {
      assert.match(
        String(refusalOf(SECRET, { type: "kubernetes.io/dockerconfigjson", data: {} })),
        /data\[\.dockerconfigjson\]: Required value/,
      );
      assert.match(
        String(
          refusalOf(SECRET, {
            type: "kubernetes.io/dockerconfigjson",
            data: { ".dockerconfigjson": Buffer.from("not json").toString("base64") },
          }),
        ),
        /Invalid value/,
      );
      assert.equal(
        refusalOf(SECRET, {
          type: "kubernetes.io/dockerconfigjson",
          stringData: { ".dockerconfigjson": "{}" },
        }),
        undefined,
      );
      assert.equal(refusalOf(SECRET, { type: "Opaque", data: {} }), undefined);
    });

    it("accepts image overrides pinned by digest, with or without a tag", async () => {
      const digest = `sha256:${"0123456789abcdef".repeat(4)}`;
      const images = {
        awsCliImage: `public.ecr.aws/aws-cli/aws-cli:2.36.49@${digest}`,
        kubectlImage: `registry.k8s.io/kubectl@${digest}`,
      };
      await access(digitalroute(images));
      assert.deepEqual(
        containersOf(cronPod()).map((c) => c.image),
        [images.awsCliImage, images.kubectlImage],
      );
      resetMocks();
      assert.throws(
        () =>
          new RegistryAccess("uepe-registry", {
            registry: digitalroute({ kubectlImage: `registry.k8s.io/kubectl@sha256:${"ab".repeat(31)}` }),
            namespace: "uepe",
          }),
        /registry\.kubectlImage: .*not a valid image reference/,
      );
    });

    it("writes the pull secret it is told to, for the registry the images come from", async () => {
      await access(digitalroute({ pullSecretName: "uepe-pull" }));
      const env = Object.fromEntries((cronPod().initContainers[0].env ?? []).map((e) => [e.name, e.value]));
      assert.equal(env.SECRET_NAME, "uepe-pull");
      assert.equal(env.REGISTRY, "462803626708.dkr.ecr.eu-west-1.amazonaws.com");
      assert.equal(env.AWS_DEFAULT_REGION, "eu-west-1");
      assert.equal(env.AWS_EC2_METADATA_DISABLED, "true");
    });

    it("runs every container under Pod Security restricted with requests and limits", async () => {
      await access();
      for (const pod of [cronPod(), bootstrapPod()]) {
        assert.equal(pod.restartPolicy, "Never");
        assert.equal(at(pod.securityContext, "runAsNonRoot"), true);
        assert.deepEqual(at(pod.securityContext, "seccompProfile"), { type: "RuntimeDefault" });
        assert.ok(Number(at(pod.securityContext, "runAsUser")) > 0, "pod runs as root");
        for (const c of containersOf(pod)) {
          assert.deepEqual(
            c.securityContext,
            {
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              runAsNonRoot: true,
              capabilities: { drop: ["ALL"] },
              seccompProfile: { type: "RuntimeDefault" },
            },
            c.name,
          );
          for (const kind of ["requests", "limits"] as const)
            for (const resource of ["cpu", "memory"])
              assert.ok(at(c.resources, `${kind}.${resource}`), `${c.name} has no ${kind}.${resource}`);
          const home = (c.env ?? []).find((e) => e.name === "HOME")?.value;
          assert.ok(
            (c.volumeMounts ?? []).some((m) => m.mountPath === home),
            `${c.name}: HOME ${home} is not a writable volume`,
          );
        }
        assert.ok(
          pod.volumes.every((v) => v.emptyDir || v.projected),
          "a volume type restricted forbids",
        );
      }
    });

    it("mounts the API token into the kubectl step only", async () => {
      await access();
      const pod = cronPod();
      assert.equal(pod.automountServiceAccountToken, false);
      const api = pod.volumes.find((v) => v.projected)!;
      assert.deepEqual(
        (at(api, "projected.sources") as Obj[]).map((s) => Object.keys(s)[0]),
        ["serviceAccountToken", "configMap", "downwardAPI"],
      );
      const mounting = containersOf(pod).filter((c) =>
        (c.volumeMounts ?? []).some((m) => m.name === api.name),
      );
      assert.deepEqual(
        mounting.map((c) => c.name),
        ["apply-secret"],
      );
    });

    it("passes the token through a memory-backed volume and never prints it", async () => {
      await access();
      const pod = cronPod();
      const token = pod.volumes.find((v) => at(v, "emptyDir.medium") === "Memory");
      assert.ok(token, "no memory-backed volume");
      const [getToken] = pod.initContainers;
      const [apply] = pod.containers;
      const dir = getToken.volumeMounts!.find((m) => m.name === token.name)!.mountPath;
      assert.equal(apply.volumeMounts!.find((m) => m.name === token.name)?.readOnly, true);
      const script = getToken.command!.join(" ");
      assert.ok(script.includes(`> ${dir}/secret.json`), "the manifest is not written to the memory volume");
      assert.ok(apply.args!.includes(`--filename=${dir}/secret.json`), "kubectl does not read the manifest");
      assert.ok(
        apply.args!.includes("--server-side"),
        "client-side apply would copy the token to an annotation",
      );
      for (const line of AWS_CLI_SCRIPT.split("\n").filter((l) => /echo/.test(l)))
        assert.doesNotMatch(line, /echo\s+("[^"]*)?\$(token|config)/, `logs the token: ${line}`);
      assert.doesNotMatch(AWS_CLI_SCRIPT, /set -[a-z]*x/, "shell tracing would log the token");
    });

    it("pins maintained images and honours overrides", async () => {
      await access();
      const images = () => containersOf(cronPod()).map((c) => c.image);
      assert.deepEqual(images(), [
        "public.ecr.aws/aws-cli/aws-cli:2.36.49",
        "registry.k8s.io/kubectl:v1.36.4",
      ]);
      for (const image of images()) assert.match(image, /:v?\d+\.\d+\.\d+$/, `${image} is not pinned`);
      assert.ok(!images().some((i) => i.includes("bitnami")), "bitnami/kubectl is no longer published");
      resetMocks();
      await access(
        digitalroute({
          awsCliImage: "registry.example.com/mirror/aws-cli:2.36.49",
          kubectlImage: "registry.example.com/mirror/kubectl:v1.33.4",
        }),
      );
      assert.deepEqual(images(), [
        "registry.example.com/mirror/aws-cli:2.36.49",
        "registry.example.com/mirror/kubectl:v1.33.4",
      ]);
      assert.deepEqual(
        containersOf(bootstrapPod()).map((c) => c.image),
        images(),
      );
    });

    it("bootstraps with the CronJob's pod, adding only the keys revision", async () => {
      await access();
      const cronTemplate = at(cronJob(), "spec.jobTemplate.spec.template") as Obj;
      const jobTemplate = at(bootstrapJob(), "spec.template") as Obj;
      assert.deepEqual(jobTemplate.spec, cronTemplate.spec);
      assert.deepEqual(at(jobTemplate, "metadata.labels"), at(cronTemplate, "metadata.labels"));
      assert.equal(at(bootstrapJob(), "metadata.name"), "ecr-credentials-sync-bootstrap");
      assert.equal(at(bootstrapJob(), "spec.ttlSecondsAfterFinished"), undefined, "a TTL would recreate it");
      assert.equal((at(bootstrapJob(), "metadata.annotations") as Obj)["pulumi.com/replaceUnready"], "true");
    });

    it("hands out the pull secret name as a dependency on the bootstrap Job", async () => {
      const part = await access();
      new k8s.core.v1.ConfigMap("consumer", { data: { pullSecret: part.pullSecretName } });
      await settle();
      const job = one(JOB);
      const consumer = one("kubernetes:core/v1:ConfigMap");
      assert.ok(
        consumer.dependencies.includes(job.urn),
        "a consumer of the name does not wait for the secret",
      );
      assert.equal(at(consumer.inputs, "data.pullSecret"), "ecr-cred");
      assert.ok(job.dependencies.includes(one(BINDING).urn), "bootstrap runs before its RoleBinding exists");
      assert.ok(
        job.dependencies.includes(byName(SECRET, "ecr-credentials-sync-keys").urn),
        "bootstrap runs before the keys exist",
      );
    });

    it("re-runs the bootstrap Job when the keys change, and only then", async () => {
      await access();
      const revision = () => at(bootstrapJob(), "spec.template.metadata.annotations") as Obj;
      const first = revision();
      const cron = cronJob();
      resetMocks();
      await access();
      assert.deepEqual(revision(), first, "same keys, different pod template: the Job would be replaced");
      resetMocks();
      await access({
        accessKeyId: pulumi.secret("AKIAI44QH8DHBEXAMPLE"),
        secretAccessKey: pulumi.secret("je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"),
      });
      assert.notDeepEqual(revision(), first, "rotated keys do not replace the bootstrap Job");
      assert.deepEqual(cronJob(), cron, "the CronJob changes although it reads the keys at each run");
    });

    it("uses DigitalRoute's registry in another region for token, secret and images", async () => {
      await access(digitalroute({ region: "us-east-1" }));
      const env = Object.fromEntries((cronPod().initContainers[0].env ?? []).map((e) => [e.name, e.value]));
      assert.equal(env.REGISTRY, "462803626708.dkr.ecr.us-east-1.amazonaws.com");
      assert.equal(env.AWS_DEFAULT_REGION, "us-east-1");
      const r = resolveRegistry(new Checker("t"), "registry", { ...digitalroute(), region: "us-east-1" });
      assert.equal(
        r.imageRepository,
        "462803626708.dkr.ecr.us-east-1.amazonaws.com/usage-engine-private-edition",
      );
    });

    it("creates only valid Kubernetes objects", async () => {
      await access();
      const models: Record<string, new (data: never) => { validate(): void }> = {
        [SECRET]: Secret,
        [ACCOUNT]: ServiceAccount,
        [ROLE]: Role,
        [BINDING]: RoleBinding,
        [CRONJOB]: CronJob,
        [JOB]: Job,
      };
      const objects = recorded.filter((r) => r.type.startsWith("kubernetes:"));
      assert.deepEqual([...new Set(objects.map((r) => r.type))].sort(), Object.keys(models).sort());
      assert.equal(ofType(SECRET).length, 2, "the access keys and the pull secret");
      for (const r of objects)
        assert.doesNotThrow(() => new models[r.type](r.inputs as never).validate(), r.type);
    });

    it("registers identical inputs on a second evaluation (no perpetual diff)", async () => {
      await access();
      const first = recorded.map((r) => [r.type, r.name, r.inputs]);
      resetMocks();
      await access();
      assert.deepEqual(
        recorded.map((r) => [r.type, r.name, r.inputs]),
        first,
      );
      assert.equal(ofType("aws:index/provider:Provider").length, 0, "no AWS provider: no token in state");
    });

    it("puts no key or token in any non-secret input, name or URN", async () => {
      await access();
      for (const text of plaintextEverywhere()) {
        assert.ok(!text.includes(ACCESS_KEY_ID), `access key id in plain text: ${text.slice(0, 40)}`);
        assert.ok(!text.includes(SECRET_ACCESS_KEY), "secret access key in plain text");
      }
      assert.deepEqual(
        ofType(SECRET)
          .map((r) => at(r.inputs, "metadata.name"))
          .sort(),
        ["ecr-cred", "ecr-credentials-sync-keys"],
        "a Secret besides the keys and the empty pull secret: a token would be in state",
      );
      assert.deepEqual(byName(SECRET, "ecr-cred").inputs.data, { ".dockerconfigjson": "eyJhdXRocyI6e319" });
    });
  });

  describe("in the stack", () => {
    it("makes the release wait for the bootstrap Job, not for the refresher CronJob", async () => {
      delays[JOB] = 300;
      await deploy();
      const release = uepeRelease();
      const job = one(JOB);
      assert.ok(release.dependencies.includes(job.urn), "release does not depend on the bootstrap Job");
      assert.ok(!release.dependencies.includes(one(CRONJOB).urn), "release waits for the refresher");
      assert.ok(release.startedSeq > job.finishedSeq, "release installed before the pull secret existed");
      assert.deepEqual(at(release.inputs, "values.global.imagePullSecrets"), [{ name: "ecr-cred" }]);
    });

    it("points the chart at the mirror, keeping every tag suffix, without DigitalRoute keys", async () => {
      await deploy(defaultArgs({ version: "4.3.1", registry: { source: "mirror", repository: MIRROR } }));
      const values = uepeRelease().inputs.values as Obj;
      const image = (block: string) => `${at(values, `${block}.repository`)}:${at(values, `${block}.tag`)}`;
      assert.deepEqual(["platform", "ec", "operator", "desktopOnline"].map(image), [
        `${MIRROR}:4.3.1`,
        `${MIRROR}:4.3.1-ec`,
        `${MIRROR}:4.3.1-operator`,
        `${MIRROR}:4.3.1-ui`,
      ]);
      assert.equal(at(values, "global.imagePullSecrets"), undefined, "a pull secret the nodes do not need");
      assert.equal(ofType(JOB).length + ofType(CRONJOB).length, 0);
    });

    it("keeps the chart's images for DigitalRoute's default registry", async () => {
      await deploy();
      const values = uepeRelease().inputs.values as Obj;
      for (const block of ["platform", "ec", "operator", "desktopOnline"])
        assert.equal(at(values, `${block}.repository`), undefined, block);
    });

    it("gives the release the mirror's pull secret and waits for it", async () => {
      await deploy(
        defaultArgs({
          registry: {
            source: "mirror",
            repository: MIRROR,
            username: "AWS",
            password: pulumi.secret(MIRROR_PASSWORD),
          },
        }),
      );
      const release = uepeRelease();
      const pull = byName(SECRET, "ecr-cred");
      assert.deepEqual(at(release.inputs, "values.global.imagePullSecrets"), [{ name: "ecr-cred" }]);
      assert.ok(release.dependencies.includes(pull.urn), "release does not wait for the pull secret");
    });
  });

  describe("mirror", () => {
    const mirror = (extra: RegistryOptions = {}): RegistryOptions => ({
      source: "mirror",
      repository: MIRROR,
      ...extra,
    });

    it("needs nothing in the cluster when nodes pull with their IAM role", async () => {
      const part = await access(mirror());
      assert.equal(await resolved(part.pullSecretName), "");
      assert.deepEqual(
        recorded.filter((r) => r.type.startsWith("kubernetes:")),
        [],
      );
    });

    it("references a pull secret you manage when only its name is given", async () => {
      const part = await access(mirror({ pullSecretName: "corp-registry" }));
      assert.equal(await resolved(part.pullSecretName), "corp-registry");
      assert.equal(ofType(SECRET).length, 0);
    });

    it("creates a docker-registry Secret from server, username and password, all secret", async () => {
      const part = await access(
        mirror({
          server: "registry.example.com:5000",
          username: "uepe",
          password: pulumi.secret(MIRROR_PASSWORD),
        }),
      );
      const secret = byName(SECRET, "ecr-cred");
      assert.equal(secret.inputs.type, "kubernetes.io/dockerconfigjson");
      assert.ok(isSecretAt(secret.raw, ["stringData", ".dockerconfigjson"]));
      const config = JSON.parse(dockerConfig(secret)) as Obj;
      assert.deepEqual(config, {
        auths: {
          "registry.example.com:5000": {
            username: "uepe",
            password: MIRROR_PASSWORD,
            auth: Buffer.from(`uepe:${MIRROR_PASSWORD}`).toString("base64"),
          },
        },
      });
      assert.equal(await resolved(part.pullSecretName), "ecr-cred");
      assert.doesNotThrow(() => new Secret(secret.inputs).validate());
      for (const text of plaintextEverywhere())
        assert.ok(!text.includes(MIRROR_PASSWORD), "password in plain text");
    });

    it("defaults the pull secret's server to the repository's registry host", async () => {
      await access(mirror({ username: "AWS", password: pulumi.secret(MIRROR_PASSWORD) }));
      const config = JSON.parse(dockerConfig(byName(SECRET, "ecr-cred")));
      assert.deepEqual(Object.keys(config.auths), ["123456789012.dkr.ecr.eu-west-1.amazonaws.com"]);
    });
  });

  describe("bad input", () => {
    const cases: [string, RegistryOptions | undefined, RegExp][] = [
      ["no registry at all", undefined, /registry\.accessKeyId: is required/],
      ["missing secret access key", { accessKeyId: ACCESS_KEY_ID }, /registry\.secretAccessKey: is required/],
      [
        "access key id of the wrong shape",
        { accessKeyId: "AKIA1234", secretAccessKey: SECRET_ACCESS_KEY },
        /registry\.accessKeyId: is not shaped like an AWS access key id .*AKIA or ASIA/,
      ],
      [
        "lower-case access key id",
        { accessKeyId: ACCESS_KEY_ID.toLowerCase(), secretAccessKey: SECRET_ACCESS_KEY },
        /registry\.accessKeyId: is not shaped/,
      ],
      [
        "secret access key of the wrong shape",
        { accessKeyId: ACCESS_KEY_ID, secretAccessKey: "short" },
        /registry\.secretAccessKey: is not shaped like an AWS secret access key/,
      ],
      [
        "cron with four fields",
        digitalroute({ refreshSchedule: "0 */8 * *" }),
        /registry\.refreshSchedule: .*cron/,
      ],
      [
        "cron in words",
        digitalroute({ refreshSchedule: "every 8 hours" }),
        /registry\.refreshSchedule: .*cron/,
      ],
      [
        "schedule slower than the token lives",
        digitalroute({ refreshSchedule: "0 3 * * *" }),
        /registry\.refreshSchedule: "0 3 \* \* \*" leaves up to 24 hours .*at least every 11 hours/,
      ],
      [
        "schedule whose longest gap reaches the 12 h token lifetime",
        digitalroute({ refreshSchedule: "0 */12 * * *" }),
        /registry\.refreshSchedule: "0 \*\/12 \* \* \*" leaves up to 12 hours between refreshes, but ECR tokens expire after 12.*at least every 11 hours/,
      ],
      [
        "image reference with upper case",
        digitalroute({ awsCliImage: "Amazon/AWS-CLI:2" }),
        /registry\.awsCliImage: .*not a valid image reference/,
      ],
      [
        "image reference with an empty tag",
        digitalroute({ kubectlImage: "registry.k8s.io/kubectl:" }),
        /registry\.kubectlImage: .*not a valid image reference/,
      ],
      [
        "pull secret name not RFC 1123",
        digitalroute({ pullSecretName: "ECR_Cred" }),
        /registry\.pullSecretName: .*not a valid name/,
      ],
      ["mirror without repository", { source: "mirror" }, /registry\.repository: is required/],
      [
        "mirror repository with a tag",
        { source: "mirror", repository: `${MIRROR}:4.2.0` },
        /registry\.repository: .*not a valid image repository/,
      ],
      [
        "mirror user without password",
        { source: "mirror", repository: MIRROR, username: "uepe" },
        /registry\.password: is required/,
      ],
      [
        "mirror server without credentials",
        { source: "mirror", repository: MIRROR, server: "registry.example.com" },
        /registry\.server: is set without username and password/,
      ],
      [
        "DigitalRoute keys given to a mirror",
        { source: "mirror", repository: MIRROR, accessKeyId: ACCESS_KEY_ID },
        /registry\.accessKeyId: is only used when registry\.source is "digitalroute"/,
      ],
      [
        "mirror repository given for DigitalRoute",
        digitalroute({ repository: MIRROR }),
        /registry\.repository: is only used when registry\.source is "mirror"/,
      ],
      [
        "unknown source",
        digitalroute({ source: "ecr" as "mirror" }),
        /registry\.source: "ecr" is not supported/,
      ],
    ];
    for (const [title, registry, message] of cases)
      it(`rejects ${title}, before any resource`, () => {
        const error = thrown(registry);
        assert.match(error.message, message);
        assert.equal(recorded.length, 0);
      });

    it("never echoes a key in an error", () => {
      const badId = "AKIAshort-but-secret";
      const badSecret = "not-forty-characters-but-still-secret";
      const error = thrown({ accessKeyId: badId, secretAccessKey: badSecret });
      assert.ok(!error.message.includes(badId) && !error.message.includes(badSecret), error.message);
    });

    it("reports every problem of one call together", () => {
      const error = thrown({
        accessKeyId: "AKIA1234",
        secretAccessKey: SECRET_ACCESS_KEY,
        refreshSchedule: "0 */8 * *",
        kubectlImage: "Kubectl",
        pullSecretName: "ECR_Cred",
      });
      assert.deepEqual(error.problems.map((p) => p.path).sort(), [
        "registry.accessKeyId",
        "registry.kubectlImage",
        "registry.pullSecretName",
        "registry.refreshSchedule",
      ]);
    });
  });
});
