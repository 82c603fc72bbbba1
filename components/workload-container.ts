// The one wiring from a rendered ContainerInputs to @pulumi/docker resources, for every container
// the platform runs: its named volumes, the upload seed that fills them, and the container itself.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ContainerInputs, FileUpload, seedContainer, seedVolumes } from "../render/hardening";
import { PLATFORM_LABEL } from "../plan/names";

export interface WorkloadContainerArgs {
  container: ContainerInputs;
  /** Docker network resources by network name, so the container depends on them */
  networks: Record<string, docker.Network>;
  uploads: FileUpload<pulumi.Input<string>>[];
  /** container paths whose named volumes outlive the stack (data the platform must never drop) */
  retainVolumesAt?: string[];
  /** host bind mounts beside the named volumes; never given to the upload seed */
  bindMounts?: { hostPath: string; containerPath: string; readOnly: boolean }[];
  groupAdds?: string[];
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** The volume's purpose, from its Docker name `<container>-<purpose>` (plan/names.ts volumeName). */
function purposeOf(volumeName: string, containerName: string): string {
  return volumeName.startsWith(`${containerName}-`) ? volumeName.slice(containerName.length + 1) : volumeName;
}

/**
 * Creates the container's named volumes, the never-started upload seed that receives `uploads` into
 * them (Docker refuses uploads into a read-only root; see seedContainer), and the container, which
 * starts after its seed. All are children of `parent`; an error names the component.
 */
export function createWorkloadContainer(logicalName: string, args: WorkloadContainerArgs, parent: pulumi.Resource): docker.Container {
  const { container } = args;
  const networkResource = (networkName: string) => {
    const network = args.networks[networkName];
    if (!network) throw new pulumi.ResourceError(`container ${container.name}: network ${networkName} is not part of this platform`, parent);
    return network;
  };
  const labels = container.labels.filter((l) => l.label === PLATFORM_LABEL.stack || l.label === PLATFORM_LABEL.role);
  const volumes = container.volumes.map((volume) => {
    const retain = args.retainVolumesAt?.includes(volume.containerPath) ?? false;
    const resource = new docker.Volume(
      `${logicalName}-${purposeOf(volume.volumeName, container.name)}`,
      { name: volume.volumeName, driver: "local", labels },
      { parent, ...(retain ? { retainOnDelete: true } : {}) },
    );
    return { ...volume, volumeName: resource.name };
  });
  const seed =
    args.uploads.length > 0
      ? new docker.Container(`${logicalName}-seed`, { ...seedContainer(container), volumes: seedVolumes(volumes), uploads: args.uploads }, { parent, deleteBeforeReplace: true })
      : undefined;
  return new docker.Container(
    logicalName,
    {
      ...container,
      networksAdvanced: container.networksAdvanced.map((attachment) => ({ ...attachment, name: networkResource(attachment.name).name })),
      volumes: [...volumes, ...(args.bindMounts ?? [])],
      ...(args.groupAdds ? { groupAdds: args.groupAdds } : {}),
    },
    {
      parent,
      deleteBeforeReplace: true,
      dependsOn: [...(args.dependsOn ?? []), ...(seed ? [seed] : [])],
      // New uploads (a re-rendered envoy.yaml with a rotated key's pin, a changed realm, a renewed
      // certificate) replace the seed; the workload reads them only at start, so it is replaced with it.
      ...(seed ? { replaceWith: [seed] } : {}),
    },
  );
}
