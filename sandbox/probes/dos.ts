// Denial-of-service probes (paper II-A): each app's limits must contain its own abuse, and the other
// apps must stay responsive while it happens.
import { execIn } from "../exec";
import { attackVerdict, Probe, sleep, victimOf, waitRunning } from "./probe";
import { describeFailure } from "./python";
import { runProbeCode } from "./runner";
import type { AppTarget } from "./types";

const FORK_CAP = 1000;
const SIGNAL_CAP = 20_000;

/** How the container fared: an OOM kill of the whole container shows in its state and restart count. */
async function containerFate(target: AppTarget): Promise<{ oomKilled: boolean; restarts: number }> {
  const info = await target.container.inspect();
  return { oomKilled: info.State.OOMKilled, restarts: info.RestartCount };
}

/** The container's total CPU time in ns, from the engine's one-shot stats (its cgroup). */
async function cpuNanos(target: AppTarget): Promise<number> {
  const stats = (await target.container.stats({ stream: false, "one-shot": true } as { stream: false })) as unknown as { cpu_stats?: { cpu_usage?: { total_usage?: number } } };
  return stats.cpu_stats?.cpu_usage?.total_usage ?? 0;
}

/** Runs the victim's own healthcheck command now; evidence of whether it still answers. */
async function victimResponds(victim: AppTarget): Promise<{ ok: boolean; evidence: string }> {
  const test = victim.healthcheck ?? ["CMD", "true"];
  const cmd = test[0] === "CMD-SHELL" ? ["sh", "-c", test.slice(1).join(" ")] : test[0] === "CMD" ? test.slice(1) : ["true"];
  const result = await execIn(victim.container, cmd, { timeoutMs: 10_000 });
  const health = (await victim.container.inspect()).State.Health?.Status ?? "no healthcheck";
  const ok = result.exitCode === 0 && !result.timedOut && health !== "unhealthy";
  return { ok, evidence: `${victim.name}'s healthcheck (${cmd.join(" ")}) ${result.timedOut ? "timed out" : `exit ${result.exitCode}`} in ${result.durationMs} ms, status ${health}` };
}

const forkBomb: Probe = {
  id: "dos.fork-bomb",
  category: "dos",
  title: "fork until the kernel refuses; another app's healthcheck keeps passing",
  async run(target, env) {
    const victim = victimOf(target, env);
    const before = await containerFate(target);
    // exceeding the app's own limit is proof enough; without a limit, FORK_CAP is
    const cap = target.maxProcesses !== undefined ? Math.min(FORK_CAP, target.maxProcesses + 64) : FORK_CAP;
    const bomb = runProbeCode(target, "fork_bomb", { cap, hold_seconds: 6, deadline_seconds: 45 }, 90_000);
    await sleep(2500); // the bomb has reached its limit and holds its processes
    const during = victim ? await victimResponds(victim) : undefined;
    const run = await bomb;
    if (!run.output) {
      await waitRunning(target);
      const after = await containerFate(target);
      if (after.restarts > before.restarts && (!during || during.ok)) {
        return { verdict: "stopped", evidence: `the app's own container died under the fork bomb (OOM-killed: ${after.oomKilled}) and was restarted; ${during?.evidence ?? "no other app to watch"}` };
      }
      return { verdict: "skipped", evidence: `fork bomb gave no report: ${describeFailure(run)}` };
    }
    const limit = target.maxProcesses !== undefined ? ` (nproc limit ${target.maxProcesses})` : " (no nproc limit)";
    if (run.output.attack === "succeeded") return { verdict: "NOT STOPPED", evidence: run.output.evidence + limit };
    if (run.output.attack === "inconclusive") return { verdict: "FAILED", evidence: `the probe could not tell: ${run.output.evidence}${limit}` };
    if (during && !during.ok) return { verdict: "NOT STOPPED", evidence: `${run.output.evidence}${limit}, but ${during.evidence}` };
    return { verdict: "stopped", evidence: `${run.output.evidence}${limit}; ${during?.evidence ?? "no other app to watch"}` };
  },
};

const memoryExhaustion: Probe = {
  id: "dos.memory",
  category: "dos",
  title: "allocate memory until OOM-killed inside the app's own limit",
  async run(target) {
    const cap = target.memoryMb !== undefined ? target.memoryMb + 256 : 1024;
    const before = await containerFate(target);
    const run = await runProbeCode(target, "memory_hog", { cap_mb: cap }, 90_000);
    const progress = [...run.exec.stderr.matchAll(/allocated (\d+)/g)].map((m) => Number(m[1]));
    const reached = progress.length ? progress[progress.length - 1] : 0;
    const limit = target.memoryMb !== undefined ? `limit ${target.memoryMb} MiB` : "no memory limit";
    if (run.output?.attack === "succeeded") return { verdict: "NOT STOPPED", evidence: `${run.output.evidence} (${limit})` };
    if (run.exec.exitCode === 137) {
      const within = target.memoryMb === undefined || reached <= target.memoryMb;
      return { verdict: within ? "stopped" : "NOT STOPPED", evidence: `OOM-killed (exit 137) after allocating ${reached} MiB (${limit})` };
    }
    await sleep(1000); // a dead container is picked up by its restart policy
    await waitRunning(target);
    const after = await containerFate(target);
    if (after.restarts > before.restarts) {
      const within = target.memoryMb === undefined || reached <= target.memoryMb;
      return { verdict: within ? "stopped" : "NOT STOPPED", evidence: `the whole app container was killed ${reached ? `after ${reached} MiB` : "(its exec output went with it)"} (${limit}, OOM-killed: ${after.oomKilled}) and restarted by its restart policy` };
    }
    return { verdict: "skipped", evidence: `memory hog ended without a report: ${describeFailure(run)}` };
  },
};

const cpuHog: Probe = {
  id: "dos.cpu-hog",
  category: "dos",
  title: "busy-loop on every CPU; the app gets no more than its CPU limit, another app's latency stays bounded",
  async run(target, env) {
    const victim = victimOf(target, env);
    const task = async () => {
      if (!victim) return undefined;
      const run = await runProbeCode(victim, "cpu_task", { iterations: 2_000_000 }, 60_000);
      return typeof run.output?.seconds === "number" ? run.output.seconds : undefined;
    };
    const baseline = await task();
    const before = await cpuNanos(target);
    const startedAt = Date.now();
    const hog = runProbeCode(target, "cpu_hog", { workers: 2, seconds: 6 }, 60_000);
    await sleep(1500);
    const loaded = await task();
    const run = await hog;
    const wallSeconds = (Date.now() - startedAt) / 1000;
    const after = await cpuNanos(target);
    if (typeof run.output?.cpus !== "number") return { verdict: "skipped", evidence: `cpu hog gave no report: ${describeFailure(run)}` };
    // the kernel's own account of the container's CPU time (cgroup), the figure the limit applies to
    const used = (after - before) / 1e9 / wallSeconds;
    const ratio = baseline && loaded ? loaded / baseline : undefined;
    const latency = ratio !== undefined ? `; ${victim!.name}'s task ${baseline!.toFixed(2)} s → ${loaded!.toFixed(2)} s under load (×${ratio.toFixed(2)})` : "; no other app to watch";
    const measured = `the container used ${used.toFixed(2)} CPUs (cgroup) while ${run.output.evidence}`;
    if (target.cpus === undefined) return { verdict: "NOT STOPPED", evidence: `no CPU limit: ${measured}${latency}` };
    const contained = used <= target.cpus * 1.2 + 0.05;
    const bounded = ratio === undefined || ratio < 4;
    return { verdict: contained && bounded ? "stopped" : "NOT STOPPED", evidence: `${measured}; limit ${target.cpus} CPUs${latency}` };
  },
};

const signalQueue: Probe = {
  id: "dos.signal-queue",
  category: "dos",
  title: "queue real-time signals until RLIMIT_SIGPENDING; another app can still send signals",
  async run(target, env) {
    const victim = victimOf(target, env);
    const attack = runProbeCode(target, "signal_queue", { cap: SIGNAL_CAP, hold_seconds: 5 }, 60_000);
    await sleep(2500);
    const other = victim ? await runProbeCode(victim, "signal_queue", { cap: 32, hold_seconds: 0 }, 20_000) : undefined;
    const run = await attack;
    if (!run.output) return { verdict: "skipped", evidence: `signal probe gave no report: ${describeFailure(run)}` };
    const limit = target.sigpending !== undefined ? ` (sigpending limit ${target.sigpending})` : " (no sigpending limit set)";
    const otherEvidence = other ? `; meanwhile ${victim!.name} ${other.output?.attack === "succeeded" ? `queued ${other.output.queued} signals` : `could not queue signals: ${other.output?.evidence ?? describeFailure(other)}`}` : "; no other app to watch";
    if (run.output.attack === "succeeded") return { verdict: "NOT STOPPED", evidence: run.output.evidence + limit + otherEvidence };
    if (other && other.output?.attack !== "succeeded") return { verdict: "NOT STOPPED", evidence: run.output.evidence + limit + otherEvidence };
    return { verdict: attackVerdict(run.output.attack), evidence: run.output.evidence + limit + otherEvidence };
  },
};

export const DOS_PROBES = [forkBomb, memoryExhaustion, cpuHog, signalQueue];
