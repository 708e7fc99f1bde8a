import * as aws from "@pulumi/aws";
import type * as pulumi from "@pulumi/pulumi";
import type { Tags } from "./args/network";

/** The subnets whose Availability Zone repeats an earlier one's, as `subnet (zone)` texts. */
export function duplicateZones(subnets: readonly { id: string; availabilityZone: string }[]): string[] {
  const seen = new Map<string, string>();
  const duplicates: string[] = [];
  for (const subnet of subnets) {
    const first = seen.get(subnet.availabilityZone);
    if (first !== undefined)
      duplicates.push(`${subnet.id} and ${first} are both in ${subnet.availabilityZone}`);
    else seen.set(subnet.availabilityZone, subnet.id);
  }
  return duplicates;
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
