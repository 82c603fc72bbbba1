// What the engine wiring sets per container and a Swarm service cannot (Engine 20.10, API 1.41, and the
// @pulumi/docker 5.2.0 ServiceTaskSpec): each becomes a requirement on every node, with the reason,
// the daemon.json setting or host setting that provides it, and a probe a preflight can run in a task.
import type { ContainerInputs } from "../hardening";

export interface NodeRequirement {
  id: "no-new-privileges" | "seccomp" | "apparmor" | "ulimits" | "ipc-private" | "cgroupns-private" | "no-swap" | "runsc" | "static-addresses";
  /** the ContainerInputs field the engine wiring sets (or the engine default it relies on) */
  field: keyof ContainerInputs | "engine default";
  why: string;
  /** what provides it on the node */
  provide: string;
  /** keys to merge into the node's /etc/docker/daemon.json (none: nothing to set, only to keep) */
  daemonJson: Record<string, unknown>;
  /** a command a task on the node runs, and a regular expression its output must match */
  probe?: { command: string[]; expect: string };
}

/** Per-UID limits are the same for every workload except nproc; the node default takes the largest nproc. */
function ulimitDefaults(containers: readonly ContainerInputs[]): Record<string, { Name: string; Soft: number; Hard: number }> {
  const limits: Record<string, { Name: string; Soft: number; Hard: number }> = {};
  for (const container of containers) {
    for (const u of container.ulimits) {
      const previous = limits[u.name];
      if (!previous || u.hard > previous.Hard) limits[u.name] = { Name: u.name, Soft: u.soft, Hard: u.hard };
    }
  }
  return Object.fromEntries(Object.entries(limits).sort(([a], [b]) => (a < b ? -1 : 1)));
}

const limitsLine = (name: string, label: string, value: number) => `(?:^|\\n)${label}\\s+${value}\\s+${value}\\s`;
const LIMIT_LABELS: Record<string, string> = { nofile: "Max open files", nproc: "Max processes", sigpending: "Max pending signals" };

/**
 * The node-level requirements for running `containers` as Swarm services. The nproc default is the
 * largest any workload needs: a per-app nproc below it cannot be enforced per service on Engine 20.10
 * (the `why` says so), so apps with a smaller maxProcesses get the larger bound on a Swarm stack.
 */
export function nodeRequirements(containers: readonly ContainerInputs[]): NodeRequirement[] {
  const ulimits = ulimitDefaults(containers);
  const nprocs = [...new Set(containers.flatMap((c) => c.ulimits.filter((u) => u.name === "nproc").map((u) => u.hard)))].sort((a, b) => a - b);
  const requirements: NodeRequirement[] = [
    {
      id: "no-new-privileges",
      field: "securityOpts",
      why: "a setuid binary or file capability in an image must not raise a task's privileges; services can set no-new-privileges only from API 1.44 (Engine 25)",
      provide: 'daemon.json "no-new-privileges": true (applies to every container the node starts)',
      daemonJson: { "no-new-privileges": true },
      probe: { command: ["grep", "NoNewPrivs", "/proc/self/status"], expect: "NoNewPrivs:\\s+1" },
    },
    {
      id: "seccomp",
      field: "engine default",
      why: "the engine wiring keeps Docker's default seccomp profile; a service cannot name a profile before API 1.44, so the node's default must stay in force",
      provide: 'leave daemon.json "seccomp-profile" unset (the built-in profile) or set it to a stricter profile file, never "unconfined"',
      daemonJson: {},
      probe: { command: ["grep", "Seccomp:", "/proc/self/status"], expect: "Seccomp:\\s+2" },
    },
    {
      id: "apparmor",
      field: "engine default",
      why: "the engine wiring keeps Docker's docker-default AppArmor profile; a service cannot name one before API 1.44",
      provide: "AppArmor enabled in the node's kernel (Docker then applies docker-default to every container); on a kernel without AppArmor nothing applies, as with the engine wiring on that host",
      daemonJson: {},
    },
    {
      id: "ulimits",
      field: "ulimits",
      why: `per-UID limits (open files, pending signals, processes) stop one workload from exhausting another's; @pulumi/docker 5.2.0 services have no ulimits. nproc is one value per node: ${nprocs.join(", ")} in the stack, so the node default is ${ulimits.nproc?.Hard ?? "unset"} for all`,
      provide: 'daemon.json "default-ulimits"',
      daemonJson: { "default-ulimits": ulimits },
      probe: {
        command: ["cat", "/proc/self/limits"],
        // every limit on its own line, in any order: one lookahead per limit
        expect: `^${Object.values(ulimits)
          .filter((u) => LIMIT_LABELS[u.Name])
          .map((u) => `(?=[\\s\\S]*${limitsLine(u.Name, LIMIT_LABELS[u.Name], u.Hard)})`)
          .join("")}`,
      },
    },
    {
      id: "ipc-private",
      field: "ipcMode",
      why: "a task must not share System V IPC with others; services cannot set an IPC mode",
      provide: 'daemon.json "default-ipc-mode": "private"',
      daemonJson: { "default-ipc-mode": "private" },
    },
    {
      id: "cgroupns-private",
      field: "cgroupnsMode",
      why: "on cgroup v1 hosts Docker's default is the host's cgroup namespace, which shows a task the host's cgroup tree; services cannot set a cgroup namespace mode",
      provide: 'daemon.json "default-cgroupns-mode": "private"',
      daemonJson: { "default-cgroupns-mode": "private" },
      // in a private cgroup namespace every hierarchy's path is the root
      probe: { command: ["cat", "/proc/self/cgroup"], expect: "^(?:[^\\n]*:/\\n?)+$" },
    },
    {
      id: "no-swap",
      field: "memorySwap",
      why: "the engine wiring sets swap equal to memory (no swap beyond the limit); a service sets memory only, and Docker then allows as much swap again",
      provide: "no swap on the node (swapoff -a, and none in /etc/fstab)",
      daemonJson: {},
      // /proc/swaps is not namespaced: a header line and nothing else
      probe: { command: ["cat", "/proc/swaps"], expect: "^Filename[^\\n]*\\n?$" },
    },
    {
      id: "static-addresses",
      field: "networksAdvanced",
      why: "Swarm cannot give a task a static address (moby#24170): apps reach the gateway and the egress proxy by their aliases on the app's own network, and the proxies still tell apps apart by the source subnet, which only that app's tasks draw addresses from",
      provide: "nothing on the node: the aliases gateway and egress on every app network, and the gateway certificate's DNS name gateway",
      daemonJson: {},
    },
  ];
  if (containers.some((c) => c.runtime === "runsc")) {
    requirements.push({
      id: "runsc",
      field: "runtime",
      why: "a service cannot choose the OCI runtime (TaskSpec.runtime means container or plugin): apps that ask for gVisor are placed on nodes labelled platform.runtime=runsc",
      provide: 'on those nodes: runsc installed, daemon.json "runtimes": {"runsc": {"path": "/usr/local/bin/runsc"}} and "default-runtime": "runsc"; label them with docker node update --label-add platform.runtime=runsc',
      daemonJson: {},
      probe: { command: ["dmesg"], expect: "gVisor" },
    });
  }
  return requirements;
}

/** The daemon.json keys every node needs, merged from the requirements (for a node setup script). */
export function nodeDaemonJson(requirements: readonly NodeRequirement[]): Record<string, unknown> {
  return Object.assign({}, ...requirements.map((r) => r.daemonJson));
}
