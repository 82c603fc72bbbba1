// Envoy's admin /stats, read inside the gateway container: the admin interface listens on the gateway's
// loopback only, and the image ships bash (its healthcheck uses the same /dev/tcp route).
import type Docker from "dockerode";
import { execIn } from "./exec";

/** Counters whose names match `filter` (Envoy's regex), by full name. Throws when the admin does not answer 200. */
export async function envoyAdminStats(container: Docker.Container, adminPort: number, filter: string): Promise<Record<string, number>> {
  const script = `exec 3<>/dev/tcp/127.0.0.1/${adminPort} && printf 'GET /stats?filter=%s HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nConnection: close\\r\\n\\r\\n' "$1" >&3 && cat <&3`;
  const result = await execIn(container, ["bash", "-c", script, "stats", encodeURIComponent(filter)], { timeoutMs: 10_000 });
  if (result.exitCode !== 0 || !/^HTTP\/1\.1 200/.test(result.stdout)) {
    throw new Error(`admin /stats: exit ${result.exitCode} ${result.stdout.slice(0, 200)} ${result.stderr.slice(0, 200)}`.replace(/\s+/g, " ").trim());
  }
  return Object.fromEntries([...result.stdout.matchAll(/^([\w.-]+): (\d+)\r?$/gm)].map((m) => [m[1], Number(m[2])]));
}
