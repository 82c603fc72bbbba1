// Runs one probe script (sandbox/probes/py) inside a container with python3 -c.
import type Docker from "dockerode";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ExecResult, execIn } from "../exec";

const PY_DIR = join(__dirname, "py");
const COMMON = readFileSync(join(PY_DIR, "_common.py"), "utf8");

interface ProbeOutput {
  attack: "succeeded" | "blocked" | "inconclusive";
  evidence: string;
  [detail: string]: unknown;
}

interface PythonRun {
  exec: ExecResult;
  /** the script's JSON report, or undefined when it printed none (e.g. it was killed) */
  output?: ProbeOutput;
}

function probeSource(script: string): string {
  return `${COMMON}\n${readFileSync(join(PY_DIR, `${script}.py`), "utf8")}`;
}

export async function runPython(container: Docker.Container, script: string, args: Record<string, unknown>, timeoutMs = 30_000, user?: string): Promise<PythonRun> {
  let exec: ExecResult;
  try {
    exec = await execIn(container, ["python3", "-c", probeSource(script), JSON.stringify(args)], { timeoutMs, user });
  } catch (error) {
    // the container can die under the attack (e.g. gVisor OOM-kills the whole sandbox): its exec goes with it
    exec = { exitCode: null, stdout: "", stderr: `exec failed: ${(error as Error).message}`, timedOut: false, durationMs: 0 };
  }
  const line = exec.stdout.trim().split("\n").filter((l) => l.startsWith("{")).pop();
  let output: ProbeOutput | undefined;
  if (line) {
    try {
      output = JSON.parse(line) as ProbeOutput;
    } catch {
      output = undefined;
    }
  }
  return { exec, output };
}

/** A one-line account of a run that produced no report. */
export function describeFailure(run: PythonRun): string {
  const tail = (run.exec.stderr || run.exec.stdout).trim().split("\n").slice(-2).join(" | ");
  return `${run.exec.timedOut ? "timed out" : `exit ${run.exec.exitCode}`}${tail ? `: ${tail}` : ""}`;
}
