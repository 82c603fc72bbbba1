// The platform's topology as the stack policies see it: containers by role and app, networks by
// kind and app, from the `platform.*` labels (render/hardening.ts, render/networks.ts).
import { CONTAINER_TYPE, NETWORK_TYPE, ResourceView } from "../rule";
import { joinedNetworks, labelsOf, list, text, PACK_LABEL } from "../read";
import { networkKind } from "../network/labels";
import type { Report } from "../topology-checks/workload";

export interface ContainerNode {
  resource: ResourceView;
  role: string | undefined;
  app: string | undefined;
  /** Docker names of the networks it joins */
  networks: string[];
}

interface NetworkNode {
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
      networks.set(dockerName, { resource, dockerName, kind: networkKind(resource.props), app: labelsOf(resource.props).get(PACK_LABEL.app) });
    } else if (resource.type === CONTAINER_TYPE) {
      const labels = labelsOf(resource.props);
      const node = { resource, role: labels.get(PACK_LABEL.role), app: labels.get(PACK_LABEL.app), networks: joinedNetworks(resource.props) };
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

interface VolumeMount {
  volumeName: string;
  /** without a trailing slash */
  containerPath: string;
}

// Read only by the rules that follow uploads, so an unknown volume name at preview does not stop
// the network rules that share the topology.
const volumeCache = new WeakMap<ContainerNode, VolumeMount[]>();

/** The named volumes a container mounts (`volumes[].volumeName`; bind mounts are not volumes). */
function volumesOf(node: ContainerNode): VolumeMount[] {
  let volumes = volumeCache.get(node);
  if (volumes === undefined) {
    volumes = namedVolumes(node.resource.props);
    volumeCache.set(node, volumes);
  }
  return volumes;
}

function namedVolumes(props: Record<string, any>): VolumeMount[] {
  return list(props.volumes).flatMap((volume) => {
    const volumeName = text(volume?.volumeName);
    const containerPath = text(volume?.containerPath);
    return volumeName && containerPath ? [{ volumeName, containerPath: trimSlash(containerPath) }] : [];
  });
}

function trimSlash(path: string): string {
  return path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path;
}

/**
 * The upload seeds of a workload (render/hardening.ts seedContainer): containers labelled
 * platform.role=seed with the workload's platform.app (or none, for a workload without one) that
 * mount at least one named volume at the same path as the workload.
 */
export function seedsOf(topo: Topology, workload: ContainerNode): ContainerNode[] {
  const mounts = volumesOf(workload);
  return (seedIndex(topo).get(workload.app) ?? []).filter((seed) => volumesOf(seed).some((v) => mounts.some((w) => w.volumeName === v.volumeName && w.containerPath === v.containerPath)));
}

// Seeds by platform.app, built once per topology, so a stack with thousands of apps stays linear.
const seedIndexes = new WeakMap<Topology, Map<string | undefined, ContainerNode[]>>();
function seedIndex(topo: Topology): Map<string | undefined, ContainerNode[]> {
  let index = seedIndexes.get(topo);
  if (index === undefined) {
    index = new Map();
    for (const c of topo.containers) {
      if (c.role !== "seed") continue;
      const seeds = index.get(c.app);
      if (seeds) seeds.push(c);
      else index.set(c.app, [c]);
    }
    seedIndexes.set(topo, index);
  }
  return index;
}

export interface DeliveredUpload {
  seed: ContainerNode;
  /** index in the seed's `uploads` */
  index: number;
  upload: any;
}

/**
 * `uploads` entries of the workload's seeds that land where the workload will see them: the file lies
 * in a named volume the seed mounts, and the workload mounts that same volume at the same path.
 * Files a seed writes into its own (writable, never mounted) root filesystem are not delivered.
 */
export function deliveredUploads(topo: Topology, workload: ContainerNode, file?: string): DeliveredUpload[] {
  const delivered: DeliveredUpload[] = [];
  for (const seed of seedsOf(topo, workload)) {
    list(seed.resource.props.uploads).forEach((upload, index) => {
      const path = text(upload?.file);
      if (!path || (file !== undefined && path !== file)) return;
      // the innermost mount holding the file decides which volume it lands in
      const mount = volumesOf(seed).filter((v) => path.startsWith(`${v.containerPath}/`)).sort((a, b) => b.containerPath.length - a.containerPath.length)[0];
      if (mount && volumesOf(workload).some((w) => w.volumeName === mount.volumeName && w.containerPath === mount.containerPath)) delivered.push({ seed, index, upload });
    });
  }
  return delivered;
}

/** Files named `file` in the `uploads` of any seed of the workload, delivered or not (for messages). */
function seedUploadsNamed(topo: Topology, workload: ContainerNode, file: string): DeliveredUpload[] {
  return seedsOf(topo, workload).flatMap((seed) => list(seed.resource.props.uploads).flatMap((upload, index) => (text(upload?.file) === file ? [{ seed, index, upload }] : [])));
}

/** A container's `envs` as a map (entries that are not strings or have no `=` are ignored). */
export function envOf(container: ContainerNode): Map<string, string> {
  const env = new Map<string, string>();
  for (const entry of list(container.resource.props.envs)) {
    if (typeof entry !== "string") continue;
    const eq = entry.indexOf("=");
    if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return env;
}

/** `"a-seed"` or `"a-seed", "b-seed"`. */
function quoteNames(containers: ContainerNode[]): string {
  return containers.map((c) => `"${c.resource.name}"`).join(", ");
}

/** Report subject when a workload's upload seed is missing. */
function missingSeed(workload: ContainerNode): string {
  return `is missing (no container labelled platform.role=seed${workload.app ? `, platform.app=${workload.app}` : ""} mounts a volume of this container at the same path)`;
}

/**
 * Reports what keeps `file` (named by `envName`) from reaching an app container; returns the seed
 * uploads that deliver it (a read-only root refuses uploads, so a file comes through the app's seed).
 */
export type SeedDelivery = (file: string, envName: string, fix: string) => DeliveredUpload[];

/** The delivery check for one app container: a missing seed is reported once, however many files it is asked about. */
export function seedDelivery(topo: Topology, app: ContainerNode, report: Report): SeedDelivery {
  const seeds = seedsOf(topo, app);
  let seedReported = false;
  return (file, envName, fix) => {
    if (seeds.length === 0) {
      if (!seedReported) report({ resource: app.resource, field: "upload seed", found: missingSeed(app), fix });
      seedReported = true;
      return [];
    }
    const delivered = deliveredUploads(topo, app, file);
    if (delivered.length > 0) return delivered;
    const stray = seedUploadsNamed(topo, app, file);
    if (stray.length > 0) {
      for (const { seed, index } of stray) {
        report({ resource: seed.resource, field: `uploads[${index}].file`, found: `is ${file}, which lies in no volume that app ${app.app} mounts at the same path`, fix });
      }
    } else {
      report({ resource: app.resource, field: `uploads of its seed ${quoteNames(seeds)}`, found: `have no file ${file} (named by ${envName})`, fix });
    }
    return [];
  };
}
