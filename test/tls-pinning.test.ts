// Real TLS handshakes with certificates from the platform's CA code path (InternalCa under Pulumi
// mocks with real key material): the rendered gateway chain's settings applied by a Node TLS server
// that checks CA, URI SAN and SPKI pin as Envoy does.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import * as pulumi from "@pulumi/pulumi";
import { InternalCa } from "../components/internal-ca";
import { runProgram } from "../mock-runner/run-program";
import { renderEnvoyBootstrap } from "../render/envoy/bootstrap";
import { spkiPinFromPem } from "../render/envoy/spki";
import type { GatewayRenderInput } from "../render/envoy/types";
import { sampleGatewayInput } from "./support/envoy-inputs";
import { EnvoyTlsEmulator, tryClient } from "./support/envoy-tls-emulator";

const TD = "test.platform.example";
const APP_A = { name: "forecast-widget", address: "127.0.0.10", subnet: "127.0.0.0/28" };
const APP_B = { name: "backup-agent", address: "127.0.0.20", subnet: "127.0.0.16/28" };
const spiffe = (app: string) => `spiffe://${TD}/app/${app}`;

interface Leaf {
  certPem: string;
  keyPem: string;
  publicKeyPem: string;
}

async function issueEverything() {
  const run = await runProgram(
    () => {
      const caArgs = { commonName: "Test Platform CA", validityHours: 24 * 30, leafValidityHours: 24, earlyRenewalHours: 1 };
      const ca = new InternalCa("ca", caArgs);
      const rogueCa = new InternalCa("rogue-ca", { ...caArgs, commonName: "Rogue CA" });
      const owner = new pulumi.ComponentResource("test:tls:Owner", "owner");
      const leaf = (issuer: InternalCa, name: string, args: Parameters<InternalCa["issue"]>[1]) => {
        const l = issuer.issue(name, args, owner);
        return { certPem: l.certPem, keyPem: l.privateKeyPem, publicKeyPem: l.publicKeyPem };
      };
      return {
        caPem: ca.certPem,
        gateway: leaf(ca, "gateway", { commonName: "gateway", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], uris: [`spiffe://${TD}/gateway`], usage: "server-and-client" }),
        appA: leaf(ca, "app-a", { commonName: APP_A.name, uris: [spiffe(APP_A.name)], usage: "client" }),
        appB: leaf(ca, "app-b", { commonName: APP_B.name, uris: [spiffe(APP_B.name)], usage: "client" }),
        // correctly signed by the platform CA, right SAN, but a key the gateway never pinned
        appAUnpinned: leaf(ca, "app-a-unpinned", { commonName: APP_A.name, uris: [spiffe(APP_A.name)], usage: "client" }),
        // same SAN, signed by another CA
        appARogue: leaf(rogueCa, "app-a-rogue", { commonName: APP_A.name, uris: [spiffe(APP_A.name)], usage: "client" }),
      };
    },
    { config: {}, stack: "tls-test", material: "real" },
  );
  return run.outputs as { caPem: string; gateway: Leaf; appA: Leaf; appB: Leaf; appAUnpinned: Leaf; appARogue: Leaf };
}

describe("real TLS against the rendered gateway chains", { timeout: 60_000 }, () => {
  let material: Awaited<ReturnType<typeof issueEverything>>;
  let emulator: EnvoyTlsEmulator;
  let port: number;

  before(async () => {
    material = await issueEverything();
    const input: GatewayRenderInput = sampleGatewayInput();
    const pins = { [APP_A.name]: spkiPinFromPem(material.appA.publicKeyPem), [APP_B.name]: spkiPinFromPem(material.appB.publicKeyPem) };
    const subnets = { [APP_A.name]: APP_A.subnet, [APP_B.name]: APP_B.subnet };
    input.apps = input.apps.map((app) => ({ ...app, clientSpkiPin: pins[app.name], sourceSubnet: subnets[app.name] }));
    const bootstrap = renderEnvoyBootstrap(input) as Record<string, any>;
    emulator = new EnvoyTlsEmulator(bootstrap.static_resources.listeners[0].filter_chains, { caPem: material.caPem, certPem: material.gateway.certPem, keyPem: material.gateway.keyPem });
    port = await emulator.listen();
  });

  after(async () => {
    await emulator?.close();
  });

  const connect = (from: string, client: Leaf, extra: { maxVersion?: "TLSv1.1" } = {}) =>
    tryClient(port, { localAddress: from, client: { certPem: client.certPem, keyPem: client.keyPem }, caPem: material.caPem, timeoutMs: 5000, ...extra });
  const lastVerdict = () => emulator.verdicts[emulator.verdicts.length - 1];

  it("the pin is Envoy's: base64 SHA-256 of the DER SubjectPublicKeyInfo, as openssl computes it", () => {
    const viaOpenssl = execFileSync("sh", ["-c", "openssl x509 -noout -pubkey | openssl pkey -pubin -outform DER | openssl dgst -sha256 -binary | openssl enc -base64"], { input: material.appA.certPem, encoding: "utf8" }).trim();
    assert.equal(spkiPinFromPem(material.appA.certPem), viaOpenssl);
    assert.equal(spkiPinFromPem(material.appA.publicKeyPem), viaOpenssl);
    assert.equal(spkiPinFromPem(material.appA.keyPem), viaOpenssl);
    assert.equal(viaOpenssl.length, 44);
  });

  it("a client with its own CA-issued, pinned certificate from its own subnet succeeds (and verifies the gateway)", async () => {
    const outcome = await connect(APP_A.address, material.appA);
    assert.equal(outcome.reply, "OK app:forecast-widget", JSON.stringify(outcome));
    assert.deepEqual(lastVerdict(), { chain: "app:forecast-widget", accepted: true, reason: "ok" });
    const b = await connect(APP_B.address, material.appB);
    assert.equal(b.reply, "OK app:backup-agent", JSON.stringify(b));
  });

  it("a client whose certificate comes from another CA fails the handshake", async () => {
    const outcome = await connect(APP_A.address, material.appARogue);
    assert.equal(outcome.ok, false);
    assert.equal(lastVerdict().accepted, false);
    // Node reports the failed CA check after the handshake, Envoy during it: either way, refused
    assert.match(lastVerdict().reason, /^(handshake: |untrusted certificate: UNABLE_TO_VERIFY_LEAF_SIGNATURE)/);
  });

  it("a correctly signed certificate with the right SAN but an unpinned key fails on the SPKI pin", async () => {
    const outcome = await connect(APP_A.address, material.appAUnpinned);
    assert.equal(outcome.ok, false);
    assert.deepEqual(lastVerdict(), { chain: "app:forecast-widget", accepted: false, reason: "spki pin mismatch" });
  });

  it("another app's valid certificate is refused in this app's chain (network and certificate must agree)", async () => {
    const outcome = await connect(APP_A.address, material.appB);
    assert.equal(outcome.ok, false);
    assert.deepEqual(lastVerdict(), { chain: "app:forecast-widget", accepted: false, reason: "spki pin mismatch" });
  });

  it("a source address outside every app subnet gets no chain at all", async () => {
    const outcome = await connect("127.0.0.200", material.appA);
    assert.equal(outcome.ok, false);
    assert.equal(lastVerdict().chain, undefined);
  });

  it("TLS 1.1 is refused by the chain's protocol floor", async () => {
    const outcome = await connect(APP_A.address, material.appA, { maxVersion: "TLSv1.1" });
    assert.equal(outcome.ok, false);
    assert.match(lastVerdict().reason, /^handshake: /);
  });
});
