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

/**
 * The platform's labels as the pack reads them. The pack imports nothing outside policies/, so it spells
 * them here, once; test/architecture.test.ts checks they equal plan/names.ts PLATFORM_LABEL.
 */
export const PACK_LABEL = { role: "platform.role", app: "platform.app", stack: "platform.stack", service: "platform.service", network: "platform.network" } as const;

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

interface HostMount {
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
const NETWORK_MODES = new Set(["bridge", "default", "host", "none"]);
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

/** A user-defined network name (not a mode such as bridge, host, none, container:<id>). */
export function isUserDefinedNetwork(name: unknown): name is string {
  const value = text(name)?.trim();
  return value !== undefined && value !== "" && !NETWORK_MODES.has(value) && !value.startsWith("container:");
}

/**
 * Why a container could run a process or be reached, or [] when it is a seed that truly never runs:
 * created (`start: false`, `mustRun: false`) only to receive `uploads` into its volumes, with no
 * network (`networkMode: "none"`, no `networksAdvanced`) and no published ports. Docker refuses
 * uploads into a read-only root filesystem, so such a seed is the one container that may have a
 * writable root (cis-5.13), and stack-seed-isolation holds every platform.role=seed container to it.
 */
export function seedRunReasons(props: Record<string, any>): string[] {
  const reasons: string[] = [];
  if (props.start !== false) reasons.push(`start is ${props.start === undefined ? "unset (the provider starts it)" : show(props.start)}`);
  if (props.mustRun !== false) reasons.push(`mustRun is ${props.mustRun === undefined ? "unset (true: it must keep running)" : show(props.mustRun)}`);
  if (text(props.networkMode) !== "none") reasons.push(`networkMode is ${props.networkMode === undefined ? "unset" : show(props.networkMode)}, not "none"`);
  const attachments = list(props.networksAdvanced);
  if (attachments.length > 0) reasons.push(`networksAdvanced has ${attachments.length} attachment${attachments.length > 1 ? "s" : ""}`);
  const ports = list(props.ports);
  if (ports.length > 0) reasons.push(`ports has ${ports.length} published port${ports.length > 1 ? "s" : ""}`);
  if (props.publishAllPorts === true) reasons.push("publishAllPorts is true");
  return reasons;
}

/** The seed contract, for fix messages. */
export const SEED_CONTRACT = "start false, mustRun false, networkMode \"none\", no networksAdvanced, no ports";
