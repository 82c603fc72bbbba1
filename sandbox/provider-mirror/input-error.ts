// The sandbox reproduces a resource faithfully or refuses it: every refusal names the resource,
// the exact input path and what to do about it.
export class SandboxInputError extends Error {
  constructor(
    readonly resource: string,
    readonly path: string,
    problem: string,
  ) {
    super(`${resource}: input ${path}: ${problem}`);
    this.name = "SandboxInputError";
  }
}

/** Terraform's `d.GetOk`: zero values (false, 0, "", empty list/map) count as unset. */
export function isSet(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === "") return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object") return Object.keys(value as object).length > 0;
  return true;
}

/** Fails on any set input that is not in `handled`, naming it. */
export function rejectUnhandled(resource: string, inputs: Record<string, unknown>, handled: ReadonlySet<string>, prefix = ""): void {
  for (const [key, value] of Object.entries(inputs)) {
    if (handled.has(key) || !isSet(value)) continue;
    throw new SandboxInputError(resource, `${prefix}${key}`, "the sandbox cannot reproduce this input faithfully; remove it or add its mapping to sandbox/provider-mirror");
  }
}

export function asString(resource: string, path: string, value: unknown): string {
  if (typeof value !== "string") throw new SandboxInputError(resource, path, `expected a string, got ${JSON.stringify(value)}`);
  return value;
}

export function asNumber(resource: string, path: string, value: unknown): number {
  if (typeof value !== "number" || !Number.isFinite(value)) throw new SandboxInputError(resource, path, `expected a number, got ${JSON.stringify(value)}`);
  return value;
}

export function asStringList(resource: string, path: string, value: unknown): string[] {
  if (!Array.isArray(value)) throw new SandboxInputError(resource, path, `expected a list of strings, got ${JSON.stringify(value)}`);
  return value.map((item, i) => asString(resource, `${path}[${i}]`, item));
}

export function asStringMap(resource: string, path: string, value: unknown): Record<string, string> {
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new SandboxInputError(resource, path, `expected a map of strings, got ${JSON.stringify(value)}`);
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, asString(resource, `${path}.${key}`, inner)]));
}

/** `[{label, value}]` (the provider's label set) → a Docker label map. */
export function labelMap(resource: string, path: string, value: unknown): Record<string, string> {
  if (!isSet(value)) return {};
  if (!Array.isArray(value)) throw new SandboxInputError(resource, path, "expected a list of {label, value}");
  const labels: Record<string, string> = {};
  value.forEach((entry, i) => {
    const item = entry as Record<string, unknown>;
    rejectUnhandled(resource, item, new Set(["label", "value"]), `${path}[${i}].`);
    labels[asString(resource, `${path}[${i}].label`, item.label)] = asString(resource, `${path}[${i}].value`, item.value);
  });
  return labels;
}
