// The Engine API bodies @pulumi/docker 5.2.0 sends for the renderer's Swarm shapes, so tests can create
// what the wiring would create on a real cluster without the Pulumi engine. One mapping: the renderer's
// shapes are put in the form the wiring passes to docker.Service/docker.Network (ids in place of
// names, files as secret and config references) and handed to the sandbox's provider mirror.
import { toNetworkCreate } from "../../sandbox/provider-mirror/network-mapper";
import { toServiceSpec } from "../../sandbox/swarm/service-mapper";
import type { OverlayNetworkInputs, SwarmFileRef, SwarmServiceInputs } from "../../render/swarm/types";

export function engineNetworkSpec(network: OverlayNetworkInputs): Record<string, unknown> {
  return toNetworkCreate(network.name, network as unknown as Record<string, unknown>, {}) as unknown as Record<string, unknown>;
}

export interface CreatedFile {
  ref: SwarmFileRef;
  id: string;
  name: string;
}

export function engineServiceSpec(service: SwarmServiceInputs, networkIds: Record<string, string>, files: CreatedFile[]): Record<string, unknown> {
  const mount = (f: CreatedFile) => ({ fileName: f.ref.fileName, fileUid: f.ref.fileUid, fileGid: f.ref.fileGid, fileMode: f.ref.fileMode });
  const inputs = {
    ...service,
    taskSpec: {
      ...service.taskSpec,
      containerSpec: {
        ...service.taskSpec.containerSpec,
        secrets: files.filter((f) => f.ref.kind === "secret").map((f) => ({ ...mount(f), secretId: f.id, secretName: f.name })),
        configs: files.filter((f) => f.ref.kind === "config").map((f) => ({ ...mount(f), configId: f.id, configName: f.name })),
      },
      networksAdvanceds: service.taskSpec.networksAdvanceds.map((n) => ({ id: n.name, aliases: n.aliases })),
    },
  };
  const ids = new Map<string, string>([...Object.entries(networkIds), ...files.map((f): [string, string] => [f.id, f.id])]);
  return toServiceSpec(service.name, inputs as unknown as Record<string, any>, ids, {});
}
