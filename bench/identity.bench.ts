// The identity provider, live: the real Keycloak (dev-file image) in the container the platform renders
// for it (render/keycloak/from-plan.ts identityContainer: UID 9200, read-only root, tmpfs data dir,
// memory = memorySwap, CPU and process limits, its own /health/ready healthcheck), with the realm and
// server certificate the platform makes, started by test/support/real-keycloak.ts exactly as
// test/keycloak-real.test.ts does. It prints
//   - start → ready: container start to the first passing run of its own healthcheck (Docker "healthy"),
//     with the bracket the 5 s check interval leaves and Keycloak's own start figures;
//   - memory at rest (docker stats, ready + 10 s) against the default identity memory limit of
//     config/schema.ts, and whether that default leaves headroom; memory again after the token load;
//   - the token endpoint: p50/p99 of client-credentials requests from a container on the identity
//     network (RealKeycloak's probe), HTTPS verified against the platform CA, over one kept-alive connection and with a new
//     TLS connection each, interleaved; plus the first token after ready.
// Figures only, no assertions on timing. Bounded: Keycloak must be ready within READY_WITHIN_MS, the
// token phase stops at REQUESTS per mode or MAX_SECONDS; everything is removed at the end, also on
// failure or SIGINT/SIGTERM. Run: npm run bench -- identity   (BENCH_IDENTITY_REQUESTS=50 for a quick run)
import Docker from "dockerode";
import { parsePlatformConfig } from "../config/load";
import { PLATFORM_LABEL } from "../plan/names";
import { TLS_FILES } from "../render/hardening";
import { identityContainer } from "../render/keycloak/from-plan";
import { identityHostname, oidcEndpoints } from "../render/keycloak/oidc";
import { dockerUnavailable } from "../sandbox/docker-availability";
import { execIn } from "../sandbox/exec";
import { generateSecret, imagesFor, KEYCLOAK_IMAGE, RealKeycloak, SERVICES, TRUST_DOMAIN } from "../test/support/real-keycloak";
import { minimalConfig } from "../test/support/stack-config";
import { TimedTarget, timeRequests } from "./support/http-timer";
import { envNumber, runBench } from "./support/lifecycle";
import { latencyLine, loadLine, summarize } from "./support/stats";

const APP = "bench-app";
/** generous: 25-58 s at 1 CPU on a quiet host, several times that on a loaded one */
const READY_WITHIN_MS = 360_000;
const AT_REST_AFTER_READY_MS = 10_000;
/** "fits with headroom": at least this share of the limit is free at rest (the JVM grows under load) */
const HEADROOM_GOAL = 0.25;
const REQUESTS = Math.round(envNumber("BENCH_IDENTITY_REQUESTS", 200));
const MAX_SECONDS = 120;
const ROUNDS = 4;
const MiB = 2 ** 20;

/** Docker's timestamps carry nanoseconds; Date.parse wants at most milliseconds. */
const dockerTime = (stamp: string) => Date.parse(stamp.replace(/(\.\d{3})\d+/, "$1"));

/** When readiness came, as far as Docker's health log tells: after the last failing check began, by the end of the first passing one. */
function readyBracket(info: Docker.ContainerInspectInfo): { after?: number; by: number } {
  const started = dockerTime(info.State.StartedAt);
  const log = info.State.Health?.Log ?? [];
  const firstPass = log.findIndex((entry) => entry.ExitCode === 0);
  if (firstPass < 0) throw new Error(`${info.Name}: healthy, but no passing check in its health log`);
  const lastFail = firstPass > 0 ? log[firstPass - 1] : undefined;
  return { after: lastFail && (dockerTime(lastFail.Start) - started) / 1000, by: (dockerTime(log[firstPass].End) - started) / 1000 };
}

/** A JVM size flag (`-Xmx512m`, `-XX:MaxMetaspaceSize=256m`) in MiB. */
function flagMiB(flags: readonly string[], prefix: string): number | undefined {
  const match = flags.find((f) => f.startsWith(prefix))?.slice(prefix.length).match(/^(\d+)([kmg]?)$/i);
  if (!match) return undefined;
  const unit = { k: 1 / 1024, m: 1, g: 1024, "": 1 / MiB }[match[2].toLowerCase() as "k" | "m" | "g" | ""];
  return Math.round(Number(match[1]) * unit);
}

/** The container must run with exactly the settings identityContainer renders, or the figures are not the platform's. */
function checkPlatformSettings(info: Docker.ContainerInspectInfo, spec: ReturnType<typeof identityContainer>): void {
  const actual = { user: info.Config.User, readOnly: info.HostConfig.ReadonlyRootfs, memory: info.HostConfig.Memory, swap: info.HostConfig.MemorySwap, cpus: info.HostConfig.NanoCpus, tmpfs: Object.keys(info.HostConfig.Tmpfs ?? {}).sort() };
  const declared = { user: spec.user, readOnly: spec.readOnly, memory: spec.memory * MiB, swap: spec.memorySwap * MiB, cpus: Number(spec.cpus) * 1e9, tmpfs: Object.keys(spec.tmpfs).sort() };
  if (JSON.stringify(actual) !== JSON.stringify(declared)) throw new Error(`Keycloak does not run with the platform's settings: declared ${JSON.stringify(declared)}, running ${JSON.stringify(actual)}`);
}

runBench(async ({ onCleanup, phase }) => {
  const docker = new Docker();
  const unavailable = await dockerUnavailable(docker, imagesFor("dev-file"));
  if (unavailable) {
    console.log(`identity bench skipped: ${unavailable}`);
    return;
  }
  /** the schema's default: the config below sets no identity resources */
  const defaultLimitMiB = parsePlatformConfig(minimalConfig()).config.identity.resources.memoryMb;
  const loadBefore = loadLine();
  const kc = new RealKeycloak("dev-file", docker);
  onCleanup(async () => phase(`removed ${(await kc.teardown()).length} Docker objects`));

  phase(`starting Keycloak (${KEYCLOAK_IMAGE["dev-file"]}) as the platform runs it`);
  const timing = await kc.up([{ name: APP, services: [SERVICES[1]] }], { [APP]: generateSecret() }, READY_WITHIN_MS);
  const healthyAt = Date.now();
  phase("Keycloak healthy");
  const keycloak = docker.getContainer(kc.keycloakName);
  const info = await keycloak.inspect();
  const spec = identityContainer(kc.plan);
  checkPlatformSettings(info, spec);
  if (spec.memory !== defaultLimitMiB) throw new Error(`Keycloak runs with ${spec.memory} MiB, not the schema's default ${defaultLimitMiB} MiB`);
  const bracket = readyBracket(info);

  // while Keycloak comes to rest: the client, the CA, the JVM's heap flags. The client is the probe
  // RealKeycloak runs as an app on the identity network (python3), found by its labels.
  const [probe] = await docker.listContainers({ filters: { label: [...Object.entries(kc.mirror.labels).map(([k, v]) => `${k}=${v}`), `${PLATFORM_LABEL.role}=app`] } });
  if (!probe) throw new Error("RealKeycloak started no app probe on the identity network");
  const client = docker.getContainer(probe.Id);
  const clientCpus = ((await client.inspect()).HostConfig.NanoCpus ?? 0) / 1e9;
  const caPem = (await execIn(keycloak, ["cat", TLS_FILES.ca])).stdout;
  // kc.sh (PID 1) runs the JVM as its child: the heap flags it chose are on the java command line
  const javaCommandLine = `for p in /proc/[0-9]*; do [ "$p" = /proc/$$ ] && continue; c=$(tr '\\0' ' ' < $p/cmdline 2>/dev/null); case "$c" in *QuarkusEntryPoint*) echo "$c";; esac; done`;
  const heapFlags = (await execIn(keycloak, ["bash", "-c", javaCommandLine])).stdout.split(/\s+/).filter((arg) => /^-Xm[sx]|RAMPercentage|MaxMetaspaceSize/.test(arg));
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, healthyAt + AT_REST_AFTER_READY_MS - Date.now())));
  const atRestMiB = await kc.memoryMiB();
  phase(`memory at rest measured (ready + ${AT_REST_AFTER_READY_MS / 1000} s)`);

  const { config } = kc.plan;
  const hostname = identityHostname(TRUST_DOMAIN);
  const tokenPath = oidcEndpoints({ hostname, port: config.identity.port, realm: config.identity.realm }).tokenPath;
  const form = new URLSearchParams({ grant_type: "client_credentials", client_id: APP, client_secret: kc.secrets[APP] }).toString();
  const target = (label: string, keepAlive: boolean): TimedTarget => ({
    label,
    host: hostname,
    port: config.identity.port,
    path: tokenPath,
    method: "POST",
    body: form,
    headers: { "content-type": "application/x-www-form-urlencoded" },
    keepAlive,
    tls: { caPem },
  });
  const result = await timeRequests(client, {
    targets: [target("token, one kept-alive connection", true), target("token, new TLS connection each", false)],
    requests: REQUESTS,
    rounds: ROUNDS,
    maxSeconds: MAX_SECONDS,
    warmup: 20,
    readySeconds: 30,
    expectStatus: 200,
    timeoutSeconds: 10,
  });
  const afterLoadMiB = await kc.memoryMiB();
  phase("token endpoint measured");

  const headroom = defaultLimitMiB - atRestMiB;
  const fits = headroom / defaultLimitMiB >= HEADROOM_GOAL;
  const [cold] = Object.values(result.targets);
  console.log(`\nIdentity provider, live: ${KEYCLOAK_IMAGE["dev-file"]} (dev-file) in the platform's container: user ${spec.user}, read-only root, tmpfs ${Object.keys(spec.tmpfs).join(" and ")}, ${spec.memory} MiB without swap, ${spec.cpus} CPU, nproc ${config.identity.resources.maxProcesses}`);
  console.log(`load average (1/5/15 min) before: ${loadBefore}, after: ${loadLine()}  (taken on a busy machine: start time and latencies are inflated)`);
  console.log(
    `start → ready (Docker health "healthy", its own /health/ready check every ${spec.healthcheck.interval}): ${bracket.by.toFixed(1)} s` +
      `${bracket.after === undefined ? "" : ` (ready between ${bracket.after.toFixed(1)} and ${bracket.by.toFixed(1)} s)`}; Keycloak's log: listening after ${timing.listeningSeconds ?? "?"} s, bootstrap (realm import) completed ${timing.bootstrapSeconds ?? "?"} s later`,
  );
  console.log(
    `memory at rest (docker stats, ready + ${AT_REST_AFTER_READY_MS / 1000} s): ${atRestMiB.toFixed(0)} MiB of the default identity limit ${defaultLimitMiB} MiB (config/schema.ts): ` +
      `${((atRestMiB / defaultLimitMiB) * 100).toFixed(0)}% used, ${headroom.toFixed(0)} MiB free → the default ${fits ? "fits with headroom" : "does NOT leave enough headroom"} (goal: ≥ ${HEADROOM_GOAL * 100}% free at rest)`,
  );
  const heapCap = flagMiB(heapFlags, "-Xmx");
  const metaspaceCap = flagMiB(heapFlags, "-XX:MaxMetaspaceSize=");
  const caps = heapCap !== undefined && metaspaceCap !== undefined ? ` → heap ${heapCap} + metaspace ${metaspaceCap} = ${heapCap + metaspaceCap} MiB of ${defaultLimitMiB} MiB at most (code cache, threads and buffers come on top)` : "";
  console.log(`  JVM flags kc.sh chose: ${heapFlags.join(" ") || "none found on the java command line"}${caps}`);
  console.log(`  memory after the token requests: ${afterLoadMiB.toFixed(0)} MiB`);
  console.log(`token endpoint (client credentials for ${APP}, from the probe container on the identity network (${clientCpus} CPU), HTTPS verified against the platform CA; requests alternate between the two modes in ${ROUNDS} rounds):`);
  console.log(`  first token after ready: ${cold.first?.toFixed(1) ?? "?"} ms (new connection, cold)`);
  for (const [label, times] of Object.entries(result.targets)) console.log(latencyLine(label, summarize(times.latencies)));
});
