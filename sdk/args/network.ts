import type * as pulumi from "@pulumi/pulumi";
import type { Checker } from "../validation";
import { keyList } from "./keys";

/** Where the data services live and who may reach them. */
export interface NetworkOptions {
  /** VPC of the EKS cluster, e.g. `vpc-0abc...`. */
  vpcId: pulumi.Input<string>;
  /** Private subnets for the RDS subnet group and the EFS mount targets (at least 2, in distinct AZs). */
  subnetIds: pulumi.Input<string>[];
  /** Security groups (cluster or node) allowed in on 5432 (PostgreSQL) and 2049 (NFS). */
  allowedSecurityGroupIds: pulumi.Input<string>[];
  /**
   * Availability Zone of each subnet, in the order of `subnetIds` (e.g. `["eu-west-1a", "eu-west-1b"]`).
   * Subnet ids do not tell their zone before deployment: with this list, two subnets in one zone
   * are rejected before anything is registered; without it, the zones are looked up during the
   * deployment and a duplicate fails it before any EFS mount target is created.
   * Default: looked up during the deployment.
   */
  availabilityZones?: string[];
}

/** Tags applied to every AWS resource. */
export type Tags = { [key: string]: string };

const VPC_ID = /^vpc-[0-9a-f]{8,17}$/;
const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
const SECURITY_GROUP_ID = /^sg-[0-9a-f]{8,17}$/;
/** Region name plus zone letter; Local Zones carry a location part (us-west-2-lax-1a). */
const AVAILABILITY_ZONE = /^[a-z]{2}(-[a-z0-9]+)+[a-z]$/;

const NETWORK_KEYS = keyList<NetworkOptions>({
  vpcId: true,
  subnetIds: true,
  allowedSecurityGroupIds: true,
  availabilityZones: true,
});

/**
 * Checks the network block. `minSubnets` is 2 where RDS needs a subnet group across two AZs;
 * `why` says which part needs that many and is appended to the error.
 */
export function checkNetwork(
  check: Checker,
  path: string,
  network: NetworkOptions | undefined,
  minSubnets = 2,
  why = "",
): void {
  if (!check.required(path, network, "{ vpcId, subnetIds, allowedSecurityGroupIds }")) return;
  if (!check.knownKeys(path, network, NETWORK_KEYS)) return;
  check.required(`${path}.vpcId`, network.vpcId, "a VPC id such as vpc-0123456789abcdef0");
  check.pattern(`${path}.vpcId`, network.vpcId, VPC_ID, "a VPC id such as vpc-0123456789abcdef0");
  if (check.required(`${path}.subnetIds`, network.subnetIds, "a list of private subnet ids"))
    if (check.list(`${path}.subnetIds`, network.subnetIds)) {
      if (network.subnetIds.length < minSubnets)
        check.fail(
          `${path}.subnetIds`,
          `has ${network.subnetIds.length} item(s)`,
          `at least ${minSubnets} private subnets in distinct Availability Zones${why ? ` (${why})` : ""}`,
        );
      network.subnetIds.forEach((id, i) => {
        check.pattern(
          `${path}.subnetIds[${i}]`,
          id,
          SUBNET_ID,
          "a subnet id such as subnet-0123456789abcdef0",
        );
      });
    }
  checkAvailabilityZones(check, path, network);
  if (
    check.required(
      `${path}.allowedSecurityGroupIds`,
      network.allowedSecurityGroupIds,
      "a list of security group ids",
    )
  )
    if (check.list(`${path}.allowedSecurityGroupIds`, network.allowedSecurityGroupIds, 1))
      network.allowedSecurityGroupIds.forEach((id, i) => {
        check.pattern(
          `${path}.allowedSecurityGroupIds[${i}]`,
          id,
          SECURITY_GROUP_ID,
          "a security group id such as sg-0123456789abcdef0",
        );
      });
}

/** `availabilityZones`: one well-formed zone per subnet, in the same order. */
function checkAvailabilityZones(check: Checker, path: string, network: NetworkOptions): void {
  const zones = network.availabilityZones;
  if (!check.list(`${path}.availabilityZones`, zones) || !Array.isArray(zones)) return;
  zones.forEach((zone, i) => {
    check.pattern(
      `${path}.availabilityZones[${i}]`,
      zone,
      AVAILABILITY_ZONE,
      "an Availability Zone name such as eu-west-1a",
    );
  });
  if (Array.isArray(network.subnetIds) && zones.length !== network.subnetIds.length)
    check.fail(
      `${path}.availabilityZones`,
      `has ${zones.length} zone(s) for ${network.subnetIds.length} subnet(s)`,
      "one zone per entry of subnetIds, in the same order",
    );
}

/**
 * Rejects two subnets in one Availability Zone, where the zones are known up front: EFS allows
 * one mount target per zone, and a second subnet in a zone adds no redundancy.
 */
export function checkDistinctZones(check: Checker, path: string, network: NetworkOptions | undefined): void {
  const zones = network?.availabilityZones;
  if (!Array.isArray(zones) || !Array.isArray(network?.subnetIds)) return;
  const firstIndex = new Map<string, number>();
  zones.forEach((zone, i) => {
    if (typeof zone !== "string") return;
    const first = firstIndex.get(zone);
    if (first === undefined) firstIndex.set(zone, i);
    else
      check.fail(
        `${path}.availabilityZones[${i}]`,
        `"${zone}" is also the zone of subnetIds[${first}]; EFS allows one mount target per Availability Zone`,
        "one subnet per Availability Zone",
      );
  });
}

export function checkTags(check: Checker, path: string, tags: Tags | undefined): void {
  if (!check.knownKeys(path, tags, Object.keys(tags ?? {}))) return;
  for (const [key, value] of Object.entries(tags)) {
    if (key.length === 0 || key.length > 128 || key.startsWith("aws:"))
      check.fail(`${path}.${key}`, "is not a valid tag key", "1-128 characters, not starting with aws:");
    check.string(`${path}.${key}`, value, "a tag value string");
    if (typeof value === "string" && value.length > 256)
      check.fail(`${path}.${key}`, "is longer than 256 characters", "a tag value of at most 256 characters");
  }
}
