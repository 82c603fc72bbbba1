// Swarm secrets and configs for one service, from the renderer's file refs and the uploads the
// wiring builds with render/workload-files (the lists the engine wiring uploads): matched by path,
// so a file reaches a task only where the engine wiring would put it.
import { isDeepStrictEqual } from "node:util";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { PLATFORM_LABEL } from "../../plan/names";
import type { FileUpload } from "../../render/hardening";
import { swarmFileRef, swarmObjectName } from "../../render/swarm/files";
import type { SwarmFileRef } from "../../render/swarm/types";

export interface SwarmFiles {
  secrets: docker.types.input.ServiceTaskSpecContainerSpecSecret[];
  configs: docker.types.input.ServiceTaskSpecContainerSpecConfig[];
}

/**
 * One secret or config per ref, named by its content (render/swarm/files.ts swarmObjectName), so new
 * content is a new object the service rolls onto. Refs and uploads must be the same files with the
 * same owner and mode: a ref without an upload would start a task without a file its workload reads,
 * an upload without a ref would be a file the renderer never planned.
 */
export function createSwarmFiles(
  logicalName: string,
  serviceName: string,
  refs: readonly SwarmFileRef[],
  uploads: readonly FileUpload<pulumi.Input<string>>[],
  labels: { label: string; value: string }[],
  parent: pulumi.Resource,
): SwarmFiles {
  const byPath = new Map(uploads.map((upload) => [upload.file, upload]));
  const unplanned = uploads.filter((upload) => !refs.some((ref) => ref.fileName === upload.file)).map((upload) => upload.file);
  if (unplanned.length > 0) throw new pulumi.ResourceError(`service ${serviceName}: ${unplanned.join(", ")} not among the files its rendered service mounts`, parent);
  const files: SwarmFiles = { secrets: [], configs: [] };
  const objectLabels = labels.filter((l) => l.label === PLATFORM_LABEL.stack || l.label === PLATFORM_LABEL.role);
  for (const ref of refs) {
    const upload = byPath.get(ref.fileName);
    if (upload === undefined) throw new pulumi.ResourceError(`service ${serviceName}: no content for its ${ref.kind} ${ref.purpose} (${ref.fileName})`, parent);
    const wanted = swarmFileRef(upload);
    if (!isDeepStrictEqual(wanted, ref)) {
      throw new pulumi.ResourceError(`service ${serviceName}: ${ref.fileName} is rendered as ${describe(ref)} but uploaded as ${describe(wanted)}`, parent);
    }
    const text = pulumi.output(upload.content);
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

const describe = (ref: SwarmFileRef) => `a ${ref.kind} ${ref.fileUid}:${ref.fileGid} ${ref.fileMode.toString(8).padStart(4, "0")}`;
