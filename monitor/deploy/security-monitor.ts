// The monitor as a platform container (when `platform:monitor.enabled`): thin wiring over monitorContainer().
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { PlatformPlan } from "../../spec/plan";
import { credentialUpload } from "../../render/hardening";
import { createUploadSeed } from "../../components/workload-container";
import { AUDIT_KEY_FILE, MONITOR_UID, monitorContainer } from "./container";

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
    const state = new docker.Volume(`${name}-state`, { name: stateVolume, driver: "local", labels: spec.labels.filter((l) => l.label !== "platform.app") }, { parent: this, retainOnDelete: true });
    const credentials = new docker.Volume(`${name}-tls`, { name: spec.volumes[0].volumeName, driver: "local", labels: spec.labels.filter((l) => l.label !== "platform.app") }, { parent: this });
    const volumes = [
      { volumeName: credentials.name, containerPath: spec.volumes[0].containerPath, readOnly: true },
      { volumeName: state.name, containerPath: spec.volumes[1].containerPath, readOnly: false },
    ];
    const seed = createUploadSeed(`${name}-container`, { spec, volumes, uploads: [credentialUpload(AUDIT_KEY_FILE, this.auditKey, MONITOR_UID)] }, this);
    this.container = new docker.Container(
      `${name}-container`,
      {
        ...spec,
        volumes: [
          ...volumes,
          // CIS 5.32 exception: following logs and disconnecting banned apps needs the engine API (docs/monitor.md)
          { hostPath: socketPath, containerPath: socketPath, readOnly: false },
        ],
        groupAdds: [String(socketGroupId)],
      },
      { parent: this, dependsOn: [...(args.dependsOn ?? []), seed], deleteBeforeReplace: true },
    );
    this.containerName = this.container.name;
    this.registerOutputs({ containerName: this.containerName, auditKey: this.auditKey });
  }
}
