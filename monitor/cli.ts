// `npm run monitor -- [run] --stack NAME [--dry-run]` · `stats [--json]` · `unban APP` · `bans` · `verify FILE` · `anchor FILE`
// Every bad input ends the same way: exit 2 and one line on stderr naming the input and its fix, before any
// state is created (a wrongly called command also prints the usage, as every command of cli/args does).
import { closeSync, existsSync, fsyncSync, openSync, statSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { badValue, exitWith, ParsedArgs, runCommand, UsageError } from "../cli/args";
import { isStackName, STACK_NAME_RULE } from "../config/load";
import { BanStore } from "./bans";
import { defaultStateDir, loadAuditKey, loadMonitorConfig, resolveAuditKey, statePaths } from "./config";
import { acquireLock, awaitAnswer, lockHolder, submitUnbanRequest } from "./control";
import { AuditLogError } from "./audit/errors";
import { signHead } from "./audit/format";
import { Anchor, formatVerifyReport, readAnchors, verifyAuditFile } from "./audit/verify";
import { formatStatsTable, StatsSnapshot } from "./stats";
import { readJsonFile } from "./state-files";
import { MonitorLog } from "./detector";

const MONITOR_COMMAND = {
  name: "monitor",
  usage: `usage: npm run monitor -- <command> [options]
  run --stack NAME [--dry-run] [--no-enforce] [--input FILE|-] [--once]     follow the proxies' logs, keep statistics, ban (default command)
      --input FILE|-   read log lines from FILE or stdin instead of the gateway's and egress proxy's Docker logs
      --once           read what is there, then stop: with --input, to its end; without, what the running gateway and
                       egress containers have logged so far (from where the last run stopped). Without --once the
                       monitor runs until SIGINT/SIGTERM, also after the end of --input (it keeps re-applying bans
                       and answering unban requests)
      --no-enforce     never touch Docker networks; with --input, Docker is then not needed at all
  stats --stack NAME [--json]                                               per-app statistics of the running monitor
  unban APP --stack NAME [--by WHO] [--timeout-seconds N]                   lift a ban (reconnects the app's container)
  bans --stack NAME [--json]                                                list current bans with their evidence
  verify FILE [--anchor ANCHORS] [--expect-at-least N] [--json]             check an audit log for tampering and say how far its
                                                                            end is vouched for (exit 0 ok, 1 tampered, 2 error)
  anchor FILE [--anchor ANCHORS]                                            verify, then print a signed head of the log (and append it
                                                                            to ANCHORS): keep it off-host to detect a rollback later
common options: --state-dir DIR (default .platform-monitor/<stack> or $PLATFORM_MONITOR_STATE_DIR), --audit-log FILE,
  --audit-key-file FILE (or $PLATFORM_MONITOR_AUDIT_KEY_FILE / $PLATFORM_MONITOR_AUDIT_KEY): 64+ hex digits,
  --config Pulumi.<stack>.yaml`,
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
    anchor: { type: "string" },
    "expect-at-least": { type: "string" },
  },
  positionals: { name: "COMMAND" },
} as const;

type MonitorValues = ParsedArgs<typeof MONITOR_COMMAND.options>["values"];

const log: MonitorLog = (level, message) => process.stderr.write(`${new Date().toISOString()} monitor ${level}: ${message}\n`);

function stackOf(values: MonitorValues, command: string): string {
  const stack = values.stack;
  if (stack === undefined) throw new UsageError(`${command} needs --stack NAME`);
  // the short Pulumi stack name: it names the state directory and the containers' `platform.stack` label
  if (!isStackName(stack)) throw badValue("stack", stack, STACK_NAME_RULE);
  return stack;
}

/** The state directory and how it was given, for messages. */
function stateDirOf(values: MonitorValues, stack: string): { dir: string; source: string } {
  if (values["state-dir"] !== undefined) return { dir: values["state-dir"], source: "--state-dir" };
  if (process.env.PLATFORM_MONITOR_STATE_DIR) return { dir: process.env.PLATFORM_MONITOR_STATE_DIR, source: "$PLATFORM_MONITOR_STATE_DIR" };
  return { dir: defaultStateDir(stack, {}), source: "the default state directory (--state-dir)" };
}

/** Options that belong to other commands are refused rather than silently ignored. */
function refuseOptions(values: MonitorValues, command: string, names: (keyof MonitorValues)[]): void {
  for (const name of names) {
    const value = values[name];
    if (value !== undefined && value !== false) throw new UsageError(`--${name} does not apply to ${command}`);
  }
}

function anchorsOf(values: MonitorValues): Anchor[] | undefined {
  return values.anchor === undefined ? undefined : readAnchors(values.anchor);
}

function expectAtLeastOf(values: MonitorValues): number | undefined {
  const text = values["expect-at-least"];
  if (text === undefined) return undefined;
  const count = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(count) || count < 1) throw badValue("expect-at-least", text, "a record count of 1 or more (as an earlier verify or anchor reported it)");
  return count;
}

async function monitor({ values, positionals }: ParsedArgs<typeof MONITOR_COMMAND.options>): Promise<number> {
  const [command = "run", ...rest] = positionals;
  if (command !== "run") refuseOptions(values, command, ["input", "once", "dry-run", "no-enforce"]);
  if (command === "verify") {
    if (rest.length !== 1) throw new UsageError("verify takes exactly one FILE");
    const expectAtLeast = expectAtLeastOf(values);
    const key = loadAuditKey(values["audit-key-file"]);
    const anchors = anchorsOf(values);
    const report = verifyAuditFile(rest[0], key, { anchors, expectAtLeast });
    const anchored = anchors !== undefined || expectAtLeast !== undefined;
    process.stdout.write(`${values.json ? JSON.stringify(report, null, 2) : formatVerifyReport(rest[0], report, anchored)}\n`);
    return report.ok ? 0 : 1;
  }
  if (command === "anchor") {
    if (rest.length !== 1) throw new UsageError("anchor takes exactly one FILE");
    return anchorCommand(rest[0], values);
  }
  refuseOptions(values, command, ["anchor", "expect-at-least"]);
  const stack = stackOf(values, command);
  const stateDir = stateDirOf(values, stack);
  const paths = statePaths(stateDir.dir, values["audit-log"]);
  switch (command) {
    case "run":
      if (rest.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`);
      return runMonitorCommand(stack, stateDir, values);
    case "stats": {
      const snapshot = readJsonFile<StatsSnapshot>(paths.stats, "statistics");
      if (!snapshot) throw new Error(`no statistics in ${paths.stats}: is the monitor for stack ${stack} running with --state-dir ${stateDir.dir}?`);
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
      return unbanCommand(rest[0], stack, stateDir.dir, values);
    }
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}

async function runMonitorCommand(stack: string, stateDir: { dir: string; source: string }, values: MonitorValues): Promise<number> {
  const { runMonitor } = await import("./run");
  return runMonitor({
    stack,
    stateDir: stateDir.dir,
    stateDirSource: stateDir.source,
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

/**
 * Verifies FILE (against the anchors in --anchor, when that file exists) and prints a fresh signed head of
 * it; with --anchor, also appends the head to that file (fsynced). A log that fails gets no anchor: exit 1.
 */
async function anchorCommand(file: string, values: MonitorValues): Promise<number> {
  const target = values.anchor;
  if (target !== undefined) {
    if (target === "") throw new Error("--anchor is empty: pass the anchor file to check and extend");
    if (!existsSync(dirname(target)) || !statSync(dirname(target)).isDirectory()) throw new Error(`--anchor ${target}: its directory ${dirname(target)} does not exist; create it (off-host storage, e.g. a mounted share) or pass another path`);
  }
  const key = loadAuditKey(values["audit-key-file"]);
  const anchors = target !== undefined && existsSync(target) ? readAnchors(target) : undefined;
  const report = verifyAuditFile(file, key, { anchors });
  if (!report.ok || !report.logId || !report.last) {
    process.stdout.write(`${formatVerifyReport(file, report, anchors !== undefined)}\n`);
    process.stderr.write(`monitor: no anchor written: ${file} fails verification\n`);
    return 1;
  }
  const head = signHead({ logId: report.logId, count: report.last.seq + 1, lastMac: report.last.mac, time: new Date().toISOString() }, key);
  const line = `${JSON.stringify(head)}\n`;
  if (target !== undefined) {
    const fd = openSync(target, "a", 0o600);
    try {
      writeSync(fd, line);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
  process.stdout.write(line);
  return 0;
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
  // no monitor running: check everything, then do it here, holding the lock so none starts meanwhile
  const { config, stackKey } = loadMonitorConfig(stack, values.config);
  const { key } = resolveAuditKey(values["audit-key-file"], process.env, stackKey);
  const bans = BanStore.load(paths.bans, stack);
  if (!bans.has(app)) {
    const banned = bans.list().map((b) => b.app);
    throw new Error(`app ${JSON.stringify(app)} is not banned in ${paths.bans} (banned apps: ${banned.length > 0 ? banned.join(", ") : "none"}): check the APP name and --stack/--state-dir`);
  }
  const [{ AuditWriter }, { Monitor }, { DockerEnforcer }, { checkDocker }, Docker] = await Promise.all([import("./audit/writer"), import("./detector"), import("./docker-enforcer"), import("./run"), import("dockerode")]);
  const prepared = AuditWriter.prepare(paths.auditLog, key, { onHead: (head) => log("info", `audit head: ${JSON.stringify(head)}`) });
  const docker = new Docker.default();
  await checkDocker(docker, "reconnecting the app's container needs: start Docker, then retry");
  const release = acquireLock(paths.lock);
  try {
    const audit = prepared.open();
    try {
      const monitor = new Monitor({ stack, rules: config.rules, statsWindowSeconds: config.statsWindowSeconds, dryRun: false, audit, bans, enforcer: new DockerEnforcer(docker, stack), log });
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
    // one line, never a stack trace: the message names the input and its fix
    const message = (error as Error)?.message ?? String(error);
    process.stderr.write(`monitor: ${error instanceof AuditLogError ? message : message.split("\n")[0]}\n`);
    return 2;
  },
});
