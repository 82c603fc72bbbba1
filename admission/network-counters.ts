// Connection attempts an app makes in its own network namespace, from the kernel's counters there
// (/proc/<pid>/net/snmp read from the host): attempts the kernel could not route, TCP connects that
// failed and TCP connects opened; and, from samples of its socket tables (/proc/<pid>/net/tcp, udp and
// their IPv6 twins), the sockets it had to addresses outside its own networks. Attempts to addresses
// outside the app's network never reach a proxy, so no proxy log shows them; these do.
//
// What moves on Docker 28 (verified on this host's kernel, see test/admission-network-counters.test.ts):
// - a namespace with no route to the address (e.g. `--network none`): connect() fails with ENETUNREACH
//   before any packet leaves and `Ip: OutNoRoutes` counts it (`Tcp: ActiveOpens` does not);
// - a bridge network, internal or not, still gives its containers a default route via the network's
//   gateway address. On the platform's app networks that address is on no interface
//   (com.docker.network.bridge.inhibit_ipv4), so an off-subnet connect fails with EHOSTUNREACH once ARP
//   gives up (about 3 s): `ActiveOpens` and `AttemptFails` count it, `OutNoRoutes` does not. A connect the
//   app abandons before then counts as opened only.
// - every `docker restart` and every restart by a restart policy gives the container a new namespace whose
//   counters start at zero (its inode number may be reused, its pid is new).
import { readFile, readlink } from "node:fs/promises";
import type Docker from "dockerode";
import type { NetworkCounters, OffNetworkSocket } from "./report/model";
import { offNetworkSockets, ownSubnets, type Subnet } from "./socket-tables";

/** The kernel's counters of one namespace (NetworkCounters without the sockets seen). */
type SnmpCounters = Omit<NetworkCounters, "offNetwork">;

const COUNTERS = [
  ["noRoute", "Ip", "OutNoRoutes"],
  ["failedConnects", "Tcp", "AttemptFails"],
  ["connectsOpened", "Tcp", "ActiveOpens"],
] as const;

/**
 * The three counters from the text of a /proc/net/snmp file: pairs of lines, `Proto: Name Name …` then
 * `Proto: value value …`. Columns are found by name, so columns a newer kernel adds do not matter.
 * Undefined when a pair is broken or a counter is missing or not a whole number.
 */
export function parseSnmp(text: string): SnmpCounters | undefined {
  const tables = new Map<string, Map<string, string>>();
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const [headerProto, ...names] = lines[i].trim().split(/\s+/);
    const [valueProto, ...values] = lines[i + 1].trim().split(/\s+/);
    if (!headerProto.endsWith(":") || headerProto !== valueProto || names.length !== values.length) return undefined;
    tables.set(headerProto.slice(0, -1), new Map(names.map((name, column) => [name, values[column]])));
  }
  const counters: Partial<SnmpCounters> = {};
  for (const [field, proto, name] of COUNTERS) {
    const value = tables.get(proto)?.get(name);
    if (value === undefined || !/^\d+$/.test(value)) return undefined;
    counters[field] = Number(value);
  }
  return counters as SnmpCounters;
}

export interface NetworkWatchOptions {
  /** container id or name */
  container: string;
  untilMs: number;
  /** the window's start: a run of the container that began after it is counted from its first packet; default now */
  fromMs?: number;
  /** time between two samples; default 500 (an off-network connect stays in SYN_SENT for about 3 s) */
  intervalMs?: number;
}

const UNKNOWN = "direct connection attempts are unknown";
/** a run that started this close before the window still counts from zero (the engine's clock and ours) */
const START_SLACK_MS = 1000;

/** Where the engine is, when it is plainly not on this host (its pids would be another host's). */
function remoteEngine(docker: Docker): string | undefined {
  const modem = (docker as unknown as { modem?: { socketPath?: unknown; host?: unknown; port?: unknown; protocol?: unknown } }).modem;
  if (!modem || typeof modem.socketPath === "string" || typeof modem.host !== "string") return undefined;
  if (["localhost", "127.0.0.1", "::1"].includes(modem.host)) return undefined;
  return `${typeof modem.protocol === "string" ? modem.protocol : "tcp"}://${modem.host}${modem.port ? `:${modem.port}` : ""}`;
}

/** One namespace's counters: first and last sample (the first is zeros for a namespace made in the window). */
interface Namespace {
  first: SnmpCounters;
  last: SnmpCounters;
}

type Sample = { ok: true; key: string; counters: SnmpCounters; sockets: OffNetworkSocket[] } | { ok: false; reason: string; fatal: boolean };

const zeros = (): SnmpCounters => ({ noRoute: 0, failedConnects: 0, connectsOpened: 0 });
const errorCode = (error: unknown) => (error as NodeJS.ErrnoException).code ?? (error as Error).message;

/**
 * Reads the counters of the namespace container `id` runs in now, through pid `pid`. Checks that the pid
 * is the container's here (its cgroup names the container: a pid from an engine in another pid namespace
 * or on another host is some other process) and that the namespace is not this host's own.
 */
async function sample(id: string, pid: number, hostNamespace: string | undefined, subnets: readonly Subnet[]): Promise<Sample> {
  const proc = `/proc/${pid}`;
  try {
    const cgroup = await readFile(`${proc}/cgroup`, "utf8");
    if (!cgroup.includes(id)) return { ok: false, fatal: true, reason: `process ${pid} on this host is not the container's (its cgroup does not name it): the engine runs in another pid namespace or on another host` };
    const namespace = await readlink(`${proc}/ns/net`);
    if (namespace === hostNamespace) return { ok: false, fatal: true, reason: "the container shares this host's network namespace (network mode host): its counters would be the host's" };
    const text = await readFile(`${proc}/net/snmp`, "utf8");
    const sockets = await offNetworkSockets(`${proc}/net`, subnets);
    // the process may have exited and its pid been reused between the reads: only a namespace seen on both sides counts
    if ((await readlink(`${proc}/ns/net`)) !== namespace) return { ok: false, fatal: false, reason: `process ${pid} changed namespace while it was read` };
    const counters = parseSnmp(text);
    if (!counters) return { ok: false, fatal: true, reason: `${proc}/net/snmp is not in the kernel's format (Ip: OutNoRoutes, Tcp: AttemptFails and ActiveOpens)` };
    return { ok: true, key: `${pid} ${namespace}`, counters, sockets };
  } catch (error) {
    const code = errorCode(error);
    // ENOENT: the process ended between the engine's answer and the read (a restart), or is not on this host
    if (code === "ENOENT" || code === "ESRCH") return { ok: false, fatal: false, reason: `process ${pid} is not on this host (${code}; the engine is not on this host?)` };
    return { ok: false, fatal: true, reason: `${proc} could not be read (${code}; not run as root, or the engine is not on this host?)` };
  }
}

/**
 * Samples container `options.container`'s network counters about once a second until `untilMs` and
 * returns their increase over the window, summed over every namespace the container ran in (each restart
 * makes a fresh one that starts at zero, so a namespace first seen after another, or made after
 * `fromMs`, counts from zero; the one already running at the start counts from its first sample).
 * Attempts a run makes after its last sample, in the second before it exits, are missed: with restarts the
 * counts are lower bounds and a problem says so. When the counters cannot be read at all, `counters` is
 * undefined and one problem says why: never zeros.
 */
export async function watchNetworkCounters(docker: Docker, options: NetworkWatchOptions): Promise<{ counters?: NetworkCounters; problems: string[] }> {
  const intervalMs = options.intervalMs ?? 500;
  if (!Number.isInteger(intervalMs) || intervalMs < 10) throw new Error(`watchNetworkCounters: intervalMs ${intervalMs} is not a whole number of milliseconds from 10: give one, or leave it out for 500`);
  const fromMs = options.fromMs ?? Date.now();
  const name = options.container.slice(0, 12);
  const remote = remoteEngine(docker);
  if (remote) return { problems: [`${UNKNOWN}: the Docker engine is at ${remote}, and container ${name}'s network counters can be read only on the engine's own host (run the admission there)`] };
  const hostNamespace = await readlink("/proc/self/ns/net").catch(() => undefined);

  const namespaces = new Map<string, Namespace>();
  const offNetwork = new Map<string, OffNetworkSocket>();
  let lastFailure = "it did not run during the window";
  let fatal: string | undefined;
  let lateStart: number | undefined;
  const maxSamples = Math.ceil(Math.max(0, options.untilMs - Date.now()) / intervalMs) + 5;
  for (let taken = 0; taken < maxSamples && Date.now() < options.untilMs; taken++) {
    const sampledAt = Date.now();
    let info: Docker.ContainerInspectInfo | undefined;
    try {
      info = await docker.getContainer(options.container).inspect();
    } catch (error) {
      lastFailure = `the engine could not inspect it (${(error as Error).message})`;
    }
    if (info?.State.Running && info.State.Pid > 0) {
      const result = await sample(info.Id, info.State.Pid, hostNamespace, ownSubnets(info));
      if (result.ok) {
        for (const socket of result.sockets) {
          const seen = offNetwork.get(`${socket.protocol} ${socket.remote}`);
          if (seen) seen.states = [...new Set([...seen.states, ...socket.states])];
          else offNetwork.set(`${socket.protocol} ${socket.remote}`, socket);
        }
        const known = namespaces.get(result.key);
        if (known && COUNTERS.every(([field]) => result.counters[field] >= known.last[field])) {
          known.last = result.counters;
        } else {
          // the run already going when the watch began counts from its first sample, unless it started in the window
          const startedInWindow = Date.parse(info.State.StartedAt) >= fromMs - START_SLACK_MS;
          const fromZero = namespaces.size > 0 || startedInWindow || known !== undefined;
          // a counter that went down is a new namespace behind a reused pid and inode: keep the old one's increase
          const key = known ? `${result.key} #${namespaces.size}` : result.key;
          if (known) namespaces.set(key, known);
          namespaces.set(result.key, { first: fromZero ? zeros() : result.counters, last: result.counters });
          if (!fromZero && sampledAt > fromMs + 2000) lateStart = sampledAt;
        }
      } else if (result.fatal && namespaces.size === 0) {
        // once the container's own namespace was read, a mismatch is a pid reused during a restart: a lost sample
        fatal = result.reason;
        break;
      } else {
        lastFailure = result.reason;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(sampledAt + intervalMs, options.untilMs) - Date.now())));
  }

  if (fatal) return { problems: [`${UNKNOWN}: ${fatal}`] };
  if (namespaces.size === 0) return { problems: [`${UNKNOWN}: no network counters of container ${name} were read: ${lastFailure}`] };
  const counters: NetworkCounters = { ...zeros(), offNetwork: [...offNetwork.values()].sort((a, b) => a.remote.localeCompare(b.remote)) };
  for (const { first, last } of namespaces.values()) for (const [field] of COUNTERS) counters[field] += last[field] - first[field];
  const problems: string[] = [];
  if (namespaces.size > 1) problems.push(`container ${name} ran in ${namespaces.size} network namespaces during the window (restarts): attempts in the second before each exit may be missed, so its connection counts are lower bounds`);
  if (lateStart !== undefined) problems.push(`direct connection attempts of container ${name} were counted from ${new Date(lateStart).toISOString()} on, not from the window's start`);
  return { counters, problems };
}
