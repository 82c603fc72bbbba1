// Shared wiring from a plain ContainerSpec to @pulumi/docker resources.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ContainerSpec, FileUpload, PLATFORM_LABEL, seedContainer, seedVolumes } from "../render/hardening";

export interface WorkloadContainerArgs {
  spec: ContainerSpec;
  /** Docker network resources by network name, so the container depends on them */
  networks: Record<string, docker.Network>;
  uploads: FileUpload<pulumi.Input<string>>[];
}

type ResolvedVolume = { volumeName: pulumi.Input<string>; containerPath: string; readOnly: boolean };

/**
 * The never-started twin that receives `uploads` into the volumes (see seedContainer). The workload
 * must depend on it, so the files are in place before the workload starts.
 */
export function createUploadSeed(
  logicalName: string,
  args: { spec: ContainerSpec; volumes: ResolvedVolume[]; uploads: FileUpload<pulumi.Input<string>>[] },
  parent: pulumi.Resource,
): docker.Container {
  return new docker.Container(`${logicalName}-seed`, { ...seedContainer(args.spec), volumes: seedVolumes(args.volumes), uploads: args.uploads }, { parent, deleteBeforeReplace: true });
}

/** Creates the container's volumes, its upload seed and the container; all are children of `parent`. */
export function createWorkloadContainer(logicalName: string, args: WorkloadContainerArgs, parent: pulumi.Resource): docker.Container {
  const { spec } = args;
  const networkResource = (networkName: string) => {
    const network = args.networks[networkName];
    if (!network) throw new Error(`container ${spec.name}: network ${networkName} is not part of this platform`);
    return network;
  };
  const volumes = spec.volumes.map((volume) => {
    const resource = new docker.Volume(
      `${logicalName}-tls`,
      {
        name: volume.volumeName,
        driver: "local",
        labels: spec.labels.filter((l) => l.label === PLATFORM_LABEL.stack || l.label === PLATFORM_LABEL.role),
      },
      { parent },
    );
    return { ...volume, volumeName: resource.name };
  });
  const seed = args.uploads.length > 0 ? createUploadSeed(logicalName, { spec, volumes, uploads: args.uploads }, parent) : undefined;
  return new docker.Container(
    logicalName,
    {
      ...spec,
      networksAdvanced: spec.networksAdvanced.map((attachment) => ({ ...attachment, name: networkResource(attachment.name).name })),
      volumes,
    },
    { parent, deleteBeforeReplace: true, dependsOn: seed ? [seed] : [] },
  );
}
