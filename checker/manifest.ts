// A third party's app manifest → the resources the platform would create for it (paper section V:
// vet a submission before admission). The manifest is validated by the stack config schema and
// rendered by the platform's own renderers, so what is checked is exactly what would be deployed.
import { ConfigError } from "../config/errors";
import { parseAppManifest, parsePlatformConfig } from "../config/load";
import { buildPlan } from "../plan/plan";
import type { AppConfig } from "../config/schema";
import { networkInputs } from "../render/networks";
import { appContainer } from "../render/workloads";
import type { CheckedResource } from "../policies/evaluate";
import { CONTAINER_TYPE, NETWORK_TYPE } from "../policies/rules/rule";

const VETTING_STACK = "vetting";
const VETTING_TRUST_DOMAIN = "vetting.platform.example";
/** Stand-ins for the platform's own images: only the app's container and network are checked. */
const PLACEHOLDER_IMAGE = (name: string) => `registry.platform.example/${name}@sha256:${"0".repeat(64)}`;

export interface ManifestResult {
  app?: AppConfig;
  resources: CheckedResource[];
  /** schema problems, each with its path in the manifest (`app:image`) */
  problems: { path: string; message: string }[];
}

export function manifestResources(raw: unknown, source: string): ManifestResult {
  let app: AppConfig;
  try {
    app = parseAppManifest(raw, source);
  } catch (error) {
    if (error instanceof ConfigError) return { resources: [], problems: error.problems };
    throw error;
  }
  const { config } = parsePlatformConfig({
    trustDomain: VETTING_TRUST_DOMAIN,
    // The image is checked by cis-5.28-image-pinned with a precise message; the schema would only say "not pinned".
    allowUnpinnedImages: true,
    services: app.services.map((grant) => ({ name: grant.name, image: PLACEHOLDER_IMAGE(`service-${grant.name}`), port: 8080, healthPath: "/healthz" })),
    apps: [raw],
    gateway: { image: PLACEHOLDER_IMAGE("gateway") },
    egress: { image: PLACEHOLDER_IMAGE("egress") },
    identity: { image: PLACEHOLDER_IMAGE("identity") },
  }, source);
  const plan = buildPlan(config, VETTING_STACK);
  const planned = plan.apps[0];
  const container = appContainer(plan, planned);
  const network = networkInputs(plan, planned.network);
  return {
    app,
    problems: [],
    resources: [
      { type: NETWORK_TYPE, name: network.name, props: structuredClone(network) as unknown as Record<string, any> },
      { type: CONTAINER_TYPE, name: container.name, props: structuredClone(container) as unknown as Record<string, any> },
    ],
  };
}
