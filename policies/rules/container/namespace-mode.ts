// Shared check for the `*Mode: "host"` namespace rules (5.10, 5.16, 5.17, 5.31, 5.25's cgroupnsMode).
import type { Violation } from "../rule";
import { show, text } from "../read";

export function hostNamespaceViolation(props: Record<string, any>, field: string, namespace: string, fix?: string): Violation | undefined {
  const mode = text(props[field]);
  if (mode?.trim().toLowerCase() !== "host") return undefined;
  return { field, found: `is ${show(mode)} (the host's ${namespace} namespace is shared)`, fix: fix ?? `remove ${field} so the container gets a private ${namespace} namespace` };
}
