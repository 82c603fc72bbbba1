// The long-lived monitor process: wires config, audit log, bans, Docker log following and enforcement.
import { createReadStream, mkdirSync } from "node:fs";
import Docker from "dockerode";
import { AuditWriter } from "./audit/writer";
import { BanStore } from "./bans";
import { loadAuditKey, loadMonitorConfig, statePaths } from "./config";
import { acquireLock, answerRequest, pendingRequests } from "./control";
import { DockerEnforcer } from "./docker-enforcer";
import { DockerLogFollower } from "./docker-logs";
import { Monitor, MonitorLog } from "./detector";
import { writeJsonAtomic } from "./state-files";

export interface RunOptions {
  stack: string;
  stateDir: string;
  auditLog?: string;
  auditKeyFile?: string;
  configFile?: string;
  dryRun: boolean;
  /** read log lines from this file (`-` for stdin) instead of following Docker */
  input?: string;
  /** with --input: stop at the end of the input */
  once: boolean;
  /** never touch Docker networks (statistics and audit only) */
  noEnforce: boolean;
  log: MonitorLog;
}

const STATS_INTERVAL_MS = 1000;
const REQUEST_POLL_MS = 250;
const RECONCILE_INTERVAL_MS = 15_000;

/** Runs until SIGINT/SIGTERM (or the end of --input with --once); resolves with the exit code. */
export async function runMonitor(options: RunOptions): Promise<number> {
  const paths = statePaths(options.stateDir, options.auditLog);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  const { config, source } = loadMonitorConfig(options.stack, options.configFile);
  const dryRun = options.dryRun || config.dryRun;
  const key = loadAuditKey(options.auditKeyFile);
  const release = acquireLock(paths.lock);
  const audit = AuditWriter.open(paths.auditLog, key, {
    syncIntervalMs: config.audit.syncIntervalMs,
    checkpointEveryRecords: config.audit.checkpointEveryRecords,
    checkpointIntervalMs: config.audit.checkpointIntervalSeconds * 1000,
  });
  const bans = BanStore.load(paths.bans, options.stack);
  const needsDocker = !options.input || !options.noEnforce;
  const docker = needsDocker ? new Docker() : undefined;
  const enforcer = docker && !options.noEnforce && !dryRun ? new DockerEnforcer(docker, options.stack) : undefined;
  const monitor = new Monitor({ stack: options.stack, rules: config.rules, statsWindowSeconds: config.statsWindowSeconds, dryRun, audit, bans, enforcer, log: options.log });
  audit.appendDurable("start", { stack: options.stack, pid: process.pid, dryRun, configSource: source, rules: config.rules, bans: bans.list().map((b) => b.app) });
  options.log("info", `monitor for stack ${options.stack} started (${dryRun ? "DRY RUN, nothing is enforced" : enforcer ? "enforcing bans" : "not enforcing"}; config from ${source}; audit log ${paths.auditLog}; ${bans.list().length} ban(s) on record)`);
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

  if (options.input) {
    const stream = options.input === "-" ? process.stdin : createReadStream(options.input);
    const splitter = monitor.splitter(`file:${options.input}`);
    stream.on("data", (chunk: Buffer | string) => splitter.push(chunk.toString()));
    stream.on("error", (error: Error) => {
      options.log("error", `cannot read ${options.input}: ${error.message}`);
      finish(1);
    });
    stream.on("end", () => {
      splitter.end();
      if (options.once) finish(0);
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
    });
    await follower.start();
    if (follower.followedContainers().length === 0) options.log("warn", `no running gateway or egress container of stack ${options.stack} yet; waiting for one to start`);
  }

  const onSignal = (signal: string) => {
    options.log("info", `${signal}: stopping`);
    finish(0);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);

  const code = await finished;
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
