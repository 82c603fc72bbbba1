// The vendor images the admission tests run (test/support/vendor-images.ts), checked on their own, without
// the admission command: the Go image is one static file without a shell and misbehaves as its MODE says
// under the limits the platform sets (memory, pids, read-only root, no capabilities, no way out), and
// calls what the platform gives it (played here by a fake gateway and proxy on the test's own network); the
// hidden-package image holds a package its SBOM leaves out, and the databases reject or admit as meant.
import assert from "node:assert/strict";
import { execFile, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { Cvss3P1 } from "ae-cvss-calculator";
import { parse } from "yaml";
import { parseAppManifest } from "../config/load";
import { caSignedCertificate, generateKey, selfSignedCertificate } from "../mock-runner/key-material";
import { TLS_DIR, TLS_FILES } from "../render/hardening";
import { OAUTH_CLIENT_SECRET_FILE } from "../render/workloads";
import { runDeps } from "./support/deps-fixtures";
import {
  BUSYBOX_SBOM_FILE,
  buildBusyboxVendorImage,
  buildGoVendorImage,
  buildHiddenPackageImage,
  busyboxAppManifest,
  GO_APP_UID,
  goAppManifest,
  goBinary,
  goVersion,
  HIDDEN_ADVISORY_ID,
  HiddenPackage,
  hiddenPackageManifest,
  parseDpkgStatus,
  readImageFile,
  vendorImagesUnavailable,
  writeGoSbom,
  writeManifest,
  writeVulnDb,
} from "./support/vendor-images";

const run = promisify(execFile);
const skip = vendorImagesUnavailable();

const RUN_LABEL = `platform.test.vendor-images=${process.pid}`;
const NETWORK = `vendor-images-test-${process.pid}`;
/** what the platform's hardened containers get (render/hardening.ts), for an app of 64 MiB and 32 processes */
const HARDENED = ["--memory", "64m", "--memory-swap", "64m", "--pids-limit", "32", "--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges"];
/** TEST-NET-1 (RFC 5737): never routed; the internal network has no way out in any case */
const UNROUTED = "192.0.2.1:80";

async function docker(...args: string[]): Promise<string> {
  const { stdout } = await run("docker", args, { maxBuffer: 64 << 20, timeout: 60_000 });
  return stdout.trim();
}

/** A container of ours on the internal network, started and left running. */
function startApp(name: string, image: string, env: Record<string, string>, extra: string[] = []): Promise<string> {
  const envArgs = Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`]);
  return docker("run", "-d", "--name", `${NETWORK}-${name}`, "--label", RUN_LABEL, "--network", NETWORK, ...HARDENED, ...extra, ...envArgs, image);
}

async function inspect(id: string): Promise<{ State: { Running: boolean; OOMKilled: boolean; ExitCode: number; Pid: number } }> {
  return JSON.parse(await docker("inspect", "--format", "{{json .}}", id));
}

async function logs(id: string): Promise<string> {
  const { stdout, stderr } = await run("docker", ["logs", id], { maxBuffer: 16 << 20 });
  return stdout + stderr;
}

/** Polls until check gives a value (bounded in time), or fails naming what it waited for. */
async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs / 1000} s for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The real and effective UID of a container's main process, read from the host's /proc. */
async function mainProcessUid(id: string): Promise<string> {
  const status = readFileSync(`/proc/${(await inspect(id)).State.Pid}/status`, "utf8");
  return /^Uid:\s+(\d+)\s+(\d+)/m.exec(status)!.slice(1, 3).join(" ");
}

/** What `docker export` of a container adds to any image (its mount points and runtime files). */
const DOCKER_RUNTIME_ENTRY = /^(\.dockerenv|dev(\/.*)?|proc|sys|etc|etc\/(hostname|hosts|resolv\.conf|mtab))\/?$/;

/** One request the fake platform saw, with the address of the container that made it. */
interface Seen {
  from: string;
  method: string;
  url: string;
  authorization?: string;
  clientCertificate?: string;
  form?: Record<string, string>;
  status: number;
}

/**
 * What the platform gives an app, played by two servers on the host's address in the test's own internal
 * network: a "gateway" (HTTPS, requires a client certificate from the test CA) that answers POST /token
 * with a token and GETs with 200 for that token and 401 otherwise, and an "egress proxy" that answers 502
 * for example.com (no internet) and 403 for anything else (not whitelisted), as Squid does. Nothing is forwarded.
 */
async function fakePlatform(hostIp: string, dir: string, tokenLifetime: (clientId: string) => number) {
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  const caKey = generateKey("ECDSA", "P256").privateKeyPem;
  const ca = selfSignedCertificate({ privateKeyPem: caKey, subject: { commonName: "vendor-images test CA" } }, { validityPeriodHours: 24, allowedUses: ["cert_signing", "digital_signature"], isCaCertificate: true });
  const issue = (commonName: string, use: string, ipAddresses: string[] = []) => {
    const key = generateKey("ECDSA", "P256").privateKeyPem;
    return { key, cert: caSignedCertificate({ privateKeyPem: key, subject: { commonName }, ipAddresses }, { validityPeriodHours: 24, allowedUses: ["digital_signature", use] }, { certPem: ca, privateKeyPem: caKey }) };
  };
  const server = issue("gateway", "server_auth", [hostIp]);
  const client = issue("vendor-go-app", "client_auth");
  const secret = "s3cret-for-the-test";
  for (const [name, content] of [["ca.pem", ca], ["cert.pem", client.cert], ["key.pem", client.key], ["oauth-client-secret", secret]]) {
    writeFileSync(join(dir, name), content, { mode: 0o644 });
  }
  const seen: Seen[] = [];
  let issued = 0;
  const tokens = new Set<string>();

  const gateway = createHttpsServer({ key: server.key, cert: server.cert, ca, requestCert: true, rejectUnauthorized: true }, (request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      const record: Seen = {
        from: request.socket.remoteAddress ?? "",
        method: request.method ?? "",
        url: request.url ?? "",
        authorization: request.headers.authorization,
        clientCertificate: (request.socket as TLSSocket).getPeerCertificate().subject?.CN,
        status: 0,
      };
      if (request.method === "POST" && request.url === "/token") {
        record.form = Object.fromEntries(new URLSearchParams(body));
        const valid = record.form.grant_type === "client_credentials" && record.form.client_secret === secret;
        const token = `token-${++issued}`;
        if (valid) tokens.add(token);
        record.status = valid ? 200 : 401;
        response.writeHead(record.status, { "content-type": "application/json" });
        response.end(valid ? JSON.stringify({ access_token: token, expires_in: tokenLifetime(record.form.client_id), token_type: "Bearer" }) : "{}");
      } else {
        const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1];
        record.status = token && tokens.has(token) ? 200 : 401;
        response.writeHead(record.status, { "content-type": "application/json" });
        response.end(record.status === 200 ? '{"forecast":"sunny"}' : '{"error":"unauthorized"}');
      }
      seen.push(record);
    });
  });
  const proxy = createHttpServer((request, response) => {
    const status = new URL(request.url ?? "/", "http://invalid/").hostname === "example.com" ? 502 : 403;
    seen.push({ from: request.socket.remoteAddress ?? "", method: request.method ?? "", url: request.url ?? "", status });
    request.resume();
    response.writeHead(status, { "content-type": "text/plain" });
    response.end(status === 502 ? "no internet here" : "not on your whitelist");
  });
  const listen = (s: Server) => new Promise<number>((resolve, reject) => s.once("error", reject).listen(0, hostIp, () => resolve((s.address() as AddressInfo).port)));
  const [gatewayPort, proxyPort] = [await listen(gateway), await listen(proxy)];
  const gatewayUrl = `https://${hostIp}:${gatewayPort}`;
  return {
    seen,
    /** the env and mount the platform gives an app (render/workloads.ts appPlatformEnv), pointing here */
    appArgs(clientId: string): string[] {
      const env = {
        PLATFORM_APP: clientId,
        PLATFORM_GATEWAY_URL: gatewayUrl,
        PLATFORM_CA_FILE: TLS_FILES.ca,
        PLATFORM_CERT_FILE: TLS_FILES.cert,
        PLATFORM_KEY_FILE: TLS_FILES.key,
        PLATFORM_OAUTH_CLIENT_ID: clientId,
        PLATFORM_OAUTH_CLIENT_SECRET_FILE: OAUTH_CLIENT_SECRET_FILE,
        PLATFORM_OAUTH_TOKEN_URL: `${gatewayUrl}/token`,
        http_proxy: `http://${hostIp}:${proxyPort}`,
        NO_PROXY: hostIp,
      };
      return ["-v", `${dir}:${TLS_DIR}:ro`, ...Object.entries(env).flatMap(([k, v]) => ["-e", `${k}=${v}`])];
    },
    close: () =>
      Promise.all(
        [gateway, proxy].map((s) => {
          s.closeAllConnections();
          return new Promise((resolve) => s.close(resolve));
        }),
      ),
  };
}

describe("vendor images for the admission tests", { skip }, () => {
  const work = mkdtempSync(join(tmpdir(), "vendor-images-"));
  let goImage: string;
  let busyboxImage: string;
  let hidden: { image: string; sbomFile: string; hiddenPackage: HiddenPackage; packages: { name: string; version: string }[] };
  const apps: Record<"balloon" | "forkbomb" | "direct" | "behave" | "renew" | "flood" | "domain", string> = { balloon: "", forkbomb: "", direct: "", behave: "", renew: "", flood: "", domain: "" };
  let platform: Awaited<ReturnType<typeof fakePlatform>> | undefined;
  /** the requests the fake platform saw from one app's container */
  const seenFrom = async (app: string) => {
    const ip = JSON.parse(await docker("inspect", "--format", "{{json .NetworkSettings.Networks}}", app))[NETWORK].IPAddress;
    return platform!.seen.filter((r) => r.from === ip || r.from === `::ffff:${ip}`);
  };

  before(async () => {
    const started = Date.now();
    [goImage, busyboxImage, hidden] = await Promise.all([buildGoVendorImage(), buildBusyboxVendorImage(), buildHiddenPackageImage(join(work, "hidden"))]);
    console.log(`# vendor images ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${goImage}, ${busyboxImage}, ${hidden.image}`);
    await docker("network", "create", "--internal", "--label", RUN_LABEL, NETWORK);
    // side by side: each runs until its limit stops it, while the other tests go on
    apps.balloon = await startApp("balloon", goImage, { MODE: "balloon" });
    apps.forkbomb = await startApp("forkbomb", goImage, { MODE: "forkbomb" });
    apps.direct = await startApp("direct", goImage, { MODE: "direct", DIRECT_ADDRESS: UNROUTED });
    // go-renew's tokens live 32 s, so it renews 2 s after each (30 s before expiry)
    const hostIp = await docker("network", "inspect", "--format", "{{(index .IPAM.Config 0).Gateway}}", NETWORK);
    platform = await fakePlatform(hostIp, join(work, "platform-tls"), (clientId) => (clientId === "go-renew" ? 32 : 300));
    const env = { SERVICE_PATH: "/weather/v1/forecast/", EGRESS_URL: "http://example.com/", INTERVAL: "1" };
    apps.behave = await startApp("behave", goImage, { ...env, MODE: "behave" }, platform.appArgs("go-behave"));
    apps.renew = await startApp("renew", goImage, { ...env, MODE: "behave" }, platform.appArgs("go-renew"));
    apps.flood = await startApp("flood", goImage, { ...env, MODE: "flood" }, platform.appArgs("go-flood"));
    apps.domain = await startApp("domain", goImage, { MODE: "domain", DENIED_URL: "http://not-whitelisted.example/" }, platform.appArgs("go-domain"));
  });

  after(async () => {
    const ids = (await docker("ps", "-aq", "--filter", `label=${RUN_LABEL}`)).split("\n").filter(Boolean);
    if (ids.length) await docker("rm", "-f", ...ids);
    await platform?.close();
    await docker("network", "rm", NETWORK).catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  });

  it("the Go image is one static file, /app, with USER 10001 and no shell", async () => {
    const config = JSON.parse(await docker("image", "inspect", "--format", "{{json .Config}}", goImage));
    assert.equal(config.User, `${GO_APP_UID}:${GO_APP_UID}`);
    assert.deepEqual(config.Cmd, ["/app"]);
    const container = await docker("create", "--label", RUN_LABEL, goImage);
    const archive = join(work, "go-app.tar");
    await docker("export", "-o", archive, container);
    const entries = spawnSync("tar", ["-tf", archive], { encoding: "utf8" }).stdout.split("\n").filter(Boolean);
    assert.deepEqual(entries.filter((entry) => !DOCKER_RUNTIME_ENTRY.test(entry)), ["app"], entries.join(" "));
    // the binary is built with the Go the SBOM names
    spawnSync("tar", ["-xf", archive, "-C", work, "app"]);
    const built = spawnSync(goBinary()!, ["version", join(work, "app")], { encoding: "utf8" });
    const sbom = JSON.parse(readFileSync(writeGoSbom(work), "utf8"));
    assert.match(built.stdout, new RegExp(`: go${goVersion().replace(/\./g, "\\.")}\\b`));
    assert.deepEqual(sbom.components.map((c: { purl: string }) => c.purl), [`pkg:golang/stdlib@${goVersion()}`]);

    const shell = spawnSync("docker", ["run", "--rm", "--label", RUN_LABEL, "--network", "none", "--entrypoint", "/bin/sh", goImage, "-c", "true"], { encoding: "utf8", timeout: 30_000 });
    assert.notEqual(shell.status, 0);
    assert.match(shell.stderr, /\/bin\/sh.*(no such file or directory|not found)/i);
  });

  it("sleep: runs as UID 10001 under the hardened settings, passes /app health, and exits 0 on SIGTERM", async () => {
    const id = await startApp("sleep", goImage, { MODE: "sleep" });
    await waitFor("the sleep container to run", 10_000, async () => ((await inspect(id)).State.Running ? true : undefined));
    assert.equal(await mainProcessUid(id), `${GO_APP_UID} ${GO_APP_UID}`);
    await docker("exec", id, "/app", "health");
    const stopping = Date.now();
    await docker("stop", "-t", "10", id);
    assert.ok(Date.now() - stopping < 8_000, "it stopped on SIGTERM, not when Docker gave up and killed it");
    assert.equal((await inspect(id)).State.ExitCode, 0);
    assert.match(await logs(id), /terminated: stopping/);
  });

  it("behave without the platform's env names the variable that is missing and exits 2", async () => {
    const result = spawnSync("docker", ["run", "--rm", "--label", RUN_LABEL, "--network", NETWORK, ...HARDENED, goImage], { encoding: "utf8", timeout: 30_000 });
    assert.equal(result.status, 2, result.stdout + result.stderr);
    assert.match(result.stdout, /PLATFORM_GATEWAY_URL is not set/);
  });

  it("balloon: grows in 16 MiB steps until the kernel OOM-kills it at 64 MiB", async () => {
    const state = await waitFor("the balloon to be killed", 30_000, async () => {
      const { State } = await inspect(apps.balloon);
      return State.Running ? undefined : State;
    });
    assert.equal(state.OOMKilled, true);
    assert.equal(state.ExitCode, 137);
    const steps = [...(await logs(apps.balloon)).matchAll(/balloon: (\d+) MiB touched/g)].map((m) => Number(m[1]));
    assert.ok(steps.length >= 2 && steps.at(-1)! < 64, steps.join(", "));
  });

  it("forkbomb: meets the pids limit (32), is refused with EAGAIN, and keeps running", async () => {
    const refused = await waitFor("a refused start in the log", 20_000, async () => /forkbomb: start failed after \d+ children: .*resource temporarily unavailable/.exec(await logs(apps.forkbomb))?.[0]);
    assert.ok(refused);
    const pids = await waitFor("32 processes in the container", 20_000, async () => {
      const count = Number(await docker("stats", "--no-stream", "--format", "{{.PIDs}}", apps.forkbomb));
      return count === 32 ? count : undefined;
    });
    assert.equal(pids, 32);
    assert.equal((await inspect(apps.forkbomb)).State.Running, true, "the parent survives the limit");
  });

  it("direct: a TCP connect around the proxy fails on a network with no way out", async () => {
    const attempts = await waitFor("a connect attempt in the log", 20_000, async () => {
      const found = [...(await logs(apps.direct)).matchAll(/direct: connect (\S+): (.*)/g)];
      return found.length ? found : undefined;
    });
    for (const [line, address, outcome] of attempts) {
      assert.equal(address, UNROUTED);
      // Docker drops an internal network's outbound packets (a timeout) or it has no route (unreachable)
      assert.match(outcome, /^dial tcp 192\.0\.2\.1:80: (i\/o timeout|connect: network is unreachable|connect: no route to host)$/, line);
    }
  });

  it("behave: one token (client credentials, with the client certificate), then the service with it, and the egress host through the proxy", async () => {
    const seen = await waitFor("three gateway calls", 20_000, async () => {
      const requests = await seenFrom(apps.behave);
      return requests.filter((r) => r.method === "GET" && !r.url.startsWith("http")).length >= 3 ? requests : undefined;
    });
    const tokenRequests = seen.filter((r) => r.url === "/token");
    assert.equal(tokenRequests.length, 1, "a token lasting 300 s is asked for once");
    assert.deepEqual(tokenRequests[0].form, { grant_type: "client_credentials", client_id: "go-behave", client_secret: "s3cret-for-the-test" });
    const calls = seen.filter((r) => r.method === "GET" && !r.url.startsWith("http"));
    for (const call of [...tokenRequests, ...calls]) assert.equal(call.clientCertificate, "vendor-go-app");
    const token = calls[0].authorization;
    assert.match(token ?? "", /^Bearer token-\d+$/);
    assert.deepEqual(new Set(calls.map((c) => `${c.url} ${c.authorization} ${c.status}`)), new Set([`/weather/v1/forecast/ ${token} 200`]), "every call with the one cached token");
    assert.ok(seen.some((r) => r.url === "http://example.com/" && r.status === 502), "the egress host was asked for through the proxy");
    const lines = (await logs(apps.behave)).trim().split("\n");
    assert.ok(lines.includes("vendor-go-app: token: HTTP 200, expires in 300 s"), lines.join("\n"));
    assert.ok(lines.some((l) => /^vendor-go-app: gateway: GET \/weather\/v1\/forecast\/: HTTP 200, \d+ bytes$/.test(l)), lines.join("\n"));
    assert.ok(lines.some((l) => /^vendor-go-app: egress: GET http:\/\/example\.com\/: HTTP 502, \d+ bytes$/.test(l)), lines.join("\n"));
    for (const line of lines) assert.match(line, /^vendor-go-app: (mode behave started|token: |gateway: |egress: )/);
  });

  it("behave: a token is renewed 30 s before it expires", async () => {
    const renewals = await waitFor("a second token", 20_000, async () => {
      const tokens = (await seenFrom(apps.renew)).filter((r) => r.url === "/token");
      return tokens.length >= 2 ? tokens : undefined;
    });
    assert.ok(renewals.every((r) => r.status === 200 && r.form?.client_id === "go-renew"));
  });

  it("flood: 300 gateway calls without a token, each refused with 401, then quiet", async () => {
    const summary = await waitFor("the flood's summary", 30_000, async () => /flood: (\d+) calls without a token .*: (.*)$/m.exec(await logs(apps.flood)) ?? undefined);
    assert.equal(summary[1], "300");
    assert.equal(summary[2], "Unauthorized 300");
    const seen = await seenFrom(apps.flood);
    assert.equal(seen.length, 300);
    assert.ok(seen.every((r) => r.method === "GET" && r.authorization === undefined && r.status === 401 && r.clientCertificate === "vendor-go-app"));
    assert.equal((await inspect(apps.flood)).State.Running, true);
  });

  it("domain: a host off the whitelist, asked for through the proxy 5 times", async () => {
    const seen = await waitFor("5 proxy requests", 20_000, async () => {
      const requests = await seenFrom(apps.domain);
      return requests.length >= 5 ? requests : undefined;
    });
    assert.deepEqual(seen.map((r) => `${r.method} ${r.url} ${r.status}`), Array(5).fill("GET http://not-whitelisted.example/ 403"));
    const refusals = (await logs(apps.domain)).match(/domain: GET http:\/\/not-whitelisted\.example\/: HTTP 403/g) ?? [];
    assert.equal(refusals.length, 5);
  });

  it("the hidden-package image runs as non-root on a read-only root with no capabilities, and holds the package its SBOM leaves out", async () => {
    const id = await startApp("hidden", hidden.image, {});
    await waitFor("the hidden-package container to run", 10_000, async () => ((await inspect(id)).State.Running ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal((await inspect(id)).State.Running, true, await logs(id));
    assert.equal(await mainProcessUid(id), "10001 10001");

    const { name, version } = hidden.hiddenPackage;
    const installed = parseDpkgStatus(await readImageFile(hidden.image, "/var/lib/dpkg/status"));
    assert.ok(installed.some((p) => p.name === name && p.version === version), `${name} ${version} is in the image's dpkg status`);
    const listed: { name: string; purl: string }[] = JSON.parse(readFileSync(hidden.sbomFile, "utf8")).components;
    assert.equal(listed.find((c) => c.name === name), undefined);
    assert.deepEqual(listed.map((c) => c.name).sort(), installed.map((p) => p.name).filter((n) => n !== name).sort(), "every other package is listed");
  });

  it("the hidden database's advisory: the hidden package's source at its version, fixed after it, severity high", async () => {
    const { source, sourceVersion } = hidden.hiddenPackage;
    const database = writeVulnDb(join(work, "osv-hidden"), { hidden: hidden.hiddenPackage });
    const record = JSON.parse(readFileSync(join(database, "Debian", `${HIDDEN_ADVISORY_ID}.json`), "utf8"));
    assert.deepEqual(record.affected[0].package, { ecosystem: "Debian:12", name: source });
    const fixed = record.affected[0].ranges[0].events.find((e: { fixed?: string }) => e.fixed).fixed;
    // dpkg itself orders the versions (the image's own)
    const below = spawnSync("docker", ["run", "--rm", "--network", "none", "--label", RUN_LABEL, "platform/debian-minbase:bookworm", "dpkg", "--compare-versions", sourceVersion, "lt", fixed]);
    assert.equal(below.status, 0, `${sourceVersion} < ${fixed}`);
    const score = new Cvss3P1(record.severity[0].score).calculateScores().base;
    assert.ok(score !== undefined && score >= 7 && score < 9, `base score ${score} is high`);
  });

  it("deps:check rejects the hidden package with its database, and admits every image with the clean one", () => {
    const clean = writeVulnDb(join(work, "osv-clean"), "clean");
    const vulnerable = writeVulnDb(join(work, "osv-vulnerable"), { hidden: hidden.hiddenPackage });
    const check = (sbom: string, image: string, database: string) => {
      const result = runDeps("check", ["--sbom", sbom, "--image", image, "--vuln-db", database, "--format", "json"]);
      assert.ok(result.status === 0 || result.status === 1, result.stderr);
      return { status: result.status, report: JSON.parse(result.stdout) };
    };

    const rejected = check(hidden.sbomFile, hidden.image, vulnerable);
    assert.equal(rejected.status, 1);
    assert.equal(rejected.report.verdict, "reject");
    assert.deepEqual(
      rejected.report.findings.map((f: { name: string; foundIn: string[]; vulnerabilities: { id: string }[] }) => [f.name, f.foundIn, f.vulnerabilities.map((v) => v.id)]),
      [[hidden.hiddenPackage.name, ["image"], [HIDDEN_ADVISORY_ID]]],
    );
    assert.equal(rejected.report.inventoryDiff.missingFromSbom.length, 1);

    const goSbom = writeGoSbom(join(work, "go-sbom"));
    for (const [sbom, image] of [[hidden.sbomFile, hidden.image], [goSbom, goImage], [BUSYBOX_SBOM_FILE, busyboxImage]]) {
      const admitted = check(sbom, image, clean);
      assert.equal(admitted.status, 0, `${image}: ${JSON.stringify(admitted.report.reasons)}`);
      assert.equal(admitted.report.summary.componentsUnchecked, 0, `${image}: every SBOM component was checked against the advisories`);
      assert.deepEqual(admitted.report.findings, []);
    }
  });

  it("the manifests are valid app manifests, also after a round trip through YAML", () => {
    const manifests = [
      ...["behave", "flood", "balloon", "domain", "direct", "forkbomb", "sleep"].map((mode) => goAppManifest(`go-${mode}`, mode, { DENIED_URL: "http://not-whitelisted.example/", DIRECT_ADDRESS: UNROUTED })),
      busyboxAppManifest("busybox-app"),
      hiddenPackageManifest("hidden-package"),
    ];
    for (const manifest of manifests) {
      const file = writeManifest(join(work, "manifests"), manifest);
      const app = parseAppManifest(parse(readFileSync(file, "utf8")), file);
      assert.equal(app.name, manifest.name);
      assert.equal(app.image, manifest.image);
    }
    const go = parseAppManifest(goAppManifest("go-app", "flood"));
    assert.equal(go.env.MODE, "flood");
    assert.deepEqual(go.healthcheck?.command, ["CMD", "/app", "health"], "an image without a shell needs its own healthcheck");
    assert.deepEqual(go.resources, { memoryMb: 64, cpus: 0.25, maxProcesses: 32 });
  });
});
