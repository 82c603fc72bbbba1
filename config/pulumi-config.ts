// Reads the `platform:*` stack config through the Pulumi runtime.
import * as pulumi from "@pulumi/pulumi";
import { LoadedConfig, parsePlatformConfig, rawConfigFromFlatMap } from "./load";

/** Validates the whole stack config before any resource exists; logs the explicit opt-outs. */
export function loadStackConfig(): LoadedConfig {
  const loaded = parsePlatformConfig(rawConfigFromFlatMap(pulumi.runtime.allConfig()), `config of stack ${pulumi.getStack()}`);
  for (const warning of loaded.warnings) pulumi.log.warn(warning);
  return loaded;
}
