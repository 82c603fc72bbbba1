// Exchanges with the API gateway from inside an app container (py/gateway_request.py, or the static
// probe's gateway_request without python3, run by docker exec as the container's own user), how to read their results, and a client-side model of each app's
// token bucket so that probes and tests never trip an app's rate limit by accident.
import type Docker from "dockerode";
import { describeFailure, runPython } from "./python";
import { ProbeHost, runProbeCode } from "./runner";
import type { GatewayAppInfo } from "./types";

type TokenRef = "none" | "own" | { literal: string } | string;

/** One request (or a bounded series) the script makes; see py/gateway_request.py. */
export interface GatewayStep {
  id: string;
  /** "own" (default), "none", or a name in GatewayExchange.identities */
  identity?: string;
  await_tls_verdict?: boolean;
  /** a client_credentials request on the token route for "own" or a name in GatewayExchange.clients */
  token_request?: string;
  store_token?: string;
  client_secret?: string;
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  token?: TokenRef;
  repeat?: number;
  max_seconds?: number;
  /** each request sent at least this long after the one before */
  interval_ms?: number;
}

export interface GatewayExchange {
  steps: GatewayStep[];
  identities?: Record<string, { cert: string; key: string }>;
  clients?: Record<string, { client_id: string; client_secret: string }>;
  timeout?: number;
  deadline_seconds?: number;
}

interface Response {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** no x-envoy-upstream-service-time: the gateway answered itself, the service was not reached */
  local_reply?: boolean;
  /** epoch ms the request was sent; for a series, one per request (the first 400) */
  sent_ms?: number | number[];
  elapsed_ms?: number;
  error?: string;
}

export interface StepResult extends Response {
  id: string;
  tls?: "ok" | "refused" | "no-connection";
  tls_stage?: string;
  tls_error?: { error: string; reason: string; alert: boolean };
  tls_version?: string;
  started_ms?: number;
  ended_ms?: number;
  /** series (repeat > 1) */
  count?: number;
  statuses?: Record<string, number>;
  sequence?: number[];
  samples?: Record<string, Response>;
  stopped_early?: string;
  /** token requests */
  claims?: { azp?: string; scope?: string; aud?: string | string[]; iss?: string; exp?: number; iat?: number; unreadable?: string };
  access_token?: string;
}

export type ExchangeOutcome = { steps: Record<string, StepResult>; uid: number } | { failure: string };

/** Runs the exchange in the container as its own user; one result per step id, or why there are none. */
export async function exchangeWithGateway(host: Docker.Container | ProbeHost, exchange: GatewayExchange, timeoutMs = 90_000): Promise<ExchangeOutcome> {
  const args = { deadline_seconds: Math.floor(timeoutMs / 1000) - 10, ...exchange };
  // a bare container (tests' stand-in clients) has python3; an app target runs whichever probe it can
  const run = "hasPython" in host ? await runProbeCode(host, "gateway_request", args, timeoutMs) : await runPython(host, "gateway_request", args, timeoutMs);
  const steps = run.output?.steps as StepResult[] | undefined;
  if (!steps) return { failure: `the gateway client gave no report: ${describeFailure(run)}` };
  return { steps: Object.fromEntries(steps.map((s) => [s.id, s])), uid: Number(run.output?.uid) };
}

/** A TLS alert from the gateway ended the connection before any HTTP answer (the expected mTLS refusal). */
export function refusedAtTls(result: StepResult | undefined, alerts: RegExp = /./): boolean {
  return result?.tls === "refused" && !!result.tls_error?.alert && alerts.test(result.tls_error.reason) && result.status === undefined;
}

/** The gateway itself answered with exactly this status (the service was not reached). */
export function refusedWith(result: StepResult | Response | undefined, status: number): boolean {
  return result?.status === status && result.local_reply === true;
}

/** The request went through the gateway to the service (any answer of the service's but a 5xx). */
export function reachedService(result: StepResult | Response | undefined): boolean {
  return result?.status !== undefined && result.local_reply === false && result.status < 500;
}

/** One line on what happened to a step, for evidence. */
export function describeStep(result: StepResult | Response | undefined): string {
  if (!result) return "not run";
  const r = result as StepResult;
  if (r.error && r.status === undefined && r.tls !== "refused") return r.error;
  if (r.tls === "refused" || r.tls === "no-connection") return `TLS ${r.tls === "refused" ? `refused ${r.tls_stage ?? ""}` : "connection failed"}: ${r.tls_error?.reason ?? "?"}${r.tls_error?.alert ? " (alert)" : ""}`.replace("  ", " ");
  if (r.statuses) {
    const counts = Object.entries(r.statuses).map(([status, n]) => `${n}×${status}`).join(", ");
    return `${r.count} requests in ${((r.ended_ms ?? 0) - (r.started_ms ?? 0)) / 1000} s: ${counts}${r.stopped_early ? ` (${r.stopped_early})` : ""}`;
  }
  const body = (r.body ?? "").replace(/\s+/g, " ").trim().slice(0, 120);
  return `${r.status}${r.local_reply ? " from the gateway" : " from the service"}${body ? `: ${body}` : ""}`;
}

/** HTTP requests an exchange makes (the app's own token, fetched once when a step needs it, counts too). */
export function plannedRequests(exchange: GatewayExchange): number {
  const needsOwnToken = exchange.steps.some((s) => s.token === "own") && !exchange.steps.some((s) => s.store_token === "own");
  return exchange.steps.reduce((sum, s) => sum + (s.repeat ?? 1), needsOwnToken ? 1 : 0);
}

/**
 * Each app's token bucket as the gateway keeps it (burst, refilled at requestsPerSecond), modelled on the
 * client side with a margin: `take` waits until a series of n requests fits, so ordinary probe traffic
 * never meets a 429 that an attack did not ask for; `drain` records a flood that emptied the bucket.
 */
export class RateBudget {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private static readonly MARGIN = 0.7;

  constructor(private readonly apps: Pick<GatewayAppInfo, "name" | "rateLimit">[]) {}

  private limit(app: string) {
    const found = this.apps.find((a) => a.name === app);
    if (!found) throw new Error(`no rate limit known for app ${app}`);
    return { rate: found.rateLimit.requestsPerSecond * RateBudget.MARGIN, burst: found.rateLimit.burst };
  }

  private level(app: string): number {
    const { rate, burst } = this.limit(app);
    const bucket = this.buckets.get(app) ?? { tokens: burst, at: Date.now() };
    return Math.min(burst, bucket.tokens + ((Date.now() - bucket.at) / 1000) * rate);
  }

  /** Waits (bounded by the bucket's own refill time) until n requests fit, and spends them. */
  async take(app: string, n: number): Promise<void> {
    const { rate, burst } = this.limit(app);
    const want = Math.min(n, burst);
    const missing = want - this.level(app);
    if (missing > 0) await new Promise((resolve) => setTimeout(resolve, Math.ceil((missing / rate) * 1000)));
    this.buckets.set(app, { tokens: this.level(app) - n, at: Date.now() });
  }

  /** Waits until the app's bucket is full again (a flood then starts from a known state). */
  async full(app: string): Promise<void> {
    const { rate, burst } = this.limit(app);
    const missing = burst - this.level(app);
    if (missing > 0) await new Promise((resolve) => setTimeout(resolve, Math.ceil((missing / rate) * 1000)));
  }

  /** After a flood: the bucket is empty (and n requests beyond it were refused). */
  drain(app: string): void {
    this.buckets.set(app, { tokens: 0, at: Date.now() });
  }
}
