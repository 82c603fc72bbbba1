import { stackRule } from "../rule";
import { describeNetwork, topology } from "./topology";

export const appSingleNetwork = stackRule({
  id: "stack-app-single-network",
  description: "Every app container is on exactly one network: its own app network.",
  severity: "critical",
  remediation: "Attach the app container only to the network labelled platform.network=app and platform.app=<its name>.",
  enforcementLevel: "mandatory",
  check(resources, _config, report) {
    const topo = topology(resources);
    for (const container of topo.containers) {
      if (container.role !== "app") continue;
      const own = (name: string) => {
        const network = topo.networks.get(name);
        return network?.kind === "app" && network.app === container.app;
      };
      const foreign = container.networks.filter((name) => !own(name));
      const owned = container.networks.filter(own);
      if (container.networks.length === 0) {
        report({ resource: container.resource, field: "networksAdvanced", found: "is empty (the app joins no network of its own)", fix: `attach it to the app network of ${container.app ?? "this app"}` });
      }
      for (const name of foreign) {
        report({
          resource: container.resource,
          field: "networksAdvanced",
          found: `includes ${describeNetwork(topo, name)}, which is not this app's own network`,
          fix: `remove that attachment; an app joins only its own network (labelled platform.network=app, platform.app=${container.app ?? "<app>"})`,
        });
      }
      if (owned.length > 1) {
        report({ resource: container.resource, field: "networksAdvanced", found: `includes ${owned.length} app networks (${owned.join(", ")})`, fix: "keep exactly one app network per app" });
      }
    }
  },
});
