// The monitor as a platform container (when `platform:monitor.enabled`): thin wiring over monitorContainer().
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { PlatformPlan } from "../../spec/plan";
import { KEY_ENV } from "../config";
import { monitorContainer } from "./container";

export interface SecurityMonitorArgs {
  plan: PlatformPlan;
  /** created after these (the proxies whose logs it follows), so it finds them at start */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

export class SecurityMonitor extends pulumi.ComponentResource {
  readonly container: docker.Container;
  readonly containerName: pulumi.Output<string>;
  /** the audit log's HMAC key, for `monitor verify` (secret) */
  readonly auditKey: pulumi.Output<string>;

  constructor(name: string, args: SecurityMonitorArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:monitor:SecurityMonitor", name, {}, opts);
    const { plan } = args;
    const audit = plan.spec.monitor.audit;
    this.auditKey =
      audit.keySource === "config"
        ? pulumi.secret(audit.key!)
        : pulumi.secret(new random.RandomPassword(`${name}-audit-key`, { length: 64, special: false }, { parent: this }).result);
    const { spec, socketPath, socketGroupId, stateVolume } = monitorContainer(plan);
    const volume = new docker.Volume(`${name}-state`, { name: stateVolume, driver: "local", labels: spec.labels.filter((l) => l.label !== "platform.app") }, { parent: this, retainOnDelete: true });
    this.container = new docker.Container(
      `${name}-container`,
      {
        ...spec,
        envs: pulumi.secret(this.auditKey.apply((key) => [...spec.envs, `${KEY_ENV}=${key}`])),
        volumes: [
          { volumeName: volume.name, containerPath: spec.volumes[0].containerPath, readOnly: false },
          // CIS 5.32 exception: following logs and disconnecting banned apps needs the engine API (docs/monitor.md)
          { hostPath: socketPath, containerPath: socketPath, readOnly: false },
        ],
        groupAdds: [String(socketGroupId)],
      },
      { parent: this, dependsOn: args.dependsOn, deleteBeforeReplace: true },
    );
    this.containerName = this.container.name;
    this.registerOutputs({ containerName: this.containerName, auditKey: this.auditKey });
  }
}
