// Real vendor images for the admission tests, built locally (no registry), with their manifests, SBOMs
// and OSV databases:
//   platform-test/vendor-go-app:dev          test/fixtures/vendor-apps/go-app: one static Go binary FROM scratch,
//                                            behaving or misbehaving by MODE
//   platform-test/vendor-busybox-app:dev     examples/vendor-app as it is (app.sh on platform/busybox:dev)
//   platform-test/vendor-hidden-package:dev  platform/debian-minbase:bookworm that only sleeps, with an SBOM
//                                            that leaves out one package the image holds
// An image is rebuilt only when the sha256 of its inputs (its label) changes. Versions in SBOMs and
// advisories are read from the images and from `go version`, never written down here.
import { execFile, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { PackageURL } from "packageurl-js";
import { parse, stringify } from "yaml";
import { dockerUnavailableSync } from "../../sandbox/docker-availability";
import { OsvFixture, writeOsvDatabase } from "./deps-fixtures";
import { REPO_ROOT } from "./stack-config";

const run = promisify(execFile);

export const GO_APP_IMAGE = "platform-test/vendor-go-app:dev";
export const BUSYBOX_APP_IMAGE = "platform-test/vendor-busybox-app:dev";
export const HIDDEN_PACKAGE_IMAGE = "platform-test/vendor-hidden-package:dev";
/** the base images the builds start FROM (scripts/build-images.sh makes them) */
export const VENDOR_BASE_IMAGES = ["platform/busybox:dev", "platform/debian-minbase:bookworm"] as const;
/** every image built here carries it (value: which fixture) */
export const VENDOR_IMAGE_LABEL = "platform.test.vendor-image";
/** sha256 of what an image is built from; a match skips the rebuild */
export const INPUTS_HASH_LABEL = "platform.test.inputs-hash";
/** the UID the Go image's USER names */
export const GO_APP_UID = 10001;

const FIXTURES = join(REPO_ROOT, "test", "fixtures", "vendor-apps");
const GO_APP_SOURCES = join(FIXTURES, "go-app");
const HIDDEN_PACKAGE_DOCKERFILE = join(FIXTURES, "hidden-package", "Dockerfile");
const EXAMPLE_APP = join(REPO_ROOT, "examples", "vendor-app");
/** the example's own SBOM: it describes the busybox image as it is */
export const BUSYBOX_SBOM_FILE = join(EXAMPLE_APP, "sbom.cdx.json");

/** The Go toolchain: /usr/local/go (Debian's is too old for the repo's Go code), else `go` on PATH. */
export function goBinary(): string | undefined {
  if (existsSync("/usr/local/go/bin/go")) return "/usr/local/go/bin/go";
  return spawnSync("go", ["version"], { encoding: "utf8" }).status === 0 ? "go" : undefined;
}

const GO_ABSENT = "Go is not installed: put Go 1.22 or later at /usr/local/go/bin/go or on PATH (the Go vendor app is built from source)";

/** Why the vendor images cannot be built here (a test's skip reason), or undefined when they can. */
export function vendorImagesUnavailable({ needGo = true } = {}): string | undefined {
  const docker = dockerUnavailableSync([...VENDOR_BASE_IMAGES]);
  if (docker) return docker;
  return needGo && !goBinary() ? GO_ABSENT : undefined;
}

/** The Go version the app is built with, as OSV and purls write it: "1.26.8" (from `go version`). */
export function goVersion(): string {
  const go = goBinary();
  if (!go) throw new Error(GO_ABSENT);
  const out = spawnSync(go, ["env", "GOVERSION"], { encoding: "utf8", env: goEnv() });
  const match = /^go(\d+\.\d+(?:\.\d+)?)/.exec(out.stdout.trim());
  if (!match) throw new Error(`\`${go} env GOVERSION\` said ${JSON.stringify(out.stdout.trim() || out.stderr.trim())}, not a release like go1.26.8`);
  return match[1];
}

function goEnv(): NodeJS.ProcessEnv {
  // GOTOOLCHAIN=local: never download another Go; a build cache even where HOME is unset
  const cache = process.env.GOCACHE ?? (process.env.HOME || process.env.XDG_CACHE_HOME ? undefined : join(tmpdir(), "platform-test-go-cache"));
  return { ...process.env, CGO_ENABLED: "0", GOTOOLCHAIN: "local", GOFLAGS: "-mod=mod", ...(cache ? { GOCACHE: cache } : {}) };
}

function sha256(parts: readonly (string | Buffer)[]): string {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(createHash("sha256").update(part).digest("hex") + "\n");
  return hash.digest("hex");
}

function filesOf(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => entry.name)
    .sort();
}

async function imageLabel(tag: string, label: string): Promise<string | undefined> {
  try {
    const { stdout } = await run("docker", ["image", "inspect", "--format", `{{index .Config.Labels "${label}"}}`, tag]);
    return stdout.trim();
  } catch {
    return undefined;
  }
}

async function imageId(tag: string): Promise<string> {
  const { stdout } = await run("docker", ["image", "inspect", "--format", "{{.Id}}", tag]);
  return stdout.trim();
}

/** docker build, quietly; its output only when it fails. */
async function dockerBuild(tag: string, fixture: string, hash: string, context: string, extra: string[] = []): Promise<void> {
  const args = ["build", "-q", "--label", `${VENDOR_IMAGE_LABEL}=${fixture}`, "--label", `${INPUTS_HASH_LABEL}=${hash}`, "-t", tag, ...extra, context];
  try {
    await run("docker", args, { timeout: 180_000, maxBuffer: 16 << 20 });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`docker ${args.join(" ")} failed: ${e.stderr || e.stdout || e.message}`);
  }
}

/** Builds `tag` unless its inputs hash label already says `hash`. */
async function buildUnlessCurrent(tag: string, hash: string, build: () => Promise<void>): Promise<string> {
  if ((await imageLabel(tag, INPUTS_HASH_LABEL)) === hash) return tag;
  await build();
  return tag;
}

// Bumped when how the Go image is built changes (flags, layout), so that cached images are rebuilt.
const GO_BUILD_RECIPE = "go build -trimpath -ldflags=-s -w; CGO_ENABLED=0; FROM scratch; v1";

/** The Go vendor app: `go build` (static) into a temp context, then its Dockerfile FROM scratch. */
export async function buildGoVendorImage(): Promise<string> {
  const go = goBinary();
  if (!go) throw new Error(GO_ABSENT);
  const files = filesOf(GO_APP_SOURCES);
  const hash = sha256([GO_BUILD_RECIPE, goVersion(), ...files.flatMap((name) => [name, readFileSync(join(GO_APP_SOURCES, name))])]);
  return buildUnlessCurrent(GO_APP_IMAGE, hash, async () => {
    const context = mkdtempSync(join(tmpdir(), "vendor-go-app-"));
    try {
      await run(go, ["build", "-trimpath", "-ldflags", "-s -w", "-o", join(context, "app"), "."], { cwd: GO_APP_SOURCES, env: goEnv(), timeout: 180_000 }).catch((error) => {
        throw new Error(`building the Go vendor app (${GO_APP_SOURCES}) failed: ${(error as { stderr?: string }).stderr || (error as Error).message}`);
      });
      copyFileSync(join(GO_APP_SOURCES, "Dockerfile"), join(context, "Dockerfile"));
      await dockerBuild(GO_APP_IMAGE, "go-app", hash, context);
    } finally {
      rmSync(context, { recursive: true, force: true });
    }
  });
}

/** The repo's example vendor app (examples/vendor-app: app.sh on platform/busybox:dev), built as it is. */
export async function buildBusyboxVendorImage(): Promise<string> {
  const base = await imageId("platform/busybox:dev");
  const hash = sha256([base, ...filesOf(EXAMPLE_APP).filter((f) => f === "Dockerfile" || f === "app.sh").flatMap((name) => [name, readFileSync(join(EXAMPLE_APP, name))])]);
  return buildUnlessCurrent(BUSYBOX_APP_IMAGE, hash, () => dockerBuild(BUSYBOX_APP_IMAGE, "busybox-app", hash, EXAMPLE_APP));
}

export interface HiddenPackage {
  /** the binary package the SBOM leaves out */
  name: string;
  version: string;
  /** its source package (Debian's advisories are filed under it) and that package's version */
  source: string;
  sourceVersion: string;
}

export interface DpkgEntry {
  name: string;
  version: string;
  architecture: string;
  /** from the Source field; sourceVersion only when dpkg wrote one (it differs from version) */
  source?: string;
  sourceVersion?: string;
}

/** The installed packages of a dpkg status file. */
export function parseDpkgStatus(text: string): DpkgEntry[] {
  const entries: DpkgEntry[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const field = (name: string) => new RegExp(`^${name}: *(.*)$`, "m").exec(stanza)?.[1].trim();
    const name = field("Package");
    const version = field("Version");
    if (!name || !version || !/\binstalled$/.test(field("Status") ?? "")) continue;
    const source = /^(\S+)(?:\s+\(([^)]+)\))?$/.exec(field("Source") ?? "");
    entries.push({
      name,
      version,
      architecture: field("Architecture") ?? "",
      ...(source ? { source: source[1], ...(source[2] ? { sourceVersion: source[2] } : {}) } : {}),
    });
  }
  return entries;
}

/** A file's contents as the image holds it (a throwaway container without network). */
export async function readImageFile(image: string, path: string): Promise<string> {
  const { stdout } = await run("docker", ["run", "--rm", "--network", "none", "--label", `${VENDOR_IMAGE_LABEL}=read-file`, "--entrypoint", "cat", image, path], { maxBuffer: 64 << 20, timeout: 60_000 });
  return stdout;
}

// Preferred packages to hide: each the only binary of its source in the minbase image, so the advisory
// reaches the image through that one package and nothing the SBOM lists. Otherwise the first such package.
const HIDE_PREFERENCE = ["libzstd1", "liblz4-1", "libxxhash0"];

function pickHidden(packages: readonly DpkgEntry[]): HiddenPackage {
  const sourceOf = (p: DpkgEntry) => p.source ?? p.name;
  const binaries = new Map<string, number>();
  for (const p of packages) binaries.set(sourceOf(p), (binaries.get(sourceOf(p)) ?? 0) + 1);
  const alone = packages.filter((p) => binaries.get(sourceOf(p)) === 1 && p.source !== undefined && p.source !== p.name);
  const chosen = HIDE_PREFERENCE.map((name) => alone.find((p) => p.name === name)).find(Boolean) ?? [...alone].sort((a, b) => a.name.localeCompare(b.name))[0];
  if (!chosen) throw new Error(`${HIDDEN_PACKAGE_IMAGE}: no installed package is the only binary of its source package, so none can be hidden alone`);
  return { name: chosen.name, version: chosen.version, source: sourceOf(chosen), sourceVersion: chosen.sourceVersion ?? chosen.version };
}

/** The purl the platform's inventory would give a Debian package (distro and upstream qualifiers). */
function debPurl(p: DpkgEntry, distro: string): string {
  const qualifiers: Record<string, string> = { arch: p.architecture, distro };
  if (p.source) qualifiers.upstream = p.sourceVersion ? `${p.source}@${p.sourceVersion}` : p.source;
  return new PackageURL("deb", "debian", p.name, p.version, qualifiers, undefined).toString();
}

interface SbomComponent {
  name: string;
  version: string;
  purl: string;
}

function cyclonedxSbom(subject: string, description: string, components: readonly SbomComponent[]): object {
  return {
    $schema: "http://cyclonedx.org/schema/bom-1.5.schema.json",
    bomFormat: "CycloneDX",
    specVersion: "1.5",
    version: 1,
    metadata: { component: { type: "application", "bom-ref": subject, name: subject, version: "1.0.0", description } },
    components: components.map((c) => ({ type: "library", "bom-ref": c.purl, name: c.name, version: c.version, purl: c.purl })),
    dependencies: [{ ref: subject, dependsOn: components.map((c) => c.purl) }, ...components.map((c) => ({ ref: c.purl, dependsOn: [] }))],
  };
}

/**
 * The Debian image with a package its SBOM leaves out: builds it, reads /etc/os-release and
 * /var/lib/dpkg/status from it, picks the package to hide and writes the SBOM of everything else to
 * `dir` (a new temp dir when not given; the caller removes it).
 */
export async function buildHiddenPackageImage(dir?: string): Promise<{ image: string; sbomFile: string; hiddenPackage: HiddenPackage; packages: DpkgEntry[] }> {
  const base = await imageId("platform/debian-minbase:bookworm");
  const hash = sha256([base, readFileSync(HIDDEN_PACKAGE_DOCKERFILE)]);
  const image = await buildUnlessCurrent(HIDDEN_PACKAGE_IMAGE, hash, () =>
    dockerBuild(HIDDEN_PACKAGE_IMAGE, "hidden-package", hash, join(FIXTURES, "hidden-package"), ["--build-arg", "BASE=platform/debian-minbase:bookworm"]),
  );
  const osRelease = await readImageFile(image, "/etc/os-release");
  const id = /^ID=(.*)$/m.exec(osRelease)?.[1].replace(/"/g, "");
  const versionId = /^VERSION_ID=(.*)$/m.exec(osRelease)?.[1].replace(/"/g, "");
  if (id !== "debian" || !versionId) throw new Error(`${image}: /etc/os-release names ${id ?? "no ID"} ${versionId ?? ""}, not a Debian release`);
  const packages = parseDpkgStatus(await readImageFile(image, "/var/lib/dpkg/status"));
  const hiddenPackage = pickHidden(packages);
  const listed = packages.filter((p) => p.name !== hiddenPackage.name).map((p) => ({ name: p.name, version: p.version, purl: debPurl(p, `debian-${versionId}`) }));
  const out = dir ?? mkdtempSync(join(tmpdir(), "vendor-hidden-sbom-"));
  mkdirSync(out, { recursive: true });
  const sbomFile = join(out, "hidden-package.cdx.json");
  const description = `${image}: Debian ${versionId} minbase that sleeps; every installed package but one (deliberately)`;
  writeFileSync(sbomFile, JSON.stringify(cyclonedxSbom("vendor-hidden-package", description, listed), null, 2));
  return { image, sbomFile, hiddenPackage, packages };
}

/** The Go image's SBOM: the Go standard library it is built with, pkg:golang/stdlib@<go version>. */
export function writeGoSbom(dir: string): string {
  const version = goVersion();
  const stdlib = { name: "stdlib", version, purl: new PackageURL("golang", undefined, "stdlib", version, undefined, undefined).toString() };
  const file = join(dir, "go-app.cdx.json");
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, JSON.stringify(cyclonedxSbom("vendor-go-app", `${GO_APP_IMAGE}: /app, a static Go ${version} binary, standard library only`, [stdlib]), null, 2));
  return file;
}

/** The id of the one advisory a hidden-package database adds. */
export const HIDDEN_ADVISORY_ID = "DSA-9990-1";
/** high, not critical: 7.5 (network, no privileges, confidentiality only) */
export const HIGH_CVSS = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N";
const CRITICAL_CVSS = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";

/** A Debian version of the same epoch far below `version` (upstream 0.1): "fixed long before" it. */
function longBefore(version: string): string {
  const epoch = /^(\d+):/.exec(version)?.[1];
  return `${epoch ? `${epoch}:` : ""}0.1-1`;
}

/** busybox's source version as the example SBOM gives it (its purl's upstream qualifier, else its version). */
function busyboxSourceVersion(): string {
  const sbom = JSON.parse(readFileSync(BUSYBOX_SBOM_FILE, "utf8")) as { components: { name: string; version: string; purl?: string }[] };
  const busybox = sbom.components.find((c) => c.name.startsWith("busybox"));
  if (!busybox) throw new Error(`${BUSYBOX_SBOM_FILE} lists no busybox component`);
  const upstream = busybox.purl ? PackageURL.fromString(busybox.purl).qualifiers?.upstream : undefined;
  return upstream?.includes("@") ? upstream.slice(upstream.indexOf("@") + 1) : busybox.version;
}

/**
 * Advisories that affect nothing in these images, each severe enough to reject if it did: busybox and
 * the Go standard library fixed long before the versions here, and packages none of them holds.
 */
function cleanAdvisories(): OsvFixture[] {
  return [
    { id: "DSA-9980-1", ecosystem: "Debian:12", name: "busybox", fixed: longBefore(busyboxSourceVersion()), aliases: ["CVE-2099-9980"], cvss: CRITICAL_CVSS },
    { id: "GO-2099-9981", ecosystem: "Go", name: "stdlib", fixed: "1.0.1", aliases: ["CVE-2099-9981"], cvss: CRITICAL_CVSS },
    { id: "DSA-9982-1", ecosystem: "Debian:12", name: "not-in-any-vendor-image", fixed: "1.0-1", cvss: CRITICAL_CVSS },
    { id: "GHSA-9983-9983-9983", ecosystem: "npm", name: "not-in-any-vendor-image", fixed: "1.0.0", cvss: CRITICAL_CVSS },
    { id: "PYSEC-2099-9984", ecosystem: "PyPI", name: "not-in-any-vendor-image", fixed: "1.0.0", cvss: CRITICAL_CVSS },
  ];
}

/**
 * An OSV database directory (osv.dev's layout, `<Ecosystem>/<id>.json`) in `dir`: "clean" affects
 * nothing in these images; { hidden } adds one high advisory on the hidden package's source at its
 * version, fixed just after it.
 */
export function writeVulnDb(dir: string, kind: "clean" | { hidden: HiddenPackage }): string {
  const advisories = cleanAdvisories();
  if (kind !== "clean") {
    const { source, sourceVersion } = kind.hidden;
    advisories.push({ id: HIDDEN_ADVISORY_ID, ecosystem: "Debian:12", name: source, fixed: `${sourceVersion}+1`, aliases: ["CVE-2099-9990"], cvss: HIGH_CVSS });
  }
  return writeOsvDatabase(dir, advisories);
}

const GO_HEALTHCHECK = { command: ["CMD", "/app", "health"], intervalSeconds: 5, timeoutSeconds: 3, retries: 3, startPeriodSeconds: 2 };

/**
 * A manifest for the Go app in `mode` (behave, flood, balloon, domain, direct, forkbomb, sleep), like
 * examples/vendor-app/manifest.yaml. It brings its own healthcheck: the image has no shell for the default.
 */
export function goAppManifest(name: string, mode: string, extraEnv: Record<string, string> = {}): Record<string, unknown> {
  return {
    name,
    image: GO_APP_IMAGE,
    services: [{ name: "weather", methods: ["GET"], pathPrefixes: ["/v1/forecast"] }],
    egress: ["example.com"],
    resources: { memoryMb: 64, cpus: 0.25, maxProcesses: 32 },
    rateLimit: { requestsPerSecond: 1, burst: 5 },
    env: { MODE: mode, SERVICE_PATH: "/weather/v1/forecast/", EGRESS_URL: "http://example.com/", INTERVAL: "5", ...extraEnv },
    healthcheck: GO_HEALTHCHECK,
  };
}

/** examples/vendor-app/manifest.yaml for the busybox image, named `name`, calling every 5 s. */
export function busyboxAppManifest(name: string): Record<string, unknown> {
  const example = parse(readFileSync(join(EXAMPLE_APP, "manifest.yaml"), "utf8")) as Record<string, unknown> & { env?: Record<string, unknown> };
  return { ...example, name, image: BUSYBOX_APP_IMAGE, env: { ...example.env, INTERVAL_SECONDS: "5" } };
}

/** A manifest for the hidden-package image: no grants, no egress; the default healthcheck (it has a shell). */
export function hiddenPackageManifest(name: string): Record<string, unknown> {
  return { name, image: HIDDEN_PACKAGE_IMAGE, resources: { memoryMb: 64, cpus: 0.25, maxProcesses: 32 } };
}

/** Writes the manifest as `<dir>/<name>.yaml` and returns the path. */
export function writeManifest(dir: string, manifest: Record<string, unknown>): string {
  if (typeof manifest.name !== "string") throw new Error("writeManifest: the manifest has no name (a string) to name its file by");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${manifest.name}.yaml`);
  writeFileSync(file, stringify(manifest));
  return file;
}
