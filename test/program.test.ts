// The real program (index.ts) evaluated under Pulumi's mocks with the dev stack's config.
import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { before, describe, it } from "node:test";
import { ProgramRun, runProgram } from "../mock-runner/run-program";
import { PROGRAM, stackConfig } from "./support/stack-config";

const CONTAINER = "docker:index/container:Container";
const NETWORK = "docker:index/network:Network";

describe("index.ts under mocks with Pulumi.dev.yaml", { timeout: 120_000 }, () => {
  let run: ProgramRun;
  before(async () => {
    run = await runProgram(PROGRAM, { config: stackConfig("dev"), stack: "dev" });
  });

  const byParent = (type: string, parentType: string) => run.ofType(type).filter((r) => r.parentType === parentType);
  const seedOf = (workload: { inputs: Record<string, any> }) => {
    const seed = run.ofType(CONTAINER).find((c) => c.inputs.name === `${workload.inputs.name}-seed`);
    assert.ok(seed, `${workload.inputs.name} has an upload seed`);
    return seed;
  };
  const containersOfRole = (role: string) => run.ofType(CONTAINER).filter((c) => c.inputs.labels.some((l: any) => l.label === "platform.role" && l.value === role));

  it("builds the component tree: one Platform, its networks, CA, two services, two apps", () => {
    assert.equal(run.ofType("platform:index:Platform").length, 1);
    assert.equal(run.ofType("platform:index:Platform")[0].parentType, undefined);
    for (const [type, count] of [
      ["platform:network:PlatformNetworks", 1],
      ["platform:pki:InternalCa", 1],
      ["platform:service:PlatformService", 2],
      ["platform:app:ThirdPartyApp", 2],
    ] as const) {
      const found = run.ofType(type);
      assert.equal(found.length, count, type);
      for (const r of found) assert.equal(r.parentType, "platform:index:Platform", `${type} ${r.name} parent`);
    }
  });

  it("declares exactly the expected resource graph: every type, count and parent", () => {
    const graph: Record<string, number> = {};
    for (const r of run.resources) {
      const edge = `${r.parentType ?? "(root)"} > ${r.type}`;
      graph[edge] = (graph[edge] ?? 0) + 1;
    }
    const P = "platform:index:Platform";
    const [CA, IDP, SVC, APP, GW, EG, NETS] = ["platform:pki:InternalCa", "platform:identity:IdentityProvider", "platform:service:PlatformService", "platform:app:ThirdPartyApp", "platform:gateway:ApiGateway", "platform:egress:EgressProxy", "platform:network:PlatformNetworks"];
    const [KEY, CSR, CERT, VOL, CTR] = ["tls:index/privateKey:PrivateKey", "tls:index/certRequest:CertRequest", "tls:index/locallySignedCert:LocallySignedCert", "docker:index/volume:Volume", CONTAINER];
    // per workload: key, CSR, certificate, TLS volume, the container and its upload seed
    const leaf = (parent: string, count: number) => ({ [`${parent} > ${KEY}`]: count, [`${parent} > ${CSR}`]: count, [`${parent} > ${CERT}`]: count, [`${parent} > ${VOL}`]: count, [`${parent} > ${CTR}`]: 2 * count });
    assert.deepEqual(graph, {
      [`(root) > ${P}`]: 1,
      ...Object.fromEntries([NETS, CA, IDP, GW, EG].map((t) => [`${P} > ${t}`, 1])),
      [`${P} > ${SVC}`]: 2,
      [`${P} > ${APP}`]: 2,
      [`${NETS} > ${NETWORK}`]: 5,
      [`${CA} > ${KEY}`]: 1,
      [`${CA} > tls:index/selfSignedCert:SelfSignedCert`]: 1,
      ...leaf(IDP, 1),
      [`${IDP} > random:index/randomPassword:RandomPassword`]: 3,
      ...leaf(SVC, 2),
      ...leaf(APP, 2),
      ...leaf(GW, 1),
      [`${EG} > ${VOL}`]: 1,
      [`${EG} > ${CTR}`]: 2,
    });
  });

  it("parents every leaf resource under the component that owns it", () => {
    assert.equal(byParent(NETWORK, "platform:network:PlatformNetworks").length, 2 + 3);
    assert.equal(byParent("tls:index/privateKey:PrivateKey", "platform:pki:InternalCa").length, 1);
    assert.equal(byParent("tls:index/selfSignedCert:SelfSignedCert", "platform:pki:InternalCa").length, 1);
    for (const owner of ["platform:app:ThirdPartyApp", "platform:service:PlatformService"]) {
      assert.equal(byParent(CONTAINER, owner).length, 4, `${owner}: two workloads and their seeds`);
      assert.equal(byParent("docker:index/volume:Volume", owner).length, 2, owner);
      assert.equal(byParent("tls:index/privateKey:PrivateKey", owner).length, 2, owner);
      assert.equal(byParent("tls:index/certRequest:CertRequest", owner).length, 2, owner);
      assert.equal(byParent("tls:index/locallySignedCert:LocallySignedCert", owner).length, 2, owner);
    }
    for (const r of run.resources) assert.ok(r.type === "platform:index:Platform" || r.parentType, `${r.type} ${r.name} has no parent`);
  });

  it("makes every network internal except the outbound one, with explicit IPAM", () => {
    const networks = run.ofType(NETWORK);
    const outbound = networks.filter((n) => !n.inputs.internal);
    assert.deepEqual(outbound.map((n) => n.inputs.name), ["plat-dev-outbound"]);
    for (const n of networks) {
      assert.equal(n.inputs.driver, "bridge");
      assert.equal(n.inputs.ipamConfigs.length, 1);
      assert.match(n.inputs.ipamConfigs[0].subnet, /^10\.208\.\d+\.\d+\/\d+$/);
      assert.ok(n.inputs.ipamConfigs[0].gateway);
    }
  });

  it("hardens every app and service container", () => {
    const workloads = [...containersOfRole("app"), ...containersOfRole("service")];
    assert.equal(workloads.length, 4);
    const uids = new Set<string>();
    for (const c of workloads) {
      const p = c.inputs;
      assert.match(p.user, /^[1-9]\d{4}:[1-9]\d{4}$/, `${c.name} user`);
      uids.add(p.user);
      assert.deepEqual(p.capabilities, { drops: ["ALL"], adds: [] }, c.name);
      assert.equal(p.privileged, false);
      assert.equal(p.readOnly, true);
      assert.deepEqual(p.securityOpts, ["no-new-privileges:true"]);
      assert.equal(p.ipcMode, "private");
      assert.equal(p.cgroupnsMode, "private");
      assert.equal(p.memorySwap, p.memory);
      assert.ok(p.memory > 0 && Number(p.cpus) > 0);
      assert.deepEqual(p.ulimits.map((u: any) => u.name), ["nofile", "nproc", "sigpending"]);
      assert.equal(p.restart, "on-failure");
      assert.equal(p.maxRetryCount, 5);
      assert.ok(p.healthcheck.tests.length >= 2);
      assert.equal(p.ports, undefined);
      assert.equal(p.publishAllPorts, false);
      assert.equal(p.networksAdvanced.length, 1, `${c.name} joins exactly one network`);
      assert.equal(p.networkMode, undefined, `${c.name}: networkMode would make Docker drop the static address`);
      assert.equal(p.uploads, undefined, `${c.name}: nothing is uploaded into a read-only root`);
      assert.deepEqual(p.volumes.map((v: any) => v.containerPath), ["/etc/platform/tls"]);
      const seed = seedOf(c);
      assert.deepEqual([seed.inputs.start, seed.inputs.mustRun, seed.inputs.networkMode, seed.inputs.readOnly], [false, false, "none", false], `${c.name} seed`);
      assert.deepEqual(seed.inputs.volumes, p.volumes.map((v: any) => ({ ...v, readOnly: false })), `${c.name}: the seed mounts the volume writable`);
      assert.ok(p.volumes.every((v: any) => v.readOnly === true), `${c.name}: the workload mounts it read-only`);
      assert.equal(seed.inputs.user, p.user);
      assert.deepEqual(seed.inputs.capabilities, p.capabilities);
      // apps also get their OAuth2 client secret as a file (test/credential-files.test.ts)
      const credentials = containersOfRole("app").includes(c) ? ["/etc/platform/tls/oauth-client-secret"] : [];
      assert.deepEqual(seed.inputs.uploads.map((u: any) => u.file), ["/etc/platform/tls/ca.pem", "/etc/platform/tls/cert.pem", "/etc/platform/tls/key.pem", ...credentials]);
    }
    assert.equal(uids.size, 4, "a distinct UID per workload");
  });

  it("attaches each app only to its own app network and each service only to the services network", () => {
    for (const c of containersOfRole("app")) {
      const app = c.inputs.labels.find((l: any) => l.label === "platform.app").value;
      assert.deepEqual(c.inputs.networksAdvanced.map((n: any) => n.name), [`plat-dev-app-${app}`]);
    }
    for (const c of containersOfRole("service")) assert.deepEqual(c.inputs.networksAdvanced.map((n: any) => n.name), ["plat-dev-services"]);
    const backup = containersOfRole("app").find((c) => c.inputs.name === "plat-dev-app-backup-agent")!;
    assert.equal(backup.inputs.runtime, "runsc");
  });

  it("replaces every workload with its upload seed: new config, keys or pins reach the process that reads them at start", () => {
    const workloads = run.ofType(CONTAINER).filter((c) => c.inputs.start !== false);
    assert.equal(workloads.length, 7, "2 services, 2 apps, gateway, egress proxy, identity provider");
    for (const workload of workloads) {
      const seed = seedOf(workload);
      assert.ok(seed.urn, `${seed.name} has a URN`);
      assert.deepEqual(workload.replaceWith, [seed.urn], `${workload.name} is replaced whenever ${seed.name} is`);
    }
  });

  it("marks private keys secret wherever they flow, and exports none", () => {
    for (const c of [...containersOfRole("app"), ...containersOfRole("service")]) assert.ok(seedOf(c).secretInputs.includes("uploads"), `${c.name} uploads are secret`);
    const signed = run.ofType("tls:index/locallySignedCert:LocallySignedCert");
    for (const cert of signed) assert.ok(cert.secretInputs.includes("caPrivateKeyPem"), `${cert.name} CA key is secret`);
    assert.doesNotMatch(JSON.stringify(run.outputs), /PRIVATE KEY/);
  });

  it("issues each app a real client certificate from the platform CA with its SPIFFE ID", () => {
    const ca = new X509Certificate(run.outputs.caCertificatePem as string);
    assert.ok(ca.ca);
    for (const c of containersOfRole("app")) {
      const app = c.inputs.labels.find((l: any) => l.label === "platform.app").value;
      const cert = new X509Certificate(seedOf(c).inputs.uploads.find((u: any) => u.file.endsWith("cert.pem")).content);
      assert.ok(cert.verify(ca.publicKey), `${app} certificate is signed by the platform CA`);
      assert.equal(cert.subjectAltName, `URI:spiffe://dev.platform.example/app/${app}`);
    }
  });

  it("exports network names and subnets, the CA certificate and per-app container names", () => {
    const outputs = run.outputs as any;
    assert.equal(outputs.networks.outbound.name, "plat-dev-outbound");
    assert.match(outputs.networks["app:forecast-widget"].subnet, /^10\.208\./);
    assert.equal(outputs.apps["forecast-widget"].containerName, "plat-dev-app-forecast-widget");
    assert.match(outputs.caCertificatePem, /^-----BEGIN CERTIFICATE-----/);
  });
});

describe("index.ts with invalid config", { timeout: 60_000 }, () => {
  it("fails with every problem named and creates nothing", async () => {
    const config = stackConfig("dev");
    const apps = structuredClone(config["platform:apps"]) as any[];
    apps[0].egress = ["evil.example.com\nhttp_access allow all"];
    apps[1].resources = { memoryMb: 1 };
    let failure: unknown;
    let created = -1;
    try {
      const run = await runProgram(PROGRAM, { config: { ...config, "platform:apps": apps } });
      created = run.resources.length;
    } catch (error) {
      failure = error;
    }
    assert.equal(created, -1, "the program must not complete");
    assert.match(String(failure), /invalid config of stack dev \(2 problems\); nothing was created/);
    assert.match(String(failure), /platform:apps\[0\]\.egress\[0\]: /);
    assert.match(String(failure), /platform:apps\[1\]\.resources\.memoryMb: memoryMb must be an integer at least 16/);
  });
});
