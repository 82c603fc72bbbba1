// Key pinning across `pulumi up` runs (paper IV-B). The gateway pins each app's key, not its certificate:
// a certificate renewed for the same key (earlyRenewalHours) must leave the rendered bootstrap as it is,
// and a rotated key must change exactly that app's pin in the same run that issues its new certificate.
// Runs the real program under mocks with real keys and openssl-signed certificates; the provider keeps
// keys across runs the way a stack's state does (mock-runner `keys`). The gateway container is replaced
// with its upload seed (test/program.test.ts), so Envoy starts on the re-rendered bootstrap in that run.
import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { parse } from "yaml";
import { generateKey } from "../mock-runner/key-material";
import { ProgramRun, RecordedResource, runProgram } from "../mock-runner/run-program";
import { spkiPinFromPem } from "../render/envoy/spki";
import { describeVerdicts, envoyImageAbsentReason, validateWithRealEnvoy } from "./support/real-envoy";
import { PROGRAM, stackConfig } from "./support/stack-config";

type Obj = Record<string, any>;
const KEY_TYPE = "tls:index/privateKey:PrivateKey";
const CERT_TYPE = "tls:index/locallySignedCert:LocallySignedCert";
const ENVOY_FILE = "/etc/platform/tls/envoy.yaml";
const APP = "forecast-widget";
const OTHER = "backup-agent";

const run = (keys?: Record<string, { privateKeyPem: string; publicKeyPem: string }>) => runProgram(PROGRAM, { config: stackConfig("dev"), stack: "dev", material: "real", keys });

/** Every private key of a run, by logical name: what the stack's state would keep. */
function keysOf(program: ProgramRun): Record<string, { privateKeyPem: string; publicKeyPem: string }> {
  return Object.fromEntries(program.ofType(KEY_TYPE).map((r) => [r.name, { privateKeyPem: r.state.privateKeyPem, publicKeyPem: r.state.publicKeyPem }]));
}

const clientKeyName = (program: ProgramRun, app: string) => {
  const names = program.ofType(KEY_TYPE).map((r) => r.name).filter((n) => n.includes(app) && n.includes("client"));
  assert.equal(names.length, 1, `one client key for ${app}: ${names.join(", ")}`);
  return names[0];
};
const clientCert = (program: ProgramRun, app: string): RecordedResource => {
  const certs = program.ofType(CERT_TYPE).filter((r) => r.name.includes(app) && r.name.includes("client"));
  assert.equal(certs.length, 1);
  return certs[0];
};

function envoyYaml(program: ProgramRun): string {
  const seed = program.ofType("docker:index/container:Container").find((c) => (c.inputs.uploads as Obj[] | undefined)?.some((u) => u.file === ENVOY_FILE));
  assert.ok(seed, "the gateway's seed uploads its bootstrap");
  return (seed!.inputs.uploads as Obj[]).find((u) => u.file === ENVOY_FILE)!.content as string;
}

/** app name → the pins its filter chain requires */
function pinsByApp(yaml: string): Record<string, string[]> {
  const chains = parse(yaml).static_resources.listeners[0].filter_chains as Obj[];
  return Object.fromEntries(
    chains.map((chain) => {
      const app = chain.filters[0].typed_config.route_config.name.replace(/^app:/, "");
      return [app, chain.transport_socket.typed_config.common_tls_context.validation_context.verify_certificate_spki];
    }),
  );
}

describe("key pinning across updates (real keys, mocks)", { timeout: 300_000 }, () => {
  let first: ProgramRun;
  let renewed: ProgramRun;
  let rotated: ProgramRun;
  let newKey: { privateKeyPem: string; publicKeyPem: string };

  before(async () => {
    first = await run();
    renewed = await run(keysOf(first));
    newKey = generateKey("ECDSA", "P256");
    rotated = await run({ ...keysOf(first), [clientKeyName(first, APP)]: newKey });
  });

  it("pins each app's own key: the SPKI SHA-256 of its certificate's public key", () => {
    const pins = pinsByApp(envoyYaml(first));
    for (const app of [APP, OTHER]) assert.deepEqual(pins[app], [spkiPinFromPem(clientCert(first, app).state.certPem)]);
  });

  it("a certificate renewed for the same key leaves the gateway's bootstrap byte for byte as it was", () => {
    assert.notEqual(clientCert(renewed, APP).state.certPem, clientCert(first, APP).state.certPem, "the certificate was re-issued");
    assert.equal(spkiPinFromPem(clientCert(renewed, APP).state.certPem), spkiPinFromPem(clientCert(first, APP).state.certPem));
    assert.equal(envoyYaml(renewed), envoyYaml(first));
  });

  it("a rotated key changes exactly that app's pin, in the same run that issues its new certificate", () => {
    const before = pinsByApp(envoyYaml(first));
    const after = pinsByApp(envoyYaml(rotated));
    const expected = spkiPinFromPem(newKey.publicKeyPem);
    assert.deepEqual(after[APP], [expected]);
    assert.notDeepEqual(after[APP], before[APP]);
    assert.equal(spkiPinFromPem(clientCert(rotated, APP).state.certPem), expected, "the new certificate carries the new key");
    assert.deepEqual(after[OTHER], before[OTHER], "no other app's pin moves");
  });

  it("real Envoy accepts the re-rendered bootstraps of the renewal and the rotation", { skip: envoyImageAbsentReason() ?? false }, () => {
    const verdicts = validateWithRealEnvoy([
      { name: "after the certificate renewal", yaml: envoyYaml(renewed) },
      { name: "after the key rotation", yaml: envoyYaml(rotated) },
    ]);
    assert.equal(verdicts.length, 2);
    assert.equal(describeVerdicts(verdicts), "");
  });
});
