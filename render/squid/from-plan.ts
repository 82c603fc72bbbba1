// SquidConfInput from the validated platform plan: the only way stack config reaches squid.conf.
import type { PlatformPlan } from "../../plan/plan";
import { SQUID_DEFAULTS, SquidConfInput } from "./types";

export function squidInputFromPlan(plan: PlatformPlan): SquidConfInput {
  const egress = plan.config.egress;
  return {
    apps: plan.apps.map((app) => ({ name: app.config.name, subnet: app.network.subnet, egress: [...app.config.egress] })),
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
