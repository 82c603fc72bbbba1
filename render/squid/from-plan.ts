// SquidConfInput from the validated platform plan: the only way stack config reaches squid.conf.
import type { PlatformPlan } from "../../spec/plan";
import { SQUID_DEFAULTS, SquidConfInput } from "./types";

export function squidInputFromPlan(plan: PlatformPlan): SquidConfInput {
  const egress = plan.spec.egress;
  return {
    apps: plan.apps.map((app) => ({ name: app.spec.name, subnet: app.network.subnet, egress: [...app.spec.egress] })),
    baseCidr: plan.baseCidr,
    listen: { port: egress.port },
    httpPorts: [...egress.httpPorts],
    connectPorts: [...egress.connectPorts],
    log: { accessLog: SQUID_DEFAULTS.accessLog, cacheLog: SQUID_DEFAULTS.cacheLog },
    runtime: {
      pidFile: SQUID_DEFAULTS.pidFile,
      shutdownLifetimeSeconds: SQUID_DEFAULTS.shutdownLifetimeSeconds,
      visibleHostname: SQUID_DEFAULTS.visibleHostname,
    },
  };
}
