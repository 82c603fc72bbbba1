// A stack is probed only once it is up: every started container with a Docker healthcheck healthy
// (Keycloak needs 55–90 s to import its realm; the gateway answers /ready), then the gateway holding
// Keycloak's signing keys (it fetches the JWKS asynchronously and retries 5 s after a failure, so for a
// few seconds after Keycloak is up a valid token would still be refused). Both waits are bounded; a
// stack that does not get there fails the run with the container's name and what its checks said.
import type Docker from "dockerode";
import type { BringUp } from "./bringup";
import { envoyAdminStats } from "./envoy-admin";
import type { GatewayInfo } from "./probes/types";

/** The stack never became ready: the run fails with this (exit 2), nothing is probed. */
export class ReadinessError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ReadinessError";
  }
}

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** progress lines (one every ~10 s while waiting) */
  log?: (line: string) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const oneLine = (text: string, max = 600) => {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
};

type Inspect = Awaited<ReturnType<Docker.Container["inspect"]>>;

function hasHealthcheck(info: Inspect): boolean {
  const test = info.Config.Healthcheck?.Test;
  return !!test && test.length > 0 && test[0] !== "NONE";
}

/** A container that will not come back by itself: exited for good, dead, or out of restarts. */
function gaveUp(info: Inspect): boolean {
  const state = info.State;
  if (state.Running || state.Restarting) return false;
  const policy = info.HostConfig.RestartPolicy;
  const retriesLeft = policy?.Name === "on-failure" && state.ExitCode !== 0 && info.RestartCount < (policy.MaximumRetryCount ?? 0);
  return (state.Status === "exited" || state.Status === "dead") && !retriesLeft && policy?.Name !== "always" && policy?.Name !== "unless-stopped";
}

function healthReport(name: string, info: Inspect, waitedMs: number): string {
  const state = info.State;
  const log = state.Health?.Log ?? [];
  const last = log[log.length - 1];
  const lastCheck = last ? `last health check (exit ${last.ExitCode}, ${last.End}): ${oneLine(last.Output) || "(no output)"}` : "no health check has run yet";
  const status = state.Running ? `health ${state.Health?.Status ?? "none"}, ${state.Health?.FailingStreak ?? 0} failing in a row` : `container ${state.Status} (exit ${state.ExitCode}${state.OOMKilled ? ", OOM-killed" : ""}${state.Error ? `, ${state.Error}` : ""}, ${info.RestartCount} restarts)`;
  return `${name} did not become healthy within ${Math.round(waitedMs / 1000)} s: ${status}; ${lastCheck}`;
}

/**
 * Waits until every started container of the bring-up that has a healthcheck is healthy. Throws a
 * ReadinessError naming the first container that is not (with its last health check output) once the
 * time is up, or at once when a container stopped for good.
 */
export async function waitUntilHealthy(docker: Docker, up: Pick<BringUp, "containers">, options: WaitOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 300_000;
  const intervalMs = options.intervalMs ?? 2_000;
  const started = Date.now();
  const pending = new Map(up.containers.filter((c) => c.inputs.start !== false).map((c) => [c.id, c.name]));
  let lastProgress = 0;
  for (;;) {
    const waiting: string[] = [];
    for (const [id, name] of [...pending]) {
      const info = await docker.getContainer(id).inspect();
      if (!hasHealthcheck(info) && info.State.Running) {
        pending.delete(id);
        continue;
      }
      if (gaveUp(info)) throw new ReadinessError(healthReport(name, info, Date.now() - started));
      if (info.State.Health?.Status === "healthy") {
        pending.delete(id);
        options.log?.(`healthy   ${name} after ${Math.round((Date.now() - started) / 1000)} s`);
        continue;
      }
      if (Date.now() - started > timeoutMs) throw new ReadinessError(healthReport(name, info, Date.now() - started));
      waiting.push(`${name} (${info.State.Running ? (info.State.Health?.Status ?? "no health yet") : info.State.Status})`);
    }
    if (pending.size === 0) return;
    if (Date.now() - lastProgress >= 10_000) {
      lastProgress = Date.now();
      options.log?.(`waiting   ${Math.round((Date.now() - started) / 1000)} s: ${waiting.join(", ")}`);
    }
    await sleep(intervalMs);
  }
}

/** `<chain> jwks_fetch_success|jwks_fetch_failed` → count, from `http.<chain>.jwt_authn.*` counters of the gateway's admin. */
async function jwksCounters(docker: Docker, gateway: Pick<GatewayInfo, "containerId" | "adminPort">): Promise<{ counters: Record<string, number>; error?: string }> {
  const counters: Record<string, number> = {};
  try {
    const stats = await envoyAdminStats(docker.getContainer(gateway.containerId), gateway.adminPort, "jwks_fetch");
    for (const [name, value] of Object.entries(stats)) {
      const match = /^http\.(\S+)\.jwt_authn\.(jwks_fetch_success|jwks_fetch_failed)$/.exec(name);
      if (match) counters[`${match[1]} ${match[2]}`] = value;
    }
    return { counters };
  } catch (error) {
    return { counters, error: oneLine((error as Error).message, 200) };
  }
}

/**
 * Waits until every filter chain of the gateway has fetched Keycloak's JWKS at least once. Throws a
 * ReadinessError with the chains still without keys and the gateway's last JWKS log lines.
 */
export async function waitForGatewayKeys(docker: Docker, gateway: Pick<GatewayInfo, "containerId" | "adminPort">, options: WaitOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const started = Date.now();
  let lastProgress = 0;
  for (;;) {
    const { counters, error } = await jwksCounters(docker, gateway);
    const chains = [...new Set(Object.keys(counters).map((k) => k.split(" ")[0]))];
    const without = chains.filter((chain) => !(counters[`${chain} jwks_fetch_success`] > 0));
    if (chains.length > 0 && without.length === 0) {
      options.log?.(`gateway   every chain (${chains.length}) has Keycloak's signing keys after ${Math.round((Date.now() - started) / 1000)} s`);
      return;
    }
    if (Date.now() - started > timeoutMs) {
      const logs = (await docker.getContainer(gateway.containerId).logs({ stdout: false, stderr: true, tail: 200 })).toString("utf8");
      const jwks = logs.split("\n").filter((line) => /jwks|jwt/i.test(line)).slice(-3).map((line) => oneLine(line, 300));
      const state = chains.length ? `chains without keys: ${without.join(", ")} (failed fetches: ${without.map((c) => counters[`${c} jwks_fetch_failed`] ?? 0).join(", ")})` : `no JWKS counters${error ? ` (${error})` : ""}`;
      throw new ReadinessError(`the gateway did not get Keycloak's signing keys within ${Math.round(timeoutMs / 1000)} s: ${state}; its last JWKS log lines: ${jwks.join(" | ") || "(none)"}`);
    }
    if (Date.now() - lastProgress >= 10_000) {
      lastProgress = Date.now();
      options.log?.(`waiting   for the gateway's JWKS fetch: ${chains.length ? without.join(", ") : "no counters yet"}`);
    }
    await sleep(1_000);
  }
}

/** The stack is ready to be probed: healthy everywhere, and the gateway can verify tokens. */
export async function waitUntilReady(docker: Docker, up: BringUp, gateway: GatewayInfo | { absent: string }, options: WaitOptions = {}): Promise<void> {
  await waitUntilHealthy(docker, up, options);
  if ("present" in gateway && "present" in gateway.identity) await waitForGatewayKeys(docker, gateway, { log: options.log });
}
