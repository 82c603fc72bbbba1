// Breakout probes (paper II-B): the hardening must stop each escape route from inside an app.
import { attackVerdict, Probe, victimOf } from "./probe";
import { absentReason } from "./types";
import { describeFailure } from "./python";
import { runProbeCode, victimProcess } from "./runner";

const SETUID_BINARY = "/usr/local/bin/probe-suid-id";

function simple(id: string, title: string, script: string, args: (target: Parameters<Probe["run"]>[0], env: Parameters<Probe["run"]>[1]) => Record<string, unknown> = () => ({})): Probe {
  return {
    id,
    category: "breakout",
    title,
    async run(target, env) {
      const run = await runProbeCode(target, script, args(target, env));
      if (!run.output) return { verdict: "skipped", evidence: `no report: ${describeFailure(run)}` };
      return { verdict: attackVerdict(run.output.attack), evidence: run.output.evidence };
    },
  };
}

const rootfsWrite = simple("breakout.rootfs-write", "create or modify files on the root filesystem", "rootfs_write");
const mountFs: Probe = {
  id: "breakout.mount",
  category: "breakout",
  title: "mount a filesystem, or unshare a user+mount namespace to get one",
  async run(target) {
    const run = await runProbeCode(target, "mount", {});
    if (!run.output) return { verdict: "skipped", evidence: `no report: ${describeFailure(run)}` };
    if (target.runtime === "runsc" && run.output.unshared === true && run.output.mounted === false) {
      // Under gVisor namespaces are implemented by its own kernel (the Sentry): a new user namespace
      // there gives no mount over anything shared and never reaches the host kernel's namespace code.
      return { verdict: "stopped", evidence: `${run.output.evidence} (the namespace exists only inside gVisor's kernel; note: processes started by docker exec under this runsc run without the seccomp filter)` };
    }
    return { verdict: attackVerdict(run.output.attack), evidence: run.output.evidence };
  },
};
const kernelModule: Probe = {
  id: "breakout.kernel-module",
  category: "breakout",
  title: "load a kernel module (init_module)",
  async run(target) {
    const run = await runProbeCode(target, "kernel_module", {});
    if (!run.output) return { verdict: "skipped", evidence: `no report: ${describeFailure(run)}` };
    if (run.output.attack === "inconclusive") {
      // gVisor never loads modules; a host kernel without module support cannot show whether the hardening would stop it
      return target.runtime === "runsc" ? { verdict: "stopped", evidence: `${run.output.evidence}: gVisor's kernel` } : { verdict: "skipped", evidence: `${run.output.evidence}: this host kernel cannot load modules at all` };
    }
    return { verdict: attackVerdict(run.output.attack), evidence: run.output.evidence };
  },
};
const rawSocket = simple("breakout.raw-socket", "open raw sockets (NET_RAW) and spoof ARP for the gateway", "raw_socket", (target) => ({ spoof_ip: target.bridgeGateways[0] ?? target.bridgeGateway, interface: "eth0" }));
const setuidEscalation: Probe = {
  id: "breakout.setuid",
  category: "breakout",
  title: "gain root through a setuid-root binary",
  async run(target) {
    const run = await runProbeCode(target, "setuid", { binary: SETUID_BINARY });
    if (!run.output) return { verdict: "skipped", evidence: `no report: ${describeFailure(run)}` };
    // the setuid-root binary comes with the probe image; an app image without it (busybox, distroless) has none to try
    if (run.output.attack === "inconclusive") return { verdict: "skipped", evidence: `${run.output.evidence}: no setuid-root binary to try here (the probe image, platform/probe:dev, carries one)` };
    return { verdict: attackVerdict(run.output.attack), evidence: run.output.evidence };
  },
};
export const dockerSocket = simple("breakout.docker-socket", "reach the container engine's API socket", "docker_socket");
const readHostFile = simple("breakout.host-paths", "read a file on the host", "host_paths", (_target, env) => env.hostMarker);
const hostPaths: Probe = {
  ...readHostFile,
  async run(target, env) {
    const reason = absentReason(env.hostMarker);
    return reason ? { verdict: "skipped", evidence: reason } : readHostFile.run(target, env);
  },
};

const ptraceOther: Probe = {
  id: "breakout.ptrace",
  category: "breakout",
  title: "ptrace a process of another app",
  async run(target, env) {
    const victim = victimOf(target, env);
    if (!victim) return { verdict: "skipped", evidence: "the stack has no other app to host a victim process" };
    const nonce = `platform-probe-victim-${Math.random().toString(36).slice(2, 10)}`;
    // the victim process carries the nonce in its command line so the attacker can look for it
    const sleeper = victimProcess(victim, nonce, 5);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const run = await runProbeCode(target, "ptrace", { nonce });
    await sleeper;
    if (!run.output) return { verdict: "skipped", evidence: `no report: ${describeFailure(run)}` };
    return { verdict: attackVerdict(run.output.attack), evidence: `${run.output.evidence} (victim in ${victim.name})` };
  },
};

export const BREAKOUT_PROBES = [rootfsWrite, mountFs, kernelModule, rawSocket, setuidEscalation, dockerSocket, hostPaths, ptraceOther];
