// Runs one probe of the static probe executable (sandbox/probes/static, built by
// scripts/build-probe.sh into build/platform-probe) inside a container with docker exec, as runPython
// runs a Python script: the same JSON argument, the same one-line JSON report, the same result. The
// executable needs nothing in the image (no python3, no shell); the sandbox mounts its directory
// read-only at STATIC_PROBE_DIR for the run only.
import type Docker from "dockerode";
import { ExecResult, execIn } from "../exec";
import type { runPython } from "./python";

/** Where the sandbox mounts the directory holding the executable (read-only). */
export const STATIC_PROBE_DIR = "/opt/platform-probe";
export const STATIC_PROBE_PATH = `${STATIC_PROBE_DIR}/platform-probe`;

/** What runPython returns: the exec's account and the probe's report, when it printed one. */
export type ProbeRun = Awaited<ReturnType<typeof runPython>>;

interface StaticRunOptions {
  timeoutMs?: number;
  /** defaults to the container's own user (the app's UID) */
  user?: string;
}

export async function runStaticProbe(container: Docker.Container, probe: string, args: Record<string, unknown>, options: StaticRunOptions = {}): Promise<ProbeRun> {
  let exec: ExecResult;
  try {
    exec = await execIn(container, [STATIC_PROBE_PATH, probe, JSON.stringify(args)], { timeoutMs: options.timeoutMs ?? 30_000, user: options.user });
  } catch (error) {
    // the container can die under the attack (e.g. gVisor OOM-kills the whole sandbox): its exec goes with it
    exec = { exitCode: null, stdout: "", stderr: `exec failed: ${(error as Error).message}`, timedOut: false, durationMs: 0 };
  }
  return { exec, output: lastReport(exec.stdout) };
}

function lastReport(stdout: string): ProbeRun["output"] {
  const line = stdout.trim().split("\n").filter((l) => l.startsWith("{")).pop();
  if (!line) return undefined;
  try {
    return JSON.parse(line) as ProbeRun["output"];
  } catch {
    return undefined;
  }
}
