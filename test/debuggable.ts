/**
 * Pulumi's runtime records a stack trace on every promise it makes (`debuggablePromise`), kept
 * only for the report of promises still pending at exit. Under tsx every trace is source-mapped,
 * which made that bookkeeping most of the CPU an evaluation under mocks takes (about 300 ms of
 * the ~370 ms a default stack took; ~70 ms without). No test reads those traces, so they are
 * recorded empty. Set PULUMI_DEBUG_PROMISE_LEAKS to keep them when hunting a leaked promise.
 * Called by test/setup.ts in every mocha process, and by the churn child.
 */
export function recordNoPromiseStacks(): void {
  if (process.env.PULUMI_DEBUG_PROMISE_LEAKS) return;
  const debuggable = require("@pulumi/pulumi/runtime/debuggable") as {
    debuggablePromise: <T>(p: Promise<T>, ctx: unknown) => Promise<T>;
    __withStacks?: unknown;
  };
  if (debuggable.__withStacks) return;
  const withStacks = debuggable.debuggablePromise;
  debuggable.__withStacks = withStacks;
  debuggable.debuggablePromise = (p, ctx) => {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return withStacks(p, ctx);
    } finally {
      Error.stackTraceLimit = limit;
    }
  };
}
