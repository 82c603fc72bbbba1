// A throw-away Docker Swarm made of local engines: one network namespace, one dockerd (with its own
// containerd, data root, exec root and socket) per node, all joined through a bridge that lives in a
// dedicated "switch" namespace, so the root namespace's links, routes and iptables are never touched
// and the machine's main engine (/var/run/docker.sock) is never used except as the source of images.
// Teardown is synchronous so it can also run from process exit / SIGINT handlers.
import { spawn, spawnSync, execFile } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, rmdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import Docker from "dockerode";

const execFileAsync = promisify(execFile);

export interface SwarmClusterOptions {
  /** Number of engines; node 1 is the only manager, the others join as workers. Default 3. */
  nodes?: number;
  /** Prefix of every namespace, interface, cgroup and directory the cluster makes; [a-z][a-z0-9]{0,7}. Default "swt". */
  name?: string;
  /** Parent of the cluster's directory (sockets, data and exec roots, logs). Default /tmp. */
  baseDir?: string;
  /** overlay2 when the base directory's filesystem supports it, otherwise vfs; set to force one. */
  storageDriver?: "overlay2" | "vfs";
  /** Bound for each engine to answer after start. Default 60 s. */
  engineTimeoutMs?: number;
  /** Bound for every node to show Ready in `docker node ls`. Default 60 s. */
  readyTimeoutMs?: number;
  /** Swarm dispatcher heartbeat; short so a cut node is marked Down quickly. Default 2 s. */
  heartbeatSeconds?: number;
  /** Every engine's daemon.json (e.g. the node requirements of render/swarm/node-requirements.ts). Default {}. */
  daemonConfig?: Record<string, unknown>;
  /** One node's daemon.json by 1-based index, in place of daemonConfig; undefined keeps daemonConfig (e.g. one node set up wrongly). */
  nodeDaemonConfig?: (index: number) => Record<string, unknown> | undefined;
}

export interface SwarmNode {
  /** 1-based, as in "node 2". */
  index: number;
  role: "manager" | "worker";
  /** Hostname inside the node (its own UTS namespace), shown by `docker node ls`: `<name>-n<index>`. */
  hostname: string;
  /** Network namespace (`ip netns exec <namespace> ...`). */
  namespace: string;
  /** Address on the cluster subnet, the swarm advertise address. */
  address: string;
  socketPath: string;
  /** `unix://<socketPath>`, for DOCKER_HOST or `docker -H`. */
  dockerHost: string;
  docker: Docker;
  /** Root of this node's files; dockerd.log is the engine's log. */
  dir: string;
  logFile: string;
  /** Switch-side end of the node's veth pair (what cutNode brings down). */
  switchPort: string;
}

export interface SwarmCluster {
  name: string;
  dir: string;
  /** The namespace holding the bridge and the switch-side veth ends. */
  switchNamespace: string;
  bridge: string;
  subnet: string;
  storageDriver: "overlay2" | "vfs";
  nodes: SwarmNode[];
  manager: SwarmNode;
  /** Milliseconds from start to every node Ready (engines + swarm). */
  startupMs: number;
  /** Runs `docker <args>` against node `index` (1-based); rejects with stderr on failure. */
  docker(index: number, args: string[], timeoutMs?: number): Promise<string>;
  /** Brings the node's switch port down: the node loses the cluster network (carrier off on its eth0). */
  cutNode(index: number): void;
  restoreNode(index: number): void;
  /** Leaves the swarm, stops every engine, removes namespaces, links, cgroups and directories. Idempotent. */
  stop(): Promise<void>;
}

const NAME_PATTERN = /^[a-z][a-z0-9]{0,7}$/;
const MAX_NODES = 20;
// Benchmark range (RFC 2544): never routed, and outside Docker's default pools (172.17-31/16, 192.168/20,
// 10/8 for overlays) that each node's engine allocates inside its namespace.
const SUBNET_CANDIDATES = Array.from({ length: 32 }, (_, i) => `198.18.${i}`);
const active = new Map<string, () => void>();

/** Why the cluster cannot run on this machine, or undefined when it can. */
export function swarmClusterUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return "needs root (network namespaces, veths, dockerd)";
  for (const tool of ["ip", "dockerd", "containerd", "nsenter", "unshare", "docker"]) {
    if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) return `\`${tool}\` is not installed`;
  }
  const vxlan = vxlanUnavailable();
  if (vxlan) return vxlan;
  return undefined;
}

/** Overlay networks need VXLAN; proven by creating a device in a scratch namespace (module loaded or loadable). */
export function vxlanUnavailable(): string | undefined {
  const ns = `vxprobe-${process.pid}`;
  if (run("ip", ["netns", "add", ns]).status !== 0) return "cannot create a network namespace (`ip netns add`)";
  try {
    const made = run("ip", ["-n", ns, "link", "add", "vx0", "type", "vxlan", "id", "42", "dstport", "4789"]);
    return made.status === 0 ? undefined : `the kernel cannot create a vxlan device: ${made.stderr.trim()}`;
  } finally {
    run("ip", ["netns", "delete", ns]);
  }
}

export async function startSwarmCluster(options: SwarmClusterOptions = {}): Promise<SwarmCluster> {
  const started = Date.now();
  const count = options.nodes ?? 3;
  const name = options.name ?? "swt";
  if (!Number.isInteger(count) || count < 1 || count > MAX_NODES) throw new Error(`options.nodes must be an integer 1..${MAX_NODES}, got ${count}`);
  if (!NAME_PATTERN.test(name)) throw new Error(`options.name must match ${NAME_PATTERN} (it prefixes 15-character interface names), got "${name}"`);
  if (active.has(name)) throw new Error(`a swarm cluster named "${name}" is already running in this process; stop it or pick another options.name`);
  const dir = join(options.baseDir ?? "/tmp", `swarm-${name}`);
  removeStaleCluster(name, dir);

  const storageDriver = options.storageDriver ?? pickStorageDriver(options.baseDir ?? "/tmp");
  const subnet = pickSubnet();
  const switchNamespace = `${name}-sw`;
  const bridge = "br0";
  const nodes: SwarmNode[] = [];
  for (let index = 1; index <= count; index++) {
    const nodeDir = join(dir, `n${index}`);
    const socketPath = join(nodeDir, "docker.sock");
    nodes.push({
      index, role: index === 1 ? "manager" : "worker", hostname: `${name}-n${index}`, namespace: `${name}-n${index}`,
      address: `${subnet}.${10 + index}`, socketPath, dockerHost: `unix://${socketPath}`,
      docker: new Docker({ socketPath }), dir: nodeDir, logFile: join(nodeDir, "dockerd.log"), switchPort: `${name}-n${index}h`,
    });
  }
  const teardown = () => teardownCluster(name, dir, nodes, switchNamespace);
  active.set(name, teardown);
  installExitCleanup();

  let stopped = false;
  const cluster: SwarmCluster = {
    name, dir, switchNamespace, bridge, subnet: `${subnet}.0/24`, storageDriver, nodes, manager: nodes[0], startupMs: 0,
    docker: (index, args, timeoutMs) => dockerCli(nodeAt(nodes, index), args, timeoutMs),
    cutNode: (index) => must("ip", ["-n", switchNamespace, "link", "set", nodeAt(nodes, index).switchPort, "down"]),
    restoreNode: (index) => must("ip", ["-n", switchNamespace, "link", "set", nodeAt(nodes, index).switchPort, "up"]),
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await leaveSwarm(nodes);
      teardown();
      active.delete(name);
    },
  };
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    buildNetwork(switchNamespace, bridge, nodes);
    for (const node of nodes) startEngine(node, name, storageDriver, options.nodeDaemonConfig?.(node.index) ?? options.daemonConfig ?? {});
    const engineTimeout = options.engineTimeoutMs ?? 60_000;
    await Promise.all(nodes.map((node) => waitForEngine(node, engineTimeout)));
    await formSwarm(nodes, options.heartbeatSeconds ?? 2);
    await waitForNodes(cluster, (list) => list.length === count && list.every((n) => n.status === "ready"), options.readyTimeoutMs ?? 60_000, "every node Ready");
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  cluster.startupMs = Date.now() - started;
  return cluster;
}

/**
 * Copies an image from the main engine into the nodes (`nodes`: 1-based indexes, default every node):
 * `docker save` once, `docker load` on each node's socket, each bounded by `timeoutMs`.
 */
export async function loadImage(cluster: SwarmCluster, image: string, options: { nodes?: number[]; timeoutMs?: number } = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const targets = options.nodes ? cluster.nodes.filter((node) => options.nodes!.includes(node.index)) : cluster.nodes;
  const archive = join(cluster.dir, `image-${image.replace(/[^a-zA-Z0-9_.-]/g, "_")}.tar`);
  const saved = spawnSync("docker", ["-H", "unix:///var/run/docker.sock", "save", "-o", archive, image], { encoding: "utf8", timeout: timeoutMs });
  if (saved.status !== 0) throw new Error(`loadImage: \`docker save ${image}\` on the main engine failed (is it built? \`docker images ${image}\`): ${saved.stderr.trim()}`);
  try {
    await Promise.all(targets.map((node) => dockerCli(node, ["load", "-i", archive], timeoutMs)));
  } finally {
    rmSync(archive, { force: true });
  }
}

/** Why a test cannot run: `image` is not on the main engine (the source loadImage copies from), or undefined. */
export async function imageMissing(image: string): Promise<string | undefined> {
  try {
    await new Docker().getImage(image).inspect();
    return undefined;
  } catch (error) {
    return `${image} is not on the main engine (npm run images): ${(error as Error).message}`;
  }
}

/** Polls `probe` every 500 ms until it returns a value; throws naming `what` (and the last error) after `timeoutMs`. */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError = "";
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = (error as Error).message;
    }
    await sleep(500);
  }
  throw new Error(`not ${what} within ${timeoutMs} ms${lastError ? ` (last error: ${lastError})` : ""}`);
}

/** Node hostnames (sorted) of the service's running tasks once there are exactly `count`, else undefined. */
export async function runningOn(cluster: SwarmCluster, service: string, count: number): Promise<string[] | undefined> {
  const rows = (await cluster.docker(1, ["service", "ps", service, "--filter", "desired-state=running", "--format", "{{.Node}}|{{.CurrentState}}"]))
    .split("\n").filter(Boolean).map((row) => row.split("|"));
  const running = rows.filter(([, state]) => state.startsWith("Running")).map(([node]) => node);
  return running.length === count ? running.sort() : undefined;
}

export interface NodeState { id: string; hostname: string; status: string; availability: string; role: string }

/** `docker node ls` from the manager, as structured rows (status lower-case: ready, down, unknown). */
export async function listNodes(cluster: SwarmCluster): Promise<NodeState[]> {
  const nodes = await cluster.manager.docker.listNodes();
  return nodes.map((n) => ({
    id: n.ID ?? "", hostname: n.Description?.Hostname ?? "", status: String(n.Status?.State ?? ""),
    availability: String(n.Spec?.Availability ?? ""), role: String(n.Spec?.Role ?? ""),
  }));
}

/** Polls `listNodes` until `done` holds; throws naming `what` and the last seen states after `timeoutMs`. */
export async function waitForNodes(cluster: SwarmCluster, done: (nodes: NodeState[]) => boolean, timeoutMs: number, what: string): Promise<NodeState[]> {
  const deadline = Date.now() + timeoutMs;
  let last: NodeState[] = [];
  let lastError = "";
  while (Date.now() < deadline) {
    try {
      last = await listNodes(cluster);
      if (done(last)) return last;
    } catch (error) {
      lastError = (error as Error).message;
    }
    await sleep(500);
  }
  const seen = last.map((n) => `${n.hostname}=${n.status}`).join(", ");
  throw new Error(`swarm: not ${what} after ${timeoutMs} ms (nodes: ${seen || "none"}${lastError ? `; last error: ${lastError}` : ""})`);
}

/**
 * What a cluster named `name` would leave behind: namespaces, processes (by cgroup, command line or
 * network namespace), root-namespace links, mounts, cgroup directories and the directory itself.
 */
export function findLeftovers(name: string, baseDir = "/tmp"): string[] {
  const dir = join(baseDir, `swarm-${name}`);
  const found: string[] = [];
  for (const ns of namespacesOf(name)) found.push(`netns ${ns}`);
  for (const pid of processesOf(name, dir)) found.push(`process ${pid} ${cmdline(pid)}`);
  const links = run("ip", ["-o", "link", "show"]).stdout.split("\n").filter((l) => l.includes(` ${name}-`));
  for (const link of links) found.push(`link ${link.trim()}`);
  for (const mount of mountsUnder(dir)) found.push(`mount ${mount}`);
  for (const cgroup of cgroupDirsOf(name)) found.push(`cgroup ${cgroup}`);
  if (existsSync(dir)) found.push(`directory ${dir}`);
  return found;
}

function nodeAt(nodes: SwarmNode[], index: number): SwarmNode {
  const node = nodes[index - 1];
  if (!node) throw new Error(`node index ${index} is out of range 1..${nodes.length} (node indexes are 1-based)`);
  return node;
}

function pickStorageDriver(baseDir: string): "overlay2" | "vfs" {
  const fsType = run("stat", ["-f", "-c", "%T", baseDir]).stdout.trim();
  // overlayfs cannot use another overlay as its upper layer; ext*/xfs/btrfs/tmpfs can.
  return /^(ext2\/ext3|ext4|xfs|btrfs|tmpfs)$/.test(fsType) ? "overlay2" : "vfs";
}

function pickSubnet(): string {
  const used = [
    ...run("ip", ["-j", "route", "show", "table", "all"]).stdout.match(/"dst":"[0-9./]+"/g) ?? [],
    ...run("ip", ["-j", "addr"]).stdout.match(/"local":"[0-9.]+"/g) ?? [],
  ].map((s) => s.split('"')[3]);
  const free = SUBNET_CANDIDATES.find((prefix) => !used.some((u) => u.startsWith(`${prefix}.`) || u.startsWith("198.18.0.0/15") || u === `${prefix}.0/24`));
  if (!free) throw new Error("swarm: no free 198.18.x.0/24 subnet (every candidate overlaps a route or address in the root namespace)");
  return free;
}

function buildNetwork(switchNamespace: string, bridge: string, nodes: SwarmNode[]): void {
  must("ip", ["netns", "add", switchNamespace]);
  must("ip", ["-n", switchNamespace, "link", "set", "lo", "up"]);
  must("ip", ["-n", switchNamespace, "link", "add", bridge, "type", "bridge"]);
  must("ip", ["-n", switchNamespace, "link", "set", bridge, "up"]);
  for (const node of nodes) {
    must("ip", ["netns", "add", node.namespace]);
    must("ip", ["-n", node.namespace, "link", "set", "lo", "up"]);
    // Created directly inside the two namespaces: nothing appears in the root namespace, not even briefly.
    must("ip", ["-n", switchNamespace, "link", "add", node.switchPort, "type", "veth", "peer", "name", "eth0", "netns", node.namespace]);
    must("ip", ["-n", switchNamespace, "link", "set", node.switchPort, "master", bridge, "up"]);
    must("ip", ["-n", node.namespace, "addr", "add", `${node.address}/24`, "dev", "eth0"]);
    must("ip", ["-n", node.namespace, "link", "set", "eth0", "up"]);
  }
}

// Runs inside the node's own mount and UTS namespaces: a fresh sysfs so /sys/class/net shows the node's
// links (what `ip netns exec` does), the cgroup hierarchy carried over (it lives under /sys), a hostname.
const ENGINE_SCRIPT = `set -e
dir="$1"; hostname="$2"; shift 2
mkdir -p "$dir/cgroup-carry"
mount --rbind /sys/fs/cgroup "$dir/cgroup-carry"
mount -t sysfs sysfs /sys
mount --move "$dir/cgroup-carry" /sys/fs/cgroup
echo "$hostname" > /proc/sys/kernel/hostname
exec dockerd "$@"
`;

function startEngine(node: SwarmNode, name: string, storageDriver: string, daemonConfig: Record<string, unknown>): void {
  mkdirSync(join(node.dir, "data"), { recursive: true, mode: 0o700 });
  mkdirSync(join(node.dir, "exec"), { recursive: true, mode: 0o700 });
  writeFileSync(join(node.dir, "engine.sh"), ENGINE_SCRIPT);
  // Own config file: the main engine's /etc/docker/daemon.json must not leak in.
  writeFileSync(join(node.dir, "daemon.json"), `${JSON.stringify(daemonConfig)}\n`);
  const args = [
    `--net=/run/netns/${node.namespace}`, "unshare", "--mount", "--uts", "--propagation", "slave",
    "sh", join(node.dir, "engine.sh"), node.dir, node.hostname,
    "--config-file", join(node.dir, "daemon.json"),
    "--data-root", join(node.dir, "data"), "--exec-root", join(node.dir, "exec"),
    "--pidfile", join(node.dir, "dockerd.pid"), "-H", node.dockerHost,
    "--storage-driver", storageDriver, "--cgroup-parent", `${name}-n${node.index}`,
    "--shutdown-timeout", "2", "--log-level", "info",
  ];
  const log = openSync(node.logFile, "a");
  try {
    const child = spawn("nsenter", args, { detached: true, stdio: ["ignore", log, log] });
    child.unref();
  } finally {
    closeSync(log);
  }
}

async function waitForEngine(node: SwarmNode, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      await node.docker.ping();
      return;
    } catch {
      await sleep(250);
    }
  }
  throw new Error(`swarm: engine of node ${node.index} (${node.socketPath}) did not answer within ${timeoutMs} ms; log tail:\n${logTail(node.logFile)}`);
}

async function formSwarm(nodes: SwarmNode[], heartbeatSeconds: number): Promise<void> {
  const [manager, ...workers] = nodes;
  await dockerCli(manager, ["swarm", "init", "--advertise-addr", manager.address, "--listen-addr", `${manager.address}:2377`,
    "--dispatcher-heartbeat", `${heartbeatSeconds}s`]);
  const token = (await dockerCli(manager, ["swarm", "join-token", "-q", "worker"])).trim();
  await Promise.all(workers.map((worker) =>
    dockerCli(worker, ["swarm", "join", "--token", token, "--advertise-addr", worker.address, "--listen-addr", `${worker.address}:2377`, `${manager.address}:2377`], 60_000)));
}

async function dockerCli(node: SwarmNode, args: string[], timeoutMs = 30_000): Promise<string> {
  try {
    const { stdout } = await execFileAsync("docker", ["-H", node.dockerHost, ...args], { timeout: timeoutMs, maxBuffer: 16 << 20 });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`docker ${args.join(" ")} on node ${node.index} failed: ${(e.stderr || e.message).trim()}`);
  }
}

/** Best effort and bounded: a cut or stopped node cannot leave, and its state is deleted with its data root anyway. */
async function leaveSwarm(nodes: SwarmNode[]): Promise<void> {
  await Promise.all(nodes.filter((node) => existsSync(node.socketPath))
    .map((node) => dockerCli(node, ["swarm", "leave", "--force"], 5_000).catch(() => undefined)));
}

// Synchronous so the process exit handler can run it too.
function teardownCluster(name: string, dir: string, nodes: SwarmNode[], switchNamespace: string): void {
  stopProcesses(name, dir);
  unmountUnder(dir);
  for (const ns of [...nodes.map((n) => n.namespace), switchNamespace]) run("ip", ["netns", "delete", ns]);
  removeCgroupDirs(name);
  rmSync(dir, { recursive: true, force: true });
}

/** Removes what a crashed run with the same name left: processes, mounts, namespaces, cgroups, directory. */
function removeStaleCluster(name: string, dir: string): void {
  stopProcesses(name, dir);
  unmountUnder(dir);
  for (const ns of namespacesOf(name)) run("ip", ["netns", "delete", ns]);
  removeCgroupDirs(name);
  rmSync(dir, { recursive: true, force: true });
}

function stopProcesses(name: string, dir: string): void {
  // dockerd first and alone: it stops its containers (--shutdown-timeout 2) and then its containerd.
  const engines = processesOf(name, dir).filter((pid) => cmdline(pid).startsWith("dockerd"));
  for (const pid of engines) signal(pid, "SIGTERM");
  waitUntil(() => engines.every((pid) => !alive(pid)), 20_000);
  // Whatever survived (containerd, shims, container processes) is killed outright, bounded in rounds.
  for (let round = 0; round < 5; round++) {
    const left = processesOf(name, dir);
    if (left.length === 0) return;
    for (const pid of left) signal(pid, "SIGKILL");
    waitUntil(() => left.every((pid) => !alive(pid)), 5_000);
  }
}

/** Processes of the cluster: under one of its cgroup parents, with its directory on the command line, or in one of its namespaces. */
function processesOf(name: string, dir: string): number[] {
  const netnsInodes = new Set(namespacesOf(name).map((ns) => inodeOf(`/run/netns/${ns}`)).filter((i): i is number => i !== undefined));
  const cgroupPattern = new RegExp(`:/${name}-n\\d+(/|$)`, "m");
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const inCgroup = cgroupPattern.test(readFileSync(`/proc/${pid}/cgroup`, "utf8"));
      const netns = inodeOf(`/proc/${pid}/ns/net`);
      const inNetns = netns !== undefined && netnsInodes.has(netns);
      if (inCgroup || inNetns || cmdline(pid).includes(`${dir}/`)) pids.push(pid);
    } catch {
      // the process exited while being read
    }
  }
  return pids;
}

function namespacesOf(name: string): string[] {
  if (!existsSync("/run/netns")) return [];
  return readdirSync("/run/netns").filter((ns) => new RegExp(`^${name}-(n\\d+|sw)$`).test(ns));
}

function mountsUnder(dir: string): string[] {
  return readFileSync("/proc/self/mountinfo", "utf8").split("\n")
    .map((line) => line.split(" ")[4]).filter((point) => point !== undefined && (point === dir || point.startsWith(`${dir}/`)));
}

function unmountUnder(dir: string): void {
  // Engine mounts live in each node's private mount namespace and vanish with it; this catches anything that propagated.
  for (const point of mountsUnder(dir).sort((a, b) => b.length - a.length)) run("umount", ["-l", point]);
}

function cgroupDirsOf(name: string): string[] {
  const root = "/sys/fs/cgroup";
  if (!existsSync(root)) return [];
  const dirs: string[] = [];
  const controllers = readdirSync(root).map((c) => join(root, c)).filter((c) => isDir(c));
  for (const base of [root, ...controllers]) {
    for (const entry of safeReaddir(base)) if (new RegExp(`^${name}-n\\d+$`).test(entry)) dirs.push(join(base, entry));
  }
  return dirs;
}

function removeCgroupDirs(name: string): void {
  for (const cgroup of cgroupDirsOf(name)) {
    // Children first (container cgroups under the parent), cgroup dirs can only be removed empty.
    for (const child of safeReaddir(cgroup).filter((c) => isDir(join(cgroup, c)))) tryRmdir(join(cgroup, child));
    tryRmdir(cgroup);
  }
}

function tryRmdir(path: string): void {
  try { rmdirSync(path); } catch { /* still in use or already gone; findLeftovers reports it */ }
}

function installExitCleanup(): void {
  if ((installExitCleanup as { done?: boolean }).done) return;
  (installExitCleanup as { done?: boolean }).done = true;
  const cleanAll = () => {
    for (const [name, teardown] of active) {
      active.delete(name);
      try { teardown(); } catch { /* best effort while exiting */ }
    }
  };
  process.once("exit", cleanAll);
  for (const sig of ["SIGINT", "SIGTERM"] as const) {
    process.once(sig, () => {
      cleanAll();
      process.exit(sig === "SIGINT" ? 130 : 143);
    });
  }
}

function run(cmd: string, args: string[], timeoutMs = 30_000) {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: timeoutMs });
  return { status: r.status, stdout: r.stdout ?? "", stderr: r.stderr ?? (r.error ? String(r.error) : "") };
}

function must(cmd: string, args: string[]): void {
  const r = run(cmd, args);
  if (r.status !== 0) throw new Error(`swarm: \`${cmd} ${args.join(" ")}\` failed: ${r.stderr.trim()}`);
}

function cmdline(pid: number): string {
  try { return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim(); } catch { return ""; }
}

function inodeOf(path: string): number | undefined {
  try { return statSync(path).ino; } catch { return undefined; }
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z "); } catch { return false; }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try { process.kill(pid, sig); } catch { /* already gone */ }
}

function waitUntil(done: () => boolean, timeoutMs: number): void {
  const deadline = Date.now() + timeoutMs;
  while (!done() && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
}

function isDir(path: string): boolean {
  try { return statSync(path).isDirectory(); } catch { return false; }
}

function safeReaddir(path: string): string[] {
  try { return readdirSync(path); } catch { return []; }
}

function logTail(file: string): string {
  try { return readFileSync(file, "utf8").split("\n").slice(-15).join("\n"); } catch { return "(no log)"; }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
