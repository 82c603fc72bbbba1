// The monitor as a platform container (when `platform:monitor.enabled`): thin wiring over monitorContainer().
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { PlatformPlan } from "../plan/plan";
import { credentialUpload } from "../render/hardening";
import { createWorkloadContainer } from "./workload-container";
import { AUDIT_KEY_FILE, MONITOR_STATE_DIR, monitorContainer } from "../render/monitor/container";
import { INFRA_UID } from "../plan/names";

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
    const audit = plan.config.monitor.audit;
    this.auditKey =
      audit.keySource === "config"
        ? pulumi.secret(audit.key!)
        : // the monitor takes hex keys only; hex-encoding the generated password keeps its bytes, so logs
          // written with the earlier raw form keep verifying
          pulumi.secret(new random.RandomPassword(`${name}-audit-key`, { length: 64, special: false }, { parent: this }).result.apply((password) => Buffer.from(password, "utf8").toString("hex")));
    const { spec, socketPath, socketGroupId } = monitorContainer(plan);
    this.container = createWorkloadContainer(
      `${name}-container`,
      {
        container: spec,
        networks: {},
        uploads: [credentialUpload(AUDIT_KEY_FILE, this.auditKey, INFRA_UID.monitor)],
        retainVolumesAt: [MONITOR_STATE_DIR],
        // CIS 5.32 exception: following logs and disconnecting banned apps needs the engine API (docs/monitor.md)
        bindMounts: [{ hostPath: socketPath, containerPath: socketPath, readOnly: false }],
        groupAdds: [String(socketGroupId)],
        dependsOn: args.dependsOn,
      },
      this,
    );
    this.containerName = this.container.name;
    this.registerOutputs({ containerName: this.containerName, auditKey: this.auditKey });
  }
}
