// Gateway probes (paper IV-A..C): they need a running Envoy; without its image they are skipped with
// the reason, never counted as passed.
import type { Probe } from "./probe";

const CASES: [string, string][] = [
  ["gateway.no-client-cert", "call a service without a client certificate"],
  ["gateway.wrong-cert", "call with a certificate the internal CA did not issue for this app"],
  ["gateway.no-token", "call without an OAuth2 token"],
  ["gateway.other-apps-token", "call with another app's token"],
  ["gateway.ungranted-service", "call a service the app was not granted"],
  ["gateway.flood", "flood the gateway until it answers 429"],
];

export const GATEWAY_PROBES: Probe[] = CASES.map(([id, title]) => ({
  id,
  category: "gateway",
  title,
  async run(_target, env) {
    if ("absent" in env.gateway) return { verdict: "skipped", evidence: env.gateway.absent };
    return { verdict: "skipped", evidence: "the gateway is running, but this sandbox version has no live-Envoy probe for this case yet" };
  },
}));
