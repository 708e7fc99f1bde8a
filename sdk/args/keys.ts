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
