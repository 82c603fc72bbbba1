// Chooses how a probe's attack code runs in an app: the Python script (sandbox/probes/py) when the app
// image has python3, as it always has; otherwise the static probe executable (sandbox/probes/static),
// which the sandbox mounts read-only into every app container (provider-mirror/probe-mount.ts). Both
// print the same one-line JSON report, so the verdict rules do not care which one ran.
import type Docker from "dockerode";
import { execIn } from "../exec";
import { runPython } from "./python";
import { ProbeRun, runStaticProbe, STATIC_PROBE_PATH } from "./static-runner";
import type { AppTarget } from "./types";

/** What a container offers for running probe code (an AppTarget has both fields). */
export type ProbeHost = Pick<AppTarget, "container" | "hasPython" | "hasStaticProbe" | "probeUnavailable">;

export type ProbeRunner = "python" | "static";

export function runnerOf(host: Pick<AppTarget, "hasPython" | "hasStaticProbe">): ProbeRunner | undefined {
  return host.hasPython ? "python" : host.hasStaticProbe ? "static" : undefined;
}

/** Why no probe code can run in this app (undefined when one can). */
export function noRunnerReason(host: Pick<AppTarget, "hasPython" | "hasStaticProbe" | "probeUnavailable">): string | undefined {
  if (runnerOf(host)) return undefined;
  if (host.probeUnavailable) return host.probeUnavailable;
  return `the app image has no python3 and the static probe is not at ${STATIC_PROBE_PATH} (build it with \`npm run images\` or \`bash scripts/build-probe.sh\`, which need Go; the sandbox then mounts build/ there)`;
}

/** Runs one probe (a py/ script name, the static executable's subcommand of the same name) in the app. */
export async function runProbeCode(host: ProbeHost, probe: string, args: Record<string, unknown>, timeoutMs = 30_000): Promise<ProbeRun> {
  const runner = runnerOf(host);
  if (runner === "python") return runPython(host.container, probe, args, timeoutMs);
  if (runner === "static") return runStaticProbe(host.container, probe, args, { timeoutMs });
  throw new Error(noRunnerReason(host));
}

/**
 * Whether the mounted static probe executes in the container (as the container's own user): true, or why
 * not when the reason is something other than its absence (e.g. an app that has used up its process limit,
 * where nothing new can start).
 */
export async function staticProbeRuns(container: Docker.Container): Promise<true | { absent: true } | { failed: string }> {
  let run: Awaited<ReturnType<typeof execIn>>;
  try {
    run = await execIn(container, [STATIC_PROBE_PATH, "sleep", "0"], { timeoutMs: 20_000 });
  } catch (error) {
    return { failed: `no probe could be started in the app: ${(error as Error).message.split("\n")[0]}` };
  }
  if (run.exitCode === 0) return true;
  const output = `${run.stderr}\n${run.stdout}`.replace(/\s+/g, " ").trim().slice(0, 300);
  if (run.exitCode === 127 || /no such file or directory/i.test(output)) return { absent: true };
  return { failed: `no probe could be started in the app (exit ${run.exitCode ?? "none"}${run.timedOut ? ", timed out" : ""}${output ? `: ${output}` : ""})` };
}

/**
 * Starts a process in `victim` that others can look for (by the nonce in its command line) for
 * `seconds`: python3's sleep, or the static probe's `sleep` with the nonce as its tag.
 */
export function victimProcess(victim: ProbeHost, nonce: string, seconds: number): Promise<unknown> {
  const timeoutMs = (seconds + 10) * 1000;
  if (runnerOf(victim) === "python") return execIn(victim.container, ["python3", "-c", `import time; time.sleep(${seconds})`, nonce], { timeoutMs });
  return execIn(victim.container, [STATIC_PROBE_PATH, "sleep", String(seconds), nonce], { timeoutMs });
}

const LISTENER = (port: number, seconds: number) => `import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", ${port})); s.listen(8); s.settimeout(1)
end = time.time() + ${seconds}
while time.time() < end:
    try: c, _ = s.accept(); c.sendall(b"victim\\n"); c.close()
    except OSError: pass`;

/** Listens on `port` in `victim` for `seconds`, answering each connection with one line (lateral probes' victim). */
export function victimListener(victim: ProbeHost, port: number, seconds: number): Promise<unknown> {
  const timeoutMs = (seconds + 9) * 1000;
  if (runnerOf(victim) === "python") return execIn(victim.container, ["python3", "-c", LISTENER(port, seconds)], { timeoutMs });
  return execIn(victim.container, [STATIC_PROBE_PATH, "listen", String(port), String(seconds)], { timeoutMs });
}

/** The kernel release the app sees and the start of its kernel log (empty when unreadable). */
export async function kernelSeen(host: ProbeHost): Promise<{ release: string; log: string }> {
  const cmd = runnerOf(host) === "static" ? [STATIC_PROBE_PATH, "kernel"] : ["sh", "-c", "uname -r; dmesg 2>/dev/null | head -2 | tr '\\n' ' '"];
  const result = await execIn(host.container, cmd, { timeoutMs: 10_000 });
  const [release = "", ...rest] = result.stdout.trim().split("\n");
  return { release, log: rest.join(" ").trim() };
}
