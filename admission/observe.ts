// The admission's "observe" step: a vendor's app runs in the sandbox for a given time and this says how it
// behaved: its gateway calls, egress attempts, refused requests, direct connection attempts (the kernel's
// counters in its network namespace), resource peaks, restarts, OOM kills and health, and the bans the security monitor's rules would have decided (report mode: nothing acts on them).
// A source that could not be read is a problem and its field is left out (unknown), never reported as zeros.
import type Docker from "dockerode";
import type { RuleSettings } from "../config/monitor";
import { PLATFORM_LABEL } from "../plan/names";
import { watchLifecycle, type Lifecycle } from "./container-events";
import { dryRunRules, type WouldBan } from "./dry-run-rules";
import { watchNetworkCounters } from "./network-counters";
import { readProxyLog, type ProxyLogReading } from "./proxy-log";
import type { NetworkCounters } from "./report/model";
import { watchResources, type ResourcePeaks } from "./resource-watch";
import { countEgress, countGateway, type EgressTraffic, type GatewayTraffic } from "./traffic";

export const MIN_DURATION_MS = 1000;
/** an admission watches minutes, not days; a larger value is almost surely seconds taken for milliseconds */
export const MAX_DURATION_MS = 6 * 60 * 60 * 1000;

export interface ObservationLimits {
  /** bytes of each proxy's log read for the window */
  maxLogBytes: number;
  /** how long after the window a proxy's lines still count (the gateway flushes its log every 250 ms) */
  logGraceMs: number;
  /** how long reading one proxy's log may take */
  logReadTimeoutMs: number;
  /** engine events of the app's container read */
  maxEvents: number;
}

export const DEFAULT_LIMITS: ObservationLimits = { maxLogBytes: 64 * 1024 * 1024, logGraceMs: 1000, logReadTimeoutMs: 60_000, maxEvents: 100_000 };

export interface ObserveOptions {
  app: string;
  /** the app's container, id or name */
  container: string;
  /** the gateway's container; without it the gateway traffic is unknown */
  gateway?: string;
  /** the egress proxy's container; without it the egress traffic is unknown */
  egress?: string;
  durationMs: number;
  /** the stack's ban rules (`platform:monitor.rules`, parsed), applied in report mode */
  rules: RuleSettings;
  /** the window's start (e.g. when the app's container was started); default now */
  since?: Date;
  limits?: Partial<ObservationLimits>;
}

/** Where a proxy's log was read from, and how much of it. */
interface LogRead {
  container: string;
  lines: number;
  malformed: number;
  complete: boolean;
}

export interface Observation {
  app: string;
  /** the app container's name */
  container: string;
  from: string;
  to: string;
  durationMs: number;
  gateway?: GatewayTraffic & { log: LogRead };
  egress?: EgressTraffic & { log: LogRead };
  resources?: ResourcePeaks;
  /** connection attempts the kernel counted in the app's network namespace, summed over restarts (no proxy sees direct ones) */
  network?: NetworkCounters;
  lifecycle?: Lifecycle;
  /** bans the monitor's rules would have decided over the traffic that was read */
  wouldBan?: WouldBan[];
  /** what could not be observed, or only in part; each names the source and what it leaves unknown */
  problems: string[];
}

/** Refuses options no observation can come from, naming the option and the fix. */
function checkOptions(options: ObserveOptions, nowMs: number): void {
  if (typeof options.app !== "string" || options.app.trim() === "") throw new Error("observeApp: app is empty: give the app's name as its manifest and the proxies' logs spell it");
  if (typeof options.container !== "string" || options.container.trim() === "") throw new Error(`observeApp: container is empty: give the id or name of app ${options.app}'s container`);
  const { durationMs } = options;
  if (!Number.isInteger(durationMs) || durationMs < MIN_DURATION_MS || durationMs > MAX_DURATION_MS) {
    throw new Error(`observeApp: durationMs ${durationMs} is out of range: give whole milliseconds from ${MIN_DURATION_MS} to ${MAX_DURATION_MS} (6 hours)`);
  }
  if (options.since !== undefined) {
    if (!(options.since instanceof Date) || Number.isNaN(options.since.getTime())) throw new Error("observeApp: since is not a valid date: give the window's start as a Date, or leave it out to start now");
    if (options.since.getTime() > nowMs + 1000) throw new Error(`observeApp: since ${options.since.toISOString()} is in the future: give a start no later than now`);
  }
  for (const [name, value] of [["gateway", options.gateway], ["egress", options.egress]] as const) {
    if (value !== undefined && (typeof value !== "string" || value.trim() === "")) throw new Error(`observeApp: ${name} is empty: give the ${name} container's id or name, or leave it out`);
  }
}

function checkLimits(limits: ObservationLimits): void {
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`observeApp: limits.${name} ${value} is not a positive whole number: give one, or leave it out for ${DEFAULT_LIMITS[name as keyof ObservationLimits]}`);
  }
}

const logRead = (reading: ProxyLogReading): LogRead => ({ container: reading.container, lines: reading.lines, malformed: reading.malformed, complete: reading.complete });
const sleepUntil = (timeMs: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, timeMs - Date.now())));

/**
 * Watches app `options.app` in its container for `durationMs` from `since` (default now) and returns when
 * the window has ended and the proxies' logs for it are read. Throws only for unusable options or an app
 * container that does not exist; everything else that falls short is a problem in the observation.
 */
export async function observeApp(docker: Docker, options: ObserveOptions): Promise<Observation> {
  const nowMs = Date.now();
  checkOptions(options, nowMs);
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  checkLimits(limits);
  const { app } = options;
  let info: Docker.ContainerInspectInfo;
  try {
    info = await docker.getContainer(options.container).inspect();
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) throw new Error(`observeApp: app container ${options.container} does not exist: create and start app ${app}'s container, then observe it`);
    throw new Error(`observeApp: app container ${options.container} could not be inspected (${(error as Error).message}): check that the Docker engine answers`);
  }
  const containerId = info.Id;
  const fromMs = options.since?.getTime() ?? nowMs;
  const toMs = fromMs + options.durationMs;
  const problems: string[] = [];
  const labelled = info.Config.Labels?.[PLATFORM_LABEL.app];
  if (labelled !== undefined && labelled !== app) problems.push(`container ${options.container} is labelled as app ${labelled} (${PLATFORM_LABEL.app}), not ${app}: check that the right container was given`);

  const resourceWatch =
    toMs > Date.now()
      ? watchResources(docker, { container: containerId, memoryLimitBytes: info.HostConfig.Memory ?? 0, untilMs: toMs, maxSamples: Math.ceil(options.durationMs / 1000) + 60 })
      : Promise.resolve({ peaks: undefined, problems: ["the window ended before the observation began: resource use cannot be sampled afterwards, so it is unknown"] });
  if (fromMs < nowMs - 2000 && toMs > nowMs) problems.push(`resources were sampled from ${new Date(nowMs).toISOString()} on, not from the window's start (on cgroup v1 the memory peak still covers the time before)`);
  // the kernel's counters are read live like the stats: a window already over cannot be read afterwards
  const networkWatch =
    toMs > Date.now()
      ? watchNetworkCounters(docker, { container: containerId, fromMs, untilMs: toMs })
      : Promise.resolve({ counters: undefined, problems: ["the window ended before the observation began: direct connection attempts cannot be counted afterwards, so they are unknown"] });
  const [resources, network, lifecycle] = await Promise.all([resourceWatch, networkWatch, watchLifecycle(docker, { container: containerId, fromMs, untilMs: toMs, maxEvents: limits.maxEvents })]);
  problems.push(...resources.problems, ...network.problems, ...lifecycle.problems);

  await sleepUntil(toMs + limits.logGraceMs);
  const readLog = (source: "gateway" | "egress", container: string | undefined) =>
    container === undefined
      ? Promise.resolve({ reading: undefined, problems: [`no ${source === "gateway" ? "gateway" : "egress proxy"} container was given: the app's ${source} traffic is unknown`] })
      : readProxyLog(docker, { container, source, app, fromMs, toMs, logsUntilMs: toMs + limits.logGraceMs, maxBytes: limits.maxLogBytes, readTimeoutMs: limits.logReadTimeoutMs });
  const [gateway, egress] = await Promise.all([readLog("gateway", options.gateway), readLog("egress", options.egress)]);
  problems.push(...gateway.problems, ...egress.problems);

  const events = [...(gateway.reading?.events ?? []), ...(egress.reading?.events ?? [])];
  let wouldBan: WouldBan[] | undefined;
  if (gateway.reading || egress.reading) {
    const dryRun = dryRunRules(events, app, options.rules);
    wouldBan = dryRun.wouldBan;
    if (dryRun.omitted > 0) problems.push(`the monitor's rules would have banned app ${app} ${dryRun.omitted} more times than are listed`);
    if (!gateway.reading || !egress.reading) problems.push(`the monitor's rules saw only the ${gateway.reading ? "gateway" : "egress proxy"}'s log: bans the other log would have caused are unknown`);
  } else {
    problems.push(`neither proxy's log was read: whether the monitor would have banned app ${app} is unknown`);
  }

  return {
    app,
    container: info.Name.replace(/^\//, ""),
    from: new Date(fromMs).toISOString(),
    to: new Date(toMs).toISOString(),
    durationMs: options.durationMs,
    ...(gateway.reading ? { gateway: { ...countGateway(gateway.reading.events, app), log: logRead(gateway.reading) } } : {}),
    ...(egress.reading ? { egress: { ...countEgress(egress.reading.events, app), log: logRead(egress.reading) } } : {}),
    ...(resources.peaks ? { resources: resources.peaks } : {}),
    ...(network.counters ? { network: network.counters } : {}),
    ...(lifecycle.lifecycle ? { lifecycle: lifecycle.lifecycle } : {}),
    ...(wouldBan ? { wouldBan } : {}),
    problems,
  };
}
