/**
 * Root hooks (a mocha root-hook plugin, loaded through .mocharc.json `require`, so every worker of
 * a parallel run loads it too). Under mocks `pulumi.log.warn` prints straight to stderr; here it is
 * captured for the whole process instead, from the moment this module loads, so no warning of the
 * components reaches the test output. A test that cares about a warning asserts on it with
 * fixtures' captureWarnings (which reads from this capture); every other warning must still be one
 * the package is known to give, or the test that caused it fails. It also keeps Pulumi's runtime
 * from recording a stack trace per promise (test/debuggable.ts), which no test reads.
 */
import * as pulumi from "@pulumi/pulumi";
import { recordNoPromiseStacks } from "./debuggable";

recordNoPromiseStacks();

/** The warnings the package gives on purpose, each by a fragment that names its cause. */
export const KNOWN_WARNINGS: RegExp[] = [
  /tls\.issuer\.type is selfSigned: browsers and the Desktop client will not trust the certificate/,
  /tls\.mode is disabled: the platform serves plain HTTP/,
  /database\.systemDatabaseReady is false: the UEPE release is held/,
  /serviceType is ClusterIP: the Desktop client's TCP \d+ is reachable only inside the cluster/,
  /cert-manager is not installed by this component: annotate its service account with/,
  /ClusterAddons issuer\.type is selfSigned: browsers and the Desktop client will not trust/,
  /ClusterAddons ingressNginx\.allowPublic is true: the ingress controller's load balancer is internet-facing/,
  /exposure\.allowPublic is true: the platform's LoadBalancer accepts connections from any address/,
];

type Warn = (msg: string, ...rest: unknown[]) => Promise<void>;
const log = pulumi.log as unknown as { warn: Warn };

/** Every warning since the last check, and the listeners captureWarnings has open. */
const unchecked: string[] = [];
const listeners = new Set<string[]>();

const capture: Warn = (msg: string) => {
  unchecked.push(msg);
  for (const messages of listeners) messages.push(msg);
  return Promise.resolve();
};
log.warn = capture;

/** Collects the warnings given from now until `restore` is called. */
export function listenWarnings(): { messages: string[]; restore: () => void } {
  const messages: string[] = [];
  listeners.add(messages);
  return { messages, restore: () => listeners.delete(messages) };
}

/** Fails on a captured warning that is not one of KNOWN_WARNINGS; forgets what it checked. */
function checkWarnings(): void {
  const unknown = unchecked.splice(0).filter((m) => !KNOWN_WARNINGS.some((w) => w.test(m)));
  if (unknown.length > 0)
    throw new Error(
      `unexpected pulumi.log.warn (assert on it, and add it to KNOWN_WARNINGS in test/setup.ts):\n${unknown.join("\n")}`,
    );
}

export const mochaHooks = {
  afterEach: checkWarnings,
  afterAll: checkWarnings,
};
