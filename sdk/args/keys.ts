/**
 * Every key of an options interface, checked by the compiler: the record must name each key of
 * `T` (optional ones included) and no other, so adding an argument without listing it here, where
 * unknown keys are refused, does not compile.
 */
export function keyList<T>(keys: { [K in keyof Required<T>]: true }): readonly string[] {
  return Object.keys(keys);
}

/**
 * Arguments that the stack's one resolution has already validated and defaulted. A part given
 * `Validated<Spec>` uses it as it is; a part given its user-facing Args resolves them through the
 * same resolver the stack uses.
 */
export class Validated<T> {
  constructor(readonly spec: T) {}
}

/** Whether an object (an argument block) carries a key, without reading an Output or a Resource. */
function hasKey(value: unknown, key: string): boolean {
  return typeof value === "object" && value !== null && Object.hasOwn(value, key);
}

/**
 * Refuses arguments that moved from an installation to ClusterAddons (cluster-wide software is
 * installed once per cluster), naming the argument that replaces each. Returns the keys the
 * unknown-key check must then accept, so each is reported once, with this message.
 */
export function refuseMovedToClusterAddons(
  check: {
    fail(path: string, problem: string, accepted?: string): void;
  },
  path: string,
  value: unknown,
  moved: Readonly<Record<string, string>>,
): string[] {
  const given = Object.keys(moved).filter((key) => hasKey(value, key));
  for (const key of given)
    check.fail(
      `${path}.${key}`,
      "is no longer an argument of the installation: cluster-wide add-ons are installed once per cluster by ClusterAddons",
      `${moved[key]} on a ClusterAddons component, and no ${key} here`,
    );
  return given;
}
