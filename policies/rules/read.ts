// Tolerant readers for resource inputs. Inputs come from users, exports and the runtime's proxy:
// a wrong type is treated as absent rather than crashing the rule. Unknown values (preview) make the
// proxy throw UnknownValueError, which the runtime and the engine turn into an advisory.
import * as path from "node:path";

export function list(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}

export function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function num(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

export function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== "";
}

export function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** `labels: [{label, value}]` as a map. */
export function labelsOf(props: Record<string, any>): Map<string, string> {
  const labels = new Map<string, string>();
  for (const entry of list(props.labels)) {
    const label = text(entry?.label);
    const value = text(entry?.value);
    if (label !== undefined && value !== undefined) labels.set(label, value);
  }
  return labels;
}

export interface SecurityOpt {
  index: number;
  raw: string;
  key: string;
  value: string | undefined;
}

/** Parsed once per resource: four rules read the security options, two the host mounts. */
function memoized<T>(parse: (props: Record<string, any>) => T): (props: Record<string, any>) => T {
  const cache = new WeakMap<object, T>();
  return (props) => {
    let value = cache.get(props);
    if (value === undefined) {
      value = parse(props);
      cache.set(props, value);
    }
    return value;
  };
}

/** Docker accepts both `key=value` and the older `key:value` form in `--security-opt`. */
export const securityOpts = memoized((props): SecurityOpt[] =>
  list(props.securityOpts).flatMap((raw, index) => {
    if (typeof raw !== "string") return [];
    const match = /^([^=:]+)[=:](.*)$/.exec(raw);
    return [{ index, raw, key: (match ? match[1] : raw).trim().toLowerCase(), value: match ? match[2].trim() : undefined }];
  }),
);

export interface HostMount {
  /** input path of the field holding the host path, e.g. `volumes[0].hostPath` */
  field: string;
  hostPath: string;
  /** normalized absolute path without a trailing slash ("/" stays "/") */
  normalized: string;
}

/** Host paths bind-mounted into a container, from both `volumes` and `mounts` (type "bind"). */
export const hostMounts = memoized((props): HostMount[] => {
  const found: HostMount[] = [];
  list(props.volumes).forEach((volume, i) => {
    const hostPath = text(volume?.hostPath);
    if (hostPath) found.push({ field: `volumes[${i}].hostPath`, hostPath, normalized: normalizeHostPath(hostPath) });
  });
  list(props.mounts).forEach((mount, i) => {
    const source = text(mount?.source);
    if (text(mount?.type) === "bind" && source) found.push({ field: `mounts[${i}].source`, hostPath: source, normalized: normalizeHostPath(source) });
  });
  return found;
});

export function normalizeHostPath(hostPath: string): string {
  const normalized = path.posix.normalize(hostPath.startsWith("/") ? hostPath : `/${hostPath}`);
  return normalized.length > 1 && normalized.endsWith("/") ? normalized.slice(0, -1) : normalized;
}

/** True when `inner` is `outer` or lies below it. */
export function isWithin(inner: string, outer: string): boolean {
  return outer === "/" || inner === outer || inner.startsWith(`${outer}/`);
}

/** Networks a container joins: `networkMode` (unless it is a mode) and every `networksAdvanced` name. */
export const NETWORK_MODES = new Set(["bridge", "default", "host", "none"]);
export function joinedNetworks(props: Record<string, any>): string[] {
  const names = new Set<string>();
  const mode = text(props.networkMode);
  if (mode && !NETWORK_MODES.has(mode) && !mode.startsWith("container:")) names.add(mode);
  for (const attachment of list(props.networksAdvanced)) {
    const name = text(attachment?.name);
    if (name) names.add(name);
  }
  return [...names];
}
