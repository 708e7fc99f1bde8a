import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { BackupPlan, RegistryAccess, SharedStorage, SystemDatabase, Tls, UsageEngineStack } from "../sdk";
import { awsCronWithinWindow } from "../sdk/cron";
import { ArgumentError, isSecretPath } from "../sdk/validation";
import { ACCESS_KEY_ID, defaultArgs, LICENSE, NETWORK, SECRET_ACCESS_KEY } from "./fixtures";
import { recorded, resetMocks, settle } from "./harness";

/** A password-shaped string planted in bad input: it must never come back in an error message. */
const PLANTED = "Planted-Secret-9f8e7d6c";

type Patch = Record<string, unknown>;

function isPlainObject(value: unknown): value is Patch {
  return typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** Deep-merges a patch into the default arguments: objects merge, anything else replaces. */
function patched(patch: Patch, base: Patch = defaultArgs() as unknown as Patch): Patch {
  const out: Patch = { ...base };
  for (const [key, value] of Object.entries(patch))
    out[key] = isPlainObject(value) && isPlainObject(out[key]) ? patched(value, out[key] as Patch) : value;
  return out;
}

const escapeRe = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** One bad input: what the user wrote, the argument path the error must name, and the problem. */
interface BadInput {
  patch: Patch;
  path: string;
  /** Regular expression source for the problem text after `path: `. */
  problem: string;
}

const external = (fields: Patch): Patch => ({
  database: { mode: "external", external: { type: "postgresql", host: "db.example.com", ...fields } },
});
const longLabel = (n: number) => "a".repeat(n);

const CASES: BadInput[] = [
  // top level
  { patch: { version: undefined }, path: "version", problem: "is required" },
  {
    patch: { version: "4.2" },
    path: "version",
    problem: '"4\\.2" is not a plain MAJOR\\.MINOR\\.PATCH version',
  },
  { patch: { version: 42 }, path: "version", problem: "42 is not a string" },
  { patch: { licenseKey: undefined }, path: "licenseKey", problem: "is required" },
  {
    patch: { licenseKey: 12345 },
    path: "licenseKey",
    problem: "the given value \\(hidden\\) is not a string",
  },
  { patch: { namespace: "UEPE_ns" }, path: "namespace", problem: '"UEPE_ns" is not a valid name' },
  {
    patch: { namespace: longLabel(64) },
    path: "namespace",
    problem: '"a{64}" is not a valid name.*at most 63',
  },
  {
    patch: { releaseName: longLabel(54) },
    path: "releaseName",
    problem: '"a{54}" is not a valid name.*at most 53',
  },
  { patch: { releaseName: "-uepe" }, path: "releaseName", problem: '"-uepe" is not a valid name' },
  { patch: { createNamespace: "yes" }, path: "createNamespace", problem: '"yes" is not a boolean' },
  { patch: { protectData: "no" }, path: "protectData", problem: '"no" is not a boolean' },
  {
    patch: { verison: "4.2.0" },
    path: "verison",
    problem: 'is not a known argument \\(did you mean "version"\\?\\)',
  },
  { patch: { tag: {} }, path: "tag", problem: 'is not a known argument \\(did you mean "tags"\\?\\)' },
  { patch: { values: [] }, path: "values", problem: "is not an object" },
  { patch: { values: "persistence.enabled=true" }, path: "values", problem: "is not an object" },
  // network
  { patch: { network: undefined }, path: "network", problem: "is required" },
  {
    patch: { network: { vpcId: "vpc-xyz" } },
    path: "network.vpcId",
    problem: '"vpc-xyz" is not valid; expected a VPC id',
  },
  { patch: { network: { vpcId: undefined } }, path: "network.vpcId", problem: "is required" },
  {
    patch: { network: { subnetIds: [NETWORK.subnetIds[0]] } },
    path: "network.subnetIds",
    problem: "has 1 item\\(s\\); expected at least 2",
  },
  {
    patch: { network: { subnetIds: "subnet-0aa11bb22cc33dd44" } },
    path: "network.subnetIds",
    problem: '"subnet-0aa11bb22cc33dd44" is not a list; expected a list',
  },
  {
    patch: { network: { subnetIds: [NETWORK.subnetIds[0], "sub-1"] } },
    path: "network.subnetIds[1]",
    problem: '"sub-1" is not valid; expected a subnet id',
  },
  {
    patch: { network: { subnetIds: [NETWORK.subnetIds[0], NETWORK.subnetIds[0]] } },
    path: "network.subnetIds[1]",
    problem: '"subnet-0aa11bb22cc33dd44" is listed twice; expected distinct items',
  },
  {
    patch: { network: { allowedSecurityGroupIds: [] } },
    path: "network.allowedSecurityGroupIds",
    problem: "has 0 item\\(s\\); expected at least 1",
  },
  {
    patch: { network: { allowedSecurityGroupIds: ["sg-XYZ"] } },
    path: "network.allowedSecurityGroupIds[0]",
    problem: '"sg-XYZ" is not valid; expected a security group id',
  },
  {
    patch: { network: { subnets: [] } },
    path: "network.subnets",
    problem: 'is not a known argument \\(did you mean "subnetIds"\\?\\)',
  },
  {
    patch: { ...external({}), network: { subnetIds: [] } },
    path: "network.subnetIds",
    problem: "has 0 item\\(s\\); expected at least 1",
  },
  // database
  { patch: { database: { mode: "aurora" } }, path: "database.mode", problem: '"aurora" is not supported' },
  {
    patch: { database: { profile: "production" } },
    path: "database.profile",
    problem: '"production" is not supported; expected one of "dev", "prod"',
  },
  {
    patch: { database: { instanceClass: "m5.large" } },
    path: "database.instanceClass",
    problem: '"m5\\.large" is not valid; expected an RDS instance class',
  },
  {
    patch: { database: { engineVersion: "sixteen" } },
    path: "database.engineVersion",
    problem: '"sixteen" is not valid; expected a PostgreSQL version',
  },
  {
    patch: { database: { allocatedStorage: 10 } },
    path: "database.allocatedStorage",
    problem: "10 is out of range; expected a whole number from 20 to 65536 GiB",
  },
  {
    patch: { database: { allocatedStorage: 20.5 } },
    path: "database.allocatedStorage",
    problem: "20\\.5 is out of range",
  },
  {
    patch: { database: { allocatedStorage: 100, maxAllocatedStorage: 50 } },
    path: "database.maxAllocatedStorage",
    problem: "50 is below allocatedStorage \\(100\\)",
  },
  {
    patch: { database: { backupRetentionDays: 3 } },
    path: "database.backupRetentionDays",
    problem: "3 is out of range; expected a whole number from 7 to 35 days",
  },
  {
    patch: { database: { backupRetentionDays: 40 } },
    path: "database.backupRetentionDays",
    problem: "40 is out of range",
  },
  { patch: { database: { multiAz: "true" } }, path: "database.multiAz", problem: '"true" is not a boolean' },
  {
    patch: { database: { deletionProtection: 1 } },
    path: "database.deletionProtection",
    problem: "1 is not a boolean",
  },
  {
    patch: { database: { createSystemDatabase: "no" } },
    path: "database.createSystemDatabase",
    problem: '"no" is not a boolean',
  },
  {
    patch: { database: { kmsKeyArn: "arn:aws:s3:::bucket" } },
    path: "database.kmsKeyArn",
    problem: '"arn:aws:s3:::bucket" is not a valid KMS ARN',
  },
  {
    patch: { database: { kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:alias/uepe" } },
    path: "database.kmsKeyArn",
    problem:
      '"arn:aws:kms:eu-west-1:123456789012:alias/uepe" is not a valid KMS ARN; expected an ARN such as arn:aws:kms:',
  },
  {
    patch: { database: { snapshotIdentifier: "1snap" } },
    path: "database.snapshotIdentifier",
    problem: '"1snap" is not valid; expected a DB snapshot identifier',
  },
  {
    patch: { database: { snapshotIdentifier: "snap--double" } },
    path: "database.snapshotIdentifier",
    problem: '"snap--double" is not valid',
  },
  {
    patch: { database: { external: { type: "postgresql", host: "db.example.com" } } },
    path: "database.external",
    problem: "is only used with database\\.mode external",
  },
  { patch: { database: { mode: "external" } }, path: "database.external", problem: "is required" },
  {
    patch: external({ type: "mysql" }),
    path: "database.external.type",
    problem: '"mysql" is not supported; expected one of "postgresql", "oracle", "saphana"',
  },
  { patch: external({ host: undefined }), path: "database.external.host", problem: "is required" },
  {
    patch: external({ port: 70000 }),
    path: "database.external.port",
    problem: "70000 is out of range; expected a whole number from 1 to 65535",
  },
  { patch: external({ name: "my-db" }), path: "database.external.name", problem: '"my-db" is not valid' },
  {
    patch: external({ adminUser: "1admin" }),
    path: "database.external.adminUser",
    problem: '"1admin" is not valid; expected a database user name',
  },
  {
    patch: external({ adminPassword: "" }),
    path: "database.external.adminPassword",
    problem: "is not a non-empty string \\(value hidden\\)",
  },
  {
    patch: external({ hots: "db.example.com" }),
    path: "database.external.hots",
    problem: 'is not a known argument \\(did you mean "host"\\?\\)',
  },
  {
    patch: { database: { multiAZ: true } },
    path: "database.multiAZ",
    problem: 'is not a known argument \\(did you mean "multiAz"\\?\\)',
  },
  // storage
  { patch: { storage: { mode: "ebs" } }, path: "storage.mode", problem: '"ebs" is not supported' },
  { patch: { storage: { mode: "existingClaim" } }, path: "storage.existingClaim", problem: "is required" },
  {
    patch: { storage: { mode: "existingClaim", existingClaim: "My_Claim" } },
    path: "storage.existingClaim",
    problem: '"My_Claim" is not a valid name',
  },
  {
    patch: { storage: { existingClaim: "shared" } },
    path: "storage.existingClaim",
    problem: "is only used with storage\\.mode existingClaim",
  },
  {
    patch: { storage: { accessPointPath: "uepe" } },
    path: "storage.accessPointPath",
    problem: '"uepe" is not valid; expected an absolute path',
  },
  { patch: { storage: { uid: -1 } }, path: "storage.uid", problem: "-1 is out of range" },
  { patch: { storage: { gid: 1.5 } }, path: "storage.gid", problem: "1\\.5 is out of range" },
  {
    patch: { storage: { size: "100GB" } },
    path: "storage.size",
    problem: '"100GB" is not valid; expected a Kubernetes quantity',
  },
  {
    patch: { storage: { throughputMode: "Elastic" } },
    path: "storage.throughputMode",
    problem: '"Elastic" is not supported \\(did you mean "elastic"\\?\\)',
  },
  {
    patch: { storage: { kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:alias/efs" } },
    path: "storage.kmsKeyArn",
    problem: '"arn:aws:kms:eu-west-1:123456789012:alias/efs" is not a valid KMS ARN',
  },
  {
    patch: { storage: { accesPointPath: "/uepe" } },
    path: "storage.accesPointPath",
    problem: 'is not a known argument \\(did you mean "accessPointPath"\\?\\)',
  },
  // backup
  { patch: { backup: { enabled: "yes" } }, path: "backup.enabled", problem: '"yes" is not a boolean' },
  { patch: { backup: { vaultName: "a" } }, path: "backup.vaultName", problem: '"a" is not valid' },
  {
    patch: { backup: { vaultName: "my vault" } },
    path: "backup.vaultName",
    problem: "\"my vault\" is not valid; expected 2-50 letters, digits, '-' or '_'",
  },
  {
    patch: { backup: { schedule: "0 3 * * *" } },
    path: "backup.schedule",
    problem: '"0 3 \\* \\* \\*" is not a valid AWS cron expression',
  },
  {
    patch: { backup: { schedule: "cron(0 3 * * * *)" } },
    path: "backup.schedule",
    problem: '"cron\\(0 3 \\* \\* \\* \\*\\)" is not a valid AWS cron expression',
  },
  {
    patch: { backup: { schedule: "cron(0 25 * * ? *)" } },
    path: "backup.schedule",
    problem: '"cron\\(0 25 \\* \\* \\? \\*\\)" is not a valid AWS cron expression',
  },
  { patch: { backup: { retentionDays: 0 } }, path: "backup.retentionDays", problem: "0 is out of range" },
  {
    patch: { backup: { kmsKeyArn: "not-an-arn" } },
    path: "backup.kmsKeyArn",
    problem: '"not-an-arn" is not a valid KMS ARN',
  },
  {
    patch: { backup: { coldBackupWindow: { until: "0 4 * * *" } } },
    path: "backup.coldBackupWindow.from",
    problem: "is required",
  },
  {
    patch: { backup: { coldBackupWindow: { from: "0 2 * * *", until: "every night" } } },
    path: "backup.coldBackupWindow.until",
    problem: '"every night" is not a valid cron schedule',
  },
  {
    patch: { backup: { coldBackupWindow: { from: "0 2 * *", until: "0 4 * * *" } } },
    path: "backup.coldBackupWindow.from",
    problem: '"0 2 \\* \\*" is not a valid cron schedule; expected a five-field cron expression',
  },
  {
    patch: { backup: { coldBackupWindow: { from: "0 2 * * *", until: "0 4 * * *", to: "0 5 * * *" } } },
    path: "backup.coldBackupWindow.to",
    problem: "is not a known argument",
  },
  {
    patch: {
      backup: { schedule: "cron(0 6 * * ? *)", coldBackupWindow: { from: "0 2 * * *", until: "0 5 * * *" } },
    },
    path: "backup.schedule",
    problem:
      'the file-system backup it implies, "cron\\(0 10 \\* \\* \\? \\*\\)" \\(240 min later\\), does not start and finish \\(240 min\\) inside the window from "0 2 \\* \\* \\*" until "0 5 \\* \\* \\*"',
  },
  {
    patch: {
      backup: {
        fileSystemSchedule: "cron(0 6 * * ? *)",
        coldBackupWindow: { from: "0 2 * * *", until: "0 5 * * *" },
      },
    },
    path: "backup.fileSystemSchedule",
    problem: '"cron\\(0 6 \\* \\* \\? \\*\\)" starts 180 minutes after a run of backup.schedule',
  },
  {
    patch: { backup: { fileSystemSchedule: 7 } },
    path: "backup.fileSystemSchedule",
    problem: "7 is not a string",
  },
  {
    patch: { backup: { fileSystemSchedule: "cron(0 7 * * * *)" } },
    path: "backup.fileSystemSchedule",
    problem: '"cron\\(0 7 \\* \\* \\* \\*\\)" is not a valid AWS cron expression',
  },
  // tls
  { patch: { tls: { mode: "letsencrypt" } }, path: "tls.mode", problem: '"letsencrypt" is not supported' },
  {
    patch: { tls: { installCertManager: "true" } },
    path: "tls.installCertManager",
    problem:
      "is no longer an argument of the installation: cluster-wide add-ons are installed once per cluster by ClusterAddons; expected ClusterAddons certManager\\.enabled",
  },
  {
    patch: { tls: { certManagerVersion: "1.19.1" } },
    path: "tls.certManagerVersion",
    problem:
      "is no longer an argument of the installation: cluster-wide add-ons are installed once per cluster by ClusterAddons; expected ClusterAddons certManager\\.version",
  },
  {
    patch: { tls: { issuer: { type: "existing", name: "corp-ca", kind: "CA" } } },
    path: "tls.issuer.kind",
    problem: '"CA" is not supported',
  },
  {
    patch: {
      tls: {
        issuer: {
          type: "acme",
          kind: "Issuer",
          acmeEmail: "ops@example.com",
          route53HostedZoneId: "Z0123456789ABCDEFGHIJ",
        },
      },
    },
    path: "tls.issuer.kind",
    problem:
      'is "Issuer" with route53Dns01: cert-manager gives a namespaced Issuer no ambient AWS credentials',
  },
  {
    patch: { tls: { issuer: { type: "selfsigned" } } },
    path: "tls.issuer.type",
    problem: '"selfsigned" is not supported \\(did you mean "selfSigned"\\?\\)',
  },
  {
    patch: { tls: { issuer: { kind: "clusterissuer" } } },
    path: "tls.issuer.kind",
    problem: '"clusterissuer" is not supported \\(did you mean "ClusterIssuer"\\?\\)',
  },
  {
    patch: { tls: { issuer: { name: "My Issuer" } } },
    path: "tls.issuer.name",
    problem: '"My Issuer" is not a valid name',
  },
  { patch: { tls: { issuer: { type: "existing" } } }, path: "tls.issuer.name", problem: "is required" },
  { patch: { tls: { mode: "secret" } }, path: "tls.existingSecretName", problem: "is required" },
  {
    patch: { tls: { mode: "secret", existingSecretName: "TLS_secret" } },
    path: "tls.existingSecretName",
    problem: '"TLS_secret" is not a valid name',
  },
  {
    patch: { tls: { issuers: {} } },
    path: "tls.issuers",
    problem: 'is not a known argument \\(did you mean "issuer"\\?\\)',
  },
  {
    patch: { tls: { issuer: { email: "ops@example.com" } } },
    path: "tls.issuer.email",
    problem: "is not a known argument",
  },
  // registry
  { patch: { registry: { source: "ecr" } }, path: "registry.source", problem: '"ecr" is not supported' },
  { patch: { registry: { accessKeyId: undefined } }, path: "registry.accessKeyId", problem: "is required" },
  {
    patch: { registry: { secretAccessKey: undefined } },
    path: "registry.secretAccessKey",
    problem: "is required",
  },
  {
    patch: { registry: { region: "EU-WEST-1" } },
    path: "registry.region",
    problem: '"EU-WEST-1" is not valid; expected an AWS region',
  },
  {
    patch: { registry: { pullSecretName: "Ecr_Cred" } },
    path: "registry.pullSecretName",
    problem: '"Ecr_Cred" is not a valid name',
  },
  { patch: { registry: { source: "mirror" } }, path: "registry.repository", problem: "is required" },
  {
    patch: { registry: { regoin: "eu-west-1" } },
    path: "registry.regoin",
    problem: 'is not a known argument \\(did you mean "region"\\?\\)',
  },
  // credentials
  {
    patch: { credentials: { jdbcUser: "mz-owner" } },
    path: "credentials.jdbcUser",
    problem: '"mz-owner" is not valid; expected a database user name',
  },
  {
    patch: { credentials: { passwords: { jdbc: `${PLANTED}/x` } } },
    path: "credentials.passwords.jdbc",
    problem: "contains '/', ''', '\"', '@' or a space, which RDS refuses \\(value hidden\\)",
  },
  {
    patch: { credentials: { passwords: { operator: `${PLANTED} x` } } },
    path: "credentials.passwords.operator",
    problem: "contains '/', ''', '\"', '@' or a space, which RDS refuses",
  },
  {
    patch: { credentials: { passwords: { admin: "" } } },
    path: "credentials.passwords.admin",
    problem: "is shorter than 8 characters \\(value hidden\\)",
  },
  {
    patch: { credentials: { passwords: { admni: PLANTED } } },
    path: "credentials.passwords.admni",
    problem: 'is not a known argument \\(did you mean "admin"\\?\\)',
  },
  {
    patch: { credentials: { passwords: PLANTED } },
    path: "credentials.passwords",
    problem: "the given value \\(hidden\\) is not an object",
  },
  {
    patch: { credentials: { password: {} } },
    path: "credentials.password",
    problem: 'is not a known argument \\(did you mean "passwords"\\?\\)',
  },
  // exposure
  {
    patch: { exposure: { serviceType: "Nodeport" } },
    path: "exposure.serviceType",
    problem: '"Nodeport" is not supported \\(did you mean "NodePort"\\?\\)',
  },
  {
    patch: { exposure: { domain: "Example.com" } },
    path: "exposure.domain",
    problem: '"Example\\.com" is not a valid host name',
  },
  {
    patch: { exposure: { domain: "localhost" } },
    path: "exposure.domain",
    problem: '"localhost" is not a valid host name',
  },
  {
    patch: { exposure: { ingress: { enabled: "true" } } },
    path: "exposure.ingress.enabled",
    problem: '"true" is not a boolean',
  },
  {
    patch: { exposure: { ingress: { className: "Nginx_Class" } } },
    path: "exposure.ingress.className",
    problem: '"Nginx_Class" is not a valid name',
  },
  {
    patch: { exposure: { ingress: { host: "http://uepe.example.com" } } },
    path: "exposure.ingress.host",
    problem: '"http://uepe\\.example\\.com" is not a valid host name',
  },
  {
    patch: { exposure: { ingres: {} } },
    path: "exposure.ingres",
    problem: 'is not a known argument \\(did you mean "ingress"\\?\\)',
  },
  // chart source
  {
    patch: { chart: { repository: "ftp://charts.example.com" } },
    path: "chart.repository",
    problem: '"ftp://charts\\.example\\.com" is not valid; expected an https:// or oci:// repository URL',
  },
  {
    patch: { chart: { repository: "http://charts.example.com/uepe" } },
    path: "chart.repository",
    problem:
      '"http://charts\\.example\\.com/uepe" is not valid; expected an https:// or oci:// repository URL',
  },
  // chart values that would undo a security argument
  {
    patch: { values: { licenseKey: "UEPE-LICENSE-in-plain-values" } },
    path: "values.licenseKey",
    problem: "would put the license in plain chart values; expected the licenseKey argument",
  },
  {
    patch: { values: { platform: { tls: { enabled: false } } } },
    path: "values.platform.tls.enabled",
    problem: 'turns the platform\'s TLS off while tls.mode is "certManager"; expected tls.mode "disabled"',
  },
  {
    patch: {
      tls: { mode: "secret", existingSecretName: "uepe-tls" },
      values: { platform: { tls: { enabled: "false" } } },
    },
    path: "values.platform.tls.enabled",
    problem: 'turns the platform\'s TLS off while tls.mode is "secret"',
  },
  {
    patch: { values: { platform: { service: { type: "LoadBalancer" } } } },
    path: "values.platform.service.type",
    problem:
      'would make the platform a LoadBalancer past the exposure checks; expected exposure.serviceType "LoadBalancer" with exposure.loadBalancerSourceRanges',
  },
  {
    patch: { values: { platform: { service: { serviceType: "LoadBalancer", type: null } } } },
    path: "values.platform.service.serviceType",
    problem: "would make the platform a LoadBalancer past the exposure checks",
  },
  { patch: { chart: { name: "UEPE" } }, path: "chart.name", problem: '"UEPE" is not a valid name' },
  {
    patch: { chart: { version: "latest" } },
    path: "chart.version",
    problem: '"latest" is not a semantic version',
  },
  { patch: { chart: { repo: "https://x" } }, path: "chart.repo", problem: "is not a known argument" },
  // arguments of the deeper parts (registry refresher and mirror, exposure add-ons,
  // authorization server, upgrades, ACME, TLS material, Secret key names, database windows)
  {
    patch: { registry: { refreshSchedule: "every 8 hours" } },
    path: "registry.refreshSchedule",
    problem: '"every 8 hours" is not a valid cron schedule',
  },
  {
    patch: { registry: { refreshSchedule: "0 0 * * 0" } },
    path: "registry.refreshSchedule",
    problem: '"0 0 \\* \\* 0" leaves up to 168 hours between refreshes, but ECR tokens expire after 12',
  },
  {
    patch: { registry: { awsCliImage: "AWS CLI:latest" } },
    path: "registry.awsCliImage",
    problem: '"AWS CLI:latest" is not a valid image reference',
  },
  {
    patch: { registry: { kubectlImage: "registry.k8s.io/kubectl:" } },
    path: "registry.kubectlImage",
    problem: '"registry\\.k8s\\.io\\/kubectl:" is not a valid image reference',
  },
  {
    patch: { registry: { accessKeyId: "akia-lowercase-key-x" } },
    path: "registry.accessKeyId",
    problem: "is not shaped like an AWS access key id \\(value hidden\\)",
  },
  {
    patch: { registry: { source: "mirror", repository: "registry.example.com/uepe:4.2.0" } },
    path: "registry.repository",
    problem: '"registry\\.example\\.com\\/uepe:4\\.2\\.0" is not a valid image repository',
  },
  {
    patch: { registry: { source: "mirror", repository: "registry.example.com/uepe" } },
    path: "registry.secretAccessKey",
    problem: 'is only used when registry\\.source is "digitalroute"',
  },
  {
    patch: {
      registry: {
        source: "mirror",
        repository: "registry.example.com/uepe",
        server: "https://registry.example.com",
      },
    },
    path: "registry.server",
    problem: "is set without username and password",
  },
  {
    patch: {
      registry: {
        source: "mirror",
        repository: "registry.example.com/uepe",
        server: "registry.example.com",
        username: "robot",
      },
    },
    path: "registry.password",
    problem: "is required",
  },
  {
    patch: { exposure: { serviceType: "LoadBalancer", loadBalancerSourceRanges: ["10.0.0.0/33"] } },
    path: "exposure.loadBalancerSourceRanges[0]",
    problem: '"10\\.0\\.0\\.0\\/33" is not a CIDR block',
  },
  {
    patch: { exposure: { loadBalancerSourceRanges: ["203.0.113.0/24"] } },
    path: "exposure.loadBalancerSourceRanges",
    problem: 'only applies to serviceType "LoadBalancer" \\(is "NodePort"\\)',
  },
  {
    patch: { exposure: { serviceAnnotations: { "bad key!": "x" } } },
    path: "exposure.serviceAnnotations.bad key!",
    problem: "is not a valid annotation key",
  },
  {
    patch: { exposure: { ingress: { enabled: true, desktopOnlineHost: "Desktop" } } },
    path: "exposure.ingress.desktopOnlineHost",
    problem: '"Desktop" is not a valid host name',
  },
  {
    patch: { exposure: { ingress: { tls: "yes" } } },
    path: "exposure.ingress.tls",
    problem: '"yes" is not a boolean',
  },
  {
    patch: { exposure: { installIngressNginx: "true" } },
    path: "exposure.installIngressNginx",
    problem:
      "is no longer an argument of the installation: cluster-wide add-ons are installed once per cluster by ClusterAddons; expected ClusterAddons ingressNginx\\.enabled",
  },
  {
    patch: { exposure: { ingressNginx: { version: "4.15.1" } } },
    path: "exposure.ingressNginx",
    problem:
      "is no longer an argument of the installation: cluster-wide add-ons are installed once per cluster by ClusterAddons; expected ClusterAddons ingressNginx on",
  },
  {
    patch: { exposure: { externalDns: { hostedZoneId: "zone-1" } } },
    path: "exposure.externalDns",
    problem:
      "is no longer an argument of the installation: cluster-wide add-ons are installed once per cluster by ClusterAddons; expected ClusterAddons externalDns",
  },
  {
    patch: { exposure: { ingressControllerServiceName: "Ingress" } },
    path: "exposure.ingressControllerServiceName",
    problem: '"Ingress" is not a valid name',
  },
  {
    patch: {
      tls: {
        issuer: {
          type: "acme",
          acmeEmail: "ops@example.com",
          route53HostedZoneId: "Z0123456789ABCDEFGHIJ",
          route53Identity: { mode: "irsa" },
        },
      },
    },
    path: "tls.issuer.route53Identity.oidcProviderArn",
    problem: "is required",
  },
  {
    patch: {
      tls: {
        issuer: {
          type: "acme",
          acmeEmail: "ops@example.com",
          route53HostedZoneId: "Z0123456789ABCDEFGHIJ",
          route53Identity: { mode: "podIdentity" },
        },
      },
    },
    path: "tls.issuer.route53Identity.clusterName",
    problem: "is required",
  },
  {
    patch: {
      tls: {
        issuer: {
          type: "acme",
          acmeEmail: "ops@example.com",
          route53HostedZoneId: "Z0123456789ABCDEFGHIJ",
          route53Identity: { oidcProviderArn: "arn:aws:iam::123456789012:role/x" },
        },
      },
    },
    path: "tls.issuer.route53Identity.oidcProviderArn",
    problem: '"arn:aws:iam::123456789012:role\\/x" is not an IAM OIDC provider ARN',
  },
  {
    patch: { authorizationServer: { createSecret: "yes" } },
    path: "authorizationServer.createSecret",
    problem: '"yes" is not a boolean',
  },
  {
    patch: { authorizationServer: { managementApiUsername: "bad user" } },
    path: "authorizationServer.managementApiUsername",
    problem: '"bad user" is not valid',
  },
  {
    patch: { authorizationServer: { jwt: { keystore: PLANTED } } },
    path: "authorizationServer.jwt.keyPassword",
    problem: "is required",
  },
  {
    patch: {
      authorizationServer: { jwt: { keystore: PLANTED, keyPassword: PLANTED, keystorePassword: PLANTED } },
    },
    path: "authorizationServer.jwt.keystore",
    problem: "is not base64 \\(value hidden\\)",
  },
  {
    patch: {
      authorizationServer: {
        jwt: { keystore: "AAAA", keyPassword: PLANTED, keystorePassword: PLANTED, kid: "x" },
      },
    },
    path: "authorizationServer.jwt.kid",
    problem: 'is not a known argument \\(did you mean "keyId"\\?\\)',
  },
  {
    patch: { upgrade: { fromVersion: "4.1" } },
    path: "upgrade.fromVersion",
    problem: '"4\\.1" is not a semantic version',
  },
  {
    patch: { upgrade: { fromVersion: "4.3.0" } },
    path: "version",
    problem: '"4\\.2\\.0" is lower than upgrade\\.fromVersion "4\\.3\\.0": a downgrade',
  },
  {
    patch: { upgrade: { snapshotDatabase: "yes" } },
    path: "upgrade.snapshotDatabase",
    problem: '"yes" is not a boolean',
  },
  { patch: { tls: { issuer: { type: "acme" } } }, path: "tls.issuer.acmeEmail", problem: "is required" },
  {
    patch: { tls: { issuer: { type: "acme", acmeEmail: "ops at example" } } },
    path: "tls.issuer.acmeEmail",
    problem: '"ops at example" is not valid',
  },
  {
    patch: {
      tls: { issuer: { type: "acme", acmeEmail: "ops@example.com", acmeServer: "http://acme.example.com" } },
    },
    path: "tls.issuer.acmeServer",
    problem: '"http:\\/\\/acme\\.example\\.com" is not valid',
  },
  {
    patch: { tls: { issuer: { type: "acme", acmeEmail: "ops@example.com", acmeChallenge: "dns01" } } },
    path: "tls.issuer.acmeChallenge",
    problem: '"dns01" is not supported',
  },
  {
    patch: { tls: { issuer: { type: "acme", acmeEmail: "ops@example.com", acmeChallenge: "route53Dns01" } } },
    path: "tls.issuer.route53HostedZoneId",
    problem: "is required",
  },
  {
    patch: {
      tls: {
        issuer: {
          type: "acme",
          acmeEmail: "ops@example.com",
          route53HostedZoneId: "Z0123456789ABCDEFGHIJ",
          route53Region: "Europe",
        },
      },
    },
    path: "tls.issuer.route53Region",
    problem: '"Europe" is not valid',
  },
  {
    patch: { tls: { mode: "secret", secret: { keystoreJks: PLANTED } } },
    path: "tls.secret.tlsKey",
    problem: "is required",
  },
  {
    patch: {
      tls: { mode: "secret", secret: { keystoreJks: `${PLANTED}!`, tlsKey: PLANTED, tlsCrt: "nope" } },
    },
    path: "tls.secret.keystoreJks",
    problem: "is not in the expected format \\(value hidden\\)",
  },
  {
    patch: { tls: { mode: "secret", secret: { keystoreJks: "AAAA", tlsKey: PLANTED, tlsCrt: "nope" } } },
    path: "tls.secret.tlsKey",
    problem: "is not in the expected format \\(value hidden\\)",
  },
  {
    patch: { tls: { certManagerValues: [] } },
    path: "tls.certManagerValues",
    problem:
      "is no longer an argument of the installation: cluster-wide add-ons are installed once per cluster by ClusterAddons; expected ClusterAddons certManager\\.values",
  },
  {
    patch: { tls: { mode: "disabled", existingSecretName: "x" } },
    path: "tls.existingSecretName",
    problem: 'only applies to mode "secret"',
  },
  {
    patch: { credentials: { keyNames: { jdbc: "jdbc password" } } },
    path: "credentials.keyNames.jdbc",
    problem: '"jdbc password" is not a valid Secret key',
  },
  {
    patch: { credentials: { keyNames: { jdbc: "same", mzowner: "same" } } },
    path: "credentials.keyNames.mzowner",
    problem: '"same" is also the env-secrets key of the jdbc credential',
  },
  {
    patch: { credentials: { extra: { "bad key": PLANTED } } },
    path: "credentials.extra.bad key",
    problem: "the given value \\(hidden\\) is not a valid Secret key",
  },
  {
    patch: { credentials: { extra: { jdbcPassword: PLANTED } } },
    path: "credentials.extra.jdbcPassword",
    problem: "clashes with the env-secrets key the package writes for the jdbc credential",
  },
  {
    patch: { database: { backupWindow: "1am" } },
    path: "database.backupWindow",
    problem: '"1am" is not valid',
  },
  {
    patch: { database: { maintenanceWindow: "sun:05:00-sun:06:00", backupWindow: "05:00-05:30" } },
    path: "database.maintenanceWindow",
    problem: '"sun:05:00-sun:06:00" overlaps the daily backup window "05:00-05:30"',
  },
  {
    patch: { database: { identifier: "1bad" } },
    path: "database.identifier",
    problem: '"1bad" is not a valid RDS identifier',
  },
  {
    patch: { storage: { lifecyclePolicy: "30days" } },
    path: "storage.lifecyclePolicy",
    problem: "is not a known argument",
  },
  {
    patch: { backup: { copyRetentionDays: 5 } },
    path: "backup.copyRetentionDays",
    problem: "is only used with copyToVaultArn",
  },
  {
    patch: { backup: { copyToVaultArn: "arn:aws:backup:eu-west-1:123456789012:backup-vault" } },
    path: "backup.copyToVaultArn",
    problem: '"arn:aws:backup:eu-west-1:123456789012:backup-vault" is not a valid BACKUP ARN',
  },
  // tags
  { patch: { tags: { "aws:owner": "ops" } }, path: "tags.aws:owner", problem: "is not a valid tag key" },
  { patch: { tags: { team: 5 } }, path: "tags.team", problem: "5 is not a string" },
  {
    patch: { tags: { note: "x".repeat(257) } },
    path: "tags.note",
    problem: "is longer than 256 characters",
  },
];

/** Every secret the table or the fixtures hand in: none may appear in any message. */
const SECRETS = [LICENSE, ACCESS_KEY_ID, SECRET_ACCESS_KEY, PLANTED];

/** Constructs, expects an ArgumentError, and waits for anything that might have been registered. */
async function rejected(construct: () => unknown): Promise<ArgumentError> {
  let error: unknown;
  try {
    construct();
  } catch (e) {
    error = e;
  }
  await settle();
  assert.ok(error instanceof ArgumentError, `expected an ArgumentError, got ${String(error)}`);
  return error;
}

describe("validation", () => {
  beforeEach(() => resetMocks());

  it("has at least 80 distinct bad inputs", () => {
    const keys = CASES.map((c) => JSON.stringify(c.patch, (_k, v) => (v === undefined ? "(missing)" : v)));
    const twice = keys.filter((k, i) => keys.indexOf(k) !== i);
    assert.deepEqual(twice, [], "the same bad input is listed twice");
    assert.ok(CASES.length >= 80, `only ${CASES.length} cases`);
  });

  for (const c of CASES)
    it(`rejects ${c.path}: /${c.problem}/ and registers nothing`, async () => {
      const args = patched(c.patch);
      const error = await rejected(() => new UsageEngineStack("uepe", args as never));
      assert.match(error.message, new RegExp(`^  - ${escapeRe(c.path)}: ${c.problem}`, "m"));
      assert.ok(
        error.problems.some((p) => p.path === c.path),
        `no problem recorded for ${c.path}`,
      );
      for (const secret of SECRETS)
        assert.ok(!error.message.includes(secret), "a secret value is in the message");
      assert.equal(recorded.length, 0, `registered ${recorded.map((r) => r.type).join(", ")}`);
    });

  it("rejects arguments that are not an object", async () => {
    const error = await rejected(() => new UsageEngineStack("uepe", null as never));
    assert.match(error.message, /\(args\): null is not an object/);
    assert.equal(recorded.length, 0);
  });

  it("reports every problem of one call together", async () => {
    const args = patched({
      version: "4.2",
      namespace: "Bad_NS",
      database: { backupRetentionDays: 3, instanceClass: "m5.large" },
      storage: { size: "1TB" },
      backup: { schedule: "daily" },
      tls: { mode: "letsencrypt" },
      registry: { accessKeyId: undefined },
      credentials: { passwords: { jdbc: `${PLANTED}@` } },
      exposure: { domain: "EXAMPLE" },
      tags: { "aws:x": "y" },
    });
    const error = await rejected(() => new UsageEngineStack("uepe", args as never));
    const paths = error.problems.map((p) => p.path).sort();
    assert.deepEqual(paths, [
      "backup.schedule",
      "credentials.passwords.jdbc",
      "database.backupRetentionDays",
      "database.instanceClass",
      "exposure.domain",
      "namespace",
      "registry.accessKeyId",
      "storage.size",
      "tags.aws:x",
      "tls.mode",
      "version",
    ]);
    assert.ok(!error.message.includes(PLANTED));
    assert.equal(recorded.length, 0);
  });

  it("scrubs a secret from the message where it also shows as a non-secret argument", async () => {
    // A plain-string license that was also pasted as the namespace: the namespace check echoes its
    // value, and the Checker replaces every secret it saw while checking with ***.
    const license = "UEPE_License_Text_93a1";
    const args = patched({ licenseKey: license, namespace: license });
    const error = await rejected(() => new UsageEngineStack("uepe", args as never));
    const problem = error.problems.find((p) => p.path === "namespace");
    assert.ok(problem, `no problem recorded for namespace: ${error.message}`);
    assert.match(problem.message, /^"\*\*\*" is not a valid name/);
    assert.match(error.message, /^ {2}- namespace: "\*\*\*" is not a valid name/m);
    assert.ok(!error.message.includes(license), "the license is in the message");
    assert.ok(!problem.message.includes(license), "the license is in the problem");
    assert.equal(recorded.length, 0);
  });

  it("accepts TLS switched off in values when tls.mode says so, and a secure chart repository", async () => {
    for (const args of [
      patched({ tls: { mode: "disabled" }, values: { platform: { tls: { enabled: false } } } }),
      patched({ values: { platform: { tls: { enabled: true } } } }),
      patched({ chart: { repository: "https://charts.example.com/uepe" } }),
      patched({ chart: { repository: "oci://registry.example.com/charts" } }),
    ]) {
      resetMocks();
      new UsageEngineStack("uepe", args as never);
      await settle();
      assert.ok(recorded.length > 0);
    }
  });

  it("skips values only known at deployment time instead of rejecting them", async () => {
    const unknown = pulumi.output(Promise.resolve("later"));
    const args = patched({ database: { kmsKeyArn: unknown }, network: { vpcId: unknown } });
    new UsageEngineStack("uepe", args as never);
    await settle();
    assert.ok(recorded.length > 0);
  });

  describe("each part used alone validates before registering", () => {
    const parts: [string, () => unknown, RegExp][] = [
      [
        "SystemDatabase",
        () => new SystemDatabase("db", { network: { ...NETWORK, vpcId: "vpc-1" }, adminPassword: "" }),
        /Invalid SystemDatabase arguments:\n {2}- network\.vpcId: "vpc-1" is not valid[\s\S]*- adminPassword: is required/,
      ],
      [
        "SharedStorage",
        () => new SharedStorage("fs", { network: NETWORK, namespace: "", storage: { uid: 1.5 } }),
        /Invalid SharedStorage arguments:[\s\S]*storage\.uid: 1\.5 is out of range[\s\S]*namespace: is required/,
      ],
      [
        "BackupPlan",
        () => new BackupPlan("bk", { backup: { retentionDays: -1 } }),
        /Invalid BackupPlan arguments:[\s\S]*backup\.retentionDays: -1 is out of range[\s\S]*databaseArn: and fileSystemArn are both missing/,
      ],
      [
        "Tls",
        () => new Tls("tls", { namespace: "uepe", tls: { mode: "secret" } }),
        /Invalid Tls arguments:\n {2}- tls\.existingSecretName: is required/,
      ],
      [
        "RegistryAccess",
        () => new RegistryAccess("reg", { namespace: "uepe", registry: { source: "mirror" } }),
        /Invalid RegistryAccess arguments:\n {2}- registry\.repository: is required/,
      ],
    ];
    for (const [part, construct, message] of parts)
      it(part, async () => {
        const error = await rejected(construct);
        assert.match(error.message, message);
        assert.equal(recorded.length, 0);
      });
  });

  describe("secret argument paths", () => {
    it("recognises every secret argument and nothing else", () => {
      for (const path of [
        "licenseKey",
        "registry.accessKeyId",
        "registry.secretAccessKey",
        "registry.password",
        "credentials.passwords",
        "credentials.passwords.jdbc",
        "database.external.adminPassword",
        "tls.secret.keystoreJks",
        "tls.secret.tlsKey",
        "authorizationServer.jwt.keystore",
        "authorizationServer.jwt.keyPassword",
        "authorizationServer.managementApiPassword",
        "credentials.extra",
        "credentials.extra.reportingPassword",
      ])
        assert.ok(isSecretPath(path), path);
      for (const path of [
        "version",
        "registry.pullSecretName",
        "tls.existingSecretName",
        "database.kmsKeyArn",
        "registry.username",
        "credentials.jdbcUser",
        "credentials.keyNames.keystore",
        "credentials.keyNames.jdbc",
        "authorizationServer.managementApiUsername",
      ])
        assert.ok(!isSecretPath(path), path);
    });
  });

  describe("cron windows", () => {
    const window = { from: "0 2 * * *", until: "0 5 * * *" };
    it("accepts a schedule that starts and finishes inside the window", () => {
      assert.equal(awsCronWithinWindow("cron(0 3 * * ? *)", window, 60), true);
    });
    it("rejects a schedule that starts outside the window", () => {
      assert.equal(awsCronWithinWindow("cron(0 6 * * ? *)", window), false);
    });
    it("rejects a schedule whose run outlasts the window", () => {
      assert.equal(awsCronWithinWindow("cron(0 4 * * ? *)", window, 120), false);
    });
    it("handles a window across midnight", () => {
      assert.equal(
        awsCronWithinWindow("cron(30 0 * * ? *)", { from: "0 23 * * *", until: "0 2 * * *" }, 60),
        true,
      );
      assert.equal(
        awsCronWithinWindow("cron(30 22 * * ? *)", { from: "0 23 * * *", until: "0 2 * * *" }),
        false,
      );
    });
    it("cannot judge malformed expressions", () => {
      assert.equal(awsCronWithinWindow("0 3 * * *", window), undefined);
    });
  });
});
