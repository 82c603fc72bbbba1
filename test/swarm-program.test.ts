// The Swarm wiring (components/swarm/) evaluated under Pulumi's mocks with the dev stack switched to
// Swarm: services, overlay networks, secrets and configs, and no container, volume or upload seed.
import assert from "node:assert/strict";
import { createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import { before, describe, it } from "node:test";
import { parsePlatformConfig } from "../config/load";
import { SwarmPlatform } from "../components/swarm/swarm-platform";
import { ProgramRun, RecordedResource, runProgram } from "../mock-runner/run-program";
import { swarmObjectName } from "../render/swarm/files";
import { spkiPinFromPem } from "../render/envoy/spki";
import { parse } from "yaml";
import { PROGRAM, rawPlatformConfig, stackConfig } from "./support/stack-config";

const SERVICE = "docker:index/service:Service";
const SECRET = "docker:index/secret:Secret";
const CONFIG = "docker:index/serviceConfig:ServiceConfig";
const NETWORK = "docker:index/network:Network";

const decode = (r: RecordedResource) => Buffer.from(r.inputs.data, "base64").toString("utf8");

describe("components/swarm under mocks with the dev stack as a Swarm stack", { timeout: 120_000 }, () => {
  let run: ProgramRun;
  before(async () => {
    const raw = rawPlatformConfig("dev");
    raw.orchestrator = "swarm";
    raw.network = { ...raw.network, appPrefixLength: 27 };
    const { config } = parsePlatformConfig(raw);
    run = await runProgram(() => {
      const platform = new SwarmPlatform("platform", { config, stack: "dev" });
      return { services: Object.fromEntries(Object.entries(platform.services).map(([k, s]) => [k, s.name])) };
    }, { config: {}, stack: "dev" });
  });

  const service = (key: string) => {
    const found = run.ofType(SERVICE).find((s) => s.inputs.name === `plat-dev-${key}`);
    assert.ok(found, `service plat-dev-${key}`);
    return found;
  };
  const filesOf = (s: RecordedResource, kind: "secrets" | "configs") => (s.inputs.taskSpec.containerSpec[kind] ?? []) as Record<string, any>[];
  const byId = (type: string, id: string) => {
    const found = run.ofType(type).find((r) => r.id === id);
    assert.ok(found, `${type} ${id}`);
    return found;
  };
  const fileContent = (s: RecordedResource, fileName: string) => {
    const secret = filesOf(s, "secrets").find((f) => f.fileName === fileName);
    if (secret) return decode(byId(SECRET, secret.secretId));
    const config = filesOf(s, "configs").find((f) => f.fileName === fileName);
    assert.ok(config, `${s.inputs.name} mounts ${fileName}`);
    return decode(byId(CONFIG, config.configId));
  };

  it("declares services, overlay networks, secrets and configs, and no container, volume or seed", () => {
    const types = new Set(run.resources.filter((r) => r.type.startsWith("docker:")).map((r) => r.type));
    assert.deepEqual([...types].sort(), [NETWORK, SECRET, SERVICE, CONFIG].sort());
    assert.equal(run.ofType(SERVICE).length, 7);
    assert.equal(run.ofType(NETWORK).length, 5);
    for (const n of run.ofType(NETWORK)) assert.equal(n.inputs.driver, "overlay");
  });

  it("attaches each service to the network resources by id", () => {
    const networkIds = new Map(run.ofType(NETWORK).map((n) => [n.id, n.inputs.name]));
    const app = service("app-forecast-widget");
    assert.deepEqual(app.inputs.taskSpec.networksAdvanceds.map((n: any) => [networkIds.get(n.id), n.aliases]), [["plat-dev-app-forecast-widget", ["forecast-widget"]]]);
    for (const s of run.ofType(SERVICE)) for (const n of s.inputs.taskSpec.networksAdvanceds) assert.ok(networkIds.has(n.id), `${s.inputs.name}: network id ${n.id}`);
  });

  it("mounts each app's own key, matching its certificate, and its own client secret, as secrets", () => {
    const app = service("app-forecast-widget");
    const key = fileContent(app, "/etc/platform/tls/key.pem");
    const cert = new X509Certificate(fileContent(app, "/etc/platform/tls/cert.pem"));
    assert.ok(cert.checkPrivateKey(createPrivateKey(key)));
    assert.match(cert.subjectAltName ?? "", /URI:spiffe:\/\/dev\.platform\.example\/app\/forecast-widget/);
    assert.ok(filesOf(app, "secrets").some((f) => f.fileName === "/etc/platform/tls/oauth-client-secret"));
    const clientSecret = fileContent(app, "/etc/platform/tls/oauth-client-secret");
    const realm = JSON.parse(fileContent(service("identity"), "/etc/platform/tls/realm.json"));
    assert.equal(realm.clients.find((c: any) => c.clientId === "forecast-widget").secret, clientSecret);
    assert.notEqual(fileContent(service("app-backup-agent"), "/etc/platform/tls/oauth-client-secret"), clientSecret);
  });

  it("keeps every secret's data a Pulumi secret and out of every service's inputs", () => {
    const secrets = run.ofType(SECRET);
    // apps: key and client secret; services and gateway: key; Keycloak: key, realm, admin password
    assert.equal(secrets.length, 2 * 2 + 2 + 1 + 3);
    for (const s of secrets) {
      assert.ok(s.secretInputs.includes("data"), `${s.name}: data is a Pulumi secret`);
      assert.ok(!s.secretInputs.includes("name"), `${s.name}: its name is shown`);
    }
    const contents = secrets.map(decode).filter((c) => c.length >= 20);
    for (const s of run.ofType(SERVICE)) {
      const text = JSON.stringify(s.inputs);
      for (const c of contents) assert.ok(!text.includes(c.slice(0, 40)), `${s.inputs.name} carries a secret's content`);
    }
  });

  it("names every secret and config by its service, purpose and content", () => {
    for (const s of run.ofType(SERVICE)) {
      for (const kind of ["secrets", "configs"] as const) {
        for (const f of filesOf(s, kind)) {
          const object = byId(kind === "secrets" ? SECRET : CONFIG, kind === "secrets" ? f.secretId : f.configId);
          const purpose = object.inputs.name.slice(s.inputs.name.length + 1, -13);
          assert.equal(object.inputs.name, swarmObjectName(s.inputs.name, { purpose }, decode(object)));
        }
      }
    }
  });

  it("gives the gateway an Envoy bootstrap that pins the apps' keys and reaches Keycloak by its alias", () => {
    const gateway = service("gateway");
    const bootstrap = parse(fileContent(gateway, "/etc/platform/tls/envoy.yaml"));
    const appKey = createPublicKey(createPrivateKey(fileContent(service("app-forecast-widget"), "/etc/platform/tls/key.pem"))).export({ type: "spki", format: "pem" }).toString();
    assert.ok(JSON.stringify(bootstrap).includes(spkiPinFromPem(appKey)));
    const identity = bootstrap.static_resources.clusters.find((c: any) => c.type === "STRICT_DNS" && c.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address === "identity");
    assert.ok(identity, "the identity cluster resolves the alias");
    assert.equal(gateway.inputs.mode.replicated.replicas, 2);
    const cert = new X509Certificate(fileContent(gateway, "/etc/platform/tls/cert.pem"));
    assert.match(cert.subjectAltName ?? "", /DNS:gateway(,|$)/);
  });

  it("gives the egress proxy squid.conf as a config, readable by all, owned by root", () => {
    const egress = service("egress");
    assert.deepEqual(filesOf(egress, "secrets"), []);
    const [conf] = filesOf(egress, "configs");
    assert.deepEqual([conf.fileName, conf.fileUid, conf.fileGid, conf.fileMode], ["/etc/squid/platform/squid.conf", "0", "0", 0o444]);
    assert.match(fileContent(egress, "/etc/squid/platform/squid.conf"), /^http_port 3128$/m);
  });
});

describe("index.ts under mocks with platform:orchestrator: swarm", { timeout: 120_000 }, () => {
  let run: ProgramRun;
  before(async () => {
    const config = stackConfig("dev");
    config["platform:orchestrator"] = "swarm";
    config["platform:network"] = { ...(config["platform:network"] as object), appPrefixLength: 27 };
    run = await runProgram(PROGRAM, { config, stack: "dev" });
  });

  it("builds the Swarm platform instead of containers", () => {
    assert.equal(run.ofType("platform:swarm:SwarmPlatform").length, 1);
    assert.equal(run.ofType("platform:index:Platform").length, 0);
    assert.equal(run.ofType("docker:index/container:Container").length, 0);
    assert.equal(run.ofType(SERVICE).length, 7);
  });

  it("exports the engine stack's keys, with services and aliases in place of containers and addresses", () => {
    const outputs = run.outputs as any;
    assert.deepEqual(Object.keys(outputs).sort(), ["apps", "caCertificatePem", "egressProxy", "gateway", "identity", "networks", "services"]);
    assert.deepEqual(outputs.apps["forecast-widget"], { serviceName: "plat-dev-app-forecast-widget", replicas: 1, uid: outputs.apps["forecast-widget"].uid, gateway: "gateway", egressProxy: "egress" });
    assert.equal(outputs.gateway.serviceName, "plat-dev-gateway");
    assert.equal(outputs.identity.issuer, "https://identity.dev.platform.example:8443/realms/platform");
    assert.doesNotMatch(JSON.stringify(outputs), /PRIVATE KEY/);
  });
});
