import type * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";

/**
 * Eight hex characters drawn once per component and kept in the stack's state: what makes a
 * physical name unique per stack and per instance where the provider's auto-naming does not fit
 * (a name with a fixed form or a short limit, or one built from another). A new stack, or the
 * same stack after `pulumi destroy`, draws new ones, so it never asks for a name a retained
 * resource still holds. Changing a keeper draws new ones too.
 */
export function nameSuffix(
  name: string,
  parent: pulumi.Resource,
  keepers?: Record<string, string>,
): pulumi.Output<string> {
  return new random.RandomId(`${name}-name-suffix`, { byteLength: 4, keepers }, { parent }).hex;
}

/** `<base>-<suffix>`, the base cut (and its trailing separators dropped) so the whole fits `maxLength`. */
export function suffixed(base: string, suffix: string, maxLength: number): string {
  return `${base.slice(0, maxLength - suffix.length - 1).replace(/[-_]+$/, "")}-${suffix}`;
}
