// Readers for Swarm service inputs (docker.Service: taskSpec.containerSpec, resources, networks), as
// components/swarm/service.ts declares them. Tolerant like read.ts: a wrong type reads as absent.
import { isWithin, labelsOf, list, normalizeHostPath, PACK_LABEL, text } from "./read";

/** Input path of the container spec, for violation fields. */
export const SPEC = "taskSpec.containerSpec";

export function containerSpecOf(props: Record<string, any>): Record<string, any> {
  const spec = props.taskSpec?.containerSpec;
  return typeof spec === "object" && spec !== null ? spec : {};
}

/**
 * A service's `platform.*` label: the service's own labels first, then its container spec's (the
 * platform sets both, render/swarm/service.ts). A role on either level counts, so dropping one does
 * not turn an app into something the app rules skip.
 */
export function serviceLabel(props: Record<string, any>, label: string): string | undefined {
  return labelsOf(props).get(label) ?? labelsOf(containerSpecOf(props)).get(label);
}

export function serviceRole(props: Record<string, any>): string | undefined {
  return serviceLabel(props, PACK_LABEL.role);
}

export function serviceApp(props: Record<string, any>): string | undefined {
  return serviceLabel(props, PACK_LABEL.app);
}

export const isAppService = (props: Record<string, any>): boolean => serviceRole(props) === "app";

interface BindMount {
  /** e.g. `taskSpec.containerSpec.mounts[0].source` */
  field: string;
  hostPath: string;
  normalized: string;
}

/** Host paths a service bind-mounts (`mounts[]` of type "bind"). */
export function serviceBindMounts(props: Record<string, any>): BindMount[] {
  return list(containerSpecOf(props).mounts).flatMap((mount, i) => {
    const source = text(mount?.source);
    return text(mount?.type) === "bind" && source ? [{ field: `${SPEC}.mounts[${i}].source`, hostPath: source, normalized: normalizeHostPath(source) }] : [];
  });
}

export { isWithin, normalizeHostPath };

export interface Attachment {
  index: number;
  /** what names the network: the provider's `id` field (a network id or name), or `name` in the renderer's shape */
  ref: string;
  aliases: string[];
}

/** `taskSpec.networksAdvanceds`: the networks a service's tasks join. */
export function serviceAttachments(props: Record<string, any>): Attachment[] {
  return list(props.taskSpec?.networksAdvanceds).flatMap((attachment, index) => {
    const ref = text(attachment?.id) ?? text(attachment?.name);
    return ref ? [{ index, ref, aliases: list(attachment?.aliases).filter((a): a is string => typeof a === "string") }] : [];
  });
}
