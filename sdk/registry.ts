import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DIGITALROUTE_REGISTRY } from "./chart";
import { managedLabels } from "./kubernetes";
import { Checker } from "./validation";

/** Where the UEPE images are pulled from. */
export const RegistrySource = { Digitalroute: "digitalroute", Mirror: "mirror" } as const;
export type RegistrySource = (typeof RegistrySource)[keyof typeof RegistrySource];

/** Registry access for the UEPE images. */
export interface RegistryOptions {
  /** `digitalroute` pulls from DigitalRoute's ECR with the keys DigitalRoute issued; `mirror` from your registry. Default: `digitalroute`. */
  source?: RegistrySource;
  /** DigitalRoute-issued AWS access key id (secret). Required for `digitalroute`. */
  accessKeyId?: pulumi.Input<string>;
  /** DigitalRoute-issued AWS secret access key (secret). Required for `digitalroute`. */
  secretAccessKey?: pulumi.Input<string>;
  /** Region of DigitalRoute's ECR. Default: `eu-west-1`. */
  region?: string;
  /** Name of the image pull secret. Default: `ecr-cred`. */
  pullSecretName?: string;
  /** Schedule of the pull secret refresher (ECR tokens live 12 hours). Default: `0 *\/8 * * *`. */
  refreshSchedule?: string;
  /** Image repository of your mirror (the four UEPE tags keep their suffixes). Required for `mirror`. */
  repository?: string;
  /** Registry server of your mirror for its pull secret. Default: no pull secret (nodes pull with their IAM role). */
  server?: string;
  /** User for the mirror's pull secret. */
  username?: pulumi.Input<string>;
  /** Password for the mirror's pull secret (secret). */
  password?: pulumi.Input<string>;
  /** AWS CLI image for the refresher. Default: a pinned public.ecr.aws/aws-cli/aws-cli tag. */
  awsCliImage?: string;
  /** kubectl image for the refresher. Default: a pinned registry.k8s.io/kubectl tag. */
  kubectlImage?: string;
}

export interface RegistryAccessArgs {
  /** Registry settings. */
  registry?: RegistryOptions;
  /** Namespace of the pull secret (the release namespace). */
  namespace: pulumi.Input<string>;
}

export interface ResolvedRegistry {
  source: RegistrySource;
  region: string;
  pullSecretName: string;
}

const REGISTRY_KEYS = [
  "source",
  "accessKeyId",
  "secretAccessKey",
  "region",
  "pullSecretName",
  "refreshSchedule",
  "repository",
  "server",
  "username",
  "password",
  "awsCliImage",
  "kubectlImage",
];

export function resolveRegistry(
  check: Checker,
  path: string,
  options: RegistryOptions | undefined,
): ResolvedRegistry {
  const o = options ?? {};
  check.knownKeys(path, o, REGISTRY_KEYS);
  const resolved: ResolvedRegistry = {
    source: o.source ?? "digitalroute",
    region: o.region ?? "eu-west-1",
    pullSecretName: o.pullSecretName ?? "ecr-cred",
  };
  check.oneOf(`${path}.source`, resolved.source, ["digitalroute", "mirror"]);
  check.rfc1123Subdomain(`${path}.pullSecretName`, resolved.pullSecretName);
  check.pattern(
    `${path}.region`,
    resolved.region,
    /^[a-z]{2}(-[a-z]+)+-\d$/,
    "an AWS region such as eu-west-1",
  );
  if (resolved.source === "digitalroute") {
    check.required(`${path}.accessKeyId`, o.accessKeyId, "the access key id DigitalRoute issued");
    check.required(`${path}.secretAccessKey`, o.secretAccessKey, "the secret access key DigitalRoute issued");
  } else {
    check.required(`${path}.repository`, o.repository, "your mirror's image repository");
  }
  return resolved;
}

/**
 * Access to the UEPE images: the `ecr-cred` docker-registry pull secret for DigitalRoute's ECR,
 * made from the access keys DigitalRoute issued.
 */
export class RegistryAccess extends pulumi.ComponentResource {
  /** Name of the image pull secret the chart references. */
  public readonly pullSecretName: pulumi.Output<string>;

  constructor(name: string, args: RegistryAccessArgs, opts?: pulumi.ComponentResourceOptions) {
    const check = new Checker("RegistryAccess");
    const registry = resolveRegistry(check, "registry", args.registry);
    check.required("namespace", args.namespace, "the release namespace");
    check.throwIfAny();
    super("usage-engine:index:RegistryAccess", name, {}, opts);

    const provider = new aws.Provider(
      `${name}-digitalroute`,
      {
        region: registry.region as aws.Region,
        accessKey: pulumi.secret(args.registry?.accessKeyId ?? ""),
        secretKey: pulumi.secret(args.registry?.secretAccessKey ?? ""),
        skipCredentialsValidation: true,
      },
      { parent: this },
    );
    const token = aws.ecr.getAuthorizationTokenOutput(
      { registryId: DIGITALROUTE_REGISTRY.split(".")[0] },
      { parent: this, provider },
    );
    const dockerConfig = pulumi.secret(
      pulumi.jsonStringify({
        auths: { [`https://${DIGITALROUTE_REGISTRY}`]: { auth: token.authorizationToken } },
      }),
    );
    const secret = new k8s.core.v1.Secret(
      `${name}-pull-secret`,
      {
        metadata: { name: registry.pullSecretName, namespace: args.namespace, labels: managedLabels() },
        type: "kubernetes.io/dockerconfigjson",
        stringData: { ".dockerconfigjson": dockerConfig },
      },
      { parent: this },
    );
    this.pullSecretName = secret.metadata.name;
    this.registerOutputs({ pullSecretName: this.pullSecretName });
  }
}
