// docker.Network inputs (@pulumi/docker 5.2) → the Engine API NetworkCreate body, as the provider
// (kreuzwerker resourceDockerNetworkCreate) builds it.
import type Docker from "dockerode";
import { asString, asStringMap, isSet, labelMap, rejectUnhandled, SandboxInputError } from "./input-error";

const HANDLED = new Set(["name", "driver", "internal", "attachable", "ingress", "ipv6", "ipamDriver", "ipamConfigs", "ipamOptions", "options", "labels"]);
const IPAM_CONFIG_FIELDS = new Set(["subnet", "gateway", "ipRange", "auxAddress"]);

export function toNetworkCreate(resource: string, inputs: Record<string, any>, extraLabels: Record<string, string>): Docker.NetworkCreateOptions {
  rejectUnhandled(resource, inputs, HANDLED);
  if (!isSet(inputs.name)) throw new SandboxInputError(resource, "name", "the sandbox needs an explicit network name");
  const body: Docker.NetworkCreateOptions = { Name: asString(resource, "name", inputs.name), CheckDuplicate: true };
  body.Labels = { ...labelMap(resource, "labels", inputs.labels), ...extraLabels };
  if (isSet(inputs.driver)) body.Driver = asString(resource, "driver", inputs.driver);
  if (isSet(inputs.options)) body.Options = asStringMap(resource, "options", inputs.options);
  if (isSet(inputs.internal)) body.Internal = true;
  if (isSet(inputs.attachable)) body.Attachable = true;
  if (isSet(inputs.ingress)) body.Ingress = true;
  if (isSet(inputs.ipv6)) body.EnableIPv6 = true;
  const ipamSet = isSet(inputs.ipamDriver) || isSet(inputs.ipamConfigs) || isSet(inputs.ipamOptions);
  if (ipamSet) {
    body.IPAM = {
      Driver: isSet(inputs.ipamDriver) ? asString(resource, "ipamDriver", inputs.ipamDriver) : "",
      Config: ((inputs.ipamConfigs ?? []) as Record<string, unknown>[]).map((config, i) => {
        const path = `ipamConfigs[${i}]`;
        rejectUnhandled(resource, config, IPAM_CONFIG_FIELDS, `${path}.`);
        const entry: Record<string, any> = {};
        if (isSet(config.subnet)) entry.Subnet = asString(resource, `${path}.subnet`, config.subnet);
        if (isSet(config.ipRange)) entry.IPRange = asString(resource, `${path}.ipRange`, config.ipRange);
        if (isSet(config.gateway)) entry.Gateway = asString(resource, `${path}.gateway`, config.gateway);
        if (isSet(config.auxAddress)) entry.AuxiliaryAddresses = asStringMap(resource, `${path}.auxAddress`, config.auxAddress);
        return entry;
      }),
      ...(isSet(inputs.ipamOptions) ? { Options: asStringMap(resource, "ipamOptions", inputs.ipamOptions) } : {}),
    } as Docker.IPAM;
  }
  return body;
}
