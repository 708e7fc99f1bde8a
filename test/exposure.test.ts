import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import {
  ArgumentError,
  Exposure,
  type ExposureOptions,
  UsageEngineStack,
  type UsageEngineStackArgs,
} from "../sdk";
import { assertRejected, captureWarnings, defaultArgs, deploy, KEYSTORE_PASSWORDS } from "./fixtures";
import { at, ofType, one, recorded, resetMocks, resolved, settle } from "./harness";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const ZONE = "Z0123456789ABCDEFGHIJ";
const NLB = {
  "service.beta.kubernetes.io/aws-load-balancer-type": "external",
  "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
  "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
};

/** Collects `pulumi.log.warn` messages while a test runs. */

/** Deploys the default stack with these arguments and returns it with the UEPE chart values. */
async function stackWith(overrides: Partial<UsageEngineStackArgs>) {
  const stack = await deploy(defaultArgs(overrides));
  return { stack, values: one(RELEASE, "uepe-release").inputs.values };
}

describe("Exposure", () => {
  let warnings: ReturnType<typeof captureWarnings>;
  beforeEach(() => {
    resetMocks();
    warnings = captureWarnings();
  });
  afterEach(() => warnings.restore());

  it("defaults: NodePort platform Service, no ingress, no add-ons, no URLs", async () => {
    const { stack, values } = await stackWith({});
    assert.equal(at(values, "platform.service.type"), "NodePort");
    assert.equal(at(values, "ingress.enabled"), false);
    assert.equal(at(values, "platform.service.annotations"), undefined);
    assert.deepEqual(
      ofType(RELEASE)
        .map((r) => r.inputs.chart)
        .sort(),
      ["usage-engine-private-edition"],
    );
    assert.equal(await resolved(stack.platformUrl), "");
    assert.equal(await resolved(stack.desktopOnlineUrl), "");
    assert.ok(!warnings.messages.some((m) => m.includes("6790")));
  });

  it("LoadBalancer: NLB annotations and source ranges reach the platform Service", async () => {
    const { values } = await stackWith({
      exposure: {
        serviceType: "LoadBalancer",
        serviceAnnotations: NLB,
        loadBalancerSourceRanges: ["203.0.113.0/24", "198.51.100.7/32"],
      },
    });
    assert.equal(at(values, "platform.service.type"), "LoadBalancer");
    assert.deepEqual(at(values, "platform.service.annotations"), NLB);
    assert.deepEqual(at(values, "platform.service.loadBalancerSourceRanges"), [
      "203.0.113.0/24",
      "198.51.100.7/32",
    ]);
  });

  describe("a LoadBalancer open to the internet must be asked for", () => {
    it("refuses LoadBalancer without source ranges or an internal scheme, naming the three ways out", async () => {
      const cases: ({ [key: string]: string } | undefined)[] = [
        undefined,
        NLB,
        { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing" },
        { "service.beta.kubernetes.io/aws-load-balancer-internal": "false" },
      ];
      for (const annotations of cases) {
        resetMocks();
        const exposure: ExposureOptions = { serviceType: "LoadBalancer", serviceAnnotations: annotations };
        await assertRejected(
          defaultArgs({ exposure }),
          "exposure.serviceType",
          /opens the platform to the whole internet; expected exposure\.loadBalancerSourceRanges .*"service\.beta\.kubernetes\.io\/aws-load-balancer-scheme": "internal".*"service\.beta\.kubernetes\.io\/aws-load-balancer-internal": "true".*exposure\.allowPublic: true/,
        );
      }
      resetMocks();
      await assertRejected(
        defaultArgs({
          exposure: { serviceType: "LoadBalancer", loadBalancerSourceRanges: [], allowPublic: false },
        }),
        "exposure.serviceType",
        /opens the platform to the whole internet/,
      );
    });

    const ways: [string, ExposureOptions][] = [
      ["source ranges", { loadBalancerSourceRanges: ["203.0.113.0/24"] }],
      [
        "an internal scheme",
        { serviceAnnotations: { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" } },
      ],
      [
        "the legacy internal annotation",
        { serviceAnnotations: { "service.beta.kubernetes.io/aws-load-balancer-internal": "true" } },
      ],
    ];
    for (const [way, exposure] of ways)
      it(`accepts a LoadBalancer closed by ${way}, without a warning`, async () => {
        const { values } = await stackWith({ exposure: { serviceType: "LoadBalancer", ...exposure } });
        assert.equal(at(values, "platform.service.type"), "LoadBalancer");
        assert.ok(!warnings.messages.some((m) => m.includes("allowPublic")));
      });

    it("accepts allowPublic: true, and warns about it on every run", async () => {
      for (let run = 1; run <= 2; run++) {
        resetMocks();
        const before = warnings.messages.length;
        const { values } = await stackWith({ exposure: { serviceType: "LoadBalancer", allowPublic: true } });
        assert.equal(at(values, "platform.service.type"), "LoadBalancer");
        assert.equal(
          warnings.messages
            .slice(before)
            .filter((m) => /exposure\.allowPublic is true: .* any address on the internet/.test(m)).length,
          1,
        );
      }
    });

    it("a LoadBalancer through chart values passes only where exposure's rule already applied", async () => {
      const { values } = await stackWith({
        exposure: { serviceType: "LoadBalancer", loadBalancerSourceRanges: ["203.0.113.0/24"] },
        values: { platform: { service: { serviceType: "LoadBalancer", type: null } } },
      });
      assert.equal(at(values, "platform.service.serviceType"), "LoadBalancer");
      resetMocks();
      const nodePort = await stackWith({ values: { platform: { service: { type: "NodePort" } } } });
      assert.equal(at(nodePort.values, "platform.service.type"), "NodePort");
      resetMocks();
      await assertRejected(
        defaultArgs({ values: { platform: { service: { type: "LoadBalancer" } } } }),
        "values.platform.service.type",
        /^would make the platform a LoadBalancer past the exposure checks/,
      );
    });

    it("NodePort and ClusterIP need none of them", async () => {
      const { values } = await stackWith({ exposure: { serviceType: "NodePort" } });
      assert.equal(at(values, "platform.service.type"), "NodePort");
    });

    it("a bad allowPublic is refused", async () => {
      await assertRejected(
        defaultArgs({ exposure: { serviceType: "LoadBalancer", allowPublic: "yes" as never } }),
        "exposure.allowPublic",
        /expected true or false/,
      );
    });
  });

  it("ingress with a domain: default hosts, cert-manager certificate, HTTPS URLs, domain to chart and issuer", async () => {
    const { stack, values } = await stackWith({
      exposure: { domain: "uepe.example.com", ingress: { enabled: true } },
      tls: { issuer: { type: "acme", acmeEmail: "ops@example.com" } },
    });
    assert.equal(at(values, "global.domain"), "uepe.example.com");
    assert.equal(at(values, "ingress.enabled"), true);
    assert.equal(at(values, "ingress.className"), "nginx");
    assert.equal(at(values, "ingress.hosts.platform"), "platform.uepe.example.com");
    assert.equal(at(values, "ingress.hosts.desktopOnline"), "desktop-online.uepe.example.com");
    assert.equal(at(values, "ingress.tls.enabled"), true);
    assert.equal(at(values, "ingress.tls.secretName"), "uepe-ingress-tls");
    assert.deepEqual(at(values, "ingress.annotations"), {
      "cert-manager.io/cluster-issuer": "uepe-tls-issuer",
    });
    const issuer = one("kubernetes:cert-manager.io/v1:ClusterIssuer");
    assert.deepEqual(at(issuer.inputs, "spec.acme.solvers.0.selector.dnsZones"), ["uepe.example.com"]);
    assert.equal(at(issuer.inputs, "spec.acme.solvers.0.http01.ingress.ingressClassName"), "nginx");
    assert.equal(await resolved(stack.platformUrl), "https://platform.uepe.example.com");
    assert.equal(await resolved(stack.desktopOnlineUrl), "https://desktop-online.uepe.example.com");
  });

  it("explicit hosts and class win; a namespaced Issuer gets the issuer annotation; your cert-manager annotation is kept", async () => {
    const { values } = await stackWith({
      exposure: {
        ingress: {
          enabled: true,
          className: "internal",
          host: "api.uepe.example.org",
          desktopOnlineHost: "ui.uepe.example.org",
          annotations: { "nginx.ingress.kubernetes.io/proxy-body-size": "64m" },
        },
      },
      tls: { issuer: { type: "existing", kind: "Issuer", name: "corp-ca" } },
    });
    assert.equal(at(values, "ingress.className"), "internal");
    assert.equal(at(values, "ingress.hosts.platform"), "api.uepe.example.org");
    assert.equal(at(values, "ingress.hosts.desktopOnline"), "ui.uepe.example.org");
    assert.deepEqual(at(values, "ingress.annotations"), {
      "nginx.ingress.kubernetes.io/proxy-body-size": "64m",
      "cert-manager.io/issuer": "corp-ca",
    });

    resetMocks();
    const mine = await stackWith({
      exposure: {
        domain: "uepe.example.com",
        ingress: { enabled: true, annotations: { "cert-manager.io/cluster-issuer": "letsencrypt-prod" } },
      },
    });
    assert.deepEqual(at(mine.values, "ingress.annotations"), {
      "cert-manager.io/cluster-issuer": "letsencrypt-prod",
    });
  });

  it("secret mode: the ingress serves the TLS Secret; disabled TLS: plain HTTP URLs", async () => {
    const { values } = await stackWith({
      exposure: { domain: "uepe.example.com", ingress: { enabled: true } },
      tls: { mode: "secret", existingSecretName: "uepe-cert" },
      credentials: { passwords: KEYSTORE_PASSWORDS },
    });
    assert.equal(at(values, "ingress.tls.secretName"), "uepe-cert");
    assert.equal(at(values, "ingress.annotations"), undefined);

    resetMocks();
    const plain = await stackWith({
      exposure: { domain: "uepe.example.com", ingress: { enabled: true } },
      tls: { mode: "disabled" },
    });
    assert.equal(at(plain.values, "ingress.tls.enabled"), false);
    assert.equal(at(plain.values, "ingress.tls.secretName"), undefined);
    assert.equal(await resolved(plain.stack.platformUrl), "http://platform.uepe.example.com");
  });

  it("warns that ClusterIP leaves the Desktop client's TCP 6790 unreachable, even behind an ingress", async () => {
    await stackWith({
      exposure: { serviceType: "ClusterIP", domain: "uepe.example.com", ingress: { enabled: true } },
    });
    const warning = warnings.messages.find((m) => m.includes("6790"));
    assert.ok(warning, "a ClusterIP platform must warn about the Desktop client");
    assert.match(warning, /HTTP ingress cannot carry it/);
    assert.match(warning, /NodePort or LoadBalancer/);
  });

  it("installs no add-on: the ingress controller and external-dns are ClusterAddons'", async () => {
    await stackWith({ exposure: { domain: "uepe.example.com", ingress: { enabled: true } } });
    assert.deepEqual(
      ofType(RELEASE).map((r) => r.name),
      ["uepe-release"],
    );
  });

  it("points the chart at the ingress controller Service it is given, also as an Output", async () => {
    const { values } = await stackWith({
      exposure: { ingressControllerServiceName: pulumi.output("ingress-nginx-controller") },
    });
    assert.equal(at(values, "global.ingressController.serviceName"), "ingress-nginx-controller");
  });

  it("is usable alone", async () => {
    const part = new Exposure("edge", {
      exposure: { domain: "uepe.example.com", ingress: { enabled: true } },
    });
    await settle();
    assert.equal(one("usage-engine:index:Exposure").name, "edge");
    assert.equal(ofType(RELEASE).length, 0);
    assert.equal(await resolved(part.platformUrl), "https://platform.uepe.example.com");
  });

  describe("rejects bad input before registering anything", () => {
    const cases: {
      name: string;
      exposure: ExposureOptions;
      path: string;
      problem: RegExp;
      tls?: object;
    }[] = [
      {
        name: "unknown service type",
        exposure: { serviceType: "Loadbalancer" as never },
        path: "exposure.serviceType",
        problem: /"Loadbalancer" is not supported \(did you mean "LoadBalancer"\?\)/,
      },
      {
        name: "CIDR with a /33 prefix",
        exposure: { serviceType: "LoadBalancer", loadBalancerSourceRanges: ["10.0.0.0/33"] },
        path: "exposure.loadBalancerSourceRanges[0]",
        problem: /"10\.0\.0\.0\/33" is not a CIDR block; expected an IPv4 CIDR block/,
      },
      {
        name: "CIDR with an octet over 255",
        exposure: {
          serviceType: "LoadBalancer",
          loadBalancerSourceRanges: ["203.0.113.0/24", "300.1.1.0/24"],
        },
        path: "exposure.loadBalancerSourceRanges[1]",
        problem: /is not a CIDR block/,
      },
      {
        name: "a bare address",
        exposure: { serviceType: "LoadBalancer", loadBalancerSourceRanges: ["203.0.113.7"] },
        path: "exposure.loadBalancerSourceRanges[0]",
        problem: /is not a CIDR block/,
      },
      {
        name: "source ranges without a load balancer",
        exposure: { loadBalancerSourceRanges: ["203.0.113.0/24"] },
        path: "exposure.loadBalancerSourceRanges",
        problem: /only applies to serviceType "LoadBalancer" \(is "NodePort"\)/,
      },
      {
        name: "upper-case host",
        exposure: {
          ingress: { enabled: true, host: "Platform.Example.com", desktopOnlineHost: "ui.example.com" },
        },
        path: "exposure.ingress.host",
        problem: /"Platform\.Example\.com" is not a valid host name/,
      },
      {
        name: "host with a label over 63 characters (RFC 1123)",
        exposure: { domain: `${"a".repeat(64)}.example.com` },
        path: "exposure.domain",
        problem: /is not a valid host name/,
      },
      {
        name: "a URL as the Desktop Online host",
        exposure: {
          ingress: { enabled: true, host: "p.example.com", desktopOnlineHost: "https://ui.example.com" },
        },
        path: "exposure.ingress.desktopOnlineHost",
        problem: /is not a valid host name/,
      },
      {
        name: "ingress without hosts or domain",
        exposure: { ingress: { enabled: true } },
        path: "exposure.ingress.host",
        problem: /is required when exposure\.domain is not set/,
      },
      {
        name: "ingress TLS without a certificate",
        exposure: { domain: "uepe.example.com", ingress: { enabled: true, tls: true } },
        tls: { mode: "disabled" },
        path: "exposure.ingress.tls",
        problem: /needs a certificate but tls\.mode is "disabled"/,
      },
      {
        name: "invalid annotation key",
        exposure: { serviceAnnotations: { "bad key!": "x" } },
        path: "exposure.serviceAnnotations.bad key!",
        problem: /is not a valid annotation key/,
      },
      {
        name: "ingress-nginx installed by the installation",
        exposure: { installIngressNginx: true } as never,
        path: "exposure.installIngressNginx",
        problem:
          /is no longer an argument of the installation: cluster-wide add-ons are installed once per cluster by ClusterAddons; expected ClusterAddons ingressNginx\.enabled/,
      },
      {
        name: "ingress-nginx chart options on the installation",
        exposure: { ingressNginx: { version: "4.15.1" } } as never,
        path: "exposure.ingressNginx",
        problem:
          /installed once per cluster by ClusterAddons; expected ClusterAddons ingressNginx on a ClusterAddons/,
      },
      {
        name: "external-dns installed by the installation",
        exposure: { externalDns: { hostedZoneId: ZONE } } as never,
        path: "exposure.externalDns",
        problem: /expected ClusterAddons externalDns \(and domain\)/,
      },
      {
        name: "malformed ingress controller Service name",
        exposure: { ingressControllerServiceName: "Ingress_Nginx" },
        path: "exposure.ingressControllerServiceName",
        problem: /"Ingress_Nginx" is not a valid name/,
      },
      {
        name: "unknown key",
        exposure: { loadBalancerSourceRange: ["203.0.113.0/24"] } as never,
        path: "exposure.loadBalancerSourceRange",
        problem: /is not a known argument \(did you mean "loadBalancerSourceRanges"\?\)/,
      },
    ];

    for (const c of cases)
      it(`${c.name}: ${c.path}`, async () => {
        assert.throws(
          () =>
            new UsageEngineStack(
              "uepe",
              defaultArgs({ exposure: c.exposure, ...(c.tls ? { tls: c.tls } : {}) }),
            ),
          (err: unknown) => {
            assert.ok(err instanceof ArgumentError);
            const line = err.message.split("\n").find((l) => l.startsWith(`  - ${c.path}: `));
            assert.ok(line, `no problem reported for ${c.path} in:\n${err.message}`);
            assert.match(line, c.problem);
            return true;
          },
        );
        await settle();
        assert.equal(recorded.length, 0);
      });

    it("the Exposure part alone rejects the same input", async () => {
      assert.throws(
        () => new Exposure("edge", { exposure: { loadBalancerSourceRanges: ["10.0.0.0/8"] } }),
        /exposure\.loadBalancerSourceRanges: only applies to serviceType "LoadBalancer"/,
      );
      await settle();
      assert.equal(recorded.length, 0);
    });
  });
});
