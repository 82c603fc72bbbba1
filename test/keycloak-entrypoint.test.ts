// Runs the rendered Keycloak entrypoint for real, in a Debian container (bash + coreutils, like the
// Keycloak image) hardened the same way (UID 9200, read-only root, no capabilities), with a stand-in
// kc.sh that reports each call: the passwords reach kc.sh from their files, never through the
// container's env; with postgres the realm is imported (--override true) before the start and a failed
// import stops it; a missing password file stops everything. Then the rendered healthcheck, executed
// against a stand-in management interface on 127.0.0.1:9000: only a 200 status line is healthy.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Docker from "dockerode";
import { buildPlan } from "../plan/plan";
import { parsePlatformConfig } from "../config/load";
import { ADMIN_PASSWORD_FILE, DB_PASSWORD_FILE, identityContainer, keycloakArgs, KEYCLOAK_HOME, KEYCLOAK_MANAGEMENT_PORT, REALM_FILE } from "../render/keycloak/from-plan";
import { TLS_DIR } from "../render/hardening";
import { dockerUnavailable } from "../sandbox/docker-availability";
import { execIn } from "../sandbox/exec";
import { minimalConfig } from "./support/stack-config";
import { INFRA_UID } from "../plan/names";

const IMAGE = "platform/debian-minbase:bookworm";
/** python3 for the stand-in management interface */
const PROBE_IMAGE = "platform/probe:dev";
const PREFIX = `creds-kc-entry-${process.pid}`;
const docker = new Docker();

const planFor = (database: Record<string, unknown>) => {
  const raw = minimalConfig();
  raw.identity = { ...raw.identity, database };
  return buildPlan(parsePlatformConfig(raw).config, "kc-entry");
};
const plan = planFor({ kind: "postgres", image: `registry.example/postgres@sha256:${"f".repeat(64)}` });
const devFilePlan = planFor({ kind: "dev-file" });
const keycloak = identityContainer(plan);
const realmCopy = `${KEYCLOAK_HOME}/data/import/${plan.config.identity.realm}.json`;
/** a file in the TLS dir that makes the stand-in's `kc.sh import` fail */
const FAIL_IMPORT = `${TLS_DIR}/fail-import`;

// one block of lines per call: its arguments, both passwords as it sees them, whether the realm was copied
const FAKE_KC = `#!/bin/bash
printf 'args:%s\\n' "$*"
printf 'admin:%s\\n' "\${KC_BOOTSTRAP_ADMIN_PASSWORD-unset}"
printf 'db:%s\\n' "\${KC_DB_PASSWORD-unset}"
test -f ${realmCopy} && echo realm-copied
if [ "$1" = import ] && [ -f ${FAIL_IMPORT} ]; then echo import-failed; exit 3; fi
exit 0
`;

/** Docker's multiplexed log format (no TTY): frames of an 8-byte header (stream, size) and a payload. */
function demux(raw: Buffer): string {
  const parts: Buffer[] = [];
  for (let at = 0; at + 8 <= raw.length; ) {
    const size = raw.readUInt32BE(at + 4);
    parts.push(raw.subarray(at + 8, at + 8 + size));
    at += 8 + size;
  }
  return Buffer.concat(parts).toString("utf8");
}

/** Runs the entrypoint with the given files in the TLS dir; returns exit code, output and the env Docker records. */
async function runEntrypoint(name: string, tlsDir: string, binDir: string, spec = keycloak): Promise<{ status: number; output: string; inspectedEnv: string[] }> {
  const container = await docker.createContainer({
    name: `${PREFIX}-${name}`,
    Image: IMAGE,
    User: spec.user,
    Entrypoint: spec.entrypoints,
    Env: spec.envs,
    HostConfig: {
      NetworkMode: "none",
      ReadonlyRootfs: true,
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges:true"],
      Tmpfs: { [`${KEYCLOAK_HOME}/data`]: spec.tmpfs[`${KEYCLOAK_HOME}/data`] },
      Binds: [`${tlsDir}:${TLS_DIR}:ro`, `${binDir}:${KEYCLOAK_HOME}/bin:ro`],
    },
  });
  try {
    await container.start();
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([
      container.wait(),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("entrypoint did not exit within 30 s")), 30_000))),
    ]).finally(() => clearTimeout(timer)); // a pending timer would hold the test process for 30 s
    const output = demux(await container.logs({ stdout: true, stderr: true }));
    const inspected = await container.inspect();
    return { status: result.StatusCode, output, inspectedEnv: inspected.Config.Env ?? [] };
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

describe("the Keycloak entrypoint, executed", { timeout: 120_000 }, async () => {
  const skip = (await dockerUnavailable(docker, [IMAGE])) ?? false;
  const adminPassword = "AdminPw0123456789abcdefghijklmnopqrstuvw";
  const dbPassword = "DbPw0123456789abcdefghijklmnopqrstuvwxyz";
  let work: string;
  let binDir: string;

  const tlsDirWith = (name: string, files: Record<string, string>) => {
    const dir = join(work, name);
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    for (const [path, content] of Object.entries(files)) {
      const file = join(dir, path.slice(TLS_DIR.length + 1));
      writeFileSync(file, content);
      // as the platform uploads them: root-owned, readable by Keycloak's group only
      chownSync(file, 0, INFRA_UID.identity);
      chmodSync(file, 0o440);
    }
    return dir;
  };

  before(() => {
    if (skip) return;
    work = mkdtempSync(join(tmpdir(), `${PREFIX}-`));
    chmodSync(work, 0o755);
    binDir = join(work, "bin");
    mkdirSync(binDir);
    chmodSync(binDir, 0o755);
    writeFileSync(join(binDir, "kc.sh"), FAKE_KC);
    chmodSync(join(binDir, "kc.sh"), 0o755);
  });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  /** The stand-in's calls, in order: each its `args:` line and what it saw. */
  const callsOf = (output: string) =>
    output
      .split(/^(?=args:)/m)
      .filter((block) => block.startsWith("args:"))
      .map((block) => {
        const lines = block.trimEnd().split("\n");
        return { args: lines[0].slice("args:".length), lines };
      });

  it("postgres: imports the realm with --override true, then execs kc.sh start; both calls get both passwords from their files; Docker's record of the env holds neither", { skip }, async () => {
    const tls = tlsDirWith("ok", { [REALM_FILE]: "{}\n", [ADMIN_PASSWORD_FILE]: adminPassword, [DB_PASSWORD_FILE]: `${dbPassword}\n` });
    const run = await runEntrypoint("ok", tls, binDir);
    assert.equal(run.status, 0, run.output);
    const calls = callsOf(run.output);
    assert.deepEqual(
      calls.map((c) => c.args),
      [`import --optimized --http-management-host=127.0.0.1 --override true --file ${realmCopy}`, keycloakArgs(plan).join(" ")],
      "the import of the copied realm first, then the start",
    );
    for (const call of calls) {
      assert.ok(call.lines.includes(`admin:${adminPassword}`), run.output);
      assert.ok(call.lines.includes(`db:${dbPassword}`), "a trailing newline in the file is not part of the password");
      assert.ok(call.lines.includes("realm-copied"), run.output);
    }
    const inspected = run.inspectedEnv.join("\n");
    assert.ok(!inspected.includes(adminPassword) && !inspected.includes(dbPassword), "docker inspect shows no password");
  });

  it("postgres: a failed import stops the start (no Keycloak serving a stale realm)", { skip }, async () => {
    const tls = tlsDirWith("failed-import", { [REALM_FILE]: "{}\n", [ADMIN_PASSWORD_FILE]: adminPassword, [DB_PASSWORD_FILE]: dbPassword, [FAIL_IMPORT]: "" });
    const run = await runEntrypoint("failed-import", tls, binDir);
    assert.equal(run.status, 3, `the import's exit status is the container's: ${run.output}`);
    assert.deepEqual(callsOf(run.output).map((c) => c.args.split(" ")[0]), ["import"], `kc.sh start must not run: ${run.output}`);
  });

  it("dev-file: one call, kc.sh start with --import-realm, the admin password only", { skip }, async () => {
    const tls = tlsDirWith("dev-file", { [REALM_FILE]: "{}\n", [ADMIN_PASSWORD_FILE]: adminPassword });
    const run = await runEntrypoint("dev-file", tls, binDir, identityContainer(devFilePlan));
    assert.equal(run.status, 0, run.output);
    const calls = callsOf(run.output);
    assert.deepEqual(calls.map((c) => c.args), [keycloakArgs(devFilePlan).join(" ")]);
    assert.ok(calls[0].args.endsWith(" --import-realm"));
    assert.ok(calls[0].lines.includes(`admin:${adminPassword}`) && calls[0].lines.includes("db:unset") && calls[0].lines.includes("realm-copied"), run.output);
  });

  it("stops before kc.sh when a password file is missing", { skip }, async () => {
    const tls = tlsDirWith("missing", { [REALM_FILE]: "{}\n", [DB_PASSWORD_FILE]: dbPassword });
    const run = await runEntrypoint("missing", tls, binDir);
    assert.notEqual(run.status, 0);
    assert.match(run.output, /admin-password: No such file or directory/);
    assert.ok(!run.output.includes("args:"), `kc.sh must not start: ${run.output}`);
  });
});

// A stand-in management interface: answers every request with the status line and body in /tmp/answer
// and appends what it received (request line, Host) to /tmp/seen.
const MANAGEMENT_STANDIN = `
import http.server
class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        with open("/tmp/seen", "a") as seen:
            seen.write(self.requestline + " Host=" + str(self.headers.get("Host")) + "\\n")
        status, body = open("/tmp/answer").read().split("\\n", 1)
        data = body.encode()
        self.send_response(int(status))
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", ${KEYCLOAK_MANAGEMENT_PORT}), Handler).serve_forever()
`;

describe("the Keycloak healthcheck, executed", { timeout: 60_000 }, async () => {
  const skip = (await dockerUnavailable(docker, [PROBE_IMAGE])) ?? false;
  let container: Docker.Container | undefined;
  const check = keycloak.healthcheck.tests.slice(1); // exec form: drop "CMD"
  const sh = (script: string) => execIn(container!, ["bash", "-c", script], { timeoutMs: 10_000 });

  before(async () => {
    if (skip) return;
    // hardened like Keycloak, no network: the check must work on loopback alone
    container = await docker.createContainer({
      name: `${PREFIX}-health`,
      Image: PROBE_IMAGE,
      User: keycloak.user,
      HostConfig: { NetworkMode: "none", ReadonlyRootfs: true, CapDrop: ["ALL"], SecurityOpt: ["no-new-privileges:true"], Tmpfs: { "/tmp": keycloak.tmpfs["/tmp"] } },
    });
    await container.start();
  });

  after(async () => {
    await container?.remove({ force: true }).catch(() => undefined);
  });

  it("unhealthy while nothing listens on the management port; healthy only on a 200 status line from GET /health/ready", { skip }, async () => {
    assert.notEqual((await execIn(container!, check)).exitCode, 0, "nothing listening yet");

    await sh("printf '200\\n{\"status\": \"UP\"}' >/tmp/answer");
    const started = await sh(`setsid python3 -c '${MANAGEMENT_STANDIN.replace(/'/g, "'\\''")}' >/dev/null 2>&1 </dev/null &`);
    assert.equal(started.exitCode, 0, started.stderr);
    // bounded wait for the stand-in to listen: at most 50 tries of 100 ms
    let listening = false;
    for (let i = 0; i < 50 && !listening; i++) {
      listening = (await sh(`exec 3<>/dev/tcp/127.0.0.1/${KEYCLOAK_MANAGEMENT_PORT}`)).exitCode === 0;
      if (!listening) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(listening, "the stand-in management interface did not listen within 5 s");
    await sh(": >/tmp/seen"); // drop the readiness probe's empty connection, if it was logged

    const healthy = await execIn(container!, check);
    assert.equal(healthy.exitCode, 0, `200 UP is healthy: ${healthy.stderr}`);
    assert.deepEqual((await sh("cat /tmp/seen")).stdout.trim().split("\n"), ["GET /health/ready HTTP/1.1 Host=127.0.0.1"], "one HTTP/1.1 request for readiness, not liveness");

    await sh(`printf '503\\n{"status": "DOWN", "note": "HTTP/1.1 200 OK"}' >/tmp/answer`);
    assert.notEqual((await execIn(container!, check)).exitCode, 0, "503 DOWN (realm not imported, database down) is unhealthy, whatever the body says");
    await sh("printf '404\\nnot found' >/tmp/answer");
    assert.notEqual((await execIn(container!, check)).exitCode, 0);
  });
});
