// THE ONE DIFFERENCE FROM PRODUCTION (docs/sandbox.md): the sandbox mounts the directory holding the
// static probe executable (build/, made by scripts/build-probe.sh) read-only at /opt/platform-probe into
// every app container it creates, so the attack probes run in app images without python3 (busybox,
// distroless). Only the provider mirror adds it, after mapping the declared inputs; the program and its
// Pulumi resources never see it, and a created container reports it (CreatedContainer.sandboxOnly) so
// that comparisons of declared with created settings subtract exactly this and nothing else.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { PLATFORM_LABEL } from "../../plan/names";
import { STATIC_PROBE_DIR } from "../probes/static-runner";
import type { ContainerPlan } from "./container-mapper";

const REPO_BUILD_DIR = join(__dirname, "..", "..", "build");
export const STATIC_PROBE_EXECUTABLE = "platform-probe";

/** build/ when scripts/build-probe.sh has built the executable there, else why not. */
export function builtStaticProbeDir(buildDir = REPO_BUILD_DIR): { dir: string } | { absent: string } {
  if (existsSync(join(buildDir, STATIC_PROBE_EXECUTABLE))) return { dir: buildDir };
  return { absent: `${join(buildDir, STATIC_PROBE_EXECUTABLE)} not built (npm run images or bash scripts/build-probe.sh; needs Go): apps without python3 cannot run the probes` };
}

/** The bind the sandbox adds to an app container. */
export const staticProbeBind = (dir: string) => `${dir}:${STATIC_PROBE_DIR}:ro`;

/**
 * Adds the probe mount to the plan of an app container (label platform.role=app), unless the declared
 * inputs already mount something there. Returns the binds it added (none for any other container).
 */
export function addStaticProbeMount(plan: ContainerPlan, dir: string | undefined): string[] {
  if (!dir || plan.create.Labels?.[PLATFORM_LABEL.role] !== "app") return [];
  const host = (plan.create.HostConfig ??= {});
  const taken = [...(host.Binds ?? []).map((bind) => bind.split(":")[1]), ...(host.Mounts ?? []).map((mount) => mount.Target), ...Object.keys(host.Tmpfs ?? {})];
  if (taken.includes(STATIC_PROBE_DIR)) return [];
  const bind = staticProbeBind(dir);
  host.Binds = [...(host.Binds ?? []), bind];
  return [bind];
}
