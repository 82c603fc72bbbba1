// docker.Volume inputs → the Engine API VolumeCreate body (kreuzwerker resourceDockerVolumeCreate).
import type Docker from "dockerode";
import { asString, asStringMap, isSet, labelMap, rejectUnhandled, SandboxInputError } from "./input-error";

const HANDLED = new Set(["name", "driver", "driverOpts", "labels"]);

export function toVolumeCreate(resource: string, inputs: Record<string, any>, extraLabels: Record<string, string>): Docker.VolumeCreateOptions {
  rejectUnhandled(resource, inputs, HANDLED);
  if (!isSet(inputs.name)) throw new SandboxInputError(resource, "name", "the sandbox needs an explicit volume name");
  return {
    Name: asString(resource, "name", inputs.name),
    Labels: { ...labelMap(resource, "labels", inputs.labels), ...extraLabels },
    ...(isSet(inputs.driver) ? { Driver: asString(resource, "driver", inputs.driver) } : {}),
    ...(isSet(inputs.driverOpts) ? { DriverOpts: asStringMap(resource, "driverOpts", inputs.driverOpts) } : {}),
  };
}
