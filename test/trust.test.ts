import * as assert from "node:assert/strict";
import { deploy } from "./fixtures";
import { ACCOUNT, ofType, REGION, type Recorded, resetMocks } from "./harness";
import { SCENARIOS } from "./scenarios";

interface TrustStatement {
  Principal?: { Service?: string | string[] };
  Condition?: Record<string, Record<string, string>>;
}

/** The statements of a role's trust policy that let an AWS service assume it. */
function serviceStatements(role: Recorded): TrustStatement[] {
  const trust = JSON.parse(String(role.inputs.assumeRolePolicy)) as { Statement: TrustStatement[] };
  return trust.Statement.filter((s) => s.Principal?.Service !== undefined);
}

const services = (s: TrustStatement) => [s.Principal?.Service ?? []].flat();

describe("roles trusted by an AWS service (confused deputy)", function () {
  this.timeout(120_000);
  const seen = new Set<string>();

  for (const scenario of SCENARIOS)
    it(`every such role is limited to this account: ${scenario.title}`, async () => {
      resetMocks();
      await deploy(scenario.args());
      for (const role of ofType("aws:iam/role:Role"))
        for (const statement of serviceStatements(role)) {
          for (const service of services(statement)) seen.add(service);
          assert.equal(
            statement.Condition?.StringEquals?.["aws:SourceAccount"],
            ACCOUNT,
            `${role.name} (${services(statement).join(", ")}) has no aws:SourceAccount condition`,
          );
        }
    });

  it("covers every service the package trusts, and RDS monitoring is limited to this account's instances", async () => {
    assert.deepEqual([...seen].sort(), [
      "backup.amazonaws.com",
      "monitoring.rds.amazonaws.com",
      "pods.eks.amazonaws.com",
    ]);
    resetMocks();
    await deploy(SCENARIOS[1].args());
    const monitoring = ofType("aws:iam/role:Role").filter((r) =>
      serviceStatements(r).some((s) => services(s).includes("monitoring.rds.amazonaws.com")),
    );
    assert.equal(monitoring.length, 1);
    assert.deepEqual(serviceStatements(monitoring[0])[0].Condition, {
      StringEquals: { "aws:SourceAccount": ACCOUNT },
      ArnLike: { "aws:SourceArn": `arn:aws:rds:${REGION}:${ACCOUNT}:db:*` },
    });
  });
});
