// Normalised access-log events (contract: docs/log-formats.md).

export type LogSource = "egress" | "gateway";

/** The app name the proxies write when a request did not come from an app subnet. */
export const UNKNOWN_APP = "-";

interface EventBase {
  /** request time in milliseconds since the epoch */
  timeMs: number;
  /** the app the proxy attributed the request to (`-` when the source was not an app subnet) */
  app: string;
  client: string;
  method: string;
  /** HTTP status sent to the client (0 when no response was sent) */
  status: number;
  durationMs: number;
}

interface EgressEvent extends EventBase {
  source: "egress";
  host: string;
  port: string;
  url: string;
  /** Squid result code, e.g. TCP_TUNNEL or TCP_DENIED */
  result: string;
  /** the proxy refused the destination (result contains DENIED) */
  denied: boolean;
}

interface GatewayEvent extends EventBase {
  source: "gateway";
  peer: string;
  path: string;
  service: string;
  /** Envoy response flags, e.g. RL (rate limited), UAEX (external authorization denied) */
  flags: string;
}

export type AccessEvent = EgressEvent | GatewayEvent;

/** `host:port` of an egress request: what "distinct denied destinations" counts. */
export function destinationOf(event: EgressEvent): string {
  return `${event.host}:${event.port}`;
}

/** Responses and denials that are security-relevant and go into the audit log. */
export function isSecurityEvent(event: AccessEvent): boolean {
  if (event.source === "egress") return event.denied;
  return event.status === 401 || event.status === 403 || event.status === 429 || /\bRL\b/.test(event.flags);
}

export function isRateLimited(event: AccessEvent): boolean {
  return event.source === "gateway" && (event.status === 429 || /\bRL\b/.test(event.flags));
}
