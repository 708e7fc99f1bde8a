import { closest, distance } from "fastest-levenshtein";

/** ` (did you mean "x"?)` when a close candidate exists, else empty. */
export function didYouMean(value: string, candidates: readonly string[]): string {
  if (candidates.length === 0) return "";
  const best = closest(value, [...candidates]);
  return distance(value.toLowerCase(), best.toLowerCase()) <= Math.max(2, Math.floor(best.length / 3))
    ? ` (did you mean "${best}"?)`
    : "";
}
