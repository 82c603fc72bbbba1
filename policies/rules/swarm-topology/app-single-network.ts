import { SERVICE_TYPE, stackRule } from "../rule";
import { attachmentField, describeSwarmNetwork, swarmTopology } from "./topology";

export const swarmAppSingleNetwork = stackRule({
  id: "swarm-app-single-network",
  description: "Every app service joins exactly one overlay network: its own app network.",
  severity: "critical",
  remediation: "Attach the app's service only to the network labelled platform.network=app and platform.app=<its name>.",
  enforcementLevel: "mandatory",
  subjectTypes: [SERVICE_TYPE],
  check(resources, _config, report) {
    const topo = swarmTopology(resources);
    for (const service of topo.services) {
      if (service.role !== "app") continue;
      const own = (key: string) => {
        const network = topo.networks.get(key);
        return network?.kind === "app" && network.app !== undefined && network.app === service.app;
      };
      const networks = [...new Set(service.joins.map((j) => j.network))];
      if (networks.length === 0) {
        report({ resource: service.resource, field: "taskSpec.networksAdvanceds", found: "is empty (the app joins no network of its own)", fix: `attach it to the app network of ${service.app ?? "this app"}` });
      }
      for (const key of networks.filter((n) => !own(n))) {
        report({
          resource: service.resource,
          field: attachmentField(service, key),
          found: `is ${describeSwarmNetwork(topo, key)}, which is not this app's own network`,
          fix: `remove that attachment; an app joins only its own network (labelled platform.network=app, platform.app=${service.app ?? "<app>"})`,
        });
      }
      const owned = networks.filter(own);
      if (owned.length > 1) {
        report({ resource: service.resource, field: "taskSpec.networksAdvanceds", found: `includes ${owned.length} app networks (${owned.join(", ")})`, fix: "keep exactly one app network per app" });
      }
    }
  },
});
