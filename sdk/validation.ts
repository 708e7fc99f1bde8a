import { isIP } from "node:net";
import * as pulumi from "@pulumi/pulumi";
import * as semver from "semver";
import { awsCronWithinWindow, type CronWindow, isKubernetesCron, parseAwsCron } from "./cron";
import { didYouMean } from "./suggest";

/** One problem found in the arguments: where, what is wrong, and what would be accepted. */
export interface ArgumentProblem {
  path: string;
  message: string;
}

/**
 * Thrown before any resource is registered when arguments are invalid. Carries every problem
 * found in one call, so a user fixes them all at once instead of one `pulumi preview` each. It is
 * Pulumi's own InputPropertiesError, so the engine shows each problem against its property the way
 * it does for first-party components; the message still lists them all for program authors.
 */
export class ArgumentError extends pulumi.InputPropertiesError {
  readonly problems: readonly ArgumentProblem[];

  constructor(component: string, problems: readonly ArgumentProblem[]) {
    const lines = problems.map((p) => `  - ${p.path}: ${p.message}`);
    super({
      message: `Invalid ${component} arguments:\n${lines.join("\n")}`,
      errors: problems.map((p) => ({ propertyPath: p.path, reason: p.message })),
    });
    this.name = "ArgumentError";
    this.problems = problems;
  }
}

/**
 * Thrown at deployment, before any resource that consumes the value is created, when a value
 * Pulumi only knew then (an Output such as a config secret) breaks an argument rule. Worded like
 * ArgumentError; a RunError, so the CLI prints the message without a stack trace. Never carries
 * the value.
 */
export class DeployTimeArgumentError extends pulumi.RunError {
  readonly problems: readonly ArgumentProblem[];

  constructor(component: string, problems: readonly ArgumentProblem[]) {
    const lines = problems.map((p) => `  - ${p.path}: ${p.message}`);
    const message = `Invalid ${component} arguments (checked at deployment):\n${lines.join("\n")}`;
    super(message);
    this.name = "DeployTimeArgumentError";
    this.problems = problems;
    // Pulumi prefixes the message with each internal property it was serializing ("values",
    // "stringData"), which says nothing to the user; the argument path already says where.
    Object.defineProperty(this, "message", { get: () => message, set: () => undefined });
  }
}

/**
 * A rule on a string argument, applied to a plain value while arguments are resolved and to an
 * Output once it resolves. `problem` says what is wrong without quoting the value.
 */
export interface InputRule {
  /** The form that would be accepted. */
  readonly accepted: string;
  /** What is wrong with the value, or undefined when it holds. */
  problem(value: string): string | undefined;
}

/** The problem a value has under a rule: not a string at all, or what the rule says. */
function ruleProblem(value: unknown, rule: InputRule, path: string): string | undefined {
  if (typeof value !== "string") return `${show(value, path)} is not a string`;
  return rule.problem(value);
}

/** Characters RDS refuses in a master password: '/', ''', '"', '@' and space. */
const RDS_FORBIDDEN = /[/'"@ ]/;

/** The database password rules: RDS's for a master password, which JDBC URLs also accept. */
export const DATABASE_PASSWORD: InputRule = {
  accepted:
    "8 to 128 printable ASCII characters without '/', ''', '\"', '@' or space (RDS's master password rules)",
  problem: (value) => {
    if (value.length < 8) return "is shorter than 8 characters (value hidden)";
    if (value.length > 128) return "is longer than 128 characters (value hidden)";
    if (!/^[\x20-\x7e]*$/.test(value))
      return "contains a character that is not printable ASCII (value hidden)";
    if (RDS_FORBIDDEN.test(value))
      return "contains '/', ''', '\"', '@' or a space, which RDS refuses (value hidden)";
    return undefined;
  },
};

/** Text that must not be empty or only white space (the license, a registry password). */
export function nonBlank(accepted: string): InputRule {
  return {
    accepted,
    problem: (value) => (value.trim() === "" ? "is empty or only white space (value hidden)" : undefined),
  };
}

/** The license key: any text, but not empty or only white space. */
export const LICENSE_KEY = nonBlank("the license key text DigitalRoute issued (secret)");

/** Long-term (AKIA) or temporary (ASIA) AWS access key id. */
export const ACCESS_KEY_ID: InputRule = {
  accepted: "AKIA or ASIA followed by 16 upper-case letters or digits, 20 characters in all",
  problem: (value) =>
    AWS_ACCESS_KEY_ID.test(value) ? undefined : "is not shaped like an AWS access key id (value hidden)",
};

/** A cluster's IAM OIDC provider ARN (`arn:aws:iam::<account>:oidc-provider/<issuer host and path>`). */
export const OIDC_PROVIDER_ARN: InputRule = {
  accepted:
    "an ARN such as arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE",
  problem: (value) => {
    const m = ARN.exec(value);
    return m && m[1] === "iam" && m[4].startsWith("oidc-provider/") && m[4].length > "oidc-provider/".length
      ? undefined
      : `"${value}" is not an IAM OIDC provider ARN`;
  },
};

/** An EKS cluster name. */
export const EKS_CLUSTER: InputRule = {
  accepted:
    "an EKS cluster name: letters, digits, '-' and '_', starting with a letter or digit, at most 100 characters",
  problem: (value) =>
    EKS_CLUSTER_NAME.test(value) ? undefined : `"${value}" is not a valid EKS cluster name`,
};

/** An AWS secret access key: 40 characters of base64's alphabet. */
export const SECRET_ACCESS_KEY: InputRule = {
  accepted: "40 characters of letters, digits, '/' and '+'",
  problem: (value) =>
    /^[A-Za-z0-9/+]{40}$/.test(value)
      ? undefined
      : "is not shaped like an AWS secret access key (value hidden)",
};

/**
 * A file given base64-encoded (`base64 -w0 keystore.jks`): white space is ignored, the rest must
 * decode; `problem` is what is said when it does not.
 */
export function base64File(accepted: string, problem = "is not base64 (value hidden)"): InputRule {
  return {
    accepted,
    problem: (value) => (isBase64(value.replace(/\s/g, "")) ? undefined : problem),
  };
}

/** Each PEM block's body: base64 lines after any `Name: value` headers (legacy encrypted keys). */
const PEM_BLOCKS = /-----BEGIN [A-Z0-9 ]+-----([\s\S]*?)-----END [A-Z0-9 ]+-----/g;

/** Whether every PEM block in the text has a body that decodes as base64. */
function pemBodiesDecode(text: string): boolean {
  const bodies = [...text.matchAll(PEM_BLOCKS)].map((m) =>
    m[1]
      .split(/\r?\n/)
      .filter((line) => !line.includes(":"))
      .join("")
      .replace(/\s/g, ""),
  );
  return bodies.length > 0 && bodies.every(isBase64);
}

/** Text in PEM blocks that `pattern` recognises (a certificate, a private key), each of which decodes. */
export function pemBlock(accepted: string, pattern: RegExp): InputRule {
  return {
    accepted,
    problem: (value) => {
      if (!pattern.test(value.trim())) return "is not in the expected format (value hidden)";
      return pemBodiesDecode(value)
        ? undefined
        : "is not in the expected format: a PEM body does not decode as base64 (value hidden)";
    },
  };
}

/** A DNS host name: letters, digits and '-' in labels of at most 63, 253 characters in all. */
const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?)*$/;

/** A database server: a host name or an IP address, nothing around it. */
export const DATABASE_HOST: InputRule = {
  accepted: "a host name or IP address without scheme, port or path, such as db.example.com or 10.0.1.5",
  problem: (value) => {
    const shown = JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
    if (isIP(value) !== 0 || HOST_NAME.test(value)) return undefined;
    if (value.trim() !== value) return `${shown} has white space around it`;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return `${shown} has a scheme`;
    if (value.includes("/")) return `${shown} has a path`;
    if (/:\d+$/.test(value)) return `${shown} has a port (give it as port)`;
    return `${shown} is not a host name or IP address`;
  },
};

/** A value Pulumi will only know at deployment time; checks that need the value skip it. */
export function isUnknown(value: unknown): boolean {
  return pulumi.Output.isInstance(value) || value instanceof Promise;
}

/**
 * Argument names whose values are secrets wherever they appear: the license, passwords, access
 * keys, tokens, keystores and private keys. A value under such a path is never rendered in an
 * error message, even when it has the wrong shape (a password string given where an object of
 * passwords was expected).
 */
const SECRET_SEGMENT =
  /^(licenseKey|accessKeyId|secretAccessKey|secretKey|accessKey|.*[pP]asswords?|.*[tT]oken|keystore|keystoreJks|tlsKey|privateKey|extra)$/;
/** Blocks whose values name secrets (Secret key names) without being secrets. */
const SECRET_NAME_SEGMENT = /^keyNames$/;

/** True when a value at this argument path (e.g. `credentials.passwords.jdbc`) is a secret. */
export function isSecretPath(path: string): boolean {
  const segments = path.split(/[.[\]]/);
  return !segments.some((s) => SECRET_NAME_SEGMENT.test(s)) && segments.some((s) => SECRET_SEGMENT.test(s));
}

/** Renders a user value for an error message; values under a secret path are never rendered. */
function show(value: unknown, path = ""): string {
  if (isSecretPath(path)) return "the given value (hidden)";
  if (typeof value === "string")
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (value === null) return "null";
  if (typeof value === "object") return "an object";
  return String(value);
}

const RFC1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const RFC1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SECRET_DATA_KEY = /^[-._a-zA-Z0-9]+$/;
const HOSTNAME = /^(\*\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]([-a-z0-9]*[a-z0-9])?$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ARN = /^arn:aws[a-zA-Z-]*:([a-z0-9-]+):([a-z0-9-]*):(\d{12})?:(.+)$/;
const AWS_ACCOUNT_ID = /^\d{12}$/;
const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const IMAGE_REFERENCE =
  /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
/** An image reference without tag or digest: `[registry[:port]/]path`. */
const IMAGE_REPOSITORY =
  /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
/** Long-term (AKIA) or temporary (ASIA) AWS access key id. */
const AWS_ACCESS_KEY_ID = /^(AKIA|ASIA)[A-Z0-9]{16}$/;
/** An AWS region name, commercial, GovCloud or ISO: eu-west-1, us-gov-west-1, us-isob-east-1. */
const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
/** EKS cluster names: a letter or digit, then letters, digits, '-' and '_', at most 100 in all. */
const EKS_CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;
/** Padded standard base64, as `base64 -w0` writes it. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Whether text (white space removed by the caller) is padded standard base64. */
export function isBase64(text: string): boolean {
  return text.length > 0 && BASE64.test(text);
}

/**
 * Collects problems while arguments are resolved, then throws them together.
 * Every check skips values that are unknown until deployment (Outputs, Promises) and
 * values that are `undefined` unless `required` is used.
 */
export class Checker {
  private readonly problems: ArgumentProblem[] = [];
  /** Secret strings seen while checking: scrubbed from every message as a second line of defence. */
  private readonly secrets = new Set<string>();

  constructor(readonly component: string) {}

  /** Records a problem: `problem` says what is wrong, `accepted` the form that would work. */
  fail(path: string, problem: string, accepted?: string): void {
    const message = accepted ? `${problem}; expected ${accepted}` : problem;
    // Two parts may check one shared block (RDS and EFS both check `network`): report it once.
    if (!this.problems.some((p) => p.path === path && p.message === message))
      this.problems.push({ path, message });
  }

  /** Throws an {@link ArgumentError} carrying every problem recorded so far. */
  throwIfAny(): void {
    if (this.problems.length === 0) return;
    const scrub = (text: string) =>
      [...this.secrets].reduce((out, secret) => out.split(secret).join("***"), text);
    throw new ArgumentError(
      this.component,
      this.problems.map((p) => ({ path: p.path, message: scrub(p.message) })),
    );
  }

  required(path: string, value: unknown, accepted: string): boolean {
    if (value === undefined || value === null || value === "") {
      this.fail(path, "is required", accepted);
      return false;
    }
    return true;
  }

  /** True when the value is present and known, i.e. worth checking further. */
  private present(value: unknown): boolean {
    return value !== undefined && !isUnknown(value);
  }

  string(path: string, value: unknown, accepted = "a string"): value is string {
    if (!this.present(value)) return false;
    if (typeof value !== "string") {
      this.fail(path, `${show(value, path)} is not a string`, accepted);
      return false;
    }
    return true;
  }

  /** A secret string: type-checked, never echoed. */
  secret(path: string, value: unknown, accepted = "a non-empty string"): void {
    if (!this.present(value)) return;
    if (typeof value === "string" && value.length >= 4) this.secrets.add(value);
    if (typeof value !== "string" || value.length === 0)
      this.fail(path, "is not a non-empty string (value hidden)", accepted);
  }

  /**
   * Applies `rule` to an argument: a plain value now (recording a problem), an Output or Promise
   * once it resolves. Returns the value to hand on: for an Output, one that rejects with a
   * DeployTimeArgumentError instead of resolving when the rule is broken, so no resource that
   * consumes it is created. An Output still unknown in a preview passes.
   */
  input(path: string, value: pulumi.Input<string>, rule: InputRule): pulumi.Input<string>;
  input(
    path: string,
    value: pulumi.Input<string> | undefined,
    rule: InputRule,
  ): pulumi.Input<string> | undefined;
  input(
    path: string,
    value: pulumi.Input<string> | undefined,
    rule: InputRule,
  ): pulumi.Input<string> | undefined {
    if (value === undefined) return value;
    if (!isUnknown(value)) {
      if (typeof value === "string" && value.length >= 4 && isSecretPath(path)) this.secrets.add(value);
      const problem = ruleProblem(value, rule, path);
      // A value already reported here (e.g. as missing) is not reported twice.
      if (problem !== undefined && !this.problems.some((p) => p.path === path))
        this.fail(path, problem, rule.accepted);
      return value;
    }
    const component = this.component;
    return pulumi.output(value).apply((resolved) => {
      const problem = ruleProblem(resolved, rule, path);
      if (problem === undefined) return resolved;
      throw new DeployTimeArgumentError(component, [
        { path, message: `${problem}; expected ${rule.accepted}` },
      ]);
    });
  }

  pattern(path: string, value: unknown, re: RegExp, accepted: string): void {
    if (this.string(path, value, accepted) && !re.test(value))
      this.fail(path, `${show(value, path)} is not valid`, accepted);
  }

  oneOf<T extends string>(path: string, value: unknown, allowed: readonly T[]): value is T {
    if (!this.present(value)) return false;
    if (!allowed.some((a) => a === value)) {
      const hint = typeof value === "string" && !isSecretPath(path) ? didYouMean(value, allowed) : "";
      this.fail(
        path,
        `${show(value, path)} is not supported${hint}`,
        `one of ${allowed.map((a) => `"${a}"`).join(", ")}`,
      );
      return false;
    }
    return true;
  }

  boolean(path: string, value: unknown): void {
    if (this.present(value) && typeof value !== "boolean")
      this.fail(path, `${show(value, path)} is not a boolean`, "true or false");
  }

  integer(path: string, value: unknown, min: number, max: number, unit = ""): value is number {
    if (!this.present(value)) return false;
    const suffix = unit ? ` ${unit}` : "";
    if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max) {
      this.fail(
        path,
        `${show(value, path)} is out of range`,
        `a whole number from ${min} to ${max}${suffix}`,
      );
      return false;
    }
    return true;
  }

  list(path: string, value: unknown, minItems = 0): value is unknown[] {
    if (!this.present(value)) return false;
    if (!Array.isArray(value)) {
      this.fail(path, `${show(value, path)} is not a list`, "a list");
      return false;
    }
    if (value.length < minItems) {
      this.fail(path, `has ${value.length} item(s)`, `at least ${minItems}`);
      return false;
    }
    const seen = new Set<unknown>();
    value.forEach((item, i) => {
      if (!isUnknown(item) && seen.has(item))
        this.fail(`${path}[${i}]`, `${show(item, path)} is listed twice`, "distinct items");
      seen.add(item);
    });
    return true;
  }

  /** Rejects keys that are not part of the interface, with a "did you mean" hint. */
  knownKeys(path: string, value: unknown, allowed: readonly string[]): value is Record<string, unknown> {
    if (!this.present(value)) return false;
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      this.fail(path || "(args)", `${show(value, path)} is not an object`, "an object");
      return false;
    }
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        const where = path ? `${path}.${key}` : key;
        this.fail(
          where,
          `is not a known argument${didYouMean(key, allowed)}`,
          `one of ${allowed.join(", ")}`,
        );
      }
    }
    return true;
  }

  /** A map such as chart values: a plain object, not a list or a scalar. */
  map(path: string, value: unknown, accepted: string): void {
    if (value !== undefined && (typeof value !== "object" || value === null || Array.isArray(value)))
      this.fail(path, "is not an object", accepted);
  }

  /** A DNS-1123 label: Kubernetes namespaces, Helm release names, Service names. */
  rfc1123Label(path: string, value: unknown, maxLength = 63): void {
    const accepted = `lower-case letters, digits and '-', starting and ending with a letter or digit, at most ${maxLength} characters`;
    if (this.string(path, value, accepted) && (value.length > maxLength || !RFC1123_LABEL.test(value)))
      this.fail(path, `${show(value, path)} is not a valid name`, accepted);
  }

  /** A DNS-1123 subdomain: Kubernetes object names such as Secrets and PVCs. */
  rfc1123Subdomain(path: string, value: unknown): void {
    const accepted =
      "lower-case letters, digits, '-' and '.', starting and ending with a letter or digit, at most 253 characters";
    if (this.string(path, value, accepted) && (value.length > 253 || !RFC1123_SUBDOMAIN.test(value)))
      this.fail(path, `${show(value, path)} is not a valid name`, accepted);
  }

  /** A key in a Secret's or ConfigMap's data, as Kubernetes accepts it (IsConfigMapKey). */
  secretDataKey(path: string, value: unknown): value is string {
    const accepted =
      "letters, digits, '-', '_' and '.' ([-._a-zA-Z0-9]+), at most 253 characters, not '.' or '..'";
    if (!this.string(path, value, accepted)) return false;
    if (value.length > 253 || !SECRET_DATA_KEY.test(value) || value === "." || value.startsWith("..")) {
      this.fail(path, `${show(value, path)} is not a valid Secret key`, accepted);
      return false;
    }
    return true;
  }

  /** A fully qualified DNS name (RFC 1123): lower-case labels of at most 63 characters, 253 in all. */
  hostname(path: string, value: unknown): void {
    const accepted = "a fully qualified lower-case DNS name such as uepe.example.com";
    const tooLong = (name: string) => name.length > 253 || name.split(".").some((label) => label.length > 63);
    if (this.string(path, value, accepted) && (tooLong(value) || !HOSTNAME.test(value)))
      this.fail(path, `${show(value, path)} is not a valid host name`, accepted);
  }

  email(path: string, value: unknown): void {
    this.pattern(path, value, EMAIL, "an e-mail address such as ops@example.com");
  }

  semver(path: string, value: unknown): value is string {
    const accepted = "a semantic version such as 4.2.0";
    if (!this.string(path, value, accepted)) return false;
    if (semver.valid(value) === null) {
      this.fail(path, `${show(value, path)} is not a semantic version`, accepted);
      return false;
    }
    return true;
  }

  /** An ARN, optionally of one AWS service (e.g. "kms"). */
  arn(path: string, value: unknown, service?: string, resourcePrefix?: string): void {
    const accepted = `an ARN such as arn:aws:${service ?? "<service>"}:eu-west-1:123456789012:${resourcePrefix ?? "<resource>"}...`;
    if (!this.string(path, value, accepted)) return;
    const m = ARN.exec(value);
    if (!m || (service && m[1] !== service) || (resourcePrefix && !m[4].startsWith(resourcePrefix)))
      this.fail(
        path,
        `${show(value, path)} is not a valid ${service ? `${service.toUpperCase()} ` : ""}ARN`,
        accepted,
      );
  }

  awsAccountId(path: string, value: unknown): void {
    this.pattern(path, value, AWS_ACCOUNT_ID, "a 12-digit AWS account id");
  }

  /** A list of IPv4 CIDR blocks, each checked; true when it is a list (its items may be wrong). */
  cidrs(path: string, value: unknown): value is unknown[] {
    if (!this.list(path, value)) return false;
    value.forEach((cidr, i) => {
      this.cidr(`${path}[${i}]`, cidr);
    });
    return true;
  }

  /** An IPv4 CIDR block such as 10.0.0.0/16. */
  cidr(path: string, value: unknown): void {
    const accepted = "an IPv4 CIDR block such as 203.0.113.0/24";
    if (!this.string(path, value, accepted)) return;
    const m = IPV4_CIDR.exec(value);
    const octetsOk = m?.slice(1, 5).every((o) => Number(o) <= 255);
    if (!m || !octetsOk || Number(m[5]) > 32)
      this.fail(path, `${show(value, path)} is not a CIDR block`, accepted);
  }

  /** A container image reference such as public.ecr.aws/aws-cli/aws-cli:2.22.0. */
  image(path: string, value: unknown): void {
    const accepted =
      "an image reference such as registry.example.com/team/image:1.2.3, optionally pinned by digest (…:1.2.3@sha256:<64 hex>)";
    if (this.string(path, value, accepted) && !IMAGE_REFERENCE.test(value))
      this.fail(path, `${show(value, path)} is not a valid image reference`, accepted);
  }

  /** An image repository without tag or digest, such as registry.example.com/team/image. */
  imageRepository(path: string, value: unknown): void {
    const accepted = "an image repository without tag or digest, such as registry.example.com/team/image";
    if (this.string(path, value, accepted) && !IMAGE_REPOSITORY.test(value))
      this.fail(path, `${show(value, path)} is not a valid image repository`, accepted);
  }

  /** The name of an EKS cluster, such as uepe-cluster. */
  eksClusterName(path: string, value: unknown): void {
    this.pattern(
      path,
      value,
      EKS_CLUSTER_NAME,
      "an EKS cluster name: letters, digits, '-' and '_', starting with a letter or digit, at most 100 characters",
    );
  }

  /** An AWS region name such as eu-west-1. */
  awsRegion(path: string, value: unknown): void {
    this.pattern(path, value, AWS_REGION, "an AWS region such as eu-west-1");
  }

  /** A Kubernetes CronJob schedule (five fields), parsed with cron-parser. */
  kubernetesCron(path: string, value: unknown): void {
    const accepted = 'a five-field cron expression such as "0 */8 * * *"';
    if (!this.string(path, value, accepted)) return;
    if (!isKubernetesCron(value))
      this.fail(path, `${show(value, path)} is not a valid cron schedule`, accepted);
  }

  /**
   * Cross-field: a job on AWS cron `schedule` must start inside `window` and, with
   * `durationMinutes`, finish before it closes. Skips values that are missing or malformed. The
   * problem is reported at `path`, naming the schedule as `subject` (default: the schedule itself)
   * and `accepted` as the form that would work.
   */
  awsCronWithin(
    path: string,
    schedule: unknown,
    window: CronWindow | undefined,
    durationMinutes = 0,
    wording: { subject?: string; accepted?: string } = {},
  ): void {
    if (typeof schedule !== "string" || !window) return;
    if (typeof window.from !== "string" || typeof window.until !== "string") return;
    if (awsCronWithinWindow(schedule, window, durationMinutes) === false)
      this.fail(
        path,
        `${wording.subject ?? show(schedule, path)} does not ${durationMinutes > 0 ? `start and finish (${durationMinutes} min)` : "start"} inside the window from "${window.from}" until "${window.until}"`,
        wording.accepted ?? "a schedule whose every run falls inside the window (UTC)",
      );
  }

  /** An AWS Backup schedule: `cron(min hour day-of-month month day-of-week year)`. */
  awsCron(path: string, value: unknown): void {
    const accepted = 'an AWS cron expression such as "cron(0 3 * * ? *)"';
    if (!this.string(path, value, accepted)) return;
    if (parseAwsCron(value) === undefined)
      this.fail(path, `${show(value, path)} is not a valid AWS cron expression`, accepted);
  }
}
