// Runs the rendered Keycloak entrypoint for real, in a Debian container (bash + coreutils, like the
// Keycloak image) hardened the same way (UID 9200, read-only root, no capabilities), with a stand-in
// kc.sh that reports what it was started with: the passwords reach kc.sh from their files, never
// through the container's env, and a missing password file stops the start.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Docker from "dockerode";
import { buildPlan } from "../plan/plan";
import { parsePlatformConfig } from "../config/load";
import { ADMIN_PASSWORD_FILE, DB_PASSWORD_FILE, identityContainer, keycloakArgs, KEYCLOAK_HOME, REALM_FILE } from "../render/keycloak/from-plan";
import { TLS_DIR } from "../render/hardening";
import { dockerUnavailable } from "../sandbox/docker-availability";
import { minimalConfig } from "./support/stack-config";
import { INFRA_UID } from "../plan/names";

const IMAGE = "platform/debian-minbase:bookworm";
const PREFIX = `creds-kc-entry-${process.pid}`;
const docker = new Docker();

const raw = minimalConfig();
raw.identity = { ...raw.identity, database: { kind: "postgres", image: `registry.example/postgres@sha256:${"f".repeat(64)}` } };
const plan = buildPlan(parsePlatformConfig(raw).config, "kc-entry");
const keycloak = identityContainer(plan);

const FAKE_KC = `#!/bin/bash
printf 'args:%s\\n' "$*"
printf 'admin:%s\\n' "\${KC_BOOTSTRAP_ADMIN_PASSWORD-unset}"
printf 'db:%s\\n' "\${KC_DB_PASSWORD-unset}"
test -f ${KEYCLOAK_HOME}/data/import/${plan.config.identity.realm}.json && echo realm-copied
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
async function runEntrypoint(name: string, tlsDir: string, binDir: string): Promise<{ status: number; output: string; inspectedEnv: string[] }> {
  const container = await docker.createContainer({
    name: `${PREFIX}-${name}`,
    Image: IMAGE,
    User: keycloak.user,
    Entrypoint: keycloak.entrypoints,
    Env: keycloak.envs,
    HostConfig: {
      NetworkMode: "none",
      ReadonlyRootfs: true,
      CapDrop: ["ALL"],
      SecurityOpt: ["no-new-privileges:true"],
      Tmpfs: { [`${KEYCLOAK_HOME}/data`]: keycloak.tmpfs[`${KEYCLOAK_HOME}/data`] },
      Binds: [`${tlsDir}:${TLS_DIR}:ro`, `${binDir}:${KEYCLOAK_HOME}/bin:ro`],
    },
  });
  try {
    await container.start();
    const result = await Promise.race([
      container.wait(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("entrypoint did not exit within 30 s")), 30_000)),
    ]);
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

  it("hands kc.sh both passwords from their files and every argument intact; Docker's record of the env holds neither", { skip }, async () => {
    const tls = tlsDirWith("ok", { [REALM_FILE]: "{}\n", [ADMIN_PASSWORD_FILE]: adminPassword, [DB_PASSWORD_FILE]: `${dbPassword}\n` });
    const run = await runEntrypoint("ok", tls, binDir);
    assert.equal(run.status, 0, run.output);
    const lines = run.output.split("\n");
    assert.ok(lines.includes(`admin:${adminPassword}`), run.output);
    assert.ok(lines.includes(`db:${dbPassword}`), "a trailing newline in the file is not part of the password");
    assert.ok(lines.includes("realm-copied"), run.output);
    assert.equal(lines.find((l) => l.startsWith("args:")), `args:${keycloakArgs(plan).join(" ")}`);
    const inspected = run.inspectedEnv.join("\n");
    assert.ok(!inspected.includes(adminPassword) && !inspected.includes(dbPassword), "docker inspect shows no password");
  });

  it("stops before kc.sh when a password file is missing", { skip }, async () => {
    const tls = tlsDirWith("missing", { [REALM_FILE]: "{}\n", [DB_PASSWORD_FILE]: dbPassword });
    const run = await runEntrypoint("missing", tls, binDir);
    assert.notEqual(run.status, 0);
    assert.match(run.output, /admin-password: No such file or directory/);
    assert.ok(!run.output.includes("args:"), `kc.sh must not start: ${run.output}`);
  });
});
