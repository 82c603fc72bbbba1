// `npm run monitor -- [run] --stack NAME [--dry-run]` · `stats [--json]` · `unban APP` · `bans` · `verify FILE`
import { badValue, exitWith, ParsedArgs, runCommand, UsageError } from "../cli/args";
import { BanStore } from "./bans";
import { defaultStateDir, loadAuditKey, loadMonitorConfig, statePaths } from "./config";
import { acquireLock, awaitAnswer, lockHolder, submitUnbanRequest } from "./control";
import { AuditLogError } from "./audit/errors";
import { formatVerifyReport, verifyAuditFile } from "./audit/verify";
import { formatStatsTable, StatsSnapshot } from "./stats";
import { readJsonFile } from "./state-files";
import { MonitorLog } from "./detector";

const MONITOR_COMMAND = {
  name: "monitor",
  usage: `usage: npm run monitor -- <command> [options]
  run --stack NAME [--dry-run] [--input FILE|-] [--once] [--no-enforce]   follow the proxies' logs, keep statistics, ban (default command)
  stats --stack NAME [--json]                                               per-app statistics of the running monitor
  unban APP --stack NAME [--by WHO] [--timeout-seconds N]                   lift a ban (reconnects the app's container)
  bans --stack NAME [--json]                                                list current bans with their evidence
  verify FILE                                                               check an audit log for tampering (exit 0 ok, 1 tampered, 2 error)
common options: --state-dir DIR (default .platform-monitor/<stack> or $PLATFORM_MONITOR_STATE_DIR), --audit-log FILE,
  --audit-key-file FILE (or $PLATFORM_MONITOR_AUDIT_KEY_FILE / $PLATFORM_MONITOR_AUDIT_KEY), --config Pulumi.<stack>.yaml`,
  options: {
    stack: { type: "string" },
    "state-dir": { type: "string" },
    "audit-log": { type: "string" },
    "audit-key-file": { type: "string" },
    config: { type: "string" },
    "dry-run": { type: "boolean" },
    input: { type: "string" },
    once: { type: "boolean" },
    "no-enforce": { type: "boolean" },
    json: { type: "boolean" },
    by: { type: "string" },
    "timeout-seconds": { type: "string", default: "30" },
  },
  positionals: { name: "COMMAND" },
} as const;

type MonitorValues = ParsedArgs<typeof MONITOR_COMMAND.options>["values"];

const log: MonitorLog = (level, message) => process.stderr.write(`${new Date().toISOString()} monitor ${level}: ${message}\n`);

async function monitor({ values, positionals }: ParsedArgs<typeof MONITOR_COMMAND.options>): Promise<number> {
  const [command = "run", ...rest] = positionals;
  if (command === "verify") {
    if (rest.length !== 1) throw new UsageError("verify takes exactly one FILE");
    const report = verifyAuditFile(rest[0], loadAuditKey(values["audit-key-file"]));
    process.stdout.write(`${values.json ? JSON.stringify(report, null, 2) : formatVerifyReport(rest[0], report)}\n`);
    return report.ok ? 0 : 1;
  }
  const stack = values.stack;
  if (!stack) throw new UsageError(`${command} needs --stack NAME`);
  const stateDir = values["state-dir"] ?? defaultStateDir(stack);
  const paths = statePaths(stateDir, values["audit-log"]);
  switch (command) {
    case "run":
      if (rest.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`);
      return runMonitorCommand(stack, stateDir, values);
    case "stats": {
      const snapshot = readJsonFile<StatsSnapshot>(paths.stats, "statistics");
      if (!snapshot) throw new Error(`no statistics in ${paths.stats}: is the monitor for stack ${stack} running with --state-dir ${stateDir}?`);
      const running = lockHolder(paths.lock) !== undefined;
      process.stdout.write(`${values.json ? JSON.stringify({ ...snapshot, monitorRunning: running }, null, 2) : `${formatStatsTable(snapshot)}${running ? "" : "\n(the monitor is not running: these are its last statistics)"}`}\n`);
      return 0;
    }
    case "bans": {
      const bans = BanStore.load(paths.bans, stack).list();
      if (values.json) process.stdout.write(`${JSON.stringify(bans, null, 2)}\n`);
      else if (bans.length === 0) process.stdout.write("no bans\n");
      else for (const ban of bans) process.stdout.write(`${ban.app}: banned at ${ban.bannedAt} for ${ban.evidence.description} (audit seq ${ban.auditSeq})${ban.enforcement ? `; ${ban.enforcement.containerName} disconnected from ${ban.enforcement.networks.map((n) => n.network).join(", ")}` : ""}\n`);
      return 0;
    }
    case "unban": {
      if (rest.length !== 1) throw new UsageError("unban takes exactly one APP");
      return unbanCommand(rest[0], stack, stateDir, values);
    }
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}

async function runMonitorCommand(stack: string, stateDir: string, values: MonitorValues): Promise<number> {
  const { runMonitor } = await import("./run");
  return runMonitor({
    stack,
    stateDir,
    auditLog: values["audit-log"],
    auditKeyFile: values["audit-key-file"],
    configFile: values.config,
    dryRun: values["dry-run"],
    input: values.input,
    once: values.once,
    noEnforce: values["no-enforce"],
    log,
  });
}

async function unbanCommand(app: string, stack: string, stateDir: string, values: MonitorValues): Promise<number> {
  const paths = statePaths(stateDir, values["audit-log"]);
  const by = values.by ?? process.env.USER ?? "operator";
  const seconds = Number(values["timeout-seconds"]);
  if (!(seconds > 0)) throw badValue("timeout-seconds", values["timeout-seconds"], "a positive number of seconds");
  const timeoutMs = seconds * 1000;
  const running = lockHolder(paths.lock);
  if (running !== undefined) {
    const id = submitUnbanRequest(paths.requests, { app, by, requestedAt: new Date().toISOString() });
    const answer = await awaitAnswer(paths.requests, id, timeoutMs);
    if (!answer) throw new Error(`the running monitor (pid ${running}) did not answer the unban request within ${timeoutMs / 1000}s; the request stays queued in ${paths.requests}`);
    process.stdout.write(`${answer.message}\n`);
    return answer.ok ? 0 : 1;
  }
  // no monitor running: do it here, holding the lock so none starts meanwhile
  const release = acquireLock(paths.lock);
  try {
    const [{ AuditWriter }, { Monitor }, { DockerEnforcer }, Docker] = await Promise.all([import("./audit/writer"), import("./detector"), import("./docker-enforcer"), import("dockerode")]);
    const { config } = loadMonitorConfig(stack, values.config);
    const audit = AuditWriter.open(paths.auditLog, loadAuditKey(values["audit-key-file"]));
    try {
      const bans = BanStore.load(paths.bans, stack);
      const monitor = new Monitor({ stack, rules: config.rules, statsWindowSeconds: config.statsWindowSeconds, dryRun: false, audit, bans, enforcer: new DockerEnforcer(new Docker.default(), stack), log });
      await monitor.unban(app, by);
      process.stdout.write(`app ${app} unbanned\n`);
      return 0;
    } finally {
      audit.close();
    }
  } finally {
    release();
  }
}

exitWith(runCommand(MONITOR_COMMAND, process.argv.slice(2), monitor), {
  immediately: true,
  onCrash: (error) => {
    process.stderr.write(error instanceof AuditLogError ? `audit log error: ${error.message}\n` : `monitor: ${(error as Error).message}\n`);
    return 2;
  },
});
