// Shared wiring from a plain ContainerSpec to @pulumi/docker resources.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ContainerSpec, FileUpload, PLATFORM_LABEL } from "../render/hardening";

export interface WorkloadContainerArgs {
  spec: ContainerSpec;
  /** Docker network resources by network name, so the container depends on them */
  networks: Record<string, docker.Network>;
  /** TLS material and credentials (see tlsUploads, credentialUpload): credentials are files, never env */
  uploads: FileUpload<pulumi.Input<string>>[];
}

/** Creates the TLS volume and the container; both are children of `parent`. */
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
  return new docker.Container(
    logicalName,
    {
      ...spec,
      networkMode: networkResource(spec.networkMode).name,
      networksAdvanced: spec.networksAdvanced.map((attachment) => ({ ...attachment, name: networkResource(attachment.name).name })),
      volumes,
      uploads: args.uploads,
    },
    { parent, deleteBeforeReplace: true },
  );
}
