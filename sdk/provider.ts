/**
 * Multi-language entry point: the Pulumi CLI runs this file (PulumiPlugin.yaml `main`) when a
 * Python, Go, .NET, Java or YAML program uses the package. Loading it starts the provider, so
 * nothing imports it; the provider itself lives in componentProvider.ts.
 */
import { serve } from "./componentProvider";

serve(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
