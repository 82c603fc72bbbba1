// Egress probes (paper IV-D): through the app's proxy, only whitelisted domains are reachable, and
// never an internal address.
import type { Probe } from "./probe";
import { describeFailure } from "./python";
import { runProbeCode } from "./runner";
import type { AppTarget } from "./types";

type Proxy = { ip: string; port: number; whitelist: string[] };

function proxyOf(target: AppTarget): Proxy | string {
  if (!target.egress) return "the stack declares no egress proxy for this app";
  if ("absent" in target.egress) return target.egress.absent;
  return target.egress;
}

async function ask(target: AppTarget, proxy: Proxy, method: "CONNECT", destination: string) {
  const run = await runProbeCode(target, "proxy_request", { proxy_host: proxy.ip, proxy_port: proxy.port, method, target: destination, timeout: 15 }, 30_000);
  if (!run.output) return { status: -2, evidence: `no report: ${describeFailure(run)}` };
  return { status: Number(run.output.status), evidence: run.output.evidence };
}

const denied = (status: number) => status === 403 || status === 407;

const whitelistedAllowed: Probe = {
  id: "egress.whitelisted-allowed",
  category: "egress",
  title: "a whitelisted domain is let through the proxy (control)",
  async run(target, env) {
    const proxy = proxyOf(target);
    if (typeof proxy === "string") return { verdict: "skipped", evidence: proxy };
    if (proxy.whitelist.length === 0) return { verdict: "skipped", evidence: "the app has no whitelisted domain" };
    const domain = proxy.whitelist[0].startsWith(".") ? `www${proxy.whitelist[0]}` : proxy.whitelist[0];
    // An allowed CONNECT makes the proxy resolve and contact the real domain: only on request.
    if (!env.allowInternet) return { verdict: "skipped", evidence: `would make the proxy contact ${domain} on the internet (run with --allow-internet)` };
    const answer = await ask(target, proxy, "CONNECT", `${domain}:443`);
    // any answer but a denial means the policy let it through (the origin itself may be unreachable)
    return { verdict: answer.status > 0 && !denied(answer.status) ? "ok" : "FAILED", evidence: answer.evidence };
  },
};

const notWhitelistedDenied: Probe = {
  id: "egress.not-whitelisted",
  category: "egress",
  title: "a domain that is not whitelisted is denied by the proxy",
  async run(target) {
    const proxy = proxyOf(target);
    if (typeof proxy === "string") return { verdict: "skipped", evidence: proxy };
    // .invalid never resolves (RFC 6761): even a wrongly allowed request reaches no host
    const answer = await ask(target, proxy, "CONNECT", "not-whitelisted.platform-probe.invalid:443");
    if (answer.status === -2 || answer.status === -1) return { verdict: "skipped", evidence: answer.evidence };
    return { verdict: denied(answer.status) ? "stopped" : "NOT STOPPED", evidence: answer.evidence };
  },
};

const internalViaProxy: Probe = {
  id: "egress.internal-address",
  category: "egress",
  title: "an internal address (the proxy's own host, the app's subnet) is denied by the proxy",
  async run(target) {
    const proxy = proxyOf(target);
    if (typeof proxy === "string") return { verdict: "skipped", evidence: proxy };
    // only addresses local to the proxy's host, so a wrongly allowed request still stays on this machine
    const destinations = ["127.0.0.1:22", `${proxy.ip}:${proxy.port}`, `${target.ip}:18080`];
    const answers = [];
    for (const destination of destinations) answers.push(await ask(target, proxy, "CONNECT", destination));
    const evidence = answers.map((a) => a.evidence).join("; ");
    if (answers.some((a) => a.status < 0)) return { verdict: "skipped", evidence };
    return { verdict: answers.every((a) => denied(a.status)) ? "stopped" : "NOT STOPPED", evidence };
  },
};

export const EGRESS_PROBES = [whitelistedAllowed, notWhitelistedDenied, internalViaProxy];
