// Checks against the real Envoy and Keycloak, run only when the configured images are present in the
// local Docker engine (no registry is reachable here, nothing is pulled). Each skip says exactly why.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Docker from "dockerode";
import { stringify } from "yaml";
import { caSignedCertificate, generateKey, selfSignedCertificate } from "../mock-runner/key-material";
import { renderEnvoyBootstrap } from "../render/envoy/bootstrap";
import { spkiPinFromPem } from "../render/envoy/spki";
import { renderRealmJson } from "../render/keycloak/realm";
import { dockerUnavailable } from "../sandbox/docker-availability";
import { stackConfig } from "./support/stack-config";
import { sampleClientSecrets, sampleGatewayInput, sampleRealmInput } from "./support/envoy-inputs";

const docker = new Docker();
const CONFIG = stackConfig("dev");
const ENVOY_IMAGE = (CONFIG["platform:gateway"] as { image: string }).image;
const KEYCLOAK_IMAGE = (CONFIG["platform:identity"] as { image: string }).image;
const PREFIX = `gwtest-${process.pid}`;
/** how to get an upstream image of the dev stack (npm run images builds only platform/*) */
const upstreamImage = (key: string) => `pull or load it (${key} in Pulumi.dev.yaml, an upstream image that npm run images does not build)`;

async function runToCompletion(image: string, cmd: string[], binds: string[], timeoutMs: number): Promise<{ code: number; output: string }> {
  const container = await docker.createContainer({
    name: `${PREFIX}-${Math.random().toString(36).slice(2, 8)}`,
    Image: image,
    Cmd: cmd,
    User: "65534:65534",
    HostConfig: { NetworkMode: "none", Binds: binds, ReadonlyRootfs: true, CapDrop: ["ALL"], SecurityOpt: ["no-new-privileges:true"] },
  });
  try {
    await container.start();
    const result = await Promise.race([container.wait(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs))]);
    const logs = await container.logs({ stdout: true, stderr: true });
    return { code: result.StatusCode, output: logs.toString("utf8") };
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

describe("real Envoy: envoy --mode validate on a rendered bootstrap", { timeout: 120_000 }, async () => {
  const skip = (await dockerUnavailable(docker, [ENVOY_IMAGE], upstreamImage("platform:gateway.image"))) ?? false;
  let dir = "";

  before(() => {
    if (skip) return;
    dir = mkdtempSync(join(tmpdir(), `${PREFIX}-envoy-`));
    const caKey = generateKey("ECDSA");
    const caPem = selfSignedCertificate({ privateKeyPem: caKey.privateKeyPem, subject: { commonName: "test ca" } }, { validityPeriodHours: 24, allowedUses: ["cert_signing"], isCaCertificate: true });
    const gwKey = generateKey("ECDSA");
    const gwPem = caSignedCertificate({ privateKeyPem: gwKey.privateKeyPem, dnsNames: ["gateway"] }, { validityPeriodHours: 24, allowedUses: ["digital_signature", "server_auth", "client_auth"] }, { certPem: caPem, privateKeyPem: caKey.privateKeyPem });
    for (const [file, content] of [["ca.pem", caPem], ["cert.pem", gwPem], ["key.pem", gwKey.privateKeyPem]] as const) {
      writeFileSync(join(dir, file), content);
      chmodSync(join(dir, file), 0o644);
    }
    const input = sampleGatewayInput();
    input.tlsFiles = { ca: "/cfg/ca.pem", cert: "/cfg/cert.pem", key: "/cfg/key.pem" };
    input.apps = input.apps.map((a) => ({ ...a, clientSpkiPin: spkiPinFromPem(generateKey("ECDSA").publicKeyPem) }));
    writeFileSync(join(dir, "envoy.yaml"), stringify(renderEnvoyBootstrap(input)));
    chmodSync(join(dir, "envoy.yaml"), 0o644);
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("accepts the rendered bootstrap", { skip }, async () => {
    const result = await runToCompletion(ENVOY_IMAGE, ["envoy", "--mode", "validate", "-c", "/cfg/envoy.yaml"], [`${dir}:/cfg:ro`], 60_000);
    assert.equal(result.code, 0, result.output);
  });
});

describe("real Keycloak: the rendered realm imports", { timeout: 300_000 }, async () => {
  const skip = (await dockerUnavailable(docker, [KEYCLOAK_IMAGE], upstreamImage("platform:identity.image"))) ?? false;

  it("kc.sh import accepts the realm import file with its client secrets and no secret env", { skip }, async () => {
    const dir = mkdtempSync(join(tmpdir(), `${PREFIX}-kc-`));
    try {
      writeFileSync(join(dir, "realm.json"), renderRealmJson(sampleRealmInput(), sampleClientSecrets()));
      chmodSync(join(dir, "realm.json"), 0o644);
      const container = await docker.createContainer({
        name: `${PREFIX}-kc-import`,
        Image: KEYCLOAK_IMAGE,
        Cmd: ["import", "--file", "/cfg/realm.json"],
        HostConfig: { NetworkMode: "none", Binds: [`${dir}:/cfg:ro`], CapDrop: ["ALL"], SecurityOpt: ["no-new-privileges:true"] },
      });
      try {
        await container.start();
        const result = await Promise.race([container.wait(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error("kc.sh import timed out after 240 s")), 240_000))]);
        const logs = (await container.logs({ stdout: true, stderr: true })).toString("utf8");
        assert.equal(result.StatusCode, 0, logs);
      } finally {
        await container.remove({ force: true }).catch(() => undefined);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
