import type { UsageEngineStackArgs } from "../sdk";
import { defaultArgs } from "./fixtures";

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
        database: { mode: "external", external: { type: "oracle", host: "oracle.internal.example.com" } },
        backup: { enabled: false },
      }),
  },
  {
    title: "ACME namespaced Issuer behind an ingress, cold backup window",
    args: () =>
      defaultArgs({
        tls: { issuer: { type: "acme", kind: "Issuer", acmeEmail: "ops@example.com" } },
        exposure: { domain: "uepe.example.com", ingress: { enabled: true, className: "nginx" } },
        backup: {
          schedule: "cron(0 1 * * ? *)",
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
        exposure: { domain: "uepe.example.com", serviceType: "LoadBalancer" },
      }),
  },
  {
    title: "TLS from an existing Secret, mirror registry, no storage",
    args: () =>
      defaultArgs({
        tls: { mode: "secret", existingSecretName: "uepe-tls" },
        storage: { mode: "none" },
        registry: { source: "mirror", repository: "registry.example.com/uepe/usage-engine-private-edition" },
      }),
  },
  {
    title: "TLS disabled, cert-manager not installed",
    args: () => defaultArgs({ tls: { mode: "disabled", installCertManager: false } }),
  },
  {
    title: "ingress-nginx and external-dns (IRSA), TLS and JWT material given, upgrade steps under IRSA",
    args: () =>
      defaultArgs({
        exposure: {
          domain: "uepe.example.com",
          installIngressNginx: true,
          ingress: { enabled: true, className: "nginx" },
          externalDns: {
            hostedZoneId: "Z0123456789ABCDEFGHIJ",
            identity: {
              mode: "irsa",
              oidcProviderArn:
                "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE",
            },
          },
        },
        tls: { mode: "secret", secret: { keystoreJks: KEYSTORE, tlsKey: PEM_KEY, tlsCrt: PEM_CERTIFICATE } },
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
      "Route 53 DNS-01 with EKS Pod Identity, EFS CSI driver add-on, backup copy to a second region, upgrade steps under Pod Identity",
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
        storage: { installCsiDriver: true, clusterName: "uepe-cluster" },
        backup: { copyToVaultArn: "arn:aws:backup:eu-central-1:123456789012:backup-vault:uepe-copy" },
        upgrade: { fromVersion: "4.1.0", identity: { mode: "podIdentity", clusterName: "uepe-cluster" } },
      }),
  },
];
