// The platform's Swarm topology as the stack rules see it: services by role and app, overlay networks
// by kind and app (the same platform.* labels as the engine's, policies/rules/stack/topology.ts), and
// which services join which network. A service names a network by the network resource's id
// (components/swarm/service.ts); the renderer's plain shape, and Docker itself, also take its name.
import { NETWORK_TYPE, ResourceView, SECRET_TYPE, SERVICE_CONFIG_TYPE, SERVICE_TYPE } from "../rule";
import { labelsOf, list, PACK_LABEL, show, text } from "../read";
import { networkKind } from "../network/labels";
import { containerSpecOf, serviceApp, serviceAttachments, serviceRole, SPEC } from "../swarm-read";

export interface ServiceNode {
  resource: ResourceView;
  role: string | undefined;
  app: string | undefined;
  /** one per attachment: the network's key (its Docker name), or the reference as written when no network of the stack matches */
  joins: { index: number; network: string }[];
}

interface NetworkNode {
  resource: ResourceView;
  /** the Docker name: the key of `networks` and `members` */
  dockerName: string;
  kind: string | undefined;
  app: string | undefined;
}

export interface SwarmTopology {
  services: ServiceNode[];
  networks: Map<string, NetworkNode>;
  /** services on each network, by the network's Docker name */
  members: Map<string, ServiceNode[]>;
}

const cache = new WeakMap<readonly ResourceView[], SwarmTopology>();

export function swarmTopology(resources: readonly ResourceView[]): SwarmTopology {
  let built = cache.get(resources);
  if (!built) {
    built = build(resources);
    cache.set(resources, built);
  }
  return built;
}

function build(resources: readonly ResourceView[]): SwarmTopology {
  const networks = new Map<string, NetworkNode>();
  const byRef = new Map<string, NetworkNode>();
  const byUrn = new Map<string, NetworkNode>();
  for (const resource of resources) {
    if (resource.type !== NETWORK_TYPE) continue;
    const dockerName = text(resource.props.name) ?? resource.name;
    const node = { resource, dockerName, kind: networkKind(resource.props), app: labelsOf(resource.props).get(PACK_LABEL.app) };
    networks.set(dockerName, node);
    byRef.set(dockerName, node);
    byUrn.set(resource.urn, node);
    const id = resource.id;
    if (id) byRef.set(id, node);
  }
  const services: ServiceNode[] = [];
  const members = new Map<string, ServiceNode[]>();
  for (const resource of resources) {
    if (resource.type !== SERVICE_TYPE) continue;
    const attachments = serviceAttachments(resource.props);
    const joins = attachments.map((a) => ({ index: a.index, network: byRef.get(a.ref)?.dockerName }));
    // Without ids (CrossGuard's stack view): the networks the service depends on stand in for the
    // unmatched references when their numbers agree; the set is what the rules judge, not the order.
    const unmatched = joins.filter((j) => j.network === undefined);
    if (unmatched.length > 0 && resource.dependencies) {
      const matched = new Set(joins.map((j) => j.network));
      const candidates = [...new Set(resource.dependencies)].map((urn) => byUrn.get(urn)).filter((n): n is NetworkNode => n !== undefined && !matched.has(n.dockerName));
      if (candidates.length === unmatched.length) unmatched.forEach((j, i) => (j.network = candidates[i].dockerName));
    }
    const node: ServiceNode = {
      resource,
      role: serviceRole(resource.props),
      app: serviceApp(resource.props),
      joins: joins.map((j, i) => ({ index: j.index, network: j.network ?? attachments[i].ref })),
    };
    services.push(node);
    for (const network of new Set(node.joins.map((j) => j.network))) {
      const list = members.get(network) ?? [];
      list.push(node);
      members.set(network, list);
    }
  }
  return { services, networks, members };
}

export function describeSwarmNetwork(topo: SwarmTopology, key: string): string {
  const node = topo.networks.get(key);
  if (!node) return `${show(key)} (no network of this stack has that id or name)`;
  if (node.kind === "app") return `"${key}" (app network of ${node.app ?? "an unlabelled app"})`;
  return `"${key}" (${node.kind ?? "unlabelled"} network)`;
}

/** The attachment of `service` to `network`, as a violation field. */
export function attachmentField(service: ServiceNode, network: string): string {
  const join = service.joins.find((j) => j.network === network);
  return join ? `taskSpec.networksAdvanceds[${join.index}]` : "taskSpec.networksAdvanceds";
}

/** A service's env map (`taskSpec.containerSpec.env`), string values only. */
export function serviceEnv(service: ServiceNode): Map<string, string> {
  const env = containerSpecOf(service.resource.props).env;
  if (typeof env !== "object" || env === null || Array.isArray(env)) return new Map();
  return new Map(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === "string"));
}

export interface MountedFile {
  kind: "secret" | "config";
  /** e.g. `taskSpec.containerSpec.secrets[1]` */
  field: string;
  fileName: string;
  /** the secret's or config's id and name as the service names them */
  id: string | undefined;
  name: string | undefined;
}

/** The files a service's tasks get from Swarm secrets and configs. */
export function mountedFiles(service: ServiceNode): MountedFile[] {
  const spec = containerSpecOf(service.resource.props);
  const files = (kind: "secret" | "config", key: "secrets" | "configs") =>
    list(spec[key]).flatMap((entry, i) => {
      const fileName = text(entry?.fileName);
      return fileName ? [{ kind, field: `${SPEC}.${key}[${i}]`, fileName, id: text(entry?.[`${kind}Id`]), name: text(entry?.[`${kind}Name`]) }] : [];
    });
  return [...files("secret", "secrets"), ...files("config", "configs")];
}

/** The Secret or ServiceConfig resource a mounted file comes from: by id where known, else by Docker name. */
export function swarmObjectOf(resources: readonly ResourceView[], file: MountedFile): ResourceView | undefined {
  const type = file.kind === "secret" ? SECRET_TYPE : SERVICE_CONFIG_TYPE;
  return resources.find((r) => r.type === type && ((file.id !== undefined && r.id === file.id) || (file.name !== undefined && text(r.props.name) === file.name)));
}

/** A secret's or config's data as text (the provider takes it base64-encoded). */
export function decodedData(object: ResourceView): string | undefined {
  const data = text(object.props.data);
  return data === undefined ? undefined : Buffer.from(data, "base64").toString("utf8");
}
