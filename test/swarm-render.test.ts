// The Swarm renderer (render/swarm/) on the dev stack's plan switched to Swarm: isolation by network,
// aliases in place of static addresses, credentials only as secrets, every hardening field of the
// engine wiring either mapped or a node requirement, replicas and update policy from config.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type * as docker from "@pulumi/docker";
import { parsePlatformConfig } from "../config/load";
import { looksLikeCredential } from "../config/credential-names";
import { buildPlan, infraAddress, PlatformPlan } from "../plan/plan";
import type { ContainerInputs } from "../render/hardening";
import { isSecretFile, swarmFileRef, swarmObjectName } from "../render/swarm/files";
import { swarmStack, SwarmStack, SwarmWorkload } from "../render/swarm/from-plan";
import { renderEnvoyBootstrap } from "../render/envoy/bootstrap";
import { gatewayInput, GatewayPins } from "../render/envoy/from-plan";
import { perReplicaRateLimit, swarmGatewayInput } from "../render/swarm/gateway";
import { ENCRYPTED_OPTION } from "../render/swarm/networks";
import { nodeDaemonJson, nodeRequirements } from "../render/swarm/node-requirements";
import { CONTAINER_FIELDS, RESTART_WINDOW, swarmService, tmpfsMount } from "../render/swarm/service";
import type { OverlayNetworkInputs, SwarmServiceInputs } from "../render/swarm/types";
import { rawPlatformConfig } from "./support/stack-config";

/** The dev stack as a Swarm stack: /27 app networks hold the default replicas. */
function devSwarmPlan(mutate: (raw: Record<string, any>) => void = () => {}): PlatformPlan {
  const raw = rawPlatformConfig("dev");
  raw.orchestrator = "swarm";
  raw.network = { ...raw.network, appPrefixLength: 27 };
  mutate(raw);
  return buildPlan(parsePlatformConfig(raw).config, "dev");
}

// Compile-time: what the renderer gives is what @pulumi/docker 5.2.0 takes (checked by `npx tsc`).
const asServiceArgs = (s: SwarmServiceInputs): docker.ServiceArgs => s;
const asNetworkArgs = (n: OverlayNetworkInputs): docker.NetworkArgs => n;

const byRole = (stack: SwarmStack, role: SwarmWorkload["role"]) => stack.workloads.filter((w) => w.role === role);
const one = (stack: SwarmStack, role: SwarmWorkload["role"]) => {
  const [workload, ...rest] = byRole(stack, role);
  assert.ok(workload && rest.length === 0, `one ${role} workload`);
  return workload;
};
const attachments = (w: SwarmWorkload) => w.service.taskSpec.networksAdvanceds;

describe("Swarm renderer on the dev stack", () => {
  const plan = devSwarmPlan();
  const stack = swarmStack(plan);

  it("renders provider-shaped arguments for every service and network", () => {
    for (const w of stack.workloads) assert.equal(asServiceArgs(w.service).name, w.container.name);
    for (const n of stack.networks) assert.equal(asNetworkArgs(n).driver, "overlay");
    assert.deepEqual(
      stack.workloads.map((w) => `${w.role}:${w.key}`),
      ["app:forecast-widget", "app:backup-agent", "service:weather", "service:storage", "identity:identity", "gateway:gateway", "egress:egress"],
    );
  });

  it("makes one encrypted, internal, non-attachable overlay per app from the plan's subnets; only outbound is not internal", () => {
    const expected = [...plan.apps.map((a) => a.network), plan.networks.services, plan.networks.identity, plan.networks.outbound];
    assert.deepEqual(
      stack.networks.map((n) => [n.name, n.ipamConfigs[0].subnet, n.internal]),
      expected.map((n) => [n.dockerName, n.subnet, n.key !== "outbound"]),
    );
    for (const n of stack.networks) {
      assert.equal(n.attachable, false);
      assert.deepEqual(n.options, { [ENCRYPTED_OPTION]: "" }, `${n.name} is encrypted`);
      assert.equal(n.ipamConfigs.length, 1);
      assert.ok(!("ipRange" in n.ipamConfigs[0]), "no static addresses, so the whole subnet is Swarm's to hand out");
    }
  });

  it("leaves encryption off only when the stack opts out", () => {
    const plain = swarmStack(devSwarmPlan((raw) => (raw.swarm = { encryptOverlays: false })));
    for (const n of plain.networks) assert.deepEqual(n.options, {});
  });

  it("puts every app on its own network alone, with the gateway and the egress proxy there by alias", () => {
    const gateway = one(stack, "gateway");
    const egress = one(stack, "egress");
    for (const app of plan.apps) {
      const workload = byRole(stack, "app").find((w) => w.key === app.config.name)!;
      assert.deepEqual(attachments(workload), [{ name: app.network.dockerName, aliases: [app.config.name] }]);
      assert.deepEqual(attachments(gateway).find((n) => n.name === app.network.dockerName)?.aliases, ["gateway"]);
      assert.deepEqual(attachments(egress).find((n) => n.name === app.network.dockerName)?.aliases, ["egress"]);
      // no other workload joins an app's network
      const members = stack.workloads.filter((w) => attachments(w).some((n) => n.name === app.network.dockerName)).map((w) => w.role);
      assert.deepEqual(members.sort(), ["app", "egress", "gateway"]);
    }
    assert.deepEqual(attachments(egress).map((n) => n.name).sort(), [plan.networks.outbound.dockerName, ...plan.apps.map((a) => a.network.dockerName)].sort());
    assert.deepEqual(attachments(gateway).map((n) => n.name).sort(), [plan.networks.services.dockerName, plan.networks.identity.dockerName, ...plan.apps.map((a) => a.network.dockerName)].sort());
    for (const w of byRole(stack, "service")) assert.deepEqual(attachments(w).map((n) => n.name), [plan.networks.services.dockerName]);
    assert.deepEqual(attachments(one(stack, "identity")).map((n) => n.name), [plan.networks.identity.dockerName]);
  });

  it("tells workloads the aliases, never a static address (Swarm has none: moby#24170)", () => {
    const statics = new Set([
      ...plan.apps.flatMap((a) => [a.ip, a.gatewayIp, a.egressIp]),
      ...(["gateway", "identity", "database"] as const).map((role) => infraAddress(plan.networks.identity, role)),
      infraAddress(plan.networks.services, "gateway"),
      infraAddress(plan.networks.outbound, "egress"),
    ]);
    for (const w of stack.workloads) {
      const spec = w.service.taskSpec.containerSpec;
      const text = JSON.stringify([spec.env, spec.args ?? [], spec.commands ?? [], spec.healthcheck.tests]);
      for (const address of statics) assert.ok(!text.includes(`${address}:`) && !text.includes(`${address},`) && !text.includes(`"${address}"`), `${w.key} mentions ${address}`);
    }
    const app = byRole(stack, "app")[0].service.taskSpec.containerSpec.env;
    assert.equal(app.HTTPS_PROXY, `http://egress:${plan.config.egress.port}`);
    assert.equal(app.PLATFORM_GATEWAY_URL, `https://gateway:${plan.config.gateway.listenPort}`);
    assert.equal(app.NO_PROXY, "gateway,localhost,127.0.0.1");
    assert.match(app.PLATFORM_OAUTH_TOKEN_URL, /^https:\/\/gateway:8443\/realms\/platform\//);
  });

  it("uses DNS round robin and publishes no port", () => {
    for (const w of stack.workloads) assert.deepEqual(w.service.endpointSpec, { mode: "dnsrr" });
  });

  it("mounts the seed's files as secrets and configs at the engine wiring's paths, credentials only as secrets", () => {
    const files = (w: SwarmWorkload) => w.files.map((f) => `${f.kind}:${f.fileName}:${f.fileUid}:${f.fileGid}:${f.fileMode.toString(8)}`);
    const app = byRole(stack, "app")[0];
    assert.deepEqual(files(app), [
      `config:/etc/platform/tls/ca.pem:0:${plan.apps[0].uid}:444`,
      `config:/etc/platform/tls/cert.pem:0:${plan.apps[0].uid}:440`,
      `secret:/etc/platform/tls/key.pem:0:${plan.apps[0].uid}:440`,
      `secret:/etc/platform/tls/oauth-client-secret:0:${plan.apps[0].uid}:440`,
    ]);
    assert.deepEqual(one(stack, "egress").files.map((f) => `${f.kind}:${f.purpose}`), ["config:squid-conf"]);
    assert.deepEqual(one(stack, "gateway").files.map((f) => `${f.kind}:${f.purpose}`), ["config:ca", "config:cert", "secret:key", "config:envoy-config"]);
    assert.deepEqual(one(stack, "identity").files.map((f) => `${f.kind}:${f.purpose}`), ["config:ca", "config:cert", "secret:key", "secret:realm", "secret:admin-password"]);
    for (const w of stack.workloads) {
      for (const f of w.files) if (/key|secret|password|realm/.test(f.purpose)) assert.equal(f.kind, "secret", `${w.key} ${f.purpose}`);
      // no seed volume is left: its files come from the secrets and configs
      assert.deepEqual(w.service.taskSpec.containerSpec.mounts.filter((m) => m.type === "volume"), []);
    }
    assert.equal(isSecretFile("/etc/platform/tls/some-new-credential"), true, "an unknown file is a secret by default");
  });

  it("keeps credentials out of env, labels, arguments and healthchecks", () => {
    for (const w of stack.workloads) {
      const spec = w.service.taskSpec.containerSpec;
      for (const name of Object.keys(spec.env)) assert.ok(!looksLikeCredential(name), `${w.key}: env ${name}`);
      const visible = JSON.stringify([spec.env, spec.labels, w.service.labels, spec.args ?? [], spec.commands ?? [], spec.healthcheck]);
      assert.doesNotMatch(visible, /BEGIN [A-Z ]*PRIVATE KEY|"secret"\s*:/);
      // the secret files are named in env by path only, and only where the engine wiring names them
      for (const f of w.files.filter((f) => f.kind === "secret")) {
        const naming = Object.entries(spec.env).filter(([, value]) => value.includes(f.fileName)).map(([name]) => name);
        assert.ok(naming.every((name) => name.endsWith("_FILE")), `${w.key}: ${naming.join(", ")}`);
      }
    }
  });

  it("keeps Keycloak's entrypoint as the command and its options as arguments", () => {
    const identity = one(stack, "identity");
    const container = identity.container as ContainerInputs & { entrypoints: string[] };
    assert.deepEqual(identity.service.taskSpec.containerSpec.commands, container.entrypoints);
    assert.equal(identity.service.taskSpec.containerSpec.args, undefined);
    const gateway = one(stack, "gateway");
    assert.deepEqual(gateway.service.taskSpec.containerSpec.args, gateway.container.command);
  });
});

describe("every hardening field of the engine wiring reaches the service or the node", () => {
  const plan = devSwarmPlan((raw) => (raw.identity = { ...raw.identity, database: { kind: "postgres", image: "platform/postgres:15" } }, (raw.swarm = { placement: { identity: ["node.hostname==db"] } })));
  const stack = swarmStack(plan);
  const requirementIds = new Set(stack.nodeRequirements.map((r) => r.id));
  const at = (service: SwarmServiceInputs, path: string): unknown => path.split(".").reduce<any>((value, key) => value?.[key], service);

  it("has a disposition for every field any container sets", () => {
    for (const w of stack.workloads) {
      for (const field of Object.keys(w.container)) {
        if (field === "entrypoints") continue; // Keycloak's: mapped to commands (checked above)
        assert.ok(field in CONTAINER_FIELDS, `${w.key}: ContainerInputs.${field} has no Swarm disposition in render/swarm/service.ts`);
      }
    }
  });

  it("carries each mapped field's value over", () => {
    for (const w of stack.workloads) {
      const c = w.container;
      const s = w.service;
      const spec = s.taskSpec.containerSpec;
      for (const [field, disposition] of Object.entries(CONTAINER_FIELDS)) {
        if ("mapped" in disposition && (c as any)[field] !== undefined) assert.notEqual(at(s, disposition.mapped), undefined, `${w.key}: ${field} → ${disposition.mapped}`);
      }
      assert.equal(s.name, c.name);
      assert.equal(spec.image, c.image);
      assert.equal(spec.hostname, c.hostname);
      assert.equal(spec.user, c.user);
      assert.deepEqual(spec.args, c.command);
      assert.deepEqual(Object.keys(spec.env).sort(), c.envs.map((e) => e.slice(0, e.indexOf("="))).sort());
      assert.deepEqual(spec.labels, c.labels);
      assert.deepEqual([spec.capDrops, spec.capAdds], [c.capabilities.drops, c.capabilities.adds]);
      assert.deepEqual(spec.capDrops, ["ALL"]);
      assert.equal(spec.readOnly, true);
      assert.deepEqual(spec.mounts.filter((m) => m.type === "tmpfs").map((m) => m.target), Object.keys(c.tmpfs));
      assert.equal(s.taskSpec.resources.limits.memoryBytes, c.memory * 1024 * 1024);
      assert.equal(s.taskSpec.resources.limits.nanoCpus, Math.round(Number(c.cpus) * 1e9));
      // the engine's on-failure would let a task Swarm killed as unhealthy (exit 0 on SIGTERM) end for good
      assert.equal(c.restart, "on-failure");
      assert.deepEqual(s.taskSpec.restartPolicy, { condition: "any", maxAttempts: c.maxRetryCount, delay: "5s", window: RESTART_WINDOW });
      assert.deepEqual(spec.healthcheck, c.healthcheck);
      assert.deepEqual(s.taskSpec.logDriver, { name: c.logDriver, options: c.logOpts });
      assert.deepEqual(s.taskSpec.networksAdvanceds.map((n) => n.name), c.networksAdvanced.map((n) => n.name));
      assert.deepEqual(s.taskSpec.networksAdvanceds.map((n) => n.aliases), c.networksAdvanced.map((n) => n.aliases));
    }
  });

  it("keeps the database's data volume as a volume mount and pins it with the identity placement", () => {
    const db = stack.workloads.find((w) => w.role === "database")!;
    assert.deepEqual(db.service.taskSpec.containerSpec.mounts.filter((m) => m.type === "volume"), [{ type: "volume", source: `${plan.names.database}-data`, target: "/var/lib/postgresql/data", readOnly: false }]);
    assert.deepEqual(db.service.taskSpec.placement.constraints, ["node.hostname==db"]);
    assert.equal(db.service.updateConfig.order, "stop-first", "two PostgreSQL servers never share the data directory");
    assert.deepEqual(db.files.map((f) => `${f.kind}:${f.purpose}`), ["secret:db-password"]);
  });

  it("lists a node requirement for every field a service cannot set, and the settings that provide them", () => {
    for (const [field, disposition] of Object.entries(CONTAINER_FIELDS)) {
      if (!("node" in disposition)) continue;
      const used = stack.workloads.some((w) => (w.container as any)[field] !== undefined);
      if (used) assert.ok(requirementIds.has(disposition.node), `${field} needs node requirement ${disposition.node}`);
    }
    for (const r of stack.nodeRequirements) assert.ok(r.why.length > 20 && r.provide.length > 10, r.id);
    assert.deepEqual(stack.daemonJson, {
      "no-new-privileges": true,
      "default-ulimits": {
        nofile: { Name: "nofile", Soft: 1024, Hard: 1024 },
        nproc: { Name: "nproc", Soft: 512, Hard: 512 },
        sigpending: { Name: "sigpending", Soft: 256, Hard: 256 },
      },
      "default-ipc-mode": "private",
      "default-cgroupns-mode": "private",
    });
    // the dev stack's backup-agent asks for gVisor: placed on runsc nodes, which the requirement names
    assert.ok(requirementIds.has("runsc"));
    const agent = stack.workloads.find((w) => w.key === "backup-agent")!;
    assert.deepEqual(agent.service.taskSpec.placement.constraints, ["node.labels.platform.runtime==runsc"]);
    assert.ok(!("runtime" in agent.service.taskSpec), "TaskSpec.runtime means container or plugin, not the OCI runtime");
  });

  it("says in the ulimits requirement that nproc becomes one value per node", () => {
    const ulimits = stack.nodeRequirements.find((r) => r.id === "ulimits")!;
    assert.match(ulimits.why, /nproc is one value per node: 64, 128, 256, 512 in the stack, so the node default is 512 for all/);
  });

  it("leaves runsc out when no app asks for it", () => {
    const ids = nodeRequirements(stack.workloads.filter((w) => w.container.runtime !== "runsc").map((w) => w.container)).map((r) => r.id);
    assert.ok(!ids.includes("runsc"));
  });
});

describe("node requirement probes", () => {
  const plan = devSwarmPlan();
  const requirements = swarmStack(plan).nodeRequirements;
  const probe = (id: string) => new RegExp(requirements.find((r) => r.id === id)!.probe!.expect);
  const limits = (nofile: number, nproc: number, sigpending: number) =>
    [
      "Limit                     Soft Limit           Hard Limit           Units     ",
      `Max processes             ${nproc}                  ${nproc}                  processes `,
      `Max open files            ${nofile}                 ${nofile}                 files     `,
      `Max pending signals       ${sigpending}                  ${sigpending}                  signals   `,
    ].join("\n");

  it("match what a compliant node shows inside a task, and not what a default node shows", () => {
    assert.match("NoNewPrivs:\t1\n", probe("no-new-privileges"));
    assert.doesNotMatch("NoNewPrivs:\t0\n", probe("no-new-privileges"));
    assert.match("Seccomp:\t2\n", probe("seccomp"));
    assert.doesNotMatch("Seccomp:\t0\n", probe("seccomp"));
    assert.match(limits(1024, 512, 256), probe("ulimits"));
    assert.doesNotMatch(limits(1048576, 512, 256), probe("ulimits"));
    assert.doesNotMatch(limits(1024, 4096, 256), probe("ulimits"));
    assert.match("12:pids:/\n11:memory:/\n0::/\n", probe("cgroupns-private"));
    assert.doesNotMatch("12:pids:/docker/abc\n0::/\n", probe("cgroupns-private"));
    assert.match("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n", probe("no-swap"));
    assert.doesNotMatch("Filename\tType\n/swapfile file 1024 0 -2\n", probe("no-swap"));
  });

  it("merge into one daemon.json", () => {
    assert.deepEqual(nodeDaemonJson([]), {});
    assert.equal((nodeDaemonJson(requirements) as any)["no-new-privileges"], true);
  });
});

describe("Swarm service details", () => {
  it("takes replicas, update policy and placement (the apps' and one app's own) from config, and spreads replicated services over nodes", () => {
    const plan = devSwarmPlan((raw) => {
      raw.apps[0].replicas = 3;
      raw.network.appPrefixLength = 26;
      raw.swarm = {
        gatewayReplicas: 3,
        egressReplicas: 4,
        update: { order: "stop-first", failureAction: "pause", parallelism: 2, delaySeconds: 1, monitorSeconds: 30 },
        placement: { gateway: ["node.role==manager"], apps: ["node.labels.zone==a"], egress: ["node.labels.egress==true"] },
        appPlacement: { "backup-agent": ["node.labels.quarantine==true", "node.labels.zone==a"] },
      };
    });
    const stack = swarmStack(plan);
    const service = (key: string) => stack.workloads.find((w) => w.key === key)!.service;
    assert.equal(service("forecast-widget").mode.replicated.replicas, 3);
    assert.equal(service("backup-agent").mode.replicated.replicas, 1);
    assert.equal(service("gateway").mode.replicated.replicas, 3);
    assert.equal(service("egress").mode.replicated.replicas, 4);
    assert.equal(service("identity").mode.replicated.replicas, 1);
    assert.deepEqual(service("gateway").updateConfig, { order: "stop-first", failureAction: "pause", parallelism: 2, delay: "1s", monitor: "30s", maxFailureRatio: "0" });
    assert.deepEqual(service("gateway").rollbackConfig, { order: "stop-first", failureAction: "pause", parallelism: 2, delay: "1s", monitor: "30s", maxFailureRatio: "0" });
    assert.deepEqual(service("gateway").taskSpec.placement, { constraints: ["node.role==manager"], prefs: ["spread=node.id"] });
    assert.deepEqual(service("forecast-widget").taskSpec.placement, { constraints: ["node.labels.zone==a"], prefs: ["spread=node.id"] });
    // its own constraints after the apps' (each once), then what gVisor needs
    assert.deepEqual(service("backup-agent").taskSpec.placement, { constraints: ["node.labels.zone==a", "node.labels.quarantine==true", "node.labels.platform.runtime==runsc"], prefs: [] });
    assert.deepEqual(service("weather").taskSpec.placement, { constraints: [], prefs: [] });
  });

  it("defaults to start-first updates that roll back on failure", () => {
    const gateway = swarmStack(devSwarmPlan()).workloads.find((w) => w.role === "gateway")!.service;
    assert.equal(gateway.updateConfig.order, "start-first");
    assert.equal(gateway.updateConfig.failureAction, "rollback");
    assert.equal(gateway.rollbackConfig.failureAction, "pause");
  });

  it("refuses an engine plan", () => {
    const raw = rawPlatformConfig("dev");
    assert.throws(() => swarmStack(buildPlan(parsePlatformConfig(raw).config, "dev")), /platform:orchestrator is not swarm/);
  });

  it("turns tmpfs options into size and mode, refusing flags a service cannot express", () => {
    assert.deepEqual(tmpfsMount("/tmp", "rw,noexec,nosuid,nodev,size=16m,mode=1777"), { type: "tmpfs", target: "/tmp", tmpfsOptions: { sizeBytes: 16 * 1024 * 1024, mode: 0o1777 } });
    assert.deepEqual(tmpfsMount("/data", "rw,noexec,nosuid,nodev,size=256m"), { type: "tmpfs", target: "/data", tmpfsOptions: { sizeBytes: 256 * 1024 * 1024 } });
    assert.deepEqual(tmpfsMount("/x", "size=1g"), { type: "tmpfs", target: "/x", tmpfsOptions: { sizeBytes: 1024 ** 3 } });
    assert.throws(() => tmpfsMount("/tmp", "rw,exec,size=16m"), /option exec has no Swarm form/);
    assert.throws(() => tmpfsMount("/tmp", "uid=1000"), /option uid=1000 has no Swarm form/);
    assert.throws(() => tmpfsMount("/tmp", "size=16 m"), /size=16 m is not a number/);
  });

  it("refuses a security option it has no Swarm form or node requirement for", () => {
    const stack = swarmStack(devSwarmPlan());
    const container = stack.workloads[0].container;
    const update = { order: "start-first" as const, failureAction: "rollback" as const, parallelism: 1, delaySeconds: 5, monitorSeconds: 15 };
    assert.throws(() => swarmService({ ...container, securityOpts: ["no-new-privileges:true", "seccomp=unconfined"] }, { replicas: 1, constraints: [], update }), /security option seccomp=unconfined has no Swarm form/);
    assert.throws(() => swarmService({ ...container, networksAdvanced: [] }, { replicas: 1, constraints: [], update }), /needs at least one network/);
  });

  it("names secrets and configs by content, within Docker's 64 characters", () => {
    const ref = swarmFileRef({ file: "/etc/platform/tls/key.pem", permissions: "0440", owner: "0", group: "20001" });
    assert.deepEqual(ref, { kind: "secret", purpose: "key", fileName: "/etc/platform/tls/key.pem", fileUid: "0", fileGid: "20001", fileMode: 0o440 });
    const a = swarmObjectName("plat-dev-app-alpha", ref, "one");
    assert.match(a, /^plat-dev-app-alpha-key-[0-9a-f]{12}$/);
    assert.notEqual(a, swarmObjectName("plat-dev-app-alpha", ref, "two"));
    assert.equal(a, swarmObjectName("plat-dev-app-alpha", ref, "one"));
    const long = (name: string) => swarmObjectName(name, { purpose: "oauth-client-secret" }, "x");
    const [l1, l2] = [long(`plat-dev-app-${"a".repeat(50)}b`), long(`plat-dev-app-${"a".repeat(50)}c`)];
    assert.ok(l1.length <= 64 && l2.length <= 64);
    assert.notEqual(l1, l2);
    assert.throws(() => swarmFileRef({ file: "relative", permissions: "0440", owner: "0", group: "0" }), /absolute path/);
    assert.throws(() => swarmFileRef({ file: "/a", permissions: "rw", owner: "0", group: "0" }), /not an octal mode/);
  });
});

describe("the gateway's Envoy bootstrap on Swarm", () => {
  const plan = devSwarmPlan();
  const pin = Buffer.alloc(32, 7).toString("base64");
  const pins: GatewayPins = {
    apps: Object.fromEntries(plan.apps.map((a) => [a.config.name, pin])),
    services: Object.fromEntries(plan.services.map((s) => [s.config.name, pin])),
    identity: pin,
  };
  const identityCluster = (bootstrap: any) => bootstrap.static_resources.clusters.find((c: any) => c.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.port_value === plan.config.identity.port && c.transport_socket?.typed_config?.sni === `identity.${plan.config.trustDomain}`);

  it("reaches Keycloak by its alias with a DNS cluster, and keeps everything else the engine renders but the rate limits", () => {
    const swarm = renderEnvoyBootstrap(swarmGatewayInput(plan, pins)) as any;
    const engineInput = gatewayInput(plan, pins);
    // the one other difference: each replica's share of the rate limits (next test)
    const engine = renderEnvoyBootstrap({ ...engineInput, apps: engineInput.apps.map((a) => ({ ...a, rateLimit: perReplicaRateLimit(a.rateLimit, 2) })) }) as any;
    const [s, e] = [identityCluster(swarm), identityCluster(engine)];
    assert.equal(s.type, "STRICT_DNS");
    assert.equal(s.dns_lookup_family, "V4_ONLY");
    assert.deepEqual(s.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address, { address: "identity", port_value: plan.config.identity.port });
    assert.equal(e.type, "STATIC");
    assert.equal(e.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address.address, infraAddress(plan.networks.identity, "identity"));
    // the rest is the same bootstrap: listeners (per-app source subnets), services, admin
    const withoutIdentity = (b: any) => ({ ...b, static_resources: { ...b.static_resources, clusters: b.static_resources.clusters.filter((c: any) => c.name !== s.name) } });
    assert.deepEqual(withoutIdentity(swarm), withoutIdentity(engine));
  });

  it("gives each gateway replica its share of every app's rate limit, so the replicas together never exceed it", () => {
    const input = swarmGatewayInput(plan, pins);
    for (const app of plan.apps) {
      const declared = app.config.rateLimit;
      const share = input.apps.find((a) => a.name === app.config.name)!.rateLimit;
      assert.equal(share.requestsPerSecond * 2, declared.requestsPerSecond, app.config.name);
      assert.equal(share.burst, Math.max(1, Math.floor(declared.burst / 2)), app.config.name);
    }
    const bucket = (node: any, app: string): any => {
      if (!node || typeof node !== "object") return undefined;
      if (node.stat_prefix === `app_${app.replace(/-/g, "_")}` && node.token_bucket) return node.token_bucket;
      for (const child of Object.values(node)) {
        const found = bucket(child, app);
        if (found) return found;
      }
      return undefined;
    };
    const forecast = bucket(renderEnvoyBootstrap(input), "forecast-widget");
    assert.ok(forecast, "the forecast-widget chain has a token bucket");
    // declared 5 rps, burst 10 → 2.5 rps and 5 tokens per replica
    assert.deepEqual(forecast, { max_tokens: 5, tokens_per_fill: 1, fill_interval: "0.400000000s" });
  });

  it("shares a rate limit out for any replica count without exceeding it (burst at least one token per replica)", () => {
    for (const [rps, burst, replicas] of [[5, 10, 2], [1, 1, 3], [0.5, 7, 4], [100, 3, 32]] as const) {
      const share = perReplicaRateLimit({ requestsPerSecond: rps, burst }, replicas);
      assert.ok(Math.abs(share.requestsPerSecond * replicas - rps) < 1e-9, `${rps} rps over ${replicas}`);
      assert.ok(share.burst >= 1 && share.burst * replicas <= Math.max(burst, replicas), `burst ${burst} over ${replicas}: ${share.burst}`);
    }
    assert.throws(() => perReplicaRateLimit({ requestsPerSecond: 1, burst: 1 }, 0), /replicas must be a positive integer/);
  });
});
