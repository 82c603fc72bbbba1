// Gateway probes (paper IV-A..C, IV-E), run from inside each app as the app (py/gateway_request.py):
// each attack must meet its exact refusal, and a control shows first that the attack is not vacuous
// (the same request with the app's own certificate or token goes through). Skipped only when the gateway
// or, for the probes that need tokens, Keycloak is absent; a failed control is FAILED (proves nothing).
import type { Probe } from "./probe";
import { sleep } from "./probe";
import { describeStep, exchangeWithGateway, GatewayExchange, plannedRequests, RateBudget, reachedService, refusedAtTls, refusedWith, StepResult } from "./gateway-client";
import { rogueCaIdentity, wrongKeyIdentity } from "./forged-identities";
import type { AppTarget, GatewayAppInfo, GatewayInfo, ProbeEnvironment, Verdict } from "./types";

type Outcome = { verdict: Verdict; evidence: string };

/**
 * TLS alerts (OpenSSL's names on the client) with which the gateway refuses a presented client certificate:
 * unknown_ca (chain), certificate_unknown (SAN), bad_certificate_hash_value (SPKI pin), and the generic ones.
 */
const CERTIFICATE_REFUSED = /ALERT_(UNKNOWN_CA|CERTIFICATE_UNKNOWN|BAD_CERTIFICATE|ACCESS_DENIED|DECRYPT_ERROR|HANDSHAKE_FAILURE)$|_BAD_CERTIFICATE_HASH_VALUE$/;
/** ... and the ones for no certificate at all (TLS 1.3, TLS 1.2) */
const CERTIFICATE_MISSING = /ALERT_(CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE)/;

const budgets = new WeakMap<GatewayInfo, RateBudget>();
function budgetOf(gateway: GatewayInfo): RateBudget {
  if (!budgets.has(gateway)) budgets.set(gateway, new RateBudget(gateway.apps));
  return budgets.get(gateway)!;
}

interface Context {
  gateway: GatewayInfo;
  app: GatewayAppInfo;
  /** another app of the gateway with credentials in the program's resources */
  other?: GatewayAppInfo;
  call: { method: string; path: string };
}

/** What a probe needs, or why it cannot run here. */
function contextOf(target: AppTarget, env: ProbeEnvironment, needsTokens: boolean): Context | string {
  if ("absent" in env.gateway) return env.gateway.absent;
  const gateway = env.gateway;
  if (needsTokens && "absent" in gateway.identity) return `Keycloak: ${gateway.identity.absent}`;
  const app = gateway.apps.find((a) => a.name === target.name);
  if (!app) return `the gateway has no filter chain for ${target.name}`;
  if (app.grants.length === 0) return `${app.name} is granted no service`;
  const other = gateway.apps.find((a) => a.name !== app.name && a.credentials);
  return { gateway, app, other, call: grantedCall(app, other) };
}

/** A request inside the app's grant; on a service the other app is granted too when there is one. */
function grantedCall(app: GatewayAppInfo, other?: GatewayAppInfo): { method: string; path: string } {
  const grant = app.grants.find((g) => other?.grants.some((o) => o.service === g.service)) ?? app.grants[0];
  const prefix = grant.pathPrefixes[0];
  return { method: grant.methods.includes("GET") ? "GET" : grant.methods[0], path: `/${grant.service}${prefix}${prefix.endsWith("/") ? "" : "/"}` };
}

/**
 * An exchange of more plain requests than the app's burst, split into exchanges that each fit it (every
 * part fetches its own token when it needs one), so a low rate limit does not refuse a probe's control
 * request. Exchanges that flood, or that carry a token from one step to another, stay whole.
 */
export function splitForBucket(exchange: GatewayExchange, burst: number): GatewayExchange[] {
  const linked = exchange.steps.some((s) => s.repeat !== undefined || s.store_token !== undefined || s.token_request !== undefined);
  if (linked || plannedRequests(exchange) <= burst) return [exchange];
  const needsToken = exchange.steps.some((s) => s.token === "own");
  const size = Math.max(1, burst - (needsToken ? 1 : 0));
  const parts: GatewayExchange[] = [];
  for (let i = 0; i < exchange.steps.length; i += size) parts.push({ ...exchange, steps: exchange.steps.slice(i, i + size) });
  return parts;
}

/** Tries of one part that the app's bucket refused (429): the app's own calls share its bucket with the probes. */
const RATE_LIMITED_TRIES = 3;

/** A single request of the part (not a flood's repeated one, which is meant to meet 429) was refused by the bucket. */
const rateLimited = (part: GatewayExchange, steps: Record<string, StepResult>) => part.steps.some((s) => s.repeat === undefined && steps[s.id]?.status === 429);

async function exchange(target: AppTarget, context: Context, exchange: GatewayExchange): Promise<Record<string, StepResult> | Outcome> {
  const steps: Record<string, StepResult> = {};
  const { burst, requestsPerSecond } = context.app.rateLimit;
  for (const part of splitForBucket(exchange, burst)) {
    for (let attempt = 1; ; attempt++) {
      await budgetOf(context.gateway).take(context.app.name, plannedRequests(part));
      const outcome = await exchangeWithGateway(target, part);
      if ("failure" in outcome) return { verdict: "skipped", evidence: outcome.failure };
      // a 429 the probe did not ask for: the app's own traffic emptied the bucket; wait for a full one and try again
      if (attempt === RATE_LIMITED_TRIES || !rateLimited(part, outcome.steps)) {
        Object.assign(steps, outcome.steps);
        break;
      }
      budgetOf(context.gateway).drain(context.app.name);
      await sleep(Math.min(15_000, Math.ceil((burst / requestsPerSecond) * 1000) + 500));
    }
  }
  return steps;
}

const isOutcome = (value: unknown): value is Outcome => typeof value === "object" && value !== null && "verdict" in value;

function probe(id: string, title: string, needsTokens: boolean, run: (target: AppTarget, context: Context) => Promise<Outcome>): Probe {
  return {
    id,
    category: "gateway",
    title,
    async run(target, env) {
      const context = contextOf(target, env, needsTokens);
      return typeof context === "string" ? { verdict: "skipped", evidence: context } : run(target, context);
    },
  };
}

/** The control: the app's own certificate (and token) gets through; FAILED otherwise. */
function controlFailed(control: StepResult | undefined, what: string, passed: (r: StepResult | undefined) => boolean): Outcome | undefined {
  return passed(control) ? undefined : { verdict: "FAILED", evidence: `control failed, so the attack proves nothing: ${what}: ${describeStep(control)}` };
}

const noClientCert = probe("gateway.no-client-cert", "call a service without a client certificate", false, async (target, context) => {
  const steps = await exchange(target, context, {
    steps: [
      { id: "attack", identity: "none", await_tls_verdict: true, ...context.call },
      { id: "control", identity: "own", await_tls_verdict: true, ...context.call },
    ],
  });
  if (isOutcome(steps)) return steps;
  const failed = controlFailed(steps.control, "the app's own certificate", (r) => r?.tls === "ok" && r.status !== undefined);
  if (failed) return failed;
  const stopped = refusedAtTls(steps.attack, CERTIFICATE_MISSING);
  return { verdict: stopped ? "stopped" : "NOT STOPPED", evidence: `${context.call.method} ${context.call.path} without a client certificate: ${describeStep(steps.attack)}; with the app's own: TLS accepted, HTTP ${steps.control.status}` };
});

const wrongCert = probe("gateway.wrong-cert", "call with a certificate the internal CA did not issue for this app", false, async (target, context) => {
  const identities: Record<string, { cert: string; key: string }> = { "a rogue CA's certificate naming this app": rogueCaIdentity(context.app.spiffeId) };
  if (context.other?.credentials) identities[`${context.other.name}'s valid certificate and key`] = { cert: context.other.credentials.certPem, key: context.other.credentials.keyPem };
  if (context.gateway.ca) identities["the platform CA's certificate naming this app, for another key"] = wrongKeyIdentity(context.app.spiffeId, context.gateway.ca);
  const names = Object.keys(identities);
  const steps = await exchange(target, context, {
    identities,
    steps: [...names.map((name, i) => ({ id: `attack-${i}`, identity: name, await_tls_verdict: true, ...context.call })), { id: "control", identity: "own", await_tls_verdict: true, ...context.call }],
  });
  if (isOutcome(steps)) return steps;
  const failed = controlFailed(steps.control, "the app's own certificate", (r) => r?.tls === "ok" && r.status !== undefined);
  if (failed) return failed;
  const attacks = names.map((name, i) => ({ name, result: steps[`attack-${i}`] }));
  const stopped = attacks.every((a) => refusedAtTls(a.result, CERTIFICATE_REFUSED));
  return { verdict: stopped ? "stopped" : "NOT STOPPED", evidence: `${attacks.map((a) => `${a.name}: ${describeStep(a.result)}`).join("; ")}; the app's own: TLS accepted, HTTP ${steps.control.status}` };
});

const noToken = probe("gateway.no-token", "call without an OAuth2 token", true, async (target, context) => {
  const steps = await exchange(target, context, {
    steps: [
      { id: "attack", token: "none", ...context.call },
      { id: "control", token: "own", ...context.call },
    ],
  });
  if (isOutcome(steps)) return steps;
  const failed = controlFailed(steps.control, "the app's own token", reachedService);
  if (failed) return failed;
  const challenge = steps.attack.headers?.["www-authenticate"];
  return {
    verdict: refusedWith(steps.attack, 401) ? "stopped" : "NOT STOPPED",
    evidence: `${context.call.method} ${context.call.path} over valid mTLS without a token: ${describeStep(steps.attack)}${challenge ? ` (www-authenticate: ${challenge})` : ""}; with its own token: ${describeStep(steps.control)}`,
  };
});

const otherAppsToken = probe("gateway.other-apps-token", "call with another app's token", true, async (target, context) => {
  const other = context.other;
  if (!other?.credentials) return { verdict: "skipped", evidence: "the stack has no other app whose token could be stolen" };
  const steps = await exchange(target, context, {
    clients: { other: { client_id: other.clientId, client_secret: other.credentials.clientSecret } },
    steps: [
      // the other app's client secret (from the program's resources, as a thief would have it) buys a
      // genuine token of the other app's: the token route checks only this app's certificate
      { id: "steal", token_request: "other", store_token: "stolen" },
      { id: "attack", token: "stolen", ...context.call },
      { id: "control", token: "own", ...context.call },
    ],
  });
  if (isOutcome(steps)) return steps;
  const claims = steps.steal.claims;
  if (steps.steal.status !== 200 || claims?.azp !== other.name) return { verdict: "FAILED", evidence: `could not stage the attack: ${other.name}'s token request: ${describeStep(steps.steal)}` };
  const failed = controlFailed(steps.control, "the app's own token", reachedService);
  if (failed) return failed;
  return {
    verdict: refusedWith(steps.attack, 403) ? "stopped" : "NOT STOPPED",
    evidence: `${other.name}'s valid token (azp ${claims.azp}, scope "${claims.scope}") on ${context.call.method} ${context.call.path}: ${describeStep(steps.attack)}; with its own token: ${describeStep(steps.control)}`,
  };
});

/** Requests for services this app was not granted: other services at paths other apps are granted, and Keycloak's API beyond the token route. */
function ungrantedCalls(context: Context): { label: string; method: string; path: string; body?: string; headers?: Record<string, string> }[] {
  const granted = new Set(context.app.grants.map((g) => g.service));
  const calls = context.gateway.services
    .filter((s) => !granted.has(s))
    .map((service) => {
      const prefix = context.gateway.apps.flatMap((a) => a.grants).find((g) => g.service === service)?.pathPrefixes[0] ?? "/";
      const path = `/${service}${prefix}${prefix.endsWith("/") ? "" : "/"}`;
      return { label: `service ${service}`, method: "GET", path };
    });
  const form = { "Content-Type": "application/x-www-form-urlencoded" };
  return [
    ...calls,
    { label: "Keycloak admin API", method: "GET", path: "/admin/realms" },
    { label: "Keycloak master realm", method: "GET", path: "/realms/master/protocol/openid-connect/certs" },
    { label: "Keycloak master token endpoint", method: "POST", path: "/realms/master/protocol/openid-connect/token", body: "grant_type=client_credentials&client_id=admin-cli", headers: form },
  ];
}

const ungrantedService = probe("gateway.ungranted-service", "call a service the app was not granted (its own valid token)", true, async (target, context) => {
  const calls = ungrantedCalls(context);
  const steps = await exchange(target, context, {
    steps: [...calls.map((call, i) => ({ id: `attack-${i}`, token: "own" as const, method: call.method, path: call.path, body: call.body, headers: call.headers })), { id: "control", token: "own", ...context.call }],
  });
  if (isOutcome(steps)) return steps;
  const failed = controlFailed(steps.control, "the app's own token on its grant", reachedService);
  if (failed) return failed;
  const attacks = calls.map((call, i) => ({ call, result: steps[`attack-${i}`] }));
  const stopped = attacks.every((a) => refusedWith(a.result, 403));
  return {
    verdict: stopped ? "stopped" : "NOT STOPPED",
    evidence: `${attacks.map((a) => `${a.call.label} (${a.call.method} ${a.call.path}): ${describeStep(a.result)}`).join("; ")}; its grant ${context.call.path}: ${describeStep(steps.control)}`,
  };
});

const flood = probe("gateway.flood", "flood the gateway until it answers 429", true, async (target, context) => {
  const { burst, requestsPerSecond } = context.app.rateLimit;
  const count = Math.min(400, burst * 3 + 20);
  const steps = await exchange(target, context, {
    steps: [
      { id: "control", token: "own", ...context.call },
      { id: "flood", token: "own", ...context.call, repeat: count, max_seconds: 15 },
    ],
  });
  if (isOutcome(steps)) return steps;
  // the bucket is empty now: whatever runs next from this app waits for it to refill (RateBudget.take)
  budgetOf(context.gateway).drain(context.app.name);
  const failed = controlFailed(steps.control, "one request with the app's own token", reachedService);
  if (failed) return failed;
  const result = steps.flood;
  const statuses = result.statuses ?? {};
  const limited = refusedWith(result.samples?.["429"], 429);
  const serverErrors = Object.keys(statuses).filter((s) => s === "error" || Number(s) >= 500);
  const first429 = result.sequence?.indexOf(429) ?? -1;
  const evidence = `${describeStep(result)}; first 429 after ${first429} requests (burst ${burst}, ${requestsPerSecond}/s)${limited ? `, "${result.samples?.["429"]?.body}" x-platform-rate-limited: ${result.samples?.["429"]?.headers?.["x-platform-rate-limited"]}` : ""}${serverErrors.length ? `; errors/5xx: ${serverErrors.map((s) => `${statuses[s]}×${s} ${describeStep(result.samples?.[s])}`).join(", ")}` : ""}`;
  return { verdict: limited && serverErrors.length === 0 ? "stopped" : "NOT STOPPED", evidence };
});

export const GATEWAY_PROBES: Probe[] = [noClientCert, wrongCert, noToken, otherAppsToken, ungrantedService, flood];
