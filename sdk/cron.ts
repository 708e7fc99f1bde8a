import { CronExpressionParser } from "cron-parser";

/** A daily (or any cron-shaped) window given by the cron expressions at which it opens and closes. */
export interface CronWindow {
  from: string;
  until: string;
}

/** Occurrences of a schedule checked against a window: two weeks covers daily and weekly rules. */
const WINDOW_SAMPLES = 14;
/** A fixed reference instant keeps the check deterministic (it is not a timestamp in state). */
const WINDOW_REFERENCE = Date.UTC(2026, 0, 5);

/**
 * Whether every run of an AWS cron `schedule` starts inside `window` (Kubernetes cron, UTC) and,
 * given `durationMinutes`, ends before the window closes. Undefined when an expression cannot be
 * evaluated (the syntax checks report that). Evaluated on the next occurrences after a fixed date.
 */
export function awsCronWithinWindow(
  schedule: string,
  window: CronWindow,
  durationMinutes = 0,
): boolean | undefined {
  const aws = parseAwsCron(schedule);
  if (!aws || !isKubernetesCron(window.from) || !isKubernetesCron(window.until)) return undefined;
  try {
    const runs = CronExpressionParser.parse(aws.standard, { currentDate: WINDOW_REFERENCE, tz: "UTC" });
    for (let i = 0; i < WINDOW_SAMPLES; i++) {
      const start = runs.next().getTime();
      const at = (expression: string) =>
        CronExpressionParser.parse(expression, { currentDate: start + 1000, tz: "UTC" });
      const opened = at(window.from).prev().getTime();
      const closed = at(window.until).prev().getTime();
      if (closed >= opened) return false;
      const closes = CronExpressionParser.parse(window.until, { currentDate: start, tz: "UTC" })
        .next()
        .getTime();
      if (start + durationMinutes * 60_000 > closes) return false;
    }
    return true;
  } catch {
    return undefined;
  }
}

/**
 * The longest gap, in hours, between two consecutive runs of a valid five-field cron expression,
 * measured over two weeks in UTC (enough to cover day-of-week schedules).
 */
export function longestCronGapHours(expression: string): number {
  const start = Date.UTC(2024, 0, 1);
  const end = start + 14 * 24 * 3600 * 1000;
  try {
    const runs = CronExpressionParser.parse(expression, { currentDate: new Date(start), tz: "UTC" });
    let previous = runs.next().getTime();
    let longest = previous - start;
    while (previous < end) {
      const next = runs.next().getTime();
      longest = Math.max(longest, next - previous);
      previous = next;
    }
    return longest / 3600_000;
  } catch {
    // A schedule that never fires (e.g. "0 0 31 2 *") has no next run.
    return Number.POSITIVE_INFINITY;
  }
}

export function isKubernetesCron(expression: string): boolean {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return false;
  try {
    CronExpressionParser.parse(expression, { strict: false });
    return true;
  } catch {
    return false;
  }
}

/** The parts of an AWS cron expression, with the schedule as a standard cron for cron-parser. */
export interface AwsCron {
  minute: string;
  hour: string;
  /** The same schedule without the year field, `?` replaced by `*`: parseable by cron-parser. */
  standard: string;
}

/**
 * Parses AWS's six-field cron (`cron(min hour dom month dow year)`). AWS requires exactly one of
 * day-of-month and day-of-week to be `?`; the rest is checked by cron-parser.
 */
export function parseAwsCron(expression: string): AwsCron | undefined {
  const m = /^cron\((.+)\)$/.exec(expression.trim());
  if (!m) return undefined;
  const fields = m[1].trim().split(/\s+/);
  if (fields.length !== 6) return undefined;
  const [minute, hour, dom, month, dow, year] = fields;
  if ((dom === "?") === (dow === "?")) return undefined;
  if (!/^(\*|\d{4}(-\d{4})?(,\d{4})*)$/.test(year)) return undefined;
  const standard = [minute, hour, dom === "?" ? "*" : dom, month, dow === "?" ? "*" : dow].join(" ");
  if (standard.includes("L") || standard.includes("W") || standard.includes("#"))
    return { minute, hour, standard };
  return isKubernetesCron(standard) ? { minute, hour, standard } : undefined;
}
