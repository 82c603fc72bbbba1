// The pack's Swarm rules (policies/rules/swarm/, swarm-topology/): each rule passes the platform's own
// Swarm output (the real program under mocks with the dev stack switched to Swarm) and finds each
// insecure variant with its field, what it found and the fix; the checker counts what each rule
// checked, so a Swarm stack is not "passed" by container rules that saw nothing.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { stringify } from "yaml";
import { CheckedResource, evaluate, evaluateWithCoverage, PackConfig } from "../policies/evaluate";
import { allRules, containerRules, coverageRules, networkRules, ruleById, stackRules, swarmObjectRules, swarmServiceRules, swarmStackRules, toResourcePolicy, toStackPolicy } from "../policies/registry";
import { NETWORK_TYPE, SECRET_TYPE, SERVICE_CONFIG_TYPE, SERVICE_TYPE } from "../policies/rules/rule";
import { runProgram } from "../mock-runner/run-program";
import { runResourcePolicy, runStackPolicy } from "./support/policy-harness";
import { runChecker, scratchFiles } from "./support/checker-run";
import { CheckReport, formatText } from "../checker/report";
import { PROGRAM, REPO_ROOT, stackConfig } from "./support/stack-config";
import { appNetworkProps, PINNED } from "./fixtures/policy/resources";

type Props = Record<string, any>;
const DEV_PACK_CONFIG: PackConfig = JSON.parse(readFileSync(join(REPO_ROOT, "policies", "config", "dev.json"), "utf8"));
const SPEC = "taskSpec.containerSpec";

/** The dev stack's config as a Swarm stack (docs/swarm.md: app networks need /27). */
function swarmStackConfig(): Record<string, unknown> {
  const config = stackConfig("dev");
  config["platform:orchestrator"] = "swarm";
  config["platform:network"] = { ...(config["platform:network"] as object), appPrefixLength: 27 };
  return config;
}

/** Every custom resource the program declares, as the checker takes them (--stack does the same). */
async function swarmResources(): Promise<CheckedResource[]> {
  const run = await runProgram(PROGRAM, { config: swarmStackConfig(), stack: "dev", material: "fast" });
  return run.resources.filter((r) => r.custom).map((r) => ({ type: r.type, name: r.name, id: r.id, ...(r.urn ? { urn: r.urn } : {}), props: r.inputs, secretInputs: r.secretInputs }));
}

let stack: CheckedResource[] = [];
const copy = (): CheckedResource[] => structuredClone(stack);
const byName = (resources: CheckedResource[], name: string) => {
  const found = resources.find((r) => r.name === name);
  assert.ok(found, name);
  return found;
};
const APP = "platform-app-forecast-widget";
const serviceProps = (name = APP): Props => structuredClone(byName(stack, name).props);
/** The app's service with its image pinned: the dev stack opts out of pinning (dev.json), a production stack pins. */
const pinnedServiceProps = (): Props => {
  const props = serviceProps();
  props.taskSpec.containerSpec.image = PINNED;
  return props;
};
/** Attaches the service to the network resource named `network` by its id, as components/swarm/service.ts does. */
const attach = (resources: CheckedResource[], service: string, network: string) => {
  const id = byName(resources, network).id!;
  byName(resources, service).props.taskSpec.networksAdvanceds.push({ id, aliases: [] });
  return resources;
};
const networkProps = (name = "platform-net-app-forecast-widget"): Props => structuredClone(byName(stack, name).props);

before(async () => {
  // warnings about the dev stack's unpinned images are the program's, not this test's
  const warn = console.warn;
  console.warn = () => undefined;
  try {
    stack = await swarmResources();
  } finally {
    console.warn = warn;
  }
});

const s = (field: string, found: string, fix: string) => `service "alpha": ${field} ${found}. Fix: ${fix}`;
const n = (field: string, found: string, fix: string) => `network "net": ${field} ${found}. Fix: ${fix}`;
const UID_FIX = "set user to a non-zero UID:GID such as \"20001:20001\"";
const HEALTH_FIX = "set healthcheck.tests to a command that probes the workload";
const RESTART_FIX = "set taskSpec.restartPolicy.condition to \"on-failure\" or \"any\" or \"none\" and maxAttempts between 1 and 5";
const bind = (source: string, extra: Props = {}) => ({ type: "bind", source, target: "/mnt/host", ...extra });

interface Case {
  title: string;
  change: (props: Props) => void;
  /** exact messages; [] for a compliant variant */
  expected: string[];
  config?: Record<string, unknown>;
  /** the rule does not apply to the changed resource (CrossGuard's notApplicable, not counted as checked) */
  notApplicable?: true;
}

const serviceCases: Record<string, Case[]> = {
  "cis-4.1-service-non-root-user": [
    { title: "root by UID", change: (p) => (p.taskSpec.containerSpec.user = "0:0"), expected: [s(`${SPEC}.user`, "is \"0:0\" (UID 0)", UID_FIX)] },
    { title: "root by name", change: (p) => (p.taskSpec.containerSpec.user = "root"), expected: [s(`${SPEC}.user`, "is \"root\" (UID 0)", UID_FIX)] },
    { title: "unset", change: (p) => delete p.taskSpec.containerSpec.user, expected: [s(`${SPEC}.user`, "is unset (the image's USER applies, root by default)", UID_FIX)] },
  ],
  "cis-5.3-service-selinux": [
    { title: "labelling disabled", change: (p) => (p.taskSpec.containerSpec.privileges = { seLinuxContext: { disable: true } }), expected: [s(`${SPEC}.privileges.seLinuxContext.disable`, "is true (the task runs unconfined)", "remove it so the task keeps its SELinux confinement")] },
    { title: "spc_t", change: (p) => (p.taskSpec.containerSpec.privileges = { seLinuxContext: { type: "spc_t" } }), expected: [s(`${SPEC}.privileges.seLinuxContext.type`, "is \"spc_t\"", "remove it so the task keeps its SELinux confinement")] },
  ],
  "cis-5.13-service-read-only-root": [
    { title: "writable", change: (p) => (p.taskSpec.containerSpec.readOnly = false), expected: [s(`${SPEC}.readOnly`, "is false", "set readOnly to true; add tmpfs mounts (e.g. /tmp) for paths that must be writable")] },
    { title: "unset", change: (p) => delete p.taskSpec.containerSpec.readOnly, expected: [s(`${SPEC}.readOnly`, "is unset (the root filesystem is writable)", "set readOnly to true; add tmpfs mounts (e.g. /tmp) for paths that must be writable")] },
  ],
  "cis-5.4-service-capabilities": [
    { title: "ALL not dropped", change: (p) => (p.taskSpec.containerSpec.capDrops = ["NET_RAW"]), expected: [s(`${SPEC}.capDrops`, "is [\"NET_RAW\"] (ALL is not dropped)", `set ${SPEC}.capDrops to ["ALL"]`)] },
    { title: "nothing dropped", change: (p) => delete p.taskSpec.containerSpec.capDrops, expected: [s(`${SPEC}.capDrops`, "is unset (Docker's default set of 14 capabilities stays)", `set ${SPEC}.capDrops to ["ALL"]`)] },
    { title: "a forbidden add", change: (p) => (p.taskSpec.containerSpec.capAdds = ["CAP_SYS_ADMIN"]), expected: [s(`${SPEC}.capAdds[0]`, "is \"CAP_SYS_ADMIN\", which is never allowed", `remove SYS_ADMIN from ${SPEC}.capAdds (allowed for apps: none)`)] },
    { title: "an app may not add what infrastructure may", change: (p) => (p.taskSpec.containerSpec.capAdds = ["CHOWN"]), expected: [s(`${SPEC}.capAdds[0]`, "is \"CHOWN\", which is not in the allowlist", `remove CHOWN from ${SPEC}.capAdds (allowed for apps: none)`)] },
    { title: "the app allowlist is the container rule's setting", change: (p) => (p.taskSpec.containerSpec.capAdds = ["CHOWN"]), config: { allowedAppAdds: ["CHOWN"] }, expected: [] },
  ],
  "cis-5.11-service-memory-limit": [
    { title: "no limit", change: (p) => delete p.taskSpec.resources.limits.memoryBytes, expected: [s("taskSpec.resources.limits.memoryBytes", "is unset (no limit)", "set taskSpec.resources.limits.memoryBytes to a limit between 4 MiB and 16384 MiB, e.g. 268435456")] },
    { title: "above the maximum", change: (p) => (p.taskSpec.resources.limits.memoryBytes = 1024 ** 3), config: { maxMemoryMb: 512 }, expected: [s("taskSpec.resources.limits.memoryBytes", "is 1073741824 bytes, above the maximum of 512 MiB", "lower it to at most 536870912")] },
  ],
  "cis-5.12-service-cpu-limit": [
    { title: "no limit", change: (p) => (p.taskSpec.resources.limits.nanoCpus = 0), expected: [s("taskSpec.resources.limits.nanoCpus", "is 0 (no CPU limit)", "set taskSpec.resources.limits.nanoCpus to at most 16000000000, e.g. 500000000 (0.5 CPU)")] },
    { title: "above the maximum", change: (p) => (p.taskSpec.resources.limits.nanoCpus = 4e9), config: { maxCpus: 2 }, expected: [s("taskSpec.resources.limits.nanoCpus", "is 4000000000 (4 CPUs), above the maximum of 2", "lower it to at most 2000000000")] },
  ],
  "cis-5.27-service-healthcheck": [
    { title: "unset", change: (p) => delete p.taskSpec.containerSpec.healthcheck, expected: [s(`${SPEC}.healthcheck`, "is unset (the image's HEALTHCHECK, if any, applies)", HEALTH_FIX)] },
    { title: "NONE", change: (p) => (p.taskSpec.containerSpec.healthcheck.tests = ["NONE"]), expected: [s(`${SPEC}.healthcheck.tests`, "is [\"NONE\"] (the healthcheck is disabled)", HEALTH_FIX)] },
    { title: "empty", change: (p) => (p.taskSpec.containerSpec.healthcheck.tests = []), expected: [s(`${SPEC}.healthcheck.tests`, "is empty", HEALTH_FIX)] },
  ],
  "cis-5.15-service-restart-policy": [
    { title: "Swarm's default (no policy)", change: (p) => delete p.taskSpec.restartPolicy, expected: [s("taskSpec.restartPolicy.maxAttempts", "is unset with condition \"any\" (unlimited restarts)", RESTART_FIX)] },
    { title: "unlimited attempts", change: (p) => (p.taskSpec.restartPolicy = { condition: "on-failure", maxAttempts: 0 }), expected: [s("taskSpec.restartPolicy.maxAttempts", "is 0 with condition \"on-failure\" (unlimited restarts)", RESTART_FIX)] },
    { title: "too many attempts", change: (p) => (p.taskSpec.restartPolicy.maxAttempts = 50), expected: [s("taskSpec.restartPolicy.maxAttempts", "is 50, above 5", RESTART_FIX)] },
    {
      title: "a pack config that allows only on-failure",
      change: (p) => (p.taskSpec.restartPolicy.condition = "any"),
      config: { allowedConditions: ["on-failure"] },
      expected: [s("taskSpec.restartPolicy.condition", "is \"any\", not an allowed condition", "set taskSpec.restartPolicy.condition to \"on-failure\" and maxAttempts between 1 and 5")],
    },
    { title: "no restarts at all", change: (p) => (p.taskSpec.restartPolicy = { condition: "none" }), expected: [] },
  ],
  "cis-5.28-service-image-pinned": [
    { title: "a tag", change: (p) => (p.taskSpec.containerSpec.image = "registry.example/alpha:latest"), expected: [s(`${SPEC}.image`, "is \"registry.example/alpha:latest\" (not pinned by digest: the tag can move)", "reference the image as name@sha256:<64 hex digits>")] },
    { title: "the dev stack's local tag", change: (p) => (p.taskSpec.containerSpec.image = "platform/demo-app:dev"), expected: [s(`${SPEC}.image`, "is \"platform/demo-app:dev\" (not pinned by digest: the tag can move)", "reference the image as name@sha256:<64 hex digits>")] },
    {
      title: "pinned, from a registry not allowed",
      change: (p) => (p.taskSpec.containerSpec.image = PINNED),
      config: { allowedRegistries: ["registry.platform.example"] },
      expected: [s(`${SPEC}.image`, "comes from registry \"registry.example\", which is not allowed", "use an image from one of: registry.platform.example")],
    },
  ],
  "cis-5.6-service-sensitive-host-paths": [
    { title: "/etc", change: (p) => p.taskSpec.containerSpec.mounts.push(bind("/etc")), expected: [s(`${SPEC}.mounts[1].source`, "is \"/etc\" (a sensitive host directory)", "remove the bind mount; use a tmpfs mount, a secret or config for data the task needs")] },
    { title: "below /var", change: (p) => p.taskSpec.containerSpec.mounts.push(bind("/var/lib/docker/")), expected: [s(`${SPEC}.mounts[1].source`, "is \"/var/lib/docker/\" (inside the sensitive host directory /var)", "remove the bind mount; use a tmpfs mount, a secret or config for data the task needs")] },
    { title: "a volume is no host path", change: (p) => p.taskSpec.containerSpec.mounts.push({ type: "volume", source: "/etc", target: "/data" }), expected: [] },
  ],
  "cis-5.32-service-docker-socket": [
    { title: "the socket", change: (p) => p.taskSpec.containerSpec.mounts.push(bind("/var/run/docker.sock")), expected: [s(`${SPEC}.mounts[1].source`, "is \"/var/run/docker.sock\" (the container engine socket)", "remove the bind mount")] },
    { title: "a directory above it", change: (p) => p.taskSpec.containerSpec.mounts.push(bind("/run/containerd")), expected: [s(`${SPEC}.mounts[1].source`, "is \"/run/containerd\" (exposes the container engine socket /run/containerd/containerd.sock)", "remove the bind mount")] },
    { title: "an exempt role", change: (p) => p.taskSpec.containerSpec.mounts.push(bind("/var/run/docker.sock")), config: { exemptRoles: ["app"] }, expected: [] },
  ],
  "cis-5.20-service-mount-propagation": [
    { title: "rshared", change: (p) => p.taskSpec.containerSpec.mounts.push(bind("/srv/data", { bindOptions: { propagation: "rshared" } })), expected: [s(`${SPEC}.mounts[1].bindOptions.propagation`, "is \"rshared\"", "remove propagation or set it to \"rprivate\"")] },
  ],
  "cis-5.10-service-host-network": [
    { title: "the host network", change: (p) => p.taskSpec.networksAdvanceds.push({ id: "host", aliases: [] }), expected: [s("taskSpec.networksAdvanceds[1]", "is \"host\" (the node's own network namespace)", "remove that attachment; attach only the stack's overlay networks")] },
    { title: "docker0", change: (p) => p.taskSpec.networksAdvanceds.push({ id: "bridge", aliases: [] }), expected: [s("taskSpec.networksAdvanceds[1]", "is \"bridge\" (the node's default bridge, docker0)", "remove that attachment; attach only the stack's overlay networks")] },
  ],
  "cis-5.9-service-published-ports": [
    { title: "a published port", change: (p) => (p.endpointSpec = { mode: "vip", ports: [{ publishedPort: 8443, targetPort: 8443 }] }), expected: [s("endpointSpec.ports[0]", "publishes 8443 → 8443 on every node (routing mesh)", "remove the published port (none are allowed)")] },
    { title: "host mode", change: (p) => (p.endpointSpec = { ports: [{ publishedPort: 80, targetPort: 8080, publishMode: "host" }] }), expected: [s("endpointSpec.ports[0]", "publishes 80 → 8080 on the node it runs on", "remove the published port (none are allowed)")] },
    { title: "an allowed port", change: (p) => (p.endpointSpec = { ports: [{ publishedPort: 8443, targetPort: 8443 }] }), config: { allowedPublishedPorts: [8443] }, expected: [] },
  ],
  "service-env-plaintext-secrets": [
    { title: "a password in env", change: (p) => (p.taskSpec.containerSpec.env.DB_PASSWORD = "hunter2"), expected: [s(`${SPEC}.env.DB_PASSWORD`, "sets DB_PASSWORD to a plain-text value (7 characters)", "pass DB_PASSWORD as a Pulumi secret or as a file (DB_PASSWORD_FILE)")] },
    { title: "a run-together token", change: (p) => (p.taskSpec.containerSpec.env.githubToken = "t"), expected: [s(`${SPEC}.env.githubToken`, "sets githubToken to a plain-text value (1 character)", "pass githubToken as a Pulumi secret or as a file (githubToken_FILE)")] },
    { title: "an allowed name", change: (p) => (p.taskSpec.containerSpec.env.DB_PASSWORD = "hunter2"), config: { allowedNames: ["DB_*"] }, expected: [] },
  ],
  "service-credential-files-as-secrets": [
    {
      title: "the key as a config",
      change: (p) => p.taskSpec.containerSpec.configs.push({ configId: "c", configName: "plat-dev-app-alpha-key-0", fileName: "/etc/platform/tls/key.pem", fileUid: "0", fileGid: "0", fileMode: 0o440 }),
      expected: [s(`${SPEC}.configs[2].fileName`, "is \"/etc/platform/tls/key.pem\", a credential's file delivered as a config", "deliver that file as a Swarm secret (containerSpec.secrets) instead")],
    },
    {
      title: "a keystore as a config",
      change: (p) => p.taskSpec.containerSpec.configs.push({ configId: "c", fileName: "/etc/app/server.p12" }),
      expected: [s(`${SPEC}.configs[2].fileName`, "is \"/etc/app/server.p12\", a credential's file delivered as a config", "deliver that file as a Swarm secret (containerSpec.secrets) instead")],
    },
  ],
  "service-app-tmpfs-only": [
    { title: "a volume", change: (p) => p.taskSpec.containerSpec.mounts.push({ type: "volume", source: "alpha-data", target: "/data" }), expected: [s(`${SPEC}.mounts[1]`, "is a \"volume\" mount of \"alpha-data\" at \"/data\"", "replace it with a tmpfs mount, or deliver the file as a Swarm secret or config")] },
    { title: "a bind", change: (p) => p.taskSpec.containerSpec.mounts.push(bind("/srv/alpha")), expected: [s(`${SPEC}.mounts[1]`, "is a \"bind\" mount of \"/srv/alpha\" at \"/mnt/host\"", "replace it with a tmpfs mount, or deliver the file as a Swarm secret or config")] },
    {
      title: "infrastructure may keep its volume (the database's data)",
      change: (p) => {
        p.labels = [{ label: "platform.role", value: "database" }];
        p.taskSpec.containerSpec.labels = p.labels;
        p.taskSpec.containerSpec.mounts.push({ type: "volume", source: "db-data", target: "/var/lib/postgresql/data" });
      },
      expected: [],
      notApplicable: true,
    },
  ],
  "service-runsc-placement": [
    { title: "an app that asked for gVisor, placed anywhere", change: () => undefined, config: { runscApps: ["forecast-widget"] }, expected: [s("taskSpec.placement.constraints", "is empty (the task may land on a node running runc)", "add the constraint node.labels.platform.runtime==runsc")] },
    { title: "every app must", change: (p) => (p.taskSpec.placement.constraints = ["node.role==worker"]), config: { runscApps: ["*"] }, expected: [s("taskSpec.placement.constraints", "lacks node.labels.platform.runtime==runsc (the task may land on a node running runc)", "add the constraint node.labels.platform.runtime==runsc")] },
    { title: "placed on runsc nodes", change: (p) => (p.taskSpec.placement.constraints = ["node.labels.platform.runtime == runsc"]), config: { runscApps: ["forecast-widget"] }, expected: [] },
    { title: "an app that did not ask", change: () => undefined, config: { runscApps: ["backup-agent"] }, expected: [], notApplicable: true },
  ],
  "service-platform-role": [
    { title: "no role on either level", change: (p) => ((p.labels = []), (p.taskSpec.containerSpec.labels = [])), expected: [s("labels", "have no platform.role (the app and topology rules cannot tell what it is)", "label it with its platform.role")] },
    {
      title: "a role the platform does not give",
      change: (p) => ((p.labels = [{ label: "platform.role", value: "seed" }]), (p.taskSpec.containerSpec.labels = [])),
      expected: [s("labels", "have platform.role \"seed\", not a role of the platform (app, service, gateway, egress, identity, database)", "label it with its platform.role")],
    },
    { title: "an app without its name", change: (p) => ((p.labels = [{ label: "platform.role", value: "app" }]), (p.taskSpec.containerSpec.labels = [])), expected: [s("labels", "have platform.role=app but no platform.app", "label it platform.app=<app name>")] },
    { title: "the label on the container spec only", change: (p) => (p.labels = []), expected: [] },
  ],
};

const networkCases: Record<string, Case[]> = {
  "overlay-not-attachable": [
    { title: "attachable", change: (p) => (p.attachable = true), expected: [n("attachable", "is true (any container on any node may join)", "remove attachable or set it to false")] },
    { title: "unset is not attachable", change: (p) => delete p.attachable, expected: [] },
    { title: "a bridge network is another rule's", change: (p) => Object.assign(p, appNetworkProps(), { attachable: true }), expected: [], notApplicable: true },
  ],
  "overlay-encrypted": [
    {
      title: "unencrypted",
      change: (p) => (p.options = {}),
      expected: [n("options[\"encrypted\"]", "is unset (traffic between nodes crosses the wire in plain text)", "set it (to \"\"), or allow unencrypted overlays in the pack config (allowUnencryptedOverlays) when the stack set platform:swarm.encryptOverlays: false")],
    },
    { title: "a stack that opted out, in its pack config too", change: (p) => (p.options = {}), config: { allowUnencryptedOverlays: true }, expected: [] },
  ],
  // the engine's rule, which overlays are held to as well (the same platform.network label)
  "network-internal": [
    { title: "an app overlay not internal", change: (p) => (p.internal = false), expected: [n("internal", "is false on a network of kind app (its containers can reach the internet directly)", "set internal to true")] },
  ],
  "network-driver": [{ title: "an overlay is the Swarm rules' to check", change: () => undefined, expected: [], notApplicable: true }],
  "network-outbound-icc": [{ title: "an overlay has no ICC option", change: (p) => (p.internal = false), expected: [], notApplicable: true }],
};

async function crossGuard(ruleId: string, type: string, props: Props, config?: Record<string, unknown>) {
  const rule = ruleById(ruleId);
  assert.ok(rule && rule.kind === "resource", ruleId);
  return runResourcePolicy(toResourcePolicy(rule), { type, name: type === NETWORK_TYPE ? "net" : "alpha", props }, config);
}

function offline(ruleId: string, type: string, props: Props, config?: Record<string, unknown>, secretInputs: string[] = []) {
  const rule = ruleById(ruleId)!;
  return evaluateWithCoverage([{ type, name: type === NETWORK_TYPE ? "net" : "alpha", props, secretInputs }], { rules: [rule], config: config ? { [ruleId]: config } : undefined });
}

function resourceSuite(title: string, type: string, cases: Record<string, Case[]>, base: () => Props) {
  describe(title, () => {
    for (const [ruleId, list] of Object.entries(cases)) {
      describe(ruleId, () => {
        it("passes the platform's own output, as CrossGuard and as the checker run it", async () => {
          const run = await crossGuard(ruleId, type, base());
          assert.deepEqual([run.violations, run.advisory], [[], undefined]);
          assert.deepEqual(offline(ruleId, type, base()).findings, []);
        });
        for (const c of list) {
          it(`${c.expected.length === 0 ? "accepts" : "rejects"}: ${c.title}`, async () => {
            const props = base();
            c.change(props);
            const run = await crossGuard(ruleId, type, props, c.config);
            assert.deepEqual(run.violations.map((v) => v.message), c.expected);
            assert.equal(run.notApplicable !== undefined, c.notApplicable === true, `notApplicable: ${run.notApplicable}`);
            const engine = offline(ruleId, type, props, c.config);
            assert.deepEqual(engine.findings.map((f) => f.message), c.expected, "the checker finds the same");
            assert.equal(engine.checked[ruleId], c.notApplicable ? 0 : 1, "counted as checked only where the rule applies");
            for (const f of engine.findings) assert.ok(f.field.length > 0 && f.message.includes(`${f.field} `) && f.message.includes(". Fix: "), f.message);
          });
        }
      });
    }
  });
}

resourceSuite("Swarm service rules", SERVICE_TYPE, serviceCases, pinnedServiceProps);
resourceSuite("overlay network rules", NETWORK_TYPE, networkCases, () => networkProps());

describe("Swarm secrets and configs", () => {
  const pem = (kind: string) => Buffer.from(`-----BEGIN ${kind}-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49\n-----END ${kind}-----\n`).toString("base64");

  it("a secret's data must be a Pulumi secret where the input says so", () => {
    const secret = structuredClone(stack.find((r) => r.type === SECRET_TYPE)!);
    secret.name = "alpha";
    assert.deepEqual(secret.secretInputs, ["data"], "the platform marks it");
    assert.deepEqual(offline("swarm-secret-data-secret", SECRET_TYPE, secret.props, undefined, ["data"]).findings, []);
    assert.deepEqual(offline("swarm-secret-data-secret", SECRET_TYPE, secret.props).findings.map((f) => f.message), [
      "secret \"alpha\": data is not a Pulumi secret (the state and previews hold it in plain text). Fix: wrap data in pulumi.secret()",
    ]);
  });

  it("CrossGuard cannot tell a secret input, so the rule does not apply there (rather than passing)", async () => {
    const run = await crossGuard("swarm-secret-data-secret", SECRET_TYPE, { name: "s", data: pem("PRIVATE KEY") });
    assert.deepEqual(run.violations, []);
    assert.match(run.notApplicable ?? "", /does not say which inputs were Pulumi secrets/);
  });

  it("a config holds no private key, and no Pulumi secret", async () => {
    const message = (found: string, fix: string) => `service config "alpha": data ${found}. Fix: ${fix}`;
    assert.deepEqual((await crossGuard("swarm-config-no-private-key", SERVICE_CONFIG_TYPE, { name: "c", data: pem("CERTIFICATE") })).violations, []);
    for (const kind of ["PRIVATE KEY", "EC PRIVATE KEY", "OPENSSH PRIVATE KEY"]) {
      const run = await crossGuard("swarm-config-no-private-key", SERVICE_CONFIG_TYPE, { name: "c", data: pem(kind) });
      assert.deepEqual(run.violations.map((v) => v.message), [message("holds a private key (PRIVATE KEY marker)", "create it as a docker.Secret instead, and rotate the key: it was readable")], kind);
    }
    assert.deepEqual(offline("swarm-config-no-private-key", SERVICE_CONFIG_TYPE, { name: "c", data: "x" }, undefined, ["data"]).findings.map((f) => f.message), [
      message("is a Pulumi secret (a config shows it to anyone with manager access)", "create it as a docker.Secret instead"),
    ]);
  });
});

describe("Swarm topology rules", () => {
  const findings = (resources: CheckedResource[], ids: string[]) =>
    evaluate(resources, { rules: ids.map((id) => ruleById(id)!) }).map((f) => [f.ruleId, f.resourceName, f.field, f.message.slice(f.message.indexOf(": ") + 2)]);
  const swarmIds = swarmStackRules.map((r) => r.id);

  it("the platform's own Swarm stack passes every topology rule, each judging the 7 services", () => {
    const run = evaluateWithCoverage(copy(), { rules: swarmStackRules });
    assert.deepEqual(run.findings, []);
    for (const id of swarmIds) assert.equal(run.checked[id], 7, id);
  });

  it("an app on the services network: not its own, shared with backend services, not a role of that network", () => {
    const found = findings(attach(copy(), APP, "platform-net-services"), swarmIds);
    assert.deepEqual(found.map(([id, name, field]) => [id, name, field]), [
      ["swarm-app-single-network", APP, "taskSpec.networksAdvanceds[1]"],
      ["swarm-app-service-isolation", APP, "taskSpec.networksAdvanceds[1]"],
      ["swarm-platform-network-members", APP, "taskSpec.networksAdvanceds[1]"],
    ]);
    assert.match(found[0][3], /^taskSpec\.networksAdvanceds\[1\] is "plat-dev-services" \(services network\), which is not this app's own network\. Fix: remove that attachment/);
    assert.match(found[1][3], /shared with services "platform-svc-weather", "platform-svc-storage"\. Fix: remove that attachment; the app reaches services only through the gateway$/);
    assert.match(found[2][3], /although its platform\.role is app\. Fix: remove that attachment \(only roles service, gateway may join the services network\)$/);
  });

  it("an app on the identity network", () => {
    const found = findings(attach(copy(), APP, "platform-net-identity"), swarmIds);
    assert.deepEqual(found.map(([id]) => id), ["swarm-app-single-network", "swarm-platform-network-members"]);
  });

  it("an app on another app's network, and on two networks at once", () => {
    const found = findings(attach(copy(), APP, "platform-net-app-backup-agent"), swarmIds);
    assert.deepEqual(found.map(([id, , field]) => [id, field]), [["swarm-app-single-network", "taskSpec.networksAdvanceds[1]"]]);
    assert.match(found[0][3], /is "plat-dev-app-backup-agent" \(app network of backup-agent\), which is not this app's own network/);
  });

  it("an app without a network, or on one the stack does not declare", () => {
    const none = copy();
    byName(none, APP).props.taskSpec.networksAdvanceds = [];
    assert.deepEqual(findings(none, swarmIds).map(([id, , field, rest]) => [id, field, rest]), [
      ["swarm-app-single-network", "taskSpec.networksAdvanceds", "taskSpec.networksAdvanceds is empty (the app joins no network of its own). Fix: attach it to the app network of forecast-widget"],
    ]);
    const foreign = copy();
    byName(foreign, APP).props.taskSpec.networksAdvanceds[0].id = "ingress";
    assert.deepEqual(findings(foreign, swarmIds).map(([id, , , rest]) => [id, rest.split(". Fix")[0]]), [
      ["swarm-app-single-network", "taskSpec.networksAdvanceds[0] is \"ingress\" (no network of this stack has that id or name), which is not this app's own network"],
    ]);
  });

  it("a backend service on an app network", () => {
    const found = findings(attach(copy(), "platform-svc-weather", "platform-net-app-forecast-widget"), swarmIds);
    assert.deepEqual(found.map(([id, name]) => [id, name]), [
      ["swarm-app-network-members", "platform-svc-weather"],
      ["swarm-app-service-isolation", APP],
    ]);
    assert.match(found[0][3], /is "plat-dev-app-forecast-widget" \(app network of forecast-widget\) although its platform\.role is service\. Fix: remove that attachment \(only the app and roles gateway, egress may join an app network\)$/);
  });

  it("the gateway on the outbound network", () => {
    const found = findings(attach(copy(), "platform-gateway", "platform-net-outbound"), swarmIds);
    assert.deepEqual(found.map(([id, name, field]) => [id, name, field]), [["swarm-outbound-egress-only", "platform-gateway", "taskSpec.networksAdvanceds[4]"]]);
  });

  it("Keycloak on the services network", () => {
    const found = findings(attach(copy(), "platform-identity", "platform-net-services"), swarmIds);
    assert.deepEqual(found.map(([id, name]) => [id, name]), [["swarm-platform-network-members", "platform-identity"]]);
  });

  it("a service that drops its role label on the service level is still the app of its container spec", () => {
    const resources = attach(copy(), APP, "platform-net-services");
    byName(resources, APP).props.labels = [];
    assert.ok(findings(resources, ["swarm-app-single-network"]).length > 0);
  });

  it("without ids (CrossGuard's stack view), the networks a service depends on stand in for its references", () => {
    const resources = attach(copy(), APP, "platform-net-services");
    const urnOf = (name: string) => byName(resources, name).urn!;
    for (const r of resources) delete r.id;
    const app = byName(resources, APP);
    app.dependencies = [urnOf("platform-net-app-forecast-widget"), urnOf("platform-net-services")];
    const ofApp = () => findings(resources, ["swarm-app-single-network"]).filter(([, name]) => name === APP).map(([, , field, rest]) => `${field}: ${rest.split(". Fix")[0]}`);
    assert.deepEqual(ofApp(), ["taskSpec.networksAdvanceds[1]: taskSpec.networksAdvanceds[1] is \"plat-dev-services\" (services network), which is not this app's own network"]);
    // without the services network among its dependencies, neither reference can be matched: both are reported
    app.dependencies = [urnOf("platform-net-app-forecast-widget")];
    assert.deepEqual(ofApp().map((f) => f.replace(/"platform-net-[a-z-]+-id-\d+"/, "<id>")), [
      "taskSpec.networksAdvanceds[0]: taskSpec.networksAdvanceds[0] is <id> (no network of this stack has that id or name), which is not this app's own network",
      "taskSpec.networksAdvanceds[1]: taskSpec.networksAdvanceds[1] is <id> (no network of this stack has that id or name), which is not this app's own network",
    ]);
  });

  it("an app's client certificate and key: env names them, the key comes from a secret the stack declares", () => {
    const noKeyEnv = copy();
    delete byName(noKeyEnv, APP).props.taskSpec.containerSpec.env.PLATFORM_KEY_FILE;
    assert.deepEqual(findings(noKeyEnv, ["swarm-app-certificate"]).map(([, name, , rest]) => [name, rest]), [
      [APP, "taskSpec.containerSpec.env has no PLATFORM_KEY_FILE (the app's client key file). Fix: name the key file in PLATFORM_KEY_FILE and mount it from a docker.Secret at that path"],
    ]);
    const keyAsConfig = copy();
    const spec = byName(keyAsConfig, APP).props.taskSpec.containerSpec;
    const key = spec.secrets.findIndex((f: Props) => f.fileName === "/etc/platform/tls/key.pem");
    spec.configs.push({ ...spec.secrets[key], configId: spec.secrets[key].secretId, configName: spec.secrets[key].secretName });
    spec.secrets.splice(key, 1);
    assert.deepEqual(findings(keyAsConfig, ["swarm-app-certificate"]).map(([, , field, rest]) => `${field}: ${rest.split(". Fix")[0]}`), [
      `${SPEC}.configs[2]: ${SPEC}.configs[2] mounts /etc/platform/tls/key.pem (named by PLATFORM_KEY_FILE) from a config, not a secret`,
    ]);
    const undeclared = copy();
    const secret = byName(undeclared, APP).props.taskSpec.containerSpec.secrets.find((f: Props) => f.fileName === "/etc/platform/tls/key.pem");
    Object.assign(secret, { secretId: "elsewhere", secretName: "plat-dev-app-forecast-widget-key-000000000000" });
    assert.match(findings(undeclared, ["swarm-app-certificate"])[0][3], /mounts \/etc\/platform\/tls\/key\.pem from secret "plat-dev-app-forecast-widget-key-000000000000", which this stack does not declare/);
    const unsigned = copy().filter((r) => r.name !== "platform-app-forecast-widget-client-cert");
    assert.deepEqual(findings(unsigned, ["swarm-app-certificate"]).map(([, , field, rest]) => `${field}: ${rest.split(". Fix")[0]}`), [
      "client certificate: client certificate is missing (a certificate request has URI SAN spiffe://<trust domain>/app/forecast-widget, but no client_auth certificate is signed from it)",
    ]);
  });

  it("an app's OAuth2 client: its own id, registered in the realm, and its own secret from a Swarm secret", () => {
    const wrongId = copy();
    byName(wrongId, APP).props.taskSpec.containerSpec.env.PLATFORM_OAUTH_CLIENT_ID = "backup-agent";
    assert.deepEqual(findings(wrongId, ["swarm-app-oauth-client"]).map(([, , field, rest]) => `${field}: ${rest.split(". Fix")[0]}`), [
      `${SPEC}.env: ${SPEC}.env sets PLATFORM_OAUTH_CLIENT_ID to "backup-agent", not the app's own client "forecast-widget"`,
    ]);
    // the other app's client secret mounted in place of its own: caught by comparing with the realm
    const swapped = copy();
    const own = byName(swapped, APP).props.taskSpec.containerSpec.secrets.find((f: Props) => f.fileName === "/etc/platform/tls/oauth-client-secret");
    const other = byName(swapped, "platform-app-backup-agent").props.taskSpec.containerSpec.secrets.find((f: Props) => f.fileName === "/etc/platform/tls/oauth-client-secret");
    Object.assign(own, { secretId: other.secretId, secretName: other.secretName });
    assert.deepEqual(findings(swapped, ["swarm-app-oauth-client"]).map(([, name, , rest]) => [name, rest.split(". Fix")[0]]), [
      [APP, `${SPEC}.secrets[1] mounts the secret of another app's client "backup-agent"`],
    ]);
    const unregistered = copy();
    const realm = unregistered.find((r) => r.name === "platform-identity-realm")!;
    const json = JSON.parse(Buffer.from(realm.props.data, "base64").toString("utf8"));
    json.clients = json.clients.filter((c: Props) => c.clientId !== "forecast-widget");
    realm.props.data = Buffer.from(JSON.stringify(json)).toString("base64");
    assert.deepEqual(findings(unregistered, ["swarm-app-oauth-client"]).map(([, name, field, rest]) => [name, field, rest.split(". Fix")[0]]), [
      [APP, "OAuth2 client", "OAuth2 client is missing (the identity provider's realm has no client \"forecast-widget\")"],
    ]);
  });

  it("CrossGuard's stack policies: the platform passes, an app on the services network is caught", async () => {
    // the state's outputs carry each network's id; the harness gives props only
    const asPolicyInput = (resources: CheckedResource[]) => resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: r.type === NETWORK_TYPE ? { ...r.props, id: r.id } : r.props }));
    for (const rule of swarmStackRules) assert.deepEqual(await runStackPolicy(toStackPolicy(rule), asPolicyInput(copy())), { violations: [] }, rule.id);
    const run = await runStackPolicy(toStackPolicy(ruleById("swarm-app-single-network") as any), asPolicyInput(attach(copy(), APP, "platform-net-services")));
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /^service "platform-app-forecast-widget": taskSpec\.networksAdvanceds\[1\] is "plat-dev-services" \(services network\)/);
    assert.equal(run.violations[0].urn, byName(stack, APP).urn);
  });
});

describe("the platform's own Swarm stack, whole", () => {
  it("passes every mandatory rule with the dev pack config; only the dev stack's unpinned images are advisories", () => {
    const run = evaluateWithCoverage(copy(), { config: DEV_PACK_CONFIG });
    assert.deepEqual(run.findings.filter((f) => f.enforcementLevel === "mandatory").map((f) => f.message), []);
    assert.deepEqual([...new Set(run.findings.map((f) => f.ruleId))], ["cis-5.28-service-image-pinned"]);
    assert.equal(run.findings.length, 7);
  });

  it("every Swarm rule checks at least one resource; no container rule counts a container", () => {
    const { checked } = evaluateWithCoverage(copy(), { config: DEV_PACK_CONFIG });
    for (const rule of [...swarmServiceRules, ...swarmObjectRules, ...swarmStackRules, ...coverageRules]) assert.ok(checked[rule.id] > 0, `${rule.id} checked ${checked[rule.id]}`);
    for (const rule of [...containerRules, ...stackRules]) assert.equal(checked[rule.id], 0, rule.id);
    assert.equal(checked["cis-4.1-service-non-root-user"], 7);
    assert.equal(checked["service-app-tmpfs-only"], 2, "the two apps");
    assert.equal(checked["service-runsc-placement"], 1, "backup-agent, which asked for gVisor (dev.json)");
    assert.equal(checked["overlay-encrypted"], 5);
    assert.equal(checked["network-driver"], 0, "overlays are not the bridge driver rule's");
    assert.equal(checked["swarm-secret-data-secret"], stack.filter((r) => r.type === SECRET_TYPE).length);
  });

  it("catches a tampered service: root, the Docker socket, an app on the services network", () => {
    const resources = copy();
    const app = byName(resources, APP);
    app.props.taskSpec.containerSpec.user = "root";
    app.props.taskSpec.containerSpec.mounts.push(bind("/var/run/docker.sock"));
    attach(resources, APP, "platform-net-services");
    const mandatory = evaluate(resources, { config: DEV_PACK_CONFIG }).filter((f) => f.enforcementLevel === "mandatory");
    assert.deepEqual(mandatory.map((f) => [f.ruleId, f.resourceName, f.field]), [
      ["cis-4.1-service-non-root-user", APP, `${SPEC}.user`],
      ["cis-5.6-service-sensitive-host-paths", APP, `${SPEC}.mounts[1].source`],
      ["cis-5.32-service-docker-socket", APP, `${SPEC}.mounts[1].source`],
      ["service-app-tmpfs-only", APP, `${SPEC}.mounts[1]`],
      ["swarm-app-single-network", APP, "taskSpec.networksAdvanceds[1]"],
      ["swarm-app-service-isolation", APP, "taskSpec.networksAdvanceds[1]"],
      ["swarm-platform-network-members", APP, "taskSpec.networksAdvanceds[1]"],
    ]);
  });

  it("an attached network with its gVisor constraint dropped, a config with the key, an unencrypted overlay", () => {
    const resources = copy();
    byName(resources, "platform-app-backup-agent").props.taskSpec.placement.constraints = [];
    byName(resources, "platform-net-outbound").props.options = {};
    const config = resources.find((r) => r.type === SERVICE_CONFIG_TYPE)!;
    config.props.data = Buffer.from("-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n").toString("base64");
    const mandatory = evaluate(resources, { config: DEV_PACK_CONFIG }).filter((f) => f.enforcementLevel === "mandatory");
    assert.deepEqual(mandatory.map((f) => [f.ruleId, f.resourceName]).sort(), [
      ["overlay-encrypted", "platform-net-outbound"],
      ["service-runsc-placement", "platform-app-backup-agent"],
      ["swarm-config-no-private-key", config.name],
    ].sort());
  });
});

describe("the registry", () => {
  const files = (dir: string, helpers: string[] = []) => readdirSync(join(REPO_ROOT, "policies", "rules", dir)).filter((f) => f.endsWith(".ts") && !helpers.includes(f));

  it("holds every Swarm rule file, once, in the pack's policies", () => {
    assert.equal(swarmServiceRules.length + swarmObjectRules.length, files("swarm").length);
    assert.equal(swarmStackRules.length, files("swarm-topology", ["topology.ts"]).length);
    assert.equal(coverageRules.length, files("coverage").length);
    for (const rule of [...swarmServiceRules, ...swarmObjectRules, ...swarmStackRules, ...coverageRules]) assert.ok(allRules.includes(rule), rule.id);
    assert.equal(new Set(allRules.map((r) => r.id)).size, allRules.length);
  });

  it("every Swarm resource rule has cases here", () => {
    const covered = new Set([...Object.keys(serviceCases), ...Object.keys(networkCases), "swarm-secret-data-secret", "swarm-config-no-private-key"]);
    assert.deepEqual([...swarmServiceRules, ...swarmObjectRules].map((r) => r.id).filter((id) => !covered.has(id)), []);
    assert.equal(networkRules.length, 4, "the engine's network rules are unchanged in number");
  });
});

describe("the checker on a Swarm stack", { timeout: 180_000 }, () => {
  const { dir, file } = scratchFiles("policy-swarm-");

  it("policy:check --stack on a Swarm stack file: passes, and says what it checked", async () => {
    const stackFile = join(dir, "Pulumi.swarmcheck.yaml");
    file("Pulumi.swarmcheck.yaml", stringify({ config: swarmStackConfig() }));
    const { code, out } = await runChecker(["--format", "json", "--config", join(REPO_ROOT, "policies", "config", "dev.json"), "--stack", stackFile, join(REPO_ROOT, "examples", "vendor-app", "manifest.yaml")]);
    assert.equal(code, 0, out);
    const report: CheckReport = JSON.parse(out);
    const { coverage } = report.files[0];
    assert.ok(coverage);
    for (const rule of [...swarmServiceRules, ...swarmObjectRules, ...swarmStackRules, ...coverageRules]) assert.ok(coverage.rules[rule.id] > 0, `${rule.id} checked ${coverage.rules[rule.id]}`);
    for (const rule of containerRules) assert.equal(coverage.rules[rule.id], 0, rule.id);
    assert.equal(coverage.rules["cis-4.1-service-non-root-user"], 8, "the stack's 7 services and the vendor's app");
    assert.equal(coverage.resources.container, 0);
    const text = formatText(report);
    assert.match(text, /^ {2}checked: \d+ service configs, \d+ secrets, 8 services, 6 networks, 0 containers; \d+ rules checked at least one, 38 had nothing to check \(28 container rules, 3 network rules, 7 stack rules over containers\)$/m);
    assert.match(text, /^passed: 1 file, \d+ resources, 0 mandatory violations, 1 advisory$/m);
  });

  it("a resource list with a tampered service is rejected, naming the rules", async () => {
    const resources = copy();
    byName(resources, APP).props.taskSpec.containerSpec.user = "0";
    const { code, out } = await runChecker([file("tampered.json", JSON.stringify(resources))]);
    assert.equal(code, 1);
    assert.match(out, /service "platform-app-forecast-widget" \(docker:index\/service:Service\)\n {4}MANDATORY high cis-4\.1-service-non-root-user \[CIS 4\.1\]\n {6}taskSpec\.containerSpec\.user is "0" \(UID 0\)\. Fix: /);
  });

  it("a file with nothing any rule checks is not a pass (exit 2)", async () => {
    const { code, out } = await runChecker([file("nothing.json", JSON.stringify([{ type: "tls:index/privateKey:PrivateKey", name: "k", props: { algorithm: "ECDSA" } }]))]);
    assert.equal(code, 2, out);
    assert.match(out, /nothing was checked: none of its 1 resource is one the pack's rules check \(container, network, service, secret, service config\)/);
    assert.match(out, /^nothing checked: 1 file, 1 resource, 0 mandatory violations, 0 advisories, 1 with nothing checked$/m);
  });

  it("a stack of networks only: the network rules checked them, and the pack says no workload was checked", async () => {
    const networks = copy().filter((r) => r.type === NETWORK_TYPE);
    const { code, out } = await runChecker(["--format", "json", file("networks.json", JSON.stringify(networks))]);
    assert.equal(code, 1);
    const report = JSON.parse(out);
    assert.deepEqual(report.files[0].findings.map((f: any) => [f.ruleId, f.field]), [["stack-checkable-workloads", "workloads"]]);
    assert.equal(report.files[0].coverage.rules["overlay-encrypted"], 5);
    assert.equal(report.files[0].coverage.resources.service, 0);
  });
});
