// The one answer to "is the Docker engine reachable, is this image present" for the sandbox, the
// tests and the benchmarks, with one wording of the reason when not (a test's skip reason):
//   the Docker engine does not answer (start it: sudo bash scripts/setup-host.sh)
//   image X is not present: run npm run images
// Asynchronous through the Engine API (dockerode) for code that holds a client; synchronous through
// the docker CLI for a suite that must decide to skip before it is declared.
import { spawnSync } from "node:child_process";
import Docker from "dockerode";

const ENGINE_SILENT = "the Docker engine does not answer (start it: sudo bash scripts/setup-host.sh)";
/** how the images built on this host come to be (scripts/build-images.sh) */
const BUILD_IMAGES = "run npm run images";

/** `image X is not present: <how to get it>` (one or more images). */
function imagesAbsent(images: readonly string[], howToGet = BUILD_IMAGES): string {
  return `${images.length > 1 ? "images" : "image"} ${images.join(", ")} ${images.length > 1 ? "are" : "is"} not present: ${howToGet}`;
}

async function answers(request: Promise<unknown>): Promise<boolean> {
  try {
    await request;
    return true;
  } catch {
    return false;
  }
}

function engineReachable(docker: Docker): Promise<boolean> {
  return answers(docker.ping());
}

export function imagePresent(docker: Docker, image: string): Promise<boolean> {
  return answers(docker.getImage(image).inspect());
}

/** Why Docker work cannot run here (engine silent, images absent), or undefined when it can. */
export async function dockerUnavailable(docker: Docker, images: readonly string[] = [], howToGet = BUILD_IMAGES): Promise<string | undefined> {
  if (!(await engineReachable(docker))) return ENGINE_SILENT;
  const present = await Promise.all(images.map((image) => imagePresent(docker, image)));
  const absent = images.filter((_, i) => !present[i]);
  return absent.length ? imagesAbsent(absent, howToGet) : undefined;
}

function dockerCli(args: string[]): { ok: boolean; out: string } {
  const result = spawnSync("docker", args, { encoding: "utf8", timeout: 20_000 });
  return { ok: result.status === 0, out: (result.stdout ?? "").trim() };
}

/** dockerUnavailable, answered synchronously (for `describe(..., { skip })`). */
export function dockerUnavailableSync(images: readonly string[] = [], howToGet = BUILD_IMAGES): string | undefined {
  if (!dockerCli(["info", "--format", "{{.ServerVersion}}"]).ok) return ENGINE_SILENT;
  const absent = images.filter((image) => !dockerCli(["image", "inspect", "--format", "{{.Id}}", image]).ok);
  return absent.length ? imagesAbsent(absent, howToGet) : undefined;
}

export const RUNSC_ABSENT = "runsc is not registered with dockerd (run scripts/setup-host.sh)";

/** Whether gVisor's runsc is registered with dockerd (scripts/setup-host.sh does it). */
export function runscRegistered(): boolean {
  return dockerCli(["info", "--format", "{{json .Runtimes}}"]).out.includes('"runsc"');
}
