// The one validated config model: stack config (`platform:*` keys), app manifests and policies all use it.
import { z } from "zod";
import { containsCidr, formatCidr, parseCidr, PRIVATE_RANGES } from "./cidr";
import {
  boundedNumber,
  dnsLabel,
  dnsName,
  egressDomain,
  envMap,
  healthcheck,
  HTTP_METHODS,
  imageReference,
  isPinnedImage,
  pathPrefix,
} from "./primitives";
import { allocateAppSlots, INFRA_PREFIX_LENGTH, INFRA_BLOCKS } from "./subnet-slots";
import { monitorConfig } from "./monitor";

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
        }
      }),
    appPrefixLength: boundedNumber("appPrefixLength", 24, 29, { integer: true }).default(DEFAULT_APP_PREFIX_LENGTH),
  })
  .prefault({});

const serviceGrant = z.strictObject({
  name: dnsLabel,
  methods: z
    .array(z.enum(HTTP_METHODS, { error: `expected one of ${HTTP_METHODS.join(", ")}` }))
    .min(1, { error: "grant at least one method, or remove the grant" })
    .default(["GET", "HEAD"]),
  pathPrefixes: z.array(pathPrefix).min(1, { error: "give at least one path prefix, e.g. [\"/\"]" }).default(["/"]),
});

const serviceConfigSchema = z.strictObject({
  name: dnsLabel,
  image: imageReference,
  port: boundedNumber("port", 1, 65535, { integer: true }),
  /** whether the service itself terminates TLS with the certificate the platform issues it */
  protocol: z.enum(["http", "https"], { error: "expected \"http\" or \"https\"" }).default("https"),
  healthPath: pathPrefix.optional(),
  healthcheck: healthcheck.optional(),
  env: envMap.default({}),
  command: z.array(z.string()).optional(),
  resources: resourceLimits(SERVICE_RESOURCE_DEFAULTS),
});

export const appConfigSchema = z.strictObject({
  name: dnsLabel,
  image: imageReference,
  services: z.array(serviceGrant).default([]),
  egress: z.array(egressDomain).default([]),
  resources: resourceLimits(APP_RESOURCE_DEFAULTS),
  rateLimit: z
    .strictObject({
      requestsPerSecond: boundedNumber("requestsPerSecond", 0, 10000, { exclusiveMin: true }).default(10),
      burst: boundedNumber("burst", 1, 100000, { integer: true }).default(20),
    })
    .prefault({}),
  runtime: z.enum(["runc", "runsc"], { error: "expected \"runc\" or \"runsc\" (gVisor)" }).default("runc"),
  env: envMap.default({}),
  command: z.array(z.string()).optional(),
  healthcheck: healthcheck.optional(),
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
  httpPorts: z.array(boundedNumber("httpPorts[]", 1, 65535, { integer: true })).min(1).default([80]),
  connectPorts: z.array(boundedNumber("connectPorts[]", 1, 65535, { integer: true })).min(1).default([443]),
  resources: resourceLimits({ memoryMb: 256, cpus: 0.5, maxProcesses: 128 }),
});

const identityConfig = z.strictObject({
  ...infraImage,
  realm: dnsLabel.default("platform"),
  accessTokenLifespanSeconds: boundedNumber("accessTokenLifespanSeconds", 30, 3600, { integer: true }).default(300),
  /** Keycloak's HTTPS port on the identity network (part of the pinned issuer URL) */
  port: boundedNumber("port", 1024, 65535, { integer: true }).default(8443),
  /** true when the image was built with `kc.sh build` for this config: starts with --optimized, no build at start */
  optimizedImage: z.boolean({ error: "expected true or false" }).default(false),
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
    commonName: z.string().min(1).max(64).regex(/^[A-Za-z0-9 .-]+$/, { error: "expected letters, digits, spaces, '.' and '-'" }).default("Platform Internal CA"),
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

/** Everything under the `platform:` config namespace. Keys here are the user-facing contract. */
const platformConfigShape = {
  trustDomain: dnsName,
  namePrefix: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,30}$/, { error: "expected 1-31 characters a-z, 0-9 and '-', starting with a letter" })
    .optional(),
  allowUnpinnedImages: z.boolean({ error: "expected true or false" }).default(false),
  network: networkConfig,
  ca: caConfig,
  services: z.array(serviceConfigSchema, { error: "expected a list of services" }).default([]),
  apps: z.array(appConfigSchema, { error: "expected a list of apps" }).default([]),
  gateway: gatewayConfig,
  egress: egressConfig,
  identity: identityConfig,
  monitor: monitorConfig,
};

export const platformConfigSchema = z.strictObject(platformConfigShape).superRefine(checkCrossReferences);

export type PlatformConfig = z.output<typeof platformConfigSchema>;
export type AppConfig = PlatformConfig["apps"][number];
export type ServiceConfig = PlatformConfig["services"][number];
export type { Healthcheck } from "./primitives";

function checkCrossReferences(spec: PlatformConfig, ctx: z.RefinementCtx): void {
  const owners = new Map<string, string>();
  const claim = (name: string, path: (string | number)[]) => {
    const where = path.join(".");
    const previous = owners.get(name);
    if (previous) {
      ctx.addIssue({ code: "custom", path, message: `name ${JSON.stringify(name)} is already used by ${previous}: names must be unique across apps and services` });
    } else {
      owners.set(name, where);
    }
  };
  spec.services.forEach((service, i) => {
    claim(service.name, ["services", i, "name"]);
    if (!service.healthPath && !service.healthcheck) {
      ctx.addIssue({ code: "custom", path: ["services", i], message: "a service needs a healthcheck (CIS 5.27): set healthPath (probed with wget) or healthcheck.command" });
    }
  });
  const serviceNames = new Set(spec.services.map((s) => s.name));
  spec.apps.forEach((app, i) => {
    claim(app.name, ["apps", i, "name"]);
    const granted = new Set<string>();
    app.services.forEach((grant, j) => {
      if (!serviceNames.has(grant.name)) {
        const known = [...serviceNames].join(", ") || "none";
        ctx.addIssue({ code: "custom", path: ["apps", i, "services", j, "name"], message: `${JSON.stringify(grant.name)} is not a service of this platform (services: ${known})` });
      }
      if (granted.has(grant.name)) {
        ctx.addIssue({ code: "custom", path: ["apps", i, "services", j, "name"], message: `service ${JSON.stringify(grant.name)} is granted twice: merge the two grants` });
      }
      granted.add(grant.name);
    });
    const seen = new Set<string>();
    app.egress.forEach((domain, j) => {
      if (seen.has(domain)) {
        ctx.addIssue({ code: "custom", path: ["apps", i, "egress", j], message: `${JSON.stringify(domain)} is listed twice: remove the duplicate` });
      }
      seen.add(domain);
      const host = domain.replace(/^\./, "");
      if (host === spec.trustDomain || host.endsWith(`.${spec.trustDomain}`)) {
        ctx.addIssue({ code: "custom", path: ["apps", i, "egress", j], message: `${JSON.stringify(domain)} is inside the platform's own trust domain: platform services are reached through the gateway, not the egress proxy` });
      }
    });
  });
  if (!spec.allowUnpinnedImages) {
    for (const [path, image] of imagePaths(spec)) {
      if (!isPinnedImage(image)) {
        ctx.addIssue({ code: "custom", path, message: `${JSON.stringify(image)} is not pinned by digest: use name@sha256:<64 hex digits>, or set platform:allowUnpinnedImages: true for a development stack` });
      }
    }
  }
  checkSubnets(spec, ctx);
}

function checkSubnets(spec: PlatformConfig, ctx: z.RefinementCtx): void {
  const base = parseCidr(spec.network.baseCidr);
  if (!base || base.prefixLength > 22) return; // already reported on network.baseCidr
  const result = allocateAppSlots(spec.apps, base, spec.network.appPrefixLength);
  for (const problem of result.problems) {
    ctx.addIssue({ code: "custom", path: ["apps", problem.appIndex, problem.field], message: problem.message });
  }
  if (result.problems.length === 0 && result.slotCount < spec.apps.length) {
    ctx.addIssue({ code: "custom", path: ["network"], message: `${spec.apps.length} apps do not fit in ${formatCidr(base)} with /${spec.network.appPrefixLength} app subnets (${result.slotCount} slots)` });
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
