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
  const standard = [
    minute,
    hour,
    dom === "?" ? "*" : dom,
    month,
    dow === "?" ? "*" : standardWeekdays(dow),
  ].join(" ");
  if (standard.includes("L") || standard.includes("W") || standard.includes("#"))
    return { minute, hour, standard };
  return isKubernetesCron(standard) ? { minute, hour, standard } : undefined;
}

/**
 * AWS numbers the days of the week 1-7 from Sunday, standard cron 0-6: a day number (first in a
 * list item or a range end, not a step after `/` or an nth after `#`) moves down by one.
 */
function standardWeekdays(dow: string): string {
  return dow.replace(
    /(^|[,-])(\d+)/g,
    (_, separator: string, day: string) => `${separator}${Number(day) - 1}`,
  );
}

const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const DAY_MINUTES = 24 * 60;

/** The days (0 = Sunday) an AWS day-of-week field of single days and ranges names; undefined for anything else. */
function awsWeekdays(dow: string): number[] | undefined {
  const day = (token: string): number | undefined => {
    const named = WEEKDAYS.indexOf(token.toUpperCase());
    if (named >= 0) return named;
    return /^[1-7]$/.test(token) ? Number(token) - 1 : undefined;
  };
  const days = new Set<number>();
  for (const item of dow.split(",")) {
    const [first, last, ...rest] = item.split("-");
    const from = day(first);
    const to = last === undefined ? from : day(last);
    if (from === undefined || to === undefined || to < from || rest.length > 0) return undefined;
    for (let d = from; d <= to; d++) days.add(d);
  }
  return [...days];
}

/**
 * The AWS cron `expression` moved `minutes` later, when that can be written as an AWS cron: the
 * minute and hour must be single numbers, and a move past midnight needs a schedule that runs
 * every day or on named days of the week (each moves to the next day), in every month and year.
 * Undefined otherwise (and for an invalid expression).
 */
export function shiftAwsCron(expression: string, minutes: number): string | undefined {
  if (!parseAwsCron(expression)) return undefined;
  const fields = /^cron\((.+)\)$/.exec(expression.trim())?.[1].trim().split(/\s+/);
  if (!fields) return undefined;
  const [minute, hour, dom, month, dow, year] = fields;
  if (!/^\d+$/.test(minute) || !/^\d+$/.test(hour)) return undefined;
  const total = Number(hour) * 60 + Number(minute) + minutes;
  const days = Math.floor(total / DAY_MINUTES);
  const at = total % DAY_MINUTES;
  const cron = (dayOfMonth: string, dayOfWeek: string) =>
    `cron(${at % 60} ${Math.floor(at / 60)} ${dayOfMonth} ${month} ${dayOfWeek} ${year})`;
  if (days === 0) return cron(dom, dow);
  if (month !== "*" || year !== "*") return undefined;
  if ((dom === "*" && dow === "?") || (dom === "?" && dow === "*")) return cron(dom, dow);
  const weekdays = dom === "?" ? awsWeekdays(dow) : undefined;
  if (!weekdays) return undefined;
  const moved = weekdays.map((d) => (d + days) % 7).sort((a, b) => a - b);
  return cron("?", moved.map((d) => WEEKDAYS[d]).join(","));
}

/** Runs of a follower checked against its leader: four weeks (and at least 14 runs) covers daily, weekly and monthly schedules. */
const FOLLOW_DAYS = 28;
const FOLLOW_MIN_RUNS = WINDOW_SAMPLES;
const FOLLOW_MAX_RUNS = 1000;

/**
 * The shortest time, in minutes, from a run of the AWS cron `leader` to the next run of
 * `follower` (each follower run measured from the latest leader run at or before it), over four
 * weeks from a fixed date and at least 14 follower runs. Undefined when an expression cannot be evaluated.
 */
export function shortestLeadMinutes(follower: string, leader: string): number | undefined {
  const after = parseAwsCron(follower);
  const before = parseAwsCron(leader);
  if (!after || !before) return undefined;
  try {
    const runs = CronExpressionParser.parse(after.standard, { currentDate: WINDOW_REFERENCE, tz: "UTC" });
    const end = WINDOW_REFERENCE + FOLLOW_DAYS * DAY_MINUTES * 60_000;
    let shortest = Number.POSITIVE_INFINITY;
    for (let i = 0; i < FOLLOW_MAX_RUNS; i++) {
      const start = runs.next().getTime();
      if (start > end && i >= FOLLOW_MIN_RUNS) break;
      const previous = CronExpressionParser.parse(before.standard, { currentDate: start + 1000, tz: "UTC" })
        .prev()
        .getTime();
      shortest = Math.min(shortest, (start - previous) / 60_000);
    }
    return shortest;
  } catch {
    return undefined;
  }
}
