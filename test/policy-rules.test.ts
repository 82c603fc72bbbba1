// Per rule (cdk-nag style): the platform's hardened output is compliant, and each insecure input
// gives exactly the expected messages. Policies run as the CrossGuard server runs them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { containerRules, networkRules, toResourcePolicy } from "../policies/registry";
import { runResourcePolicy } from "./support/policy-harness";
import { appNetworkProps, CONTAINER, hardenedAppProps, NETWORK, outboundNetworkProps, seedAppProps } from "./fixtures/policy/resources";

type Props = Record<string, any>;
interface Case {
  title: string;
  change: (props: Props) => void;
  /** exact messages; [] for a compliant variant */
  expected: string[];
  config?: Record<string, unknown>;
}

const c = (field: string, found: string, fix: string) => `container "alpha": ${field} ${found}. Fix: ${fix}`;
const n = (name: string, field: string, found: string, fix: string) => `network "${name}": ${field} ${found}. Fix: ${fix}`;
const UID_FIX = "set user to a non-zero UID:GID such as \"20001:20001\"";
const BRIDGE_FIX = "leave networkMode unset and list the container's own user-defined network(s) in networksAdvanced, or set networkMode to \"none\"";
const READ_ONLY_FIX = "set readOnly to true; add tmpfs entries (e.g. /tmp) for paths that must be writable";
const SEED_FIX = `make it a seed that never runs (start false, mustRun false, networkMode "none", no networksAdvanced, no ports), or ${READ_ONLY_FIX}`;
const notASeed = (reasons: string) => c("readOnly", `is false, and this is not a seed that never runs: ${reasons}`, SEED_FIX);
/** Turns the props into the app's upload seed (render/hardening.ts seedContainer), then applies `edit`. */
const asSeed = (edit: (p: Props) => void = () => undefined) => (p: Props) => {
  for (const key of Object.keys(p)) delete p[key];
  Object.assign(p, seedAppProps());
  edit(p);
};

const containerCases: Record<string, Case[]> = {
  "cis-4.1-non-root-user": [
    { title: "unset", change: (p) => delete p.user, expected: [c("user", "is unset (the image's USER applies, root by default)", UID_FIX)] },
    { title: "root", change: (p) => (p.user = "root"), expected: [c("user", "is \"root\" (UID 0)", UID_FIX)] },
    { title: "0", change: (p) => (p.user = "0"), expected: [c("user", "is \"0\" (UID 0)", UID_FIX)] },
    { title: "0:1000", change: (p) => (p.user = "0:1000"), expected: [c("user", "is \"0:1000\" (UID 0)", UID_FIX)] },
    { title: "a UID containing 0 is fine", change: (p) => (p.user = "1000:0"), expected: [] },
  ],
  "cis-5.2-apparmor": [
    { title: "unconfined", change: (p) => p.securityOpts.push("apparmor=unconfined"), expected: [c("securityOpts[1]", "is \"apparmor=unconfined\"", "remove it so the docker-default AppArmor profile applies")] },
    { title: "old colon form", change: (p) => (p.securityOpts = ["apparmor:unconfined", "no-new-privileges"]), expected: [c("securityOpts[0]", "is \"apparmor:unconfined\"", "remove it so the docker-default AppArmor profile applies")] },
    { title: "a named profile is fine", change: (p) => p.securityOpts.push("apparmor=docker-default"), expected: [] },
  ],
  "cis-5.3-selinux": [
    { title: "label=disable", change: (p) => p.securityOpts.push("label=disable"), expected: [c("securityOpts[1]", "is \"label=disable\"", "remove it so the container keeps its SELinux confinement")] },
    { title: "spc_t", change: (p) => p.securityOpts.push("label:type:spc_t"), expected: [c("securityOpts[1]", "is \"label:type:spc_t\"", "remove it so the container keeps its SELinux confinement")] },
    { title: "a level is fine", change: (p) => p.securityOpts.push("label=level:s0:c100,c200"), expected: [] },
  ],
  "cis-5.4-capabilities": [
    { title: "drops unset", change: (p) => (p.capabilities = {}), expected: [c("capabilities.drops", "is unset (Docker's default set of 14 capabilities stays)", "set capabilities.drops to [\"ALL\"]")] },
    { title: "ALL not dropped", change: (p) => (p.capabilities.drops = ["NET_RAW"]), expected: [c("capabilities.drops", "is [\"NET_RAW\"] (ALL is not dropped)", "set capabilities.drops to [\"ALL\"]")] },
    {
      title: "forbidden and unlisted adds on an app",
      change: (p) => (p.capabilities.adds = ["CAP_SYS_ADMIN", "NET_BIND_SERVICE"]),
      expected: [
        c("capabilities.adds[0]", "is \"CAP_SYS_ADMIN\", which is never allowed", "remove SYS_ADMIN from capabilities.adds (allowed for apps: none)"),
        c("capabilities.adds[1]", "is \"NET_BIND_SERVICE\", which is not in the allowlist", "remove NET_BIND_SERVICE from capabilities.adds (allowed for apps: none)"),
      ],
    },
    {
      title: "infrastructure may add an allowlisted capability",
      change: (p) => {
        p.labels = [{ label: "platform.role", value: "egress" }];
        p.capabilities.adds = ["setuid", "SETGID"];
      },
      expected: [],
    },
    {
      title: "a forbidden capability stays forbidden even if configured",
      change: (p) => {
        p.labels = [{ label: "platform.role", value: "gateway" }];
        p.capabilities.adds = ["NET_ADMIN"];
      },
      config: { allowedAdds: ["NET_ADMIN"] },
      expected: [c("capabilities.adds[0]", "is \"NET_ADMIN\", which is never allowed", "remove NET_ADMIN from capabilities.adds (allowed: NET_ADMIN)")],
    },
  ],
  "cis-5.5-privileged": [{ title: "privileged", change: (p) => (p.privileged = true), expected: [c("privileged", "is true", "remove privileged or set it to false")] }],
  "cis-5.6-sensitive-host-paths": [
    { title: "/etc via volumes", change: (p) => p.volumes.push({ hostPath: "/etc/", containerPath: "/host-etc", readOnly: true }), expected: [c("volumes[1].hostPath", "is \"/etc/\" (a sensitive host directory)", "remove the bind mount; use a named volume or tmpfs for data the container needs")] },
    { title: "/ via mounts", change: (p) => (p.mounts = [{ type: "bind", source: "/", target: "/host" }]), expected: [c("mounts[0].source", "is \"/\" (the host's root directory)", "remove the bind mount; use a named volume or tmpfs for data the container needs")] },
    { title: "below /proc, with dot segments", change: (p) => (p.mounts = [{ type: "bind", source: "/srv/../proc/1", target: "/p" }]), expected: [c("mounts[0].source", "is \"/srv/../proc/1\" (inside the sensitive host directory /proc)", "remove the bind mount; use a named volume or tmpfs for data the container needs")] },
    { title: "an app data directory is fine", change: (p) => p.volumes.push({ hostPath: "/srv/alpha-data", containerPath: "/data" }), expected: [] },
    { title: "a volume mount is not a bind mount", change: (p) => (p.mounts = [{ type: "volume", source: "etc", target: "/etc" }]), expected: [] },
  ],
  "cis-5.8-privileged-ports": [
    { title: "port 80", change: (p) => (p.ports = [{ internal: 8080, external: 80, ip: "127.0.0.1" }]), expected: [c("ports[0].external", "is 80 (a privileged port)", "use a host port of 1024 or above, or remove the mapping")] },
    { title: "port 8080", change: (p) => (p.ports = [{ internal: 8080, external: 8080, ip: "127.0.0.1" }]), expected: [] },
  ],
  "cis-5.9-publish-all-ports": [{ title: "publishAllPorts", change: (p) => (p.publishAllPorts = true), expected: [c("publishAllPorts", "is true (every EXPOSEd port is published on the host)", "remove publishAllPorts or set it to false")] }],
  "cis-5.10-host-network": [{ title: "host", change: (p) => (p.networkMode = "host"), expected: [c("networkMode", "is \"host\" (the host's network namespace is shared)", "remove networkMode and list the container's own user-defined network in networksAdvanced")] }],
  "cis-5.11-memory-limit": [
    { title: "unset", change: (p) => delete p.memory, expected: [c("memory", "is unset (no limit)", "set memory to a limit in MB between 4 and 16384, e.g. 256")] },
    { title: "zero", change: (p) => (p.memory = 0), expected: [c("memory", "is 0 (no limit)", "set memory to a limit in MB between 4 and 16384, e.g. 256")] },
    { title: "above the configured max", change: (p) => (p.memory = 2048), config: { maxMemoryMb: 1024 }, expected: [c("memory", "is 2048 MB, above the maximum of 1024 MB", "lower memory to at most 1024")] },
  ],
  "cis-5.12-cpu-limit": [
    { title: "unset", change: (p) => delete p.cpus, expected: [c("cpus", "is unset, and so are cpuQuota and cpuShares (no CPU limit)", "set cpus to the share of CPUs the workload needs, e.g. \"0.5\"")] },
    { title: "not a number", change: (p) => (p.cpus = "half"), expected: [c("cpus", "is \"half\" (not a positive number of CPUs)", "set cpus to a decimal string such as \"0.5\"")] },
    { title: "above max", change: (p) => (p.cpus = "8"), config: { maxCpus: 2 }, expected: [c("cpus", "is \"8\", above the maximum of 2", "lower cpus to at most \"2\"")] },
    { title: "cpuQuota instead", change: (p) => { delete p.cpus; p.cpuQuota = 50000; }, expected: [] },
  ],
  "cis-5.13-read-only-root": [
    { title: "unset", change: (p) => delete p.readOnly, expected: [c("readOnly", "is unset (the root filesystem is writable)", READ_ONLY_FIX)] },
    { title: "false", change: (p) => (p.readOnly = false), expected: [c("readOnly", "is false", READ_ONLY_FIX)] },
    {
      title: "the platform's upload seed (never started, no network, no ports)",
      change: asSeed((p) => assert.deepEqual([p.readOnly, p.start, p.mustRun, p.networkMode, p.networksAdvanced, p.ports, p.uploads.length], [false, false, false, "none", undefined, undefined, 3])),
      expected: [],
    },
    { title: "a seed that is started", change: asSeed((p) => (p.start = true)), expected: [notASeed("start is true")] },
    { title: "a seed with start unset", change: asSeed((p) => delete p.start), expected: [notASeed("start is unset (the provider starts it)")] },
    { title: "a seed with mustRun unset", change: asSeed((p) => delete p.mustRun), expected: [notASeed("mustRun is unset (true: it must keep running)")] },
    {
      title: "a seed on a network",
      change: asSeed((p) => {
        delete p.networkMode;
        p.networksAdvanced = [{ name: "plat-dev-app-alpha", aliases: [] }];
      }),
      expected: [notASeed("networkMode is unset, not \"none\", networksAdvanced has 1 attachment")],
    },
    { title: "a seed on the default bridge", change: asSeed((p) => (p.networkMode = "bridge")), expected: [notASeed("networkMode is \"bridge\", not \"none\"")] },
    { title: "a seed with a published port", change: asSeed((p) => (p.ports = [{ internal: 8080, external: 18080, ip: "127.0.0.1" }])), expected: [notASeed("ports has 1 published port")] },
    { title: "a seed with publishAllPorts", change: asSeed((p) => (p.publishAllPorts = true)), expected: [notASeed("publishAllPorts is true")] },
    {
      title: "start false alone does not exempt a networked container",
      change: (p) => {
        p.readOnly = false;
        p.start = false;
      },
      expected: [notASeed("mustRun is unset (true: it must keep running), networkMode is unset, not \"none\", networksAdvanced has 1 attachment")],
    },
    {
      title: "the seed label alone does not exempt a running container",
      change: (p) => {
        p.readOnly = false;
        p.labels = [{ label: "platform.role", value: "seed" }, { label: "platform.app", value: "alpha" }];
      },
      expected: [notASeed("start is unset (the provider starts it), mustRun is unset (true: it must keep running), networkMode is unset, not \"none\", networksAdvanced has 1 attachment")],
    },
  ],
  "cis-5.14-host-interface": [
    {
      title: "unset and wildcard addresses",
      change: (p) => (p.ports = [{ internal: 8080, external: 18080 }, { internal: 8081, external: 18081, ip: "::" }, { internal: 8082, external: 18082, ip: "10.0.0.5" }]),
      expected: [
        c("ports[0].ip", "is unset (binds all host interfaces, 0.0.0.0)", "set ip to a specific host address, e.g. \"127.0.0.1\""),
        c("ports[1].ip", "is \"::\" (all host interfaces)", "set ip to a specific host address, e.g. \"127.0.0.1\""),
      ],
    },
  ],
  "cis-5.15-restart-policy": [
    { title: "always", change: (p) => (p.restart = "always"), expected: [c("restart", "is \"always\" (restarts forever)", "set restart to \"on-failure\" and maxRetryCount between 1 and 5")] },
    { title: "unlimited on-failure", change: (p) => delete p.maxRetryCount, expected: [c("maxRetryCount", "is unset with restart \"on-failure\" (unlimited restarts)", "set restart to \"on-failure\" and maxRetryCount between 1 and 5")] },
    { title: "too many", change: (p) => (p.maxRetryCount = 10), expected: [c("maxRetryCount", "is 10, above 5", "set restart to \"on-failure\" and maxRetryCount between 1 and 5")] },
    { title: "no restarts is fine", change: (p) => (p.restart = "no"), expected: [] },
  ],
  "cis-5.16-host-pid": [{ title: "host", change: (p) => (p.pidMode = "host"), expected: [c("pidMode", "is \"host\" (the host's process namespace is shared)", "remove pidMode so the container gets a private process namespace")] }],
  "cis-5.17-host-ipc": [{ title: "host", change: (p) => (p.ipcMode = "host"), expected: [c("ipcMode", "is \"host\" (the host's IPC namespace is shared)", "remove ipcMode so the container gets a private IPC namespace")] }],
  "cis-5.18-host-devices": [
    {
      title: "device and cgroup rule",
      change: (p) => {
        p.devices = [{ hostPath: "/dev/kvm" }];
        p.deviceCgroupRules = ["c 10:232 rwm"];
      },
      expected: [c("devices[0].hostPath", "is \"/dev/kvm\" (a host device is exposed)", "remove the device"), c("deviceCgroupRules[0]", "is \"c 10:232 rwm\" (grants access to host device nodes)", "remove the rule")],
    },
  ],
  "cis-5.20-mount-propagation": [
    { title: "rshared", change: (p) => (p.mounts = [{ type: "bind", source: "/srv/x", target: "/x", bindOptions: { propagation: "rshared" } }]), expected: [c("mounts[0].bindOptions.propagation", "is \"rshared\"", "remove propagation or set it to \"rprivate\"")] },
    { title: "rprivate", change: (p) => (p.mounts = [{ type: "bind", source: "/srv/x", target: "/x", bindOptions: { propagation: "rprivate" } }]), expected: [] },
  ],
  "cis-5.22-seccomp": [{ title: "unconfined", change: (p) => p.securityOpts.push("seccomp=unconfined"), expected: [c("securityOpts[1]", "is \"seccomp=unconfined\"", "remove it so Docker's default seccomp profile applies")] }],
  "cis-5.25-cgroup": [
    { title: "cgroup parent", change: (p) => (p.cgroupParent = "/system.slice"), expected: [c("cgroupParent", "is \"/system.slice\", not an approved cgroup parent", "remove cgroupParent (none are approved)")] },
    { title: "host cgroupns", change: (p) => (p.cgroupnsMode = "host"), expected: [c("cgroupnsMode", "is \"host\" (the host's cgroup namespace is shared)", "remove cgroupnsMode so the container gets a private cgroup namespace")] },
    { title: "approved parent", change: (p) => (p.cgroupParent = "platform.slice"), config: { allowedCgroupParents: ["platform.slice"] }, expected: [] },
  ],
  "cis-5.26-no-new-privileges": [
    { title: "missing", change: (p) => (p.securityOpts = []), expected: [c("securityOpts", "has no \"no-new-privileges:true\"", "add \"no-new-privileges:true\" to securityOpts")] },
    { title: "false", change: (p) => (p.securityOpts = ["no-new-privileges=false"]), expected: [c("securityOpts[0]", "is \"no-new-privileges=false\"", "set it to \"no-new-privileges:true\"")] },
    { title: "bare form is fine", change: (p) => (p.securityOpts = ["no-new-privileges"]), expected: [] },
  ],
  "cis-5.27-healthcheck": [
    { title: "unset", change: (p) => delete p.healthcheck, expected: [c("healthcheck", "is unset", "set healthcheck.tests to a command that probes the workload")] },
    { title: "NONE", change: (p) => (p.healthcheck.tests = ["NONE"]), expected: [c("healthcheck.tests", "is [\"NONE\"] (the healthcheck is disabled)", "set healthcheck.tests to a command that probes the workload")] },
  ],
  "cis-5.28-image-pinned": [
    { title: "tag", change: (p) => (p.image = "nginx:latest"), expected: [c("image", "is \"nginx:latest\" (not pinned by digest: the tag can move)", "reference the image as name@sha256:<64 hex digits>")] },
    {
      title: "registry not allowed",
      change: () => undefined,
      config: { allowedRegistries: ["registry.internal"] },
      expected: [c("image", "comes from registry \"registry.example\", which is not allowed", "use an image from one of: registry.internal")],
    },
    { title: "Docker Hub is docker.io", change: (p) => (p.image = `library/nginx@sha256:${"c".repeat(64)}`), config: { allowedRegistries: ["docker.io"] }, expected: [] },
    { title: "a local image ID", change: (p) => (p.image = `sha256:${"d".repeat(64)}`), config: { allowedRegistries: ["registry.internal"] }, expected: [] },
  ],
  "cis-5.30-default-bridge": [
    {
      title: "unset with a user-defined network in networksAdvanced (the platform's shape: the provider disconnects the default bridge before start)",
      change: (p) => assert.deepEqual([p.networkMode, p.networksAdvanced.map((n: any) => n.name)], [undefined, ["plat-dev-app-alpha"]]),
      expected: [],
    },
    { title: "unset with no networksAdvanced", change: (p) => (p.networksAdvanced = []), expected: [c("networkMode", "is unset and networksAdvanced lists no user-defined network (Docker's default bridge network)", BRIDGE_FIX)] },
    { title: "unset with networksAdvanced missing", change: (p) => delete p.networksAdvanced, expected: [c("networkMode", "is unset and networksAdvanced lists no user-defined network (Docker's default bridge network)", BRIDGE_FIX)] },
    {
      title: "unset with only modes and blanks in networksAdvanced",
      change: (p) => (p.networksAdvanced = [{ name: "none" }, { name: "host" }, { name: " " }, { name: "container:abc" }, {}]),
      expected: [c("networkMode", "is unset and networksAdvanced lists no user-defined network (Docker's default bridge network)", BRIDGE_FIX)],
    },
    {
      title: "unset with only a bridge attachment",
      change: (p) => (p.networksAdvanced = [{ name: "bridge" }]),
      expected: [
        c("networkMode", "is unset and networksAdvanced lists no user-defined network (Docker's default bridge network)", BRIDGE_FIX),
        c("networksAdvanced[0].name", "is \"bridge\" (Docker's default bridge network)", "attach only user-defined networks"),
      ],
    },
    { title: "bridge, even with a user-defined network", change: (p) => (p.networkMode = "bridge"), expected: [c("networkMode", "is \"bridge\" (Docker's default bridge network)", BRIDGE_FIX)] },
    { title: "default", change: (p) => (p.networkMode = "default"), expected: [c("networkMode", "is \"default\" (Docker's default bridge network)", BRIDGE_FIX)] },
    {
      title: "bridge attachment",
      change: (p) => {
        p.networkMode = "bridge";
        p.networksAdvanced.push({ name: "bridge" });
      },
      expected: [c("networkMode", "is \"bridge\" (Docker's default bridge network)", BRIDGE_FIX), c("networksAdvanced[1].name", "is \"bridge\" (Docker's default bridge network)", "attach only user-defined networks")],
    },
    { title: "a bridge attachment next to a user-defined network", change: (p) => p.networksAdvanced.push({ name: "bridge" }), expected: [c("networksAdvanced[1].name", "is \"bridge\" (Docker's default bridge network)", "attach only user-defined networks")] },
    { title: "none", change: (p) => ((p.networkMode = "none"), (p.networksAdvanced = [])), expected: [] },
    { title: "the upload seed (networkMode none)", change: asSeed(), expected: [] },
    { title: "networkMode naming a user-defined network", change: (p) => (p.networkMode = "plat-dev-app-alpha"), expected: [] },
  ],
  "cis-5.31-host-userns": [{ title: "host", change: (p) => (p.usernsMode = "host"), expected: [c("usernsMode", "is \"host\" (the host's user namespace is shared)", "remove usernsMode so the container gets a private user namespace")] }],
  "cis-5.32-docker-socket": [
    { title: "socket", change: (p) => p.volumes.push({ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" }), expected: [c("volumes[1].hostPath", "is \"/var/run/docker.sock\" (the container engine socket)", "remove the bind mount")] },
    { title: "its directory", change: (p) => (p.mounts = [{ type: "bind", source: "/run/containerd", target: "/c" }]), expected: [c("mounts[0].source", "is \"/run/containerd\" (exposes the container engine socket /run/containerd/containerd.sock)", "remove the bind mount")] },
    {
      title: "the monitor is not exempt by default",
      change: (p) => {
        p.labels = [{ label: "platform.role", value: "monitor" }];
        p.volumes.push({ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" });
      },
      expected: [c("volumes[1].hostPath", "is \"/var/run/docker.sock\" (the container engine socket)", "remove the bind mount")],
    },
    {
      title: "a role exempted in the pack config may hold the socket",
      change: (p) => {
        p.labels = [{ label: "platform.role", value: "monitor" }];
        p.volumes.push({ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" });
      },
      config: { exemptRoles: ["monitor"] },
      expected: [],
    },
    {
      title: "the exemption is for that role only",
      change: (p) => p.volumes.push({ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" }),
      config: { exemptRoles: ["monitor"] },
      expected: [c("volumes[1].hostPath", "is \"/var/run/docker.sock\" (the container engine socket)", "remove the bind mount")],
    },
  ],
  "nproc-ulimit": [
    { title: "missing", change: (p) => (p.ulimits = p.ulimits.filter((u: any) => u.name !== "nproc")), expected: [c("ulimits", "has no nproc entry (a fork bomb can exhaust the host's PIDs)", "set ulimits nproc soft and hard between 1 and 4096, e.g. { name: \"nproc\", soft: 128, hard: 128 }")] },
    { title: "too high", change: (p) => (p.ulimits[1] = { name: "nproc", soft: 100, hard: 100000 }), expected: [c("ulimits[1]", "is nproc soft 100, hard 100000", "set ulimits nproc soft and hard between 1 and 4096, e.g. { name: \"nproc\", soft: 128, hard: 128 }")] },
  ],
  "env-plaintext-secrets": [
    {
      title: "password and token",
      change: (p) => p.envs.push("DB_PASSWORD=hunter2", "GITHUB_TOKEN=ghp_x"),
      expected: [
        c("envs[1]", "sets DB_PASSWORD to a plain-text value (7 characters)", "pass DB_PASSWORD as a Pulumi secret or as a file (DB_PASSWORD_FILE)"),
        c("envs[2]", "sets GITHUB_TOKEN to a plain-text value (5 characters)", "pass GITHUB_TOKEN as a Pulumi secret or as a file (GITHUB_TOKEN_FILE)"),
      ],
    },
    { title: "file references and look-alikes are fine", change: (p) => p.envs.push("PLATFORM_KEY_FILE=/etc/platform/tls/key.pem", "KEYCLOAK_ADMIN=admin", "TOKEN_URL=https://id/token", "API_KEY="), expected: [] },
    { title: "allowed by config", change: (p) => p.envs.push("SIGNING_KEY=public", "PLATFORM_CLIENT_SECRET_ALPHA=x"), config: { allowedNames: ["SIGNING_KEY", "PLATFORM_CLIENT_SECRET_*"] }, expected: [] },
    {
      title: "a prefix allows only what it prefixes",
      change: (p) => p.envs.push("OTHER_SECRET=x"),
      config: { allowedNames: ["PLATFORM_CLIENT_SECRET_*"] },
      expected: [c("envs[1]", "sets OTHER_SECRET to a plain-text value (1 character)", "pass OTHER_SECRET as a Pulumi secret or as a file (OTHER_SECRET_FILE)")],
    },
  ],
};

const networkCases: Record<string, { base: () => Props; cases: Case[] }> = {
  "network-internal": {
    base: appNetworkProps,
    cases: [
      { title: "app network not internal", change: (p) => (p.internal = false), expected: [n("plat-dev-app-alpha", "internal", "is false on a network of kind app (its containers can reach the internet directly)", "set internal to true")] },
      { title: "unlabelled, unset", change: (p) => { delete p.internal; p.labels = []; }, expected: [n("plat-dev-app-alpha", "internal", "is unset on a network without a platform.network label (its containers can reach the internet directly)", "set internal to true")] },
      { title: "outbound may be external", change: (p) => Object.assign(p, outboundNetworkProps()), expected: [] },
    ],
  },
  "network-driver": {
    base: appNetworkProps,
    cases: [
      { title: "macvlan", change: (p) => (p.driver = "macvlan"), expected: [n("plat-dev-app-alpha", "driver", "is \"macvlan\", not an allowed driver (bridge)", "remove driver or set it to \"bridge\"")] },
      { title: "host", change: (p) => (p.driver = "host"), expected: [n("plat-dev-app-alpha", "driver", "is \"host\", not an allowed driver (bridge)", "remove driver or set it to \"bridge\"")] },
      { title: "unset is bridge", change: (p) => delete p.driver, expected: [] },
    ],
  },
  "network-host-binding": {
    base: appNetworkProps,
    cases: [
      { title: "unset", change: (p) => (p.options = {}), expected: [n("plat-dev-app-alpha", "options[\"com.docker.network.bridge.host_binding_ipv4\"]", "is unset (published ports bind 0.0.0.0)", "set it to \"127.0.0.1\"")] },
      { title: "0.0.0.0", change: (p) => (p.options["com.docker.network.bridge.host_binding_ipv4"] = "0.0.0.0"), expected: [n("plat-dev-app-alpha", "options[\"com.docker.network.bridge.host_binding_ipv4\"]", "is \"0.0.0.0\"", "set it to \"127.0.0.1\"")] },
    ],
  },
  "network-outbound-icc": {
    base: outboundNetworkProps,
    cases: [
      { title: "ICC on", change: (p) => (p.options["com.docker.network.bridge.enable_icc"] = "true"), expected: [n("plat-dev-outbound", "options[\"com.docker.network.bridge.enable_icc\"]", "is \"true\" on a network that routes off the host", "set it to \"false\"")] },
      { title: "an internal app network keeps ICC", change: (p) => Object.assign(p, appNetworkProps()), expected: [] },
    ],
  },
};

describe("container rules", () => {
  it("every container rule has cases", () => {
    assert.deepEqual(containerRules.map((r) => r.id).filter((id) => !containerCases[id]), []);
  });
  for (const rule of containerRules) {
    describe(rule.id, () => {
      const policy = toResourcePolicy(rule);
      it("passes the platform's hardened app container", async () => {
        const run = await runResourcePolicy(policy, { type: CONTAINER, name: "alpha", props: hardenedAppProps() });
        assert.deepEqual(run, { violations: [] });
      });
      it("passes the platform's upload seed (it keeps its workload's hardening, healthcheck and restart policy)", async () => {
        const run = await runResourcePolicy(policy, { type: CONTAINER, name: "alpha-seed", props: seedAppProps() });
        assert.deepEqual(run, { violations: [] });
      });
      for (const testCase of containerCases[rule.id] ?? []) {
        it(testCase.expected.length === 0 ? `compliant: ${testCase.title}` : `rejects: ${testCase.title}`, async () => {
          const props = hardenedAppProps();
          testCase.change(props);
          const run = await runResourcePolicy(policy, { type: CONTAINER, name: "alpha", props }, testCase.config);
          assert.deepEqual(run.violations.map((v) => v.message), testCase.expected);
          assert.equal(run.advisory, undefined);
        });
      }
      it("is not applicable to networks", async () => {
        const run = await runResourcePolicy(policy, { type: NETWORK, name: "n", props: appNetworkProps() });
        assert.equal(run.notApplicable, `Policy only applies to resources of type '${CONTAINER}'`);
      });
    });
  }
});

describe("network rules", () => {
  it("every network rule has cases", () => {
    assert.deepEqual(networkRules.map((r) => r.id).filter((id) => !networkCases[id]), []);
  });
  for (const rule of networkRules) {
    describe(rule.id, () => {
      const policy = toResourcePolicy(rule);
      const { base, cases } = networkCases[rule.id];
      it("passes the platform's network", async () => {
        const run = await runResourcePolicy(policy, { type: NETWORK, name: base().name, props: base() });
        assert.deepEqual(run, { violations: [] });
      });
      for (const testCase of cases) {
        it(testCase.expected.length === 0 ? `compliant: ${testCase.title}` : `rejects: ${testCase.title}`, async () => {
          const props = base();
          testCase.change(props);
          const run = await runResourcePolicy(policy, { type: NETWORK, name: base().name, props }, testCase.config);
          assert.deepEqual(run.violations.map((v) => v.message), testCase.expected);
        });
      }
    });
  }
});
