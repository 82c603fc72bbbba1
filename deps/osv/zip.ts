// Reads the records of an osv.dev `all.zip` one entry at a time, straight from the archive's central
// directory (ZIP64 included, as an export holds more than 65,535 records), inflating with node's zlib.
// fflate does the same job at half the speed on an export's 100,000 small records (its unzipSync), or
// overflows the stack and scans byte by byte (its streaming Unzip); loading must stay within seconds.
// Only what osv.dev and common zip tools write is read: stored or deflated, unencrypted, one disk; every
// entry is checked against its CRC-32.
import { crc32, inflateRawSync } from "node:zlib";

const END_OF_DIRECTORY = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_END_OF_DIRECTORY = 0x06064b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
const MAX_32 = 0xffffffff;

export interface ZipEntryHandler {
  /** whether to unpack the entry; the others are not read */
  wanted(name: string): boolean;
  /** an entry's bytes, or why it could not be unpacked */
  entry(name: string, result: Uint8Array | string): void;
}

interface Directory {
  entries: number;
  offset: number;
  size: number;
}

function u64(data: Buffer, at: number): number {
  return Number(data.readBigUInt64LE(at));
}

/** Where the central directory is, from the end-of-directory record (and its ZIP64 form); a string says why not. */
function findDirectory(data: Buffer): Directory | string {
  // the record is 22 bytes plus a comment of at most 65,535
  const lowest = Math.max(0, data.length - 22 - 0xffff);
  let end = -1;
  for (let at = data.length - 22; at >= lowest; at--) {
    if (data.readUInt32LE(at) === END_OF_DIRECTORY) {
      end = at;
      break;
    }
  }
  if (end < 0) return "is not a zip archive (it has no end-of-directory record)";
  if (data.readUInt16LE(end + 4) !== 0 || data.readUInt16LE(end + 6) !== 0) return "is a multi-part zip archive; join its parts into one";
  const directory: Directory = { entries: data.readUInt16LE(end + 10), size: data.readUInt32LE(end + 12), offset: data.readUInt32LE(end + 16) };
  if (directory.entries === 0xffff || directory.size === MAX_32 || directory.offset === MAX_32) {
    const locator = end - 20;
    if (locator < 0 || data.readUInt32LE(locator) !== ZIP64_LOCATOR) return "is a damaged zip archive (its ZIP64 locator is missing)";
    const record = u64(data, locator + 8);
    if (record + 56 > data.length || data.readUInt32LE(record) !== ZIP64_END_OF_DIRECTORY) return "is a damaged zip archive (its ZIP64 end-of-directory record is missing)";
    directory.entries = u64(data, record + 32);
    directory.size = u64(data, record + 40);
    directory.offset = u64(data, record + 48);
  }
  if (directory.offset + directory.size > data.length) return "is a damaged or truncated zip archive (its central directory lies past its end)";
  return directory;
}

interface Entry {
  name: string;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localHeader: number;
}

/** One central-directory entry at `at` and where the next one starts; a string says what is wrong. */
function readEntry(data: Buffer, at: number): { entry: Entry; next: number } | string {
  if (at + 46 > data.length || data.readUInt32LE(at) !== DIRECTORY_ENTRY) return `its central directory is damaged at byte ${at}`;
  const flags = data.readUInt16LE(at + 8);
  const nameLength = data.readUInt16LE(at + 28);
  const extraLength = data.readUInt16LE(at + 30);
  const next = at + 46 + nameLength + extraLength + data.readUInt16LE(at + 32);
  if (next > data.length) return `its central directory is truncated at byte ${at}`;
  const entry: Entry = {
    // bit 11: UTF-8 names; otherwise CP437, which agrees with latin1 on the ASCII names of records
    name: data.toString(flags & 0x800 ? "utf8" : "latin1", at + 46, at + 46 + nameLength),
    flags,
    method: data.readUInt16LE(at + 10),
    crc: data.readUInt32LE(at + 16),
    compressedSize: data.readUInt32LE(at + 20),
    size: data.readUInt32LE(at + 24),
    localHeader: data.readUInt32LE(at + 42),
  };
  if (entry.size === MAX_32 || entry.compressedSize === MAX_32 || entry.localHeader === MAX_32) {
    // the ZIP64 extra field holds, in this order, only the values that overflowed
    for (let field = at + 46 + nameLength; field + 4 <= at + 46 + nameLength + extraLength; field += 4 + data.readUInt16LE(field + 2)) {
      if (data.readUInt16LE(field) !== 0x0001) continue;
      let value = field + 4;
      if (entry.size === MAX_32) (entry.size = u64(data, value)), (value += 8);
      if (entry.compressedSize === MAX_32) (entry.compressedSize = u64(data, value)), (value += 8);
      if (entry.localHeader === MAX_32) entry.localHeader = u64(data, value);
      break;
    }
  }
  return { entry, next };
}

/** The entry's bytes, or why they cannot be had. */
function unpack(data: Buffer, entry: Entry, maxEntryBytes: number): Uint8Array | string {
  if (entry.flags & 1) return "is encrypted";
  if (entry.size > maxEntryBytes) return `is larger than ${maxEntryBytes} bytes, which no OSV record is`;
  const local = entry.localHeader;
  if (local + 30 > data.length || data.readUInt32LE(local) !== LOCAL_HEADER) return "is damaged (its local header is missing)";
  const start = local + 30 + data.readUInt16LE(local + 26) + data.readUInt16LE(local + 28);
  if (start + entry.compressedSize > data.length) return "is truncated";
  const stored = data.subarray(start, start + entry.compressedSize);
  let bytes: Uint8Array;
  if (entry.method === 0) bytes = stored;
  else if (entry.method !== 8) return `uses compression method ${entry.method}; only stored and deflated entries are read`;
  else {
    try {
      bytes = inflateRawSync(stored, { maxOutputLength: Math.max(1, maxEntryBytes) });
    } catch (error) {
      return `cannot be inflated: ${(error as Error).message}`;
    }
  }
  // a damaged byte in a version bound would still be JSON: the checksum catches it
  return crc32(bytes) === entry.crc ? bytes : "is damaged (its CRC-32 does not match its contents)";
}

/**
 * Hands each wanted entry of a zip archive to `handler`, in the directory's order; returns why the
 * archive as a whole cannot be read (entries already handed over stand), or undefined. Entries larger
 * than `maxEntryBytes` are refused without being unpacked.
 */
export function readZipEntries(bytes: Uint8Array, maxEntryBytes: number, handler: ZipEntryHandler): string | undefined {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (data.length < 22) return "is not a zip archive (it is too short)";
  const directory = findDirectory(data);
  if (typeof directory === "string") return directory;
  let at = directory.offset;
  for (let index = 0; index < directory.entries; index++) {
    const read = readEntry(data, at);
    if (typeof read === "string") return `is a damaged zip archive: ${read} (entry ${index + 1} of ${directory.entries})`;
    at = read.next;
    if (handler.wanted(read.entry.name)) handler.entry(read.entry.name, unpack(data, read.entry, maxEntryBytes));
  }
  return undefined;
}
