/**
 * The one resolution: raw arguments become a validated, defaulted, typed model in which each mode
 * carries exactly what it needs. `resolveStackArgs` resolves a whole stack; each block's resolver
 * is what a part used on its own resolves its slice with.
 */
export * from "./alarms";
export * from "./authorization";
export * from "./backup";
export * from "./clusterAddons";
export * from "./credentials";
export * from "./database";
export * from "./exposure";
export * from "./identity";
export * from "./keys";
export * from "./network";
export * from "./registry";
export * from "./stack";
export * from "./storage";
export * from "./tls";
export * from "./upgrade";
