import { stackRule } from "../rule";
import { describeNetwork, topology } from "./topology";

export const appServiceIsolation = stackRule({
  id: "stack-app-service-isolation",
  description: "No app shares a network with a backend service: apps reach services only through the gateway.",
  severity: "critical",
  remediation: "Detach the app (or the service) from the shared network; route calls through the API gateway.",
  enforcementLevel: "mandatory",
  check(resources, _config, report) {
    const topo = topology(resources);
    for (const [network, members] of topo.members) {
      const services = members.filter((m) => m.role === "service");
      if (services.length === 0) continue;
      // Name a few; a message listing thousands of containers helps nobody.
      const named = services.slice(0, 3).map((s) => `"${s.resource.name}"`).join(", ") + (services.length > 3 ? ` and ${services.length - 3} more` : "");
      for (const app of members.filter((m) => m.role === "app")) {
        report({
          resource: app.resource,
          field: "networksAdvanced",
          found: `includes ${describeNetwork(topo, network)}, shared with service container${services.length > 1 ? "s" : ""} ${named}`,
          fix: "remove that attachment; the app reaches services only through the gateway",
        });
      }
    }
  },
});
