import { z } from "zod";
import { CONTAINER_TYPE, resourceRule } from "../rule";
import { hostMounts, isWithin, labelsOf, normalizeHostPath, show, PACK_LABEL } from "../read";

export const DEFAULT_SOCKET_PATHS = ["/var/run/docker.sock", "/run/docker.sock", "/run/containerd/containerd.sock", "/var/run/containerd/containerd.sock", "/run/podman/podman.sock", "/var/run/crio/crio.sock"];

export const dockerSocket = resourceRule({
  id: "cis-5.32-docker-socket",
  resourceType: CONTAINER_TYPE,
  description: "The Docker (or any container engine) socket is not mounted into containers.",
  severity: "critical",
  cis: "5.32",
  remediation: "Remove the bind mount: whoever holds the engine socket is root on the host.",
  enforcementLevel: "mandatory",
  settings: {
    /** container-engine control sockets on the host */
    socketPaths: z.array(z.string()).default(DEFAULT_SOCKET_PATHS),
    /**
     * `platform.role` values allowed to hold the socket. Empty by default: deploying the security
     * monitor as a container (platform:monitor.enabled) is an explicit decision made here, ["monitor"].
     */
    exemptRoles: z.array(z.string()).default([]),
  },
  check({ props }, config, report) {
    const role = labelsOf(props).get(PACK_LABEL.role);
    if (role !== undefined && config.exemptRoles.includes(role)) return;
    const sockets = config.socketPaths.map(normalizeHostPath);
    for (const mount of hostMounts(props)) {
      // Mounting a directory above the socket exposes it just the same.
      const socket = sockets.find((s) => isWithin(s, mount.normalized));
      if (socket) {
        const how = socket === mount.normalized ? "the container engine socket" : `exposes the container engine socket ${socket}`;
        report({ field: mount.field, found: `is ${show(mount.hostPath)} (${how})`, fix: "remove the bind mount" });
      }
    }
  },
});
