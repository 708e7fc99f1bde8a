/**
 * Moves the process clock for the zero-churn suite. Imports nothing from the package, so the
 * churn child process can shift time before the package is loaded.
 */
const RealDate = Date;
const realRandom = Math.random;

/** Moves `Date` `days` ahead and puts Math.random on another sequence; returns the undo. */
export function shiftClock(days: number): () => void {
  const shift = days * 86_400_000;
  class ShiftedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(RealDate.now() + shift);
      else super(...(args as [string]));
    }
    static now(): number {
      return RealDate.now() + shift;
    }
  }
  let seed = 42;
  globalThis.Date = ShiftedDate as DateConstructor;
  Math.random = () => {
    seed = (seed * 16807) % 2147483647;
    return seed / 2147483647;
  };
  return () => {
    globalThis.Date = RealDate;
    Math.random = realRandom;
  };
}
