import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { Checker } from "./validation";

/** Where the data services live and who may reach them. */
export interface NetworkOptions {
  /** VPC of the EKS cluster, e.g. `vpc-0abc...`. */
  vpcId: pulumi.Input<string>;
  /** Private subnets for the RDS subnet group and the EFS mount targets (at least 2, in distinct AZs). */
  subnetIds: pulumi.Input<string>[];
  /** Security groups (cluster or node) allowed in on 5432 (PostgreSQL) and 2049 (NFS). */
  allowedSecurityGroupIds: pulumi.Input<string>[];
}

/** Tags applied to every AWS resource. */
export type Tags = { [key: string]: string };

const VPC_ID = /^vpc-[0-9a-f]{8,17}$/;
const SUBNET_ID = /^subnet-[0-9a-f]{8,17}$/;
const SECURITY_GROUP_ID = /^sg-[0-9a-f]{8,17}$/;

/** Checks the network block; `minSubnets` is 2 where RDS needs a subnet group across two AZs. */
export function checkNetwork(
  check: Checker,
  path: string,
  network: NetworkOptions | undefined,
  minSubnets = 2,
): void {
  if (!check.required(path, network, "{ vpcId, subnetIds, allowedSecurityGroupIds }")) return;
  if (!check.knownKeys(path, network, ["vpcId", "subnetIds", "allowedSecurityGroupIds"])) return;
  check.required(`${path}.vpcId`, network.vpcId, "a VPC id such as vpc-0123456789abcdef0");
  check.pattern(`${path}.vpcId`, network.vpcId, VPC_ID, "a VPC id such as vpc-0123456789abcdef0");
  if (check.required(`${path}.subnetIds`, network.subnetIds, "a list of private subnet ids"))
    if (check.list(`${path}.subnetIds`, network.subnetIds, minSubnets))
      network.subnetIds.forEach((id, i) => {
        check.pattern(
          `${path}.subnetIds[${i}]`,
          id,
          SUBNET_ID,
          "a subnet id such as subnet-0123456789abcdef0",
        );
      });
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

/** The package's tags merged under the user's: every AWS resource says who manages it. */
export function withTags(tags: Tags | undefined, name: string): Tags {
  return { "managed-by": "pulumi-usage-engine", Name: name, ...tags };
}

export interface IngressGroupArgs {
  vpcId: pulumi.Input<string>;
  port: number;
  description: string;
  sourceSecurityGroupIds: pulumi.Input<string>[];
  tags: Tags;
}

/**
 * A security group that admits one TCP port from the given security groups only, with one
 * ingress rule resource per source (rules inline in the group diff badly on change).
 */
export function ingressSecurityGroup(
  name: string,
  args: IngressGroupArgs,
  parent: pulumi.Resource,
): aws.ec2.SecurityGroup {
  const group = new aws.ec2.SecurityGroup(
    name,
    { vpcId: args.vpcId, description: args.description, tags: args.tags },
    { parent },
  );
  args.sourceSecurityGroupIds.forEach((source, i) => {
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-from-${i}`,
      {
        securityGroupId: group.id,
        referencedSecurityGroupId: source,
        ipProtocol: "tcp",
        fromPort: args.port,
        toPort: args.port,
        description: `${args.description} from allowed security group`,
        tags: args.tags,
      },
      { parent },
    );
  });
  return group;
}
