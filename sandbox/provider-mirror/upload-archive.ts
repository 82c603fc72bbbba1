// A POSIX ustar archive of upload files, as the provider builds one per upload (tar.Header{Name: file,
// Mode, Size, ModTime}). Written here because tar-stream is only a transitive dependency of dockerode.
import type { UploadFile } from "./container-mapper";

const BLOCK = 512;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, "0") + "\0";
}

function header(name: string, size: number, mode: number, uid: number, gid: number, mtime: number): Buffer {
  const block = Buffer.alloc(BLOCK, 0);
  // Names up to 100 bytes go in `name`; longer paths are split at a "/" into `prefix` (155) + `name`.
  let prefix = "";
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf("/", 155);
    if (cut <= 0 || Buffer.byteLength(name.slice(cut + 1)) > 100) throw new Error(`upload path too long for a tar header: ${name}`);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
  }
  block.write(base, 0, 100, "utf8");
  block.write(octal(mode & 0o7777, 8), 100, "ascii");
  block.write(octal(uid, 8), 108, "ascii");
  block.write(octal(gid, 8), 116, "ascii");
  block.write(octal(size, 12), 124, "ascii");
  block.write(octal(mtime, 12), 136, "ascii");
  block.write("        ", 148, "ascii"); // checksum field counts as spaces while summing
  block.write("0", 156, "ascii"); // regular file
  block.write("ustar\0", 257, "ascii");
  block.write("00", 263, "ascii");
  block.write(prefix, 345, 155, "utf8");
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(octal(sum, 7) + " ", 148, "ascii");
  return block;
}

/** One archive holding `upload`, to be extracted at "/" in the container. */
export function uploadArchive(upload: UploadFile, mtime = Math.floor(Date.now() / 1000)): Buffer {
  const padding = (BLOCK - (upload.content.length % BLOCK)) % BLOCK;
  return Buffer.concat([
    header(upload.file, upload.content.length, upload.mode, upload.uid ?? 0, upload.gid ?? 0, mtime),
    upload.content,
    Buffer.alloc(padding, 0),
    Buffer.alloc(BLOCK * 2, 0), // end of archive
  ]);
}
