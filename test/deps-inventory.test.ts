// The image inventory's parsers, on hand-written package databases and manifests (broken entries among
// good ones, Source with its own version, two architectures of one package, scoped npm packages,
// nested jars built in memory), the tar reading and collecting that turns an exported filesystem into
// components (os-release through its symlink, hard links, size limits), and the SBOM/image comparison.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { PassThrough, Readable } from "node:stream";
import { strToU8, zipSync, type Zippable } from "fflate";
import * as tar from "tar-stream";
import fc from "fast-check";
import { componentFromPurl } from "../deps/ecosystems";
import type { Component } from "../deps/model";
import { parseApkInstalled } from "../deps/inventory/apk-installed";
import { compareInventories } from "../deps/inventory/compare";
import { isDpkgStatusD, parseDpkgStatus } from "../deps/inventory/dpkg-status";
import { readExport, TooManyEntriesError } from "../deps/inventory/export-reader";
import { DEFAULT_MAX_BYTES, fileKind } from "../deps/inventory/image-files";
import { isJavaArchive, parseJavaArchive } from "../deps/inventory/java-archive";
import { isNodeModulesManifest, parsePackageJson } from "../deps/inventory/node-modules";
import { parseOsRelease } from "../deps/inventory/os-release";
import { PackageCollector } from "../deps/inventory/package-collector";
import { isPythonMetadata, parsePythonMetadata } from "../deps/inventory/python-metadata";

const STATUS = "var/lib/dpkg/status";

const DPKG_STATUS = `Package: libc6
Status: install ok installed
Priority: optional
Architecture: amd64
Multi-Arch: same
Source: glibc
Version: 2.36-9+deb12u4
Description: GNU C Library: Shared libraries
 Contains the standard libraries that are used by nearly all programs on
 the system.
 .
 Package: not-a-package-continuation

Package: libc6
Status: install ok installed
Architecture: i386
Multi-Arch: same
Source: glibc
Version: 2.36-9+deb12u4

Package: bsdutils
Essential: yes
Status: install ok installed
Architecture: amd64
Source: util-linux (2.38.1-5+deb12u1)
Version: 1:2.38.1-5+deb12u1

Package: removed-but-configured
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0-1

Package: never-installed
Status: purge ok not-installed
Architecture: amd64

Package: held
Status: hold ok installed
Architecture: all
Source: held (1.2-3)
Version: 1.2-3

Package: no-version
Status: install ok installed
Architecture: amd64

Status: install ok installed
Version: 3.0

Package: odd-status
Status: installed
Version: 1.0

garbage line without a colon
Package: after-garbage
Status: install ok unpacked
Version: 5.0-1
Source: bad source (x) (y)
Architecture: arm64
`;

describe("dpkg status", () => {
  const parsed = parseDpkgStatus(DPKG_STATUS, STATUS);

  it("keeps the packages whose files are on disk, with architecture and source", () => {
    assert.deepEqual(parsed.packages, [
      { name: "libc6", version: "2.36-9+deb12u4", architecture: "amd64", source: { name: "glibc" } },
      { name: "libc6", version: "2.36-9+deb12u4", architecture: "i386", source: { name: "glibc" } },
      { name: "bsdutils", version: "1:2.38.1-5+deb12u1", architecture: "amd64", source: { name: "util-linux", version: "2.38.1-5+deb12u1" } },
      // a held package is installed; its Source version equals its own, so it is not repeated
      { name: "held", version: "1.2-3", architecture: "all", source: { name: "held" } },
      // unpacked: its files are there even though it is not configured; the Source it could not read is a problem
      { name: "after-garbage", version: "5.0-1", architecture: "arm64" },
    ]);
  });

  it("says what was wrong with each broken stanza, where", () => {
    const byLine = parsed.problems.map((p) => `${p.at} ${p.problem}`);
    assert.equal(parsed.problems.length, 5, byLine.join("\n"));
    assert.match(byLine[0], /^var\/lib\/dpkg\/status:43 package "no-version" has no Version field/);
    assert.match(byLine[1], /^var\/lib\/dpkg\/status:47 a stanza without a Package field/);
    assert.match(byLine[2], /^var\/lib\/dpkg\/status:50 package "odd-status" has a Status dpkg does not write \("installed"/);
    assert.match(byLine[3], /^var\/lib\/dpkg\/status:54 package "after-garbage": line 54: not a "Field: value" line/);
    assert.match(byLine[4], /^var\/lib\/dpkg\/status:54 package "after-garbage" has a Source field that is not/);
  });

  it("status.d: one package per file without a Status (distroless), md5sums files are not packages", () => {
    const statusD = parseDpkgStatus("Package: base-files\nVersion: 12.4+deb12u5\nArchitecture: amd64\n", "var/lib/dpkg/status.d/base-files", { perPackageFile: true });
    assert.deepEqual(statusD, { packages: [{ name: "base-files", version: "12.4+deb12u5", architecture: "amd64" }], problems: [] });
    // in the main status file a missing Status is a problem, not "installed"
    const main = parseDpkgStatus("Package: base-files\nVersion: 12.4+deb12u5\n", STATUS);
    assert.equal(main.packages.length, 0);
    assert.match(main.problems[0].problem, /no Status field/);
    assert.equal(isDpkgStatusD("var/lib/dpkg/status.d/base-files"), true);
    assert.equal(isDpkgStatusD("var/lib/dpkg/status.d/base-files.md5sums"), false);
    assert.equal(isDpkgStatusD("var/lib/dpkg/status.d/sub/dir"), false);
    assert.equal(isDpkgStatusD("var/lib/dpkg/status"), false);
  });

  it("CRLF line ends read the same", () => {
    assert.deepEqual(parseDpkgStatus(DPKG_STATUS.replace(/\n/g, "\r\n"), STATUS).packages, parsed.packages);
  });

  it("never throws, whatever the text", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom("Package: x", "Status: install ok installed", "Version: 1", "", " cont")), { maxLength: 30 }), (lines) => {
        const result = parseDpkgStatus(lines.join("\n"), STATUS);
        for (const pkg of result.packages) assert.ok(pkg.name && pkg.version);
      }),
      { numRuns: 500, seed: 14 },
    );
  });
});

describe("apk installed database", () => {
  const DB = `C:Q1abc=
P:musl
V:1.2.4-r2
A:x86_64
S:383152
o:musl
F:lib
R:ld-musl-x86_64.so.1

P:libcrypto3
V:3.1.4-r5
A:x86_64
o:openssl
F:usr/lib

P:no-version
A:x86_64

this is not an apk line
P:after-broken
V:2.0-r0
`;
  it("reads name, version, architecture and origin; a broken entry is a problem and the rest still count", () => {
    const parsed = parseApkInstalled(DB, "lib/apk/db/installed");
    assert.deepEqual(parsed.packages, [
      { name: "musl", version: "1.2.4-r2", architecture: "x86_64", origin: "musl" },
      { name: "libcrypto3", version: "3.1.4-r5", architecture: "x86_64", origin: "openssl" },
      { name: "after-broken", version: "2.0-r0" },
    ]);
    assert.deepEqual(
      parsed.problems.map((p) => p.at),
      ["lib/apk/db/installed:16", "lib/apk/db/installed:19"],
    );
    assert.match(parsed.problems[0].problem, /"no-version" has no V: \(version\)/);
    assert.match(parsed.problems[1].problem, /line 19 is not "<letter>:<value>"/);
  });
});

describe("node_modules manifests", () => {
  it("only the package.json at the top of a package directory", () => {
    const yes = [
      "app/node_modules/express/package.json",
      "node_modules/@types/node/package.json",
      "usr/lib/node_modules/npm/node_modules/semver/package.json",
      "app/node_modules/.pnpm/lodash@4.17.21/node_modules/lodash/package.json",
    ];
    const no = [
      "app/package.json",
      "app/node_modules/express/lib/package.json",
      "app/node_modules/@types/node/ts5.6/package.json",
      "app/node_modules/@types/package.json",
      "app/node_modules/.bin/package.json",
      "app/node_modules/.package-lock.json",
      "app/node_modules/express/package.json.bak",
    ];
    for (const path of yes) assert.equal(isNodeModulesManifest(path), true, path);
    for (const path of no) assert.equal(isNodeModulesManifest(path), false, path);
  });

  it("name and version, scoped names whole, the manifest's name over the directory's (aliases)", () => {
    assert.deepEqual(parsePackageJson('{"name":"@types/node","version":"20.1.0","private":false}', "node_modules/@types/node/package.json").packages, [{ name: "@types/node", version: "20.1.0" }]);
    assert.deepEqual(parsePackageJson('{"name":"lodash","version":"4.17.21"}', "node_modules/my-lodash/package.json").packages, [{ name: "lodash", version: "4.17.21" }]);
    assert.deepEqual(parsePackageJson('{"version":"1.0.0"}', "node_modules/@acme/unnamed/package.json").packages, [{ name: "@acme/unnamed", version: "1.0.0" }]);
  });

  it("a manifest without a version, or not JSON, is a problem naming the file", () => {
    const noVersion = parsePackageJson('{"name":"x"}', "node_modules/x/package.json");
    assert.deepEqual(noVersion.packages, []);
    assert.deepEqual(noVersion.problems.map((p) => p.at), ["node_modules/x/package.json"]);
    assert.match(noVersion.problems[0].problem, /"x" has no "version"/);
    assert.match(parsePackageJson("{nope", "node_modules/y/package.json").problems[0].problem, /^not JSON/);
    assert.match(parsePackageJson("[1]", "node_modules/y/package.json").problems[0].problem, /not a JSON object/);
  });
});

describe("Python metadata", () => {
  it("which files are metadata", () => {
    for (const path of ["usr/lib/python3/dist-packages/requests-2.28.1.dist-info/METADATA", "usr/lib/python3/dist-packages/six-1.16.0.egg-info/PKG-INFO", "usr/lib/python3/dist-packages/chardet-5.1.0.egg-info"]) {
      assert.equal(isPythonMetadata(path), true, path);
    }
    for (const path of ["usr/lib/python3/dist-packages/requests-2.28.1.dist-info/RECORD", "usr/lib/python3/dist-packages/requests/METADATA", "x.egg-info/SOURCES.txt"]) {
      assert.equal(isPythonMetadata(path), false, path);
    }
  });

  it("Name and Version from the header only, not from the description after it", () => {
    const text = "Metadata-Version: 2.1\nName: Flask_Login\nVersion: 0.6.3\nSummary: User session management\n  continued\n\nName: not-this\nVersion: 9.9\n";
    assert.deepEqual(parsePythonMetadata(text, "a.dist-info/METADATA"), { packages: [{ name: "Flask_Login", version: "0.6.3" }], problems: [] });
  });

  it("a header without a Version is a problem", () => {
    const parsed = parsePythonMetadata("Metadata-Version: 2.1\nName: broken\n", "broken-0.egg-info/PKG-INFO");
    assert.deepEqual(parsed.packages, []);
    assert.equal(parsed.problems[0].at, "broken-0.egg-info/PKG-INFO");
    assert.match(parsed.problems[0].problem, /no Version/);
  });
});

/** A pom.properties as Maven writes it. */
function pom(groupId: string, artifactId: string, version: string): Uint8Array {
  return strToU8(`#Generated by Maven\n#Tue Jan 02 10:00:00 UTC 2024\ngroupId=${groupId}\nartifactId=${artifactId}\nversion=${version}\n`);
}
function jar(entries: Zippable): Uint8Array {
  return zipSync({ "META-INF/MANIFEST.MF": strToU8("Manifest-Version: 1.0\n"), ...entries });
}
const pomPath = (group: string, artifact: string) => `META-INF/maven/${group}/${artifact}/pom.properties`;

describe("Java archives", () => {
  it("which files are archives", () => {
    for (const path of ["opt/app/lib/a.jar", "srv/app.war", "x/app.EAR"]) assert.equal(isJavaArchive(path), true, path);
    for (const path of ["opt/app/a.jar.sha1", "opt/.jar", "opt/app/a.zip"]) assert.equal(isJavaArchive(path), false, path);
  });

  it("one package per pom.properties (a shaded jar holds several)", () => {
    const shaded = jar({
      [pomPath("com.acme", "app")]: pom("com.acme", "app", "1.0.0"),
      [pomPath("com.google.guava", "guava")]: strToU8("# shaded\r\ngroupId = com.google.guava\r\nartifactId: guava\r\nversion 32.1.2-jre\r\n"),
      "com/acme/App.class": new Uint8Array([0xca, 0xfe, 0xba, 0xbe]),
    });
    assert.deepEqual(parseJavaArchive(shaded, "opt/app.jar"), {
      packages: [
        { groupId: "com.acme", artifactId: "app", version: "1.0.0" },
        { groupId: "com.google.guava", artifactId: "guava", version: "32.1.2-jre" },
      ],
      problems: [],
    });
  });

  it("reads bundled archives one level down (BOOT-INF/lib, WEB-INF/lib, lib), not deeper", () => {
    const deepest = jar({ [pomPath("org.deep", "deepest")]: pom("org.deep", "deepest", "0.1") });
    const inner = jar({ [pomPath("org.slf4j", "slf4j-api")]: pom("org.slf4j", "slf4j-api", "2.0.9"), "lib/deepest.jar": deepest });
    const boot = jar({
      [pomPath("com.acme", "boot-app")]: pom("com.acme", "boot-app", "3.1.0"),
      "BOOT-INF/lib/slf4j-api-2.0.9.jar": inner,
      "BOOT-INF/classes/lib/not-bundled.jar": deepest,
    });
    const war = zipSync({ "WEB-INF/lib/slf4j-api-2.0.9.jar": inner, "WEB-INF/web.xml": strToU8("<web-app/>") });
    assert.deepEqual(parseJavaArchive(boot, "app/boot.jar").packages, [
      { groupId: "com.acme", artifactId: "boot-app", version: "3.1.0" },
      { groupId: "org.slf4j", artifactId: "slf4j-api", version: "2.0.9", inner: "BOOT-INF/lib/slf4j-api-2.0.9.jar" },
    ]);
    const fromWar = parseJavaArchive(war, "srv/app.war");
    assert.deepEqual(fromWar, { packages: [{ groupId: "org.slf4j", artifactId: "slf4j-api", version: "2.0.9", inner: "WEB-INF/lib/slf4j-api-2.0.9.jar" }], problems: [] });
    const ear = zipSync({ "lib/slf4j-api-2.0.9.jar": inner });
    assert.equal(parseJavaArchive(ear, "srv/app.ear").packages[0].inner, "lib/slf4j-api-2.0.9.jar");
  });

  it("a corrupt archive, one without coordinates, an incomplete pom.properties and an oversized bundled jar are problems", () => {
    const corrupt = parseJavaArchive(strToU8("PK\x03\x04 this is not really a zip"), "opt/broken.jar");
    assert.deepEqual(corrupt.packages, []);
    assert.equal(corrupt.problems[0].at, "opt/broken.jar");
    assert.match(corrupt.problems[0].problem, /not a readable zip archive/);

    const bare = parseJavaArchive(jar({ "a/B.class": new Uint8Array(4) }), "opt/bare.jar");
    assert.match(bare.problems[0].problem, /no Maven coordinates/);

    const incomplete = parseJavaArchive(jar({ [pomPath("g", "a")]: strToU8("groupId=g\nartifactId=a\n") }), "opt/inc.jar");
    assert.deepEqual(incomplete.packages, []);
    assert.equal(incomplete.problems[0].at, "opt/inc.jar!/META-INF/maven/g/a/pom.properties");
    assert.match(incomplete.problems[0].problem, /no version/);

    const big = jar({ [pomPath("g", "outer")]: pom("g", "outer", "1"), "BOOT-INF/lib/big.jar": jar({ pad: [new Uint8Array(5000), { level: 0 }] }) });
    const limited = parseJavaArchive(big, "opt/big.jar", { maxInnerBytes: 1000 });
    assert.deepEqual(limited.packages, [{ groupId: "g", artifactId: "outer", version: "1" }]);
    assert.match(limited.problems[0].problem, /BOOT-INF\/lib\/big\.jar is \d+ bytes uncompressed, more than the 1000 read/);

    const corruptInner = parseJavaArchive(jar({ "WEB-INF/lib/x.jar": strToU8("not a zip at all") }), "opt/outer.war");
    assert.equal(corruptInner.problems[0].at, "opt/outer.war!/WEB-INF/lib/x.jar");
  });

  it("never throws, whatever the bytes", () => {
    const valid = jar({ [pomPath("g", "a")]: pom("g", "a", "1") });
    fc.assert(
      fc.property(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 }), (at, byte) => {
        const damaged = valid.slice();
        damaged[at] = byte;
        parseJavaArchive(damaged, "x.jar");
      }),
      { numRuns: 400, seed: 14 },
    );
  });
});

describe("os-release", () => {
  it("ID and VERSION_ID, quoted or not", () => {
    assert.deepEqual(parseOsRelease('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nVERSION_ID="12"\nID=debian\n', "etc/os-release"), { distribution: { id: "debian", version: "12" }, problems: [] });
    assert.deepEqual(parseOsRelease("# comment\nID='alpine'\nVERSION_ID=3.19.1\n", "etc/os-release").distribution, { id: "alpine", version: "3.19.1" });
  });
  it("VERSION_CODENAME when there is no VERSION_ID (testing, sid)", () => {
    assert.deepEqual(parseOsRelease("ID=debian\nVERSION_CODENAME=trixie\n", "usr/lib/os-release").distribution, { id: "debian", version: "trixie" });
  });
  it("no ID or no version: no distribution, and a problem", () => {
    const none = parseOsRelease("NAME=Something\n", "etc/os-release");
    assert.equal(none.distribution, undefined);
    assert.match(none.problems[0].problem, /names no ID/);
    assert.match(parseOsRelease("ID=debian\n", "etc/os-release").problems[0].problem, /no VERSION_ID or VERSION_CODENAME/);
  });
});

type TarEntry = { name: string; body?: string | Uint8Array; type?: "file" | "symlink" | "link" | "directory"; linkname?: string };

/** An exported filesystem as docker export streams it. */
function tarStream(entries: TarEntry[]): Readable {
  const pack = tar.pack();
  for (const entry of entries) {
    const type = entry.type ?? "file";
    if (type === "file") pack.entry({ name: entry.name }, Buffer.from(entry.body ?? ""));
    else pack.entry({ name: entry.name, type, linkname: entry.linkname });
  }
  pack.finalize();
  // tar-stream's Pack is a streamx Readable, which Node's stream functions take
  return pack as unknown as Readable;
}

const OPTIONS = { maxBytes: DEFAULT_MAX_BYTES, maxEntries: 10_000 };

describe("reading an exported filesystem", () => {
  it("picks the wanted files, resolves os-release through its symlink, and qualifies Debian packages", async () => {
    const collector = new PackageCollector();
    const osRelease = 'ID=debian\nVERSION_ID="12"\n';
    const status =
      "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nSource: glibc\nVersion: 2.36-9+deb12u4\n\n" +
      "Package: bsdutils\nStatus: install ok installed\nArchitecture: amd64\nSource: util-linux (2.38.1-5+deb12u1)\nVersion: 1:2.38.1-5+deb12u1\n";
    const stats = await readExport(
      tarStream([
        { name: "etc/", type: "directory" },
        { name: "etc/os-release", type: "symlink", linkname: "../usr/lib/os-release" },
        { name: "etc/passwd", body: "root:x:0:0::/root:/bin/sh\n" },
        { name: "usr/lib/os-release", body: osRelease },
        { name: STATUS, body: status },
        { name: "var/lib/dpkg/status-old", body: "Package: stale\nStatus: install ok installed\nVersion: 0\n" },
      ]),
      collector,
      OPTIONS,
    );
    assert.deepEqual(stats, { entries: 6, filesRead: 2, bytesRead: osRelease.length + status.length });
    const result = collector.finish("test-image");
    assert.deepEqual(result.distribution, { id: "debian", version: "12" });
    assert.deepEqual(result.problems, []);
    assert.deepEqual(
      result.components.map((c) => [c.purl, c.ecosystem, c.name, c.version, c.source, c.origin]),
      [
        ["pkg:deb/debian/libc6@2.36-9+deb12u4?arch=amd64&distro=debian-12&upstream=glibc", "Debian:12", "libc6", "2.36-9+deb12u4", { name: "glibc", version: "2.36-9+deb12u4" }, { kind: "image", path: STATUS }],
        ["pkg:deb/debian/bsdutils@1:2.38.1-5+deb12u1?arch=amd64&distro=debian-12&upstream=util-linux%402.38.1-5%2Bdeb12u1", "Debian:12", "bsdutils", "1:2.38.1-5+deb12u1", { name: "util-linux", version: "2.38.1-5+deb12u1" }, { kind: "image", path: STATUS }],
      ],
    );
  });

  it("Alpine, npm, PyPI and Maven packages; hard links; oversized files are problems", async () => {
    const collector = new PackageCollector();
    const theJar = jar({ [pomPath("org.example", "lib")]: pom("org.example", "lib", "1.2.3") });
    await readExport(
      tarStream([
        { name: "./etc/os-release", body: "ID=alpine\nVERSION_ID=3.19.1\n" },
        { name: "./lib/apk/db/installed", body: "P:musl\nV:1.2.4-r2\nA:x86_64\no:musl\n\nP:libcrypto3\nV:3.1.4-r5\nA:x86_64\no:openssl\n" },
        { name: "./app/node_modules/@scope/pkg/package.json", body: '{"name":"@scope/pkg","version":"2.0.0"}' },
        { name: "./app/node_modules/huge/package.json", body: "x".repeat(200) },
        { name: "./usr/lib/python3.11/site-packages/Jinja2-3.1.2.dist-info/METADATA", body: "Metadata-Version: 2.1\nName: Jinja2\nVersion: 3.1.2\n" },
        { name: "./opt/a/lib.jar", body: theJar },
        { name: "./opt/b/lib.jar", type: "link", linkname: "opt/a/lib.jar" },
        { name: "./opt/c/lib.jar", type: "link", linkname: "opt/unread/lib.bin" },
      ]),
      collector,
      { ...OPTIONS, maxBytes: { ...DEFAULT_MAX_BYTES, "npm-manifest": 100 } },
    );
    const result = collector.finish("test-image");
    assert.deepEqual(
      result.components.map((c) => `${c.origin.kind === "image" ? c.origin.path : ""} ${c.purl} ${c.ecosystem}${c.source ? ` source=${c.source.name}@${c.source.version}` : ""}`),
      [
        "app/node_modules/@scope/pkg/package.json pkg:npm/%40scope/pkg@2.0.0 npm",
        "lib/apk/db/installed pkg:apk/alpine/musl@1.2.4-r2?arch=x86_64&distro=alpine-3.19.1&upstream=musl Alpine:v3.19 source=musl@1.2.4-r2",
        "lib/apk/db/installed pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=x86_64&distro=alpine-3.19.1&upstream=openssl Alpine:v3.19 source=openssl@3.1.4-r5",
        "opt/a/lib.jar pkg:maven/org.example/lib@1.2.3 Maven",
        "opt/b/lib.jar pkg:maven/org.example/lib@1.2.3 Maven",
        "usr/lib/python3.11/site-packages/Jinja2-3.1.2.dist-info/METADATA pkg:pypi/jinja2@3.1.2 PyPI",
      ],
    );
    assert.deepEqual(
      result.problems.map((p) => p.at),
      ["app/node_modules/huge/package.json", "opt/c/lib.jar"],
    );
    assert.match(result.problems[0].problem, /200 bytes, more than the 100 read for a npm-manifest file/);
    assert.match(result.problems[1].problem, /a hard link to opt\/unread\/lib\.bin, which was not read/);
  });

  it("Debian packages without os-release: each says its release is unknown, and the image says why", async () => {
    const collector = new PackageCollector();
    await readExport(tarStream([{ name: STATUS, body: "Package: libc6\nStatus: install ok installed\nVersion: 2.36-9\n" }]), collector, OPTIONS);
    const result = collector.finish("img");
    assert.equal(result.distribution, undefined);
    assert.equal(result.components.length, 1);
    assert.equal(result.components[0].ecosystem, undefined);
    assert.match(result.components[0].problem ?? "", /release is unknown/);
    assert.deepEqual(result.problems.map((p) => p.at), ["img"]);
    assert.match(result.problems[0].problem, /no os-release .*its 1 packages cannot be matched/);
  });

  it("no package database: zero components and a note naming what was looked for", async () => {
    const collector = new PackageCollector();
    await readExport(tarStream([{ name: "bin/busybox", body: "\x7fELF" }, { name: "etc/passwd", body: "root:x:0:0\n" }]), collector, OPTIONS);
    const result = collector.finish("busybox-ish");
    assert.deepEqual(result.components, []);
    assert.equal(result.problems.length, 1);
    assert.match(result.problems[0].problem, /^no packages found: looked for var\/lib\/dpkg\/status; .*lib\/apk\/db\/installed.*node_modules.*dist-info\/METADATA.*\*\.jar.*none of them is in this image/);
  });

  it("gives up past the entry limit, and fails when the stream breaks", async () => {
    const many = Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, body: "x" }));
    await assert.rejects(readExport(tarStream(many), new PackageCollector(), { ...OPTIONS, maxEntries: 10 }), TooManyEntriesError);
    const broken = new PassThrough();
    const reading = readExport(broken, new PackageCollector(), OPTIONS);
    broken.write(Buffer.alloc(512, 1));
    broken.destroy(new Error("connection reset"));
    await assert.rejects(reading);
  });

  it("fileKind: which paths are read", () => {
    assert.equal(fileKind("var/lib/dpkg/status"), "dpkg-status");
    assert.equal(fileKind("var/lib/dpkg/status-old"), undefined);
    assert.equal(fileKind("var/lib/dpkg/status.d/base-files"), "dpkg-status.d");
    assert.equal(fileKind("var/lib/dpkg/status.d/base-files.md5sums"), undefined);
    assert.equal(fileKind("usr/lib/apk/db/installed"), "apk-installed");
    assert.equal(fileKind("usr/lib/os-release"), "os-release");
    assert.equal(fileKind("usr/share/java/x.jar"), "java-archive");
  });
});

const image = (purl: string, path = "x"): Component => componentFromPurl(purl, { kind: "image", path }, { id: "debian", version: "12" }) as Component;
const sbom = (purl: string): Component => componentFromPurl(purl, { kind: "sbom" }) as Component;
const purls = (components: Component[]) => components.map((c) => c.purl);

describe("compareInventories", () => {
  it("finds what the SBOM leaves out, what it lists that is not there, and versions that differ", () => {
    const diff = compareInventories(
      [sbom("pkg:npm/express@4.18.2"), sbom("pkg:npm/%40types/node@20.1.0"), sbom("pkg:maven/org.example/gone@1.0"), sbom("pkg:pypi/Jinja2@3.1.2")],
      [image("pkg:npm/express@4.18.2"), image("pkg:npm/%40types/node@20.2.0"), image("pkg:maven/org.example/hidden@2.0"), image("pkg:pypi/jinja2@3.1.2")],
    );
    assert.deepEqual(purls(diff.missingFromSbom), ["pkg:maven/org.example/hidden@2.0"]);
    assert.deepEqual(purls(diff.missingFromImage), ["pkg:maven/org.example/gone@1.0"]);
    assert.deepEqual(diff.versionDiffers.map((d) => [d.sbom.purl, d.image.purl]), [["pkg:npm/%40types/node@20.1.0", "pkg:npm/%40types/node@20.2.0"]]);
  });

  it("the same package found twice is one; Debian packages match whatever qualifiers the SBOM gave", () => {
    const diff = compareInventories(
      [sbom("pkg:deb/debian/libc6@2.36-9?distro=debian-12"), sbom("pkg:maven/g/a@1")],
      [image("pkg:maven/g/a@1", "opt/one.jar"), image("pkg:maven/g/a@1", "opt/two.jar"), image("pkg:deb/debian/libc6@2.36-9?arch=amd64&distro=debian-12&upstream=glibc")],
    );
    assert.deepEqual(diff, { missingFromSbom: [], missingFromImage: [], versionDiffers: [] });
  });

  it("several versions of one package: equal ones match, the rest pair up in version order, the remainder is missing", () => {
    const diff = compareInventories(
      [sbom("pkg:npm/ms@2.0.0"), sbom("pkg:npm/ms@2.1.2")],
      [image("pkg:npm/ms@2.0.0"), image("pkg:npm/ms@2.1.3"), image("pkg:npm/ms@3.0.0")],
    );
    assert.deepEqual(diff.versionDiffers.map((d) => [d.sbom.version, d.image.version]), [["2.1.2", "2.1.3"]]);
    assert.deepEqual(purls(diff.missingFromSbom), ["pkg:npm/ms@3.0.0"]);
    assert.deepEqual(diff.missingFromImage, []);
  });

  it("every package version is accounted for exactly once (random inventories)", () => {
    const component = fc.record({ name: fc.constantFrom("a", "b", "c"), type: fc.constantFrom("npm", "pypi"), version: fc.constantFrom("1", "2", "3", "10") });
    fc.assert(
      fc.property(fc.array(component, { maxLength: 12 }), fc.array(component, { maxLength: 12 }), (left, right) => {
        const make = (c: { name: string; type: string; version: string }) => ({ ...c, purl: `pkg:${c.type}/${c.name}@${c.version}`, origin: { kind: "sbom" } }) as Component;
        const diff = compareInventories(left.map(make), right.map(make));
        const keys = (list: { type: string; name: string; version: string }[]) => new Set(list.map((c) => `${c.type}:${c.name}@${c.version}`));
        const inLeft = keys(left);
        const inRight = keys(right);
        const onlyLeft = [...inLeft].filter((k) => !inRight.has(k)).sort();
        const onlyRight = [...inRight].filter((k) => !inLeft.has(k)).sort();
        const reported = (list: Component[]) => list.map((c) => `${c.type}:${c.name}@${c.version}`);
        assert.deepEqual([...reported(diff.missingFromImage), ...reported(diff.versionDiffers.map((d) => d.sbom))].sort(), onlyLeft);
        assert.deepEqual([...reported(diff.missingFromSbom), ...reported(diff.versionDiffers.map((d) => d.image))].sort(), onlyRight);
        for (const { sbom: s, image: i } of diff.versionDiffers) assert.equal(`${s.type}:${s.name}`, `${i.type}:${i.name}`);
      }),
      { numRuns: 500, seed: 14 },
    );
  });
});
