// Parses one access-log line of either proxy. Never throws: a bad line yields a reason.
import { AccessEvent, LogSource } from "./types";

export type ParseResult = { ok: true; event: AccessEvent } | { ok: false; reason: string };

/** Lines longer than this are not access-log lines (both formats stay far below it). */
export const MAX_LINE_BYTES = 64 * 1024;

type Fields = Record<string, unknown>;

function fail(reason: string): ParseResult {
  return { ok: false, reason };
}

/** ISO-8601 (`%START_TIME%`) or epoch seconds with millis (`%ts.%03tu`), as a number or string. */
export function parseLogTime(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined;
  if (typeof value !== "string" || value.length === 0) return undefined;
  if (/^\d{9,11}(\.\d{1,6})?$/.test(value)) return Math.round(Number(value) * 1000);
  if (!/^\d{4}-\d\d-\d\dT/.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

function stringField(fields: Fields, name: string): string | undefined {
  const value = fields[name];
  return typeof value === "string" ? value : undefined;
}

/**
 * A field a proxy may leave without a value: absent or JSON `null` (Envoy ≥ 1.33 writes a missing value
 * as `null`, older versions and Squid as `"-"`) yields `fallback`; a value of any other type is an error.
 */
function optionalStringField(fields: Fields, name: string, fallback: string): string | { error: string } {
  const value = fields[name];
  if (value === undefined || value === null) return fallback;
  return typeof value === "string" ? value : { error: `field "${name}" is not a string or null: ${JSON.stringify(value)}` };
}

function numberField(fields: Fields, name: string): number | undefined {
  const value = fields[name];
  if (typeof value === "number" && Number.isFinite(value)) return value;
  // Squid's logformat can only emit strings for some codes; accept plain decimal text too.
  if (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  return undefined;
}

/**
 * The fields both formats share. `method` is required of Squid; Envoy writes `null` when it answered
 * before a request line was parsed (e.g. 400 `http1.invalid_characters`, or 0 with flag `DC`), which
 * becomes `-`.
 */
function common(fields: Fields, methodMayBeNull: boolean): { timeMs: number; app: string; client: string; method: string; status: number; durationMs: number } | string {
  const timeMs = parseLogTime(fields.time);
  if (timeMs === undefined) return `field "time" is missing or not ISO-8601 / epoch seconds: ${JSON.stringify(fields.time)}`;
  const app = stringField(fields, "app");
  if (!app) return `field "app" is missing or not a non-empty string`;
  const client = stringField(fields, "client");
  if (client === undefined) return `field "client" is missing or not a string`;
  const method = methodMayBeNull && fields.method === null ? "-" : stringField(fields, "method");
  if (!method) return `field "method" is missing or not a non-empty string${methodMayBeNull ? " or null" : ""}`;
  const status = numberField(fields, "status");
  if (status === undefined || !Number.isInteger(status) || status < 0 || status > 999) return `field "status" is missing or not an HTTP status: ${JSON.stringify(fields.status)}`;
  // absent, null (Envoy: no value) or "-" (Squid, older Envoy) all mean "not measured"
  const durationMs = numberField(fields, "duration_ms") ?? 0;
  return { timeMs, app, client, method, status, durationMs };
}

function parseEgress(fields: Fields): ParseResult {
  const base = common(fields, false);
  if (typeof base === "string") return fail(base);
  const host = stringField(fields, "host");
  if (host === undefined) return fail(`field "host" is missing or not a string`);
  const portValue = fields.port;
  if (typeof portValue !== "number" && typeof portValue !== "string") return fail(`field "port" is missing or not a number/string`);
  const result = stringField(fields, "result");
  if (result === undefined) return fail(`field "result" is missing or not a string`);
  const url = stringField(fields, "url") ?? "";
  return { ok: true, event: { source: "egress", ...base, host, port: String(portValue), url, result, denied: result.includes("DENIED") } };
}

/** Gateway fields Envoy may write as `null` (no client certificate, no request line, no route), with what they become. */
const GATEWAY_OPTIONAL = { peer: "-", path: "", service: "-", flags: "-" } as const;

function parseGateway(fields: Fields): ParseResult {
  const base = common(fields, true);
  if (typeof base === "string") return fail(base);
  const optional: Record<string, string> = {};
  for (const [name, fallback] of Object.entries(GATEWAY_OPTIONAL)) {
    const value = optionalStringField(fields, name, fallback);
    if (typeof value !== "string") return fail(value.error);
    optional[name] = value;
  }
  const { peer, path, service, flags } = optional;
  return { ok: true, event: { source: "gateway", ...base, peer, path, service, flags } };
}

const PARSERS: Record<LogSource, (fields: Fields) => ParseResult> = { egress: parseEgress, gateway: parseGateway };

export function parseLogLine(line: string): ParseResult {
  if (line.length > MAX_LINE_BYTES) return fail(`line is ${line.length} characters long (limit ${MAX_LINE_BYTES})`);
  const text = line.trim();
  if (text.length === 0) return fail("empty line");
  if (text[0] !== "{") return fail("not a JSON object");
  let fields: unknown;
  try {
    fields = JSON.parse(text);
  } catch (error) {
    return fail(`invalid JSON (${(error as Error).message})`);
  }
  if (typeof fields !== "object" || fields === null || Array.isArray(fields)) return fail("not a JSON object");
  const source = (fields as Fields).source;
  if (source !== "egress" && source !== "gateway") return fail(`field "source" must be "egress" or "gateway", got ${JSON.stringify(source)}`);
  return PARSERS[source](fields as Fields);
}
