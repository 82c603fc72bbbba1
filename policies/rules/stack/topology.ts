// The platform's topology as the stack policies see it: containers by role and app, networks by
// kind and app, from the `platform.*` labels (render/hardening.ts, render/networks.ts).
import { CONTAINER_TYPE, NETWORK_TYPE, ResourceView } from "../rule";
import { joinedNetworks, labelsOf, text } from "../read";
import { networkKind } from "../network/labels";

export interface ContainerNode {
  resource: ResourceView;
  role: string | undefined;
  app: string | undefined;
  /** Docker names of the networks it joins */
  networks: string[];
}

export interface NetworkNode {
  resource: ResourceView;
  dockerName: string;
  kind: string | undefined;
  app: string | undefined;
}

export interface Topology {
  containers: ContainerNode[];
  networks: Map<string, NetworkNode>;
  /** containers on each network, by Docker network name */
  members: Map<string, ContainerNode[]>;
}

// Six stack rules read the same topology: build it once per resource list.
const cache = new WeakMap<readonly ResourceView[], Topology>();

export function topology(resources: readonly ResourceView[]): Topology {
  const cached = cache.get(resources);
  if (cached) return cached;
  const built = buildTopology(resources);
  cache.set(resources, built);
  return built;
}

function buildTopology(resources: readonly ResourceView[]): Topology {
  const containers: ContainerNode[] = [];
  const networks = new Map<string, NetworkNode>();
  const members = new Map<string, ContainerNode[]>();
  for (const resource of resources) {
    if (resource.type === NETWORK_TYPE) {
      const dockerName = text(resource.props.name) ?? resource.name;
      networks.set(dockerName, { resource, dockerName, kind: networkKind(resource.props), app: labelsOf(resource.props).get("platform.app") });
    } else if (resource.type === CONTAINER_TYPE) {
      const labels = labelsOf(resource.props);
      const node = { resource, role: labels.get("platform.role"), app: labels.get("platform.app"), networks: joinedNetworks(resource.props) };
      containers.push(node);
      for (const network of node.networks) {
        const list = members.get(network) ?? [];
        list.push(node);
        members.set(network, list);
      }
    }
  }
  return { containers, networks, members };
}

export function describeNetwork(topo: Topology, dockerName: string): string {
  const node = topo.networks.get(dockerName);
  if (!node) return `"${dockerName}" (not declared in this stack)`;
  if (node.kind === "app") return `"${dockerName}" (app network of ${node.app ?? "an unlabelled app"})`;
  return `"${dockerName}" (${node.kind ?? "unlabelled"} network)`;
}
