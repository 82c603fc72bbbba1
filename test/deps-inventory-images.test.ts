// The image inventory on real images, through the Docker engine: the repo's own images (built by
// `npm run images`) checked against what the image's own tools say (dpkg-query, find, run in a
// throwaway container by the test; the inventory itself never starts one), and an image this test
// builds with an Alpine database, a node_modules tree, a dist-info and a nested jar, checked exactly.
// After every inventory no container of it is left; an absent image is a clear error.
import { after, afterEach, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import Docker from "dockerode";
import { strToU8, zipSync } from "fflate";
import { UnusableInputError, type Component } from "../deps/model";
import { INVENTORY_LABEL, inventoryImage } from "../deps/inventory/image";
import { dockerUnavailableSync } from "../sandbox/docker-availability";

const DEBIAN = "platform/debian-minbase:bookworm";
const BUSYBOX = "platform/busybox:dev";
const PROBE = "platform/probe:dev";
const KEYCLOAK = "platform/keycloak:26.7.3";
const skip = dockerUnavailableSync([DEBIAN, BUSYBOX, PROBE, KEYCLOAK]);
const docker = new Docker();
/** each inventory of an image here must finish well within this */
const TIMEOUT_MS = 120_000;

/** Runs a command in a throwaway container of the image (no network), for the image's own view of itself. */
function runIn(image: string, args: string[], entrypoint?: string): string {
  const result = spawnSync("docker", ["run", "--rm", "--network", "none", "--user", "0", ...(entrypoint ? ["--entrypoint", entrypoint] : []), image, ...args], { encoding: "utf8", timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
  assert.equal(result.status, 0, `docker run ${image} ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

/** dpkg's own list of the packages on disk: `name version arch source sourceVersion` */
function dpkgView(image: string): string[] {
  const format = "${db:Status-Status} ${Package} ${Version} ${Architecture} ${source:Package} ${source:Version}\\n";
  return runIn(image, ["dpkg-query", "-W", "-f", format])
    .split("\n")
    .filter((line) => line && !/^(not-installed|config-files) /.test(line))
    .map((line) => line.split(" ").slice(1).join(" "))
    .sort();
}

function inventoryView(components: Component[]): string[] {
  return components
    .filter((c) => c.type === "deb")
    .map((c) => {
      const arch = new URLSearchParams(c.purl.split("?")[1]).get("arch");
      // no Source field: the source package is the binary one, at its version
      const source = c.source ?? { name: c.name, version: c.version };
      return `${c.name} ${c.version} ${arch} ${source.name} ${source.version}`;
    })
    .sort();
}

/** The inventory's containers (of this process) still present. */
async function leftovers(): Promise<string[]> {
  const containers = await docker.listContainers({ all: true, filters: { label: [INVENTORY_LABEL] } });
  return containers.filter((c) => c.Labels[INVENTORY_LABEL]?.startsWith(`${process.pid}-`)).map((c) => c.Id);
}

const originPath = (c: Component) => (c.origin.kind === "image" ? c.origin.path : "");

describe("image inventory through the Docker engine", { skip }, () => {
  afterEach(async () => {
    assert.deepEqual(await leftovers(), [], "an inventory left its container behind");
  });

  it(`${DEBIAN}: exactly the packages dpkg lists, as Debian:12 components with their source packages`, async () => {
    const inventory = await inventoryImage(docker, DEBIAN, { timeoutMs: TIMEOUT_MS });
    assert.equal(inventory.imageId, (await docker.getImage(DEBIAN).inspect()).Id);
    assert.deepEqual(inventory.distribution, { id: "debian", version: "12" });
    assert.deepEqual(inventory.problems, []);
    assert.deepEqual(inventoryView(inventory.components), dpkgView(DEBIAN));
    assert.ok(inventory.components.every((c) => c.type === "deb" && c.ecosystem === "Debian:12" && !c.problem && originPath(c) === "var/lib/dpkg/status"));
    const libc6 = inventory.components.find((c) => c.name === "libc6");
    assert.ok(libc6, "libc6 is in every Debian image");
    assert.equal(libc6.source?.name, "glibc");
    assert.match(libc6.purl, /^pkg:deb\/debian\/libc6@[^?]+\?arch=amd64&distro=debian-12&upstream=glibc$/);
    assert.ok(inventory.filesRead >= 2 && inventory.bytesRead > 10_000, `${inventory.filesRead} files, ${inventory.bytesRead} bytes`);
  });

  it(`${BUSYBOX}: no package database, so zero components and a note saying what was looked for`, async () => {
    const inventory = await inventoryImage(docker, BUSYBOX, { timeoutMs: TIMEOUT_MS });
    assert.deepEqual(inventory.components, []);
    assert.equal(inventory.distribution, undefined);
    assert.equal(inventory.problems.length, 1);
    assert.equal(inventory.problems[0].at, BUSYBOX);
    assert.match(inventory.problems[0].problem, /^no packages found: looked for var\/lib\/dpkg\/status; .*lib\/apk\/db\/installed; .*node_modules.*METADATA.*PKG-INFO.*\.jar/);
  });

  it(`${PROBE}: Debian packages with python3, and one PyPI component per Python metadata file`, async () => {
    const inventory = await inventoryImage(docker, PROBE, { timeoutMs: TIMEOUT_MS });
    assert.deepEqual(inventoryView(inventory.components), dpkgView(PROBE));
    assert.ok(inventory.components.some((c) => c.name === "python3" && c.ecosystem === "Debian:12"));
    const metadataFiles = runIn(PROBE, ["find", "/", "-xdev", "-type", "f", "(", "-path", "*.dist-info/METADATA", "-o", "-path", "*.egg-info/PKG-INFO", "-o", "-name", "*.egg-info", ")"]).split("\n").filter(Boolean);
    const python = inventory.components.filter((c) => c.type === "pypi");
    assert.deepEqual(python.map((c) => `/${originPath(c)}`).sort(), metadataFiles.sort());
    assert.ok(python.every((c) => c.ecosystem === "PyPI"));
  });

  it(`${KEYCLOAK}: the Maven packages of its jars (keycloak-core 26.7.3 among them), every jar read or named`, async () => {
    const inventory = await inventoryImage(docker, KEYCLOAK, { timeoutMs: TIMEOUT_MS });
    const maven = inventory.components.filter((c) => c.type === "maven");
    assert.ok(maven.length > 300, `${maven.length} Maven components`);
    const core = maven.find((c) => c.name === "org.keycloak:keycloak-core");
    assert.deepEqual(core && { purl: core.purl, version: core.version, ecosystem: core.ecosystem, path: originPath(core) }, {
      purl: "pkg:maven/org.keycloak/keycloak-core@26.7.3",
      version: "26.7.3",
      ecosystem: "Maven",
      path: "opt/keycloak/lib/lib/main/org.keycloak.keycloak-core-26.7.3.jar",
    });
    const keycloakArtifacts = maven.filter((c) => c.name.startsWith("org.keycloak:"));
    assert.ok(keycloakArtifacts.length >= 10);
    assert.deepEqual([...new Set(keycloakArtifacts.map((c) => c.version))], ["26.7.3"]);
    // the base is Debian with a JRE
    assert.ok(inventory.components.some((c) => c.name === "openjdk-17-jre-headless" && c.ecosystem === "Debian:12"));
    // every jar in the image either gave Maven components or is a problem that names it
    const jars = runIn(KEYCLOAK, ["/", "-xdev", "-type", "f", "(", "-name", "*.jar", "-o", "-name", "*.war", "-o", "-name", "*.ear", ")"], "find").split("\n").filter(Boolean);
    const accounted = new Set([...maven.map((c) => originPath(c).split("!/")[0]), ...inventory.problems.map((p) => p.at.split("!/")[0])]);
    assert.deepEqual([...accounted].map((p) => `/${p}`).sort(), jars.sort());
    assert.ok(inventory.problems.every((p) => /no Maven coordinates/.test(p.problem)), JSON.stringify(inventory.problems.find((p) => !/no Maven coordinates/.test(p.problem))));
  });

  it("an absent image: an error naming it and how to get it, and no container", async () => {
    const absent = `platform/deps-inventory-absent:${process.pid}`;
    await assert.rejects(inventoryImage(docker, absent, { timeoutMs: TIMEOUT_MS }), (error: unknown) => {
      assert.ok(error instanceof UnusableInputError);
      assert.equal(error.source, absent);
      assert.match(error.message, new RegExp(`^${absent}: the image is not present .*docker pull ${absent}.*docker build -t ${absent}`));
      return true;
    });
  });

  it("a read cut short by its time limit still removes the container (also one cut short while it is created)", async () => {
    // keycloak takes seconds to read: these limits end it while the container is created, and while it is exported
    for (const timeoutMs of [20, 40, 60, 80, 600]) {
      await assert.rejects(inventoryImage(docker, KEYCLOAK, { timeoutMs }), new RegExp(`reading its packages took longer than ${timeoutMs / 1000} s`));
      assert.deepEqual(await leftovers(), [], `after a ${timeoutMs} ms limit`);
    }
  });

  describe("an image built here, checked exactly", () => {
    const tag = `platform/deps-inventory-test:${process.pid}-${Date.now()}`;
    let context = "";

    before(() => {
      context = mkdtempSync(join(tmpdir(), "deps-inventory-"));
      const root = join(context, "rootfs");
      const write = (path: string, body: string | Uint8Array) => {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), body);
      };
      write("usr/lib/os-release", 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.19.1\n');
      mkdirSync(join(root, "etc"), { recursive: true });
      symlinkSync("../usr/lib/os-release", join(root, "etc/os-release"));
      write("lib/apk/db/installed", "C:Q1x=\nP:musl\nV:1.2.4-r2\nA:x86_64\no:musl\nF:lib\n\nC:Q1y=\nP:libssl3\nV:3.1.4-r5\nA:x86_64\no:openssl\n");
      write("app/node_modules/left-pad/package.json", '{"name":"left-pad","version":"1.3.0"}');
      write("app/node_modules/left-pad/lib/package.json", '{"name":"not-a-package","version":"0.0.1"}');
      write("app/node_modules/@acme/widgets/package.json", '{"name":"@acme/widgets","version":"2.1.0"}');
      write("app/node_modules/@acme/widgets/node_modules/ms/package.json", '{"name":"ms","version":"2.1.3"}');
      write("usr/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\n\nName: not-this\n");
      const inner = zipSync({ "META-INF/maven/org.slf4j/slf4j-api/pom.properties": strToU8("groupId=org.slf4j\nartifactId=slf4j-api\nversion=2.0.9\n") });
      write("opt/app/app.jar", zipSync({ "META-INF/maven/com.acme/app/pom.properties": strToU8("groupId=com.acme\nartifactId=app\nversion=1.0.0\n"), "BOOT-INF/lib/slf4j-api-2.0.9.jar": inner }));
      writeFileSync(join(context, "Dockerfile"), `FROM ${BUSYBOX}\nCOPY rootfs/ /\n`);
      const built = spawnSync("docker", ["build", "-q", "-t", tag, context], { encoding: "utf8", timeout: 120_000 });
      assert.equal(built.status, 0, `docker build: ${built.stderr}`);
    });

    after(() => {
      spawnSync("docker", ["rmi", "-f", tag], { timeout: 60_000 });
      if (context) rmSync(context, { recursive: true, force: true });
    });

    it("Alpine packages (release from os-release through its symlink), npm, PyPI and Maven, nothing else", async () => {
      const inventory = await inventoryImage(docker, tag, { timeoutMs: TIMEOUT_MS });
      assert.deepEqual(inventory.distribution, { id: "alpine", version: "3.19.1" });
      assert.deepEqual(inventory.problems, []);
      assert.deepEqual(
        inventory.components.map((c) => [originPath(c), c.purl, c.ecosystem, c.name, c.version, c.source ?? null]),
        [
          ["app/node_modules/@acme/widgets/node_modules/ms/package.json", "pkg:npm/ms@2.1.3", "npm", "ms", "2.1.3", null],
          ["app/node_modules/@acme/widgets/package.json", "pkg:npm/%40acme/widgets@2.1.0", "npm", "@acme/widgets", "2.1.0", null],
          ["app/node_modules/left-pad/package.json", "pkg:npm/left-pad@1.3.0", "npm", "left-pad", "1.3.0", null],
          ["lib/apk/db/installed", "pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.19.1&upstream=musl", "Alpine:v3.19", "musl", "1.2.4-r2", { name: "musl", version: "1.2.4-r2" }],
          ["lib/apk/db/installed", "pkg:apk/alpine/libssl3@3.1.4-r5?arch=x86_64&distro=alpine-3.19.1&upstream=openssl", "Alpine:v3.19", "libssl3", "3.1.4-r5", { name: "openssl", version: "3.1.4-r5" }],
          ["opt/app/app.jar", "pkg:maven/com.acme/app@1.0.0", "Maven", "com.acme:app", "1.0.0", null],
          ["opt/app/app.jar!/BOOT-INF/lib/slf4j-api-2.0.9.jar", "pkg:maven/org.slf4j/slf4j-api@2.0.9", "Maven", "org.slf4j:slf4j-api", "2.0.9", null],
          ["usr/lib/python3.11/site-packages/requests-2.31.0.dist-info/METADATA", "pkg:pypi/requests@2.31.0", "PyPI", "requests", "2.31.0", null],
        ],
      );
      assert.equal(inventory.filesRead, 7, "os-release, apk database, 3 package.json, METADATA, app.jar (the symlink and lib/package.json are not files read)");
    });
  });
});
