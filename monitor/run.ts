// The long-lived monitor process: wires config, audit log, bans, Docker log following and enforcement.
//
// Two phases. `checkRun` validates every input and creates nothing: the config, the audit key, --input,
// the state directory, a running monitor's lock, the ban and cursor files, the existing audit log (read
// and verified), and the Docker engine when it is needed. Only then does `runMonitor` create the state
// directory, take the lock and open the audit log. So a bad input exits 2 with one line and leaves no
// half-made state behind.
import { accessSync, constants, createReadStream, mkdirSync, realpathSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Docker from "dockerode";
import { AuditWriter, PreparedAudit } from "./audit/writer";
import { BanStore } from "./bans";
import { loadMonitorConfig, resolveAuditKey, statePaths } from "./config";
import type { MonitorConfig } from "../config/monitor";
import { acquireLock, answerRequest, lockHolder, pendingRequests } from "./control";
import { DockerEnforcer } from "./docker-enforcer";
import { DockerLogFollower, readCursors } from "./docker-logs";
import { Monitor, MonitorLog } from "./detector";
import { writeJsonAtomic } from "./state-files";

export interface RunOptions {
  stack: string;
  stateDir: string;
  /** how the state directory was given, for messages: `--state-dir`, `$PLATFORM_MONITOR_STATE_DIR` or the default */
  stateDirSource?: string;
  auditLog?: string;
  auditKeyFile?: string;
  configFile?: string;
  dryRun: boolean;
  /** read log lines from this file (`-` for stdin) instead of following Docker */
  input?: string;
  /** read what is there and stop: to the end of --input, or what the containers have logged so far */
  once: boolean;
  /** never touch Docker networks (statistics and audit only) */
  noEnforce: boolean;
  log: MonitorLog;
  /** for tests: whether stdin is a terminal */
  stdinIsTTY?: boolean;
}

const STATS_INTERVAL_MS = 1000;
const REQUEST_POLL_MS = 250;
const RECONCILE_INTERVAL_MS = 15_000;
const DOCKER_PING_TIMEOUT_MS = 10_000;

/** Everything validated, nothing created yet. */
interface CheckedRun {
  config: MonitorConfig;
  configSource: string;
  paths: ReturnType<typeof statePaths>;
  audit: PreparedAudit;
  dryRun: boolean;
  docker?: Docker;
}

/** The nearest path at or above `path` that exists. */
function nearestExisting(path: string): string {
  let current = resolve(path);
  for (;;) {
    try {
      statSync(current);
      return current;
    } catch {
      const parent = dirname(current);
      if (parent === current) return current;
      current = parent;
    }
  }
}

/**
 * A directory the monitor may create (or already has): refuses a file in its place or an ancestor it cannot
 * write. `what` names it (`--state-dir X`), `option` is how to give another.
 */
function checkDirectory(dir: string, what: string, option: string): void {
  const existing = nearestExisting(dir);
  if (!statSync(existing).isDirectory()) throw new Error(`${what}: ${existing} is not a directory; pass another ${option}`);
  try {
    accessSync(existing, constants.W_OK | constants.X_OK);
  } catch {
    throw new Error(`${what}: ${existing === resolve(dir) ? "it" : `its parent ${existing}`} is not writable by this user; fix the permissions or pass another ${option}`);
  }
}

function checkInput(input: string, stdinIsTTY: boolean): void {
  if (input === "") throw new Error("--input is empty: pass a file of log lines, or - for stdin");
  if (input === "-") {
    if (stdinIsTTY) throw new Error("--input -: stdin is a terminal, so nothing would ever arrive; pipe the log lines in (... | monitor run --input - --once) or pass --input FILE");
    return;
  }
  let stat;
  try {
    stat = statSync(input);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new Error(`--input ${input} ${code === "ENOENT" ? "does not exist" : `cannot be read (${code})`}: pass a file of gateway/egress JSON log lines, or - for stdin`);
  }
  if (stat.isDirectory()) throw new Error(`--input ${input} is a directory: pass a file of gateway/egress JSON log lines`);
  // a device never ends (or waits for a terminal), except /dev/null: an empty input
  if (!stat.isFile() && !stat.isFIFO() && realpathSync(input) !== "/dev/null") throw new Error(`--input ${input} is not a regular file or a pipe (a device would never end): pass a file of log lines, or - for stdin`);
  try {
    accessSync(input, constants.R_OK);
  } catch {
    throw new Error(`--input ${input} is not readable by this user: fix its permissions`);
  }
}

export async function checkDocker(docker: Docker, why: string): Promise<void> {
  const where = process.env.DOCKER_HOST ? `$DOCKER_HOST (${process.env.DOCKER_HOST})` : "/var/run/docker.sock";
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${DOCKER_PING_TIMEOUT_MS / 1000}s`)), DOCKER_PING_TIMEOUT_MS)));
  try {
    await Promise.race([docker.ping(), timeout]);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new Error(`cannot reach the Docker engine at ${where} (${reason}), which ${why}`);
  } finally {
    clearTimeout(timer);
  }
}

/** Validates every input of `run`; reads, never writes. Throws one line naming the input and its fix. */
export async function checkRun(options: RunOptions): Promise<CheckedRun> {
  const { config, source: configSource, stackKey } = loadMonitorConfig(options.stack, options.configFile);
  const { key, warning } = resolveAuditKey(options.auditKeyFile, process.env, stackKey);
  if (warning) options.log("warn", warning);
  if (options.input !== undefined) checkInput(options.input, options.stdinIsTTY ?? process.stdin.isTTY === true);

  const paths = statePaths(options.stateDir, options.auditLog);
  const stateDirNamed = `${options.stateDirSource ?? "--state-dir"} ${paths.dir}`;
  if (options.stateDir === "") throw new Error(`${options.stateDirSource ?? "--state-dir"} is empty: pass the state directory's path`);
  checkDirectory(paths.dir, stateDirNamed, "--state-dir");
  if (options.auditLog !== undefined) {
    if (options.auditLog === "") throw new Error("--audit-log is empty: pass the audit log's path, or leave it out for <state dir>/audit.jsonl");
    checkDirectory(dirname(options.auditLog), `--audit-log ${options.auditLog}`, "--audit-log");
  }
  try {
    if (statSync(paths.auditLog).isDirectory()) throw new Error(`the audit log ${paths.auditLog} is a directory: pass a file path with --audit-log, or move the directory away`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  const running = lockHolder(paths.lock);
  if (running !== undefined) throw new Error(`another monitor (pid ${running}) runs with the state directory ${paths.dir}: stop it first, or pass another --state-dir`);
  BanStore.load(paths.bans, options.stack);
  if (options.input === undefined) readCursors(paths.cursors);

  const audit = AuditWriter.prepare(paths.auditLog, key, {
    syncIntervalMs: config.audit.syncIntervalMs,
    checkpointEveryRecords: config.audit.checkpointEveryRecords,
    checkpointIntervalMs: config.audit.checkpointIntervalSeconds * 1000,
    onHead: (head) => options.log("info", `audit head: ${JSON.stringify(head)}`),
  });

  const dryRun = options.dryRun || config.dryRun;
  const enforcing = !options.noEnforce && !dryRun;
  let docker: Docker | undefined;
  if (options.input === undefined || enforcing) {
    docker = new Docker();
    await checkDocker(
      docker,
      options.input === undefined
        ? "the monitor reads the proxies' logs from: start Docker, or pass --input FILE to read log lines from a file"
        : "enforcing bans needs: start Docker, or pass --no-enforce (or --dry-run) to replay --input without touching containers",
    );
  }
  return { config, configSource, paths, audit, dryRun, docker };
}

/** Runs until SIGINT/SIGTERM, or with --once until what was there is read; resolves with the exit code. */
export async function runMonitor(options: RunOptions): Promise<number> {
  const { config, configSource: source, paths, audit: preparedAudit, dryRun, docker } = await checkRun(options);
  // every input is valid: from here on, state is created
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  mkdirSync(dirname(paths.auditLog), { recursive: true, mode: 0o700 });
  const release = acquireLock(paths.lock);
  const createsLog = preparedAudit.createsLog;
  const audit = preparedAudit.open();
  if (createsLog) options.log("info", `created a new audit log ${paths.auditLog} (log id ${audit.logId})`);
  const bans = BanStore.load(paths.bans, options.stack);
  const enforcer = docker && !options.noEnforce && !dryRun ? new DockerEnforcer(docker, options.stack) : undefined;
  const monitor = new Monitor({ stack: options.stack, rules: config.rules, statsWindowSeconds: config.statsWindowSeconds, dryRun, audit, bans, enforcer, log: options.log });
  audit.appendDurable("start", { stack: options.stack, pid: process.pid, dryRun, configSource: source, rules: config.rules, bans: bans.list().map((b) => b.app) });
  const reading = options.input !== undefined ? `reading ${options.input === "-" ? "stdin" : options.input}` : options.once ? "reading what Docker has logged so far" : "following Docker";
  options.log("info", `monitor for stack ${options.stack} started (${dryRun ? "DRY RUN, nothing is enforced" : enforcer ? "enforcing bans" : "not enforcing"}; ${reading}${options.once ? ", then stopping" : ""}; config from ${source}; audit log ${paths.auditLog}; ${bans.list().length} ban(s) on record)`);
  monitor.reapplyBans();

  const writeStats = () => writeJsonAtomic(paths.stats, monitor.snapshot());
  let handlingRequests = false;
  const handleRequests = async () => {
    if (handlingRequests) return;
    handlingRequests = true;
    try {
      for (const { id, request } of pendingRequests(paths.requests)) {
        try {
          await monitor.unban(request.app, request.by);
          answerRequest(paths.requests, id, { ok: true, message: `app ${request.app} unbanned` });
        } catch (error) {
          answerRequest(paths.requests, id, { ok: false, message: (error as Error).message });
        }
      }
    } finally {
      handlingRequests = false;
    }
  };
  const timers = [
    setInterval(writeStats, STATS_INTERVAL_MS),
    setInterval(() => void handleRequests(), REQUEST_POLL_MS),
    setInterval(() => monitor.reapplyBans(), RECONCILE_INTERVAL_MS),
  ];

  let follower: DockerLogFollower | undefined;
  let finish!: (code: number) => void;
  const finished = new Promise<number>((resolve) => (finish = resolve));

  if (options.input !== undefined) {
    const input = options.input;
    const stream = input === "-" ? process.stdin : createReadStream(input);
    const splitter = monitor.splitter(`file:${input}`);
    stream.on("data", (chunk: Buffer | string) => splitter.push(chunk.toString()));
    stream.on("error", (error: Error) => {
      options.log("error", `cannot read ${input}: ${error.message}`);
      finish(1);
    });
    stream.on("end", () => {
      splitter.end();
      if (options.once) finish(0);
      else options.log("info", `end of ${input === "-" ? "stdin" : input}: still running (re-applying bans, answering unban requests) until SIGINT/SIGTERM; --once stops at the end of the input`);
    });
  } else {
    follower = new DockerLogFollower({
      docker: docker!,
      stack: options.stack,
      splitter: (origin) => monitor.splitter(origin),
      onAppStarted: (app) => {
        if (bans.has(app)) {
          options.log("warn", `banned app ${app} was (re)started: cutting it off again`);
          monitor.enforce(app);
        }
      },
      log: options.log,
      cursorFile: paths.cursors,
      follow: !options.once,
    });
    try {
      await follower.start();
    } catch (error) {
      options.log("error", `cannot list the proxies' containers: ${(error as Error).message}`);
      finish(1);
    }
    if (follower.containersOpened === 0) {
      options.log("warn", `no running gateway or egress container of stack ${options.stack}${options.once ? ": nothing to read" : " yet; waiting for one to start"}`);
    }
    if (options.once) void follower.drained().then(() => finish(0));
  }

  const onSignal = (signal: string) => {
    options.log("info", `${signal}: stopping`);
    finish(0);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  const code = await finished;
  process.removeListener("SIGINT", onSignal);
  process.removeListener("SIGTERM", onSignal);
  follower?.stop();
  for (const timer of timers) clearInterval(timer);
  await handleRequests();
  await monitor.settle();
  writeStats();
  audit.appendDurable("stop", { stack: options.stack, lines: monitor.snapshot().lines });
  audit.close();
  release();
  return code;
}
