/**
 * What the Pod Security "restricted" profile and the image rules say about a pod spec: shared by
 * the policy suite (house rules over every scenario) and the suites of the package's own Jobs.
 */

// biome-ignore lint/suspicious/noExplicitAny: pod specs are read as plain JSON
export type Json = any;

/** The pod spec inside a workload, whatever its kind. */
export function podSpecOf(kind: string, object: Json): Json | undefined {
  if (kind === "Pod") return object.spec;
  if (kind === "CronJob") return object.spec?.jobTemplate?.spec?.template?.spec;
  if (["Job", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"].includes(kind))
    return object.spec?.template?.spec;
  return undefined;
}

/** Volume types the Pod Security "restricted" profile allows. */
const RESTRICTED_VOLUMES = new Set([
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
]);

/**
 * Pod Security Standards, "restricted" profile
 * (https://kubernetes.io/docs/concepts/security/pod-security-standards/): what a pod spec breaks.
 */
export function restrictedViolations(pod: Json): string[] {
  const out: string[] = [];
  const podSc = pod.securityContext ?? {};
  for (const host of ["hostNetwork", "hostPID", "hostIPC"]) if (pod[host]) out.push(`${host} is set`);
  for (const volume of pod.volumes ?? []) {
    const type = Object.keys(volume).find((k) => k !== "name");
    if (type && !RESTRICTED_VOLUMES.has(type)) out.push(`volume ${volume.name} is ${type}`);
  }
  const containers = [
    ...(pod.initContainers ?? []),
    ...(pod.containers ?? []),
    ...(pod.ephemeralContainers ?? []),
  ];
  if (containers.length === 0) out.push("no containers");
  for (const c of containers) {
    const sc = c.securityContext ?? {};
    const where = `container ${c.name}`;
    if (sc.privileged) out.push(`${where} is privileged`);
    if (sc.allowPrivilegeEscalation !== false)
      out.push(`${where} does not set allowPrivilegeEscalation: false`);
    if (!(sc.capabilities?.drop ?? []).includes("ALL")) out.push(`${where} does not drop ALL capabilities`);
    for (const cap of sc.capabilities?.add ?? [])
      if (cap !== "NET_BIND_SERVICE") out.push(`${where} adds capability ${cap}`);
    if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) out.push(`${where} may run as root`);
    if ((sc.runAsUser ?? podSc.runAsUser) === 0) out.push(`${where} runs as uid 0`);
    const seccomp = sc.seccompProfile?.type ?? podSc.seccompProfile?.type;
    if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") out.push(`${where} has no seccomp profile`);
    for (const port of c.ports ?? []) if (port.hostPort) out.push(`${where} uses hostPort ${port.hostPort}`);
    if (sc.procMount && sc.procMount !== "Default") out.push(`${where} uses procMount ${sc.procMount}`);
  }
  return out;
}

/** Images that are no longer published or maintained. */
const UNMAINTAINED_IMAGES = [/(^|\/)bitnami\/kubectl([:@]|$)/];

/** Problems of an image reference: unpinned (no tag, or `latest`) or unmaintained. */
export function imageProblems(image: string): string[] {
  const out: string[] = [];
  const digest = /@sha256:[a-f0-9]{64}$/.test(image);
  const tag = /:([\w][\w.-]{0,127})$/.exec(
    image.replace(/@sha256:[a-f0-9]{64}$/, "").replace(/^[^/]+:\d+\//, "x/"),
  )?.[1];
  if (!digest && (!tag || tag === "latest")) out.push(`image ${image} is not pinned`);
  if (UNMAINTAINED_IMAGES.some((re) => re.test(image))) out.push(`image ${image} is no longer maintained`);
  return out;
}
