// Coordination between the long-lived monitor and one-shot commands (`unban`) sharing a state
// directory. Only one process may append to the audit log: the running monitor holds a lock file
// with its pid; while it runs, `unban` drops a request file that the monitor carries out and answers.
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { readJsonFile, writeJsonAtomic } from "./state-files";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The pid of a live monitor holding the lock, if any. */
export function lockHolder(lockFile: string): number | undefined {
  if (!existsSync(lockFile)) return undefined;
  const pid = Number(readFileSync(lockFile, "utf8").trim());
  return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined;
}

/** Takes the lock (a stale lock of a dead process is replaced); returns a release function. */
export function acquireLock(lockFile: string): () => void {
  const holder = lockHolder(lockFile);
  if (holder !== undefined && holder !== process.pid) throw new Error(`another monitor (pid ${holder}) uses this state directory (${lockFile})`);
  rmSync(lockFile, { force: true });
  const fd = openSync(lockFile, "wx", 0o600);
  writeSync(fd, `${process.pid}\n`);
  closeSync(fd);
  return () => {
    if (lockHolder(lockFile) === process.pid) rmSync(lockFile, { force: true });
  };
}

interface UnbanRequest {
  app: string;
  by: string;
  requestedAt: string;
}
interface UnbanAnswer {
  ok: boolean;
  message: string;
}

export function submitUnbanRequest(requestsDir: string, request: UnbanRequest): string {
  mkdirSync(requestsDir, { recursive: true });
  const id = `unban-${Date.now()}-${randomBytes(4).toString("hex")}`;
  writeJsonAtomic(join(requestsDir, `${id}.request.json`), request);
  return id;
}

export async function awaitAnswer(requestsDir: string, id: string, timeoutMs: number): Promise<UnbanAnswer | undefined> {
  const answerFile = join(requestsDir, `${id}.answer.json`);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const answer = readJsonFile<UnbanAnswer>(answerFile, "unban answer");
    if (answer) {
      rmSync(answerFile, { force: true });
      return answer;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}

/** Pending requests (oldest first), for the running monitor. */
export function pendingRequests(requestsDir: string): { id: string; request: UnbanRequest }[] {
  if (!existsSync(requestsDir)) return [];
  return readdirSync(requestsDir)
    .filter((name) => name.endsWith(".request.json"))
    .sort()
    .flatMap((name) => {
      const id = name.slice(0, -".request.json".length);
      try {
        const request = readJsonFile<UnbanRequest>(join(requestsDir, name), "unban request");
        return request ? [{ id, request }] : [];
      } catch {
        return [];
      }
    });
}

export function answerRequest(requestsDir: string, id: string, answer: UnbanAnswer): void {
  writeJsonAtomic(join(requestsDir, `${id}.answer.json`), answer);
  rmSync(join(requestsDir, `${id}.request.json`), { force: true });
}
