// Maven packages inside Java archives (.jar, .war, .ear): each `META-INF/maven/<group>/<artifact>/pom.properties`
// the build left in it names one (a shaded jar holds several), and the archives bundled one level down
// (`BOOT-INF/lib/*.jar` Spring Boot, `WEB-INF/lib/*.jar` web apps, `lib/*.jar` enterprise apps) are
// read the same way. Unzipped in memory; an archive that does not unzip is a problem, not a crash.
import { unzipSync, type UnzipFileInfo } from "fflate";
import type { Parsed } from "./parsed";

export interface MavenPackage {
  groupId: string;
  artifactId: string;
  version: string;
  /** the bundled archive it was found in (`BOOT-INF/lib/x.jar`), when not in the outer archive itself */
  inner?: string;
}

export interface JavaArchiveLimits {
  /** largest bundled archive read, uncompressed */
  maxInnerBytes: number;
  /** largest pom.properties read */
  maxPropertiesBytes: number;
}

const DEFAULT_LIMITS: JavaArchiveLimits = { maxInnerBytes: 128 * 1024 * 1024, maxPropertiesBytes: 64 * 1024 };

const POM_PROPERTIES = /^META-INF\/maven\/[^/]+\/[^/]+\/pom\.properties$/;
const BUNDLED = /^(?:BOOT-INF\/lib|WEB-INF\/lib|lib)\/[^/]+\.jar$/;
/** compression methods fflate inflates: stored, deflate */
const READABLE_METHODS = new Set([0, 8]);

export function isJavaArchive(path: string): boolean {
  return /[^/]\.(?:jar|war|ear)$/i.test(path);
}

/** `key=value`, `key: value` or `key value` lines of a Java properties file (comments `#`, `!`). */
function readProperties(text: string): Map<string, string> {
  const properties = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith("!")) continue;
    const match = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (match) properties.set(match[1], match[2].trim());
  }
  return properties;
}

export function parseJavaArchive(bytes: Uint8Array, path: string, limits: Partial<JavaArchiveLimits> = {}): Parsed<MavenPackage> {
  const result: Parsed<MavenPackage> = { packages: [], problems: [] };
  readArchive(bytes, path, undefined, { ...DEFAULT_LIMITS, ...limits }, result);
  return result;
}

function readArchive(bytes: Uint8Array, path: string, inner: string | undefined, limits: JavaArchiveLimits, result: Parsed<MavenPackage>): void {
  const at = inner ? `${path}!/${inner}` : path;
  const skipped: string[] = [];
  const bundled: string[] = [];
  const readable = (file: UnzipFileInfo, max: number): boolean => {
    if (!READABLE_METHODS.has(file.compression)) skipped.push(`${file.name} is compressed with method ${file.compression} (only stored and deflate are read)`);
    else if (file.originalSize > max) skipped.push(`${file.name} is ${file.originalSize} bytes uncompressed, more than the ${max} read`);
    else return true;
    return false;
  };
  let files: Record<string, Uint8Array>;
  try {
    // the pom.properties now; the bundled archives later, one at a time, so only one is in memory at once
    files = unzipSync(bytes, {
      filter: (file) => {
        if (inner === undefined && BUNDLED.test(file.name) && readable(file, limits.maxInnerBytes)) bundled.push(file.name);
        return POM_PROPERTIES.test(file.name) && readable(file, limits.maxPropertiesBytes);
      },
    });
  } catch (error) {
    result.problems.push({ at, problem: `not a readable zip archive (${(error as Error).message}): the packages in it are not checked` });
    return;
  }
  for (const entry of skipped) result.problems.push({ at, problem: `${entry}: the packages in it are not checked` });
  let found = 0;
  for (const name of Object.keys(files).sort()) {
    const properties = readProperties(new TextDecoder().decode(files[name]));
    const [groupId, artifactId, version] = ["groupId", "artifactId", "version"].map((key) => properties.get(key));
    if (!groupId || !artifactId || !version) {
      const missing = [groupId ? "" : "groupId", artifactId ? "" : "artifactId", version ? "" : "version"].filter(Boolean).join(", ");
      result.problems.push({ at: `${at}!/${name}`, problem: `pom.properties has no ${missing}: this Maven package is not checked` });
      continue;
    }
    result.packages.push({ groupId, artifactId, version, ...(inner ? { inner } : {}) });
    found++;
  }
  if (found === 0 && bundled.length === 0 && skipped.length === 0) {
    result.problems.push({ at, problem: "no Maven coordinates in it (no META-INF/maven/<group>/<artifact>/pom.properties): it is not checked" });
  }
  for (const name of bundled.sort()) {
    let inside: Uint8Array | undefined;
    try {
      inside = unzipSync(bytes, { filter: (file) => file.name === name })[name];
    } catch (error) {
      result.problems.push({ at: `${path}!/${name}`, problem: `could not be unzipped from ${path} (${(error as Error).message}): the packages in it are not checked` });
      continue;
    }
    if (inside) readArchive(inside, path, name, limits, result);
  }
}
