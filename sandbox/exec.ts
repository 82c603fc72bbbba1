// Runs a command inside a running container (docker exec) and collects its output, bounded in time.
import type Docker from "dockerode";
import { PassThrough } from "node:stream";

export interface ExecResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

interface ExecOptions {
  timeoutMs?: number;
  /** defaults to the container's own user (as `docker exec` does) */
  user?: string;
  env?: string[];
  /** cap on collected output per stream */
  maxOutputBytes?: number;
}

export async function execIn(container: Docker.Container, cmd: string[], options: ExecOptions = {}): Promise<ExecResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const max = options.maxOutputBytes ?? 256 * 1024;
  const started = Date.now();
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, ...(options.user ? { User: options.user } : {}), ...(options.env ? { Env: options.env } : {}) });
  const stream = await exec.start({ hijack: true, stdin: false });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const sink = (chunks: Buffer[]) => {
    const pass = new PassThrough();
    let size = 0;
    pass.on("data", (chunk: Buffer) => {
      if (size < max) chunks.push(chunk.subarray(0, max - size));
      size += chunk.length;
    });
    return pass;
  };
  container.modem.demuxStream(stream, sink(out), sink(err));
  const finished = new Promise<boolean>((resolve) => {
    stream.on("end", () => resolve(false));
    stream.on("close", () => resolve(false));
    stream.on("error", () => resolve(false));
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([finished, new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs)))]);
  clearTimeout(timer);
  if (timedOut) stream.destroy();
  let exitCode: number | null = null;
  // the exit code is recorded a moment after the stream ends
  for (let attempt = 0; attempt < 20; attempt++) {
    const info = await exec.inspect();
    if (!info.Running) {
      exitCode = info.ExitCode;
      break;
    }
    if (timedOut) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { exitCode, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), timedOut, durationMs: Date.now() - started };
}
