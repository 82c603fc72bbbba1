// Swarm secrets and configs for one service, from the renderer's file refs and the contents the
// wiring holds (certificates, keys, rendered configs): the Swarm counterpart of the upload seed.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { PLATFORM_LABEL } from "../../plan/names";
import { swarmObjectName } from "../../render/swarm/files";
import type { SwarmFileRef } from "../../render/swarm/types";

export interface SwarmFiles {
  secrets: docker.types.input.ServiceTaskSpecContainerSpecSecret[];
  configs: docker.types.input.ServiceTaskSpecContainerSpecConfig[];
}

/**
 * One secret or config per ref, named by its content (render/swarm/files.ts swarmObjectName), so new
 * content is a new object the service rolls onto. A ref without content is an error: a service would
 * start without a file its workload reads.
 */
export function createSwarmFiles(
  logicalName: string,
  serviceName: string,
  refs: readonly SwarmFileRef[],
  contents: Record<string, pulumi.Input<string>>,
  labels: { label: string; value: string }[],
  parent: pulumi.Resource,
): SwarmFiles {
  const files: SwarmFiles = { secrets: [], configs: [] };
  const objectLabels = labels.filter((l) => l.label === PLATFORM_LABEL.stack || l.label === PLATFORM_LABEL.role);
  for (const ref of refs) {
    const content = contents[ref.purpose];
    if (content === undefined) throw new pulumi.ResourceError(`service ${serviceName}: no content for its ${ref.kind} ${ref.purpose} (${ref.fileName})`, parent);
    const text = pulumi.output(content);
    // the name carries 48 bits of the content's SHA-256, not the content: safe to show unencrypted
    const name = pulumi.unsecret(text.apply((c) => swarmObjectName(serviceName, ref, c)));
    const data = text.apply((c) => Buffer.from(c, "utf8").toString("base64"));
    const mount = { fileName: ref.fileName, fileUid: ref.fileUid, fileGid: ref.fileGid, fileMode: ref.fileMode };
    if (ref.kind === "secret") {
      const secret = new docker.Secret(`${logicalName}-${ref.purpose}`, { name, data: pulumi.secret(data), labels: objectLabels }, { parent });
      files.secrets.push({ ...mount, secretId: secret.id, secretName: secret.name });
    } else {
      const config = new docker.ServiceConfig(`${logicalName}-${ref.purpose}`, { name, data, labels: objectLabels }, { parent });
      files.configs.push({ ...mount, configId: config.id, configName: config.name });
    }
  }
  return files;
}
