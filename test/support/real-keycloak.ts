// The real Keycloak (and, with kind "postgres", its PostgreSQL) run exactly as the platform runs them,
// for test/keycloak-real.test.ts: containers rendered by render/keycloak/from-plan.ts from a plan,
// created through sandbox/provider-mirror (the Docker provider's calls) with their named volumes and
// never-started upload seeds as components/workload-container.ts wires them, on the identity network
// rendered by render/networks.ts; a server certificate from components/internal-ca.ts (the mock runner
// makes the real key and certificate); the realm from render/keycloak/realm.ts with generated secrets.
// A hardened probe container (python3) on the same network plays an app. Everything carries the
// mirror's run label, so teardown() (or the sandbox's leftover cleanup) removes all of it.
import { createPrivateKey } from "node:crypto";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Docker from "dockerode";
import { parsePlatformConfig } from "../../config/load";
import { hostAddress, parseCidr } from "../../config/cidr";
import { buildPlan, infraAddress, type PlatformPlan } from "../../plan/plan";
import { APP_UID_BASE, PLATFORM_LABEL } from "../../plan/names";
import { ContainerInputs, FileUpload, seedContainer, seedVolumes } from "../../render/hardening";
import { networkInputs } from "../../render/networks";
import { databaseFiles, identityFiles } from "../../render/workload-files";
import { databaseContainer, identityContainer, realmInput } from "../../render/keycloak/from-plan";
import { identityHostname } from "../../render/keycloak/oidc";
import { renderRealmJson } from "../../render/keycloak/realm";
import { checkRealmImport } from "../../render/keycloak/realm-schema";
import { InternalCa } from "../../components/internal-ca";
import { runProgram } from "../../mock-runner/run-program";
import { randomString } from "../../mock-runner/key-material";
import { ProviderMirror } from "../../sandbox/provider-mirror/docker-resources";
import { freeCidr } from "../../sandbox/provider-mirror/free-subnet";
import { execIn } from "../../sandbox/exec";
import { idleApp } from "./idle-app";
import { minimalConfig, REPO_ROOT } from "./stack-config";

export type DatabaseKind = "dev-file" | "postgres";

/** A KEY=VALUE pin of images/<file> (the tags scripts/build-images.sh gives its images). */
function imagePin(file: string, key: string): string {
  const value = readFileSync(join(REPO_ROOT, "images", file), "utf8").match(new RegExp(`^${key}=(.+)$`, "m"))?.[1].trim();
  if (!value) throw new Error(`images/${file}: ${key} is not set`);
  return value;
}

const KEYCLOAK_VERSION = imagePin("keycloak/version.env", "KEYCLOAK_VERSION");
/** Keycloak is pre-built per database kind (db is a build option of an optimized start): one tag each. */
export const KEYCLOAK_IMAGE: Record<DatabaseKind, string> = { "dev-file": `platform/keycloak:${KEYCLOAK_VERSION}`, postgres: `platform/keycloak:${KEYCLOAK_VERSION}-postgres` };
export const POSTGRES_IMAGE = `platform/postgres:${imagePin("postgres/version.env", "POSTGRES_MAJOR")}`;
const PROBE_IMAGE = "platform/probe:dev";

export function imagesFor(kind: DatabaseKind): string[] {
  return [KEYCLOAK_IMAGE[kind], ...(kind === "postgres" ? [POSTGRES_IMAGE] : []), PROBE_IMAGE];
}

export const TRUST_DOMAIN: string = minimalConfig().trustDomain;
export const SERVICES = ["storage", "weather"] as const;

export interface RealmApp {
  name: string;
  services: readonly string[];
}

/** A client secret of the shape IdentityProvider generates (random.RandomPassword, 40, no specials). */
export const generateSecret = () => randomString({ length: 40, special: false });

/** The mirror's resource name for a Docker object (errors name it). */
const resourceOf = (dockerName: string) => `kc-real:${dockerName}`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The mock runner's Pulumi runtime is process-global: one program at a time, also when variants run concurrently. */
let programQueue: Promise<unknown> = Promise.resolve();
function runExclusively<T>(work: () => Promise<T>): Promise<T> {
  const turn = programQueue.then(work);
  programQueue = turn.catch(() => undefined);
  return turn;
}

/** Docker's timestamps carry nanoseconds; Date.parse wants at most milliseconds. */
const dockerTime = (stamp: string) => Date.parse(stamp.replace(/(\.\d{3})\d+/, "$1"));

function logTail(container: string, lines = 40): string {
  const logs = spawnSync("docker", ["logs", "--tail", String(lines), container], { encoding: "utf8", timeout: 20_000 });
  return `${logs.stdout ?? ""}${logs.stderr ?? ""}`.trim();
}

export interface StartTiming {
  /** container start → the first passing run of its own healthcheck (Docker's Health.Log) */
  readySeconds: number;
  /** Keycloak's own log: "started in Ns" (listening; the JVM's first seconds and an import before it not counted) */
  listeningSeconds?: number;
  /** Keycloak's own log: "Bootstrap completed in N seconds" (schema, master realm, realm import), after listening */
  bootstrapSeconds?: number;
}

export interface Listener {
  address: string;
  port: number;
}

/** LISTEN sockets from /proc/net/tcp and /proc/net/tcp6 (addresses in the kernel's byte order). */
export function parseListeners(procNetTcp: string): Listener[] {
  const ipv4 = (hex: string) => [6, 4, 2, 0].map((at) => parseInt(hex.slice(at, at + 2), 16)).join(".");
  const ipv6 = (hex: string) => {
    // four 32-bit words, each in host (little-endian) order
    const bytes = [0, 8, 16, 24].flatMap((word) => [6, 4, 2, 0].map((at) => parseInt(hex.slice(word + at, word + at + 2), 16)));
    if (bytes.every((b) => b === 0)) return "::";
    if (bytes.slice(0, 15).every((b) => b === 0) && bytes[15] === 1) return "::1";
    if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return `::ffff:${bytes.slice(12).join(".")}`;
    return Array.from({ length: 8 }, (_, i) => ((bytes[2 * i] << 8) | bytes[2 * i + 1]).toString(16)).join(":");
  };
  return procNetTcp
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[3] === "0A" && fields[1]?.includes(":"))
    .map((fields) => {
      const [address, port] = fields[1].split(":");
      return { address: address.length === 8 ? ipv4(address) : ipv6(address), port: parseInt(port, 16) };
    });
}

export const isLoopback = (address: string) => address.startsWith("127.") || address === "::1" || address.startsWith("::ffff:127.");

export interface HttpAnswer {
  status?: number;
  body?: string;
  error?: string;
}

// Runs in the probe container: HTTPS POSTs verified against the platform CA (hostname or IP checked
// against the certificate's SANs) and plain TCP connects, all from one python3 process.
const PROBE_CLIENT = String.raw`
import http.client, json, socket, ssl, sys, urllib.parse
job = json.loads(sys.argv[1])
ctx = ssl.create_default_context(cadata=job["ca"])
def post(request):
    conn = http.client.HTTPSConnection(request["host"], job["port"], context=ctx, timeout=20)
    try:
        conn.request("POST", job["path"], urllib.parse.urlencode(request["form"]), {"Content-Type": "application/x-www-form-urlencoded"})
        response = conn.getresponse()
        return {"status": response.status, "body": response.read().decode("utf-8", "replace")}
    except Exception as e:
        return {"error": type(e).__name__ + ": " + str(e)}
    finally:
        conn.close()
def connect(target):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(3)
    try:
        s.connect((target["host"], target["port"]))
        return "open"
    except ConnectionRefusedError:
        return "refused"
    except socket.timeout:
        return "timeout"
    except OSError as e:
        return "error: " + str(e)
    finally:
        s.close()
print(json.dumps({"posts": [post(r) for r in job["posts"]], "connects": [connect(c) for c in job["connects"]]}))
`;

export class RealKeycloak {
  readonly docker: Docker;
  readonly mirror: ProviderMirror;
  /** a stack name of its own: Docker names never meet another run's */
  private readonly stack: string;
  plan!: PlatformPlan;
  /** app name → its client secret in the realm Keycloak runs now */
  secrets: Record<string, string> = {};
  private tls!: { caPem: string; certPem: string; keyPem: string };
  private readonly adminPassword = generateSecret();
  private readonly dbPassword = generateSecret();
  private probe?: Docker.Container;

  constructor(
    readonly kind: DatabaseKind,
    docker = new Docker(),
  ) {
    this.docker = docker;
    const run = `${kind === "postgres" ? "pg" : "df"}${process.pid.toString(36)}${Math.floor(Math.random() * 36 ** 3).toString(36)}`;
    this.stack = `kcreal-${run}`;
    this.mirror = new ProviderMirror(this.stack, docker);
  }

  get keycloakName(): string {
    return this.plan.names.identity;
  }

  get identityIp(): string {
    return infraAddress(this.plan.networks.identity, "identity");
  }

  get issuer(): string {
    return `https://identity.${TRUST_DOMAIN}:${this.plan.config.identity.port}/realms/${this.plan.config.identity.realm}`;
  }

  private planFor(apps: readonly RealmApp[], baseCidr: string): PlatformPlan {
    const raw = minimalConfig();
    raw.allowUnpinnedImages = true; // local tags: a digest exists only once an image is built here
    raw.network = { baseCidr };
    raw.services = SERVICES.map((name) => ({ ...raw.services[0], name }));
    raw.apps = apps.map((app) => ({ ...raw.apps[0], name: app.name, services: app.services.map((name) => ({ name })) }));
    raw.identity = { image: KEYCLOAK_IMAGE[this.kind], database: this.kind === "postgres" ? { kind: "postgres", image: POSTGRES_IMAGE } : { kind: "dev-file" } };
    return buildPlan(parsePlatformConfig(raw).config, this.stack);
  }

  /**
   * Keycloak's server certificate as the platform issues it: InternalCa.issue with the request
   * IdentityProvider makes (DNS identity.<trustDomain> and identity, the static IP), evaluated under
   * the mock runner's real key material. @pulumi/tls writes an ECDSA key as SEC1 ("EC PRIVATE KEY"),
   * the mock runner as PKCS#8: Keycloak gets the provider's format.
   */
  private async issueServerCertificate(): Promise<void> {
    const hostname = identityHostname(TRUST_DOMAIN);
    const { plan } = this;
    const run = await runExclusively(() =>
      runProgram(
        () => {
          const ca = new InternalCa("kc-real-ca", { ...plan.config.ca });
          const leaf = ca.issue("kc-real-identity-server", { commonName: hostname, dnsNames: [hostname, "identity"], ipAddresses: [this.identityIp], usage: "server" }, ca);
          return { caPem: ca.certPem, certPem: leaf.certPem, keyPem: leaf.privateKeyPem };
        },
        { config: {}, stack: this.stack, material: "real" },
      ),
    );
    const { caPem, certPem, keyPem } = run.outputs as Record<string, string>;
    this.tls = { caPem, certPem, keyPem: createPrivateKey(keyPem).export({ type: "sec1", format: "pem" }).toString() };
  }

  /** The container's named volumes, as createWorkloadContainer declares them. */
  private async createVolumes(spec: ContainerInputs): Promise<void> {
    const labels = spec.labels.filter((l) => l.label === PLATFORM_LABEL.stack || l.label === PLATFORM_LABEL.role);
    for (const volume of spec.volumes) await this.mirror.createVolume(resourceOf(volume.volumeName), { name: volume.volumeName, driver: "local", labels });
  }

  /** The upload seed (created, never started) that fills the volumes, then the container itself. */
  private async createSeeded(spec: ContainerInputs, uploads: FileUpload[]): Promise<Docker.Container> {
    const seed = seedContainer(spec);
    await this.mirror.createContainer(resourceOf(seed.name), { ...seed, volumes: seedVolumes(spec.volumes), uploads });
    const created = await this.mirror.createContainer(resourceOf(spec.name), spec);
    return this.docker.getContainer(created.id);
  }

  private async removeSeeded(spec: ContainerInputs): Promise<void> {
    for (const name of [spec.name, seedContainer(spec).name]) await this.docker.getContainer(name).remove({ force: true });
  }

  /** What IdentityProvider uploads into Keycloak's TLS volume, with this realm's secrets. */
  private keycloakUploads(plan: PlatformPlan, secrets: Record<string, string>): FileUpload[] {
    const realmJson = renderRealmJson(realmInput(plan), secrets);
    const problems = checkRealmImport(JSON.parse(realmJson));
    if (problems.length > 0) throw new Error(`realm import is invalid:\n  ${problems.join("\n  ")}`);
    return identityFiles(plan, { ca: this.tls.caPem, cert: this.tls.certPem, key: this.tls.keyPem, realm: realmJson, adminPassword: this.adminPassword, dbPassword: this.dbPassword });
  }

  /** Network, certificate, probe, (database,) Keycloak; resolves once Keycloak's own healthcheck passes. */
  async up(apps: readonly RealmApp[], secrets: Record<string, string>, readyWithinMs: number): Promise<StartTiming> {
    await this.createIdentityNetwork(apps);
    const network = this.plan.networks.identity;
    await this.issueServerCertificate();
    if (this.kind === "postgres") await this.startDatabase();
    const keycloak = identityContainer(this.plan);
    await this.createVolumes(keycloak);
    await this.createSeeded(keycloak, this.keycloakUploads(this.plan, secrets));
    this.secrets = { ...secrets };
    // the probe starts while Keycloak does
    const probe = idleApp({
      name: `${this.plan.prefix}-probe`,
      image: PROBE_IMAGE,
      hostname: "probe",
      uid: APP_UID_BASE + 999,
      resources: { memoryMb: 128, cpus: 0.5, maxProcesses: 64 },
      network: network.dockerName,
      ip: hostAddress(parseCidr(network.subnet)!, 10),
      aliases: [],
    });
    this.probe = this.docker.getContainer((await this.mirror.createContainer(resourceOf(probe.name), probe)).id);
    return this.waitReady(readyWithinMs);
  }

  /**
   * The identity network is the plan's second /24: a free /16 keeps it clear of every other network.
   * Another run (a concurrent variant, another engineer's sandbox) may take the same block between the
   * look and the create: then another free one, three tries at most.
   */
  private async createIdentityNetwork(apps: readonly RealmApp[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      this.plan = this.planFor(apps, await freeCidr(this.docker, 16, "10.0.0.0/8"));
      const network = this.plan.networks.identity;
      try {
        await this.mirror.createNetwork(resourceOf(network.dockerName), networkInputs(this.plan, network));
        return;
      } catch (error) {
        if (attempt >= 3 || !/overlap/i.test((error as Error).message)) throw error;
      }
    }
  }

  private async startDatabase(): Promise<void> {
    const database = databaseContainer(this.plan);
    await this.createVolumes(database);
    const container = await this.createSeeded(database, databaseFiles({ dbPassword: this.dbPassword }));
    // its own healthcheck command, run on demand (its interval is 10 s): at most 60 tries, 1 s apart
    const check = database.healthcheck.tests.slice(1);
    for (let attempt = 0; attempt < 60; attempt++) {
      if ((await execIn(container, check, { timeoutMs: 5_000 })).exitCode === 0) return;
      await sleep(1000);
    }
    throw new Error(`${database.name} did not accept connections within 60 s:\n${logTail(database.name)}`);
  }

  /**
   * What a `pulumi up` with a changed realm must come to: a new seed uploads the new realm (and
   * secrets) into the same TLS volume and Keycloak is recreated; the database and its volume stay.
   */
  async redeploy(apps: readonly RealmApp[], secrets: Record<string, string>, readyWithinMs: number): Promise<StartTiming> {
    const next = this.planFor(apps, this.plan.baseCidr);
    const keycloak = identityContainer(next);
    await this.removeSeeded(keycloak);
    await this.createSeeded(keycloak, this.keycloakUploads(next, secrets));
    this.plan = next;
    this.secrets = { ...secrets };
    return this.waitReady(readyWithinMs);
  }

  /** Polls docker inspect (1 s apart, bounded by the deadline) until Keycloak's own healthcheck passes. */
  private async waitReady(withinMs: number): Promise<StartTiming> {
    const name = this.keycloakName;
    const container = this.docker.getContainer(name);
    const deadline = Date.now() + withinMs;
    for (;;) {
      const info = await container.inspect();
      const health = info.State.Health;
      if (health?.Status === "healthy") {
        const passed = health.Log.find((entry) => entry.ExitCode === 0);
        // the last of each: an import before the start logs lines of its own
        const logged = (pattern: RegExp) => [...logTail(name, 400).matchAll(pattern)].map((m) => Number(m[1])).at(-1);
        return {
          readySeconds: ((passed ? dockerTime(passed.End) : Date.now()) - dockerTime(info.State.StartedAt)) / 1000,
          listeningSeconds: logged(/ started in (\d+(?:\.\d+)?)s\./g),
          bootstrapSeconds: logged(/Bootstrap completed in (\d+(?:\.\d+)?) seconds/g),
        };
      }
      if (!info.State.Running || info.RestartCount > 0) {
        throw new Error(`${name} stopped (status ${info.State.Status}, exit ${info.State.ExitCode}, restarts ${info.RestartCount}):\n${logTail(name)}`);
      }
      if (Date.now() > deadline) {
        const last = health?.Log.at(-1);
        throw new Error(`${name} not healthy within ${withinMs / 1000} s (health ${health?.Status}, last check exit ${last?.ExitCode}: ${last?.Output.trim()}):\n${logTail(name)}`);
      }
      await sleep(1000);
    }
  }

  /** HTTPS POSTs to the token endpoint (by name, or by the static IP) and TCP connects to Keycloak's IP, from the probe. */
  async fromProbe(posts: { via?: "name" | "ip"; form: Record<string, string> }[], connectPorts: number[] = []): Promise<{ posts: HttpAnswer[]; connects: string[] }> {
    const job = {
      ca: this.tls.caPem,
      port: this.plan.config.identity.port,
      path: `/realms/${this.plan.config.identity.realm}/protocol/openid-connect/token`,
      posts: posts.map((p) => ({ host: p.via === "ip" ? this.identityIp : identityHostname(TRUST_DOMAIN), form: p.form })),
      connects: connectPorts.map((port) => ({ host: this.identityIp, port })),
    };
    const run = await execIn(this.probe!, ["python3", "-c", PROBE_CLIENT, JSON.stringify(job)], { timeoutMs: 120_000 });
    if (run.exitCode !== 0) throw new Error(`probe client failed (exit ${run.exitCode}${run.timedOut ? ", timed out" : ""}): ${run.stderr}`);
    return JSON.parse(run.stdout);
  }

  /** Keycloak's LISTEN sockets, read inside its container. */
  async listeners(): Promise<Listener[]> {
    const run = await execIn(this.docker.getContainer(this.keycloakName), ["cat", "/proc/net/tcp", "/proc/net/tcp6"]);
    if (run.exitCode !== 0) throw new Error(`reading /proc/net/tcp failed: ${run.stderr}`);
    return parseListeners(run.stdout);
  }

  /** Memory in use as `docker stats` shows it (usage less inactive page cache), in MiB. */
  async memoryMiB(): Promise<number> {
    const stats = (await this.docker.getContainer(this.keycloakName).stats({ stream: false })) as unknown as { memory_stats: { usage: number; stats?: Record<string, number> } };
    const { usage, stats: detail = {} } = stats.memory_stats;
    const cache = detail.total_inactive_file ?? detail.inactive_file ?? 0;
    return (usage - (cache < usage ? cache : 0)) / 2 ** 20;
  }

  /** Every password the containers hold, to look for in places they must never be. */
  credentials(): string[] {
    return [this.adminPassword, this.dbPassword, ...Object.values(this.secrets)];
  }

  async teardown(): Promise<string[]> {
    return this.mirror.teardown();
  }
}
