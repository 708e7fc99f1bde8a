/**
 * The parts stand alone: Kaa's ECR chart (another vendor, another registry) wants a license
 * Secret, an image pull secret for KaaIoT's registry and a Keycloak backend Secret before its
 * release. RegistryAccess makes the pull secret; the two other Secrets are plain Kubernetes
 * objects whose values stay Pulumi secrets. Nothing of Usage Engine is installed.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { RegistryAccess } from "pulumi-usage-engine";

const config = new pulumi.Config();
const cluster = new k8s.Provider("cluster", { kubeconfig: config.requireSecret("kubeconfig") });
const onCluster = { provider: cluster };

const namespace = new k8s.core.v1.Namespace("kaa", { metadata: { name: "kaa" } }, onCluster).metadata.name;

// KaaID credentials for dev-hub.kaaiot.net, as a docker-registry pull secret named `kaaid`.
const registry = new RegistryAccess(
  "kaa-registry",
  {
    namespace,
    registry: {
      source: "mirror",
      repository: "dev-hub.kaaiot.net/core/service/ecr",
      server: "dev-hub.kaaiot.net",
      username: config.requireSecret("kaaidEmail"),
      password: config.requireSecret("kaaidPassword"),
      pullSecretName: "kaaid",
    },
  },
  { providers: { kubernetes: cluster } },
);

// The license: the PKCS #12 file (`pulumi config set --secret licenseFile "$(base64 -w0 kaa.p12)"`)
// and its password.
const license = new k8s.core.v1.Secret(
  "kaa-license",
  {
    metadata: { name: "license", namespace },
    type: "Opaque",
    data: { file: config.requireSecret("licenseFile") },
    stringData: { password: config.requireSecret("licensePassword") },
  },
  onCluster,
);

// The Keycloak client ECR requests tokens with (API security on).
const keycloak = new k8s.core.v1.Secret(
  "kaa-keycloak-backend",
  {
    metadata: { name: "keycloak-backend", namespace },
    type: "Opaque",
    stringData: {
      "client-id": config.require("keycloakClientId"),
      "client-secret": config.requireSecret("keycloakClientSecret"),
    },
  },
  onCluster,
);

const ecr = new k8s.helm.v3.Release(
  "kaa-ecr",
  {
    name: "kaa-ecr",
    namespace,
    chart: "ecr",
    version: config.require("ecrChartVersion"),
    repositoryOpts: { repo: "https://museum.kaaiot.net/" },
    values: {
      global: {
        license: { secretName: license.metadata.name },
        image: { pullSecrets: [{ name: registry.pullSecretName }] },
        keycloak: { backend: { existingSecret: keycloak.metadata.name } },
      },
    },
    atomic: true,
  },
  onCluster,
);

export const releaseStatus = ecr.status.status;
