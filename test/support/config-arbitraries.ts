// fast-check generators for whole stack configs at every bound of the schema, and for the one value
// that goes beyond a bound: `validAtBounds` is accepted by construction, `oneBeyond` is that config with
// exactly one value pushed past its bound and the config path the refusal must name.
import fc from "fast-check";
import { minimumBurst, RESERVED_NAMES } from "../../config/reserved";

const LOWER = "abcdefghijklmnopqrstuvwxyz";
const ALNUM = `${LOWER}0123456789`;

/** A lowercase label of exactly `length` characters: a letter first, then a-z 0-9 '-', alphanumeric last. */
export const labelOfLength = (length: number, first = LOWER) =>
  fc
    .tuple(
      fc.constantFrom(...first),
      fc.array(fc.constantFrom(...`${ALNUM}-`), { minLength: Math.max(0, length - 2), maxLength: Math.max(0, length - 2) }),
      fc.constantFrom(...ALNUM),
    )
    .map(([a, middle, z]) => (length === 1 ? a : `${a}${middle.join("")}${z}`));

/** Valid app/service names: lengths at every bound that matters downstream (Squid ACLs: 50/51; DNS: 63). */
export const validName = fc
  .oneof(
    fc.constantFrom(1, 2, 49, 50, 51, 52, 62, 63).chain((n) => labelOfLength(n)),
    // words YAML, JSON or a shell may read as something else than a name
    fc.constantFrom("true", "false", "null", "nan", "inf", "e1", "x0", "nul", "con", "tilde", "yes-no", "y", "n", "yes", "no", "on", "off"),
  )
  .filter((name) => RESERVED_NAMES[name] === undefined && !name.endsWith("-seed"));

/** A host of two to four labels under a registrable test domain; labels and total length at their bounds. */
export const validHost = fc.oneof(
  fc.array(fc.constantFrom(1, 2, 62, 63).chain((n) => labelOfLength(n, ALNUM)), { minLength: 1, maxLength: 2 }).map((labels) => `${labels.join(".")}.example.com`),
  // exactly 253 characters: the longest host name there is
  fc.tuple(labelOfLength(63), labelOfLength(63), labelOfLength(63), labelOfLength(49)).map((labels) => `${labels.join(".")}.example.net`),
  fc.constantFrom("api.example.com", "xn--bcher-kva.example", "a-1.b--2.example.org", "123.example.com", "0x1.example.com", "api.example.co.uk"),
);
export const validEgress = fc.tuple(fc.boolean(), validHost).map(([suffix, host]) => (suffix ? `.${host}` : host));

/** Values beyond what an egress entry may be, each refused with its own reason. */
export const egressBeyond = (trustDomain: string) =>
  fc.oneof(
    fc.ipV4(),
    fc.constantFrom("10.1", "127.0.0.0x1", "0x7f.0.0.1", "0177.0.0.1", "1.2.3.08", "0x7f000001.0"),
    fc.constantFrom(".co.uk", ".github.io", ".s3.amazonaws.com", ".com", "com", ".b.ck", "host.docker.internal", ".docker.internal", "foo.localhost"),
    fc.constantFrom(`.${trustDomain}`, `api.${trustDomain}`, `.${trustDomain.split(".").slice(1).join(".")}`),
    fc.tuple(labelOfLength(63), labelOfLength(63), labelOfLength(63), labelOfLength(50)).map((labels) => `${labels.join(".")}.example.net`), // 254 characters
    labelOfLength(64).map((label) => `${label}.example.com`),
    fc.constantFrom("API.example.com", "api.example.com.", "api..example.com", "-api.example.com", "api_x.example.com", "*.example.com", "api.example.com #x", "[::1]"),
  );

/** Numbers at their bounds, sometimes as the text `pulumi config set --path` stores for a non-integer. */
const atBounds = (...values: number[]) => fc.constantFrom(...values).chain((v) => fc.constantFrom<number | string>(v, String(v)));

const rateLimit = fc
  .oneof(fc.constantFrom(0.001, 0.0015, 0.05, 1, 19.99, 20, 400, 400.01, 1000, 9999.99, 10000), fc.double({ min: 0.001, max: 10000, noNaN: true }))
  .chain((rps) => fc.constantFrom(minimumBurst(rps), 100000).map((burst) => ({ requestsPerSecond: rps, burst })));

const resources = fc.record({ memoryMb: atBounds(16, 16384), cpus: atBounds(0.01, 0.25, 16), maxProcesses: atBounds(16, 4096) });

const port = (min: number) => atBounds(min, 65535);

export interface GeneratedConfig {
  config: Record<string, any>;
  /** a short description for failure messages */
  label: string;
}

const IMAGE = (name: string) => `registry.example/${name}@sha256:${"a".repeat(64)}`;

/** A trust domain at its bound: the longest (244) whose derived names (identity.<td>) are still host names. */
export const LONGEST_TRUST_DOMAIN = `${"t".repeat(63)}.${"u".repeat(63)}.${"v".repeat(63)}.${"w".repeat(44)}.example`;
const TOO_LONG_TRUST_DOMAIN = `${"t".repeat(63)}.${"u".repeat(63)}.${"v".repeat(63)}.${"w".repeat(45)}.example`;

export const validAtBounds = fc
  .record({
    trustDomain: fc.constantFrom("test.platform.example", "p.example", LONGEST_TRUST_DOMAIN),
    names: fc.uniqueArray(validName, { minLength: 3, maxLength: 6 }),
    serviceCount: fc.integer({ min: 1, max: 2 }),
    egress: fc.array(fc.uniqueArray(validEgress, { maxLength: 4 }), { minLength: 6, maxLength: 6 }),
    rateLimits: fc.array(rateLimit, { minLength: 6, maxLength: 6 }),
    resources: fc.array(resources, { minLength: 6, maxLength: 6 }),
    servicePorts: fc.array(port(1), { minLength: 2, maxLength: 2 }),
    protocols: fc.array(fc.constantFrom("http", "https"), { minLength: 2, maxLength: 2 }),
    health: fc.array(fc.constantFrom("none", "path", "command"), { minLength: 2, maxLength: 2 }),
    network: fc.constantFrom(
      { baseCidr: "10.208.0.0/16", appPrefixLength: 28 },
      { baseCidr: "10.0.0.0/8", appPrefixLength: 24 },
      { baseCidr: "192.168.0.0/21", appPrefixLength: 29 },
      { baseCidr: "172.18.0.0/16", appPrefixLength: 26 },
      { baseCidr: "172.16.0.0/16", appPrefixLength: 28 },
    ),
    gatewayPorts: fc.constantFrom([1024, 65535], [8443, 9901], [65535, 1024]),
    identityPort: atBounds(1024, 8443, 8999, 9001, 65535),
    egressPort: port(1024),
    httpPorts: fc.uniqueArray(fc.constantFrom(1, 80, 8080, 65535), { minLength: 1, maxLength: 3 }),
    connectPorts: fc.uniqueArray(fc.constantFrom(1, 443, 8443, 65535), { minLength: 1, maxLength: 3 }),
    realm: fc.oneof(fc.constant("platform"), labelOfLength(63).filter((r) => r !== "master"), labelOfLength(1)),
    tokenLifespan: atBounds(30, 3600),
    database: fc.constantFrom("dev-file", "postgres"),
  })
  .map((g): GeneratedConfig => {
    const serviceNames = g.names.slice(0, g.serviceCount);
    const appNames = g.names.slice(g.serviceCount);
    const services = serviceNames.map((name, i) => ({
      name,
      image: IMAGE(name),
      port: g.servicePorts[i],
      protocol: g.protocols[i],
      ...(g.health[i] === "path" ? { healthPath: "/healthz" } : g.health[i] === "command" ? { healthcheck: { command: ["CMD", "/bin/true"] } } : {}),
    }));
    const apps = appNames.map((name, i) => ({
      name,
      image: IMAGE(name),
      services: serviceNames.map((service) => ({ name: service, methods: ["GET", "POST"], pathPrefixes: ["/", "/v1/a.b_c~d-e"] })),
      egress: g.egress[i],
      rateLimit: g.rateLimits[i],
      resources: g.resources[i],
      subnetIndex: i,
    }));
    const config = {
      trustDomain: g.trustDomain,
      network: g.network,
      services,
      apps,
      gateway: { image: IMAGE("envoy"), listenPort: g.gatewayPorts[0], adminPort: g.gatewayPorts[1] },
      egress: { image: IMAGE("squid"), port: g.egressPort, httpPorts: g.httpPorts, connectPorts: g.connectPorts },
      identity: {
        image: IMAGE("keycloak"),
        realm: g.realm,
        port: g.identityPort,
        accessTokenLifespanSeconds: g.tokenLifespan,
        database: g.database === "postgres" ? { kind: "postgres", image: IMAGE("postgres") } : { kind: "dev-file" },
      },
    };
    return { config, label: `apps ${appNames.map((n) => n.length).join("/")} chars, services ${serviceNames.map((n) => n.length).join("/")} chars` };
  });

interface Beyond {
  /** the config path the refusal must name */
  path: string;
  mutate: (config: Record<string, any>) => void;
}

/** One value past one bound, for a config from validAtBounds (which has at least one app and one service). */
export const beyondOneBound = (config: Record<string, any>): fc.Arbitrary<Beyond> => {
  const app = config.apps[0];
  const set = (path: string, mutate: (c: Record<string, any>) => void): Beyond => ({ path, mutate });
  return fc.oneof(
    fc
      .oneof(labelOfLength(64), fc.constantFrom("Alpha", "1abc", "abc-", "a_b", "", ...Object.keys(RESERVED_NAMES)), labelOfLength(5).map((n) => `${n}-seed`), fc.constant(config.services[0].name))
      .map((name) => set("platform:apps[0].name", (c) => (c.apps[0].name = name))),
    egressBeyond(config.trustDomain).map((entry) => set("platform:apps[0].egress[0]", (c) => (c.apps[0].egress = [entry]))),
    fc.constantFrom<unknown>(0, 0.0009, -1, 10000.01, "abc", null, true).map((rps) => set("platform:apps[0].rateLimit.requestsPerSecond", (c) => (c.apps[0].rateLimit = { requestsPerSecond: rps, burst: 100000 }))),
    fc
      .constantFrom(0.05, 20, 400.01, 1000, 10000)
      .chain((rps) => fc.constantFrom<unknown>(minimumBurst(rps) - 1, 0, 100001, 1.5, "x").map((burst) => ({ rps, burst })))
      .map(({ rps, burst }) => set("platform:apps[0].rateLimit.burst", (c) => (c.apps[0].rateLimit = { requestsPerSecond: rps, burst }))),
    fc.constantFrom<[string, unknown]>(["memoryMb", 15], ["memoryMb", 16385], ["memoryMb", 256.5], ["cpus", 0.0099], ["cpus", 16.01], ["cpus", "many"], ["maxProcesses", 15], ["maxProcesses", 4097]).map(([key, value]) =>
      set(`platform:apps[0].resources.${key}`, (c) => (c.apps[0].resources = { ...app.resources, [key]: value })),
    ),
    fc.constant(set("platform:gateway.adminPort", (c) => (c.gateway.adminPort = c.gateway.listenPort))),
    fc.constantFrom<unknown>(1023, 65536, 0, "http").map((value) => set("platform:gateway.listenPort", (c) => (c.gateway.listenPort = value))),
    fc.constantFrom<unknown>(9000, 1023, 65536).map((value) => set("platform:identity.port", (c) => (c.identity.port = value))),
    fc.constantFrom<unknown>(1023, 65536).map((value) => set("platform:egress.port", (c) => (c.egress.port = value))),
    fc.constantFrom<unknown>(0, 65536, "eighty").map((value) => set("platform:egress.httpPorts[0]", (c) => (c.egress.httpPorts = [value]))),
    fc.constant(set("platform:egress.connectPorts", (c) => (c.egress.connectPorts = []))),
    fc.constantFrom("master", "Platform", "a".repeat(64)).map((realm) => set("platform:identity.realm", (c) => (c.identity.realm = realm))),
    fc.constantFrom<unknown>(29, 3601).map((value) => set("platform:identity.accessTokenLifespanSeconds", (c) => (c.identity.accessTokenLifespanSeconds = value))),
    fc.constant(set("platform:trustDomain", (c) => (c.trustDomain = TOO_LONG_TRUST_DOMAIN))),
    fc.constantFrom("172.16.0.0/12", "172.17.0.0/16", "10.208.0.0/23", "8.8.0.0/16", "10.208.1.0/16", "10.208.0.0").map((cidr) => set("platform:network.baseCidr", (c) => (c.network = { baseCidr: cidr, appPrefixLength: 28 }))),
    fc.constantFrom<unknown>(23, 30, 28.5).map((value) => set("platform:network.appPrefixLength", (c) => (c.network = { ...c.network, appPrefixLength: value }))),
    fc.constantFrom<unknown>(0, 65536).map((value) => set("platform:services[0].port", (c) => (c.services[0].port = value))),
  );
};
