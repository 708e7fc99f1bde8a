export {
  type AlarmedBackupVault,
  type AlarmedDatabase,
  type AlarmedFileSystem,
  type AlarmsOptions,
  DataAlarms,
  type DataAlarmsArgs,
  type RdsEventCategory,
} from "./alarms";
export {
  type AuthorizationServerOptions,
  AuthorizationServerSecrets,
  type AuthorizationServerSecretsArgs,
  type JwtKeystoreOptions,
} from "./authorization";
export { AwsIdentityMode, type AwsIdentityOptions } from "./awsIdentity";
export { type BackupOptions, BackupPlan, type BackupPlanArgs, type ColdBackupWindow } from "./backup";
export {
  type CredentialKeyNames,
  type CredentialPasswords,
  type CredentialsOptions,
  SystemCredentials,
  type SystemCredentialsArgs,
} from "./credentials";
export {
  type DatabaseMode,
  type DatabaseOptions,
  type DatabaseProfile,
  type ExternalDatabaseOptions,
  SystemDatabase,
  type SystemDatabaseArgs,
} from "./database";
export type { NetworkOptions, Tags } from "./network";
export {
  type AddonChartOptions,
  type ExternalDnsOptions,
  type IngressOptions,
  Networking,
  type NetworkingArgs,
  type NetworkingOptions,
  ServiceType,
} from "./networking";
export {
  RegistryAccess,
  type RegistryAccessArgs,
  type RegistryOptions,
  type RegistrySource,
} from "./registry";
export {
  type EfsTransition,
  SharedStorage,
  type SharedStorageArgs,
  type StorageMode,
  type StorageOptions,
  type ThroughputMode,
} from "./storage";
export {
  AcmeChallenge,
  IssuerKind,
  type IssuerOptions,
  IssuerType,
  Tls,
  type TlsArgs,
  TlsMode,
  type TlsOptions,
  type TlsSecretOptions,
} from "./tls";
export { PreUpgradeSnapshot, type PreUpgradeSnapshotArgs, type UpgradeOptions } from "./upgrade";
export {
  type ChartSourceOptions,
  UsageEngineStack,
  type UsageEngineStackArgs,
} from "./usageEngineStack";
export { ArgumentError, type ArgumentProblem } from "./validation";
