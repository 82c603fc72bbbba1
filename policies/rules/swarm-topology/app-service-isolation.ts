import { SERVICE_TYPE, stackRule } from "../rule";
import { attachmentField, describeSwarmNetwork, swarmTopology } from "./topology";

export const swarmAppServiceIsolation = stackRule({
  id: "swarm-app-service-isolation",
  description: "No app service shares an overlay network with a backend service: apps reach services only through the gateway.",
  severity: "critical",
  remediation: "Detach the app's service (or the backend service) from the shared network; route calls through the API gateway.",
  enforcementLevel: "mandatory",
  subjectTypes: [SERVICE_TYPE],
  check(resources, _config, report) {
    const topo = swarmTopology(resources);
    for (const [network, members] of topo.members) {
      const backends = members.filter((m) => m.role === "service");
      const named = topo.networks.get(network)?.kind === "services";
      if (backends.length === 0 && !named) continue;
      const who = backends.length === 0
        ? "the services network"
        : `shared with service${backends.length > 1 ? "s" : ""} ${backends.slice(0, 3).map((s) => `"${s.resource.name}"`).join(", ")}${backends.length > 3 ? ` and ${backends.length - 3} more` : ""}`;
      for (const app of members.filter((m) => m.role === "app")) {
        report({
          resource: app.resource,
          field: attachmentField(app, network),
          found: `is ${describeSwarmNetwork(topo, network)}, ${who}`,
          fix: "remove that attachment; the app reaches services only through the gateway",
        });
      }
    }
  },
});
