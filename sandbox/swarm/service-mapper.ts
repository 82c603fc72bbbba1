// docker.Service inputs (@pulumi/docker 5.2, plain values as a mock's newResource receives them) → the
// Engine API ServiceSpec the provider sends (kreuzwerker createServiceSpec), for exactly the fields the
// platform's Swarm wiring sets; any other set input is refused by name. Resource ids of networks,
// secrets and configs are the mock run's: `ids` maps them to the objects created in the swarm.
import { parseGoDuration } from "../provider-mirror/go-duration";
import { asNumber, asString, asStringList, asStringMap, isSet, labelMap, rejectUnhandled, SandboxInputError } from "../provider-mirror/input-error";

/** ServiceSpec as the Engine API (1.41) takes it; only the parts the mapper fills. */
export type ServiceSpec = Record<string, any> & { Name: string; Labels: Record<string, string>; TaskTemplate: Record<string, any> };

const TOP = new Set(["name", "labels", "mode", "taskSpec", "updateConfig", "rollbackConfig", "endpointSpec"]);
const TASK = new Set(["containerSpec", "resources", "restartPolicy", "placement", "networksAdvanceds", "logDriver"]);
const CONTAINER = new Set(["image", "hostname", "user", "commands", "args", "env", "labels", "capAdds", "capDrops", "readOnly", "mounts", "healthcheck", "secrets", "configs"]);
const MOUNT = new Set(["type", "target", "source", "readOnly", "tmpfsOptions"]);
const FILE_REF = new Set(["fileName", "fileUid", "fileGid", "fileMode"]);
const POLICY = new Set(["parallelism", "delay", "failureAction", "monitor", "maxFailureRatio", "order"]);

/** Mock ids of networks, secrets and configs → the ids the swarm gave the created objects. */
export type CreatedIds = ReadonlyMap<string, string>;

function resolve(resource: string, path: string, ids: CreatedIds, mockId: unknown): string {
  const id = ids.get(asString(resource, path, mockId));
  if (!id) throw new SandboxInputError(resource, path, `refers to ${JSON.stringify(mockId)}, which the sandbox has not created (create networks, secrets and configs before services)`);
  return id;
}

const duration = (resource: string, path: string, value: unknown) => {
  try {
    return parseGoDuration(asString(resource, path, value));
  } catch (error) {
    throw new SandboxInputError(resource, path, (error as Error).message);
  }
};

function updatePolicy(resource: string, path: string, value: Record<string, unknown>) {
  rejectUnhandled(resource, value, POLICY, `${path}.`);
  return {
    Parallelism: asNumber(resource, `${path}.parallelism`, value.parallelism ?? 1),
    Delay: duration(resource, `${path}.delay`, value.delay ?? "0s"),
    FailureAction: asString(resource, `${path}.failureAction`, value.failureAction ?? "pause"),
    Monitor: duration(resource, `${path}.monitor`, value.monitor ?? "5s"),
    MaxFailureRatio: Number(asString(resource, `${path}.maxFailureRatio`, value.maxFailureRatio ?? "0.0")),
    Order: asString(resource, `${path}.order`, value.order ?? "stop-first"),
  };
}

function fileTarget(resource: string, path: string, ref: Record<string, unknown>) {
  return {
    Name: asString(resource, `${path}.fileName`, ref.fileName),
    UID: asString(resource, `${path}.fileUid`, ref.fileUid ?? "0"),
    GID: asString(resource, `${path}.fileGid`, ref.fileGid ?? "0"),
    Mode: asNumber(resource, `${path}.fileMode`, ref.fileMode ?? 0o444),
  };
}

function mount(resource: string, path: string, value: Record<string, any>) {
  rejectUnhandled(resource, value, MOUNT, `${path}.`);
  const type = asString(resource, `${path}.type`, value.type);
  if (type !== "tmpfs" && type !== "volume") throw new SandboxInputError(resource, `${path}.type`, `${type} mounts are not reproduced (only tmpfs and volume)`);
  const tmpfs = value.tmpfsOptions as Record<string, unknown> | undefined;
  if (tmpfs) rejectUnhandled(resource, tmpfs, new Set(["sizeBytes", "mode"]), `${path}.tmpfsOptions.`);
  return {
    Type: type,
    Target: asString(resource, `${path}.target`, value.target),
    ...(isSet(value.source) ? { Source: asString(resource, `${path}.source`, value.source) } : {}),
    ...(isSet(value.readOnly) ? { ReadOnly: true } : {}),
    ...(tmpfs ? { TmpfsOptions: { ...(isSet(tmpfs.sizeBytes) ? { SizeBytes: asNumber(resource, `${path}.tmpfsOptions.sizeBytes`, tmpfs.sizeBytes) } : {}), ...(isSet(tmpfs.mode) ? { Mode: asNumber(resource, `${path}.tmpfsOptions.mode`, tmpfs.mode) } : {}) } } : {}),
  };
}

export function toServiceSpec(resource: string, inputs: Record<string, any>, ids: CreatedIds, extraLabels: Record<string, string>): ServiceSpec {
  rejectUnhandled(resource, inputs, TOP);
  const task = (inputs.taskSpec ?? {}) as Record<string, any>;
  rejectUnhandled(resource, task, TASK, "taskSpec.");
  const c = (task.containerSpec ?? {}) as Record<string, any>;
  rejectUnhandled(resource, c, CONTAINER, "taskSpec.containerSpec.");
  const at = (field: string) => `taskSpec.containerSpec.${field}`;
  const refs = (kind: "secrets" | "configs") =>
    ((c[kind] ?? []) as Record<string, unknown>[]).map((ref, i) => {
      const path = at(`${kind}[${i}]`);
      const idKey = kind === "secrets" ? "secretId" : "configId";
      const nameKey = kind === "secrets" ? "secretName" : "configName";
      rejectUnhandled(resource, ref, new Set([...FILE_REF, idKey, nameKey]), `${path}.`);
      const id = resolve(resource, `${path}.${idKey}`, ids, ref[idKey]);
      return kind === "secrets"
        ? { File: fileTarget(resource, path, ref), SecretID: id, SecretName: asString(resource, `${path}.${nameKey}`, ref[nameKey]) }
        : { File: fileTarget(resource, path, ref), ConfigID: id, ConfigName: asString(resource, `${path}.${nameKey}`, ref[nameKey]) };
    });
  const health = c.healthcheck as Record<string, unknown> | undefined;
  const limits = task.resources?.limits as Record<string, unknown> | undefined;
  const restart = task.restartPolicy as Record<string, unknown> | undefined;
  const placement = task.placement as Record<string, unknown> | undefined;
  const replicas = inputs.mode?.replicated?.replicas;
  if (inputs.mode && !inputs.mode.replicated) throw new SandboxInputError(resource, "mode", "only replicated services are reproduced");
  if (isSet(inputs.endpointSpec?.ports)) throw new SandboxInputError(resource, "endpointSpec.ports", "published ports are not reproduced");
  return {
    Name: asString(resource, "name", inputs.name),
    Labels: { ...labelMap(resource, "labels", inputs.labels), ...extraLabels },
    TaskTemplate: {
      ContainerSpec: {
        Image: asString(resource, at("image"), c.image),
        ...(isSet(c.hostname) ? { Hostname: asString(resource, at("hostname"), c.hostname) } : {}),
        ...(isSet(c.user) ? { User: asString(resource, at("user"), c.user) } : {}),
        ...(isSet(c.commands) ? { Command: asStringList(resource, at("commands"), c.commands) } : {}),
        ...(isSet(c.args) ? { Args: asStringList(resource, at("args"), c.args) } : {}),
        Env: Object.entries(isSet(c.env) ? asStringMap(resource, at("env"), c.env) : {}).map(([k, v]) => `${k}=${v}`),
        Labels: labelMap(resource, at("labels"), c.labels),
        ...(isSet(c.capDrops) ? { CapabilityDrop: asStringList(resource, at("capDrops"), c.capDrops) } : {}),
        ...(isSet(c.capAdds) ? { CapabilityAdd: asStringList(resource, at("capAdds"), c.capAdds) } : {}),
        ReadOnly: isSet(c.readOnly),
        Mounts: ((c.mounts ?? []) as Record<string, any>[]).map((m, i) => mount(resource, at(`mounts[${i}]`), m)),
        ...(health
          ? {
              Healthcheck: {
                Test: asStringList(resource, at("healthcheck.tests"), health.tests),
                Interval: duration(resource, at("healthcheck.interval"), health.interval ?? "0s"),
                Timeout: duration(resource, at("healthcheck.timeout"), health.timeout ?? "0s"),
                Retries: asNumber(resource, at("healthcheck.retries"), health.retries ?? 0),
                StartPeriod: duration(resource, at("healthcheck.startPeriod"), health.startPeriod ?? "0s"),
              },
            }
          : {}),
        Secrets: refs("secrets"),
        Configs: refs("configs"),
      },
      Resources: { Limits: { ...(isSet(limits?.memoryBytes) ? { MemoryBytes: asNumber(resource, "taskSpec.resources.limits.memoryBytes", limits!.memoryBytes) } : {}), ...(isSet(limits?.nanoCpus) ? { NanoCPUs: asNumber(resource, "taskSpec.resources.limits.nanoCpus", limits!.nanoCpus) } : {}) } },
      ...(restart
        ? {
            RestartPolicy: {
              Condition: asString(resource, "taskSpec.restartPolicy.condition", restart.condition ?? "any"),
              ...(isSet(restart.maxAttempts) ? { MaxAttempts: asNumber(resource, "taskSpec.restartPolicy.maxAttempts", restart.maxAttempts) } : {}),
              ...(isSet(restart.delay) ? { Delay: duration(resource, "taskSpec.restartPolicy.delay", restart.delay) } : {}),
              ...(isSet(restart.window) ? { Window: duration(resource, "taskSpec.restartPolicy.window", restart.window) } : {}),
            },
          }
        : {}),
      Placement: {
        Constraints: isSet(placement?.constraints) ? asStringList(resource, "taskSpec.placement.constraints", placement!.constraints) : [],
        // the provider's "spread=<descriptor>" form
        Preferences: (isSet(placement?.prefs) ? asStringList(resource, "taskSpec.placement.prefs", placement!.prefs) : []).map((p) => ({ Spread: { SpreadDescriptor: p.replace(/^spread=/, "") } })),
      },
      Networks: ((task.networksAdvanceds ?? []) as Record<string, unknown>[]).map((n, i) => {
        rejectUnhandled(resource, n, new Set(["id", "name", "aliases"]), `taskSpec.networksAdvanceds[${i}].`);
        return { Target: resolve(resource, `taskSpec.networksAdvanceds[${i}].id`, ids, n.id ?? n.name), Aliases: isSet(n.aliases) ? asStringList(resource, `taskSpec.networksAdvanceds[${i}].aliases`, n.aliases) : [] };
      }),
      ...(task.logDriver ? { LogDriver: { Name: asString(resource, "taskSpec.logDriver.name", task.logDriver.name), Options: isSet(task.logDriver.options) ? asStringMap(resource, "taskSpec.logDriver.options", task.logDriver.options) : {} } } : {}),
    },
    Mode: { Replicated: { Replicas: replicas === undefined ? 1 : asNumber(resource, "mode.replicated.replicas", replicas) } },
    ...(inputs.updateConfig ? { UpdateConfig: updatePolicy(resource, "updateConfig", inputs.updateConfig) } : {}),
    ...(inputs.rollbackConfig ? { RollbackConfig: updatePolicy(resource, "rollbackConfig", inputs.rollbackConfig) } : {}),
    EndpointSpec: { Mode: asString(resource, "endpointSpec.mode", inputs.endpointSpec?.mode ?? "vip") },
  };
}
