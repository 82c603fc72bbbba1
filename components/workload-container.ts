// Shared wiring from a plain ContainerSpec to @pulumi/docker resources.
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { ContainerSpec, FileUpload, PLATFORM_LABEL } from "../render/hardening";

export interface WorkloadContainerArgs {
  spec: ContainerSpec;
  /** Docker network resources by network name, so the container depends on them */
  networks: Record<string, docker.Network>;
  uploads: FileUpload<pulumi.Input<string>>[];
  /** values that must stay secret (e.g. OAuth2 client secret); they make the env list secret */
  secretEnv?: Record<string, pulumi.Input<string>>;
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
  const secretEntries = Object.entries(args.secretEnv ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const envs: pulumi.Input<pulumi.Input<string>[]> =
    secretEntries.length === 0
      ? spec.envs
      : pulumi.secret(pulumi.all(secretEntries.map(([, value]) => value)).apply((values) => [...spec.envs, ...secretEntries.map(([key], i) => `${key}=${values[i]}`)]));
  return new docker.Container(
    logicalName,
    {
      ...spec,
      envs,
      networkMode: networkResource(spec.networkMode).name,
      networksAdvanced: spec.networksAdvanced.map((attachment) => ({ ...attachment, name: networkResource(attachment.name).name })),
      volumes,
      uploads: args.uploads,
    },
    { parent, deleteBeforeReplace: true },
  );
}
