export {
  type AlarmedBackupVault,
  type AlarmedDatabase,
  type AlarmedFileSystem,
  DataAlarms,
  type DataAlarmsArgs,
} from "./alarms";
export {
  AcmeChallenge,
  type AlarmsOptions,
  type AuthorizationServerOptions,
  AwsIdentityMode,
  type AwsIdentityOptions,
  type BackupOptions,
  type CertManagerOptions,
  type ChartSourceOptions,
  type ClusterExternalDnsOptions,
  type ClusterIdentityOptions,
  type ClusterIssuerOptions,
  ClusterIssuerType,
  type ColdBackupWindow,
  type CredentialKeyNames,
  type CredentialPasswords,
  type CredentialsOptions,
  DatabaseMode,
  type DatabaseOptions,
  DatabaseProfile,
  type EfsCsiDriverOptions,
  EfsTransition,
  type ExposureOptions,
  type ExternalDatabaseOptions,
  type IngressNginxOptions,
  type IngressOptions,
  IssuerKind,
  type IssuerOptions,
  IssuerType,
  type JwtKeystoreOptions,
  type NetworkOptions,
  RdsEventCategory,
  type RegistryOptions,
  RegistrySource,
  ServiceType,
  StorageMode,
  type StorageOptions,
  type Tags,
  ThroughputMode,
  TlsMode,
  type TlsOptions,
  type TlsSecretOptions,
  type UpgradeOptions,
  type UsageEngineStackArgs,
  Validated,
} from "./args";
export { AuthorizationServerSecrets, type AuthorizationServerSecretsArgs } from "./authorization";
export { BackupPlan, type BackupPlanArgs } from "./backup";
export { DatabaseType } from "./chart/contract";
export { ClusterAddons, type ClusterAddonsArgs } from "./clusterAddons";
export { SystemCredentials, type SystemCredentialsArgs } from "./credentials";
export { SystemDatabase, type SystemDatabaseArgs } from "./database";
export { DataKey, type DataKeyArgs, DataKeyService } from "./dataKey";
export { Exposure, type ExposureArgs } from "./exposure";
export { RegistryAccess, type RegistryAccessArgs } from "./registry";
export { SharedStorage, type SharedStorageArgs } from "./storage";
export { Tls, type TlsArgs } from "./tls";
export { PreUpgradeSnapshot, type PreUpgradeSnapshotArgs } from "./upgrade";
export { type FileSystemBackupTarget, UpgradeSteps, type UpgradeStepsArgs } from "./upgradeSteps";
export { UsageEngineStack } from "./usageEngineStack";
export { ArgumentError, type ArgumentProblem, DeployTimeArgumentError } from "./validation";
