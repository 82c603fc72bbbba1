import { labelsOf } from "../read";

/** Network kind from the platform's `platform.network` label: app, services, identity, outbound. */
export const NETWORK_KIND_LABEL = "platform.network";

export function networkKind(props: Record<string, any>): string | undefined {
  return labelsOf(props).get(NETWORK_KIND_LABEL);
}
