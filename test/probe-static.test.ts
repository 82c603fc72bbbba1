// The static probe executable (sandbox/probes/static, built by scripts/build-probe.sh) against the
// Python probes it ports: each probe that can be shown without the full stack runs both ways under the
// same hardening as an app's (render/hardening.ts: non-root UID, read-only root, no capabilities,
// no-new-privileges, memory/CPU/nproc/sigpending limits), the Python script in the probe image, the
// executable in busybox (no python3) mounted read-only at /opt/platform-probe, and must reach the same
// verdict with the same key details. One more container, FROM scratch with only a passwd file (no shell
// at all), shows the executable needs nothing from the image. Traffic goes only to a stand-in gateway
// and proxy the test runs on an internal network of its own.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, openSync, readSync, closeSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Docker from "dockerode";
import { caSignedCertificate, generateKey, selfSignedCertificate } from "../mock-runner/key-material";
import { hardenedContainer, HardeningInput } from "../render/hardening";
import { DEFAULT_APP_HEALTHCHECK } from "../render/workloads";
import { dockerUnavailableSync } from "../sandbox/docker-availability";
import { execIn } from "../sandbox/exec";
import { rogueCaIdentity } from "../sandbox/probes/forged-identities";
import { refusedAtTls, refusedWith, reachedService, StepResult } from "../sandbox/probes/gateway-client";
import { runPython } from "../sandbox/probes/python";
import { ProbeRun, runStaticProbe, STATIC_PROBE_DIR, STATIC_PROBE_PATH } from "../sandbox/probes/static-runner";
import { ProviderMirror } from "../sandbox/provider-mirror/docker-resources";
import { freeCidr } from "../sandbox/provider-mirror/free-subnet";

const ROOT = join(__dirname, "..");
const BUILD_DIR = join(ROOT, "build");
const EXECUTABLE = join(BUILD_DIR, "platform-probe");
const PROBE_IMAGE = "platform/probe:dev";
const BUSYBOX_IMAGE = "platform/busybox:dev";

/**
 * The stand-in gateway (Python's ssl and http.server in the probe image): TLS 1.3 requiring a client
 * certificate of the test CA, a token route issuing unsigned JWTs to two known clients, a service route
 * needing an issued token, a per-connection rate limit (5, then 429), an echo of the request, and a
 * "proxy" port that denies every request. It ends by itself after argv[2] seconds.
 */
const STAND_IN_GATEWAY = String.raw`
import base64, json, socket, ssl, sys, threading, time, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TLS, LIFETIME = sys.argv[1], float(sys.argv[2])
CLIENTS = {"app": "app-secret", "other": "other-secret"}
issued = set()

def b64(data):
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

class Gateway(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    served = 0

    def log_message(self, *args):
        pass

    def reply(self, status, body, upstream=False, headers=()):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json" if body.startswith("{") else "text/plain")
        self.send_header("Content-Length", str(len(data)))
        if upstream:
            self.send_header("x-envoy-upstream-service-time", "3")
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def echo(self, body):
        seen = {k.lower(): v for k, v in self.headers.items() if k.lower() in ("host", "accept-encoding", "content-length", "content-type", "x-probe", "authorization")}
        return self.reply(200, json.dumps({"method": self.command, "path": self.path, "headers": seen, "body": body}, sort_keys=True), upstream=True)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        if self.path != "/token":
            return self.echo(body)
        form = {k: v[0] for k, v in urllib.parse.parse_qs(body).items()}
        client = form.get("client_id", "")
        if form.get("grant_type") != "client_credentials" or CLIENTS.get(client) != form.get("client_secret"):
            return self.reply(401, '{"error": "invalid_client"}')
        now = int(time.time())
        claims = {"azp": client, "scope": "profile weather", "aud": ["gateway", "weather"], "iss": "https://identity.test/realms/apps", "exp": now + 300, "iat": now}
        token = "%s.%s.unsigned" % (b64({"alg": "none"}), b64(claims))
        issued.add(token)
        return self.reply(200, json.dumps({"access_token": token, "token_type": "Bearer", "expires_in": 300}))

    def do_GET(self):
        if self.path.startswith("/echo"):
            return self.echo("")
        if self.path.startswith("/flood"):
            self.served += 1
            if self.served > 5:
                return self.reply(429, "local_rate_limited", headers=[("x-platform-rate-limited", "true")])
            return self.reply(200, "ok", upstream=True)
        if self.path.startswith("/svc/"):
            auth = self.headers.get("Authorization", "")
            if not auth:
                return self.reply(401, "Jwt is missing", headers=[("www-authenticate", 'Bearer realm="http://gateway/"')])
            if auth[len("Bearer "):] not in issued:
                return self.reply(403, "RBAC: access denied")
            return self.reply(200, "service says hi", upstream=True)
        return self.reply(404, "no route")

class TLSGateway(ThreadingHTTPServer):
    daemon_threads = True

    def get_request(self):
        sock, address = self.socket.accept()
        sock.settimeout(10)
        return context.wrap_socket(sock, server_side=True), address

context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.minimum_version = ssl.TLSVersion.TLSv1_3
context.load_cert_chain(TLS + "/server.pem", TLS + "/server-key.pem")
context.load_verify_locations(TLS + "/ca.pem")
context.verify_mode = ssl.CERT_REQUIRED

def proxy():
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("0.0.0.0", 3128))
    listener.listen(16)
    while True:
        conn, _ = listener.accept()
        conn.settimeout(5)
        try:
            conn.recv(4096)
            conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
        except OSError:
            pass
        conn.close()

threading.Thread(target=proxy, daemon=True).start()
threading.Thread(target=TLSGateway(("0.0.0.0", 8443), Gateway).serve_forever, daemon=True).start()
time.sleep(LIFETIME)
`;

const goVersion = spawnSync("go", ["version"], { encoding: "utf8", timeout: 20_000 });
const goAbsent = goVersion.status === 0 ? undefined : "go is not installed here: the static probe cannot be built (install Go 1.26 or later)";
const dockerAbsent = goAbsent ?? dockerUnavailableSync([BUSYBOX_IMAGE, PROBE_IMAGE]);

/** Builds build/platform-probe once per run of this file. */
let built: { status: number | null; output: string } | undefined;
function buildOnce() {
  if (!built) {
    const run = spawnSync("bash", [join(ROOT, "scripts/build-probe.sh")], { encoding: "utf8", timeout: 240_000 });
    built = { status: run.status, output: `${run.stdout}${run.stderr}${run.error ? run.error.message : ""}` };
  }
  assert.equal(built.status, 0, `scripts/build-probe.sh failed: ${built.output}`);
}

/** Whether an ELF file asks for a program interpreter (a dynamic loader): PT_INTERP among its program headers. */
function hasInterpreter(path: string): boolean {
  const fd = openSync(path, "r");
  try {
    const header = Buffer.alloc(64);
    readSync(fd, header, 0, 64, 0);
    assert.equal(header.subarray(0, 4).toString("latin1"), "\x7fELF", `${path} is not an ELF file`);
    assert.equal(header[4], 2, `${path} is not a 64-bit ELF file`);
    const little = header[5] === 1;
    const u16 = (offset: number) => (little ? header.readUInt16LE(offset) : header.readUInt16BE(offset));
    const phoff = Number(little ? header.readBigUInt64LE(32) : header.readBigUInt64BE(32));
    const entrySize = u16(54);
    const count = u16(56);
    const table = Buffer.alloc(entrySize * count);
    readSync(fd, table, 0, table.length, phoff);
    for (let i = 0; i < count; i++) {
      const type = little ? table.readUInt32LE(i * entrySize) : table.readUInt32BE(i * entrySize);
      if (type === 3) return true; // PT_INTERP
    }
    return false;
  } finally {
    closeSync(fd);
  }
}

describe("the static probe executable", { skip: goAbsent, timeout: 300_000 }, () => {
  it("builds into build/platform-probe, statically linked (no program interpreter, no shared library)", () => {
    buildOnce();
    assert.ok(existsSync(EXECUTABLE), EXECUTABLE);
    assert.equal(hasInterpreter(EXECUTABLE), false, "the executable asks for a dynamic loader");
    const file = spawnSync("file", ["-b", EXECUTABLE], { encoding: "utf8" });
    if (file.status === 0) assert.match(file.stdout, /statically linked/, `file: ${file.stdout}`);
    const ldd = spawnSync("ldd", [EXECUTABLE], { encoding: "utf8" });
    if (!ldd.error) assert.match(`${ldd.stdout}${ldd.stderr}`, /not a dynamic executable|statically linked/, `ldd: ${ldd.stdout}${ldd.stderr}`);
  });

  it("refuses an unknown probe and a malformed argument without printing a report", () => {
    buildOnce();
    for (const argv of [["no_such_probe", "{}"], ["tcp_connect", "not json"], ["tcp_connect", "{}"]]) {
      const run = spawnSync(EXECUTABLE, argv, { encoding: "utf8", timeout: 10_000 });
      assert.equal(run.status, 2, `${argv.join(" ")}: exit ${run.status}`);
      assert.equal(run.stdout, "", `${argv.join(" ")} printed ${run.stdout}`);
      assert.match(run.stderr, /^platform-probe: /);
    }
  });
});

/** A row of the comparison table printed at the end. */
interface Row {
  probe: string;
  python: string;
  static: string;
  detail: string;
}

describe("static probe and Python probe under an app's hardening", { skip: dockerAbsent, timeout: 300_000 }, () => {
  const docker = new Docker();
  const runId = `probe-static-${process.pid}-${randomBytes(3).toString("hex")}`;
  const prefix = `prbst-${randomBytes(3).toString("hex")}`;
  const mirror = new ProviderMirror(runId, docker);
  const scratchImage = `platform-probe-test/distroless:${runId}`;
  const rows: Row[] = [];
  // the platform's default app limits (config/schema.ts APP_RESOURCE_DEFAULTS), through the real hardening
  const resources = { memoryMb: 256, cpus: 0.5, maxProcesses: 128 };
  const uids = { server: 21010, python: 21011, static: 21012, scratch: 21013, victim: 21099 };
  let tlsDir: string;
  let markerDir: string;
  let host: (n: number) => string;
  let pythonApp: Docker.Container;
  let staticApp: Docker.Container;
  let scratchApp: Docker.Container;
  const marker = { path: "", nonce: randomBytes(12).toString("hex") };

  const verdict = (run: ProbeRun) => run.output?.attack ?? (run.exec.timedOut ? "timed out" : `exit ${run.exec.exitCode}`);
  const account = (run: ProbeRun) => `${verdict(run)}: ${run.output?.evidence ?? `${run.exec.stderr.trim().split("\n").slice(-2).join(" | ")}`}`;

  async function python(script: string, args: Record<string, unknown>, timeoutMs = 60_000): Promise<ProbeRun> {
    return runPython(pythonApp, script, args, timeoutMs);
  }
  async function staticIn(container: Docker.Container, probe: string, args: Record<string, unknown>, timeoutMs = 60_000): Promise<ProbeRun> {
    return runStaticProbe(container, probe, args, { timeoutMs });
  }
  /** Runs the Python script, then the static probe (one at a time: one's load must not blur the other's). */
  async function both(probe: string, args: Record<string, unknown>, timeoutMs = 60_000): Promise<{ py: ProbeRun; go: ProbeRun }> {
    const py = await python(probe, args, timeoutMs);
    const go = await staticIn(staticApp, probe, args, timeoutMs);
    return { py, go };
  }
  function record(probe: string, py: ProbeRun, go: ProbeRun, detail: string) {
    rows.push({ probe, python: verdict(py), static: verdict(go), detail });
  }

  function appSpec(name: string, image: string, uid: number, ip: string, network: string, extra: Partial<HardeningInput> = {}) {
    const spec = hardenedContainer({
      name: `${prefix}-${name}`,
      image,
      hostname: name,
      uid,
      env: {
        PLATFORM_GATEWAY_URL: `https://${host(10)}:8443`,
        PLATFORM_CA_FILE: "/etc/platform/tls/ca.pem",
        PLATFORM_CERT_FILE: "/etc/platform/tls/cert.pem",
        PLATFORM_KEY_FILE: "/etc/platform/tls/key.pem",
        PLATFORM_OAUTH_TOKEN_URL: `https://${host(10)}:8443/token`,
        PLATFORM_OAUTH_CLIENT_ID: "app",
        PLATFORM_OAUTH_CLIENT_SECRET_FILE: "/etc/platform/tls/client-secret",
      },
      labels: { "platform.role": "app", "platform.app": name },
      resources,
      healthcheck: DEFAULT_APP_HEALTHCHECK,
      networks: [{ name: network, ipv4Address: ip, aliases: [name] }],
      ...extra,
    });
    // the TLS material as the platform mounts it (here from a directory of the test), and the probe's
    // directory read-only: the one difference from production
    const volumes = [
      { hostPath: tlsDir, containerPath: "/etc/platform/tls", readOnly: true },
      { hostPath: BUILD_DIR, containerPath: STATIC_PROBE_DIR, readOnly: true },
    ];
    return { ...spec, volumes };
  }

  before(async () => {
    buildOnce();
    tlsDir = mkdtempSync(join(tmpdir(), "probe-static-tls-"));
    markerDir = mkdtempSync(join(tmpdir(), "probe-static-marker-"));
    marker.path = join(markerDir, "host-marker");
    writeFileSync(marker.path, `${marker.nonce}\n`, { mode: 0o644 });

    const subnet = await freeCidr(docker, 24, "10.240.0.0/12");
    const base = subnet.split("/")[0].split(".").slice(0, 3).join(".");
    host = (n: number) => `${base}.${n}`;
    const network = `${prefix}-net`;
    // internal, and no address of the host's on the bridge: nothing outside the test's containers is reachable
    await mirror.createNetwork(network, { name: network, driver: "bridge", internal: true, options: { "com.docker.network.bridge.inhibit_ipv4": "true" }, ipamConfigs: [{ subnet, gateway: host(1), ipRange: `${host(128)}/25` }] });

    // test PKI: a CA, the stand-in gateway's certificate for its address, the app's client certificate
    const caKey = generateKey("ECDSA").privateKeyPem;
    const caCert = selfSignedCertificate({ privateKeyPem: caKey, subject: { commonName: "probe-static test CA" } }, { validityPeriodHours: 24, allowedUses: ["cert_signing", "digital_signature"], isCaCertificate: true });
    const ca = { certPem: caCert, privateKeyPem: caKey };
    const serverKey = generateKey("ECDSA").privateKeyPem;
    const serverCert = caSignedCertificate({ privateKeyPem: serverKey, subject: { commonName: "gateway" }, ipAddresses: [host(10)] }, { validityPeriodHours: 24, allowedUses: ["digital_signature", "server_auth"] }, ca);
    const appKey = generateKey("ECDSA").privateKeyPem;
    const appCert = caSignedCertificate({ privateKeyPem: appKey, subject: { commonName: "app" }, uris: ["spiffe://platform.test/app/app"] }, { validityPeriodHours: 24, allowedUses: ["digital_signature", "client_auth"] }, ca);
    const files: Record<string, string> = { "ca.pem": caCert, "server.pem": serverCert, "server-key.pem": serverKey, "cert.pem": appCert, "key.pem": appKey, "client-secret": "app-secret\n" };
    // throwaway test keys, readable by the containers' UIDs
    for (const [name, content] of Object.entries(files)) writeFileSync(join(tlsDir, name), content, { mode: 0o644 });
    chmodSync(tlsDir, 0o755);
    chmodSync(markerDir, 0o755);

    // distroless-style: no shell, no libc, nothing but a passwd file
    const context = mkdtempSync(join(tmpdir(), "probe-static-image-"));
    writeFileSync(join(context, "passwd"), `app:x:${uids.scratch}:${uids.scratch}:app:/:/nonexistent\n`);
    writeFileSync(join(context, "Dockerfile"), "FROM scratch\nCOPY passwd /etc/passwd\n");
    const image = spawnSync("docker", ["build", "-q", "-t", scratchImage, "--label", `platform.sandbox=${runId}`, context], { encoding: "utf8", timeout: 120_000 });
    rmSync(context, { recursive: true, force: true });
    assert.equal(image.status, 0, `docker build of the scratch image: ${image.stderr}`);

    await mirror.createContainer("gateway", appSpec("gateway", PROBE_IMAGE, uids.server, host(10), network, { command: ["python3", "-c", STAND_IN_GATEWAY, "/etc/platform/tls", "280"] }));
    pythonApp = docker.getContainer((await mirror.createContainer("python-app", appSpec("python-app", PROBE_IMAGE, uids.python, host(11), network))).id);
    staticApp = docker.getContainer((await mirror.createContainer("static-app", appSpec("static-app", BUSYBOX_IMAGE, uids.static, host(12), network, { command: ["sleep", "600"] }))).id);
    scratchApp = docker.getContainer(
      (
        await mirror.createContainer(
          "scratch-app",
          appSpec("scratch-app", scratchImage, uids.scratch, host(13), network, {
            command: [STATIC_PROBE_PATH, "sleep", "600"],
            healthcheck: { ...DEFAULT_APP_HEALTHCHECK, command: ["CMD", STATIC_PROBE_PATH, "sleep", "0"] },
          }),
        )
      ).id,
    );
    // the stand-in gateway is up when its port answers
    const deadline = Date.now() + 20_000;
    for (;;) {
      const probe = await staticIn(staticApp, "tcp_connect", { targets: [[host(10), 8443]], timeout: 1 }, 10_000);
      if (probe.output?.evidence.includes("connected")) break;
      assert.ok(Date.now() < deadline, `the stand-in gateway did not start listening: ${account(probe)}`);
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  });

  after(async () => {
    if (rows.length) {
      const widths = [16, 14, 14];
      const line = (r: Row) => `${r.probe.padEnd(widths[0])} ${r.python.padEnd(widths[1])} ${r.static.padEnd(widths[2])} ${r.detail}`;
      process.stdout.write(`\n${line({ probe: "probe", python: "python", static: "static", detail: "key details (python | static)" })}\n${rows.map(line).join("\n")}\n`);
    }
    await mirror.teardown();
    spawnSync("docker", ["image", "rm", "-f", scratchImage], { timeout: 60_000 });
    for (const dir of [tlsDir, markerDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("busybox has no python3, the scratch image not even a shell", async () => {
    const py = await execIn(staticApp, ["python3", "-c", "pass"], { timeoutMs: 10_000 }).catch((error: Error) => ({ exitCode: -1, stderr: error.message }));
    assert.notEqual(py.exitCode, 0, "busybox runs python3");
    const sh = await execIn(scratchApp, ["sh", "-c", "true"], { timeoutMs: 10_000 }).catch((error: Error) => ({ exitCode: -1, stderr: error.message }));
    assert.notEqual(sh.exitCode, 0, "the scratch image runs sh");
  });

  it("rootfs_write: blocked, EROFS on the read-only root", async () => {
    const { py, go } = await both("rootfs_write", {});
    record("rootfs_write", py, go, `${py.output?.evidence} | ${go.output?.evidence}`);
    assert.equal(py.output?.attack, "blocked", account(py));
    assert.equal(go.output?.attack, "blocked", account(go));
    // the two paths both images have; /usr/bin exists only in the probe image
    const first = (run: ProbeRun) => run.output?.evidence.split("; ").slice(0, 2);
    assert.deepEqual(first(go), first(py));
    assert.ok(first(go)?.[0] === "/platform-probe-write: EROFS", account(go));
  });

  it("mount, kernel_module, raw_socket, docker_socket: blocked with the same evidence (EPERM from seccomp/capabilities)", async () => {
    for (const probe of ["mount", "kernel_module", "raw_socket", "docker_socket"]) {
      const { py, go } = await both(probe, {});
      record(probe, py, go, String(go.output?.evidence));
      assert.equal(py.output?.attack, "blocked", `${probe} python: ${account(py)}`);
      assert.equal(go.output?.attack, "blocked", `${probe} static: ${account(go)}`);
      assert.equal(go.output?.evidence, py.output?.evidence, probe);
      if (probe !== "docker_socket") assert.match(String(go.output?.evidence), /EPERM/, probe);
    }
    const mount = await staticIn(staticApp, "mount", {});
    assert.equal(mount.output?.mounted, false);
    assert.equal(mount.output?.unshared, false);
  });

  it("host_paths: the host's marker file is not reachable", async () => {
    const { py, go } = await both("host_paths", { path: marker.path, nonce: marker.nonce });
    record("host_paths", py, go, `${py.output?.evidence?.split(" (")[0]} | ${go.output?.evidence?.split(" (")[0]}`);
    assert.equal(py.output?.attack, "blocked", account(py));
    assert.equal(go.output?.attack, "blocked", account(go));
    assert.ok(String(go.output?.evidence).includes(`${marker.path}: ENOENT`), account(go));
  });

  it("setuid: no euid 0 from a setuid-root binary under no-new-privileges (the binary is the probe image's)", async () => {
    const args = { binary: "/usr/local/bin/probe-suid-id" };
    const py = await python("setuid", args);
    const goInProbeImage = await staticIn(pythonApp, "setuid", args);
    const goInBusybox = await staticIn(staticApp, "setuid", args);
    record("setuid", py, goInProbeImage, `${py.output?.evidence} | same; in busybox: ${goInBusybox.output?.evidence}`);
    assert.equal(py.output?.attack, "blocked", account(py));
    assert.equal(goInProbeImage.output?.attack, "blocked", account(goInProbeImage));
    assert.equal(goInProbeImage.output?.evidence, py.output?.evidence);
    assert.match(String(py.output?.evidence), new RegExp(`euid ${uids.python} \\(caller uid ${uids.python}\\)`));
    assert.equal(goInBusybox.output?.attack, "inconclusive", account(goInBusybox));
  });

  it("ptrace: a visible process of another UID cannot be attached (EPERM)", async () => {
    const nonce = `probe-victim-${randomBytes(4).toString("hex")}`;
    const victims = [
      execIn(pythonApp, ["python3", "-c", "import time; time.sleep(6)", nonce], { timeoutMs: 15_000, user: String(uids.victim) }),
      execIn(staticApp, [STATIC_PROBE_PATH, "sleep", "6", nonce], { timeoutMs: 15_000, user: String(uids.victim) }),
    ];
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const { py, go } = await both("ptrace", { nonce });
    await Promise.all(victims);
    record("ptrace", py, go, `${py.output?.evidence} | ${go.output?.evidence}`);
    for (const run of [py, go]) {
      assert.equal(run.output?.attack, "blocked", account(run));
      assert.match(String(run.output?.evidence), /^victim pid \d+ visible, PTRACE_ATTACH: EPERM$/, account(run));
    }
    // with no victim at all the static probe does not take itself for one (its own command line carries
    // the nonce: ptrace.py finds itself there and reports its own pid as the victim's)
    const alone = await staticIn(staticApp, "ptrace", { nonce: `probe-nobody-${randomBytes(4).toString("hex")}` });
    assert.equal(alone.output?.evidence, "the victim process is not visible (own PID namespace)", account(alone));
  });

  it("signal_queue: sigqueue refused with EAGAIN at the sigpending limit (256), after as many signals", async () => {
    const { py, go } = await both("signal_queue", { cap: 20_000, hold_seconds: 1 });
    record("signal_queue", py, go, `queued ${py.output?.queued} ${py.output?.errno} | queued ${go.output?.queued} ${go.output?.errno}`);
    for (const run of [py, go]) {
      assert.equal(run.output?.attack, "blocked", account(run));
      assert.equal(run.output?.errno, "EAGAIN");
    }
    assert.equal(go.output?.queued, py.output?.queued);
    assert.ok(Number(go.output?.queued) <= 256 && Number(go.output?.queued) >= 200, account(go));
  });

  it("fork_bomb: fork refused with EAGAIN at the nproc limit", async () => {
    const { py, go } = await both("fork_bomb", { cap: resources.maxProcesses + 64, hold_seconds: 2, deadline_seconds: 45 }, 90_000);
    record("fork_bomb", py, go, `forked ${py.output?.forked} ${py.output?.errno} | forked ${go.output?.forked} ${go.output?.errno}`);
    for (const run of [py, go]) {
      assert.equal(run.output?.attack, "blocked", account(run));
      assert.equal(run.output?.errno, "EAGAIN");
      // the limit counts every task of the UID: the probe's own (one for Python, a few threads for Go) and the container's
      const forked = Number(run.output?.forked);
      assert.ok(forked <= resources.maxProcesses && forked >= resources.maxProcesses - 16, account(run));
    }
  });

  it("memory_hog: OOM-killed (exit 137) within the memory limit", async () => {
    const { py, go } = await both("memory_hog", { cap_mb: resources.memoryMb + 256 }, 90_000);
    const reached = (run: ProbeRun) => Math.max(0, ...[...run.exec.stderr.matchAll(/allocated (\d+)/g)].map((m) => Number(m[1])));
    record("memory_hog", py, go, `exit ${py.exec.exitCode} after ${reached(py)} MiB | exit ${go.exec.exitCode} after ${reached(go)} MiB`);
    for (const run of [py, go]) {
      assert.equal(run.output, undefined, `it was not stopped: ${account(run)}`);
      assert.equal(run.exec.exitCode, 137, account(run));
      assert.ok(reached(run) <= resources.memoryMb && reached(run) >= resources.memoryMb / 2, `reached ${reached(run)} MiB`);
    }
  });

  it("cpu_hog and cpu_task: the hog gets no more than the CPU limit; the task takes a comparable time", async () => {
    const hog = await both("cpu_hog", { workers: 2, seconds: 3 });
    record("cpu_hog", hog.py, hog.go, `${Number(hog.py.output?.cpus).toFixed(2)} CPUs | ${Number(hog.go.output?.cpus).toFixed(2)} CPUs (limit ${resources.cpus})`);
    for (const run of [hog.py, hog.go]) {
      assert.equal(run.output?.attack, "inconclusive", account(run));
      const cpus = Number(run.output?.cpus);
      assert.ok(cpus > 0.1 && cpus <= resources.cpus * 1.2 + 0.05, account(run));
    }
    const task = await both("cpu_task", { iterations: 2_000_000 });
    record("cpu_task", task.py, task.go, `${Number(task.py.output?.seconds).toFixed(3)} s | ${Number(task.go.output?.seconds).toFixed(3)} s`);
    const ratio = Number(task.go.output?.seconds) / Number(task.py.output?.seconds);
    assert.ok(ratio > 0.2 && ratio < 5, `static ${account(task.go)}, python ${account(task.py)}`);
  });

  it("tcp_connect: a listener is reached, a closed port is refused (still reached), a silent address is not", async () => {
    const cases = [
      { name: "listener", targets: [[host(10), 8443]], timeout: 3, attack: "succeeded", evidence: `${host(10)}:8443 connected` },
      { name: "closed port", targets: [[host(10), 8444]], timeout: 3, attack: "succeeded", evidence: `${host(10)}:8444 ECONNREFUSED` },
      { name: "no host", targets: [[host(99), 8443]], timeout: 1, attack: "blocked" },
    ];
    for (const c of cases) {
      const { py, go } = await both("tcp_connect", { targets: c.targets, timeout: c.timeout });
      record(`tcp_connect`, py, go, `${c.name}: ${py.output?.evidence} | ${go.output?.evidence}`);
      for (const run of [py, go]) assert.equal(run.output?.attack, c.attack, `${c.name}: ${account(run)}`);
      if (c.evidence) assert.equal(go.output?.evidence, c.evidence);
      assert.equal(go.output?.evidence, py.output?.evidence, c.name);
    }
  });

  it("proxy_request: the proxy's status line, or -1 when nothing answers", async () => {
    const denied = await both("proxy_request", { proxy_host: host(10), proxy_port: 3128, method: "CONNECT", target: "not-whitelisted.platform-probe.invalid:443", timeout: 5 });
    const closed = await both("proxy_request", { proxy_host: host(10), proxy_port: 3129, method: "CONNECT", target: "not-whitelisted.platform-probe.invalid:443", timeout: 5 });
    record("proxy_request", denied.py, denied.go, `${denied.py.output?.status} | ${denied.go.output?.status}; closed port: ${closed.py.output?.status} | ${closed.go.output?.status}`);
    assert.equal(denied.go.output?.status, 403, account(denied.go));
    assert.equal(closed.go.output?.status, -1, account(closed.go));
    assert.equal(denied.go.output?.evidence, denied.py.output?.evidence);
    assert.equal(closed.go.output?.evidence, closed.py.output?.evidence);
  });

  it("gateway_request: the same TLS refusals, statuses, headers, token claims and series against a stand-in gateway", async () => {
    const exchange = {
      identities: { rogue: rogueCaIdentity("spiffe://platform.test/app/app") },
      clients: { other: { client_id: "other", client_secret: "other-secret" } },
      timeout: 5,
      deadline_seconds: 50,
      steps: [
        { id: "no-cert", identity: "none", await_tls_verdict: true, method: "GET", path: "/svc/a" },
        { id: "rogue", identity: "rogue", await_tls_verdict: true, path: "/svc/a" },
        { id: "no-cert-no-wait", identity: "none", path: "/svc/a" },
        { id: "no-token", path: "/svc/a", await_tls_verdict: true },
        { id: "steal", token_request: "other", store_token: "stolen" },
        { id: "wrong-secret", token_request: "own", client_secret: "not-the-secret" },
        { id: "own", token: "own", path: "/svc/a" },
        { id: "stolen", token: "stolen", path: "/svc/a" },
        { id: "literal", token: { literal: "not-a-token" }, path: "/svc/a" },
        { id: "echo", method: "POST", path: "/echo?q=1", headers: { "X-Probe": "yes" }, body: "hello=wörld" },
        { id: "echo-get", path: "/echo" },
        { id: "flood", path: "/flood", repeat: 12 },
        { id: "paced", path: "/flood", repeat: 3, interval_ms: 200 },
        { id: "unknown-token", token: "nothing-stored", path: "/svc/a" },
      ],
    };
    const { py, go } = await both("gateway_request", exchange, 90_000);
    const steps = (run: ProbeRun) => Object.fromEntries(((run.output?.steps as StepResult[] | undefined) ?? []).map((s) => [s.id, s]));
    const [p, g] = [steps(py), steps(go)];
    assert.equal(Object.keys(g).length, exchange.steps.length, account(go));
    // what the TS side reads, without what differs by nature (times, token values)
    // without waiting for the verdict, the server's alert and its close race the request: a client may
    // read the alert, an EOF or a reset (either client, from one run to the next); only the outcome is fixed
    const refusedMidRequest = (s: StepResult | undefined) => ({ tls: s?.tls, failed: typeof s?.error === "string" && s.status === undefined });
    const essence = (s: StepResult | undefined) => {
      if (!s) return undefined;
      const { azp, scope, aud, iss } = s.claims ?? {};
      return {
        tls: s.tls,
        tls_stage: s.tls_stage,
        tls_version: s.tls_version,
        tls_reason: s.tls_error?.reason,
        tls_alert: s.tls_error?.alert,
        status: s.status,
        local_reply: s.local_reply,
        headers: s.headers,
        body: s.claims ? undefined : s.body,
        claims: s.claims ? { azp, scope, aud, iss } : undefined,
        count: s.count,
        statuses: s.statuses,
        sequence: s.sequence,
        error: s.error?.match(/^(cannot build the request|[A-Za-z]+(: \[SSL: \w+\])?)/)?.[0],
      };
    };
    for (const step of exchange.steps) {
      const [a, b] = step.id === "no-cert-no-wait" ? [refusedMidRequest(g[step.id]), refusedMidRequest(p[step.id])] : [essence(g[step.id]), essence(p[step.id])];
      assert.deepEqual(a, b, `step ${step.id}: static ${JSON.stringify(g[step.id])} python ${JSON.stringify(p[step.id])}`);
    }
    // and what they mean
    assert.ok(refusedAtTls(g["no-cert"], /ALERT_CERTIFICATE_REQUIRED/), JSON.stringify(g["no-cert"]));
    assert.ok(refusedAtTls(g.rogue, /ALERT_UNKNOWN_CA$/), JSON.stringify(g.rogue));
    assert.ok(refusedWith(g["no-token"], 401), JSON.stringify(g["no-token"]));
    assert.ok(reachedService(g.own) && reachedService(g.stolen), `${JSON.stringify(g.own)} ${JSON.stringify(g.stolen)}`);
    assert.equal(g.steal.claims?.azp, "other");
    assert.equal(g["wrong-secret"].status, 401);
    assert.ok(refusedWith(g.literal, 403));
    assert.deepEqual(g.flood.statuses, { "200": 5, "429": 7 });
    const paced = g.paced.sent_ms as number[];
    // each send at least interval_ms after the one before (less a few ms of truncation and request building)
    assert.ok(paced.length === 3 && paced.every((at, i) => i === 0 || at - paced[i - 1] >= 195), `paced requests sent at ${paced}`);
    const pacedPy = p.paced.sent_ms as number[];
    assert.ok(pacedPy.length === 3 && pacedPy.every((at, i) => i === 0 || at - pacedPy[i - 1] >= 195), `python's paced requests sent at ${pacedPy}`);
    assert.match(String(g["unknown-token"].error), /^cannot build the request: no token stored as 'nothing-stored'/);
    const summary = (s: Record<string, StepResult>) => `${s["no-cert"]?.tls_error?.reason}, ${s.rogue?.tls_error?.reason}, ${s["no-token"]?.status}/${s.own?.status}/${s.literal?.status}, flood ${JSON.stringify(s.flood?.statuses)}`;
    record("gateway_request", py, go, `${exchange.steps.length} steps alike: ${summary(g)}`);
  });

  it("negative control (root, extra capabilities, no seccomp, host PID, the engine's socket): both report the attacks succeeded", async () => {
    // as test/support/negative-control.ts, plus the probe's directory; on the test's internal network only
    const control = docker.getContainer(
      (
        await mirror.createContainer("negative-control", {
          name: `${prefix}-negative-control`,
          image: PROBE_IMAGE,
          hostname: "negative-control",
          capabilities: { adds: ["NET_ADMIN", "NET_RAW", "SYS_ADMIN", "SYS_MODULE", "SYS_PTRACE"] },
          securityOpts: ["seccomp=unconfined"],
          pidMode: "host",
          volumes: [
            { hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" },
            { hostPath: BUILD_DIR, containerPath: STATIC_PROBE_DIR, readOnly: true },
          ],
          networksAdvanced: [{ name: `${prefix}-net` }],
          labels: [{ label: "platform.role", value: "negative-control" }],
        })
      ).id,
    );
    const nonce = `probe-victim-${randomBytes(4).toString("hex")}`;
    const victim = execIn(pythonApp, ["python3", "-c", "import time; time.sleep(8)", nonce], { timeoutMs: 15_000, user: String(uids.victim) });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const cases: [string, Record<string, unknown>][] = [
      ["rootfs_write", {}],
      ["mount", {}],
      ["raw_socket", {}], // no spoof_ip: the sockets open, no frame is sent
      ["docker_socket", {}],
      ["host_paths", { path: marker.path, nonce: marker.nonce }],
      ["setuid", { binary: "/usr/local/bin/probe-suid-id" }],
      ["ptrace", { nonce }],
      ["signal_queue", { cap: 2_000, hold_seconds: 0 }],
    ];
    for (const [probe, args] of cases) {
      const py = await runPython(control, probe, args, 30_000);
      const go = await staticIn(control, probe, args, 30_000);
      rows.push({ probe: `${probe} (control)`, python: verdict(py), static: verdict(go), detail: String(go.output?.evidence).slice(0, 110) });
      assert.equal(py.output?.attack, "succeeded", `${probe} python: ${account(py)}`);
      assert.equal(go.output?.attack, "succeeded", `${probe} static: ${account(go)}`);
    }
    await victim;
  });

  it("distroless (FROM scratch, no shell): the executable runs as the app's UID and reaches the same verdicts", async () => {
    const cases: { probe: string; args: Record<string, unknown>; timeoutMs?: number }[] = [
      { probe: "rootfs_write", args: {} },
      { probe: "mount", args: {} },
      { probe: "kernel_module", args: {} },
      { probe: "raw_socket", args: {} },
      { probe: "tcp_connect", args: { targets: [[host(10), 8443]], timeout: 3 } },
      { probe: "signal_queue", args: { cap: 20_000, hold_seconds: 0 } },
      { probe: "fork_bomb", args: { cap: resources.maxProcesses + 64, hold_seconds: 1, deadline_seconds: 45 }, timeoutMs: 90_000 },
    ];
    for (const c of cases) {
      const py = await python(c.probe, c.args, c.timeoutMs);
      const go = await staticIn(scratchApp, c.probe, c.args, c.timeoutMs);
      rows.push({ probe: `${c.probe} (scratch)`, python: verdict(py), static: verdict(go), detail: String(go.output?.evidence) });
      assert.equal(go.output?.attack, py.output?.attack, `${c.probe}: static ${account(go)}; python ${account(py)}`);
      if (c.probe === "fork_bomb" || c.probe === "signal_queue") assert.equal(go.output?.errno, "EAGAIN", account(go));
    }
    const gateway = await staticIn(scratchApp, "gateway_request", { timeout: 5, steps: [{ id: "no-cert", identity: "none", await_tls_verdict: true, path: "/svc/a" }] });
    assert.equal(gateway.output?.uid, uids.scratch, account(gateway));
  });
});
