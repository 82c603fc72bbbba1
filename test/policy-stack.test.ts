// Stack (topology) rules, the dev stack under mocks, and the deliberately insecure stack export.
import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { evaluate, Finding, PackConfig } from "../policies/evaluate";
import { runStackPolicy, ResourceInput } from "./support/policy-harness";
import { stackRules, toStackPolicy } from "../policies/registry";
import type { ResourceView } from "../policies/rules/rule";
import { deliveredUploads, seedsOf, topology } from "../policies/rules/stack/topology";
import { loadInput } from "../checker/inputs";
import { runProgram } from "../mock-runner/run-program";
import { appNetworkProps, CONTAINER, hardenedAppProps, NETWORK, outboundNetworkProps, seedAppProps } from "./fixtures/policy/resources";
import { PROGRAM, stackConfig } from "./support/stack-config";

const FIXTURES = join(__dirname, "fixtures", "policy");
const DEV_PACK_CONFIG: PackConfig = require("../policies/config/dev.json");

const SECRET_FILE = "/etc/platform/tls/oauth-client-secret";
const ALPHA_SECRET = "alphaSecret".padEnd(40, "0");
const BETA_SECRET = "betaSecret".padEnd(40, "0");
const realmJson = (clients: [string, string][]) => JSON.stringify({ realm: "platform", clients: clients.map(([clientId, secret]) => ({ clientId, secret })) });

const CERT_FILE = "/etc/platform/tls/cert.pem";
const KEY_FILE = "/etc/platform/tls/key.pem";
const APP_ENVS = ["PLATFORM_OAUTH_CLIENT_ID=alpha", `PLATFORM_OAUTH_CLIENT_SECRET_FILE=${SECRET_FILE}`, `PLATFORM_CERT_FILE=${CERT_FILE}`, `PLATFORM_KEY_FILE=${KEY_FILE}`];

/**
 * A small compliant platform: app alpha, its gateway and egress proxy, one service, the identity
 * provider, and the networks. As components/workload-container.ts builds them: no workload sets
 * networkMode or carries uploads; each workload's files come from its seed (render/hardening.ts
 * seedContainer), which mounts the same TLS volume, has no network and is never started.
 */
function compliantStack(): ResourceInput[] {
  const container = (name: string, role: string, networks: string[], extra: Record<string, any> = {}) => {
    const props = hardenedAppProps();
    props.name = name;
    props.labels = [{ label: "platform.role", value: role }, ...(extra.app ? [{ label: "platform.app", value: extra.app }] : [])];
    props.networksAdvanced = networks.map((n) => ({ name: n, aliases: [] }));
    props.volumes = [{ volumeName: `plat-${name}-tls`, containerPath: "/etc/platform/tls", readOnly: false }];
    if (extra.envs) props.envs = extra.envs;
    return { type: CONTAINER, name, props };
  };
  const seed = (workload: ResourceInput, uploads: Record<string, any>[]) => {
    const props = seedAppProps();
    props.name = `${workload.props.name}-seed`;
    props.labels = workload.props.labels.map((l: any) => (l.label === "platform.role" ? { ...l, value: "seed" } : l));
    props.volumes = structuredClone(workload.props.volumes);
    props.uploads = uploads;
    return { type: CONTAINER, name: `${workload.name}-seed`, props };
  };
  const file = (path: string, content: string) => ({ file: path, content, permissions: "0440", owner: "0", group: "20001" });
  const services = { ...appNetworkProps(), name: "plat-services", labels: [{ label: "platform.network", value: "services" }] };
  const identityNet = { ...appNetworkProps(), name: "plat-identity", labels: [{ label: "platform.network", value: "identity" }] };
  const alpha = container("alpha", "app", ["plat-dev-app-alpha"], { app: "alpha", envs: [...APP_ENVS] });
  const identity = container("identity", "identity", ["plat-identity"]);
  return [
    { type: NETWORK, name: "net-alpha", props: appNetworkProps("alpha") },
    { type: NETWORK, name: "net-services", props: services },
    { type: NETWORK, name: "net-identity", props: identityNet },
    { type: NETWORK, name: "net-outbound", props: outboundNetworkProps() },
    // uploads[0] is the client secret, [1] the certificate, [2] the key
    seed(alpha, [file(SECRET_FILE, ALPHA_SECRET), file(CERT_FILE, "cert-pem"), file(KEY_FILE, "key-pem")]),
    alpha,
    seed(identity, [file("/etc/platform/tls/realm.json", realmJson([["alpha", ALPHA_SECRET]]))]),
    identity,
    container("gateway", "gateway", ["plat-dev-app-alpha", "plat-services"]),
    container("egress", "egress", ["plat-dev-app-alpha", "plat-dev-outbound"]),
    container("weather", "service", ["plat-services"]),
    { type: "tls:index/certRequest:CertRequest", name: "alpha-client-csr", props: { uris: ["spiffe://dev.platform.example/app/alpha"], subject: { commonName: "alpha" } } },
    { type: "tls:index/locallySignedCert:LocallySignedCert", name: "alpha-client-cert", props: { allowedUses: ["digital_signature", "client_auth"] } },
  ];
}

function edit(stack: ResourceInput[], name: string, change: (props: Record<string, any>) => void): ResourceInput[] {
  const resource = stack.find((r) => r.name === name);
  assert.ok(resource, name);
  change(resource.props);
  return stack;
}

const c = (name: string, field: string, found: string, fix: string) => `container "${name}": ${field} ${found}. Fix: ${fix}`;
const oauthFix = (file = "<file>") =>
  `register OAuth2 client alpha in the identity provider's realm, set PLATFORM_OAUTH_CLIENT_ID=alpha and PLATFORM_OAUTH_CLIENT_SECRET_FILE=${file}, and upload client alpha's secret to ${file} (as a Pulumi secret, never as env)`;
const OAUTH_FIX = oauthFix();
const NO_REALM_FOUND = "is missing (no identity provider container in the stack gets a realm import from its upload seed)";
const certFix = (what: "certificate" | "key", file = "<file>") =>
  `name the ${what} file in ${what === "certificate" ? "PLATFORM_CERT_FILE" : "PLATFORM_KEY_FILE"}=${file} and upload it through app alpha's seed container into a volume the app mounts at the same path`;
const NO_SEED = "is missing (no container labelled platform.role=seed, platform.app=alpha mounts a volume of this container at the same path)";
const SEED_FIX = 'make it a seed that never runs (start false, mustRun false, networkMode "none", no networksAdvanced, no ports), or label it with the platform.role of the workload it is';
const seedOnNetwork = (name: string, network: string) => c(name, "networks", `include ${network}, but an upload seed joins no network`, 'remove that attachment: a seed has networkMode "none" and no networksAdvanced');
const without = (stack: ResourceInput[], name: string) => {
  assert.ok(stack.some((r) => r.name === name), name);
  return stack.filter((r) => r.name !== name);
};

const cases: Record<string, { title: string; stack: () => ResourceInput[]; expected: string[]; config?: Record<string, unknown> }[]> = {
  "stack-app-single-network": [
    {
      title: "app also on the services network",
      stack: () => edit(compliantStack(), "alpha", (p) => p.networksAdvanced.push({ name: "plat-services" })),
      expected: [c("alpha", "networksAdvanced", "includes \"plat-services\" (services network), which is not this app's own network", "remove that attachment; an app joins only its own network (labelled platform.network=app, platform.app=alpha)")],
    },
    {
      title: "app on no network",
      stack: () => edit(compliantStack(), "alpha", (p) => { p.networkMode = "none"; p.networksAdvanced = []; }),
      expected: [c("alpha", "networksAdvanced", "is empty (the app joins no network of its own)", "attach it to the app network of alpha")],
    },
    {
      title: "the app's seed on the services network is not taken for the app (stack-seed-isolation reports it)",
      stack: () => edit(compliantStack(), "alpha-seed", (p) => (p.networksAdvanced = [{ name: "plat-services" }])),
      expected: [],
    },
  ],
  "stack-app-network-members": [
    {
      title: "a service on an app network",
      stack: () => edit(compliantStack(), "weather", (p) => p.networksAdvanced.push({ name: "plat-dev-app-alpha" })),
      expected: [c("weather", "networksAdvanced", "includes \"plat-dev-app-alpha\" (app network of alpha) although its platform.role is service", "remove that attachment (only the app and roles gateway, egress may join an app network)")],
    },
    {
      title: "the app's own seed on its app network (a workload in disguise)",
      stack: () => edit(compliantStack(), "alpha-seed", (p) => (p.networksAdvanced = [{ name: "plat-dev-app-alpha" }])),
      expected: [c("alpha-seed", "networksAdvanced", "includes \"plat-dev-app-alpha\" (app network of alpha) although its platform.role is seed", "remove that attachment (only the app and roles gateway, egress may join an app network)")],
    },
  ],
  "stack-outbound-egress-only": [
    {
      title: "the gateway on the outbound network",
      stack: () => edit(compliantStack(), "gateway", (p) => p.networksAdvanced.push({ name: "plat-dev-outbound" })),
      expected: [c("gateway", "networksAdvanced", "includes \"plat-dev-outbound\" (outbound network) although its platform.role is gateway", "remove that attachment; only the egress proxy (platform.role=egress) may join the outbound network")],
    },
    {
      title: "a seed on the outbound network",
      stack: () => edit(compliantStack(), "identity-seed", (p) => (p.networksAdvanced = [{ name: "plat-dev-outbound" }])),
      expected: [c("identity-seed", "networksAdvanced", "includes \"plat-dev-outbound\" (outbound network) although its platform.role is seed", "remove that attachment; only the egress proxy (platform.role=egress) may join the outbound network")],
    },
  ],
  "stack-app-service-isolation": [
    {
      title: "app and service share a network",
      stack: () => edit(compliantStack(), "weather", (p) => p.networksAdvanced.push({ name: "plat-dev-app-alpha" })),
      expected: [c("alpha", "networksAdvanced", "includes \"plat-dev-app-alpha\" (app network of alpha), shared with service container \"weather\"", "remove that attachment; the app reaches services only through the gateway")],
    },
  ],
  "stack-app-certificate": [
    {
      title: "no certificate request for the app",
      stack: () => compliantStack().filter((r) => r.name !== "alpha-client-csr"),
      expected: [c("alpha", "client certificate", "is missing (no certificate request in the stack has URI SAN spiffe://<trust domain>/app/alpha)", "issue app alpha a client certificate from the internal CA with URI SAN spiffe://<trust domain>/app/alpha")],
    },
    {
      title: "a server-only certificate",
      stack: () => edit(compliantStack(), "alpha-client-cert", (p) => (p.allowedUses = ["server_auth"])),
      expected: [c("alpha", "client certificate", "is missing (a certificate request has URI SAN spiffe://<trust domain>/app/alpha, but no client_auth certificate is signed from it)", "issue app alpha a client certificate from the internal CA with URI SAN spiffe://<trust domain>/app/alpha")],
    },
    {
      title: "another trust domain",
      stack: compliantStack,
      config: { trustDomain: "prod.platform.example" },
      expected: [c("alpha", "client certificate", "is missing (no certificate request in the stack has URI SAN spiffe://prod.platform.example/app/alpha)", "issue app alpha a client certificate from the internal CA with URI SAN spiffe://prod.platform.example/app/alpha")],
    },
    {
      title: "no upload seed: the certificate never reaches the app",
      stack: () => without(compliantStack(), "alpha-seed"),
      expected: [c("alpha", "upload seed", NO_SEED, certFix("certificate", CERT_FILE))],
    },
    {
      title: "the certificate uploaded to the app container itself (Docker refuses uploads into a read-only root)",
      stack: () => {
        const stack = without(compliantStack(), "alpha-seed");
        return edit(stack, "alpha", (p) => (p.uploads = seedAppProps().uploads));
      },
      expected: [c("alpha", "upload seed", NO_SEED, certFix("certificate", CERT_FILE))],
    },
    {
      title: "a seed of another app",
      stack: () => edit(compliantStack(), "alpha-seed", (p) => (p.labels = [{ label: "platform.role", value: "seed" }, { label: "platform.app", value: "beta" }])),
      expected: [c("alpha", "upload seed", NO_SEED, certFix("certificate", CERT_FILE))],
    },
    {
      title: "a seed that fills another volume",
      stack: () => edit(compliantStack(), "alpha-seed", (p) => (p.volumes[0].volumeName = "plat-other-tls")),
      expected: [c("alpha", "upload seed", NO_SEED, certFix("certificate", CERT_FILE))],
    },
    {
      title: "the key file is not uploaded",
      stack: () => edit(compliantStack(), "alpha-seed", (p) => p.uploads.splice(2, 1)),
      expected: [c("alpha", 'uploads of its seed "alpha-seed"', `have no file ${KEY_FILE} (named by PLATFORM_KEY_FILE)`, certFix("key", KEY_FILE))],
    },
    {
      title: "the certificate lands in the seed's own root filesystem, not in the shared volume",
      stack: () => {
        const stack = edit(compliantStack(), "alpha", (p) => (p.envs[2] = "PLATFORM_CERT_FILE=/cert.pem"));
        return edit(stack, "alpha-seed", (p) => (p.uploads[1].file = "/cert.pem"));
      },
      expected: [c("alpha-seed", "uploads[1].file", "is /cert.pem, which lies in no volume that app alpha mounts at the same path", certFix("certificate", "/cert.pem"))],
    },
    {
      title: "no certificate and key files named in the app's env",
      stack: () => edit(compliantStack(), "alpha", (p) => (p.envs = p.envs.slice(0, 2))),
      expected: [
        c("alpha", "envs", "has no PLATFORM_CERT_FILE (the app's client certificate file)", certFix("certificate")),
        c("alpha", "envs", "has no PLATFORM_KEY_FILE (the app's client key file)", certFix("key")),
      ],
    },
  ],
  "stack-app-oauth-client": [
    {
      title: "no client id handed to the app",
      stack: () => edit(compliantStack(), "alpha", (p) => (p.envs = [])),
      expected: [c("alpha", "envs", "has no PLATFORM_OAUTH_CLIENT_ID", OAUTH_FIX)],
    },
    {
      title: "another app's client",
      stack: () => edit(compliantStack(), "alpha", (p) => (p.envs[0] = "PLATFORM_OAUTH_CLIENT_ID=beta")),
      expected: [c("alpha", "envs", "sets PLATFORM_OAUTH_CLIENT_ID to \"beta\", not the app's own client \"alpha\"", oauthFix(SECRET_FILE))],
    },
    {
      title: "no secret file named",
      stack: () => edit(compliantStack(), "alpha", (p) => (p.envs = ["PLATFORM_OAUTH_CLIENT_ID=alpha"])),
      expected: [c("alpha", "envs", "has no PLATFORM_OAUTH_CLIENT_SECRET_FILE", OAUTH_FIX)],
    },
    {
      title: "the old contract: the secret as env instead of a file",
      stack: () => {
        const stack = edit(compliantStack(), "alpha", (p) => (p.envs = ["PLATFORM_OAUTH_CLIENT_ID=alpha", `PLATFORM_OAUTH_CLIENT_SECRET=${ALPHA_SECRET}`]));
        return edit(stack, "alpha-seed", (p) => p.uploads.splice(0, 1));
      },
      expected: [c("alpha", "envs", "has no PLATFORM_OAUTH_CLIENT_SECRET_FILE", OAUTH_FIX)],
    },
    {
      title: "no upload seed for the app",
      stack: () => without(compliantStack(), "alpha-seed"),
      expected: [c("alpha", "upload seed", NO_SEED, oauthFix(SECRET_FILE))],
    },
    {
      title: "the secret uploaded to the app container itself (Docker refuses uploads into a read-only root)",
      stack: () => {
        const stack = without(compliantStack(), "alpha-seed");
        return edit(stack, "alpha", (p) => (p.uploads = [{ file: SECRET_FILE, content: ALPHA_SECRET, permissions: "0440", owner: "0", group: "20001" }]));
      },
      expected: [c("alpha", "upload seed", NO_SEED, oauthFix(SECRET_FILE))],
    },
    {
      title: "the named file is not uploaded",
      stack: () => edit(compliantStack(), "alpha-seed", (p) => (p.uploads[0].file = "/etc/platform/tls/other")),
      expected: [c("alpha", 'uploads of its seed "alpha-seed"', `have no file ${SECRET_FILE} (named by PLATFORM_OAUTH_CLIENT_SECRET_FILE)`, oauthFix(SECRET_FILE))],
    },
    {
      title: "the secret lands outside every volume the app mounts",
      stack: () => {
        const stack = edit(compliantStack(), "alpha", (p) => (p.envs[1] = "PLATFORM_OAUTH_CLIENT_SECRET_FILE=/run/oauth-client-secret"));
        return edit(stack, "alpha-seed", (p) => (p.uploads[0].file = "/run/oauth-client-secret"));
      },
      expected: [c("alpha-seed", "uploads[0].file", "is /run/oauth-client-secret, which lies in no volume that app alpha mounts at the same path", oauthFix("/run/oauth-client-secret"))],
    },
    {
      title: "an empty secret file",
      stack: () => edit(compliantStack(), "alpha-seed", (p) => (p.uploads[0].content = "")),
      expected: [c("alpha-seed", "uploads[0].content", "is empty", oauthFix(SECRET_FILE))],
    },
    {
      title: "a secret the realm does not know",
      stack: () => edit(compliantStack(), "alpha-seed", (p) => (p.uploads[0].content = "stale".padEnd(40, "0"))),
      expected: [c("alpha-seed", "uploads[0].content", "is not the secret of the realm's client \"alpha\"", oauthFix(SECRET_FILE))],
    },
    {
      title: "another app's secret",
      stack: () => {
        const stack = edit(compliantStack(), "identity-seed", (p) => (p.uploads[0].content = realmJson([["alpha", ALPHA_SECRET], ["beta", BETA_SECRET]])));
        return edit(stack, "alpha-seed", (p) => (p.uploads[0].content = BETA_SECRET));
      },
      expected: [c("alpha-seed", "uploads[0].content", "is the secret of another app's client \"beta\"", oauthFix(SECRET_FILE))],
    },
    {
      title: "the realm has no client for the app",
      stack: () => edit(compliantStack(), "identity-seed", (p) => (p.uploads[0].content = realmJson([["beta", BETA_SECRET]]))),
      expected: [c("alpha", "OAuth2 client", "is missing (the identity provider's realm has no client \"alpha\")", OAUTH_FIX)],
    },
    {
      title: "no identity provider at all",
      stack: () => without(without(compliantStack(), "identity"), "identity-seed"),
      expected: [c("alpha", "OAuth2 client", NO_REALM_FOUND, OAUTH_FIX)],
    },
    {
      title: "the identity provider without its seed",
      stack: () => without(compliantStack(), "identity-seed"),
      expected: [c("alpha", "OAuth2 client", NO_REALM_FOUND, OAUTH_FIX)],
    },
    {
      title: "the realm import on the identity container itself (Docker refuses uploads into a read-only root)",
      stack: () => {
        const realm = compliantStack().find((r) => r.name === "identity-seed")!.props.uploads;
        return edit(without(compliantStack(), "identity-seed"), "identity", (p) => (p.uploads = realm));
      },
      expected: [c("alpha", "OAuth2 client", NO_REALM_FOUND, OAUTH_FIX)],
    },
    {
      title: "the realm import in a seed that fills no volume of the identity provider",
      stack: () => edit(compliantStack(), "identity-seed", (p) => (p.volumes[0].containerPath = "/etc/other")),
      expected: [c("alpha", "OAuth2 client", NO_REALM_FOUND, OAUTH_FIX)],
    },
  ],
  "stack-seed-isolation": [
    {
      title: "a seed on its app's network (a workload in disguise)",
      stack: () => edit(compliantStack(), "alpha-seed", (p) => (p.networksAdvanced = [{ name: "plat-dev-app-alpha" }])),
      expected: [
        seedOnNetwork("alpha-seed", "\"plat-dev-app-alpha\" (app network of alpha)"),
        c("alpha-seed", "seed", "could run or be reached: networksAdvanced has 1 attachment", SEED_FIX),
      ],
    },
    {
      title: "a seed on the services network through networkMode",
      stack: () => edit(compliantStack(), "alpha-seed", (p) => (p.networkMode = "plat-services")),
      expected: [seedOnNetwork("alpha-seed", "\"plat-services\" (services network)"), c("alpha-seed", "seed", "could run or be reached: networkMode is \"plat-services\", not \"none\"", SEED_FIX)],
    },
    {
      title: "a read-only seed that starts (passes cis-5.13, so only this rule sees it)",
      stack: () => edit(compliantStack(), "identity-seed", (p) => ((p.readOnly = true), (p.start = true), delete p.mustRun)),
      expected: [c("identity-seed", "seed", "could run or be reached: start is true, mustRun is unset (true: it must keep running)", SEED_FIX)],
    },
    {
      title: "a seed on the default bridge",
      stack: () => edit(compliantStack(), "alpha-seed", (p) => delete p.networkMode),
      expected: [c("alpha-seed", "seed", "could run or be reached: networkMode is unset, not \"none\"", SEED_FIX)],
    },
    {
      title: "a seed with a published port",
      stack: () => edit(compliantStack(), "alpha-seed", (p) => (p.ports = [{ internal: 8080, external: 18080, ip: "127.0.0.1" }])),
      expected: [c("alpha-seed", "seed", "could run or be reached: ports has 1 published port", SEED_FIX)],
    },
  ],
};

describe("stack rules", () => {
  it("every stack rule has cases", () => {
    assert.deepEqual(stackRules.map((r) => r.id).filter((id) => !cases[id]), []);
  });
  for (const rule of stackRules) {
    describe(rule.id, () => {
      const policy = toStackPolicy(rule);
      it("passes the compliant topology", async () => {
        assert.deepEqual(await runStackPolicy(policy, compliantStack()), { violations: [] });
      });
      for (const testCase of cases[rule.id] ?? []) {
        it(`rejects: ${testCase.title}`, async () => {
          const stack = testCase.stack();
          const run = await runStackPolicy(policy, stack, testCase.config);
          assert.deepEqual(run.violations.map((v) => v.message), testCase.expected);
          for (const v of run.violations) assert.match(v.urn ?? "", /^urn:pulumi:/, "a stack violation names the resource's URN");
        });
      }
    });
  }

  it("an unknown value in a stack policy gives the runtime's advisory", async () => {
    const stack = edit(compliantStack(), "alpha", (p) => (p.envs = "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2"));
    const run = await runStackPolicy(toStackPolicy(stackRules.find((r) => r.id === "stack-app-oauth-client")!), stack);
    assert.equal(run.advisory, "can't run policy 'stack-app-oauth-client' during preview: Array value at .envs can't be known during preview");
  });
});

describe("the dev stack (Pulumi.dev.yaml) under mocks", { timeout: 120_000 }, () => {
  let findings: Finding[];
  let asTheCliSeesIt: Finding[];
  let hasIdentityProvider: boolean;
  let containers: ResourceView[];
  before(async () => {
    const run = await runProgram(PROGRAM, { config: stackConfig("dev"), stack: "dev", material: "fast" });
    const resources = run.resources
      .filter((r) => r.custom)
      .map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: r.inputs, secretInputs: r.secretInputs }));
    containers = resources.filter((r) => r.type === CONTAINER).map((r) => ({ ...r, urn: r.urn ?? r.name, isSecret: () => false }));
    hasIdentityProvider = resources.some((r) => r.type === CONTAINER && r.props.labels?.some((l: any) => l.label === "platform.role" && l.value === "identity"));
    findings = evaluate(resources, { config: DEV_PACK_CONFIG });
    // The CLI's policy runtime unwraps secrets before rules see them: check the stack that way too.
    asTheCliSeesIt = evaluate(resources.map((r) => ({ ...r, secretInputs: [] })), { config: DEV_PACK_CONFIG });
  });

  it("gives every workload with files exactly one seed, and every credential reaches its workload only through it", () => {
    const topo = topology(containers);
    const seeds = topo.containers.filter((c) => c.role === "seed");
    const workloads = topo.containers.filter((c) => c.role !== "seed");
    // egress, gateway, identity, 2 services, 2 apps: each receives files, so each has one seed
    assert.deepEqual(
      seeds.map((s) => s.resource.name).sort(),
      workloads.map((w) => `${w.resource.name}-seed`).sort(),
    );
    assert.equal(seeds.length, 7);
    for (const workload of workloads) {
      assert.deepEqual(workload.resource.props.uploads ?? [], [], `${workload.resource.name} carries no uploads (read-only root)`);
      assert.deepEqual(seedsOf(topo, workload).map((s) => s.resource.name), [`${workload.resource.name}-seed`]);
    }
    for (const seed of seeds) {
      assert.deepEqual([seed.networks, seed.resource.props.start, seed.resource.props.mustRun, seed.resource.props.readOnly], [[], false, false, false], seed.resource.name);
    }
    // what stack-app-certificate and stack-app-oauth-client read: each app's files, delivered by its seed
    const apps = workloads.filter((w) => w.role === "app");
    assert.equal(apps.length, 2);
    for (const app of apps) {
      const files = deliveredUploads(topo, app).map((u) => u.upload.file).sort();
      assert.deepEqual(files, ["/etc/platform/tls/ca.pem", "/etc/platform/tls/cert.pem", "/etc/platform/tls/key.pem", "/etc/platform/tls/oauth-client-secret"], app.resource.name);
    }
    const identity = workloads.filter((w) => w.role === "identity");
    assert.equal(identity.length, 1);
    assert.ok(deliveredUploads(topo, identity[0]).some((u) => u.upload.file === "/etc/platform/tls/realm.json"), "the realm import reaches Keycloak through its seed");
  });

  it("dev.json allows no credential names: credentials are files, not env", () => {
    const envRule = (DEV_PACK_CONFIG as Record<string, any>)["env-plaintext-secrets"];
    assert.deepEqual(envRule?.allowedNames ?? [], []);
  });

  it("passes env-plaintext-secrets even with every secret mark removed (as the Pulumi CLI's policy runtime sees it)", () => {
    assert.deepEqual(asTheCliSeesIt.filter((f) => f.ruleId === "env-plaintext-secrets").map((f) => f.message), []);
    assert.deepEqual(asTheCliSeesIt.filter((f) => f.enforcementLevel === "mandatory").map((f) => f.message), []);
  });

  it("has zero mandatory violations", () => {
    const mandatory = findings.filter((f) => f.enforcementLevel === "mandatory" && (hasIdentityProvider || f.ruleId !== "stack-app-oauth-client"));
    assert.deepEqual(mandatory.map((f) => f.message), []);
  });

  it("gives every app its own OAuth2 client", (t) => {
    if (!hasIdentityProvider) {
      t.skip("the Platform component has no identity provider yet (components/platform.ts '--- identity provider ---'), so no app has an OAuth2 client to check");
      return;
    }
    assert.deepEqual(findings.filter((f) => f.ruleId === "stack-app-oauth-client").map((f) => f.message), []);
  });

  it("reports its unpinned images as advisories only (platform:allowUnpinnedImages)", () => {
    const advisories = findings.filter((f) => f.enforcementLevel === "advisory");
    assert.ok(advisories.length > 0);
    assert.deepEqual([...new Set(advisories.map((f) => f.ruleId))], ["cis-5.28-image-pinned"]);
  });
});

describe("the deliberately insecure stack export", () => {
  it("fails with the expected rule ids", async () => {
    const input = await loadInput(join(FIXTURES, "insecure-stack.export.json"));
    const findings = evaluate(input.resources);
    const byResource = new Map<string, string[]>();
    for (const f of findings) {
      assert.equal(f.enforcementLevel, "mandatory");
      byResource.set(f.resourceName, [...new Set([...(byResource.get(f.resourceName) ?? []), f.ruleId])]);
    }
    assert.deepEqual(Object.fromEntries(byResource), {
      "platform-networks-app-alpha": ["network-internal", "network-driver", "network-outbound-icc"],
      "platform-networks-outbound": ["network-host-binding", "network-outbound-icc"],
      // labelled as a seed, but it would start and it joins the app network: a workload in disguise
      "platform-app-alpha-container-seed": ["cis-5.13-read-only-root", "stack-app-network-members", "stack-seed-isolation"],
      "platform-app-alpha-container": [
        "cis-4.1-non-root-user", "cis-5.4-capabilities", "cis-5.5-privileged", "cis-5.6-sensitive-host-paths", "cis-5.8-privileged-ports",
        "cis-5.14-host-interface", "cis-5.28-image-pinned", "cis-5.32-docker-socket", "env-plaintext-secrets",
        "stack-app-single-network", "stack-app-service-isolation", "stack-app-certificate", "stack-app-oauth-client",
      ],
      "platform-svc-weather-container": ["stack-app-network-members"],
      "platform-gateway-container": ["stack-outbound-egress-only"],
    });
  });
});
