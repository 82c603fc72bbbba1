// Gateway overhead, live: the same sequential requests from one app (a) straight to a service and (b)
// through the real Envoy running the bootstrap the platform renders for that app (mTLS with the app's
// pinned key, its token bucket, JWT, RBAC, router, JSON access log, mTLS to the service), side by side
// in interleaved rounds, in two modes: keep-alive (one connection per path) and a new connection (TCP +
// TLS handshake) per request. Figures are ratios and added milliseconds; nothing asserts on timing.
//
// The rig, all in the local Docker engine and built from the platform's own renderers and plan:
//   app network ── client (appContainer, the app's address .4, the app's cert/key/CA in its TLS volume)
//               ├─ gateway (gatewayContainer at .2, renderEnvoyYaml(gatewayInput(plan, pins)))
//               └─ origin, attached here at .5 as well, for the direct path only (a bench-only link)
//   services network ── origin (serviceContainer: python3 answering after 1 ms; mTLS on 8443, HTTP on 8080)
//   identity network ── a JWKS stand-in at Keycloak's address, name and port with Keycloak's certificate
//                       (a UID of its own, not Keycloak's: see JWKS_STANDIN_UID)
// The token is an RS256 JWT signed here for the app (Keycloak's claims, issuer and audience) whose key
// the stand-in serves: the real Keycloak takes minutes to start on a loaded host, and Envoy verifies a
// token locally against cached keys either way (bench/identity.bench.ts measures Keycloak itself).
//
// Bounded: per mode at most REQUESTS per path and MAX_SECONDS for all paths together; every exec has a
// hard limit; everything created is removed at the end, also on failure or SIGINT/SIGTERM.
// Run: npm run bench -- gateway-live     (BENCH_GATEWAY_REQUESTS=200 for a quick run)
import type Docker from "dockerode";
import { hostAddress, parseCidr } from "../config/cidr";
import { parsePlatformConfig } from "../config/load";
import { buildPlan, infraAddress, type PlatformPlan } from "../plan/plan";
import { INFRA_UID, PLATFORM_LABEL, volumeName } from "../plan/names";
import { hardenedContainer, TLS_FILES, tlsUploads } from "../render/hardening";
import { renderEnvoyYaml } from "../render/envoy/bootstrap";
import { ENVOY_CONFIG_FILE, gatewayAddresses, gatewayContainer, gatewayInput, gatewaySpiffeId } from "../render/envoy/from-plan";
import { spkiPinFromPem } from "../render/envoy/spki";
import { identityContainer } from "../render/keycloak/from-plan";
import { gatewayAudience, identityHostname, oidcEndpoints, serviceScope } from "../render/keycloak/oidc";
import { appContainer, defaultServiceHealthcheck, serviceContainer } from "../render/workloads";
import { dockerUnavailable } from "../sandbox/docker-availability";
import { execIn } from "../sandbox/exec";
import { REAL_ENVOY_IMAGE } from "../test/support/real-envoy";
import { BenchRig, logTail, runName } from "./support/docker-rig";
import { TimedTarget, timeRequests } from "./support/http-timer";
import { clientCredentialsClaims, rs256Issuer } from "./support/jwt";
import { envNumber, runBench } from "./support/lifecycle";
import { issueCertificates } from "./support/pki";
import { comparisonLine, latencyLine, loadLine, summarize } from "./support/stats";
import { tinyServerCommand } from "./support/tiny-server";

const PROBE_IMAGE = "platform/probe:dev";
const TRUST_DOMAIN = "bench.platform.example";
const APP = "bench-client";
const SERVICE = "origin";
const ORIGIN_TLS_PORT = 8443;
const ORIGIN_HTTP_PORT = 8080;
const ORIGIN_DELAY_MS = 1;
/** the origin's extra address on the app network (the app's subnet: bridge .1, gateway .2, egress .3, app .4) */
const ORIGIN_APP_NET_OFFSET = 5;
const GOAL_P50_RATIO = 1.5;
/** the stat prefix the renderer gives the app's chain (render/envoy/app-chain.ts) */
const CHAIN_STATS = `app_${APP.replace(/-/g, "_")}`;
const REQUESTS = Math.round(envNumber("BENCH_GATEWAY_REQUESTS", 2000));
const MAX_SECONDS = envNumber("BENCH_GATEWAY_MAX_SECONDS", 60);
const ROUNDS = 4;
/** client and origin get a whole CPU each, so neither is throttled; the gateway keeps the platform's defaults */
const WORKLOAD_RESOURCES = { memoryMb: 128, cpus: 1, maxProcesses: 256 };
/**
 * The JWKS stand-in's own UID: nproc counts a UID's processes across containers, and the Keycloaks of
 * concurrent runs (tests, the sandbox) hold hundreds of JVM threads as Keycloak's 9200.
 */
const JWKS_STANDIN_UID = 9250;
const IDLE = ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"];

/** One app granted GET on the origin, its rate limit at the schema's maxima (out of the way). */
function benchPlan(baseCidr: string, stack: string): PlatformPlan {
  const raw = {
    trustDomain: TRUST_DOMAIN,
    allowUnpinnedImages: true, // local tags: a digest exists only once an image is built here
    network: { baseCidr },
    services: [
      {
        name: SERVICE,
        image: PROBE_IMAGE,
        port: ORIGIN_TLS_PORT,
        protocol: "https",
        resources: WORKLOAD_RESOURCES,
        command: tinyServerCommand({
          listeners: [{ port: ORIGIN_HTTP_PORT }, { port: ORIGIN_TLS_PORT, tls: { certFile: TLS_FILES.cert, keyFile: TLS_FILES.key, clientCaFile: TLS_FILES.ca } }],
          delayMs: ORIGIN_DELAY_MS,
          body: "ok\n",
        }),
      },
    ],
    apps: [
      {
        name: APP,
        image: PROBE_IMAGE,
        services: [{ name: SERVICE, methods: ["GET"], pathPrefixes: ["/"] }],
        rateLimit: { requestsPerSecond: 10000, burst: 100000 },
        resources: WORKLOAD_RESOURCES,
        command: IDLE,
      },
    ],
    gateway: { image: REAL_ENVOY_IMAGE },
    // declared only because the schema wants them; neither runs here
    egress: { image: "platform/squid:dev" },
    identity: { image: "platform/keycloak:unused" },
  };
  return buildPlan(parsePlatformConfig(raw).config, stack);
}

/** Envoy's counters for the app's chain, read inside the gateway (its admin port listens on loopback only). */
async function chainCounters(gateway: Docker.Container, adminPort: number): Promise<Map<string, number>> {
  const script = `exec 3<>/dev/tcp/127.0.0.1/${adminPort} && printf 'GET /stats?usedonly&filter=${CHAIN_STATS} HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nConnection: close\\r\\n\\r\\n' >&3 && cat <&3`;
  const run = await execIn(gateway, ["bash", "-c", script], { timeoutMs: 15_000 });
  return new Map([...run.stdout.matchAll(/^(\S+): (\d+)\s*$/gm)].map((m) => [m[1], Number(m[2])]));
}

runBench(async ({ onCleanup, phase }) => {
  const stack = runName("gwlive");
  const rig = new BenchRig(stack);
  const unavailable = await dockerUnavailable(rig.docker, [REAL_ENVOY_IMAGE, PROBE_IMAGE]);
  if (unavailable) {
    console.log(`gateway-live bench skipped: ${unavailable}`);
    return;
  }
  const loadBefore = loadLine();
  onCleanup(async () => phase(`removed ${(await rig.teardown()).length} Docker objects`));

  const plan = await rig.planOnFreeCidr(
    (baseCidr) => benchPlan(baseCidr, stack),
    (p) => [...p.apps.map((a) => a.network), p.networks.services, p.networks.identity],
  );
  const [app] = plan.apps;
  const [service] = plan.services;
  const { config } = plan;
  const identityIp = infraAddress(plan.networks.identity, "identity");
  const idHost = identityHostname(TRUST_DOMAIN);
  phase(`networks up (${plan.baseCidr})`);

  // certificates exactly as ThirdPartyApp, PlatformService, IdentityProvider and ApiGateway request them
  const gw = gatewayAddresses(plan);
  const pki = await issueCertificates(stack, { ...config.ca }, {
    app: { commonName: APP, uris: [app.spiffeId], usage: "client" },
    service: { commonName: SERVICE, uris: [service.spiffeId], dnsNames: [service.hostname], usage: "server" },
    identity: { commonName: idHost, dnsNames: [idHost, "identity"], ipAddresses: [identityIp], usage: "server" },
    gateway: { commonName: "gateway", uris: [gatewaySpiffeId(TRUST_DOMAIN)], dnsNames: gw.dnsNames, ipAddresses: gw.ips, usage: "server-and-client" },
  });
  const material = (leaf: keyof typeof pki.leaves, gid: number) => tlsUploads({ ca: pki.caPem, cert: pki.leaves[leaf].certPem, key: pki.leaves[leaf].keyPem }, gid);
  const envoyYaml = renderEnvoyYaml(
    gatewayInput(plan, {
      apps: { [APP]: spkiPinFromPem(pki.leaves.app.publicKeyPem) },
      services: { [SERVICE]: spkiPinFromPem(pki.leaves.service.publicKeyPem) },
      identity: spkiPinFromPem(pki.leaves.identity.publicKeyPem),
    }),
  );
  phase("certificates issued (InternalCa under the mock runner), Envoy bootstrap rendered");

  // the origin: the service as the platform runs it, plus an address on the app network for the direct path
  const originOnAppNet = hostAddress(parseCidr(app.network.subnet)!, ORIGIN_APP_NET_OFFSET);
  const origin = serviceContainer(plan, service);
  const originContainer = await rig.workload({ ...origin, networksAdvanced: [...origin.networksAdvanced, { name: app.network.dockerName, ipv4Address: originOnAppNet, aliases: [] }] }, material("service", service.uid));

  // Keycloak's stand-in: its address, aliases, name and certificate; serves only the realm's JWKS
  const issuer = rs256Issuer();
  const oidc = oidcEndpoints({ hostname: idHost, port: config.identity.port, realm: config.identity.realm });
  const keycloakSpec = identityContainer(plan);
  const standIn = await rig.workload(
    hardenedContainer({
      name: keycloakSpec.name,
      image: PROBE_IMAGE,
      hostname: "identity",
      uid: JWKS_STANDIN_UID,
      command: tinyServerCommand({ listeners: [{ port: config.identity.port, tls: { certFile: TLS_FILES.cert, keyFile: TLS_FILES.key } }], routes: { [oidc.jwksPath]: issuer.jwksJson }, contentType: "application/json" }),
      env: {},
      labels: { [PLATFORM_LABEL.role]: "identity", [PLATFORM_LABEL.stack]: stack },
      resources: WORKLOAD_RESOURCES,
      healthcheck: defaultServiceHealthcheck(config.identity.port),
      networks: keycloakSpec.networksAdvanced,
      tlsVolume: volumeName(keycloakSpec.name, "tls"),
    }),
    material("identity", JWKS_STANDIN_UID),
  );

  const gateway = await rig.workload(gatewayContainer(plan), [
    ...material("gateway", INFRA_UID.gateway),
    { file: ENVOY_CONFIG_FILE, content: envoyYaml, permissions: "0440", owner: "0", group: String(INFRA_UID.gateway) },
  ]);
  const client = await rig.workload(appContainer(plan, app), material("app", app.uid));
  for (const server of [originContainer, standIn]) await rig.waitForOutput(server, "listening", 30_000);
  phase("origin, JWKS stand-in, gateway and client started");

  const appTls = { caFile: TLS_FILES.ca, certFile: TLS_FILES.cert, keyFile: TLS_FILES.key };
  const targets = (keepAlive: boolean, token: string): TimedTarget[] => [
    { label: "direct, HTTP (no TLS)", host: originOnAppNet, port: ORIGIN_HTTP_PORT, path: "/bench", keepAlive },
    { label: "direct, mTLS", host: originOnAppNet, port: ORIGIN_TLS_PORT, path: "/bench", keepAlive, tls: { ...appTls, serverName: service.hostname } },
    { label: "gateway (mTLS+JWT+RBAC, mTLS upstream)", host: app.gatewayIp, port: config.gateway.listenPort, path: `/${SERVICE}/bench`, headers: { authorization: `Bearer ${token}` }, keepAlive, tls: appTls },
  ];
  const report: string[] = [];
  for (const mode of [
    { keepAlive: true, title: "keep-alive: one connection per path, sequential requests", warmup: 50 },
    { keepAlive: false, title: "new connection per request: TCP + TLS handshake each time, sequential", warmup: 20 },
  ]) {
    // a fresh token per mode, with the realm's lifetime (signed just before it is used)
    const token = issuer.sign(clientCredentialsClaims({ issuer: oidc.issuer, audience: gatewayAudience(TRUST_DOMAIN), app: APP, scopes: [serviceScope(SERVICE)], lifetimeSeconds: config.identity.accessTokenLifespanSeconds }));
    const result = await timeRequests(client, { targets: targets(mode.keepAlive, token), requests: REQUESTS, rounds: ROUNDS, maxSeconds: MAX_SECONDS, warmup: mode.warmup, readySeconds: 60, expectStatus: 200, timeoutSeconds: 5 }).catch((error: Error) => {
      // the gateway's own account: its access log says why it refused (e.g. the JWT check's details)
      throw new Error(`${error.message}\ngateway log, last lines:\n${logTail(gateway, 15)}`);
    });
    const times = Object.entries(result.targets).map(([label, t]) => ({ label, summary: summarize(t.latencies), connections: t.connections }));
    const [directHttp, directTls, viaGateway] = times.map((t) => t.summary);
    const reconnects = mode.keepAlive ? `; connections opened while timing: ${times.map((t) => t.connections).join(", ")} (0 = the warm connection held)` : "";
    report.push(
      `${mode.title}${reconnects}`,
      ...times.map((t) => latencyLine(t.label, t.summary, 40)),
      comparisonLine("gateway", "direct HTTP", viaGateway, directHttp, GOAL_P50_RATIO),
      comparisonLine("gateway", "direct mTLS", viaGateway, directTls),
    );
    phase(`${mode.keepAlive ? "keep-alive" : "new-connection"} mode measured`);
  }

  const counters = await chainCounters(gateway, config.gateway.adminPort);
  const count = (name: string) => counters.get(name) ?? 0;
  console.log(`\nGateway overhead, live (real Envoy ${REAL_ENVOY_IMAGE} with the platform's rendered bootstrap; origin answers after ${ORIGIN_DELAY_MS} ms; one client on the app's address, sequential)`);
  console.log(`direct mTLS ends at the origin's own TLS (Python's ssl); through the gateway the app's TLS ends at Envoy, which keeps its mTLS connection to the origin open`);
  console.log(`token: RS256 JWT for ${APP} (scope ${serviceScope(SERVICE)}) from a stand-in issuer whose JWKS is served at Keycloak's address; not the real Keycloak`);
  console.log(`load average (1/5/15 min) before: ${loadBefore}, after: ${loadLine()}  (figures from a busy machine are noisy; compare ratios)`);
  for (const line of report) console.log(line.startsWith(" ") ? line : `\n${line}`);
  const http = `http.${CHAIN_STATS}`;
  console.log(
    `\nEnvoy counted for the app's chain (warm-up included): ${count(`${http}.downstream_rq_2xx`)} requests answered 2xx over ${count(`${http}.downstream_cx_ssl_total`)} TLS connections, ` +
      `${count(`${http}.jwt_authn.allowed`)} JWTs verified (${count(`${http}.jwt_authn.jwt_cache_miss`)} cache misses), ${count(`${http}.rbac.allowed`)} RBAC allows / ${count(`${http}.rbac.denied`)} denies, ` +
      `${count(`${CHAIN_STATS}.http_local_rate_limit.ok`)} passed the token bucket / ${count(`${CHAIN_STATS}.http_local_rate_limit.rate_limited`)} rate-limited`,
  );
});
