import * as assert from "node:assert/strict";
import { ClusterIssuer } from "@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer";
import * as pulumi from "@pulumi/pulumi";
import { ArgumentError, ClusterAddons, type ClusterAddonsArgs, UsageEngineStack } from "../sdk";
import { assertConstructionRejected, assertDeployRejected, captureWarnings, defaultArgs } from "./fixtures";
import {
  ACCOUNT,
  at,
  delays,
  isSecretAt,
  ofType,
  one,
  REGION,
  type Recorded,
  refused,
  resetMocks,
  resolved,
  settle,
} from "./harness";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const CLUSTER_ISSUER = "kubernetes:cert-manager.io/v1:ClusterIssuer";
const ROLE = "aws:iam/role:Role";
const ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation";
const ZONE = "Z0123456789ABCDEFGHIJ";
const OIDC = `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.eks.${REGION}.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE`;
const OIDC_HOST = OIDC.split(":oidc-provider/")[1];
const SELF_SIGNED_WARNING = /ClusterAddons issuer\.type is selfSigned: .* testing only/;
const PUBLIC_WARNING =
  /ClusterAddons ingressNginx\.allowPublic is true: the ingress controller's load balancer is internet-facing/;
const ACME = { type: "acme", acmeEmail: "ops@example.com" } as const;

async function addons(args: ClusterAddonsArgs = {}, name = "addons"): Promise<ClusterAddons> {
  const component = new ClusterAddons(name, args);
  await settle();
  return component;
}

/** The registrations of a type whose names contain a fragment. */
function named(type: string, fragment: string): Recorded[] {
  return ofType(type).filter((r) => r.name.includes(fragment));
}

function policyOf(r: Recorded): { Statement: Record<string, unknown>[] } {
  return JSON.parse(String(r.inputs.policy));
}

function trustOf(role: Recorded): Record<string, unknown> {
  return JSON.parse(String(role.inputs.assumeRolePolicy)).Statement[0];
}

describe("ClusterAddons", () => {
  let warnings: ReturnType<typeof captureWarnings>;
  beforeEach(() => {
    resetMocks();
    warnings = captureWarnings();
  });
  afterEach(() => warnings.restore());

  describe("defaults: cert-manager and a self-signed ClusterIssuer", () => {
    it("installs the pinned cert-manager chart with its CRDs kept, nothing else", async () => {
      const component = await addons();
      assert.deepEqual(
        ofType(RELEASE).map((r) => r.name),
        ["addons-cert-manager"],
      );
      const release = one(RELEASE, "cert-manager");
      assert.equal(release.inputs.chart, "cert-manager");
      assert.equal(release.inputs.name, "cert-manager");
      assert.equal(release.inputs.version, "v1.21.2");
      assert.deepEqual(release.inputs.repositoryOpts, { repo: "https://charts.jetstack.io" });
      assert.equal(release.inputs.namespace, "cert-manager");
      assert.deepEqual(at(release.inputs, "values.crds"), { enabled: true, keep: true });
      assert.equal(at(release.inputs, "values.installCRDs"), undefined, "installCRDs is deprecated");
      assert.equal(at(release.inputs, "values.extraArgs"), undefined, "no ambient credentials for Issuers");
      assert.equal(release.inputs.skipAwait, false, "the release waits for its hooks (webhook check)");
      const issuer = one(CLUSTER_ISSUER);
      assert.deepEqual(issuer.inputs.spec, { selfSigned: {} });
      assert.equal(at(issuer.inputs, "metadata.name"), "addons-issuer");
      new ClusterIssuer(issuer.inputs as never).validate();
      assert.equal(ofType(ROLE).length, 0);
      assert.equal(await resolved(component.issuerKind), "ClusterIssuer");
      assert.equal(await resolved(component.issuerName), "addons-issuer");
      assert.equal(await resolved(component.ingressClassName), "");
      assert.equal(await resolved(component.certManagerNamespace), "cert-manager");
      assert.equal(await resolved(component.certManagerReleaseName), "cert-manager");
      assert.equal(await resolved(component.issuerAmbientCredentials), false);
      assert.ok(warnings.messages.some((m) => SELF_SIGNED_WARNING.test(m)));
    });

    it("creates the issuer only after the cert-manager release (webhook ready) has finished", async () => {
      delays[RELEASE] = 150;
      await addons({ issuer: ACME });
      const release = one(RELEASE, "cert-manager");
      const issuer = one(CLUSTER_ISSUER);
      assert.ok(issuer.dependencies.includes(release.urn), "the issuer depends on the cert-manager release");
      assert.ok(
        issuer.startedSeq > release.finishedSeq,
        `issuer started at ${issuer.startedSeq}, cert-manager finished at ${release.finishedSeq}`,
      );
    });

    it("issuerKind and issuerName resolve only once the issuer exists: an installation waits for it", async () => {
      delays[CLUSTER_ISSUER] = 150;
      const component = new ClusterAddons("addons", { issuer: ACME });
      new UsageEngineStack(
        "uepe",
        defaultArgs({
          tls: { issuer: { type: "existing", kind: component.issuerKind, name: component.issuerName } },
        }),
      );
      await settle();
      const issuer = one(CLUSTER_ISSUER);
      const platform = one(RELEASE, "uepe-release");
      assert.ok(
        platform.startedSeq > issuer.finishedSeq,
        "the platform release starts after the issuer exists",
      );
      assert.equal(
        at(platform.inputs, "values.platform.tls.cert.certManager.public.issuer.name"),
        "addons-issuer",
      );
      assert.equal(
        at(platform.inputs, "values.platform.tls.cert.certManager.public.issuer.kind"),
        "ClusterIssuer",
      );
    });

    it("version and values override the pin (you win); enabled false keeps only the issuer", async () => {
      await addons({
        certManager: { version: "v1.20.2", values: { replicaCount: 2, crds: { keep: false } } },
      });
      const release = one(RELEASE, "cert-manager");
      assert.equal(release.inputs.version, "v1.20.2");
      assert.equal(at(release.inputs, "values.replicaCount"), 2);
      assert.deepEqual(at(release.inputs, "values.crds"), { enabled: true, keep: false });
      resetMocks();
      const component = await addons({ certManager: { enabled: false }, issuer: ACME });
      assert.equal(ofType(RELEASE).length, 0);
      assert.deepEqual(
        one(CLUSTER_ISSUER).dependencies.filter((urn) => urn.includes("helm.sh")),
        [],
      );
      assert.equal(await resolved(component.certManagerReleaseName), "");
    });

    it("keeps add-on values secret when they carry a credential, and plain otherwise", async () => {
      await addons({ certManager: { values: { replicaCount: 2 } } });
      assert.ok(
        !isSecretAt(one(RELEASE, "cert-manager").raw, ["values"]),
        "plain values hidden from the plan",
      );
      for (const values of [
        { webhook: { extraEnv: [{ name: "PROXY", value: pulumi.secret("http://user:pw@proxy:3128") }] } },
        { prometheus: { servicemonitor: { basicAuth: { password: "plain-but-a-password" } } } },
        { extraArgs: [{ "api-token": "t0ken" }] },
      ]) {
        resetMocks();
        await addons({ certManager: { values } });
        const release = one(RELEASE, "cert-manager");
        assert.ok(isSecretAt(release.raw, ["values"]), `values not secret: ${Object.keys(values)}`);
        assert.equal(at(release.inputs, "values.crds.enabled"), true);
      }
    });

    it("issuerAmbientCredentials starts cert-manager with --issuer-ambient-credentials", async () => {
      const component = await addons({ certManager: { issuerAmbientCredentials: true } });
      assert.deepEqual(at(one(RELEASE, "cert-manager").inputs, "values.extraArgs"), [
        "--issuer-ambient-credentials",
      ]);
      assert.equal(await resolved(component.issuerAmbientCredentials), true);
    });
  });

  describe("ACME ClusterIssuers", () => {
    it("HTTP-01: through the installed ingress-nginx class, limited to the domain", async () => {
      await addons({
        domain: "uepe.example.com",
        issuer: ACME,
        ingressNginx: { enabled: true, className: "edge", internal: true },
      });
      const issuer = one(CLUSTER_ISSUER);
      new ClusterIssuer(issuer.inputs as never).validate();
      assert.equal(at(issuer.inputs, "spec.acme.server"), "https://acme-v02.api.letsencrypt.org/directory");
      assert.deepEqual(at(issuer.inputs, "spec.acme.solvers"), [
        { http01: { ingress: { ingressClassName: "edge" } }, selector: { dnsZones: ["uepe.example.com"] } },
      ]);
      assert.equal(ofType(ROLE).length, 0, "HTTP-01 needs no AWS access");
      assert.equal(warnings.messages.length, 0);
    });

    it("takes the cluster's OIDC provider and name as Outputs of the program's own cluster", async () => {
      await addons({
        cluster: { oidcProviderArn: pulumi.output(OIDC) },
        issuer: { ...ACME, route53HostedZoneId: ZONE },
      });
      const trust = trustOf(one(ROLE, "cert-manager"));
      assert.deepEqual(trust.Principal, { Federated: OIDC });
      assert.equal(
        (trust.Condition as Record<string, Record<string, string>>).StringEquals[`${OIDC_HOST}:sub`],
        "system:serviceaccount:cert-manager:cert-manager",
      );
      resetMocks();
      await addons({
        cluster: { name: pulumi.output("uepe-cluster") },
        issuer: { ...ACME, route53HostedZoneId: ZONE },
      });
      assert.equal(one(ASSOCIATION, "cert-manager").inputs.clusterName, "uepe-cluster");
    });

    it("checks an Output OIDC provider ARN once known, before the role that would trust it", async () => {
      const role = `arn:aws:iam::${ACCOUNT}:role/not-a-provider`;
      await assertDeployRejected(
        () =>
          new ClusterAddons("addons", {
            cluster: { oidcProviderArn: pulumi.output(role) },
            issuer: { ...ACME, route53HostedZoneId: ZONE },
          }),
        "issuer.route53Identity.oidcProviderArn",
        /^"arn:aws:iam::123456789012:role\/not-a-provider" is not an IAM OIDC provider ARN; expected an ARN such as arn:aws:iam::123456789012:oidc-provider\//,
      );
      assert.equal(ofType(ROLE).length, 0, "a role trusting a malformed provider was created");
    });

    it("Route 53 DNS-01: IRSA by default with the cluster's OIDC provider, role on cert-manager's service account", async () => {
      const component = await addons({
        cluster: { oidcProviderArn: OIDC },
        issuer: { ...ACME, route53HostedZoneId: ZONE, route53Region: "us-east-1" },
        tags: { team: "billing" },
      });
      const role = one(ROLE, "cert-manager");
      const trust = trustOf(role);
      assert.deepEqual(trust.Principal, { Federated: OIDC });
      assert.deepEqual(trust.Condition, {
        StringEquals: {
          [`${OIDC_HOST}:sub`]: "system:serviceaccount:cert-manager:cert-manager",
          [`${OIDC_HOST}:aud`]: "sts.amazonaws.com",
        },
      });
      assert.equal((role.inputs.tags as Record<string, string>).team, "billing");
      const policy = policyOf(one("aws:iam/rolePolicy:RolePolicy", "cert-manager"));
      assert.ok(policy.Statement.some((s) => s.Resource === `arn:aws:route53:::hostedzone/${ZONE}`));
      const release = one(RELEASE, "cert-manager");
      assert.deepEqual(at(release.inputs, "values.serviceAccount.annotations"), {
        "eks.amazonaws.com/role-arn": role.outputs.arn,
      });
      assert.ok(release.dependencies.includes(role.urn), "cert-manager starts with its role in place");
      assert.deepEqual(at(one(CLUSTER_ISSUER).inputs, "spec.acme.solvers.0.dns01.route53"), {
        region: "us-east-1",
        hostedZoneID: ZONE,
      });
      assert.equal(await resolved(component.route53RoleArn), role.outputs.arn);
      assert.equal(ofType(ASSOCIATION).length, 0);
    });

    it("Route 53 DNS-01: Pod Identity by default with the cluster's name; the association precedes cert-manager", async () => {
      await addons({ cluster: { name: "uepe-eks" }, issuer: { ...ACME, route53HostedZoneId: ZONE } });
      const association = one(ASSOCIATION);
      assert.equal(association.inputs.clusterName, "uepe-eks");
      assert.equal(association.inputs.namespace, "cert-manager");
      assert.equal(association.inputs.serviceAccount, "cert-manager");
      const release = one(RELEASE, "cert-manager");
      assert.ok(release.dependencies.includes(association.urn));
      assert.equal(
        at(release.inputs, "values.serviceAccount"),
        undefined,
        "no IRSA annotation with Pod Identity",
      );
      assert.equal(at(one(CLUSTER_ISSUER).inputs, "spec.acme.solvers.0.dns01.route53.region"), REGION);
    });

    it("an explicit identity mode wins over the cluster's defaults; none creates no role", async () => {
      await addons({
        cluster: { oidcProviderArn: OIDC },
        issuer: { ...ACME, route53HostedZoneId: ZONE, route53Identity: { mode: "none" } },
      });
      assert.equal(ofType(ROLE).length, 0);
    });
  });

  describe("ingress-nginx: the controller's load balancer is never silently open", () => {
    it("refuses the chart's default internet-facing LoadBalancer, naming the three ways out", async () => {
      await assertConstructionRejected(
        () => new ClusterAddons("addons", { ingressNginx: { enabled: true } }),
        "ingressNginx",
        /internet-facing load balancer open to every address .*; expected loadBalancerSourceRanges .*, internal: true .*, or allowPublic: true/,
      );
    });

    it("source ranges: rendered on the controller Service", async () => {
      const component = await addons({
        ingressNginx: { enabled: true, loadBalancerSourceRanges: ["203.0.113.0/24"] },
      });
      const release = one(RELEASE, "ingress-nginx");
      assert.equal(release.inputs.version, "4.15.1");
      assert.equal(release.inputs.namespace, "ingress-nginx");
      assert.deepEqual(at(release.inputs, "values.controller.service.loadBalancerSourceRanges"), [
        "203.0.113.0/24",
      ]);
      assert.equal(at(release.inputs, "values.controller.ingressClassResource.name"), "nginx");
      assert.equal(await resolved(component.ingressClassName), "nginx");
      assert.equal(await resolved(component.ingressControllerServiceName), "ingress-nginx-controller");
    });

    it("internal: the internal-scheme annotations", async () => {
      await addons({ ingressNginx: { enabled: true, internal: true } });
      assert.deepEqual(at(one(RELEASE, "ingress-nginx").inputs, "values.controller.service.annotations"), {
        "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
        "service.beta.kubernetes.io/aws-load-balancer-internal": "true",
      });
      assert.equal(warnings.messages.filter((m) => PUBLIC_WARNING.test(m)).length, 0);
    });

    it("allowPublic: accepted, with a warning on every run", async () => {
      await addons({ ingressNginx: { enabled: true, allowPublic: true } });
      assert.equal(
        at(one(RELEASE, "ingress-nginx").inputs, "values.controller.service.loadBalancerSourceRanges"),
        undefined,
      );
      assert.equal(warnings.messages.filter((m) => PUBLIC_WARNING.test(m)).length, 1);
      resetMocks();
      await addons({ ingressNginx: { enabled: true, allowPublic: true } });
      assert.equal(warnings.messages.filter((m) => PUBLIC_WARNING.test(m)).length, 2);
    });

    it("the same limits given as chart values count, and a non-LoadBalancer Service needs none", async () => {
      for (const service of [
        { loadBalancerSourceRanges: ["10.0.0.0/8"] },
        { annotations: { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" } },
        { type: "NodePort" },
      ]) {
        resetMocks();
        await addons({ ingressNginx: { enabled: true, values: { controller: { service } } } });
        assert.equal(named(RELEASE, "ingress-nginx").length, 1);
      }
      // An explicit internet-facing scheme in the values is no way out.
      await assertConstructionRejected(
        () => {
          resetMocks();
          return new ClusterAddons("addons", {
            ingressNginx: {
              enabled: true,
              values: {
                controller: {
                  service: {
                    annotations: { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing" },
                  },
                },
              },
            },
          });
        },
        "ingressNginx",
        /internet-facing load balancer/,
      );
    });
  });

  describe("external-dns: one domain, one zone, its own owner, the installations' namespaces", () => {
    it("one release per namespace, domainFilters, TXT owner, record types, zone filter, IRSA from the cluster", async () => {
      const component = await addons({
        cluster: { oidcProviderArn: OIDC },
        domain: "uepe.example.com",
        externalDns: { hostedZoneId: ZONE, namespaces: ["uepe-test", "uepe-staging"] },
      });
      const releases = named(RELEASE, "external-dns");
      assert.deepEqual(
        releases.map((r) => r.inputs.name),
        ["external-dns-uepe-test", "external-dns-uepe-staging"],
      );
      assert.deepEqual(await resolved(component.externalDnsReleaseNames), [
        "external-dns-uepe-test",
        "external-dns-uepe-staging",
      ]);
      const values = releases[0].inputs.values as Record<string, unknown>;
      assert.equal(releases[0].inputs.version, "1.19.0");
      assert.equal(releases[0].inputs.namespace, "external-dns");
      assert.deepEqual(values.provider, { name: "aws" });
      assert.equal(values.policy, "upsert-only", "never deletes records");
      assert.equal(values.registry, "txt");
      assert.equal(values.txtOwnerId, "addons-uepe-test");
      assert.equal(at(releases[1].inputs, "values.txtOwnerId"), "addons-uepe-staging");
      assert.deepEqual(values.domainFilters, ["uepe.example.com"]);
      assert.deepEqual(values.extraArgs, [
        `--zone-id-filter=${ZONE}`,
        "--namespace=uepe-test",
        "--managed-record-types=A",
        "--managed-record-types=AAAA",
        "--managed-record-types=CNAME",
      ]);
      const roles = named(ROLE, "external-dns");
      assert.equal(roles.length, 2);
      assert.equal(
        (trustOf(roles[0]).Condition as Record<string, Record<string, string>>).StringEquals[
          `${OIDC_HOST}:sub`
        ],
        "system:serviceaccount:external-dns:external-dns-uepe-test",
      );
      assert.deepEqual(at(values, "serviceAccount.annotations"), {
        "eks.amazonaws.com/role-arn": roles[0].outputs.arn,
      });
      assert.ok(releases[0].dependencies.includes(roles[0].urn));
    });

    it("its IAM policy changes only the given zone, the domain's names and the managed record types", async () => {
      await addons({
        domain: "uepe.example.com",
        externalDns: {
          hostedZoneId: ZONE,
          recordTypes: ["A"],
          identity: { mode: "podIdentity", clusterName: "uepe-eks" },
        },
      });
      const policy = policyOf(one("aws:iam/rolePolicy:RolePolicy", "external-dns"));
      assert.deepEqual(policy.Statement, [
        {
          Effect: "Allow",
          Action: ["route53:ChangeResourceRecordSets"],
          Resource: `arn:aws:route53:::hostedzone/${ZONE}`,
          Condition: {
            "ForAllValues:StringEquals": { "route53:ChangeResourceRecordSetsRecordTypes": ["A", "TXT"] },
            "ForAllValues:StringLike": {
              "route53:ChangeResourceRecordSetsNormalizedRecordNames": [
                "uepe.example.com",
                "*.uepe.example.com",
              ],
            },
          },
        },
        {
          Effect: "Allow",
          Action: ["route53:ListResourceRecordSets", "route53:ListTagsForResource"],
          Resource: `arn:aws:route53:::hostedzone/${ZONE}`,
        },
        { Effect: "Allow", Action: ["route53:ListHostedZones"], Resource: "*" },
      ]);
      const association = one(ASSOCIATION);
      assert.equal(association.inputs.serviceAccount, "external-dns-uepe");
      assert.equal(association.inputs.namespace, "external-dns");
    });

    it("refuses to install without a domain (no domainFilters)", async () => {
      await assertConstructionRejected(
        () => new ClusterAddons("addons", { externalDns: { hostedZoneId: ZONE } }),
        "domain",
        /is required; expected the DNS domain external-dns may change records in/,
      );
    });
  });

  describe("EFS CSI driver", () => {
    it("the pinned chart in kube-system, a role for the controller and node service accounts (IRSA)", async () => {
      const component = await addons({ cluster: { oidcProviderArn: OIDC }, efsCsiDriver: { enabled: true } });
      const release = one(RELEASE, "efs-csi-driver");
      assert.equal(release.inputs.chart, "aws-efs-csi-driver");
      assert.equal(release.inputs.version, "4.4.1");
      assert.deepEqual(release.inputs.repositoryOpts, {
        repo: "https://kubernetes-sigs.github.io/aws-efs-csi-driver",
      });
      assert.equal(release.inputs.namespace, "kube-system");
      const [controller, node] = named(ROLE, "efs-csi");
      const sub = (role: Recorded) =>
        (trustOf(role).Condition as Record<string, Record<string, string>>).StringEquals[`${OIDC_HOST}:sub`];
      assert.equal(sub(controller), "system:serviceaccount:kube-system:efs-csi-controller-sa");
      assert.equal(sub(node), "system:serviceaccount:kube-system:efs-csi-node-sa");
      assert.deepEqual(at(release.inputs, "values.controller.serviceAccount.annotations"), {
        "eks.amazonaws.com/role-arn": controller.outputs.arn,
      });
      assert.deepEqual(at(release.inputs, "values.node.serviceAccount.annotations"), {
        "eks.amazonaws.com/role-arn": node.outputs.arn,
      });
      assert.ok(release.dependencies.includes(controller.urn) && release.dependencies.includes(node.urn));
      assert.equal(await resolved(component.efsCsiDriverRoleArn), controller.outputs.arn);
    });

    it("not installed unless enabled", async () => {
      await addons({ cluster: { name: "uepe-eks" } });
      assert.equal(named(RELEASE, "efs-csi").length, 0);
      assert.equal(ofType(ASSOCIATION).length, 0);
    });
  });

  describe("shared by installations", () => {
    it("two installations share one cert-manager and one ClusterIssuer; the cluster refuses nothing", async () => {
      const shared = new ClusterAddons("addons", { issuer: ACME });
      for (const name of ["uepe-test", "uepe-staging"])
        new UsageEngineStack(
          name,
          defaultArgs({
            namespace: name,
            tls: { issuer: { type: "existing", kind: shared.issuerKind, name: shared.issuerName } },
          }),
        );
      await settle();
      assert.deepEqual(refused, []);
      assert.equal(named(RELEASE, "cert-manager").length, 1);
      assert.equal(ofType(CLUSTER_ISSUER).length, 1);
      assert.equal(ofType(RELEASE).length, 3, "cert-manager and two platform releases");
    });

    it("the mock cluster refuses a second install of one Helm release (why installations no longer install add-ons)", async () => {
      new ClusterAddons("one", {});
      new ClusterAddons("two", { issuer: { name: "other-issuer" } });
      await settle();
      assert.deepEqual(
        refused.map((r) => r.message),
        ["Helm: cannot re-use a name that is still in use (release cert-manager/cert-manager)"],
      );
    });
  });

  describe("rejects bad input before registering anything", () => {
    const cases: { name: string; args: ClusterAddonsArgs; path: string; problem: RegExp }[] = [
      {
        name: "unknown key",
        args: { certManger: {} } as never,
        path: "certManger",
        problem: /is not a known argument/,
      },
      {
        name: "namespaced issuer type",
        args: { issuer: { type: "existing" as never } },
        path: "issuer.type",
        problem: /"existing" is not supported; expected one of "selfSigned", "acme"/,
      },
      {
        name: "ACME without e-mail",
        args: { issuer: { type: "acme" } },
        path: "issuer.acmeEmail",
        problem: /is required/,
      },
      {
        name: "malformed cert-manager version",
        args: { certManager: { version: "latest" } },
        path: "certManager.version",
        problem: /expected a chart version such as v1\.21\.2/,
      },
      {
        name: "cert-manager options without installing it",
        args: { certManager: { enabled: false, issuerAmbientCredentials: true } },
        path: "certManager.issuerAmbientCredentials",
        problem: /only applies when ClusterAddons installs cert-manager/,
      },
      {
        name: "ingress-nginx options without enabling it",
        args: { ingressNginx: { internal: true } },
        path: "ingressNginx.internal",
        problem: /is set but ingressNginx\.enabled is not true/,
      },
      {
        name: "malformed source range",
        args: { ingressNginx: { enabled: true, loadBalancerSourceRanges: ["203.0.113.0"] } },
        path: "ingressNginx.loadBalancerSourceRanges[0]",
        problem: /CIDR/,
      },
      {
        name: "external-dns with a malformed zone",
        args: { domain: "uepe.example.com", externalDns: { hostedZoneId: "example.com" } },
        path: "externalDns.hostedZoneId",
        problem: /expected a Route 53 hosted zone id/,
      },
      {
        name: "external-dns record type it cannot manage",
        args: { domain: "uepe.example.com", externalDns: { hostedZoneId: ZONE, recordTypes: ["SOA"] } },
        path: "externalDns.recordTypes[0]",
        problem: /"SOA" is not supported/,
      },
      {
        name: "external-dns namespace not a name",
        args: { domain: "uepe.example.com", externalDns: { hostedZoneId: ZONE, namespaces: ["UEPE"] } },
        path: "externalDns.namespaces[0]",
        problem: /is not valid|is not a valid/,
      },
      {
        name: "IRSA without the OIDC provider",
        args: { efsCsiDriver: { enabled: true, identity: { mode: "irsa" } } },
        path: "efsCsiDriver.identity.oidcProviderArn",
        problem: /is required/,
      },
      {
        name: "malformed OIDC provider",
        args: { cluster: { oidcProviderArn: "oidc.eks.eu-west-1.amazonaws.com/id/X" } },
        path: "cluster.oidcProviderArn",
        problem: /ARN/,
      },
    ];
    for (const c of cases)
      it(`${c.name}: ${c.path}`, async () => {
        const error = await assertConstructionRejected(
          () => new ClusterAddons("addons", c.args),
          c.path,
          c.problem,
        );
        assert.ok(error instanceof ArgumentError);
        assert.match(error.message, /^Invalid ClusterAddons arguments:/);
      });
  });
});
