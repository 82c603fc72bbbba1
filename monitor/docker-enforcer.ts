// Enforces bans through the Docker API: the app's container is disconnected from its networks (its
// own app network is its only one, so it loses the gateway and the egress proxy at once), and is
// reconnected with the same IPv4 address and aliases on unban.
import type Docker from "dockerode";
import { EnforcementRecord, NetworkAttachmentRecord } from "./bans";
import { roleFilter } from "./docker-labels";
import { Enforcer } from "./detector";

export class DockerEnforcer implements Enforcer {
  constructor(private readonly docker: Docker, private readonly stack: string) {}

  private async appContainers(app: string): Promise<Docker.ContainerInfo[]> {
    return this.docker.listContainers({ all: true, filters: { label: roleFilter(this.stack, "app", app) } });
  }

  /** Disconnects every container of the app from every network; returns what was disconnected. */
  async ban(app: string): Promise<EnforcementRecord | undefined> {
    const containers = await this.appContainers(app);
    if (containers.length === 0) return undefined;
    const records: EnforcementRecord[] = [];
    for (const info of containers) {
      const container = this.docker.getContainer(info.Id);
      const inspected = await container.inspect();
      const networks: NetworkAttachmentRecord[] = [];
      for (const [name, endpoint] of Object.entries(inspected.NetworkSettings.Networks ?? {})) {
        if (name === "none") continue;
        const shortId = inspected.Id.slice(0, 12);
        networks.push({
          network: name,
          ipv4Address: endpoint.IPAMConfig?.IPv4Address || endpoint.IPAddress || undefined,
          aliases: (endpoint.Aliases ?? []).filter((alias: string) => alias !== shortId),
        });
        await this.docker.getNetwork(endpoint.NetworkID ?? name).disconnect({ Container: inspected.Id, Force: true });
      }
      records.push({ containerId: inspected.Id, containerName: inspected.Name.replace(/^\//, ""), networks, at: new Date().toISOString() });
    }
    // the container that was still attached is the one whose attachment an unban must restore
    return records.find((record) => record.networks.length > 0) ?? records[0];
  }

  /** Reconnects the app's (possibly recreated) container to the networks recorded at ban time. */
  async unban(app: string, enforcement: EnforcementRecord | undefined): Promise<EnforcementRecord | undefined> {
    if (!enforcement || enforcement.networks.length === 0) return undefined;
    const containers = await this.appContainers(app);
    let restored: EnforcementRecord | undefined;
    for (const info of containers) {
      const inspected = await this.docker.getContainer(info.Id).inspect();
      const attached = new Set(Object.keys(inspected.NetworkSettings.Networks ?? {}));
      const networks: NetworkAttachmentRecord[] = [];
      for (const attachment of enforcement.networks) {
        if (attached.has(attachment.network)) continue;
        await this.docker.getNetwork(attachment.network).connect({
          Container: inspected.Id,
          EndpointConfig: {
            IPAMConfig: attachment.ipv4Address ? { IPv4Address: attachment.ipv4Address } : undefined,
            Aliases: attachment.aliases,
          },
        });
        networks.push(attachment);
      }
      restored ??= { containerId: inspected.Id, containerName: inspected.Name.replace(/^\//, ""), networks, at: new Date().toISOString() };
    }
    return restored;
  }
}
