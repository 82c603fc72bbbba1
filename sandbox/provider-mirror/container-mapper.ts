// docker.Container inputs (@pulumi/docker 5.2, plain values as a mock's newResource receives them) →
// the Engine API calls the provider makes, in its order (kreuzwerker resourceDockerContainerCreate):
// ContainerCreate with an empty NetworkingConfig; when networksAdvanced is set, disconnect "bridge"
// and NetworkConnect each entry; one CopyToContainer("/") per upload; ContainerStart.
import type Docker from "dockerode";
import { parseCpus } from "./cpus";
import { parseGoDuration } from "./go-duration";
import { asNumber, asString, asStringList, asStringMap, isSet, labelMap, rejectUnhandled, SandboxInputError } from "./input-error";

interface NetworkConnect {
  network: string;
  endpoint: Docker.EndpointSettings & { GwPriority?: number; IPAMConfig?: { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] } };
}

export interface UploadFile {
  /** absolute path in the container (the tar entry name; the archive goes to "/") */
  file: string;
  content: Buffer;
  mode: number;
  uid?: number;
  gid?: number;
}

export interface ContainerPlan {
  name: string;
  create: Docker.ContainerCreateOptions;
  /** empty when networksAdvanced is unset (then the provider leaves the container on networkMode) */
  connects: NetworkConnect[];
  uploads: UploadFile[];
  start: boolean;
  mustRun: boolean;
  /** seconds to wait for "healthy" after start, when `wait` is set */
  waitHealthySeconds?: number;
  destroyGraceSeconds?: number;
  removeVolumes: boolean;
}

const MB = 1024 * 1024;

/** Inputs that only steer Pulumi/the provider around the engine calls. */
const LIFECYCLE = ["start", "mustRun", "wait", "waitTimeout", "destroyGraceSeconds", "removeVolumes", "containerReadRefreshTimeoutMilliseconds", "attach", "logs"];
const HANDLED = new Set([
  ...LIFECYCLE,
  ...["name", "image", "hostname", "domainname", "tty", "stdinOpen", "stopSignal", "stopTimeout", "envs", "command", "entrypoints", "user", "workingDir", "hosts"],
  ...["ulimits", "volumes", "labels", "healthcheck", "privileged", "publishAllPorts", "restart", "maxRetryCount", "runtime", "rm", "readOnly", "logDriver", "logOpts"],
  ...["tmpfs", "capabilities", "dns", "dnsOpts", "dnsSearches", "securityOpts", "memory", "memoryReservation", "memorySwap", "shmSize", "cpus", "cpuPeriod", "cpuQuota"],
  ...["cpuShares", "cpuSet", "networkMode", "usernsMode", "pidMode", "sysctls", "ipcMode", "groupAdds", "cgroupnsMode", "cgroupParent", "init", "storageOpts"],
  ...["networksAdvanced", "uploads"],
]);

export function toContainerPlan(resource: string, inputs: Record<string, any>, extraLabels: Record<string, string>): ContainerPlan {
  rejectUnhandled(resource, inputs, HANDLED);
  for (const flag of ["attach", "logs"]) {
    if (isSet(inputs[flag])) throw new SandboxInputError(resource, flag, "the sandbox does not run containers to completion; remove it");
  }
  const str = (path: string) => asString(resource, path, inputs[path]);
  const num = (path: string) => asNumber(resource, path, inputs[path]);
  const list = (path: string) => asStringList(resource, path, inputs[path]);
  const map = (path: string) => asStringMap(resource, path, inputs[path]);
  const has = (path: string) => isSet(inputs[path]);

  if (!has("name")) throw new SandboxInputError(resource, "name", "the sandbox needs an explicit container name");
  if (!has("image")) throw new SandboxInputError(resource, "image", "required");
  const config: Docker.ContainerCreateOptions = {
    name: str("name"),
    Image: str("image"),
    Hostname: has("hostname") ? str("hostname") : "",
    Domainname: has("domainname") ? str("domainname") : "",
    Tty: inputs.tty === true,
    OpenStdin: inputs.stdinOpen === true,
    StopSignal: has("stopSignal") ? str("stopSignal") : "",
    ...(has("stopTimeout") ? { StopTimeout: num("stopTimeout") } : {}),
  };
  if (has("envs")) config.Env = [...new Set(list("envs"))];
  if (has("command")) {
    config.Cmd = list("command");
    config.Cmd.forEach((arg, i) => {
      if (arg === "") throw new SandboxInputError(resource, `command[${i}]`, "values for command may not be empty");
    });
  }
  if (has("entrypoints")) config.Entrypoint = list("entrypoints");
  if (has("user")) config.User = str("user");
  if (has("workingDir")) config.WorkingDir = str("workingDir");

  const host: Docker.HostConfig = {
    Privileged: inputs.privileged === true,
    PublishAllPorts: inputs.publishAllPorts === true,
    RestartPolicy: { Name: has("restart") ? str("restart") : "no", MaximumRetryCount: has("maxRetryCount") ? num("maxRetryCount") : 0 },
    Runtime: has("runtime") ? str("runtime") : "",
    Mounts: [],
    AutoRemove: inputs.rm === true,
    ReadonlyRootfs: inputs.readOnly === true,
    LogConfig: { Type: has("logDriver") ? str("logDriver") : "", Config: has("logOpts") ? map("logOpts") : {} },
  };
  if (has("hosts")) {
    host.ExtraHosts = (inputs.hosts as Record<string, unknown>[]).map((entry, i) => {
      rejectUnhandled(resource, entry, new Set(["host", "ip"]), `hosts[${i}].`);
      return `${asString(resource, `hosts[${i}].host`, entry.host)}:${asString(resource, `hosts[${i}].ip`, entry.ip)}`;
    });
  }
  if (has("ulimits")) {
    host.Ulimits = (inputs.ulimits as Record<string, unknown>[]).map((entry, i) => {
      rejectUnhandled(resource, entry, new Set(["name", "soft", "hard"]), `ulimits[${i}].`);
      return { Name: asString(resource, `ulimits[${i}].name`, entry.name), Soft: asNumber(resource, `ulimits[${i}].soft`, entry.soft), Hard: asNumber(resource, `ulimits[${i}].hard`, entry.hard) };
    });
  }
  if (has("volumes")) mapVolumes(resource, inputs.volumes, config, host);
  config.Labels = { ...labelMap(resource, "labels", inputs.labels), ...extraLabels };
  if (has("healthcheck")) config.Healthcheck = mapHealthcheck(resource, inputs.healthcheck);
  if (has("tmpfs")) host.Tmpfs = map("tmpfs");
  if (has("capabilities")) {
    const caps = inputs.capabilities as Record<string, unknown>;
    rejectUnhandled(resource, caps, new Set(["adds", "drops"]), "capabilities.");
    host.CapAdd = isSet(caps.adds) ? [...new Set(asStringList(resource, "capabilities.adds", caps.adds))] : [];
    host.CapDrop = isSet(caps.drops) ? [...new Set(asStringList(resource, "capabilities.drops", caps.drops))] : [];
  }
  if (has("dns")) host.Dns = list("dns");
  if (has("dnsOpts")) host.DnsOptions = list("dnsOpts");
  if (has("dnsSearches")) host.DnsSearch = list("dnsSearches");
  if (has("securityOpts")) {
    const options = list("securityOpts");
    // "systempaths=unconfined" is handled client-side: it empties the masked and read-only paths
    if (options.includes("systempaths=unconfined")) {
      host.MaskedPaths = [];
      (host as Record<string, unknown>).ReadonlyPaths = [];
    }
    host.SecurityOpt = options.filter((option) => option !== "systempaths=unconfined");
  }
  if (has("memory")) host.Memory = num("memory") * MB;
  if (has("memoryReservation")) host.MemoryReservation = num("memoryReservation") * MB;
  if (has("memorySwap")) host.MemorySwap = num("memorySwap") > 0 ? num("memorySwap") * MB : num("memorySwap");
  if (has("shmSize")) host.ShmSize = num("shmSize") * MB;
  if (has("cpus")) {
    try {
      host.NanoCpus = parseCpus(str("cpus"));
    } catch (error) {
      throw new SandboxInputError(resource, "cpus", (error as Error).message);
    }
  } else {
    if (has("cpuPeriod")) host.CpuPeriod = num("cpuPeriod");
    if (has("cpuQuota")) host.CpuQuota = num("cpuQuota");
  }
  if (has("cpuShares")) host.CpuShares = num("cpuShares");
  if (has("cpuSet")) host.CpusetCpus = str("cpuSet");
  // the provider's schema default for network_mode is "bridge"
  host.NetworkMode = has("networkMode") ? str("networkMode") : "bridge";
  if (has("usernsMode")) host.UsernsMode = str("usernsMode");
  if (has("pidMode")) host.PidMode = str("pidMode");
  if (has("sysctls")) host.Sysctls = map("sysctls");
  if (has("ipcMode")) host.IpcMode = str("ipcMode");
  if (has("groupAdds")) host.GroupAdd = list("groupAdds");
  if (has("cgroupnsMode")) {
    const mode = str("cgroupnsMode");
    if (mode !== "private" && mode !== "host") throw new SandboxInputError(resource, "cgroupnsMode", "invalid CGROUP mode, must be either 'private', 'host' or empty");
    (host as Record<string, unknown>).CgroupnsMode = mode;
  }
  if (has("cgroupParent")) host.CgroupParent = str("cgroupParent");
  host.Init = inputs.init === true;
  if (has("storageOpts")) host.StorageOpt = map("storageOpts");
  config.HostConfig = host;
  config.NetworkingConfig = {};

  return {
    name: config.name!,
    create: config,
    connects: has("networksAdvanced") ? mapNetworks(resource, inputs.networksAdvanced) : [],
    uploads: has("uploads") ? mapUploads(resource, inputs.uploads) : [],
    start: inputs.start !== false,
    mustRun: inputs.mustRun !== false,
    ...(inputs.wait === true ? { waitHealthySeconds: has("waitTimeout") ? num("waitTimeout") : 60 } : {}),
    ...(has("destroyGraceSeconds") ? { destroyGraceSeconds: num("destroyGraceSeconds") } : {}),
    removeVolumes: inputs.removeVolumes !== false,
  };
}

function mapVolumes(resource: string, value: unknown, config: Docker.ContainerCreateOptions, host: Docker.HostConfig): void {
  const volumes: Record<string, {}> = {};
  const binds: string[] = [];
  const volumesFrom: string[] = [];
  (value as Record<string, unknown>[]).forEach((entry, i) => {
    const path = `volumes[${i}]`;
    rejectUnhandled(resource, entry, new Set(["containerPath", "fromContainer", "hostPath", "readOnly", "selinuxRelabel", "volumeName"]), `${path}.`);
    const text = (key: string) => (isSet(entry[key]) ? asString(resource, `${path}.${key}`, entry[key]) : "");
    const fromContainer = text("fromContainer");
    const containerPath = text("containerPath");
    const source = text("hostPath") || text("volumeName");
    if (!fromContainer && !containerPath) throw new SandboxInputError(resource, path, "volume entry without container path or source container");
    if (fromContainer && containerPath) throw new SandboxInputError(resource, path, "both a container and a path specified in a volume entry");
    if (fromContainer) {
      volumesFrom.push(fromContainer);
      return;
    }
    volumes[containerPath] = {};
    if (source) {
      const relabel = text("selinuxRelabel");
      binds.push(`${source}:${containerPath}:${entry.readOnly === true ? "ro" : "rw"}${relabel ? `,${relabel}` : ""}`);
    }
  });
  if (Object.keys(volumes).length) config.Volumes = volumes;
  if (binds.length) host.Binds = binds;
  if (volumesFrom.length) host.VolumesFrom = volumesFrom;
}

function mapHealthcheck(resource: string, value: Record<string, unknown>): Docker.HealthConfig {
  rejectUnhandled(resource, value, new Set(["tests", "interval", "timeout", "startPeriod", "startInterval", "retries"]), "healthcheck.");
  const duration = (key: string) => {
    const text = isSet(value[key]) ? asString(resource, `healthcheck.${key}`, value[key]) : "0s";
    try {
      return parseGoDuration(text);
    } catch (error) {
      throw new SandboxInputError(resource, `healthcheck.${key}`, (error as Error).message);
    }
  };
  return {
    Test: isSet(value.tests) ? asStringList(resource, "healthcheck.tests", value.tests) : [],
    Interval: duration("interval"),
    Timeout: duration("timeout"),
    StartPeriod: duration("startPeriod"),
    StartInterval: duration("startInterval"),
    Retries: isSet(value.retries) ? asNumber(resource, "healthcheck.retries", value.retries) : 0,
  };
}

function mapNetworks(resource: string, value: unknown): NetworkConnect[] {
  return (value as Record<string, unknown>[]).map((entry, i) => {
    const path = `networksAdvanced[${i}]`;
    rejectUnhandled(resource, entry, new Set(["name", "aliases", "ipv4Address", "ipv6Address", "linkLocalIps", "macAddress", "driverOpts", "gwPriority"]), `${path}.`);
    const endpoint: NetworkConnect["endpoint"] = { IPAMConfig: {} };
    if (isSet(entry.aliases)) endpoint.Aliases = [...new Set(asStringList(resource, `${path}.aliases`, entry.aliases))];
    if (isSet(entry.ipv4Address)) endpoint.IPAMConfig!.IPv4Address = asString(resource, `${path}.ipv4Address`, entry.ipv4Address);
    if (isSet(entry.ipv6Address)) endpoint.IPAMConfig!.IPv6Address = asString(resource, `${path}.ipv6Address`, entry.ipv6Address);
    if (isSet(entry.linkLocalIps)) endpoint.IPAMConfig!.LinkLocalIPs = asStringList(resource, `${path}.linkLocalIps`, entry.linkLocalIps);
    if (isSet(entry.macAddress)) endpoint.MacAddress = asString(resource, `${path}.macAddress`, entry.macAddress);
    if (isSet(entry.driverOpts)) {
      endpoint.DriverOpts = Object.fromEntries(
        asStringList(resource, `${path}.driverOpts`, entry.driverOpts).map((option) => {
          const at = option.indexOf("=");
          if (at < 1) throw new SandboxInputError(resource, `${path}.driverOpts`, `${JSON.stringify(option)} is not key=value`);
          return [option.slice(0, at), option.slice(at + 1)];
        }),
      );
    }
    if (isSet(entry.gwPriority)) endpoint.GwPriority = asNumber(resource, `${path}.gwPriority`, entry.gwPriority);
    return { network: asString(resource, `${path}.name`, entry.name), endpoint };
  });
}

function mapUploads(resource: string, value: unknown): UploadFile[] {
  return (value as Record<string, unknown>[]).map((entry, i) => {
    const path = `uploads[${i}]`;
    rejectUnhandled(resource, entry, new Set(["content", "contentBase64", "executable", "file", "group", "owner", "permissions", "source", "sourceHash"]), `${path}.`);
    const sources = ["content", "contentBase64", "source"].filter((key) => isSet(entry[key]));
    if (sources.length === 0) throw new SandboxInputError(resource, path, "one of 'content', 'content_base64', or 'source' must be set");
    if (sources.length > 1) throw new SandboxInputError(resource, path, "only one of 'content', 'content_base64', or 'source' can be set");
    if (isSet(entry.source)) throw new SandboxInputError(resource, `${path}.source`, "uploads from a file on the deploying host are not reproduced; use content");
    const content = isSet(entry.content)
      ? Buffer.from(asString(resource, `${path}.content`, entry.content), "utf8")
      : Buffer.from(asString(resource, `${path}.contentBase64`, entry.contentBase64), "base64");
    let mode = entry.executable === true ? 0o744 : 0o644;
    if (isSet(entry.permissions)) {
      const text = asString(resource, `${path}.permissions`, entry.permissions);
      if (!/^[0-7]{1,4}$/.test(text)) throw new SandboxInputError(resource, `${path}.permissions`, `${JSON.stringify(text)} is not an octal mode like "0440"`);
      mode = parseInt(text, 8);
    }
    // owner/group: numeric ids only; names would be resolved in the deploying host's user database
    const id = (key: "owner" | "group") => {
      if (!isSet(entry[key])) return undefined;
      const text = asString(resource, `${path}.${key}`, entry[key]);
      if (!/^\d+$/.test(text)) throw new SandboxInputError(resource, `${path}.${key}`, `${JSON.stringify(text)}: use a numeric id (names resolve on the deploying host, which the sandbox does not reproduce)`);
      return Number(text);
    };
    return { file: asString(resource, `${path}.file`, entry.file), content, mode, uid: id("owner"), gid: id("group") };
  });
}
