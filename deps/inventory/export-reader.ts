// Reads an image's flattened filesystem, as `docker export` streams it (a tar), and hands the files the
// inventory wants to the collector: each kind up to its size limit (a larger one is skipped and said
// so), everything else drained unread. Bounded in entries; the caller bounds it in time by destroying
// the stream.
import type { Readable } from "node:stream";
import { pipeline } from "node:stream";
import * as tar from "tar-stream";
import { fileKind, imagePath, type FileKind } from "./image-files";
import type { PackageCollector } from "./package-collector";

export interface ExportReadOptions {
  maxBytes: Record<FileKind, number>;
  /** tar entries read at most (files, directories, links) before giving up */
  maxEntries: number;
}

export interface ExportReadStats {
  entries: number;
  filesRead: number;
  bytesRead: number;
}

export class TooManyEntriesError extends Error {}

export async function readExport(source: Readable, collector: PackageCollector, options: ExportReadOptions): Promise<ExportReadStats> {
  const stats: ExportReadStats = { entries: 0, filesRead: 0, bytesRead: 0 };
  const extract = tar.extract();
  // an error of the source (a broken connection, a timeout) ends the iteration below with that error
  pipeline(source, extract, () => {});
  for await (const entry of extract) {
    if (++stats.entries > options.maxEntries) {
      source.destroy();
      throw new TooManyEntriesError(`the image's filesystem has more than ${options.maxEntries} entries (raise maxEntries to read it all)`);
    }
    const { header } = entry;
    const path = imagePath(header.name);
    const kind = fileKind(path);
    if (!kind) {
      entry.resume();
      continue;
    }
    if (header.type === "symlink" || header.type === "link") {
      collector.addLink(path, kind, header.linkname ?? "", header.type === "link");
      entry.resume();
      continue;
    }
    if (header.type !== "file" && header.type !== "contiguous-file") {
      entry.resume();
      continue;
    }
    const size = header.size ?? 0;
    if (size > options.maxBytes[kind]) {
      collector.addProblem({ at: path, problem: `${size} bytes, more than the ${options.maxBytes[kind]} read for a ${kind} file: not read, so the packages in it are not checked (raise maxFileBytes["${kind}"] to read it)` });
      entry.resume();
      continue;
    }
    const chunks: Buffer[] = [];
    let length = 0;
    for await (const chunk of entry as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      length += chunk.length;
    }
    collector.addFile(path, kind, Buffer.concat(chunks, length));
    stats.filesRead++;
    stats.bytesRead += length;
  }
  return stats;
}
