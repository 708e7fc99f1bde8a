import * as assert from "node:assert/strict";
import { releaseArgs } from "../sdk/release";
import { defaultArgs, deploy } from "./fixtures";
import { at, one, resetMocks } from "./harness";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const CHART = {
  repository: "https://charts.example.com/uepe",
  name: "usage-engine-private-edition",
  version: "4.2.0",
};

describe("UEPE Helm release", () => {
  beforeEach(() => resetMocks());

  describe("releaseArgs", () => {
    const args = releaseArgs({ releaseName: "uepe", namespace: "uepe", chart: CHART, values: { a: 1 } });

    it("rolls a failed upgrade back and removes what it created", () => {
      assert.equal(args.atomic, true);
      assert.equal(args.cleanupOnFail, true);
    });

    it("waits for the platform, long enough for the system database migration", () => {
      assert.equal(args.skipAwait, false);
      assert.ok(Number(args.timeout) >= 900, `timeout ${args.timeout}s is too short for a DB migration`);
      assert.equal(args.timeout, 1800);
    });

    it("keeps a bounded Helm history so earlier revisions can be inspected", () => {
      const history = Number(args.maxHistory);
      assert.ok(history >= 2 && history <= 20, `maxHistory ${history}`);
    });

    it("never lets Helm create the namespace", () => {
      assert.equal(args.createNamespace, false);
    });

    it("installs exactly the requested chart from the requested repository", () => {
      assert.equal(args.name, "uepe");
      assert.equal(args.chart, CHART.name);
      assert.equal(args.version, CHART.version);
      assert.deepEqual(args.repositoryOpts, { repo: CHART.repository });
      assert.deepEqual(args.values, { a: 1 });
    });
  });

  describe("inside the stack", () => {
    it("registers the release with every behaviour option", async () => {
      await deploy();
      const inputs = one(RELEASE, "uepe-release").inputs;
      const behaviour = {
        atomic: true,
        cleanupOnFail: true,
        skipAwait: false,
        timeout: 1800,
        maxHistory: 10,
        createNamespace: false,
      };
      for (const [key, value] of Object.entries(behaviour))
        assert.deepEqual(inputs[key], value, `release input ${key}`);
    });

    it("installs the chart version override when one is given", async () => {
      await deploy(defaultArgs({ chart: { version: "4.2.1", repository: CHART.repository } }));
      const inputs = one(RELEASE, "uepe-release").inputs;
      assert.equal(inputs.version, "4.2.1");
      assert.equal(at(inputs, "repositoryOpts.repo"), CHART.repository);
    });
  });
});
