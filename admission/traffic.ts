// Counts one app's traffic in the proxies' access-log events (docs/log-formats.md): gateway calls by
// service and status, egress requests by destination and decision, and the requests either proxy
// refused or cut, as far as its log says why.
import { AccessEvent, destinationOf, isRateLimited } from "../monitor/events/types";

type GatewayEvent = Extract<AccessEvent, { source: "gateway" }>;
type EgressEvent = Extract<AccessEvent, { source: "egress" }>;

export interface GatewayTraffic {
  /** upstream service (`-`: no route was taken, e.g. an RBAC 403) → HTTP status (0: no response sent) → calls */
  byService: Record<string, Record<string, number>>;
  total: number;
  /** 401: no or an invalid token */
  unauthorized: number;
  /** 403: a service or method the app was not granted */
  forbidden: number;
  /** 429 or Envoy's RL flag: the app's token bucket was empty */
  rateLimited: number;
  /**
   * Envoy's response flags on the app's calls → calls: why Envoy refused or cut a request itself, e.g. RL
   * (rate limited), DPE (protocol error), NR (no route), UF (the service refused the connection), DC (the
   * app hung up). Calls Envoy passed on untouched carry no flag.
   */
  refused: Record<string, number>;
}

export interface EgressTraffic {
  /** destination `host:port` → requests the whitelist let through */
  allowed: Record<string, number>;
  /** destination `host:port` → requests the whitelist denied */
  denied: Record<string, number>;
  total: number;
  /**
   * `result/status` → requests Squid did not carry through: denials (e.g. TCP_DENIED/403), and failures to
   * reach the destination (status 0 or 5xx, e.g. TCP_TUNNEL/503 when the destination refused the connection).
   */
  refused: Record<string, number>;
}

/** Counts in a Map (a host called `__proto__` is just a key) that become a plain record at the end. */
class Tally {
  private readonly counts = new Map<string, number>();
  add(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
  record(): Record<string, number> {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
}

/** Response flags Envoy sets, split (`UF,URX` → UF, URX); `-` is none. */
function responseFlags(flags: string): string[] {
  return flags === "-" || flags === "" ? [] : flags.split(",").map((flag) => flag.trim()).filter((flag) => flag && flag !== "-");
}

/** The gateway counts of `app` (events of other apps are ignored). */
export function countGateway(events: Iterable<AccessEvent>, app: string): GatewayTraffic {
  const byService = new Map<string, Tally>();
  const refused = new Tally();
  const totals = { total: 0, unauthorized: 0, forbidden: 0, rateLimited: 0 };
  for (const event of events) {
    if (event.source !== "gateway" || event.app !== app) continue;
    const call: GatewayEvent = event;
    totals.total++;
    if (call.status === 401) totals.unauthorized++;
    if (call.status === 403) totals.forbidden++;
    if (isRateLimited(call)) totals.rateLimited++;
    let statuses = byService.get(call.service);
    if (!statuses) byService.set(call.service, (statuses = new Tally()));
    statuses.add(String(call.status));
    for (const flag of responseFlags(call.flags)) refused.add(flag);
  }
  const services = [...byService.keys()].sort();
  return { byService: Object.fromEntries(services.map((service) => [service, byService.get(service)!.record()])), ...totals, refused: refused.record() };
}

/** The egress counts of `app` (events of other apps are ignored). */
export function countEgress(events: Iterable<AccessEvent>, app: string): EgressTraffic {
  const allowed = new Tally();
  const denied = new Tally();
  const refused = new Tally();
  let total = 0;
  for (const event of events) {
    if (event.source !== "egress" || event.app !== app) continue;
    const request: EgressEvent = event;
    total++;
    (request.denied ? denied : allowed).add(destinationOf(request));
    if (request.denied || request.status === 0 || request.status >= 500) refused.add(`${request.result}/${request.status}`);
  }
  return { allowed: allowed.record(), denied: denied.record(), total, refused: refused.record() };
}
