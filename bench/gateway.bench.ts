// Gateway renderer and deploy-time invariant costs, and what SPKI pinning adds to a TLS handshake.
// Run: npx tsx bench/gateway.bench.ts   (bounded: well under 2 minutes)
import { performance } from "node:perf_hooks";
import { generateKey, caSignedCertificate, selfSignedCertificate } from "../mock-runner/key-material";
import { renderEnvoyBootstrap, renderEnvoyYaml } from "../render/envoy/bootstrap";
import { checkGatewayInvariants } from "../render/envoy/invariants";
import { spkiPinFromPem } from "../render/envoy/spki";
import type { GatewayRenderInput } from "../render/envoy/types";
import { EnvoyTlsEmulator, tryClient } from "../test/support/envoy-tls-emulator";

const ms = (n: number) => `${n.toFixed(1)} ms`;

function platformInput(apps: number, services: number): GatewayRenderInput {
  const pin = Buffer.alloc(32, 9).toString("base64");
  const serviceNames = Array.from({ length: services }, (_, i) => `svc-${i}`);
  return {
    trustDomain: "bench.platform.example",
    listenPort: 8443,
    adminPort: 9901,
    tlsFiles: { ca: "/tls/ca.pem", cert: "/tls/cert.pem", key: "/tls/key.pem" },
    apps: Array.from({ length: apps }, (_, i) => ({
      name: `app-${i}`,
      spiffeId: `spiffe://bench.platform.example/app/app-${i}`,
      sourceSubnet: `10.${208 + Math.floor(i / 4096)}.${Math.floor((i % 4096) / 16)}.${(i % 16) * 16}/28`,
      clientSpkiPin: pin,
      grants: serviceNames.filter((_, s) => (i + s) % 3 === 0).map((service) => ({ service, methods: ["GET", "POST"], pathPrefixes: ["/v1/a", "/v1/b"] })),
      rateLimit: { requestsPerSecond: 10, burst: 20 },
    })),
    services: serviceNames.map((name) => ({ name, host: name, port: 8443, tls: { spiffeId: `spiffe://bench.platform.example/service/${name}`, spkiPin: pin } })),
    identity: { hostname: "identity.bench.platform.example", address: "10.208.1.4", port: 8443, realm: "platform", audience: "gateway.bench.platform.example" },
  };
}

function timeIt<T>(work: () => T, repeat: number): { result: T; each: number } {
  let result!: T;
  const started = performance.now();
  for (let i = 0; i < repeat; i++) result = work();
  return { result, each: (performance.now() - started) / repeat };
}

async function handshakes(count: number, pinned: boolean): Promise<number> {
  const caKey = generateKey("ECDSA");
  const caPem = selfSignedCertificate({ privateKeyPem: caKey.privateKeyPem, subject: { commonName: "bench ca" } }, { validityPeriodHours: 24, allowedUses: ["cert_signing"], isCaCertificate: true });
  const issue = (args: { uris?: string[]; ipAddresses?: string[] }, uses: string[]) => {
    const key = generateKey("ECDSA");
    return { keyPem: key.privateKeyPem, publicKeyPem: key.publicKeyPem, certPem: caSignedCertificate({ privateKeyPem: key.privateKeyPem, ...args }, { validityPeriodHours: 24, allowedUses: uses }, { certPem: caPem, privateKeyPem: caKey.privateKeyPem }) };
  };
  const gateway = issue({ ipAddresses: ["127.0.0.1"] }, ["digital_signature", "server_auth"]);
  const app = issue({ uris: ["spiffe://bench.platform.example/app/app-0"] }, ["digital_signature", "client_auth"]);
  const input = platformInput(1, 1);
  input.apps = [{ ...input.apps[0], sourceSubnet: "127.0.0.0/24", clientSpkiPin: spkiPinFromPem(app.publicKeyPem) }];
  const chain = (renderEnvoyBootstrap(input) as any).static_resources.listeners[0].filter_chains[0];
  if (!pinned) {
    delete chain.transport_socket.typed_config.common_tls_context.validation_context.verify_certificate_spki;
    delete chain.transport_socket.typed_config.common_tls_context.validation_context.match_typed_subject_alt_names;
  }
  const emulator = new EnvoyTlsEmulator([chain], { caPem, certPem: gateway.certPem, keyPem: gateway.keyPem });
  const port = await emulator.listen();
  try {
    const connect = () => tryClient(port, { localAddress: "127.0.0.1", client: { certPem: app.certPem, keyPem: app.keyPem }, caPem, timeoutMs: 5000 });
    for (let i = 0; i < 10; i++) await connect(); // warm-up, not timed
    const started = performance.now();
    for (let i = 0; i < count; i++) {
      const outcome = await connect();
      if (!outcome.ok) throw new Error(`handshake ${i} failed: ${JSON.stringify(outcome)}`);
    }
    return (performance.now() - started) / count;
  } finally {
    await emulator.close();
  }
}

async function main() {
  // render includes one invariant check (renderEnvoyBootstrap asserts them); "invariants" is that check alone
  console.log("apps  services     render  invariants  YAML bytes  invariants share");
  for (const [apps, services] of [[10, 5], [100, 10], [500, 20]] as const) {
    const input = platformInput(apps, services);
    const repeat = apps >= 500 ? 2 : apps >= 100 ? 5 : 20;
    const rendered = timeIt(() => renderEnvoyBootstrap(input), repeat);
    const checked = timeIt(() => checkGatewayInvariants(rendered.result), repeat);
    if (checked.result.length > 0) throw new Error(`bench config breaks an invariant: ${checked.result[0].message}`);
    const yamlBytes = Buffer.byteLength(renderEnvoyYaml(input));
    console.log(
      `${String(apps).padStart(4)}  ${String(services).padStart(8)}  ${ms(rendered.each).padStart(9)}  ${ms(checked.each).padStart(10)}  ${String(yamlBytes).padStart(10)}  ${((checked.each / rendered.each) * 100).toFixed(0).padStart(15)}%`,
    );
  }

  const count = 150;
  const plain = await handshakes(count, false);
  const pinned = await handshakes(count, true);
  console.log(`\nmTLS handshakes on loopback (${count} each, Node TLS, ECDSA P-256):`);
  console.log(`  CA check only:             ${ms(plain)} per connection`);
  console.log(`  CA + SAN + SPKI pin check: ${ms(pinned)} per connection  (ratio ${(pinned / plain).toFixed(2)})`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
