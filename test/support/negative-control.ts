// The negative control: a deliberately insecure container placed next to the apps, so the probes
// show they can fail. Root, extra capabilities, no seccomp, host PID namespace, the Docker socket,
// no limits, a foot on the "outside" stand-in's network and one in a victim app's network.
// (Not `privileged`: a privileged container needs every capability, and a dockerd without
// CAP_SYS_RESOURCE, as on this CI machine, cannot start one. The capabilities below cover the probes.)
import { ProviderMirror } from "../../sandbox/provider-mirror/docker-resources";
import { PLATFORM_LABEL } from "../../plan/names";

const NEGATIVE_CONTROL_CAPS = ["NET_ADMIN", "NET_RAW", "SYS_ADMIN", "SYS_MODULE", "SYS_PTRACE"];

export async function createNegativeControl(mirror: ProviderMirror, prefix: string, image: string, outsideNetwork: string, victimNetwork?: string): Promise<{ id: string; name: string }> {
  const created = await mirror.createContainer("negative-control", {
    name: `${prefix}-negative-control`,
    image,
    hostname: "negative-control",
    capabilities: { adds: NEGATIVE_CONTROL_CAPS },
    securityOpts: ["seccomp=unconfined"],
    pidMode: "host",
    volumes: [{ hostPath: "/var/run/docker.sock", containerPath: "/var/run/docker.sock" }],
    networksAdvanced: [{ name: outsideNetwork }, ...(victimNetwork ? [{ name: victimNetwork }] : [])],
    labels: [{ label: PLATFORM_LABEL.role, value: "negative-control" }],
  });
  return { id: created.id, name: created.name };
}
