// A vendor's SBOM file → components: bounded read, UTF-8, JSON, which format, then the format's reader.
// Whatever makes the file unusable as a whole is an UnusableInputError saying what to fix.
import { createHash } from "node:crypto";
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { UnusableInputError } from "../model";
import { CYCLONEDX_VERSIONS, readCycloneDx } from "./cyclonedx";
import { describeJsonError } from "./json-position";
import { DEFAULT_MAX_SBOM_BYTES, type Sbom, type SbomOptions } from "./sbom";
import { readSpdx, SPDX_VERSION } from "./spdx";

export type { Sbom, SbomOptions } from "./sbom";

const EXPECTED = `give a CycloneDX JSON SBOM ("bomFormat": "CycloneDX", "specVersion" ${CYCLONEDX_VERSIONS.join(", ")}) or an SPDX JSON document ("spdxVersion": "${SPDX_VERSION}")`;
const READ_CHUNK = 1024 * 1024;

const bytes = (count: number) => `${count.toLocaleString("en-US")} bytes`;
const tooLarge = (source: string, size: string, maxBytes: number) =>
  new UnusableInputError(source, `is ${size}, larger than the limit of ${bytes(maxBytes)} for an SBOM: check that this is the SBOM file (not an image or an archive), or split it`);

function unreadable(source: string, error: NodeJS.ErrnoException): UnusableInputError {
  switch (error.code) {
    case "ENOENT":
    case "ENOTDIR":
      return new UnusableInputError(source, "does not exist: check the path to the SBOM file");
    case "EACCES":
    case "EPERM":
      return new UnusableInputError(source, "cannot be read (permission denied): make it readable by the user running the check");
    case "EISDIR":
      return new UnusableInputError(source, "is a directory: give the SBOM file itself");
    default:
      return new UnusableInputError(source, `cannot be read: ${error.message}`);
  }
}

/** JSON is UTF-8 (RFC 8259); a UTF-8 byte order mark is dropped, anything else that is not UTF-8 refused. */
function decodeUtf8(source: string, data: Buffer): string {
  if ((data[0] === 0xff && data[1] === 0xfe) || (data[0] === 0xfe && data[1] === 0xff)) {
    throw new UnusableInputError(source, "is UTF-16 text, and an SBOM's JSON must be UTF-8: convert it (e.g. iconv -f UTF-16 -t UTF-8)");
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(data);
  } catch {
    throw new UnusableInputError(source, "is not UTF-8 text (a binary or compressed file?): give the SBOM as a UTF-8 JSON file");
  }
}

/** The file's bytes, read only up to `maxBytes`: its size is checked first, and a pipe or a growing file cannot get past the bound. */
function readBoundedBytes(file: string, maxBytes: number): Buffer {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (error) {
    throw unreadable(file, error as NodeJS.ErrnoException);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw unreadable(file, Object.assign(new Error("is a directory"), { code: "EISDIR" }));
    if (stat.size > maxBytes) throw tooLarge(file, bytes(stat.size), maxBytes);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(READ_CHUNK, maxBytes + 1 - total));
      const read = readSync(fd, chunk, 0, chunk.length, null);
      if (read === 0) break;
      chunks.push(chunk.subarray(0, read));
      total += read;
      if (total > maxBytes) throw tooLarge(file, `more than ${bytes(maxBytes)}`, maxBytes);
    }
    return Buffer.concat(chunks, total);
  } catch (error) {
    if (error instanceof UnusableInputError) throw error;
    throw unreadable(file, error as NodeJS.ErrnoException);
  } finally {
    closeSync(fd);
  }
}

/** What the text looks like when it is not JSON at all, so the vendor knows which export to ask for. */
function notJsonHint(text: string): string {
  const start = text.slice(0, 256).trimStart();
  if (start.startsWith("<")) return "; it looks like XML, and only JSON SBOMs are read: export it as CycloneDX JSON";
  if (/^SPDXVersion:/.test(start)) return "; it looks like SPDX tag-value, and only JSON is read: export it as SPDX 2.3 JSON";
  return "";
}

/** Why a JSON document is neither format, naming what it has instead. */
function notAnSbom(document: unknown): string {
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    return `its top level is ${Array.isArray(document) ? "an array" : document === null ? "null" : `a ${typeof document}`}, not an object`;
  }
  const record = document as Record<string, unknown>;
  if (record.bomFormat !== undefined) return `its "bomFormat" is ${JSON.stringify(record.bomFormat).slice(0, 60)}, not "CycloneDX"`;
  if (typeof record["@context"] === "string" && record["@context"].includes("spdx.org/rdf/3")) return "it looks like SPDX 3 (JSON-LD), which is not read";
  return `it has neither "bomFormat": "CycloneDX" nor "spdxVersion"`;
}

/** An SBOM from its text; `source` names it in every error and problem. */
export function parseSbom(text: string, source: string, options: SbomOptions = {}): Sbom {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_SBOM_BYTES;
  const size = Buffer.byteLength(text, "utf8");
  if (size > maxBytes) throw tooLarge(source, bytes(size), maxBytes);
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch (error) {
    throw new UnusableInputError(source, `is not valid JSON: ${describeJsonError(body, error as Error)}${notJsonHint(body)}`);
  }
  if (typeof document === "object" && document !== null && !Array.isArray(document)) {
    const record = document as Record<string, unknown>;
    if (record.bomFormat === "CycloneDX") return readCycloneDx(record, source, options);
    if ("spdxVersion" in record) return readSpdx(record, source, options);
  }
  throw new UnusableInputError(source, `is not a CycloneDX or SPDX SBOM (${notAnSbom(document)}): ${EXPECTED}`);
}

/** An SBOM file: CycloneDX JSON 1.4–1.6 or SPDX 2.3 JSON, validated against its schema. */
export function readSbom(file: string, options: SbomOptions = {}): Sbom {
  const bytes = readBoundedBytes(file, options.maxBytes ?? DEFAULT_MAX_SBOM_BYTES);
  return { ...parseSbom(decodeUtf8(file, bytes), file, options), sha256: createHash("sha256").update(bytes).digest("hex") };
}
