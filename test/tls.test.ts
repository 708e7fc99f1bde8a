import * as assert from "node:assert/strict";
import { ClusterIssuer } from "@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer";
import { Issuer } from "@kubernetes-models/cert-manager/cert-manager.io/v1/Issuer";
import * as pulumi from "@pulumi/pulumi";
import { Secret } from "kubernetes-models/v1/Secret";
import { ArgumentError, Tls, type TlsArgs, type TlsOptions, UsageEngineStack } from "../sdk";
import { assertRejected, captureWarnings, defaultArgs, deploy, KEYSTORE_PASSWORDS } from "./fixtures";
import {
  ACCOUNT,
  at,
  delays,
  isSecretAt,
  ofType,
  one,
  REGION,
  type Recorded,
  recorded,
  resetMocks,
  resolved,
  settle,
} from "./harness";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const CUSTOM = "kubernetes:cert-manager.io/v1:";
const ZONE = "Z0123456789ABCDEFGHIJ";
const OIDC = `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.${REGION}.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE`;
const PEM_KEY =
  "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCplantedKey00\n-----END PRIVATE KEY-----\n";
const PEM_CRT = "-----BEGIN CERTIFICATE-----\nMIIDazCCAlOgAwIBAgIUplantedCrt00\n-----END CERTIFICATE-----\n";
const KEYSTORE = Buffer.from("planted-keystore-bytes").toString("base64");

/** Runs a Tls part alone under the mocks and waits for every registration. */
async function tlsPart(tls: TlsOptions | undefined, extra: Partial<TlsArgs> = {}): Promise<Tls> {
  const part = new Tls("uepe-tls", { tls, namespace: "uepe", ...extra });
  await settle();
  return part;
}

/** Collects `pulumi.log.warn` messages while a test runs. */

function issuers(): Recorded[] {
  return recorded.filter((r) => r.type.startsWith(CUSTOM));
}

/**
 * An Output's outcome, rejection included (`resolved` waits for a value, which a failed check
 * never gives). The SDK's Output carries its promise; tests read it, the package never does.
 */
function outcome<T>(output: pulumi.Output<T>): Promise<T> {
  return (output as unknown as { promise(): Promise<T> }).promise();
}

/** Validates a recorded cert-manager object against the cert-manager CRD schema of its kind. */
function validateCertManager(r: Recorded): void {
  const object = r.inputs as Record<string, unknown>;
  if (object.kind === "ClusterIssuer") new ClusterIssuer(object as never).validate();
  else if (object.kind === "Issuer") new Issuer(object as never).validate();
  else assert.fail(`unexpected cert-manager kind ${String(object.kind)}`);
}

function parsePolicy(json: unknown): { Statement: Record<string, unknown>[] } {
  return JSON.parse(String(json));
}

describe("Tls", () => {
  let warnings: ReturnType<typeof captureWarnings>;
  beforeEach(() => {
    resetMocks();
    warnings = captureWarnings();
  });
  afterEach(() => warnings.restore());

  describe("certManager mode", () => {
    it("creates a self-signed ClusterIssuer, with a warning, and installs no cert-manager", async () => {
      const part = await tlsPart(undefined);
      assert.equal(ofType(RELEASE).length, 0, "cert-manager is ClusterAddons' to install");
      const [issuer] = issuers();
      assert.equal(issuer.inputs.kind, "ClusterIssuer");
      assert.deepEqual(issuer.inputs.spec, { selfSigned: {} });
      validateCertManager(issuer);
      assert.equal(await resolved(part.issuerKind), "ClusterIssuer");
      assert.equal(await resolved(part.issuerName), "uepe-tls-issuer");
      assert.ok(warnings.messages.some((m) => /selfSigned.*testing only/.test(m)));
    });

    it("ACME HTTP-01: Let's Encrypt by default, solved through the ingress class, limited to the domain", async () => {
      await tlsPart(
        { issuer: { type: "acme", acmeEmail: "ops@example.com" } },
        { domain: "uepe.example.com", ingressClassName: "internal-nginx" },
      );
      const [issuer] = issuers();
      validateCertManager(issuer);
      const acme = at(issuer.inputs, "spec.acme") as Record<string, unknown>;
      assert.equal(acme.email, "ops@example.com");
      assert.equal(acme.server, "https://acme-v02.api.letsencrypt.org/directory");
      assert.deepEqual(acme.privateKeySecretRef, { name: "uepe-tls-issuer-account-key" });
      assert.deepEqual(acme.solvers, [
        {
          http01: { ingress: { ingressClassName: "internal-nginx" } },
          selector: { dnsZones: ["uepe.example.com"] },
        },
      ]);
      assert.equal(warnings.messages.length, 0, "a real issuer does not warn");
      assert.equal(ofType("aws:iam/role:Role").length, 0, "HTTP-01 needs no AWS access");
    });

    it("an explicit http01IngressClass and ACME server win over the defaults", async () => {
      await tlsPart(
        {
          issuer: {
            type: "acme",
            acmeEmail: "ops@example.com",
            acmeServer: "https://acme-staging-v02.api.letsencrypt.org/directory",
            http01IngressClass: "alb",
          },
        },
        { ingressClassName: "nginx" },
      );
      const [issuer] = issuers();
      assert.equal(
        at(issuer.inputs, "spec.acme.server"),
        "https://acme-staging-v02.api.letsencrypt.org/directory",
      );
      assert.equal(at(issuer.inputs, "spec.acme.solvers.0.http01.ingress.ingressClassName"), "alb");
    });

    it("Route 53 DNS-01 with kind Issuer (cert-manager started with the ambient flag): in the release namespace, provider region, hosted zone", async () => {
      await tlsPart(
        {
          issuer: {
            type: "acme",
            kind: "Issuer",
            acmeEmail: "ops@example.com",
            route53HostedZoneId: ZONE,
            ambientCredentials: true,
          },
        },
        { namespace: "uepe-prod" },
      );
      const [issuer] = issuers();
      assert.equal(issuer.type, `${CUSTOM}Issuer`);
      assert.equal(at(issuer.inputs, "metadata.namespace"), "uepe-prod");
      validateCertManager(issuer);
      assert.deepEqual(at(issuer.inputs, "spec.acme.solvers.0.dns01.route53"), {
        region: REGION,
        hostedZoneID: ZONE,
      });
      assert.equal(ofType("aws:iam/role:Role").length, 0, "identity mode none creates no role");
    });

    it("Route 53 DNS-01 with IRSA: a role trusted for cert-manager's service account, and which annotation to set", async () => {
      const part = await tlsPart(
        {
          issuer: {
            type: "acme",
            acmeEmail: "ops@example.com",
            acmeChallenge: "route53Dns01",
            route53HostedZoneId: ZONE,
            route53Region: "us-east-1",
            route53Identity: { mode: "irsa", oidcProviderArn: OIDC },
          },
        },
        { tags: { team: "billing" } },
      );
      const role = one("aws:iam/role:Role", "cert-manager");
      const trust = parsePolicy(role.inputs.assumeRolePolicy).Statement[0];
      assert.deepEqual(trust.Principal, { Federated: OIDC });
      assert.equal(trust.Action, "sts:AssumeRoleWithWebIdentity");
      const issuerHost = OIDC.split(":oidc-provider/")[1];
      assert.deepEqual(trust.Condition, {
        StringEquals: {
          [`${issuerHost}:sub`]: "system:serviceaccount:cert-manager:cert-manager",
          [`${issuerHost}:aud`]: "sts.amazonaws.com",
        },
      });
      assert.equal((role.inputs.tags as Record<string, string>).team, "billing");
      const policy = parsePolicy(one("aws:iam/rolePolicy:RolePolicy").inputs.policy);
      const zoneStatement = policy.Statement.find(
        (s) => s.Resource === `arn:aws:route53:::hostedzone/${ZONE}`,
      );
      assert.ok(zoneStatement, "record changes are limited to the one hosted zone");
      assert.ok(!policy.Statement.some((s) => s.Resource === "arn:aws:route53:::hostedzone/*"));
      const roleArn = String(role.outputs.arn);
      assert.match(roleArn, /^arn:aws:iam::\d{12}:role\/.+/);
      assert.equal(await resolved(part.route53RoleArn), roleArn);
      assert.equal(ofType(RELEASE).length, 0);
      assert.ok(warnings.messages.some((m) => m.includes("eks.amazonaws.com/role-arn")));
      assert.equal(at(issuers()[0].inputs, "spec.acme.solvers.0.dns01.route53.region"), "us-east-1");
      assert.equal(ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation").length, 0);
    });

    it("Route 53 DNS-01 with EKS Pod Identity: the association exists before the issuer", async () => {
      await tlsPart({
        issuer: {
          type: "acme",
          acmeEmail: "ops@example.com",
          route53HostedZoneId: ZONE,
          route53Identity: { mode: "podIdentity", clusterName: "uepe-eks" },
        },
      });
      const role = one("aws:iam/role:Role", "cert-manager");
      const trust = parsePolicy(role.inputs.assumeRolePolicy).Statement[0];
      assert.deepEqual(trust.Principal, { Service: "pods.eks.amazonaws.com" });
      const association = one("aws:eks/podIdentityAssociation:PodIdentityAssociation");
      assert.equal(association.inputs.clusterName, "uepe-eks");
      assert.equal(association.inputs.namespace, "cert-manager");
      assert.equal(association.inputs.serviceAccount, "cert-manager");
      assert.equal(association.inputs.roleArn, role.outputs.arn);
      assert.ok(issuers()[0].dependencies.includes(association.urn), "the issuer waits for the association");
      assert.equal(warnings.messages.length, 0, "no annotation to set with Pod Identity");
    });

    it("an existing issuer is referenced, not created", async () => {
      const part = await tlsPart({ issuer: { type: "existing", kind: "Issuer", name: "corp-ca" } });
      assert.equal(issuers().length, 0);
      assert.equal(await resolved(part.issuerKind), "Issuer");
      assert.equal(await resolved(part.issuerName), "corp-ca");
    });

    it("an existing issuer's kind and name may be Outputs (another component's), checked once known", async () => {
      const part = await tlsPart({
        issuer: {
          type: "existing",
          kind: pulumi.output("ClusterIssuer"),
          name: pulumi.output("addons-issuer"),
        },
      });
      assert.equal(issuers().length, 0);
      assert.equal(await resolved(part.issuerKind), "ClusterIssuer");
      assert.equal(await resolved(part.issuerName), "addons-issuer");
    });

    it("an existing issuer's Output kind or name that resolves to a bad value fails at deploy time, naming the argument", async () => {
      for (const [issuer, pattern] of [
        [
          { kind: pulumi.output("CA"), name: "corp-ca" },
          /tls\.issuer\.kind: "CA" is not supported; expected one of "Issuer", "ClusterIssuer"/,
        ],
        [
          { kind: "ClusterIssuer", name: pulumi.output("") },
          /tls\.issuer\.name: is required; expected the name of your issuer/,
        ],
        [
          { kind: "ClusterIssuer", name: pulumi.output("Corp_CA") },
          /tls\.issuer\.name: "Corp_CA" is not a valid name/,
        ],
      ] as const) {
        resetMocks();
        const part = await tlsPart({ issuer: { type: "existing", ...issuer } });
        await assert.rejects(outcome(part.issuerName), (err: unknown) => {
          assert.ok(err instanceof ArgumentError);
          assert.match(err.message, pattern);
          return true;
        });
      }
    });

    it("an issuer the stack creates needs a plain kind and name (Outputs only for existing)", async () => {
      assert.throws(
        () => new Tls("uepe-tls", { tls: { issuer: { kind: pulumi.output("Issuer") } }, namespace: "uepe" }),
        /tls\.issuer\.kind: is known only at deploy time, but the stack creates this selfSigned issuer; expected a plain string, or type "existing"/,
      );
      await settle();
      assert.equal(recorded.length, 0);
    });

    it("a namespaced Issuer with Route 53 DNS-01 is refused unless cert-manager runs with --issuer-ambient-credentials", async () => {
      for (const identity of [
        { mode: "irsa", oidcProviderArn: OIDC },
        { mode: "podIdentity", clusterName: "uepe-eks" },
        { mode: "none" },
      ] as const) {
        const tls: TlsOptions = {
          issuer: {
            type: "acme",
            kind: "Issuer",
            acmeEmail: "ops@example.com",
            route53HostedZoneId: ZONE,
            route53Identity: identity,
          },
        };
        assert.throws(
          () => new Tls("uepe-tls", { tls, namespace: "uepe" }),
          (err: unknown) => {
            assert.ok(err instanceof ArgumentError);
            assert.match(
              err.message,
              /tls\.issuer\.kind: is "Issuer" with route53Dns01: cert-manager gives a namespaced Issuer no ambient AWS credentials .* unless it runs with --issuer-ambient-credentials; expected kind "ClusterIssuer" .*ambientCredentials: true .*ClusterAddons certManager\.issuerAmbientCredentials: true/,
            );
            return true;
          },
        );
      }
      await settle();
      assert.equal(recorded.length, 0);
      // The ClusterIssuer needs no flag; the Issuer is accepted once the user states the flag is on.
      await tlsPart({ issuer: { type: "acme", acmeEmail: "ops@example.com", route53HostedZoneId: ZONE } });
      resetMocks();
      await tlsPart({
        issuer: {
          type: "acme",
          kind: "Issuer",
          acmeEmail: "ops@example.com",
          route53HostedZoneId: ZONE,
          route53Identity: { mode: "podIdentity", clusterName: "uepe-eks" },
          ambientCredentials: true,
        },
      });
      assert.equal(issuers()[0].type, `${CUSTOM}Issuer`);
    });
  });

  describe("secret mode", () => {
    it("uses an existing Secret: no cert-manager, no issuer", async () => {
      const part = await tlsPart({ mode: "secret", existingSecretName: "uepe-cert" });
      assert.equal(ofType(RELEASE).length, 0);
      assert.equal(issuers().length, 0);
      assert.equal(await resolved(part.secretName), "uepe-cert");
    });

    it("creates the Secret from the three secret inputs, each kept secret, valid for Kubernetes", async () => {
      const part = await tlsPart({
        mode: "secret",
        secret: {
          keystoreJks: pulumi.secret(KEYSTORE),
          tlsKey: pulumi.secret(PEM_KEY),
          tlsCrt: pulumi.secret(PEM_CRT),
        },
      });
      const secret = one("kubernetes:core/v1:Secret");
      assert.equal(at(secret.inputs, "metadata.namespace"), "uepe");
      assert.equal((secret.inputs.data as Record<string, string>)["keystore.jks"], KEYSTORE);
      assert.equal((secret.inputs.stringData as Record<string, string>)["tls.key"], PEM_KEY);
      assert.equal((secret.inputs.stringData as Record<string, string>)["tls.crt"], PEM_CRT);
      assert.ok(isSecretAt(secret.raw, ["data", "keystore.jks"]));
      assert.ok(isSecretAt(secret.raw, ["stringData", "tls.key"]));
      assert.ok(isSecretAt(secret.raw, ["stringData", "tls.crt"]));
      new Secret(secret.inputs as never).validate();
      assert.equal(await resolved(part.secretName), "uepe-tls");
    });

    it("wraps plain inputs as secrets too", async () => {
      await tlsPart({ mode: "secret", secret: { keystoreJks: KEYSTORE, tlsKey: PEM_KEY, tlsCrt: PEM_CRT } });
      const secret = one("kubernetes:core/v1:Secret");
      assert.ok(isSecretAt(secret.raw, ["stringData", "tls.key"]));
      assert.ok(isSecretAt(secret.raw, ["data", "keystore.jks"]));
    });
  });

  it("disabled mode creates nothing and warns that traffic is plain HTTP", async () => {
    const part = await tlsPart({ mode: "disabled" });
    assert.deepEqual(
      recorded.filter((r) => r.custom).map((r) => r.type),
      [],
    );
    assert.equal(await resolved(part.issuerName), "");
    assert.ok(warnings.messages.some((m) => /plain HTTP/.test(m)));
  });

  describe("in the stack", () => {
    it("installs no cluster-scoped release: the only Helm release is the platform's", async () => {
      await deploy();
      assert.deepEqual(
        ofType(RELEASE).map((r) => r.name),
        ["uepe-release"],
      );
    });

    it("refuses the cert-manager arguments that moved to ClusterAddons, naming the replacement", async () => {
      for (const [key, value, replacement] of [
        ["installCertManager", true, "ClusterAddons certManager.enabled"],
        ["certManagerVersion", "v1.21.2", "ClusterAddons certManager.version"],
        ["certManagerValues", { replicaCount: 2 }, "ClusterAddons certManager.values"],
      ] as const)
        await assertRejected(
          defaultArgs({ tls: { [key]: value } as TlsOptions }),
          `tls.${key}`,
          new RegExp(
            `is no longer an argument of the installation: cluster-wide add-ons are installed once per cluster by ClusterAddons; expected ${replacement.replace(".", "\\.")} on a ClusterAddons component`,
          ),
        );
    });

    it("an existing issuer's Output kind that resolves to a bad value: no platform release is registered", async () => {
      const stack = new UsageEngineStack(
        "uepe",
        defaultArgs({
          tls: { issuer: { type: "existing", kind: pulumi.output("Issuers"), name: "corp-ca" } },
        }),
      );
      await assert.rejects(outcome(stack.issuerName), /tls\.issuer\.kind: "Issuers" is not supported/);
      await settle();
      assert.equal(ofType(RELEASE).length, 0);
    });

    it("an existing issuer given as Outputs: the chart and the ingress annotation get them, the release waits for them", async () => {
      let resolveName: (name: string) => void = () => undefined;
      const name = pulumi.output(
        new Promise<string>((r) => {
          resolveName = r;
        }),
      );
      const stack = new UsageEngineStack(
        "uepe",
        defaultArgs({
          tls: { issuer: { type: "existing", kind: pulumi.output("ClusterIssuer"), name } },
          exposure: { domain: "uepe.example.com", ingress: { enabled: true } },
        }),
      );
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(ofType(RELEASE).length, 0, "the release waits for the issuer name");
      resolveName("addons-issuer");
      await settle();
      const values = one(RELEASE, "uepe-release").inputs.values;
      assert.equal(at(values, "platform.tls.cert.certManager.public.issuer.kind"), "ClusterIssuer");
      assert.equal(at(values, "platform.tls.cert.certManager.public.issuer.name"), "addons-issuer");
      const annotations = at(values, "ingress.annotations") as Record<string, string>;
      assert.equal(annotations["cert-manager.io/cluster-issuer"], "addons-issuer");
      assert.equal(await resolved(stack.issuerName), "addons-issuer");
      assert.equal(issuers().length, 0);
    });

    it("the chart references the issuer kind and name, and the release waits for the issuer", async () => {
      delays[RELEASE] = 50;
      await deploy(
        defaultArgs({ tls: { issuer: { type: "acme", kind: "Issuer", acmeEmail: "ops@example.com" } } }),
      );
      const release = one(RELEASE, "uepe-release");
      const values = release.inputs.values;
      assert.equal(at(values, "platform.tls.enabled"), true);
      assert.equal(at(values, "platform.tls.cert.certManager.public.issuer.kind"), "Issuer");
      assert.equal(at(values, "platform.tls.cert.certManager.public.issuer.name"), "uepe-tls-issuer");
      const [issuer] = issuers();
      assert.equal(at(issuer.inputs, "metadata.namespace"), "uepe");
      assert.ok(release.startedSeq > issuer.finishedSeq, "the release starts after the issuer exists");
    });

    it("secret mode from inputs: the chart gets the created Secret's name, never its contents", async () => {
      await deploy(
        defaultArgs({
          tls: {
            mode: "secret",
            secret: { name: "platform-tls", keystoreJks: KEYSTORE, tlsKey: PEM_KEY, tlsCrt: PEM_CRT },
          },
          credentials: { passwords: KEYSTORE_PASSWORDS },
        }),
      );
      const values = one(RELEASE, "uepe-release").inputs.values;
      assert.equal(at(values, "platform.tls.cert.secret.name"), "platform-tls");
      const text = JSON.stringify(values);
      for (const planted of ["plantedKey00", "plantedCrt00", KEYSTORE]) assert.ok(!text.includes(planted));
      assert.equal(ofType(RELEASE).length, 1, "no cert-manager in secret mode");
    });

    it("disabled mode turns TLS off in the chart", async () => {
      await deploy(defaultArgs({ tls: { mode: "disabled" } }));
      const values = one(RELEASE, "uepe-release").inputs.values;
      assert.equal(at(values, "platform.tls.enabled"), false);
      assert.equal(at(values, "platform.tls.cert.certManager.public.issuer.name"), undefined);
    });
  });

  describe("rejects bad input before registering anything", () => {
    const cases: {
      name: string;
      tls: TlsOptions;
      path: string;
      problem: RegExp;
      extra?: Partial<TlsArgs>;
    }[] = [
      {
        name: "unknown mode",
        tls: { mode: "certmanager" as never },
        path: "tls.mode",
        problem: /"certmanager" is not supported \(did you mean "certManager"\?\)/,
      },
      {
        name: "unknown issuer type",
        tls: { issuer: { type: "letsencrypt" as never } },
        path: "tls.issuer.type",
        problem: /"letsencrypt" is not supported; expected one of "selfSigned", "acme", "existing"/,
      },
      {
        name: "unknown issuer kind",
        tls: { issuer: { kind: "CA" as never } },
        path: "tls.issuer.kind",
        problem: /"CA" is not supported/,
      },
      {
        name: "ACME without e-mail",
        tls: { issuer: { type: "acme" } },
        path: "tls.issuer.acmeEmail",
        problem: /is required; expected an e-mail address/,
      },
      {
        name: "malformed e-mail",
        tls: { issuer: { type: "acme", acmeEmail: "ops-at-example.com" } },
        path: "tls.issuer.acmeEmail",
        problem: /"ops-at-example\.com" is not valid; expected an e-mail address/,
      },
      {
        name: "DNS-01 without hosted zone",
        tls: { issuer: { type: "acme", acmeEmail: "ops@example.com", acmeChallenge: "route53Dns01" } },
        path: "tls.issuer.route53HostedZoneId",
        problem: /is required; expected the Route 53 hosted zone id/,
      },
      {
        name: "hosted zone given as a path",
        tls: {
          issuer: { type: "acme", acmeEmail: "ops@example.com", route53HostedZoneId: "/hostedzone/Z123" },
        },
        path: "tls.issuer.route53HostedZoneId",
        problem: /is not valid; expected a Route 53 hosted zone id/,
      },
      {
        name: "unknown challenge",
        tls: { issuer: { type: "acme", acmeEmail: "ops@example.com", acmeChallenge: "dns01" as never } },
        path: "tls.issuer.acmeChallenge",
        problem: /"dns01" is not supported/,
      },
      {
        name: "ACME server over plain HTTP",
        tls: {
          issuer: { type: "acme", acmeEmail: "ops@example.com", acmeServer: "http://acme.example.com" },
        },
        path: "tls.issuer.acmeServer",
        problem: /expected an https:\/\/ ACME directory URL/,
      },
      {
        name: "IRSA without the OIDC provider",
        tls: {
          issuer: {
            type: "acme",
            acmeEmail: "ops@example.com",
            route53HostedZoneId: ZONE,
            route53Identity: { mode: "irsa" },
          },
        },
        path: "tls.issuer.route53Identity.oidcProviderArn",
        problem: /is required/,
      },
      {
        name: "OIDC provider ARN of another kind",
        tls: {
          issuer: {
            type: "acme",
            acmeEmail: "ops@example.com",
            route53HostedZoneId: ZONE,
            route53Identity: { mode: "irsa", oidcProviderArn: `arn:aws:iam::${ACCOUNT}:role/cert-manager` },
          },
        },
        path: "tls.issuer.route53Identity.oidcProviderArn",
        problem:
          /: "arn:aws:iam::123456789012:role\/cert-manager" is not an IAM OIDC provider ARN; expected an ARN such as arn:aws:iam::123456789012:oidc-provider\//,
      },
      {
        name: "Pod Identity without the cluster",
        tls: {
          issuer: {
            type: "acme",
            acmeEmail: "ops@example.com",
            route53HostedZoneId: ZONE,
            route53Identity: { mode: "podIdentity" },
          },
        },
        path: "tls.issuer.route53Identity.clusterName",
        problem: /is required/,
      },
      {
        name: "a Route 53 role for an issuer that does not use Route 53",
        tls: { issuer: { type: "selfSigned", route53Identity: { mode: "podIdentity", clusterName: "c" } } },
        path: "tls.issuer.route53Identity.mode",
        problem: /only applies to an acme issuer with route53Dns01/,
      },
      {
        name: "existing issuer without a name",
        tls: { issuer: { type: "existing" } },
        path: "tls.issuer.name",
        problem: /is required/,
      },
      {
        name: "invalid issuer name",
        tls: { issuer: { name: "Corp_CA" } },
        path: "tls.issuer.name",
        problem: /"Corp_CA" is not a valid name/,
      },
      {
        name: "invalid domain",
        tls: { issuer: { type: "acme", acmeEmail: "ops@example.com" } },
        extra: { domain: "-uepe.example.com" },
        path: "domain",
        problem: /is not a valid host name/,
      },
      {
        name: "secret mode with neither Secret nor inputs",
        tls: { mode: "secret" },
        path: "tls.existingSecretName",
        problem: /is required in secret mode/,
      },
      {
        name: "secret mode with both",
        tls: {
          mode: "secret",
          existingSecretName: "uepe-cert",
          secret: { keystoreJks: KEYSTORE, tlsKey: PEM_KEY, tlsCrt: PEM_CRT },
        },
        path: "tls.secret",
        problem: /is given together with existingSecretName/,
      },
      {
        name: "secret mode without tls.crt",
        tls: { mode: "secret", secret: { keystoreJks: KEYSTORE, tlsKey: PEM_KEY } as never },
        path: "tls.secret.tlsCrt",
        problem: /is required; expected a PEM certificate.*stored as tls\.crt/,
      },
      {
        name: "secret mode without keystore.jks",
        tls: { mode: "secret", secret: { tlsKey: PEM_KEY, tlsCrt: PEM_CRT } as never },
        path: "tls.secret.keystoreJks",
        problem: /is required; expected the base64-encoded JKS keystore, stored as keystore\.jks/,
      },
      {
        name: "a certificate where the key belongs",
        tls: { mode: "secret", secret: { keystoreJks: KEYSTORE, tlsKey: PEM_CRT, tlsCrt: PEM_CRT } },
        path: "tls.secret.tlsKey",
        problem: /is not in the expected format \(value hidden\); expected a PEM private key/,
      },
      {
        name: "a keystore that is not base64",
        tls: { mode: "secret", secret: { keystoreJks: "not base64!", tlsKey: PEM_KEY, tlsCrt: PEM_CRT } },
        path: "tls.secret.keystoreJks",
        problem: /is not in the expected format \(value hidden\)/,
      },
      {
        name: "a Secret name outside secret mode",
        tls: { existingSecretName: "uepe-cert" },
        path: "tls.existingSecretName",
        problem: /only applies to mode "secret"/,
      },
      {
        name: "ambientCredentials not a boolean",
        tls: {
          issuer: {
            type: "acme",
            kind: "Issuer",
            acmeEmail: "ops@example.com",
            route53HostedZoneId: ZONE,
            ambientCredentials: "yes" as never,
          },
        },
        path: "tls.issuer.ambientCredentials",
        problem: /expected true or false/,
      },
      {
        name: "unknown key",
        tls: { issuer: { acmeMail: "ops@example.com" } as never },
        path: "tls.issuer.acmeMail",
        problem: /is not a known argument \(did you mean "acmeEmail"\?\)/,
      },
    ];

    for (const c of cases)
      it(`${c.name}: ${c.path}`, async () => {
        assert.throws(
          () => new Tls("uepe-tls", { tls: c.tls, namespace: "uepe", ...c.extra }),
          (err: unknown) => {
            assert.ok(err instanceof ArgumentError);
            const line = err.message.split("\n").find((l) => l.startsWith(`  - ${c.path}: `));
            assert.ok(line, `no problem reported for ${c.path} in:\n${err.message}`);
            assert.match(line, c.problem);
            for (const planted of ["plantedKey00", "plantedCrt00", KEYSTORE])
              assert.ok(!err.message.includes(planted));
            return true;
          },
        );
        await settle();
        assert.equal(recorded.length, 0);
      });

    it("the stack reports TLS problems with the same paths, before any resource", async () => {
      assert.throws(
        () =>
          new UsageEngineStack(
            "uepe",
            defaultArgs({ tls: { issuer: { type: "acme", acmeChallenge: "route53Dns01" } } }),
          ),
        (err: unknown) => {
          assert.ok(err instanceof ArgumentError);
          const paths = err.problems.map((p) => p.path);
          assert.deepEqual(
            paths.filter((p) => p.startsWith("tls.")),
            ["tls.issuer.acmeEmail", "tls.issuer.route53HostedZoneId"],
            "each TLS problem is reported once",
          );
          return true;
        },
      );
      await settle();
      assert.equal(recorded.length, 0);
    });
  });
});
