export { type BackupOptions, BackupPlan, type BackupPlanArgs, type ColdBackupWindow } from "./backup";
export {
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
  RegistryAccess,
  type RegistryAccessArgs,
  type RegistryOptions,
  type RegistrySource,
} from "./registry";
export {
  SharedStorage,
  type SharedStorageArgs,
  type StorageMode,
  type StorageOptions,
  type ThroughputMode,
} from "./storage";
export {
  type IssuerKind,
  type IssuerOptions,
  type IssuerType,
  Tls,
  type TlsArgs,
  type TlsMode,
  type TlsOptions,
} from "./tls";
export {
  type ChartSourceOptions,
  type IngressOptions,
  type NetworkingOptions,
  type ServiceType,
  UsageEngineStack,
  type UsageEngineStackArgs,
} from "./usageEngineStack";
export { ArgumentError, type ArgumentProblem } from "./validation";
