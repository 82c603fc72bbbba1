// The egress access log: one JSON object per line, per docs/log-formats.md ("source": "egress").
// Every value a client controls is URL-encoded (%#), so quotes, backslashes and control characters
// can never end a JSON string early; status and duration are numeric in every Squid log line
// (0 when no response was sent), while port may be "-" and is therefore a string.
// `app` comes from the `note app <name> <src-acl>` lines, `rule` from the annotation on the
// http_access rule that decided (both "-" when Squid rejected the request before access checks).

export const LOG_FORMAT_NAME = "platform_egress_json";

/** JSON field → Squid format code, in output order; quoted fields are JSON strings. */
export const LOG_FIELDS: readonly { field: string; code: string; quoted: boolean }[] = [
  { field: "source", code: "egress", quoted: true },
  { field: "time", code: "%ts.%03tu", quoted: true },
  { field: "app", code: "%{app}note", quoted: true },
  { field: "client", code: "%>a", quoted: true },
  { field: "method", code: "%#rm", quoted: true },
  { field: "host", code: "%#>rd", quoted: true },
  { field: "port", code: "%>rP", quoted: true },
  { field: "url", code: "%#>ru", quoted: true },
  { field: "status", code: "%>Hs", quoted: false },
  { field: "result", code: "%Ss", quoted: true },
  { field: "duration_ms", code: "%tr", quoted: false },
  { field: "rule", code: "%{rule}note", quoted: true },
];

export function logFormatDirective(): string {
  const body = LOG_FIELDS.map(({ field, code, quoted }) => `"${field}":${quoted ? `"${code}"` : code}`).join(",");
  return `logformat ${LOG_FORMAT_NAME} {${body}}`;
}

/** Why a request was allowed or denied: the `rule` field of the log line. */
export const DECISION_RULES = {
  manager: "manager",
  port: "port",
  scheme: "scheme",
  ipLiteral: "ip-literal",
  internal: "internal-destination",
  allowed: "allowed",
  notWhitelisted: "not-whitelisted",
} as const;
export type DecisionRule = (typeof DECISION_RULES)[keyof typeof DECISION_RULES];
