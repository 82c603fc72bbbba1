import { z } from "zod";
import { resourceRule, SERVICE_TYPE } from "../rule";
import { show } from "../read";
import { DEFAULT_SOCKET_PATHS } from "../container/docker-socket";
import { isWithin, normalizeHostPath, serviceBindMounts, serviceRole } from "../swarm-read";

export const serviceDockerSocket = resourceRule({
  id: "cis-5.32-service-docker-socket",
  resourceType: SERVICE_TYPE,
  description: "No Swarm service bind-mounts a container engine socket: on a manager node it is root on every node of the cluster.",
  severity: "critical",
  cis: "5.32",
  remediation: "Remove the bind mount of the engine socket (or of a directory above it).",
  enforcementLevel: "mandatory",
  settings: {
    /** container-engine control sockets on the host */
    socketPaths: z.array(z.string()).default(DEFAULT_SOCKET_PATHS),
    /** `platform.role` values allowed to hold the socket (none by default) */
    exemptRoles: z.array(z.string()).default([]),
  },
  check({ props }, config, report) {
    const role = serviceRole(props);
    if (role !== undefined && config.exemptRoles.includes(role)) return;
    const sockets = config.socketPaths.map(normalizeHostPath);
    for (const mount of serviceBindMounts(props)) {
      const socket = sockets.find((s) => isWithin(s, mount.normalized));
      if (!socket) continue;
      const how = socket === mount.normalized ? "the container engine socket" : `exposes the container engine socket ${socket}`;
      report({ field: mount.field, found: `is ${show(mount.hostPath)} (${how})`, fix: "remove the bind mount" });
    }
  },
});
