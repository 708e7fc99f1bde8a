/** Labels on every Kubernetes object the package creates itself. */
export function managedLabels(component = "usage-engine"): Record<string, string> {
  return { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": component };
}
