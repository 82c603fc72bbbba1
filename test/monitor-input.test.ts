// The monitor's inputs, as a new user and a hostile vendor would give them: every bad one ends with exit 2
// and one line on stderr naming the input and its fix, never a stack trace, and with nothing created (the
// state directory does not appear, or stays exactly as it was). Also what `--once` does: read what is
// there and stop, with --input or from Docker, never hang.
import { describe, it, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Docker from "dockerode";
import { stringify } from "yaml";
import { loadMonitorConfig, resolveAuditKey } from "../monitor/config";
import { checkRun } from "../monitor/run";
import { AuditWriter } from "../monitor/audit/writer";
import { AuditKey } from "../monitor/audit/format";
import { verifyAuditFile } from "../monitor/audit/verify";
import { PLATFORM_LABEL } from "../plan/names";
import { dockerUnavailable } from "../sandbox/docker-availability";
import { REPO_ROOT } from "./support/stack-config";

const CLI = join(REPO_ROOT, "monitor", "cli.ts");
const KEY_HEX = randomBytes(32).toString("hex");
const BOGUS_DOCKER = "unix:///nonexistent/docker.sock";

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The monitor CLI as a user runs it, with only the environment given here (no stray PLATFORM_MONITOR_*). */
function cli(args: string[], options: { env?: Record<string, string>; stdin?: string; timeoutMs?: number } = {}): Promise<Result> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("PLATFORM_MONITOR_") && name !== "DOCKER_HOST")) as Record<string, string>;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], { cwd: REPO_ROOT, env: { ...env, ...options.env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`monitor ${args.join(" ")} did not end within ${options.timeoutMs ?? 60_000} ms (a hang): ${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? "");
  });
}

/** A work directory with a hex key file, a log file and a state directory path that does not exist yet. */
function work(t: { after: (fn: () => void) => void }) {
  const dir = mkdtempSync(join(tmpdir(), "monitor-input-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const key = join(dir, "audit.key");
  writeFileSync(key, `${KEY_HEX}\n`, { mode: 0o600 });
  const input = join(dir, "access.log");
  writeFileSync(input, `${gatewayLine(1)}\n${gatewayLine(2)}\n`);
  const state = join(dir, "state");
  const stack = `in${randomBytes(3).toString("hex")}`;
  return { dir, key, input, state, stack, replay: ["run", "--stack", stack, "--state-dir", state, "--input", input, "--once", "--no-enforce"] };
}

function gatewayLine(i: number, status = 401): string {
  return JSON.stringify({ source: "gateway", time: new Date(Date.parse("2026-11-23T12:00:00Z") + i * 100).toISOString(), app: "alpha", client: "10.208.4.20", peer: "-", method: "GET", path: `/p${i}`, service: "weather", status, flags: "-", duration_ms: 1 });
}

/** Every file under `dir` with its content: to show a refused run changed nothing. */
function snapshot(dir: string): Record<string, string> {
  if (!existsSync(dir)) return {};
  const files: Record<string, string> = {};
  for (const entry of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, entry);
    files[entry] = statSync(path).isDirectory() ? "<dir>" : readFileSync(path, "utf8");
  }
  return files;
}

/** exit 2, one line `monitor: ...` matching `message`, no stack trace, nothing on stdout. */
function assertRefused(result: Result, message: RegExp): void {
  assert.equal(result.status, 2, `exit 2 expected: ${result.stdout}${result.stderr}`);
  assert.doesNotMatch(result.stderr, /\n\s+at /, "no stack trace");
  assert.equal(result.stderr.trimEnd().split("\n").length, 1, `one line: ${result.stderr}`);
  assert.match(result.stderr, /^monitor: /);
  assert.match(result.stderr, message);
  assert.equal(result.stdout, "");
}

/** A bad input case: the command, and what the one line must say. */
interface Case {
  name: string;
  message: RegExp;
  /** arranges the bad input; returns the arguments and environment */
  arrange: (w: ReturnType<typeof work>) => { args: string[]; env?: Record<string, string> };
}

const KEY_CASES: Case[] = [
  {
    name: "a key file of raw text (the old rule took it as bytes)",
    message: /the audit key from --audit-key-file \(.*\) is not hex .*never taken as raw text: write 64 or more hex digits \(32\+ bytes\) into .* \(openssl rand -hex 32 > .*\); a key that already signed logs keeps working hex-encoded/,
    arrange: (w) => {
      writeFileSync(w.key, "my-very-secret-vendor-proof-passphrase-that-is-long-enough-0123456789\n");
      return { args: [...w.replay, "--audit-key-file", w.key] };
    },
  },
  {
    name: "a key file of short hex",
    message: /--audit-key-file \(.*\) is 16 bytes \(32 hex digits\), too short: use at least 32 bytes/,
    arrange: (w) => {
      writeFileSync(w.key, "ab".repeat(16));
      return { args: [...w.replay, "--audit-key-file", w.key] };
    },
  },
  {
    name: "an empty key file",
    message: /--audit-key-file \(.*\) is empty: write 64 or more hex digits/,
    arrange: (w) => {
      writeFileSync(w.key, "\n");
      return { args: [...w.replay, "--audit-key-file", w.key] };
    },
  },
  {
    name: "a key file that does not exist",
    message: /the audit key file .*nope\.key \(--audit-key-file\) does not exist: create it \(openssl rand -hex 32 > .*nope\.key; chmod 600/,
    arrange: (w) => ({ args: [...w.replay, "--audit-key-file", join(w.dir, "nope.key")] }),
  },
  {
    name: "a directory as the key file",
    message: /the audit key file .* \(--audit-key-file\) is a directory: give the file that holds the key/,
    arrange: (w) => ({ args: [...w.replay, "--audit-key-file", w.dir] }),
  },
  {
    name: "a device as the key file (it would never end)",
    message: /the audit key file \/dev\/urandom \(--audit-key-file\) is not a regular file/,
    arrange: (w) => ({ args: [...w.replay, "--audit-key-file", "/dev/urandom"] }),
  },
  {
    name: "$PLATFORM_MONITOR_AUDIT_KEY that is not hex",
    message: /the audit key from \$PLATFORM_MONITOR_AUDIT_KEY is not hex .*: set it to 64 or more hex digits/,
    arrange: (w) => ({ args: w.replay, env: { PLATFORM_MONITOR_AUDIT_KEY: "x".repeat(64) } }),
  },
  {
    name: "$PLATFORM_MONITOR_AUDIT_KEY with 0x",
    message: /\$PLATFORM_MONITOR_AUDIT_KEY starts with "0x"; give the hex digits alone/,
    arrange: (w) => ({ args: w.replay, env: { PLATFORM_MONITOR_AUDIT_KEY: `0x${KEY_HEX}` } }),
  },
  {
    name: "$PLATFORM_MONITOR_AUDIT_KEY_FILE naming no file",
    message: /the audit key file \/nonexistent\/key \(\$PLATFORM_MONITOR_AUDIT_KEY_FILE\) does not exist/,
    arrange: (w) => ({ args: w.replay, env: { PLATFORM_MONITOR_AUDIT_KEY_FILE: "/nonexistent/key" } }),
  },
  {
    name: "no key at all",
    message: /no audit key: pass --audit-key-file FILE, or set \$PLATFORM_MONITOR_AUDIT_KEY_FILE \(a file\) or \$PLATFORM_MONITOR_AUDIT_KEY, holding 64 or more hex digits/,
    arrange: (w) => ({ args: w.replay }),
  },
  {
    name: "only a Pulumi secret key in the stack file, which the monitor cannot decrypt",
    message: /no audit key: .*; the key in .*Pulumi\..*\.yaml is a Pulumi secret the monitor cannot decrypt: pulumi config get --path platform:monitor\.audit\.key > KEYFILE, then --audit-key-file KEYFILE/,
    arrange: (w) => {
      const stackFile = join(w.dir, `Pulumi.${w.stack}.yaml`);
      writeFileSync(stackFile, stringify({ config: { "platform:monitor": { audit: { keySource: "config", key: { secure: "v1:abcdef" } } } } }));
      return { args: [...w.replay, "--config", stackFile] };
    },
  },
];

const CONFIG_CASES: Case[] = [
  {
    name: "--config naming no file",
    message: /config file .*missing\.yaml \(--config\) does not exist: pass the stack file/,
    arrange: (w) => ({ args: [...w.replay, "--audit-key-file", w.key, "--config", join(w.dir, "missing.yaml")] }),
  },
  {
    name: "a stack file that is not YAML",
    message: /bad\.yaml: invalid YAML at line \d+, column \d+: .*: fix the stack file/,
    arrange: (w) => {
      writeFileSync(join(w.dir, "bad.yaml"), "config:\n  platform:monitor: [unclosed\n");
      return { args: [...w.replay, "--audit-key-file", w.key, "--config", join(w.dir, "bad.yaml")] };
    },
  },
  {
    name: "a rule threshold out of range, and an unknown rule",
    message: /invalid platform:monitor in .*rules\.yaml: platform:monitor\.rules\.requestRate\.threshold: .*; platform:monitor\.rules\.sqlInjection: unknown key/,
    arrange: (w) => {
      writeFileSync(join(w.dir, "rules.yaml"), stringify({ config: { "platform:monitor": { rules: { requestRate: { threshold: -1 }, sqlInjection: {} } } } }));
      return { args: [...w.replay, "--audit-key-file", w.key, "--config", join(w.dir, "rules.yaml")] };
    },
  },
  {
    name: "a plain-text audit key in the stack file that is not hex",
    message: /invalid platform:monitor in .*: platform:monitor\.audit\.key: expected at least 64 hex characters/,
    arrange: (w) => {
      writeFileSync(join(w.dir, "key.yaml"), stringify({ config: { "platform:monitor": { audit: { keySource: "config", key: "not-a-hex-key" } } } }));
      return { args: [...w.replay, "--config", join(w.dir, "key.yaml")] };
    },
  },
  {
    name: "$PLATFORM_MONITOR_CONFIG that is not JSON",
    message: /\$PLATFORM_MONITOR_CONFIG is not valid JSON .*: set it to the JSON of the platform:monitor object, or unset it/,
    arrange: (w) => ({ args: [...w.replay, "--audit-key-file", w.key], env: { PLATFORM_MONITOR_CONFIG: "{dryRun: yes}" } }),
  },
];

const INPUT_CASES: Case[] = [
  {
    name: "--input naming no file",
    message: /--input .*nope\.log does not exist: pass a file of gateway\/egress JSON log lines, or - for stdin/,
    arrange: (w) => ({ args: ["run", "--stack", w.stack, "--state-dir", w.state, "--audit-key-file", w.key, "--input", join(w.dir, "nope.log"), "--once", "--no-enforce"] }),
  },
  {
    name: "--input naming a directory",
    message: /--input .* is a directory: pass a file of gateway\/egress JSON log lines/,
    arrange: (w) => ({ args: ["run", "--stack", w.stack, "--state-dir", w.state, "--audit-key-file", w.key, "--input", w.dir, "--once", "--no-enforce"] }),
  },
  {
    name: "--input naming a device that never ends",
    message: /--input \/dev\/zero is not a regular file or a pipe \(a device would never end\)/,
    arrange: (w) => ({ args: ["run", "--stack", w.stack, "--state-dir", w.state, "--audit-key-file", w.key, "--input", "/dev/zero", "--once", "--no-enforce"] }),
  },
  {
    name: "--once without --input while Docker does not answer",
    message: /cannot reach the Docker engine at \$DOCKER_HOST \(unix:\/\/\/nonexistent\/docker\.sock\) \(ENOENT\), which the monitor reads the proxies' logs from: start Docker, or pass --input FILE/,
    arrange: (w) => ({ args: ["run", "--stack", w.stack, "--state-dir", w.state, "--audit-key-file", w.key, "--once"], env: { DOCKER_HOST: BOGUS_DOCKER } }),
  },
  {
    name: "--input that enforces bans while Docker does not answer",
    message: /cannot reach the Docker engine .* which enforcing bans needs: start Docker, or pass --no-enforce \(or --dry-run\)/,
    arrange: (w) => ({ args: ["run", "--stack", w.stack, "--state-dir", w.state, "--audit-key-file", w.key, "--input", w.input, "--once"], env: { DOCKER_HOST: BOGUS_DOCKER } }),
  },
  {
    name: "a file where the state directory should be",
    message: /--state-dir .*: .* is not a directory; pass another --state-dir/,
    arrange: (w) => ({ args: ["run", "--stack", w.stack, "--state-dir", join(w.input, "state"), "--audit-key-file", w.key, "--input", w.input, "--once", "--no-enforce"] }),
  },
];

describe("every bad input: exit 2, one line naming it and the fix, no stack trace, the state directory never created", { concurrency: 6, timeout: 300_000 }, () => {
  for (const c of [...KEY_CASES, ...CONFIG_CASES, ...INPUT_CASES]) {
    it(c.name, async (t) => {
      const w = work(t);
      const { args, env } = c.arrange(w);
      const result = await cli(args, { env });
      assertRefused(result, c.message);
      assert.equal(existsSync(w.state), false, "nothing created");
      assert.equal(existsSync(join(REPO_ROOT, ".platform-monitor", w.stack)), false);
    });
  }
});

describe("bad state in an existing state directory: refused before anything is touched", { concurrency: 6, timeout: 300_000 }, () => {
  const populated = (w: ReturnType<typeof work>, files: Record<string, string>) => {
    mkdirSync(w.state);
    for (const [name, content] of Object.entries(files)) writeFileSync(join(w.state, name), content);
  };
  const cases: { name: string; message: RegExp; arrange: (w: ReturnType<typeof work>) => string[] }[] = [
    {
      name: "a tampered audit log (a record deleted)",
      message: /refusing to append to .*audit\.jsonl: it fails verification \(1 problem, first: deleted: record seq 2 was deleted.*\)\. Keep it as evidence: move .* aside and restart to begin a new log; monitor verify .* lists every finding/,
      arrange: (w) => {
        mkdirSync(w.state);
        const file = join(w.state, "audit.jsonl");
        const writer = AuditWriter.open(file, AuditKey.fromText(KEY_HEX, "test"));
        for (let i = 0; i < 4; i++) writer.append("event", { i });
        writer.close();
        const lines = readFileSync(file, "utf8").split("\n");
        lines.splice(2, 1);
        writeFileSync(file, lines.join("\n"));
        return [...w.replay, "--audit-key-file", w.key];
      },
    },
    {
      name: "an audit log whose tail and checkpoint file were deleted",
      message: /refusing to append .*first: checkpoint: the checkpoint file .*audit\.jsonl\.checkpoint is missing/,
      arrange: (w) => {
        mkdirSync(w.state);
        const file = join(w.state, "audit.jsonl");
        const writer = AuditWriter.open(file, AuditKey.fromText(KEY_HEX, "test"));
        writer.appendDurable("ban", { app: "alpha" });
        writer.close();
        rmSync(`${file}.checkpoint`);
        writeFileSync(file, readFileSync(file, "utf8").split("\n").slice(0, 2).map((l) => `${l}\n`).join(""));
        return [...w.replay, "--audit-key-file", w.key];
      },
    },
    {
      name: "an audit log written with another key",
      message: /was written with a different key .*: pass the key this log was written with/,
      arrange: (w) => {
        mkdirSync(w.state);
        AuditWriter.open(join(w.state, "audit.jsonl"), AuditKey.fromText("cd".repeat(32), "test")).close();
        return [...w.replay, "--audit-key-file", w.key];
      },
    },
    {
      name: "bans.json of another stack",
      message: /ban state .*bans\.json belongs to stack "someone-else", not "in[0-9a-f]+": use that stack's state directory/,
      arrange: (w) => {
        populated(w, { "bans.json": JSON.stringify({ version: 1, stack: "someone-else", bans: [] }) });
        return [...w.replay, "--audit-key-file", w.key];
      },
    },
    {
      name: "a bans.json that is not JSON",
      message: /ban state .*bans\.json is not valid JSON .*: fix or remove it/,
      arrange: (w) => {
        populated(w, { "bans.json": "{" });
        return [...w.replay, "--audit-key-file", w.key];
      },
    },
    {
      name: "log cursors that are not an object of timestamps",
      message: /log cursors .*log-cursors\.json are not an object of container id → timestamp: remove the file/,
      arrange: (w) => {
        populated(w, { "log-cursors.json": "[1,2]" });
        return ["run", "--stack", w.stack, "--state-dir", w.state, "--audit-key-file", w.key, "--once", "--no-enforce"];
      },
    },
    {
      name: "unban of an app that is not banned, with no monitor running",
      message: /app "ghost" is not banned in .*bans\.json \(banned apps: alpha\): check the APP name and --stack\/--state-dir/,
      arrange: (w) => {
        const ban = { app: "alpha", bannedAt: "2026-11-23T12:00:00.000Z", auditSeq: 3, evidence: { rule: "authFailures", description: "x", count: 21, threshold: 20, windowSeconds: 10, firstTime: "", lastTime: "", samples: [] } };
        populated(w, { "bans.json": JSON.stringify({ version: 1, stack: w.stack, bans: [ban] }) });
        return ["unban", "ghost", "--stack", w.stack, "--state-dir", w.state, "--audit-key-file", w.key];
      },
    },
    {
      name: "another monitor holding the lock",
      message: /another monitor \(pid \d+\) runs with the state directory .*: stop it first, or pass another --state-dir/,
      arrange: (w) => {
        // this test process is alive: its pid holds the lock
        populated(w, { "monitor.lock": `${process.pid}\n` });
        return [...w.replay, "--audit-key-file", w.key];
      },
    },
  ];
  for (const c of cases) {
    it(c.name, async (t) => {
      const w = work(t);
      const args = c.arrange(w);
      const before = snapshot(w.state);
      const result = await cli(args);
      assertRefused(result, c.message);
      assert.deepEqual(snapshot(w.state), before, "the state directory is exactly as it was");
    });
  }
});

describe("command-line mistakes: exit 2, the problem on the first line, then the usage", { concurrency: 6, timeout: 300_000 }, () => {
  const cases: { name: string; args: (w: ReturnType<typeof work>) => string[]; first: RegExp }[] = [
    { name: "a stack name that would leave the state directory", args: (w) => ["run", "--stack", "../../etc", "--audit-key-file", w.key, "--input", w.input, "--once", "--no-enforce"], first: /^monitor: --stack must be a stack name of letters, digits, _ \. and - .*, not "\.\.\/\.\.\/etc"$/ },
    { name: "no stack", args: (w) => ["run", "--audit-key-file", w.key], first: /^monitor: run needs --stack NAME$/ },
    { name: "verify's options given to run", args: (w) => [...w.replay, "--audit-key-file", w.key, "--expect-at-least", "5"], first: /^monitor: --expect-at-least does not apply to run$/ },
    { name: "run's options given to verify", args: (w) => ["verify", join(w.state, "audit.jsonl"), "--once"], first: /^monitor: --once does not apply to verify$/ },
    { name: "a second FILE to verify", args: (w) => ["verify", "a", "b"], first: /^monitor: verify takes exactly one FILE$/ },
  ];
  for (const c of cases) {
    it(c.name, async (t) => {
      const w = work(t);
      const result = await cli(c.args(w));
      assert.equal(result.status, 2, result.stderr);
      assert.match(result.stderr.split("\n")[0], c.first);
      assert.match(result.stderr, /\n\nusage: npm run monitor/);
      assert.doesNotMatch(result.stderr, /\n\s+at /);
      assert.equal(existsSync(w.state), false);
    });
  }
});

describe("--once reads what is there and stops", { concurrency: 4, timeout: 300_000 }, () => {
  it("--help says what --once does", async () => {
    const result = await cli(["--help"]);
    assert.equal(result.status, 0);
    assert.match(result.stdout, /--once {11}read what is there, then stop: with --input, to its end; without, what the running gateway and\n\s+egress containers have logged so far/);
  });

  it("--input FILE --once: reads the file, audits, stops with exit 0, and the log verifies", async (t) => {
    const w = work(t);
    const result = await cli([...w.replay, "--audit-key-file", w.key]);
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(readdirSync(w.state).sort(), ["audit.jsonl", "audit.jsonl.checkpoint", "stats.json"]);
    const stats = JSON.parse(readFileSync(join(w.state, "stats.json"), "utf8"));
    assert.equal(stats.lines.parsed, 2);
    const report = verifyAuditFile(join(w.state, "audit.jsonl"), AuditKey.fromText(KEY_HEX, "test"));
    assert.equal(report.complete, true);
    assert.ok(report.closed, "closed cleanly");
    assert.match(result.stderr, /created a new audit log .* \(log id [0-9a-f]{24}\)/);
    assert.match(result.stderr, /audit head: \{"format":"platform-audit-log",/, "the head is printed: an anchor outside the state directory");
  });

  it("--input - --once: reads a pipe to its end", async (t) => {
    const w = work(t);
    const result = await cli(["run", "--stack", w.stack, "--state-dir", w.state, "--input", "-", "--once", "--no-enforce"], { env: { PLATFORM_MONITOR_AUDIT_KEY: KEY_HEX }, stdin: `${gatewayLine(1)}\nnot json\n${gatewayLine(2)}` });
    assert.equal(result.status, 0, result.stderr);
    assert.deepEqual(JSON.parse(readFileSync(join(w.state, "stats.json"), "utf8")).lines, { total: 3, parsed: 2, malformed: 1, malformedByOrigin: { "file:-": 1 } });
  });

  it("--input FILE without --once keeps running after the end of the input, says so, and stops on SIGTERM", async (t) => {
    const w = work(t);
    const child = spawn(process.execPath, ["--import", "tsx", CLI, "run", "--stack", w.stack, "--state-dir", w.state, "--input", w.input, "--no-enforce", "--audit-key-file", w.key], { cwd: REPO_ROOT, stdio: ["ignore", "ignore", "pipe"] });
    t.after(() => child.kill("SIGKILL"));
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const deadline = Date.now() + 30_000;
    while (!stderr.includes("still running") && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.match(stderr, /end of .*access\.log: still running \(re-applying bans, answering unban requests\) until SIGINT\/SIGTERM; --once stops at the end of the input/);
    assert.equal(child.exitCode, null, "still running");
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    assert.equal(await exited, 0);
  });

  it("a plain-text key in the stack file is used, with a warning to make it a secret", async (t) => {
    const w = work(t);
    const stackFile = join(w.dir, "plain.yaml");
    writeFileSync(stackFile, stringify({ config: { "platform:monitor": { audit: { keySource: "config", key: KEY_HEX } } } }));
    const result = await cli([...w.replay, "--config", stackFile]);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /warn: the audit key is plain text in .*plain\.yaml: whoever reads that file can forge audit records; make it a secret/);
    assert.equal(verifyAuditFile(join(w.state, "audit.jsonl"), AuditKey.fromText(KEY_HEX, "test")).ok, true);
  });

  it("without --input: reads what the gateway container has logged so far, stops by itself, and a second run reads nothing twice", { timeout: 120_000 }, async (t) => {
    const docker = new Docker();
    const unavailable = await dockerUnavailable(docker, ["platform/busybox:dev"]);
    if (unavailable) return t.skip(unavailable);
    const w = work(t);
    // a stack with no proxy container: nothing to read, said so, and it stops at once
    const empty = await cli(["run", "--stack", `${w.stack}x`, "--state-dir", join(w.dir, "empty"), "--audit-key-file", w.key, "--once", "--no-enforce"], { timeoutMs: 60_000 });
    assert.equal(empty.status, 0, empty.stderr);
    assert.match(empty.stderr, /no running gateway or egress container of stack in[0-9a-f]+x: nothing to read/);
    const lines = 12;
    const container = await docker.createContainer({
      name: `${w.stack}-gateway`,
      Image: "platform/busybox:dev",
      // prints its log lines, then stays up (a running proxy whose log has no end)
      Cmd: ["sh", "-c", `${Array.from({ length: lines }, (_, i) => `echo '${gatewayLine(i + 1)}'`).join("; ")}; sleep 300`],
      Labels: { [PLATFORM_LABEL.role]: "gateway", [PLATFORM_LABEL.stack]: w.stack },
      HostConfig: { NetworkMode: "none", Memory: 32 * 1024 * 1024 },
    });
    t.after(() => container.remove({ force: true }).catch(() => undefined));
    await container.start();
    const deadline = Date.now() + 20_000;
    while ((await container.logs({ stdout: true, follow: false })).toString().split("\n").length <= lines && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));

    const once = ["run", "--stack", w.stack, "--state-dir", w.state, "--audit-key-file", w.key, "--once", "--no-enforce"];
    const first = await cli(once, { timeoutMs: 60_000 });
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stderr, /reading what Docker has logged so far, then stopping/);
    assert.doesNotMatch(first.stderr, /nothing to read/);
    assert.match(first.stderr, new RegExp(`reading gateway:${w.stack}-gateway`));
    const events = () => readFileSync(join(w.state, "audit.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l)).filter((r) => r.type === "event");
    assert.equal(events().length, lines, "every 401 line became an event");
    assert.ok(JSON.parse(readFileSync(join(w.state, "log-cursors.json"), "utf8"))[container.id], "the cursor was saved");

    const second = await cli(once, { timeoutMs: 60_000 });
    assert.equal(second.status, 0, second.stderr);
    assert.equal(events().length, lines, "nothing read twice");
    assert.equal(verifyAuditFile(join(w.state, "audit.jsonl"), AuditKey.fromText(KEY_HEX, "test")).complete, true);
  });
});

test("--input - on a terminal is refused: nothing would ever arrive", async (t) => {
  const w = work(t);
  await assert.rejects(
    checkRun({ stack: w.stack, stateDir: w.state, auditKeyFile: w.key, input: "-", once: true, dryRun: false, noEnforce: true, log: () => undefined, stdinIsTTY: true }),
    /--input -: stdin is a terminal, so nothing would ever arrive; pipe the log lines in/,
  );
  assert.equal(existsSync(w.state), false);
});

test("keys: the first source given wins (option, key file variable, key variable, stack file); a secret in the stack file is not mistaken for the key", (t) => {
  const w = work(t);
  const other = join(w.dir, "other.key");
  writeFileSync(other, "ef".repeat(32));
  const idOf = (hex: string) => AuditKey.fromText(hex, "test").id;
  const env = { PLATFORM_MONITOR_AUDIT_KEY_FILE: other, PLATFORM_MONITOR_AUDIT_KEY: "12".repeat(32) };
  const plain = { source: "Pulumi.x.yaml", plain: "34".repeat(32), encrypted: false };
  assert.equal(resolveAuditKey(w.key, env, plain).key.id, idOf(KEY_HEX));
  assert.equal(resolveAuditKey(undefined, env, plain).key.id, idOf("ef".repeat(32)));
  assert.equal(resolveAuditKey(undefined, { PLATFORM_MONITOR_AUDIT_KEY: "12".repeat(32) }, plain).key.id, idOf("12".repeat(32)));
  const fromStack = resolveAuditKey(undefined, {}, plain);
  assert.equal(fromStack.key.id, idOf("34".repeat(32)));
  assert.match(fromStack.warning!, /plain text in Pulumi\.x\.yaml/);

  const stackFile = join(w.dir, "secret.yaml");
  writeFileSync(stackFile, stringify({ config: { "platform:monitor": { dryRun: true, audit: { keySource: "config", key: { secure: "v1:abc" } } } } }));
  const loaded = loadMonitorConfig("x", stackFile, {});
  assert.equal(loaded.config.dryRun, true);
  assert.equal(loaded.config.audit.key, undefined, "the placeholder used for validation is not kept");
  assert.deepEqual(loaded.stackKey, { source: stackFile, encrypted: true });
  writeFileSync(stackFile, stringify({ config: { "platform:monitor": JSON.stringify({ statsWindowSeconds: 30 }) } }));
  assert.equal(loadMonitorConfig("x", stackFile, {}).config.statsWindowSeconds, 30);
  writeFileSync(stackFile, stringify({ config: { "platform:monitor": "{not json" } }));
  assert.throws(() => loadMonitorConfig("x", stackFile, {}), /platform:monitor in .*secret\.yaml is a string that is not JSON .*: write it as a YAML mapping/);
});
