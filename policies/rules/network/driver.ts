import { NETWORK_TYPE, ResourceRule } from "../rule";
import { show, text } from "../read";

export interface DriverConfig {
  allowedDrivers: string[];
}

export const networkDriver: ResourceRule<DriverConfig> = {
  kind: "resource",
  id: "network-driver",
  resourceType: NETWORK_TYPE,
  description: "Networks use the bridge driver: host, macvlan and ipvlan put containers on the host's own segment.",
  severity: "high",
  remediation: "Remove driver or set it to \"bridge\".",
  enforcementLevel: "mandatory",
  defaults: { allowedDrivers: ["bridge"] },
  configSchema: { properties: { allowedDrivers: { type: "array", items: { type: "string" }, default: ["bridge"] } } },
  check({ props }, config, report) {
    const driver = text(props.driver);
    if (driver !== undefined && driver !== "" && !config.allowedDrivers.includes(driver)) {
      report({ field: "driver", found: `is ${show(driver)}, not an allowed driver (${config.allowedDrivers.join(", ")})`, fix: "remove driver or set it to \"bridge\"" });
    }
  },
};
