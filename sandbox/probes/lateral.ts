// Lateral movement probes (paper II-C): an app reaches nothing but its gateway and its egress proxy.
import { attackVerdict, Probe, victimOf } from "./probe";
import { describeFailure } from "./python";
import { runProbeCode, victimListener } from "./runner";
import { absentReason, Endpoint } from "./types";

const LISTEN_PORT = 18080;

async function connectProbe(target: Parameters<Probe["run"]>[0], targets: Endpoint[], what: string) {
  const run = await runProbeCode(target, "tcp_connect", { targets: targets.map((t) => [t.ip, t.port]), timeout: 3 }, 60_000);
  if (!run.output) return { verdict: "skipped" as const, evidence: `no report: ${describeFailure(run)}` };
  return { verdict: attackVerdict(run.output.attack), evidence: `${what}: ${run.output.evidence}` };
}

const otherApp: Probe = {
  id: "lateral.other-app",
  category: "lateral",
  title: "connect to another app's container",
  async run(target, env) {
    const victim = victimOf(target, env);
    if (!victim) return { verdict: "skipped", evidence: "the stack has no other app" };
    const listener = victimListener(victim, LISTEN_PORT, 6);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const result = await connectProbe(target, [{ name: victim.name, ip: victim.ip, port: LISTEN_PORT }], `${victim.name} (listening on ${LISTEN_PORT})`);
    await listener;
    return result;
  },
};

const serviceDirect: Probe = {
  id: "lateral.service-direct",
  category: "lateral",
  waitsOnly: true,
  title: "reach a backend service directly, bypassing the gateway",
  async run(target, env) {
    const running = env.services.filter((s): s is Endpoint => !("absent" in s));
    if (running.length === 0) return { verdict: "skipped", evidence: env.services.map((s) => `${s.name}: ${absentReason(s)}`).join("; ") || "the stack has no services" };
    return connectProbe(target, running, "services");
  },
};

const identityDirect: Probe = {
  id: "lateral.identity-direct",
  category: "lateral",
  waitsOnly: true,
  title: "reach Keycloak directly, bypassing the gateway",
  async run(target, env) {
    const reason = absentReason(env.identity);
    if (reason) return { verdict: "skipped", evidence: reason };
    return connectProbe(target, [env.identity as Endpoint], "keycloak");
  },
};

const internetDirect: Probe = {
  id: "lateral.internet-direct",
  category: "lateral",
  waitsOnly: true,
  title: "reach an outside address directly, without the egress proxy",
  async run(target, env) {
    const reason = absentReason(env.internet);
    if (reason) return { verdict: "skipped", evidence: reason };
    return connectProbe(target, [env.internet as Endpoint], "outside stand-in");
  },
};

const hostServices: Probe = {
  id: "lateral.host-services",
  category: "lateral",
  title: "reach a service listening on the Docker host (its bridge addresses; on Swarm the node's own addresses)",
  async run(target, env) {
    const reason = absentReason(env.hostListener);
    if (reason) return { verdict: "skipped", evidence: reason };
    const port = (env.hostListener as { port: number }).port;
    // on Swarm the node's own addresses; on one engine the bridge gateways are the host's
    const onNode = target.hostAddresses !== undefined;
    const addresses = target.hostAddresses ?? target.bridgeGateways;
    if (addresses.length === 0) return { verdict: "skipped", evidence: onNode ? "no address of the app's node is known" : "the app network has no gateway address" };
    return connectProbe(target, addresses.map((ip) => ({ name: "host", ip, port })), onNode ? "host listener on the node's addresses" : "host listener via the bridge addresses");
  },
};

export const LATERAL_PROBES = [otherApp, serviceDirect, identityDirect, internetDirect, hostServices];
