import { componentProviderHost } from "@pulumi/pulumi/provider/experimental";
import { UsageEngineStack } from "./usageEngineStack";

/** Pulumi package name; fixed so the token stays `usage-engine:index:UsageEngineStack` whatever the npm name. */
export const PACKAGE_NAME = "usage-engine";

/** Components other languages can use through `pulumi package add`. */
export const COMPONENTS = [UsageEngineStack];

if (require.main === module) {
  componentProviderHost({ components: COMPONENTS, name: PACKAGE_NAME, dirname: __dirname }).catch(
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
