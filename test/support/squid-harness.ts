// Runs the real Squid on loopback for the end-to-end test and the benchmark: a test-owned address on
// `lo` as the "internet" origin, a hosts file Squid resolves from, and Squid itself started as the
// unprivileged `proxy` user exactly as in its container (no privilege drop, no root at runtime).
import { ChildProcess, execFileSync, spawn } from "node:child_process";
import { chownSync, closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as net from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { SQUID_BINARY, squidUnavailable } from "./squid-fixtures";

/** Why the real-Squid tests cannot run here, or undefined. */
export function realSquidUnavailable(): string | undefined {
  if (userInfo().uid !== 0) return "needs root: it adds a test address to lo and starts Squid as the proxy user";
  const missing = squidUnavailable();
  if (missing) return missing;
  try {
    execFileSync("id", ["-u", "proxy"], { stdio: "ignore" });
  } catch {
    return "the proxy user (from Debian's squid package) does not exist";
  }
  return undefined;
}

export function proxyUser(): { uid: number; gid: number } {
  return { uid: Number(execFileSync("id", ["-u", "proxy"]).toString()), gid: Number(execFileSync("id", ["-g", "proxy"]).toString()) };
}

/** A free TCP port on 127.0.0.1 (closed again before it is returned). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Adds an unused address from 203.0.113.0/24 (TEST-NET-3, never routed) to `lo`; `remove` deletes
 * exactly that address. It stands in for a public internet host.
 */
export function addTestAddress(): { address: string; remove: () => void } {
  const used = execFileSync("ip", ["-4", "addr", "show", "dev", "lo"]).toString();
  const start = 10 + (process.pid % 200);
  for (let i = 0; i < 240; i++) {
    const address = `203.0.113.${10 + ((start - 10 + i) % 240)}`;
    if (used.includes(` ${address}/`)) continue;
    execFileSync("ip", ["addr", "add", `${address}/32`, "dev", "lo"]);
    return { address, remove: () => execFileSync("ip", ["addr", "del", `${address}/32`, "dev", "lo"]) };
  }
  throw new Error("no free address left in 203.0.113.10-249 on lo");
}

/** A self-signed server certificate for `names` (openssl CLI), PEM strings. */
export function selfSignedCertificate(dir: string, names: string[]): { key: string; cert: string } {
  const keyFile = join(dir, "origin.key");
  const certFile = join(dir, "origin.crt");
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
    "-subj", `/CN=${names[0]}`, "-addext", `subjectAltName=${names.map((n) => `DNS:${n}`).join(",")}`,
    "-keyout", keyFile, "-out", certFile,
  ], { stdio: "ignore" });
  return { key: readFileSync(keyFile, "utf8"), cert: readFileSync(certFile, "utf8") };
}

export interface Origin {
  http: http.Server;
  https: https.Server;
  /** accepts TCP on a non-standard port, so a denial there is the proxy's doing */
  other: net.Server;
  close(): Promise<void>;
}

const listen = (server: net.Server, port: number, address: string) =>
  new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, address, () => resolve());
  });

/** HTTP on :80, HTTPS on :443 and a raw TCP listener on :otherPort, all on `address`; `/delay-<ms>/` paths answer late. */
export async function startOrigin(address: string, tls: { key: string; cert: string }, otherPort: number): Promise<Origin> {
  const reply = (scheme: string) => (req: http.IncomingMessage, res: http.ServerResponse) => {
    const body = `origin-${scheme} ${req.headers.host ?? ""} ${req.url}`;
    // `/delay-<ms>/...` stands in for a remote host's response time (at most 1 s)
    const delay = Math.min(1000, Number(/^\/delay-(\d+)\//.exec(req.url ?? "")?.[1] ?? 0));
    setTimeout(() => {
      res.writeHead(200, { "content-type": "text/plain", "content-length": Buffer.byteLength(body) });
      res.end(body);
    }, delay);
  };
  const plain = http.createServer(reply("http"));
  const secure = https.createServer({ key: tls.key, cert: tls.cert }, reply("https"));
  const other = net.createServer((socket) => socket.end("other\n"));
  await listen(plain, 80, address);
  await listen(secure, 443, address);
  await listen(other, otherPort, address);
  const close = (server: net.Server) => new Promise<void>((resolve) => server.close(() => resolve()));
  return {
    http: plain,
    https: secure,
    other,
    async close() {
      plain.closeAllConnections();
      secure.closeAllConnections();
      await Promise.all([close(plain), close(secure), close(other)]);
    },
  };
}

export interface RunningSquid {
  process: ChildProcess;
  dir: string;
  accessLog: string;
  cacheLog: string;
  /** parsed JSON access-log lines so far */
  logLines(): Record<string, unknown>[];
  rawLog(): string;
  stop(): Promise<void>;
}

/** A temp dir the proxy user owns, for the config, hosts file, pid file and logs. */
export function squidWorkDir(prefix = "squid-e2e-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const { uid, gid } = proxyUser();
  chownSync(dir, uid, gid);
  return dir;
}

/**
 * Starts `squid -N` as the proxy user with stdout/stderr on files it owns (its config sends the
 * access log to stdio:/dev/stdout, as in the container) and waits until it accepts connections.
 */
export async function startSquid(dir: string, conf: string, listenPort: number, timeoutMs = 15_000): Promise<RunningSquid> {
  const { uid, gid } = proxyUser();
  const confFile = join(dir, "squid.conf");
  writeFileSync(confFile, conf);
  const accessLog = join(dir, "stdout.log");
  const cacheLog = join(dir, "stderr.log");
  const out = openSync(accessLog, "w");
  const err = openSync(cacheLog, "w");
  chownSync(accessLog, uid, gid);
  chownSync(cacheLog, uid, gid);
  const child = spawn(SQUID_BINARY, ["-N", "-f", confFile], { uid, gid, stdio: ["ignore", out, err], cwd: dir });
  closeSync(out);
  closeSync(err);
  let exited: string | undefined;
  child.once("exit", (code, signal) => (exited = `squid exited (${code ?? signal})`));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`${exited}:\n${readFileSync(cacheLog, "utf8").slice(-2000)}`);
    if (await canConnect(listenPort)) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`squid did not listen on 127.0.0.1:${listenPort} within ${timeoutMs} ms:\n${readFileSync(cacheLog, "utf8").slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const rawLog = () => readFileSync(accessLog, "utf8");
  return {
    process: child,
    dir,
    accessLog,
    cacheLog,
    rawLog,
    logLines: () =>
      rawLog()
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await gone;
      clearTimeout(timer);
    },
  };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: "127.0.0.1" });
    socket.setTimeout(500);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
