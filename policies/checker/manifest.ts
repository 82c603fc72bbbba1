// A third party's app manifest → the resources the platform would create for it (paper section V:
// vet a submission before admission). The manifest is validated by the stack config schema and
// rendered by the platform's own renderers, so what is checked is exactly what would be deployed.
import { ConfigError } from "../../spec/errors";
import { parseAppManifest, parsePlatformConfig } from "../../spec/load";
import { buildPlan } from "../../spec/plan";
import type { AppSpec } from "../../spec/schema";
import { networkSpec } from "../../render/networks";
import { appContainer } from "../../render/workloads";
import type { CheckedResource } from "../engine";
import { CONTAINER_TYPE, NETWORK_TYPE } from "../rules/rule";

export const VETTING_STACK = "vetting";
const VETTING_TRUST_DOMAIN = "vetting.platform.example";
/** Stand-ins for the platform's own images: only the app's container and network are checked. */
const PLACEHOLDER_IMAGE = (name: string) => `registry.platform.example/${name}@sha256:${"0".repeat(64)}`;

export interface ManifestResult {
  app?: AppSpec;
  resources: CheckedResource[];
  /** schema problems, each with its path in the manifest (`app:image`) */
  problems: { path: string; message: string }[];
}

export function manifestResources(raw: unknown, source: string): ManifestResult {
  let app: AppSpec;
  try {
    app = parseAppManifest(raw, source);
  } catch (error) {
    if (error instanceof ConfigError) return { resources: [], problems: error.problems };
    throw error;
  }
  const { spec } = parsePlatformConfig({
    trustDomain: VETTING_TRUST_DOMAIN,
    // The image is checked by cis-5.28-image-pinned with a precise message; the schema would only say "not pinned".
    allowUnpinnedImages: true,
    services: app.services.map((grant) => ({ name: grant.name, image: PLACEHOLDER_IMAGE(`service-${grant.name}`), port: 8080, healthPath: "/healthz" })),
    apps: [raw],
    gateway: { image: PLACEHOLDER_IMAGE("gateway") },
    egress: { image: PLACEHOLDER_IMAGE("egress") },
    identity: { image: PLACEHOLDER_IMAGE("identity") },
  }, source);
  const plan = buildPlan(spec, VETTING_STACK);
  const planned = plan.apps[0];
  const container = appContainer(plan, planned);
  const network = networkSpec(plan, planned.network);
  return {
    app,
    problems: [],
    resources: [
      { type: NETWORK_TYPE, name: network.name, props: structuredClone(network) as unknown as Record<string, any> },
      { type: CONTAINER_TYPE, name: container.name, props: structuredClone(container) as unknown as Record<string, any> },
    ],
  };
}
