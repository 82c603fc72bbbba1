// The security monitor as the end-to-end tests drive it: the real `monitor/cli.ts` as a child process
// (`node --import tsx monitor/cli.ts run ...`, what `npm run monitor` runs), with a state directory, an
// audit key file and a stack file of the test's own, and bounded waits on what it writes.
import assert from "node:assert/strict";
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { stringify } from "yaml";
import { stackFilePath } from "../../config/load";
import type { RuleName } from "../../config/monitor";
import type { BanRecord } from "../../monitor/bans";
import { REPO_ROOT } from "./stack-config";

const CLI = join(REPO_ROOT, "monitor", "cli.ts");

/** Polls `check` until it returns a value, at most `timeoutMs` (then throws, naming `what`). */
export async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined> | T | undefined, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** `phase("name")` prints `12.3s name` (seconds since this call) as a test diagnostic: where a long e2e test spends its time. */
export function phaseClock(t: TestContext): (name: string) => void {
  const started = Date.now();
  return (name) => t.diagnostic(`${((Date.now() - started) / 1000).toFixed(1)}s ${name}`);
}

/** One monitor command to completion (`stats`, `unban`, `verify`, ...), bounded to a minute. */
export function runMonitorCli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ["--import", "tsx", CLI, ...args], { cwd: REPO_ROOT, encoding: "utf8", timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

type RuleOverrides = Partial<Record<RuleName, { threshold: number; windowSeconds: number }>>;

export interface MonitorFiles {
  stack: string;
  stateDir: string;
  keyFile: string;
  /** the stack file holding `platform:monitor` (passed as --config) */
  stackFile: string;
  bansFile: string;
  auditFile: string;
  /** --stack, --state-dir, --audit-key-file: what every command of this monitor needs */
  common: string[];
}

/** A fresh audit key (mode 0600) and a stack file whose `platform:monitor.rules` are `rules`, under `work`. */
export function monitorFiles(work: string, stack: string, rules: RuleOverrides): MonitorFiles {
  const stateDir = join(work, "state");
  const keyFile = join(work, "audit.key");
  writeFileSync(keyFile, randomBytes(32).toString("hex"), { mode: 0o600 });
  const stackFile = stackFilePath(stack, work);
  writeFileSync(stackFile, stringify({ config: { "platform:monitor": { rules } } }));
  return {
    stack,
    stateDir,
    keyFile,
    stackFile,
    bansFile: join(stateDir, "bans.json"),
    auditFile: join(stateDir, "audit.jsonl"),
    common: ["--stack", stack, "--state-dir", stateDir, "--audit-key-file", keyFile],
  };
}

/** `monitor run` as a child process; its stdout and stderr are kept for waits and failure messages. */
export class MonitorProcess {
  private child?: ChildProcess;
  private readonly output: string[] = [];

  constructor(private readonly files: MonitorFiles) {}

  start(): void {
    assert.ok(!this.running, "the monitor is already running");
    const child = spawn(process.execPath, ["--import", "tsx", CLI, "run", ...this.files.common, "--config", this.files.stackFile], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    child.stderr!.on("data", (chunk: Buffer) => this.output.push(chunk.toString()));
    child.stdout!.on("data", (chunk: Buffer) => this.output.push(chunk.toString()));
    this.child = child;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Everything the monitor printed so far (all runs of this object). */
  log(): string {
    return this.output.join("");
  }

  /** Waits until the monitor's output holds `text` at least `times` times (over all its runs). */
  async waitForLog(text: string, timeoutMs: number, times = 1): Promise<void> {
    await waitFor(`the monitor to print ${JSON.stringify(text)}${times > 1 ? ` ${times} times` : ""}`, timeoutMs, () => (this.log().split(text).length > times ? true : undefined));
  }

  /** SIGTERM, and the clean exit (code 0) the monitor owes it, within 30 s. */
  async stop(): Promise<void> {
    const child = this.child;
    assert.ok(child && this.running, "the monitor is not running");
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([exited, new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), 30_000)))]);
    clearTimeout(timer);
    if (code === "timeout") child.kill("SIGKILL");
    assert.equal(code, 0, this.log());
  }

  /** For cleanup: ends a monitor that is still running, without ceremony. */
  kill(): void {
    if (this.running) this.child!.kill("SIGKILL");
  }
}

/** The app's ban from bans.json once the monitor has recorded its enforcement (the container was disconnected). */
export async function waitForEnforcedBan(files: MonitorFiles, app: string, timeoutMs: number): Promise<BanRecord> {
  return waitFor(`the ban of ${app} to be enforced`, timeoutMs, () => {
    if (!existsSync(files.bansFile)) return undefined;
    const record = (JSON.parse(readFileSync(files.bansFile, "utf8")) as { bans: BanRecord[] }).bans.find((b) => b.app === app);
    return record?.enforcement?.networks?.length ? record : undefined;
  }, 50);
}

export interface AuditLine {
  seq: number;
  type: string;
  time: string;
  data: Record<string, any>;
}

/** The audit log's records, in file order. */
export function auditRecords(files: MonitorFiles): AuditLine[] {
  return readFileSync(files.auditFile, "utf8").trim().split("\n").map((line) => JSON.parse(line) as AuditLine);
}

/** `monitor verify` on the audit log with this monitor's key. */
export function verifyAudit(files: MonitorFiles): { status: number | null; stdout: string; stderr: string } {
  return runMonitorCli(["verify", files.auditFile, "--audit-key-file", files.keyFile]);
}
