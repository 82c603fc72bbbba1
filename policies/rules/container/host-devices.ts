import { CONTAINER_TYPE, resourceRule } from "../rule";
import { list, show } from "../read";

export const hostDevices = resourceRule({
  id: "cis-5.18-host-devices",
  resourceType: CONTAINER_TYPE,
  description: "Host devices are not exposed to containers (no devices, no deviceCgroupRules).",
  severity: "high",
  cis: "5.18",
  remediation: "Remove devices and deviceCgroupRules; a third-party app never needs raw host devices.",
  enforcementLevel: "mandatory",
  check({ props }, _config, report) {
    list(props.devices).forEach((device, i) => {
      report({ field: `devices[${i}].hostPath`, found: `is ${show(device?.hostPath)} (a host device is exposed)`, fix: "remove the device" });
    });
    list(props.deviceCgroupRules).forEach((rule, i) => {
      report({ field: `deviceCgroupRules[${i}]`, found: `is ${show(rule)} (grants access to host device nodes)`, fix: "remove the rule" });
    });
  },
});
