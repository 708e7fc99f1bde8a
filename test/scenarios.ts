import * as pulumi from "@pulumi/pulumi";
import type { ClusterAddonsArgs, UsageEngineStackArgs } from "../sdk";
import { defaultArgs, KEYSTORE_PASSWORDS } from "./fixtures";

/** Syntactically valid certificate material (the package checks the form, never the content). */
const PEM_KEY = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n";
const PEM_CERTIFICATE =
  "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkq\n-----END CERTIFICATE-----\n";
const KEYSTORE = Buffer.from("keystore-bytes").toString("base64");

/** A stack configuration the proof suites (schema, policy, churn) evaluate. */
export interface Scenario {
  title: string;
  args: () => UsageEngineStackArgs;
}

/** The quickstart stack. */
export const DEFAULT: Scenario = { title: "default", args: () => defaultArgs() };

/** The production sizing profile (Multi-AZ RDS, larger storage and retention). */
export const PROD: Scenario = {
  title: "prod profile",
  args: () => defaultArgs({ database: { profile: "prod" } }),
};

/**
 * Configurations that between them reach every part and mode the package has: each creates a
 * different set of objects, so schema and churn checks see all of them.
 */
export const SCENARIOS: Scenario[] = [
  DEFAULT,
  PROD,
  {
    title: "external database, existing claim, namespace not created, backups off",
    args: () =>
      defaultArgs({
        network: undefined,
        createNamespace: false,
        namespace: "platform",
        storage: { mode: "existingClaim", existingClaim: "uepe-shared" },
        database: {
          mode: "external",
          external: {
            type: "oracle",
            host: "oracle.internal.example.com",
            adminPassword: pulumi.secret("Oracle-Admin-Pass-3c4d"),
          },
        },
        backup: { enabled: false },
      }),
  },
  {
    title: "ACME namespaced Issuer behind an ingress, cold backup window",
    args: () =>
      defaultArgs({
        tls: { issuer: { type: "acme", kind: "Issuer", acmeEmail: "ops@example.com" } },
        exposure: { domain: "uepe.example.com", ingress: { enabled: true, className: "nginx" } },
        // The database at 21:00, the file system 240 minutes later at 01:00, done by 05:00.
        backup: {
          schedule: "cron(0 21 * * ? *)",
          coldBackupWindow: { from: "0 1 * * *", until: "0 7 * * *" },
        },
      }),
  },
  {
    title: "ACME DNS-01 through Route 53, LoadBalancer service",
    args: () =>
      defaultArgs({
        tls: {
          issuer: {
            type: "acme",
            acmeEmail: "ops@example.com",
            route53HostedZoneId: "Z0123456789ABCDEFGHIJ",
          },
        },
        exposure: {
          domain: "uepe.example.com",
          serviceType: "LoadBalancer",
          serviceAnnotations: { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal" },
        },
      }),
  },
  {
    title: "TLS from an existing Secret, mirror registry, no storage, the user's KMS keys",
    args: () =>
      defaultArgs({
        tls: { mode: "secret", existingSecretName: "uepe-tls" },
        credentials: { passwords: KEYSTORE_PASSWORDS },
        storage: { mode: "none" },
        database: {
          kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0",
        },
        backup: { kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/9f8e7d6c-5b4a-3928-1706-f5e4d3c2b1a0" },
        registry: { source: "mirror", repository: "registry.example.com/uepe/usage-engine-private-edition" },
      }),
  },
  {
    title: "TLS disabled",
    args: () => defaultArgs({ tls: { mode: "disabled" } }),
  },
  {
    title: "behind a cluster's ingress controller, TLS and JWT material given, upgrade steps under IRSA",
    args: () =>
      defaultArgs({
        exposure: {
          domain: "uepe.example.com",
          ingressControllerServiceName: "ingress-nginx-controller",
          ingress: { enabled: true, className: "nginx" },
        },
        tls: { mode: "secret", secret: { keystoreJks: KEYSTORE, tlsKey: PEM_KEY, tlsCrt: PEM_CERTIFICATE } },
        credentials: { passwords: KEYSTORE_PASSWORDS },
        authorizationServer: {
          jwt: { keystore: KEYSTORE, keyPassword: "jwt-key-Pw-1", keystorePassword: "jwt-ks-Pw-2" },
        },
        upgrade: {
          fromVersion: "4.1.0",
          snapshotDatabase: true,
          identity: {
            mode: "irsa",
            oidcProviderArn:
              "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE",
          },
        },
      }),
  },
  {
    title:
      "Route 53 DNS-01 with EKS Pod Identity, EFS CSI driver add-on, backup copy to another account and region, upgrade steps under Pod Identity",
    args: () =>
      defaultArgs({
        tls: {
          issuer: {
            type: "acme",
            acmeEmail: "ops@example.com",
            route53HostedZoneId: "Z0123456789ABCDEFGHIJ",
            route53Identity: { mode: "podIdentity", clusterName: "uepe-cluster" },
          },
        },
        exposure: { domain: "uepe.example.com" },
        storage: { iamMount: true },
        backup: { copyToVaultArn: "arn:aws:backup:eu-central-1:210987654321:backup-vault:uepe-copy" },
        upgrade: { fromVersion: "4.1.0", identity: { mode: "podIdentity", clusterName: "uepe-cluster" } },
      }),
  },
];

const OIDC =
  "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE";

/** A ClusterAddons configuration the proof suites (schema, policy) evaluate. */
export interface AddonsScenario {
  title: string;
  args: () => ClusterAddonsArgs;
}

/** ClusterAddons from its defaults to every add-on, under each identity mode. */
export const ADDONS_SCENARIOS: AddonsScenario[] = [
  { title: "cluster add-ons: defaults", args: () => ({}) },
  {
    title: "cluster add-ons: everything under IRSA, DNS-01 ClusterIssuer, internal ingress-nginx",
    args: () => ({
      cluster: { oidcProviderArn: OIDC },
      domain: "uepe.example.com",
      certManager: { issuerAmbientCredentials: true },
      issuer: { type: "acme", acmeEmail: "ops@example.com", route53HostedZoneId: "Z0123456789ABCDEFGHIJ" },
      ingressNginx: { enabled: true, internal: true },
      externalDns: { hostedZoneId: "Z0123456789ABCDEFGHIJ", namespaces: ["uepe-test", "uepe-staging"] },
      efsCsiDriver: { enabled: true },
      tags: { team: "billing" },
    }),
  },
  {
    title: "cluster add-ons: Pod Identity, HTTP-01 through ingress-nginx limited by source ranges",
    args: () => ({
      cluster: { name: "uepe-cluster" },
      domain: "uepe.example.com",
      issuer: { type: "acme", acmeEmail: "ops@example.com" },
      ingressNginx: { enabled: true, loadBalancerSourceRanges: ["203.0.113.0/24"] },
      externalDns: { hostedZoneId: "Z0123456789ABCDEFGHIJ" },
      efsCsiDriver: { enabled: true },
    }),
  },
];
