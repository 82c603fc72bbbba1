// The one validated config model: stack config (`platform:*` keys), app manifests and policies all use it.
import { z } from "zod";
import { cidrsOverlap, containsCidr, formatCidr, parseCidr, PRIVATE_RANGES } from "./cidr";
import { formatPath } from "./errors";
import {
  boundedNumber,
  commandArgs,
  dnsName,
  egressDomain,
  envMap,
  flag,
  healthcheck,
  HTTP_METHODS,
  imageReference,
  isPinnedImage,
  pathPrefix,
  realmName,
  workloadName,
} from "./primitives";
import { DOCKER_DEFAULT_BRIDGE, KEYCLOAK_MANAGEMENT_PORT, minimumBurst, TOKEN_BUCKET_MIN_FILL_SECONDS, TRUST_DOMAIN_PREFIXES } from "./reserved";
import { allocateAppSlots, appSlotCount, INFRA_PREFIX_LENGTH, INFRA_BLOCKS } from "./subnet-slots";
import { monitorConfig } from "./monitor";
import { admissionConfig } from "./admission";
import { orchestrator, overlayAddressNeed, swarmConfig, swarmSettings, usableAddresses } from "./swarm";

const DEFAULT_BASE_CIDR = "10.208.0.0/16";
const DEFAULT_APP_PREFIX_LENGTH = 28;

const resourceLimits = (defaults: { memoryMb: number; cpus: number; maxProcesses: number }) =>
  z
    .strictObject({
      memoryMb: boundedNumber("memoryMb", 16, 16384, { integer: true }).default(defaults.memoryMb),
      cpus: boundedNumber("cpus", 0.01, 16).default(defaults.cpus),
      maxProcesses: boundedNumber("maxProcesses", 16, 4096, { integer: true }).default(defaults.maxProcesses),
    })
    .prefault({});
export type ResourceLimits = z.output<ReturnType<typeof resourceLimits>>;

const APP_RESOURCE_DEFAULTS = { memoryMb: 256, cpus: 0.5, maxProcesses: 128 };
const SERVICE_RESOURCE_DEFAULTS = { memoryMb: 512, cpus: 1, maxProcesses: 256 };

const networkConfig = z
  .strictObject({
    baseCidr: z
      .string({ error: "expected a CIDR string such as 10.208.0.0/16" })
      .default(DEFAULT_BASE_CIDR)
      .superRefine((value, ctx) => {
        const cidr = parseCidr(value);
        if (!cidr) {
          ctx.addIssue({ code: "custom", message: `${JSON.stringify(value)} is not an IPv4 network in CIDR form with no host bits set, e.g. 10.208.0.0/16` });
        } else if (!PRIVATE_RANGES.some((range) => containsCidr(range, cidr))) {
          ctx.addIssue({ code: "custom", message: `${value} is not inside a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16): choose a private base CIDR` });
        } else if (cidr.prefixLength < 8 || cidr.prefixLength > 22) {
          ctx.addIssue({ code: "custom", message: `${value}: the prefix length must be between /8 and /22 (the services, identity and outbound networks take ${INFRA_BLOCKS} /${INFRA_PREFIX_LENGTH} blocks, apps share the rest)` });
        } else if (cidrsOverlap(cidr, parseCidr(DOCKER_DEFAULT_BRIDGE)!)) {
          ctx.addIssue({ code: "custom", message: `${value} overlaps ${DOCKER_DEFAULT_BRIDGE}, the Docker engine's default bridge (docker0), and Docker refuses networks that overlap it: choose a base CIDR outside it, e.g. 10.208.0.0/16` });
        }
      }),
    appPrefixLength: boundedNumber("appPrefixLength", 24, 29, { integer: true }).default(DEFAULT_APP_PREFIX_LENGTH),
  })
  .prefault({});

/** Lists a config may hold (each bound keeps the rendered proxy configs and the Docker host workable). */
export const LIST_LIMITS = { services: 1000, grants: 1000, pathPrefixes: 100, egress: 1000 } as const;

const serviceGrant = z.strictObject({
  name: workloadName,
  methods: z
    .array(z.enum(HTTP_METHODS, { error: `expected one of ${HTTP_METHODS.join(", ")}` }), { error: `expected a list of methods (${HTTP_METHODS.join(", ")})` })
    .min(1, { error: "grant at least one method, or remove the grant" })
    .default(["GET", "HEAD"]),
  pathPrefixes: z
    .array(pathPrefix, { error: "expected a list of path prefixes, e.g. [\"/\"]" })
    .min(1, { error: "give at least one path prefix, e.g. [\"/\"]" })
    .max(LIST_LIMITS.pathPrefixes, { error: `give at most ${LIST_LIMITS.pathPrefixes} path prefixes` })
    .default(["/"]),
});

const serviceConfigSchema = z.strictObject({
  name: workloadName,
  image: imageReference,
  port: boundedNumber("port", 1, 65535, { integer: true }),
  /** whether the service itself terminates TLS with the certificate the platform issues it */
  protocol: z.enum(["http", "https"], { error: "expected \"http\" or \"https\"" }).default("https"),
  /** probed with wget; without it and without healthcheck, the service's port must accept TCP connections (render/workloads.ts) */
  healthPath: pathPrefix.optional(),
  healthcheck: healthcheck.optional(),
  env: envMap.default({}),
  command: commandArgs.optional(),
  resources: resourceLimits(SERVICE_RESOURCE_DEFAULTS),
});

/** Slowest rate a token bucket is given: one request every 1000 s (Envoy's fill interval stays a sane duration). */
const MIN_REQUESTS_PER_SECOND = 0.001;

const rateLimit = z
  .strictObject({
    requestsPerSecond: boundedNumber("requestsPerSecond", MIN_REQUESTS_PER_SECOND, 10000).default(10),
    burst: boundedNumber("burst", 1, 100000, { integer: true }).default(20),
  })
  .prefault({})
  .superRefine((limit, ctx) => {
    const least = minimumBurst(limit.requestsPerSecond);
    if (limit.burst < least) {
      ctx.addIssue({
        code: "custom",
        path: ["burst"],
        message: `burst ${limit.burst} is too small for ${limit.requestsPerSecond} requests/second: the gateway refills the bucket at most every ${TOKEN_BUCKET_MIN_FILL_SECONDS * 1000} ms, so set burst to at least ${least} (or lower requestsPerSecond to at most ${limit.burst / TOKEN_BUCKET_MIN_FILL_SECONDS})`,
      });
    }
  });

export const appConfigSchema = z.strictObject({
  name: workloadName,
  image: imageReference,
  services: z.array(serviceGrant, { error: "expected a list of grants, e.g. [{ name: weather }]" }).max(LIST_LIMITS.grants, { error: `give at most ${LIST_LIMITS.grants} grants` }).default([]),
  egress: z.array(egressDomain, { error: "expected a list of host names and .suffixes" }).max(LIST_LIMITS.egress, { error: `give at most ${LIST_LIMITS.egress} egress entries (use a .suffix for many hosts of one domain)` }).default([]),
  resources: resourceLimits(APP_RESOURCE_DEFAULTS),
  rateLimit,
  runtime: z.enum(["runc", "runsc"], { error: "expected \"runc\" or \"runsc\" (gVisor)" }).default("runc"),
  env: envMap.default({}),
  command: commandArgs.optional(),
  healthcheck: healthcheck.optional(),
  /** tasks of the app on a Swarm stack (platform:orchestrator: swarm); an engine stack runs exactly one container */
  replicas: boundedNumber("replicas", 1, 64, { integer: true }).optional(),
  /** pins the app's subnet slot; only needed when two app names hash to the same slot */
  subnetIndex: boundedNumber("subnetIndex", 0, 2 ** 24, { integer: true }).optional(),
});

const infraImage = { image: imageReference };

const gatewayConfig = z.strictObject({
  ...infraImage,
  listenPort: boundedNumber("listenPort", 1024, 65535, { integer: true }).default(8443),
  adminPort: boundedNumber("adminPort", 1024, 65535, { integer: true }).default(9901),
  resources: resourceLimits({ memoryMb: 512, cpus: 1, maxProcesses: 512 }),
});

const egressConfig = z.strictObject({
  ...infraImage,
  port: boundedNumber("port", 1024, 65535, { integer: true }).default(3128),
  httpPorts: z.array(boundedNumber("httpPorts[]", 1, 65535, { integer: true }), { error: "expected a list of ports, e.g. [80]" }).min(1, { error: "give at least one port, e.g. [80]" }).max(100, { error: "give at most 100 ports" }).default([80]),
  connectPorts: z.array(boundedNumber("connectPorts[]", 1, 65535, { integer: true }), { error: "expected a list of ports, e.g. [443]" }).min(1, { error: "give at least one port, e.g. [443]" }).max(100, { error: "give at most 100 ports" }).default([443]),
  resources: resourceLimits({ memoryMb: 256, cpus: 0.5, maxProcesses: 128 }),
});

const identityConfig = z.strictObject({
  ...infraImage,
  realm: realmName.default("platform"),
  accessTokenLifespanSeconds: boundedNumber("accessTokenLifespanSeconds", 30, 3600, { integer: true }).default(300),
  /** Keycloak's HTTPS port on the identity network (part of the pinned issuer URL) */
  port: boundedNumber("port", 1024, 65535, { integer: true })
    .refine((port) => port !== KEYCLOAK_MANAGEMENT_PORT, { error: `${KEYCLOAK_MANAGEMENT_PORT} is Keycloak's management port (health checks) in the same container: choose another port` })
    .default(8443),
  /**
   * The image must be pre-built (`kc.sh build`) for the platform's build options and the database kind:
   * Keycloak starts with --optimized, because a rebuild at start needs a writable lib/ that the
   * read-only root forbids. `false` is refused with that reason (kept so a stack that says so is told why).
   */
  optimizedImage: z.literal(true, { error: "Keycloak cannot rebuild itself under the platform's read-only root: use an image pre-built with `kc.sh build` for this database kind (npm run images builds platform/keycloak) and set optimizedImage: true or remove it" }).default(true),
  database: z
    .strictObject({
      kind: z.enum(["dev-file", "postgres"], { error: "expected \"dev-file\" (development) or \"postgres\"" }).default("dev-file"),
      image: imageReference.optional(),
    })
    .prefault({})
    .superRefine((db, ctx) => {
      if (db.kind === "postgres" && !db.image) {
        ctx.addIssue({ code: "custom", path: ["image"], message: "database.kind is \"postgres\": set database.image to a pinned PostgreSQL image" });
      }
    }),
  resources: resourceLimits({ memoryMb: 1024, cpus: 1, maxProcesses: 512 }),
});

const caConfig = z
  .strictObject({
    commonName: z
      .string({ error: "expected a string: the CA's common name" })
      .regex(/^[A-Za-z0-9 .-]{1,64}$/, { error: "expected 1-64 letters, digits, spaces, '.' and '-'" })
      .default("Platform Internal CA"),
    validityHours: boundedNumber("validityHours", 24, 24 * 365 * 20, { integer: true }).default(24 * 365 * 5),
    leafValidityHours: boundedNumber("leafValidityHours", 1, 24 * 397, { integer: true }).default(24 * 90),
    earlyRenewalHours: boundedNumber("earlyRenewalHours", 0, 24 * 365, { integer: true }).default(24 * 30),
  })
  .prefault({})
  .superRefine((ca, ctx) => {
    if (ca.earlyRenewalHours >= ca.leafValidityHours) {
      ctx.addIssue({ code: "custom", path: ["earlyRenewalHours"], message: `must be less than leafValidityHours (${ca.leafValidityHours}), or certificates would renew on every update` });
    }
    if (ca.leafValidityHours >= ca.validityHours) {
      ctx.addIssue({ code: "custom", path: ["leafValidityHours"], message: `must be less than the CA's validityHours (${ca.validityHours})` });
    }
  });

/** The longest trust domain whose derived names (`identity.<trustDomain>`, ...) are still host names. */
const TRUST_DOMAIN_MAX = 253 - Math.max(...TRUST_DOMAIN_PREFIXES.map((p) => p.length));

/** Everything under the `platform:` config namespace. Keys here are the user-facing contract. */
const platformConfigShape = {
  trustDomain: dnsName.refine((value) => value.length <= TRUST_DOMAIN_MAX, {
    error: `must be at most ${TRUST_DOMAIN_MAX} characters long: the platform derives host names from it (${TRUST_DOMAIN_PREFIXES.map((p) => `${p}<trustDomain>`).join(", ")}), which may have 253 at most`,
  }),
  namePrefix: z
    .string({ error: "expected a string: the prefix of every Docker name" })
    .regex(/^[a-z][a-z0-9-]{0,30}$/, { error: "expected 1-31 characters a-z, 0-9 and '-', starting with a letter" })
    .optional(),
  allowUnpinnedImages: flag.default(false),
  network: networkConfig,
  ca: caConfig,
  services: z.array(serviceConfigSchema, { error: "expected a list of services" }).max(LIST_LIMITS.services, { error: `give at most ${LIST_LIMITS.services} services` }).default([]),
  apps: z.array(appConfigSchema, { error: "expected a list of apps" }).default([]),
  gateway: gatewayConfig,
  egress: egressConfig,
  identity: identityConfig,
  monitor: monitorConfig,
  admission: admissionConfig,
  /** which wiring turns the plan into Docker objects: containers on one host, or Swarm services */
  orchestrator,
  /** only with orchestrator: swarm (absent: the defaults of config/swarm.ts) */
  swarm: swarmConfig.optional(),
};

export const platformConfigSchema = z.strictObject(platformConfigShape).superRefine(checkCrossReferences);

export type PlatformConfig = z.output<typeof platformConfigSchema>;
export type AppConfig = PlatformConfig["apps"][number];
export type ServiceConfig = PlatformConfig["services"][number];
export type { Healthcheck } from "./primitives";

function checkCrossReferences(spec: PlatformConfig, ctx: z.RefinementCtx): void {
  const owners = new Map<string, string>();
  /** true when `name` is new; a repeated name is reported once, where it repeats */
  const claim = (name: string, path: (string | number)[]): boolean => {
    const previous = owners.get(name);
    if (previous) {
      ctx.addIssue({ code: "custom", path, message: `name ${JSON.stringify(name)} is already used by ${previous}: names must be unique across apps and services` });
      return false;
    }
    owners.set(name, formatPath(path));
    return true;
  };
  spec.services.forEach((service, i) => claim(service.name, ["services", i, "name"]));
  const serviceNames = new Set(spec.services.map((s) => s.name));
  const uniqueApps: number[] = [];
  spec.apps.forEach((app, i) => {
    if (claim(app.name, ["apps", i, "name"])) uniqueApps.push(i);
    const granted = new Set<string>();
    app.services.forEach((grant, j) => {
      if (!serviceNames.has(grant.name)) {
        const known = [...serviceNames].join(", ") || "none";
        ctx.addIssue({ code: "custom", path: ["apps", i, "services", j, "name"], message: `${JSON.stringify(grant.name)} is not a service of this platform (services: ${known})` });
      } else if (granted.has(grant.name)) {
        ctx.addIssue({ code: "custom", path: ["apps", i, "services", j, "name"], message: `service ${JSON.stringify(grant.name)} is granted twice: merge the two grants` });
      }
      granted.add(grant.name);
    });
    const seen = new Set<string>();
    app.egress.forEach((domain, j) => {
      const problem = seen.has(domain) ? `${JSON.stringify(domain)} is listed twice: remove the duplicate` : trustDomainProblem(domain, spec.trustDomain);
      if (problem) ctx.addIssue({ code: "custom", path: ["apps", i, "egress", j], message: problem });
      seen.add(domain);
    });
  });
  if (!spec.allowUnpinnedImages) {
    for (const [path, image] of imagePaths(spec)) {
      if (!isPinnedImage(image)) {
        ctx.addIssue({ code: "custom", path, message: `${JSON.stringify(image)} is not pinned by digest: use name@sha256:<64 hex digits>, or set platform:allowUnpinnedImages: true for a development stack` });
      }
    }
  }
  if (spec.gateway.adminPort === spec.gateway.listenPort) {
    ctx.addIssue({ code: "custom", path: ["gateway", "adminPort"], message: `${spec.gateway.adminPort} is also gateway.listenPort: Envoy cannot listen on one port twice, choose another admin port (default 9901)` });
  }
  checkSubnets(spec, uniqueApps, ctx);
  checkOrchestrator(spec, ctx);
}

/** Settings one wiring cannot honour are refused, naming the key and the fix (never silently ignored). */
function checkOrchestrator(spec: PlatformConfig, ctx: z.RefinementCtx): void {
  if (spec.orchestrator === "engine") {
    if (spec.swarm !== undefined) {
      ctx.addIssue({ code: "custom", path: ["swarm"], message: "applies only to a Swarm stack: set platform:orchestrator: swarm, or remove platform:swarm" });
    }
    spec.apps.forEach((app, i) => {
      if (app.replicas !== undefined && app.replicas > 1) {
        ctx.addIssue({
          code: "custom",
          path: ["apps", i, "replicas"],
          message: `${app.replicas} replicas need platform:orchestrator: swarm (the engine wiring runs one container per app, at a static address): remove replicas (or set it to 1), or deploy on a Swarm stack`,
        });
      }
    });
    return;
  }
  const swarm = swarmSettings(spec);
  if (spec.monitor.enabled) {
    ctx.addIssue({
      code: "custom",
      path: ["monitor", "enabled"],
      message: "the in-stack monitor follows and disconnects containers of one Docker engine through its socket, which a Swarm stack spreads over many: set monitor.enabled: false and run `npm run monitor` against each node, or use platform:orchestrator: engine",
    });
  }
  if (spec.identity.database.kind === "postgres" && !swarm.placement.identity.some((c) => /==/.test(c) && /^node\.(id|hostname|labels\.)/.test(c))) {
    ctx.addIssue({
      code: "custom",
      path: ["swarm", "placement", "identity"],
      message: "the PostgreSQL database keeps its data in a volume local to one node: pin the identity services to that node, e.g. [node.hostname==db-node] or [node.labels.platform.identity==true], or use database.kind dev-file",
    });
  }
  const appNames = new Set(spec.apps.map((app) => app.name));
  for (const name of Object.keys(swarm.appPlacement).filter((key) => !appNames.has(key))) {
    ctx.addIssue({
      code: "custom",
      path: ["swarm", "appPlacement", name],
      message: `no app named ${JSON.stringify(name)} in platform:apps (apps: ${[...appNames].join(", ") || "none"}): correct the name, or remove the entry`,
    });
  }
  checkOverlayAddresses(spec, swarm, ctx);
}

/** In Swarm mode each app network holds the app's, the gateway's and the egress proxy's tasks: they must fit its subnet. */
function checkOverlayAddresses(spec: PlatformConfig, swarm: ReturnType<typeof swarmSettings>, ctx: z.RefinementCtx): void {
  const { appPrefixLength } = spec.network;
  // a count out of its bounds is reported on its own key already: no second problem derived from it
  const counted = (n: unknown, max: number) => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= max;
  if (![swarm.gatewayReplicas, swarm.egressReplicas, swarm.update.parallelism].every((n) => counted(n, 32)) || !counted(appPrefixLength, 29)) return;
  const usable = usableAddresses(appPrefixLength);
  const needs = spec.apps
    .filter((app) => app.replicas === undefined || counted(app.replicas, 64))
    .map((app) => ({ app, need: overlayAddressNeed([app.replicas ?? 1, swarm.gatewayReplicas, swarm.egressReplicas], swarm.update) }));
  const over = needs.filter(({ need }) => need > usable);
  if (over.length > 0) {
    const most = Math.max(...over.map(({ need }) => need));
    let fits = appPrefixLength;
    while (fits > 24 && usableAddresses(fits) < most) fits -= 1;
    const names = over.slice(0, 5).map(({ app, need }) => `${app.name} (${need})`).join(", ");
    ctx.addIssue({
      code: "custom",
      path: ["network", "appPrefixLength"],
      message: `a /${appPrefixLength} app network has ${usable} addresses, but in Swarm mode it holds every task of the app, the gateway and the egress proxy, one more of each during a start-first update and a load-balancer address per node: ${names}${over.length > 5 ? ` and ${over.length - 5} more` : ""} need up to ${most}. ${usableAddresses(fits) >= most ? `Set network.appPrefixLength to ${fits} or less, or lower` : "Lower"} swarm.gatewayReplicas, swarm.egressReplicas, swarm.update.parallelism or the apps' replicas`,
    });
  }
  const services = overlayAddressNeed([swarm.gatewayReplicas, ...spec.services.map(() => 1)], swarm.update);
  if (services > usableAddresses(INFRA_PREFIX_LENGTH)) {
    ctx.addIssue({
      code: "custom",
      path: ["services"],
      message: `in Swarm mode the services network (a /${INFRA_PREFIX_LENGTH}, ${usableAddresses(INFRA_PREFIX_LENGTH)} addresses) would need up to ${services} addresses for ${spec.services.length} services and ${swarm.gatewayReplicas} gateway replicas: split the services across stacks or lower swarm.update.parallelism`,
    });
  }
}

/** An egress entry that reaches the platform's own names (the trust domain and everything below it). */
function trustDomainProblem(domain: string, trustDomain: string): string | undefined {
  const host = domain.replace(/^\./, "");
  if (host === trustDomain || host.endsWith(`.${trustDomain}`)) {
    return `${JSON.stringify(domain)} is inside the platform's own trust domain: platform services are reached through the gateway, not the egress proxy`;
  }
  if (domain.startsWith(".") && trustDomain.endsWith(`.${host}`)) {
    return `${JSON.stringify(domain)} covers the platform's own trust domain ${trustDomain}: list the external hosts themselves, outside it`;
  }
  return undefined;
}

/** Subnet slots of the apps; `uniqueApps` are the indexes of the first app of each name (a repeat is reported already). */
function checkSubnets(spec: PlatformConfig, uniqueApps: readonly number[], ctx: z.RefinementCtx): void {
  const base = parseCidr(spec.network.baseCidr);
  if (!base || base.prefixLength > 22) return; // already reported on network.baseCidr
  const { appPrefixLength } = spec.network;
  const slotCount = appSlotCount(base, appPrefixLength);
  if (spec.apps.length > slotCount) {
    ctx.addIssue({
      code: "custom",
      path: ["apps"],
      message: `${spec.apps.length} apps do not fit in ${formatCidr(base)} with /${appPrefixLength} app subnets (${slotCount} slots): use a larger network.baseCidr or a longer network.appPrefixLength, or split the apps across stacks`,
    });
    return;
  }
  const result = allocateAppSlots(uniqueApps.map((i) => spec.apps[i]), base, appPrefixLength);
  for (const problem of result.problems) {
    ctx.addIssue({ code: "custom", path: ["apps", uniqueApps[problem.appIndex], problem.field], message: problem.message });
  }
}

/** Every image reference in the spec with its config path, for pinning checks and policies. */
export function imagePaths(spec: PlatformConfig): [(string | number)[], string][] {
  const found: [(string | number)[], string][] = [
    [["gateway", "image"], spec.gateway.image],
    [["egress", "image"], spec.egress.image],
    [["identity", "image"], spec.identity.image],
  ];
  if (spec.identity.database.image) found.push([["identity", "database", "image"], spec.identity.database.image]);
  if (spec.monitor.image) found.push([["monitor", "image"], spec.monitor.image]);
  spec.services.forEach((s, i) => found.push([["services", i, "image"], s.image]));
  spec.apps.forEach((a, i) => found.push([["apps", i, "image"], a.image]));
  return found;
}
