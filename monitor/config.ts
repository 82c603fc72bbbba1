// The monitor's settings: `platform:monitor` from the stack file (or the PLATFORM_MONITOR_CONFIG
// environment variable in the deployed container), validated by the same schema as `pulumi up`.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, problemsFromZod } from "../config/errors";
import { readStackFile, stackFilePath } from "../config/load";
import { monitorConfig, MonitorConfig } from "../config/monitor";
import { AuditKey } from "./audit/format";

import { CONFIG_ENV, KEY_FILE_ENV } from "../render/monitor/container";

const KEY_ENV = "PLATFORM_MONITOR_AUDIT_KEY";
const STATE_DIR_ENV = "PLATFORM_MONITOR_STATE_DIR";

export function parseMonitorConfig(raw: unknown, source: string): MonitorConfig {
  const result = monitorConfig.safeParse(raw ?? {});
  if (!result.success) throw new ConfigError(problemsFromZod(result.error, "platform", ["monitor"]), source);
  return result.data;
}

/** `--config FILE`, else $PLATFORM_MONITOR_CONFIG, else `Pulumi.<stack>.yaml` if it exists, else defaults. */
export function loadMonitorConfig(stack: string, configFile: string | undefined, env: NodeJS.ProcessEnv = process.env): { config: MonitorConfig; source: string } {
  if (!configFile && env[CONFIG_ENV]) {
    let raw: unknown;
    try {
      raw = JSON.parse(env[CONFIG_ENV]!);
    } catch (error) {
      throw new Error(`${CONFIG_ENV} is not valid JSON (${(error as Error).message})`);
    }
    return { config: parseMonitorConfig(raw, CONFIG_ENV), source: CONFIG_ENV };
  }
  const file = configFile ?? stackFilePath(stack, process.cwd());
  if (!existsSync(file)) {
    if (configFile) throw new Error(`config file ${configFile} does not exist`);
    return { config: parseMonitorConfig({}, "defaults"), source: "defaults" };
  }
  const raw = readStackFile(file)["platform:monitor"];
  return { config: parseMonitorConfig(typeof raw === "string" ? JSON.parse(raw) : raw, file), source: file };
}

/** The audit key: `--audit-key-file`, $PLATFORM_MONITOR_AUDIT_KEY_FILE, or $PLATFORM_MONITOR_AUDIT_KEY (hex). Never printed. */
export function loadAuditKey(keyFile: string | undefined, env: NodeJS.ProcessEnv = process.env): AuditKey {
  const file = keyFile ?? env[KEY_FILE_ENV];
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      throw new Error(`cannot read the audit key file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    return AuditKey.fromText(text, file);
  }
  if (env[KEY_ENV]) return AuditKey.fromText(env[KEY_ENV]!, KEY_ENV);
  throw new Error(`no audit key: pass --audit-key-file FILE, or set ${KEY_FILE_ENV} or ${KEY_ENV} (at least 64 hex characters)`);
}

export function defaultStateDir(stack: string, env: NodeJS.ProcessEnv = process.env): string {
  return env[STATE_DIR_ENV] ?? join(process.cwd(), ".platform-monitor", stack);
}

interface StatePaths {
  dir: string;
  auditLog: string;
  bans: string;
  stats: string;
  cursors: string;
  lock: string;
  requests: string;
}

export function statePaths(dir: string, auditLog?: string): StatePaths {
  return {
    dir,
    auditLog: auditLog ?? join(dir, "audit.jsonl"),
    bans: join(dir, "bans.json"),
    stats: join(dir, "stats.json"),
    cursors: join(dir, "log-cursors.json"),
    lock: join(dir, "monitor.lock"),
    requests: join(dir, "requests"),
  };
}
