// The packages an image really holds, read through the Docker Engine API without running anything from
// it: a container is created from the image (never started, no network), its flattened filesystem is
// streamed out (`docker export`), the package databases and manifests in it are parsed, and the
// container is removed again, whatever happened. The whole read is bounded in time.
import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import type Docker from "dockerode";
import type { DistributionHint } from "../ecosystems";
import { UnusableInputError, type Component, type InputProblem } from "../model";
import { TooManyEntriesError, readExport } from "./export-reader";
import { DEFAULT_MAX_BYTES, type FileKind } from "./image-files";
import { PackageCollector } from "./package-collector";

export interface ImageInventory {
  image: string;
  imageId: string;
  distribution?: DistributionHint;
  /** one per package found, with the file it was found in (the same package at two paths is two components) */
  components: Component[];
  problems: InputProblem[];
  filesRead: number;
  bytesRead: number;
}

export interface InventoryOptions {
  /** the whole read, from inspecting the image to removing the container; default 5 minutes */
  timeoutMs?: number;
  /** largest file of each kind read (a larger one is a problem); defaults in DEFAULT_MAX_BYTES */
  maxFileBytes?: Partial<Record<FileKind, number>>;
  /** largest archive bundled inside a Java archive read; default 128 MiB */
  maxInnerArchiveBytes?: number;
  /** filesystem entries read at most; default 5,000,000 */
  maxEntries?: number;
}

/** Every container the inventory creates carries this label (its value: one inventory run), so leftovers can be found. */
export const INVENTORY_LABEL = "platform.deps-inventory";
export const INVENTORY_IMAGE_LABEL = "platform.deps-inventory.image";

const DEFAULT_TIMEOUT_MS = 5 * 60_000;
const DEFAULT_MAX_ENTRIES = 5_000_000;
/** time the removal of the container may take, after the read (also after a timeout) */
const REMOVAL_TIMEOUT_MS = 30_000;

class InventoryTimeout extends Error {}

function statusCode(error: unknown): number | undefined {
  return (error as { statusCode?: number }).statusCode;
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new InventoryTimeout(message)), ms);
  });
  return Promise.race([promise, expiry]).finally(() => clearTimeout(timer));
}

async function inspectImage(docker: Docker, image: string): Promise<string> {
  try {
    return (await docker.getImage(image).inspect()).Id;
  } catch (error) {
    if (statusCode(error) === 404) {
      throw new UnusableInputError(image, `the image is not present in the local Docker engine: pull it (docker pull ${image}) or build it (docker build -t ${image} <context>), then check it again`);
    }
    throw new UnusableInputError(image, `the Docker engine did not answer (${(error as Error).message}): start dockerd, or set DOCKER_HOST to one that runs`);
  }
}

/** Removes the containers of one inventory run (normally one; found by label in case creation was cut short). */
async function removeRunContainers(docker: Docker, runLabel: string, known: Docker.Container | undefined): Promise<void> {
  const listed = await docker.listContainers({ all: true, filters: { label: [runLabel] } });
  const ids = new Set(listed.map((c) => c.Id));
  if (known) ids.add(known.id);
  for (const id of ids) {
    try {
      await docker.getContainer(id).remove({ force: true, v: true });
    } catch (error) {
      if (statusCode(error) !== 404) throw error;
    }
  }
}

export async function inventoryImage(docker: Docker, image: string, options: InventoryOptions = {}): Promise<ImageInventory> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const runId = `${process.pid}-${randomUUID()}`;
  const runLabel = `${INVENTORY_LABEL}=${runId}`;
  const abort = new AbortController();
  const timeoutMessage = `image ${image}: reading its packages took longer than ${timeoutMs / 1000} s (raise timeoutMs for a large image)`;
  let creating: Promise<Docker.Container> | undefined;
  let exported: Readable | undefined;
  let outcome: { ok: true; value: ImageInventory } | { ok: false; error: unknown };

  const read = async (): Promise<ImageInventory> => {
    const imageId = await inspectImage(docker, image);
    // after a timeout this function may still be running: it must not create a container nobody removes
    abort.signal.throwIfAborted();
    // not aborted with the rest: a creation cut short can still complete in the engine, so after a
    // timeout the cleanup waits for it to settle and removes what it made
    creating = docker.createContainer({
      Image: imageId,
      // never started: an entrypoint only so that images without ENTRYPOINT or CMD can be created
      Entrypoint: ["/bin/true"],
      Cmd: [],
      NetworkDisabled: true,
      Labels: { [INVENTORY_LABEL]: runId, [INVENTORY_IMAGE_LABEL]: image },
      HostConfig: { NetworkMode: "none" },
    });
    const container = await creating;
    exported = (await container.export({ abortSignal: abort.signal })) as Readable;
    if (abort.signal.aborted) exported.destroy();
    const collector = new PackageCollector(options.maxInnerArchiveBytes ? { maxInnerBytes: options.maxInnerArchiveBytes } : {});
    const stats = await readExport(exported, collector, {
      maxBytes: { ...DEFAULT_MAX_BYTES, ...options.maxFileBytes },
      maxEntries: options.maxEntries ?? DEFAULT_MAX_ENTRIES,
    });
    const { distribution, components, problems } = collector.finish(image);
    return { image, imageId, ...(distribution ? { distribution } : {}), components, problems, filesRead: stats.filesRead, bytesRead: stats.bytesRead };
  };

  try {
    outcome = { ok: true, value: await withTimeout(read(), timeoutMs, timeoutMessage) };
  } catch (error) {
    abort.abort();
    exported?.destroy();
    outcome = { ok: false, error: error instanceof TooManyEntriesError ? new UnusableInputError(image, error.message) : error };
  }
  // nothing to remove when no container was ever asked for (the image was absent, the engine silent)
  if (creating) try {
    const cleanup = async () => removeRunContainers(docker, runLabel, await creating?.catch(() => undefined));
    await withTimeout(cleanup(), REMOVAL_TIMEOUT_MS, `the removal took longer than ${REMOVAL_TIMEOUT_MS / 1000} s`);
  } catch (error) {
    const leftover = `the container created to read image ${image} could not be removed (${(error as Error).message}): remove it with docker rm -f $(docker ps -aq -f label=${runLabel})`;
    // the read's own error matters more; the leftover is still named
    if (outcome.ok) throw new Error(leftover);
    (outcome.error as Error).message += `; and ${leftover}`;
  }
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}
