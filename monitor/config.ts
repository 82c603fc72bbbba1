// The monitor's settings: `platform:monitor` from the stack file (or the PLATFORM_MONITOR_CONFIG
// environment variable in the deployed container), validated by the same schema as `pulumi up`, and the
// audit key. Every problem is one line that names where the bad value came from and how to fix it.
import { closeSync, fstatSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError, problemsFromZod } from "../config/errors";
import { readStackFile, stackFilePath } from "../config/load";
import { monitorConfig, MonitorConfig } from "../config/monitor";
import { AUDIT_KEY_RULE, AuditKey } from "./audit/format";

import { CONFIG_ENV, KEY_FILE_ENV } from "../render/monitor/container";

const KEY_ENV = "PLATFORM_MONITOR_AUDIT_KEY";
const STATE_DIR_ENV = "PLATFORM_MONITOR_STATE_DIR";
/** a key file is a few dozen bytes; anything this large is the wrong file */
const MAX_KEY_FILE_BYTES = 64 * 1024;
/** for a key that already signed logs: the same bytes, hex-encoded, keep verifying them */
const KEEP_OLD_KEY = 'a key that already signed logs keeps working hex-encoded (docs/monitor.md, "Audit key")';

/** One line: `invalid platform:monitor in FILE: platform:monitor.rules.x.threshold: ...; ...`. */
export function parseMonitorConfig(raw: unknown, source: string): MonitorConfig {
  const result = monitorConfig.safeParse(raw ?? {});
  if (!result.success) {
    const problems = new ConfigError(problemsFromZod(result.error, "platform", ["monitor"]), source).problems;
    throw new Error(`invalid platform:monitor in ${source}: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
  }
  return result.data;
}

/** `platform:monitor.audit.key` as the stack file holds it: plain hex (discouraged) or a Pulumi secret. */
interface StackKey {
  source: string;
  /** the key in plain text */
  plain?: string;
  /** `{secure: ...}`: encrypted by Pulumi, which only `pulumi config get` can decrypt */
  encrypted: boolean;
}

interface LoadedMonitorConfig {
  config: MonitorConfig;
  source: string;
  stackKey?: StackKey;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** Takes the key out of the raw config: a `{secure}` value is not the schema's string, and never the monitor's to read. */
function takeStackKey(raw: unknown, source: string): { raw: unknown; stackKey?: StackKey } {
  if (!isObject(raw) || !isObject(raw.audit) || raw.audit.key === undefined) return { raw };
  const { key, ...audit } = raw.audit;
  if (isObject(key) && typeof key.secure === "string") {
    // validated by `pulumi up` when decrypted; here only its presence counts (keySource: config needs one)
    return { raw: { ...raw, audit: { ...audit, key: "00".repeat(32) } }, stackKey: { source, encrypted: true } };
  }
  return { raw, stackKey: typeof key === "string" ? { source, plain: key, encrypted: false } : undefined };
}

/** `--config FILE`, else $PLATFORM_MONITOR_CONFIG, else `Pulumi.<stack>.yaml` if it exists, else defaults. */
export function loadMonitorConfig(stack: string, configFile: string | undefined, env: NodeJS.ProcessEnv = process.env): LoadedMonitorConfig {
  if (configFile === undefined && env[CONFIG_ENV]) {
    let raw: unknown;
    try {
      raw = JSON.parse(env[CONFIG_ENV]!);
    } catch (error) {
      throw new Error(`$${CONFIG_ENV} is not valid JSON (${(error as Error).message}): set it to the JSON of the platform:monitor object, or unset it`);
    }
    return { config: parseMonitorConfig(raw, `$${CONFIG_ENV}`), source: CONFIG_ENV };
  }
  if (configFile === "") throw new Error("--config is empty: pass the stack file, e.g. --config Pulumi.<stack>.yaml");
  const file = configFile ?? stackFilePath(stack, process.cwd());
  let entries: Record<string, unknown>;
  try {
    entries = readStackFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && configFile === undefined) return { config: parseMonitorConfig({}, "defaults"), source: "defaults" };
    if (code === "ENOENT") throw new Error(`config file ${file} (--config) does not exist: pass the stack file, e.g. --config Pulumi.${stack}.yaml`);
    if (code) throw new Error(`cannot read the config file ${file}${configFile === undefined ? "" : " (--config)"}: ${code}; pass a readable stack file`);
    throw new Error(`${(error as Error).message}: fix the stack file`);
  }
  let raw = entries["platform:monitor"];
  if (typeof raw === "string") {
    try {
      raw = JSON.parse(raw);
    } catch (error) {
      throw new Error(`platform:monitor in ${file} is a string that is not JSON (${(error as Error).message}): write it as a YAML mapping`);
    }
  }
  const { raw: withoutKey, stackKey } = takeStackKey(raw, file);
  const config = parseMonitorConfig(withoutKey, file);
  if (stackKey?.encrypted) config.audit.key = undefined;
  return { config, source: file, stackKey };
}

/** Reads a key file; refuses what cannot be one (a directory, a device, a large file) before reading it. */
function readKeyFile(file: string, named: string): string {
  if (file === "") throw new Error(`${named} is empty: give the path of a file holding ${AUDIT_KEY_RULE}`);
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    if (code === "ENOENT") throw new Error(`the audit key file ${file} (${named}) does not exist: create it (openssl rand -hex 32 > ${file}; chmod 600 ${file}) or give the right path`);
    throw new Error(`cannot read the audit key file ${file} (${named}): ${code}; make it readable by this user`);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new Error(`the audit key file ${file} (${named}) is a directory: give the file that holds the key`);
    if (!stat.isFile() && !stat.isFIFO()) throw new Error(`the audit key file ${file} (${named}) is not a regular file: give a file holding ${AUDIT_KEY_RULE}`);
    if (stat.size > MAX_KEY_FILE_BYTES) throw new Error(`the audit key file ${file} (${named}) is ${stat.size} bytes, far too large for a key: give a file holding ${AUDIT_KEY_RULE}`);
    return readFileSync(fd, "utf8");
  } finally {
    closeSync(fd);
  }
}

/**
 * The audit key and where it came from, first found of: `--audit-key-file`, $PLATFORM_MONITOR_AUDIT_KEY_FILE,
 * $PLATFORM_MONITOR_AUDIT_KEY, a plain `platform:monitor.audit.key` in the stack file. Always hex (64+
 * digits); a key in any other form is refused with the place it came from, never used as raw bytes. Never printed.
 */
export function resolveAuditKey(keyFile: string | undefined, env: NodeJS.ProcessEnv = process.env, stackKey?: StackKey): { key: AuditKey; source: string; warning?: string } {
  const fromFile = (file: string, named: string) => {
    const source = `${named} (${file})`;
    return { key: AuditKey.fromText(readKeyFile(file, named), source, `write ${AUDIT_KEY_RULE} into ${file} (openssl rand -hex 32 > ${file}); ${KEEP_OLD_KEY}`), source };
  };
  if (keyFile !== undefined) return fromFile(keyFile, "--audit-key-file");
  const envFile = env[KEY_FILE_ENV];
  if (envFile !== undefined) return fromFile(envFile, `$${KEY_FILE_ENV}`);
  if (env[KEY_ENV] !== undefined) return { key: AuditKey.fromText(env[KEY_ENV]!, `$${KEY_ENV}`, `set it to ${AUDIT_KEY_RULE} (e.g. $(openssl rand -hex 32)); ${KEEP_OLD_KEY}`), source: `$${KEY_ENV}` };
  if (stackKey?.plain !== undefined) {
    const source = `platform:monitor.audit.key in ${stackKey.source}`;
    return {
      key: AuditKey.fromText(stackKey.plain, source, `set it with pulumi config set --secret --path platform:monitor.audit.key <${AUDIT_KEY_RULE}>`),
      source,
      warning: `the audit key is plain text in ${stackKey.source}: whoever reads that file can forge audit records; make it a secret (pulumi config set --secret --path platform:monitor.audit.key ...) and pass it with --audit-key-file`,
    };
  }
  const secret = stackKey?.encrypted
    ? `; the key in ${stackKey.source} is a Pulumi secret the monitor cannot decrypt: pulumi config get --path platform:monitor.audit.key > KEYFILE, then --audit-key-file KEYFILE`
    : "";
  throw new Error(`no audit key: pass --audit-key-file FILE, or set $${KEY_FILE_ENV} (a file) or $${KEY_ENV}, holding ${AUDIT_KEY_RULE}${secret}`);
}

/** The audit key (see resolveAuditKey). */
export function loadAuditKey(keyFile: string | undefined, env: NodeJS.ProcessEnv = process.env, stackKey?: StackKey): AuditKey {
  return resolveAuditKey(keyFile, env, stackKey).key;
}

export function defaultStateDir(stack: string, env: NodeJS.ProcessEnv = process.env): string {
  return env[STATE_DIR_ENV] || join(process.cwd(), ".platform-monitor", stack);
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
