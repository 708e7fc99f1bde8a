import type { UsageEngineStackArgs } from "../sdk";
import { defaultArgs } from "./fixtures";

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
        networking: { domain: "uepe.example.com", ingress: { enabled: true, className: "nginx" } },
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
        networking: { domain: "uepe.example.com", serviceType: "LoadBalancer" },
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
];
