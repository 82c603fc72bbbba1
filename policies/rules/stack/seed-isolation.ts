import { stackRule } from "../rule";
import { SEED_CONTRACT, seedRunReasons } from "../read";
import { describeNetwork, topology } from "./topology";

export const seedIsolation = stackRule({
  id: "stack-seed-isolation",
  description:
    "Every upload seed (platform.role=seed) joins no network and never runs, so a workload cannot pass for a seed and escape the app and topology rules.",
  severity: "critical",
  remediation:
    `Give the seed ${SEED_CONTRACT} (render/hardening.ts seedContainer does), or label a container that must run with its real platform.role.`,
  enforcementLevel: "mandatory",
  check(resources, _config, report) {
    const topo = topology(resources);
    for (const seed of topo.containers) {
      if (seed.role !== "seed") continue;
      // A seed is not an app container for the other stack rules; one with a network would be an
      // unchecked workload on that network.
      for (const network of seed.networks) {
        report({
          resource: seed.resource,
          field: "networks",
          found: `include ${describeNetwork(topo, network)}, but an upload seed joins no network`,
          fix: "remove that attachment: a seed has networkMode \"none\" and no networksAdvanced",
        });
      }
      const reasons = seedRunReasons(seed.resource.props);
      if (reasons.length > 0) {
        report({
          resource: seed.resource,
          field: "seed",
          found: `could run or be reached: ${reasons.join(", ")}`,
          fix: `make it a seed that never runs (${SEED_CONTRACT}), or label it with the platform.role of the workload it is`,
        });
      }
    }
  },
});
