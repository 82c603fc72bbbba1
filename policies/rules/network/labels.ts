import { labelsOf, PACK_LABEL } from "../read";

/** Network kind from the platform's `platform.network` label: app, services, identity, outbound. */
const NETWORK_KIND_LABEL = PACK_LABEL.network;

export function networkKind(props: Record<string, any>): string | undefined {
  return labelsOf(props).get(NETWORK_KIND_LABEL);
}
