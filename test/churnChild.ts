/**
 * Child process of the zero-churn suite: evaluates every scenario in a fresh process, the way each
 * `pulumi up` runs, and prints what was registered, and the warnings each scenario gave, as JSON.
 * With CHURN_SHIFT_DAYS set, the clock is moved ahead before the package is even loaded, so values
 * computed at module load count too.
 */
import { shiftClock } from "./clock";
import { recordNoPromiseStacks } from "./debuggable";

const shiftDays = Number(process.env.CHURN_SHIFT_DAYS ?? 0);
if (shiftDays) shiftClock(shiftDays);
recordNoPromiseStacks();

async function main(): Promise<void> {
  // Loaded only now, after the clock has moved.
  const { deploy } = require("./fixtures") as typeof import("./fixtures");
  const { recorded, resetMocks } = require("./harness") as typeof import("./harness");
  const { SCENARIOS } = require("./scenarios") as typeof import("./scenarios");
  const { listenWarnings } = require("./setup") as typeof import("./setup");
  const out: Record<string, Record<string, unknown>> = {};
  const warnings: Record<string, string[]> = {};
  for (const scenario of SCENARIOS) {
    resetMocks();
    const given = listenWarnings();
    await deploy(scenario.args());
    given.restore();
    warnings[scenario.title] = given.messages;
    out[scenario.title] = Object.fromEntries(
      recorded.map((r) => [
        r.urn,
        {
          inputs: JSON.stringify(r.raw),
          protect: r.protect,
          retainOnDelete: r.retainOnDelete,
          ignoreChanges: r.ignoreChanges,
          dependencies: [...r.dependencies].sort(),
        },
      ]),
    );
  }
  process.stdout.write(`${JSON.stringify({ scenarios: out, warnings })}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
