// Synchronous checks of what the sandbox needs on this host, so tests can decide to skip (with the
// exact reason) before they start.
import { spawnSync } from "node:child_process";

function docker(args: string[]): { ok: boolean; out: string } {
  const result = spawnSync("docker", args, { encoding: "utf8", timeout: 20_000 });
  return { ok: result.status === 0, out: (result.stdout ?? "").trim() };
}

/** Why the sandbox cannot run here, or undefined when it can. */
export function dockerMissing(images: string[] = []): string | undefined {
  if (!docker(["info", "--format", "{{.ServerVersion}}"]).ok) return "no Docker engine answers (run scripts/setup-host.sh)";
  const absent = images.filter((image) => !docker(["image", "inspect", "--format", "{{.Id}}", image]).ok);
  if (absent.length) return `image${absent.length > 1 ? "s" : ""} ${absent.join(", ")} not present (run scripts/build-images.sh)`;
  return undefined;
}

export function runscRegistered(): boolean {
  return docker(["info", "--format", "{{json .Runtimes}}"]).out.includes('"runsc"');
}
