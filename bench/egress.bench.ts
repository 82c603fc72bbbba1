// Egress proxy overhead: requests per second and p50/p99 latency through the real Squid (with a
// rendered squid.conf, JSON access log on) versus direct to the same local origin, on loopback.
// Bounded: every phase stops at its request count or its time limit, whichever comes first.
// Run: npx tsx bench/egress.bench.ts   (needs root and Debian's squid, like test/squid-e2e.test.ts)
import * as http from "node:http";
import * as net from "node:net";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { renderSquidConf } from "../render/squid";
import { sampleInput } from "../test/support/squid-fixtures";
import { httpsGetOverTunnel, proxyConnect } from "../test/support/squid-client";
import { addTestAddress, freePort, realSquidUnavailable, removeDir, selfSignedCertificate, squidWorkDir, startOrigin, startSquid } from "../test/support/squid-harness";

const CLIENT = "127.0.10.2";
const HOST = `bench-${process.pid}.egress.example`;
const PHASE_LIMIT_MS = 4_000;
const GOAL_LATENCY_RATIO = 1.5;

interface PhaseResult {
  label: string;
  requests: number;
  seconds: number;
  latenciesMs: number[];
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** Runs `once` with `concurrency` workers until `count` requests are done or the time limit passes. */
async function phase(label: string, count: number, concurrency: number, once: () => Promise<void>): Promise<PhaseResult> {
  const latencies: number[] = [];
  const started = performance.now();
  let issued = 0;
  const worker = async () => {
    while (issued < count && performance.now() - started < PHASE_LIMIT_MS) {
      issued++;
      const t0 = performance.now();
      await once();
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { label, requests: latencies.length, seconds: (performance.now() - started) / 1000, latenciesMs: latencies.sort((a, b) => a - b) };
}

function get(options: http.RequestOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request({ ...options, timeout: 5_000 }, (res) => {
      if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
      res.resume();
      res.once("end", () => resolve());
    });
    req.once("timeout", () => req.destroy(new Error("timeout")));
    req.once("error", reject);
    req.end();
  });
}

function directHttpsGet(address: string, ca: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: address, port: 443, localAddress: CLIENT }, () => {
      httpsGetOverTunnel(socket, HOST, ca, "/tls").then((res) => (res.status === 200 ? resolve() : reject(new Error(`status ${res.status}`))), reject);
    });
    socket.once("error", reject);
  });
}

async function proxiedHttpsGet(proxyPort: number, ca: string): Promise<void> {
  const tunnel = await proxyConnect(proxyPort, `${HOST}:443`, CLIENT);
  if (tunnel.status !== 200) throw new Error(`CONNECT status ${tunnel.status}`);
  const res = await httpsGetOverTunnel(tunnel.socket!, HOST, ca, "/tls");
  if (res.status !== 200) throw new Error(`status ${res.status}`);
}

function line(r: PhaseResult): string {
  const rps = r.requests / r.seconds;
  return `${r.label.padEnd(42)} ${String(r.requests).padStart(6)} req  ${rps.toFixed(0).padStart(6)} req/s  p50 ${percentile(r.latenciesMs, 50).toFixed(2).padStart(6)} ms  p99 ${percentile(r.latenciesMs, 99).toFixed(2).padStart(6)} ms`;
}

function compare(direct: PhaseResult, proxied: PhaseResult): string {
  const p50 = percentile(proxied.latenciesMs, 50) / percentile(direct.latenciesMs, 50);
  const p99 = percentile(proxied.latenciesMs, 99) / percentile(direct.latenciesMs, 99);
  const rps = proxied.requests / proxied.seconds / (direct.requests / direct.seconds);
  const verdict = p50 <= GOAL_LATENCY_RATIO ? "meets" : "misses";
  return `  → via Squid: p50 ×${p50.toFixed(2)}, p99 ×${p99.toFixed(2)}, throughput ×${rps.toFixed(2)} (${verdict} the ≤ ${GOAL_LATENCY_RATIO}× p50 latency goal)`;
}

async function main(): Promise<void> {
  const unavailable = realSquidUnavailable();
  if (unavailable) {
    console.log(`egress bench skipped: ${unavailable}`);
    return;
  }
  const dir = squidWorkDir("squid-bench-");
  const added = addTestAddress();
  let stopSquid: (() => Promise<void>) | undefined;
  let closeOrigin: (() => Promise<void>) | undefined;
  try {
    const certificate = selfSignedCertificate(dir, [HOST]);
    const origin = await startOrigin(added.address, certificate, await freePort());
    closeOrigin = () => origin.close();
    const hostsFile = join(dir, "hosts");
    writeFileSync(hostsFile, `${added.address} ${HOST}\n`);
    const proxyPort = await freePort();
    const conf = renderSquidConf(
      sampleInput({
        apps: [{ name: "bench", subnet: "127.0.10.0/28", egress: [HOST] }],
        baseCidr: "127.0.0.0/8",
        listen: { address: "127.0.0.1", port: proxyPort },
        runtime: { pidFile: join(dir, "squid.pid"), hostsFile, dnsNameservers: ["127.0.0.1"], shutdownLifetimeSeconds: 0, visibleHostname: "egress" },
      }),
    );
    const squid = await startSquid(dir, conf, proxyPort);
    stopSquid = () => squid.stop();

    const directAgent = new http.Agent({ keepAlive: true, maxSockets: 8, localAddress: CLIENT });
    const proxyAgent = new http.Agent({ keepAlive: true, maxSockets: 8, localAddress: CLIENT });
    const direct = (path = "/bench") => () => get({ host: added.address, port: 80, path, headers: { host: HOST }, agent: directAgent });
    const proxied = (path = "/bench") => () => get({ host: "127.0.0.1", port: proxyPort, path: `http://${HOST}${path}`, headers: { host: HOST }, agent: proxyAgent });
    // warm up both paths (connection setup, Squid's first DNS lookup from the hosts file)
    await phase("warm-up", 200, 4, direct());
    await phase("warm-up", 200, 4, proxied());

    const results: string[] = [];
    // direct and proxied alternate in rounds, so load from elsewhere on the machine hits both alike
    const ROUNDS = 4;
    const merge = (label: string, parts: PhaseResult[]): PhaseResult => ({
      label,
      requests: parts.reduce((n, r) => n + r.requests, 0),
      seconds: parts.reduce((n, r) => n + r.seconds, 0),
      latenciesMs: parts.flatMap((r) => r.latenciesMs).sort((x, y) => x - y),
    });
    const pair = async (title: string, count: number, concurrency: number, a: () => Promise<void>, b: () => Promise<void>) => {
      const directParts: PhaseResult[] = [];
      const proxiedParts: PhaseResult[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        directParts.push(await phase(title, count / ROUNDS, concurrency, a));
        proxiedParts.push(await phase(title, count / ROUNDS, concurrency, b));
      }
      const d = merge(`direct  ${title}`, directParts);
      const p = merge(`squid   ${title}`, proxiedParts);
      results.push(line(d), line(p), compare(d, p));
    };
    await pair("HTTP keep-alive, 1 client", 2000, 1, direct(), proxied());
    await pair("HTTP keep-alive, 8 clients", 4000, 8, direct(), proxied());
    // a loopback origin answers in ~0.1 ms; real hosts take milliseconds, which the proxy's fixed cost rides on
    await pair("HTTP, 1 client, origin takes 5 ms", 300, 1, direct("/delay-5/bench"), proxied("/delay-5/bench"));
    await pair("HTTPS new conn/tunnel, 1 client", 300, 1, () => directHttpsGet(added.address, certificate.cert), () => proxiedHttpsGet(proxyPort, certificate.cert));
    directAgent.destroy();
    proxyAgent.destroy();

    const logged = squid.logLines().filter((l) => l.client === CLIENT).length;
    console.log("Egress proxy benchmark (loopback, Squid 5.7 with the rendered squid.conf, JSON access log on)");
    console.log(results.join("\n"));
    console.log(`  access-log lines written for the proxied requests: ${logged}`);
  } finally {
    await stopSquid?.();
    await closeOrigin?.();
    added.remove();
    removeDir(dir);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
