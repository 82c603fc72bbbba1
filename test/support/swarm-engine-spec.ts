// The Engine API bodies @pulumi/docker 5.2.0 sends for the renderer's Swarm shapes (its provider maps
// ServiceArgs field by field onto swarm.ServiceSpec), so tests can create what the wiring would create
// on a real cluster without the Pulumi engine.
import type { OverlayNetworkInputs, SwarmFileRef, SwarmServiceInputs } from "../../render/swarm/types";

const labelMap = (labels: { label: string; value: string }[]) => Object.fromEntries(labels.map((l) => [l.label, l.value]));

/** "15s", "250ms", "1m" → nanoseconds, as the provider parses durations. */
export function durationNs(text: string): number {
  const match = /^(\d+)(ns|us|ms|s|m|h)$/.exec(text);
  if (!match) throw new Error(`duration ${JSON.stringify(text)} is not <n>(ns|us|ms|s|m|h)`);
  const unit = { ns: 1, us: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 }[match[2]]!;
  return Number(match[1]) * unit;
}

export function engineNetworkSpec(network: OverlayNetworkInputs): Record<string, unknown> {
  return {
    Name: network.name,
    Driver: network.driver,
    Internal: network.internal,
    Attachable: network.attachable,
    CheckDuplicate: true,
    IPAM: { Driver: "default", Config: network.ipamConfigs.map((c) => ({ Subnet: c.subnet, Gateway: c.gateway })) },
    Options: network.options,
    Labels: labelMap(network.labels),
  };
}

export interface CreatedFile {
  ref: SwarmFileRef;
  id: string;
  name: string;
}

export function engineServiceSpec(service: SwarmServiceInputs, networkIds: Record<string, string>, files: CreatedFile[]): Record<string, unknown> {
  const { containerSpec: c, resources, restartPolicy, placement, networksAdvanceds, logDriver } = service.taskSpec;
  const file = (f: CreatedFile) => ({ Name: f.ref.fileName, UID: f.ref.fileUid, GID: f.ref.fileGid, Mode: f.ref.fileMode });
  const policy = (p: SwarmServiceInputs["updateConfig"] | SwarmServiceInputs["rollbackConfig"]) => ({
    Parallelism: p.parallelism,
    Delay: durationNs(p.delay),
    FailureAction: p.failureAction,
    Monitor: durationNs(p.monitor),
    MaxFailureRatio: Number(p.maxFailureRatio),
    Order: p.order,
  });
  return {
    Name: service.name,
    Labels: labelMap(service.labels),
    TaskTemplate: {
      ContainerSpec: {
        Image: c.image,
        Hostname: c.hostname,
        User: c.user,
        ...(c.commands ? { Command: c.commands } : {}),
        ...(c.args ? { Args: c.args } : {}),
        Env: Object.entries(c.env).map(([k, v]) => `${k}=${v}`),
        Labels: labelMap(c.labels),
        CapabilityDrop: c.capDrops,
        CapabilityAdd: c.capAdds,
        ReadOnly: c.readOnly,
        Mounts: c.mounts.map((m) => ({
          Type: m.type,
          Target: m.target,
          ...(m.source ? { Source: m.source } : {}),
          ...(m.readOnly !== undefined ? { ReadOnly: m.readOnly } : {}),
          ...(m.tmpfsOptions ? { TmpfsOptions: { SizeBytes: m.tmpfsOptions.sizeBytes, Mode: m.tmpfsOptions.mode } } : {}),
        })),
        Healthcheck: {
          Test: c.healthcheck.tests,
          Interval: durationNs(c.healthcheck.interval),
          Timeout: durationNs(c.healthcheck.timeout),
          Retries: c.healthcheck.retries,
          StartPeriod: durationNs(c.healthcheck.startPeriod),
        },
        Secrets: files.filter((f) => f.ref.kind === "secret").map((f) => ({ File: file(f), SecretID: f.id, SecretName: f.name })),
        Configs: files.filter((f) => f.ref.kind === "config").map((f) => ({ File: file(f), ConfigID: f.id, ConfigName: f.name })),
      },
      Resources: { Limits: { MemoryBytes: resources.limits.memoryBytes, NanoCPUs: resources.limits.nanoCpus } },
      RestartPolicy: { Condition: restartPolicy.condition, MaxAttempts: restartPolicy.maxAttempts, Delay: durationNs(restartPolicy.delay) },
      Placement: {
        Constraints: placement.constraints,
        Preferences: placement.prefs.map((p) => ({ Spread: { SpreadDescriptor: p.replace(/^spread=/, "") } })),
      },
      Networks: networksAdvanceds.map((n) => {
        const id = networkIds[n.name];
        if (!id) throw new Error(`service ${service.name}: network ${n.name} was not created`);
        return { Target: id, Aliases: n.aliases };
      }),
      LogDriver: { Name: logDriver.name, Options: logDriver.options },
    },
    Mode: { Replicated: { Replicas: service.mode.replicated.replicas } },
    UpdateConfig: policy(service.updateConfig),
    RollbackConfig: policy(service.rollbackConfig),
    EndpointSpec: { Mode: service.endpointSpec.mode },
  };
}
