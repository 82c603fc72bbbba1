// Plain-data mirrors of the @pulumi/docker 5.2.0 Swarm argument types (ServiceArgs, NetworkArgs), with
// exactly the fields the platform sets. render/ stays free of @pulumi imports; test/swarm-render.test.ts
// checks at compile time that each shape is assignable to the provider's type.

export interface Label {
  label: string;
  value: string;
}

/** A Docker network by its Docker name: the wiring swaps in the network resource's id. */
export interface SwarmNetworkAttachment {
  name: string;
  aliases: string[];
}

export interface SwarmMount {
  type: "tmpfs" | "volume";
  target: string;
  source?: string;
  readOnly?: boolean;
  tmpfsOptions?: { sizeBytes?: number; mode?: number };
}

/**
 * A file the task gets from a Swarm secret or config, in place of an upload seed. The wiring creates
 * the secret or config from the content and sets `secretId`/`configId`; ownership and mode are those
 * of the engine wiring's upload.
 */
export interface SwarmFileRef {
  kind: "secret" | "config";
  /** what the file holds, e.g. "key", "envoy-config": part of the secret's or config's name */
  purpose: string;
  /** absolute path in the container (Engine 20.10 mounts secrets and configs at absolute targets) */
  fileName: string;
  fileUid: string;
  fileGid: string;
  fileMode: number;
}

export interface SwarmContainerSpec {
  image: string;
  hostname: string;
  user: string;
  /** the image's ENTRYPOINT replaced (Swarm's "command") */
  commands?: string[];
  /** the image's CMD replaced (Swarm's "args") */
  args?: string[];
  env: Record<string, string>;
  labels: Label[];
  capDrops: string[];
  capAdds: string[];
  readOnly: true;
  mounts: SwarmMount[];
  healthcheck: { tests: string[]; interval: string; timeout: string; retries: number; startPeriod: string };
}

export interface SwarmUpdatePolicy {
  order: "start-first" | "stop-first";
  failureAction: "rollback" | "pause";
  parallelism: number;
  delay: string;
  monitor: string;
  maxFailureRatio: string;
}

export interface SwarmServiceInputs {
  name: string;
  labels: Label[];
  mode: { replicated: { replicas: number } };
  taskSpec: {
    containerSpec: SwarmContainerSpec;
    resources: { limits: { memoryBytes: number; nanoCpus: number } };
    restartPolicy: { condition: "any"; maxAttempts: number; delay: string; window: string };
    placement: { constraints: string[]; prefs: string[] };
    networksAdvanceds: SwarmNetworkAttachment[];
    logDriver: { name: "json-file"; options: Record<string, string> };
  };
  updateConfig: SwarmUpdatePolicy;
  rollbackConfig: Omit<SwarmUpdatePolicy, "failureAction"> & { failureAction: "pause" };
  /** DNS round robin: no virtual IP (this kernel has no ip_vs) and no published port */
  endpointSpec: { mode: "dnsrr" };
}

export interface OverlayNetworkInputs {
  name: string;
  driver: "overlay";
  internal: boolean;
  attachable: false;
  ipamConfigs: { subnet: string; gateway: string }[];
  options: Record<string, string>;
  labels: Label[];
}
