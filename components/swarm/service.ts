// The one wiring from a rendered SwarmWorkload to a docker.Service: network ids in place of names,
// and the workload's secrets and configs.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import type { FileUpload } from "../../render/hardening";
import type { SwarmWorkload } from "../../render/swarm/from-plan";
import { createSwarmFiles } from "./files";

export function createSwarmService(
  logicalName: string,
  workload: SwarmWorkload,
  networks: Record<string, docker.Network>,
  uploads: readonly FileUpload<pulumi.Input<string>>[],
  parent: pulumi.Resource,
  dependsOn: pulumi.Input<pulumi.Resource>[] = [],
): docker.Service {
  const { service } = workload;
  const files = createSwarmFiles(logicalName, service.name, workload.files, uploads, service.labels, parent);
  const networksAdvanceds = service.taskSpec.networksAdvanceds.map((attachment) => {
    const network = networks[attachment.name];
    if (!network) throw new pulumi.ResourceError(`service ${service.name}: network ${attachment.name} is not part of this platform`, parent);
    return { id: network.id, aliases: attachment.aliases };
  });
  return new docker.Service(
    logicalName,
    {
      ...service,
      taskSpec: {
        ...service.taskSpec,
        containerSpec: { ...service.taskSpec.containerSpec, secrets: files.secrets, configs: files.configs },
        networksAdvanceds,
      },
    },
    { parent, dependsOn },
  );
}
