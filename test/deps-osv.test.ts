// Loading the offline OSV database (nested folders, osv.dev's all.zip exports, broken records named,
// unusable directories refused) and OSV range semantics as properties, under a tiny numeric version
// scheme and under the ecosystems' real ones.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { crc32 } from "node:zlib";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import { strToU8, zipSync } from "fflate";
import { UnusableInputError } from "../deps/model";
import type { AdvisoryRange, RangeEvent } from "../deps/osv/advisory";
import { evaluateAffected, evaluateRange } from "../deps/osv/affected";
import { loadAdvisoryDatabase } from "../deps/osv/load";
import { readZipEntries } from "../deps/osv/zip";
import { cachedScheme, NPM_SCHEME, PYPI_SCHEME, DPKG_SCHEME, SEMVER_SCHEME } from "../deps/versions";
import type { VersionScheme } from "../deps/versions/scheme";

const roots: string[] = [];
after(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

function tempDir(): string {
  const root = mkdtempSync(join(tmpdir(), "deps-osv-"));
  roots.push(root);
  return root;
}

function write(root: string, path: string, content: string | Uint8Array): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}

function record(id: string, ecosystem: string, name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    modified: "2024-01-02T03:04:05Z",
    affected: [{ package: { ecosystem, name }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: "0" }, { fixed: "2.0" }] }] }],
    ...extra,
  };
}

function zipOf(records: Record<string, unknown>[], prefix = ""): Uint8Array {
  return zipSync(Object.fromEntries(records.map((r) => [`${prefix}${r.id}.json`, strToU8(JSON.stringify(r))])));
}

function expectUnusable(run: () => unknown, source: string, detail: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof UnusableInputError, `expected UnusableInputError, got ${String(error)}`);
    assert.equal(error.source, source);
    assert.match(error.detail, detail);
    return true;
  });
}

describe("loadAdvisoryDatabase", () => {
  it("reads unpacked records at any depth and per-ecosystem all.zip exports, with stats", () => {
    const root = tempDir();
    write(root, "npm/all.zip", zipOf([record("GHSA-1111-1111-1111", "npm", "left-pad"), record("GHSA-2222-2222-2222", "npm", "@scope/thing", { modified: "2024-05-06T00:00:00.123Z" })]));
    write(root, "PyPI/all.zip", zipOf([record("PYSEC-2024-1", "PyPI", "Foo_Bar")], "nested/folder/"));
    write(root, "a/b/c/Debian/DSA-1-1.json", JSON.stringify(record("DSA-1-1", "Debian:12", "glibc")));
    write(root, "Go/GO-2024-0001.json", JSON.stringify(record("GO-2024-0001", "Go", "github.com/x/y", { withdrawn: "2024-02-01T00:00:00Z" })));
    write(root, "README.txt", "not a record, not read");
    write(root, ".hidden/GHSA-9999-9999-9999.json", JSON.stringify(record("GHSA-9999-9999-9999", "npm", "hidden")));
    const db = loadAdvisoryDatabase(root);
    assert.equal(db.stats.dir, root);
    assert.equal(db.stats.records, 4);
    assert.equal(db.stats.withdrawn, 1);
    assert.equal(db.stats.filesRead, 5);
    assert.deepEqual(db.stats.broken, []);
    assert.deepEqual(db.stats.perEcosystem, { "Debian:12": 1, PyPI: 1, npm: 2 });
    assert.equal(db.stats.newestModified, "2024-05-06T00:00:00.123Z");
    assert.deepEqual(db.ecosystems(), ["Debian:12", "PyPI", "npm"]);
    assert.deepEqual(db.affectedPackages("npm", "@scope/thing").map((a) => a.advisory.id), ["GHSA-2222-2222-2222"]);
    // PyPI names are indexed and looked up per PEP 503
    assert.deepEqual(db.affectedPackages("PyPI", "foo.bar").map((a) => a.advisory.id), ["PYSEC-2024-1"]);
    assert.deepEqual(db.affectedPackages("Debian:12", "glibc").map((a) => a.advisory.id), ["DSA-1-1"]);
    assert.deepEqual(db.affectedPackages("Debian:11", "glibc"), []);
    assert.deepEqual(db.affectedPackages("Go", "github.com/x/y"), []);
  });

  it("keeps only the fields matching and reporting read", () => {
    const root = tempDir();
    write(root, "r.json", JSON.stringify(record("GHSA-3333-3333-3333", "npm", "x", { details: "long text ".repeat(100), references: [{ type: "WEB", url: "https://example.com/w" }, { type: "ADVISORY", url: "https://example.com/a" }], aliases: ["CVE-2024-1", "GHSA-3333-3333-3333"] })));
    const [entry] = loadAdvisoryDatabase(root).affectedPackages("npm", "x");
    assert.deepEqual(entry.advisory, { id: "GHSA-3333-3333-3333", aliases: ["CVE-2024-1"], modified: "2024-01-02T03:04:05Z", url: "https://example.com/a", severity: { scores: [] } });
  });

  it("counts and names broken records (file, or zip!entry, and why) and uses the rest", () => {
    const root = tempDir();
    const good = record("GHSA-4444-4444-4444", "npm", "ok");
    write(root, "npm/all.zip", zipSync({ "GHSA-4444-4444-4444.json": strToU8(JSON.stringify(good)), "bad.json": strToU8("{ not json"), "notes.txt": strToU8("ignored") }));
    write(root, "npm/array.json", "[]");
    write(root, "npm/no-id.json", JSON.stringify({ affected: [] }));
    write(root, "npm/no-affected.json", JSON.stringify({ id: "GHSA-5555-5555-5555" }));
    write(root, "npm/no-package.json", JSON.stringify({ id: "GHSA-6666-6666-6666", affected: [{ ranges: [] }] }));
    write(root, "npm/two-kinds.json", JSON.stringify({ id: "GHSA-7777-7777-7777", affected: [{ package: { ecosystem: "npm", name: "x" }, ranges: [{ type: "SEMVER", events: [{ introduced: "0", fixed: "1.0.0" }] }] }] }));
    write(root, "npm/nothing-affected.json", JSON.stringify({ id: "GHSA-8888-8888-8888", affected: [{ package: { ecosystem: "npm", name: "x" } }] }));
    write(root, "npm/latin1.json", Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x7d]));
    write(root, "broken.zip", "PK this is not a zip archive");
    const db = loadAdvisoryDatabase(root);
    assert.equal(db.stats.records, 1);
    const broken = Object.fromEntries(db.stats.broken.map((b) => [b.at, b.problem]));
    assert.deepEqual(Object.keys(broken).sort(), [
      "broken.zip",
      "npm/all.zip!bad.json",
      "npm/array.json",
      "npm/latin1.json",
      "npm/no-affected.json",
      "npm/no-id.json",
      "npm/no-package.json",
      "npm/nothing-affected.json",
      "npm/two-kinds.json",
    ]);
    assert.match(broken["broken.zip"], /is not a zip archive \(it has no end-of-directory record\)/);
    assert.match(broken["npm/all.zip!bad.json"], /^is not JSON: /);
    assert.match(broken["npm/array.json"], /is not a JSON object/);
    assert.match(broken["npm/no-id.json"], /has no id/);
    assert.match(broken["npm/no-affected.json"], /^GHSA-5555-5555-5555: has no affected\[\] list/);
    assert.match(broken["npm/no-package.json"], /^GHSA-6666-6666-6666: affected\[0\]\.package needs an ecosystem and a name/);
    assert.match(broken["npm/two-kinds.json"], /^GHSA-7777-7777-7777: affected\[0\]\.ranges\[0\]\.events\[0\] must have exactly one of introduced, fixed, last_affected, limit/);
    assert.match(broken["npm/nothing-affected.json"], /has neither ranges nor versions/);
    assert.match(broken["npm/latin1.json"], /is not JSON/);
  });

  it("keeps the newest copy of a record found twice (an export unpacked beside its zip)", () => {
    const root = tempDir();
    write(root, "npm/all.zip", zipOf([record("GHSA-aaaa-aaaa-aaaa", "npm", "old-name", { modified: "2024-01-01T00:00:00Z" })]));
    write(root, "npm/unpacked/GHSA-aaaa-aaaa-aaaa.json", JSON.stringify(record("GHSA-aaaa-aaaa-aaaa", "npm", "new-name", { modified: "2024-03-01T00:00:00Z" })));
    write(root, "npm/z/GHSA-bbbb-bbbb-bbbb.json", JSON.stringify(record("GHSA-bbbb-bbbb-bbbb", "npm", "x", { modified: "2024-03-01T00:00:00Z", withdrawn: "2024-03-01T00:00:00Z" })));
    write(root, "npm/a/GHSA-bbbb-bbbb-bbbb.json", JSON.stringify(record("GHSA-bbbb-bbbb-bbbb", "npm", "x", { modified: "2024-01-01T00:00:00Z" })));
    const db = loadAdvisoryDatabase(root);
    assert.equal(db.stats.records, 1);
    assert.equal(db.stats.duplicates, 2);
    assert.equal(db.stats.withdrawn, 1);
    assert.deepEqual(db.affectedPackages("npm", "old-name"), []);
    assert.equal(db.affectedPackages("npm", "new-name").length, 1);
    assert.deepEqual(db.affectedPackages("npm", "x"), []);
  });

  it("unpacks a zip entry by entry and refuses oversized records without unpacking them", () => {
    const root = tempDir();
    const records = Array.from({ length: 50 }, (_, i) => record(`GHSA-${String(i).padStart(4, "0")}-0000-0000`, "npm", `pkg-${i}`));
    const huge = record("GHSA-huge-0000-0000", "npm", "huge", { details: "x".repeat(20_000) });
    write(root, "all.zip", zipOf([...records, huge]));
    const db = loadAdvisoryDatabase(root, { maxRecordBytes: 10_000 });
    assert.equal(db.stats.records, 50);
    assert.deepEqual(db.stats.broken, [{ at: "all.zip!GHSA-huge-0000-0000.json", problem: "is larger than 10000 bytes, which no OSV record is" }]);
    assert.equal(db.affectedPackages("npm", "pkg-49").length, 1);
  });

  it("looks only as deep as maxDepth and stops at maxFiles", () => {
    const root = tempDir();
    write(root, "1/GHSA-cccc-cccc-cccc.json", JSON.stringify(record("GHSA-cccc-cccc-cccc", "npm", "shallow")));
    write(root, "1/2/3/GHSA-dddd-dddd-dddd.json", JSON.stringify(record("GHSA-dddd-dddd-dddd", "npm", "deep")));
    assert.equal(loadAdvisoryDatabase(root, { maxDepth: 1 }).stats.records, 1);
    assert.equal(loadAdvisoryDatabase(root).stats.records, 2);
    expectUnusable(() => loadAdvisoryDatabase(root, { maxFiles: 1 }), root, /holds more than 1 records/);
  });

  it("refuses a missing, empty, or wholly unusable directory, saying how to get the exports", () => {
    const root = tempDir();
    const hint = /osv-vulnerabilities\.storage\.googleapis\.com\/npm\/all\.zip/;
    const missing = join(root, "nowhere");
    expectUnusable(() => loadAdvisoryDatabase(missing), missing, /does not exist; download the OSV exports/);
    expectUnusable(() => loadAdvisoryDatabase(missing), missing, hint);
    const empty = join(root, "empty");
    mkdirSync(join(empty, "npm"), { recursive: true });
    write(empty, "npm/README.md", "downloaded nothing");
    expectUnusable(() => loadAdvisoryDatabase(empty), empty, /holds no OSV records/);
    expectUnusable(() => loadAdvisoryDatabase(empty), empty, hint);
    const file = join(root, "file.json");
    writeFileSync(file, "{}");
    expectUnusable(() => loadAdvisoryDatabase(file), file, /is not a directory/);
    const allBroken = join(root, "all-broken");
    write(allBroken, "x.json", "nope");
    write(allBroken, "y.json", JSON.stringify({ id: "X-1" }));
    expectUnusable(() => loadAdvisoryDatabase(allBroken), allBroken, /none of its records is usable:\nx\.json: is not JSON: .*\ny\.json: X-1: has no affected\[\] list/s);
    const allWithdrawn = join(root, "all-withdrawn");
    write(allWithdrawn, "w.json", JSON.stringify(record("GHSA-eeee-eeee-eeee", "npm", "w", { withdrawn: "2024-01-01T00:00:00Z" })));
    expectUnusable(() => loadAdvisoryDatabase(allWithdrawn), allWithdrawn, /all its 1 records are withdrawn/);
  });

  it("loads 100,000 records from zips quickly", { timeout: 60_000 }, () => {
    const root = tempDir();
    // shaped like real GHSA records (aliases, severity, a versions list), a few KB each before compression
    const versions = Array.from({ length: 40 }, (_, i) => `1.${i}.0`);
    for (let part = 0; part < 4; part++) {
      const files: Record<string, Uint8Array> = {};
      for (let i = 0; i < 25_000; i++) {
        const id = `GHSA-${part}${String(i).padStart(5, "0")}`;
        const rec = record(id, "npm", `pkg-${i % 5000}`, {
          aliases: [`CVE-2024-${part}${i}`],
          summary: `advisory ${id}`,
          details: "Details that are not kept. ".repeat(20),
          severity: [{ type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H" }],
          references: [{ type: "ADVISORY", url: `https://github.com/advisories/${id}` }],
          database_specific: { severity: "CRITICAL", cwe_ids: ["CWE-79"] },
        });
        (rec.affected as Record<string, unknown>[])[0].versions = versions;
        files[`${id}.json`] = strToU8(JSON.stringify(rec));
      }
      write(root, `part${part}/all.zip`, zipSync(files, { level: 1 }));
    }
    const started = process.hrtime.bigint();
    const db = loadAdvisoryDatabase(root);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    assert.equal(db.stats.records, 100_000);
    assert.equal(db.affectedPackages("npm", "pkg-7").length, 20);
    // the brief is < 5 s on 2 cores; the bound leaves room for a busy test machine
    assert.ok(seconds < 10, `loading took ${seconds.toFixed(1)} s`);
  });
});

/** Every entry a zip holds, as text, or the reason it could not be had; and the archive's own problem. */
function readAll(zip: Uint8Array, max = 1 << 20): { entries: Record<string, string>; problem?: string } {
  const entries: Record<string, string> = {};
  const problem = readZipEntries(zip, max, {
    wanted: (name) => !name.endsWith("/"),
    entry: (name, result) => (entries[name] = typeof result === "string" ? `PROBLEM: ${result}` : Buffer.from(result).toString("utf8")),
  });
  return problem === undefined ? { entries } : { entries, problem };
}

/** A one-entry stored archive in ZIP64 form throughout (sizes and offset in the extra fields, ZIP64 end records), written by hand. */
function zip64Archive(name: string, content: string): Buffer {
  const nameBytes = Buffer.from(name);
  const data = Buffer.from(content);
  const u16 = (v: number) => Buffer.from([v & 0xff, v >>> 8]);
  const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); return b; };
  const u64 = (v: number) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); return b; };
  const crc = crc32(data);
  const local = Buffer.concat([u32(0x04034b50), u16(45), u16(0x800), u16(0), u16(0), u16(0), u32(crc), u32(0xffffffff), u32(0xffffffff), u16(nameBytes.length), u16(20), nameBytes, u16(1), u16(16), u64(data.length), u64(data.length), data]);
  const central = Buffer.concat([u32(0x02014b50), u16(45), u16(45), u16(0x800), u16(0), u16(0), u16(0), u32(crc), u32(0xffffffff), u32(0xffffffff), u16(nameBytes.length), u16(28), u16(0), u16(0), u16(0), u32(0), u32(0xffffffff), nameBytes, u16(1), u16(24), u64(data.length), u64(data.length), u64(0)]);
  const end64 = Buffer.concat([u32(0x06064b50), u64(44), u16(45), u16(45), u32(0), u32(0), u64(1), u64(1), u64(central.length), u64(local.length)]);
  const locator = Buffer.concat([u32(0x07064b50), u32(0), u64(local.length + central.length), u32(1)]);
  const end = Buffer.concat([u32(0x06054b50), u16(0), u16(0), u16(0xffff), u16(0xffff), u32(0xffffffff), u32(0xffffffff), u16(0)]);
  return Buffer.concat([local, central, end64, locator, end]);
}

const python = spawnSync("python3", ["-c", "import zipfile"], { encoding: "utf8" });
const noPython = python.status === 0 ? false : "python3 (its zipfile module writes the ZIP64 and data-descriptor archives) is not installed";

describe("zip archives", () => {
  it("reads stored and deflated entries, in directory order, and only the wanted ones", () => {
    const zip = zipSync({ "a/one.json": [strToU8('{"a":1}'), { level: 0 }], "b/two.json": [strToU8('{"b":2}'.repeat(100)), { level: 9 }], "dir/": new Uint8Array(0) });
    assert.deepEqual(readAll(zip), { entries: { "a/one.json": '{"a":1}', "b/two.json": '{"b":2}'.repeat(100) } });
  });

  it("reads ZIP64 archives: end records and extra fields", () => {
    const archive = zip64Archive("GHSA-z64.json", '{"id":"GHSA-z64"}');
    assert.deepEqual(readAll(archive), { entries: { "GHSA-z64.json": '{"id":"GHSA-z64"}' } });
  });

  it("reads what python's zipfile writes: over 65,535 entries (ZIP64) with data descriptors", { skip: noPython, timeout: 60_000 }, () => {
    const root = tempDir();
    const script = [
      "import sys, zipfile",
      // an unseekable stream makes zipfile write data descriptors after each entry
      "class Stream:",
      "    def __init__(self, f): self.f = f",
      "    def write(self, b): return self.f.write(b)",
      "    def flush(self): self.f.flush()",
      "with open(sys.argv[1], 'wb') as f, zipfile.ZipFile(Stream(f), 'w', zipfile.ZIP_DEFLATED) as z:",
      "    for i in range(70000): z.writestr(f'r/{i}.json', '{\"i\": %d}' % i)",
    ].join("\n");
    const file = join(root, "big.zip");
    const run = spawnSync("python3", ["-c", script, file], { encoding: "utf8" });
    assert.equal(run.status, 0, run.stderr);
    const zipCheck = spawnSync("python3", ["-c", "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(len(z.infolist()), z.infolist()[0].flag_bits & 8)", file], { encoding: "utf8" });
    assert.equal(zipCheck.stdout.trim(), "70000 8", "the fixture should be a ZIP64 archive with data descriptors");
    const { entries, problem } = readAll(readFileSync(file));
    assert.equal(problem, undefined);
    assert.equal(Object.keys(entries).length, 70000);
    assert.equal(entries["r/69999.json"], '{"i": 69999}');
  });

  it("the hand-written ZIP64 archive is one python's zipfile reads too", { skip: noPython }, () => {
    const root = tempDir();
    writeFileSync(join(root, "z64.zip"), zip64Archive("GHSA-z64.json", '{"id":"GHSA-z64"}'));
    const run = spawnSync("python3", ["-c", "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(z.read('GHSA-z64.json').decode())", join(root, "z64.zip")], { encoding: "utf8" });
    assert.equal(run.stdout.trim(), '{"id":"GHSA-z64"}', run.stderr);
  });

  it("names damaged entries and archives without giving up on the rest", () => {
    const good = strToU8('{"fixed":"1.2.3"}');
    const zip = Buffer.from(zipSync({ "a.json": [strToU8("x".repeat(5000)), { level: 9 }], "b.json": [good, { level: 0 }] }));
    // truncated: the directory at the end is gone
    assert.deepEqual(readAll(zip.subarray(0, zip.length - 30)), { entries: {}, problem: "is not a zip archive (it has no end-of-directory record)" });
    assert.deepEqual(readAll(new Uint8Array(5)), { entries: {}, problem: "is not a zip archive (it is too short)" });
    // a corrupted deflate stream, an entry claiming a method other than stored or deflated
    const corrupt = Buffer.from(zip);
    const dataStart = 30 + "a.json".length;
    corrupt.fill(0xff, dataStart, dataStart + 8);
    const directory = corrupt.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    const secondEntry = corrupt.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), directory + 4);
    corrupt.writeUInt16LE(12, secondEntry + 10);
    const read = readAll(corrupt);
    assert.equal(read.problem, undefined);
    assert.match(read.entries["a.json"], /^PROBLEM: cannot be inflated: /);
    assert.equal(read.entries["b.json"], "PROBLEM: uses compression method 12; only stored and deflated entries are read");
    // a stored entry with a changed byte is still JSON, but not what was written
    const flipped = Buffer.from(zip);
    flipped.write("9", flipped.indexOf(Buffer.from('{"fixed":"1.2.3"}')) + 12);
    assert.equal(readAll(flipped).entries["b.json"], "PROBLEM: is damaged (its CRC-32 does not match its contents)");
    // a directory entry cut short
    const cut = Buffer.from(zip);
    cut.writeUInt32LE(0, secondEntry);
    assert.match(readAll(cut).problem!, /^is a damaged zip archive: its central directory is damaged at byte \d+ \(entry 2 of 2\)$/);
  });

  it("never unpacks past the size bound, even when the directory understates an entry's size", () => {
    const zip = Buffer.from(zipSync({ "bomb.json": [strToU8("0".repeat(200_000)), { level: 9 }] }));
    assert.equal(readAll(zip, 100_000).entries["bomb.json"], "PROBLEM: is larger than 100000 bytes, which no OSV record is");
    const lying = Buffer.from(zip);
    const directory = lying.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    lying.writeUInt32LE(10, directory + 24);
    assert.match(readAll(lying, 100_000).entries["bomb.json"], /^PROBLEM: cannot be inflated: /);
  });
});

/** Dotted non-negative integers, missing parts zero (1.0 == 1): small enough to reason about in a property. */
const NUMERIC: VersionScheme = cachedScheme({
  name: "numeric",
  parse: (version) => (/^\d+(\.\d+)*$/.test(version) ? version.split(".").map(Number) : "it is not digits separated by dots"),
  compare(x, y) {
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
      const d = (x[i] ?? 0) - (y[i] ?? 0);
      if (d !== 0) return d;
    }
    return 0;
  },
});

const numericVersion = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 3 }).map((parts) => parts.join("."));
const semverVersion = fc
  .tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.option(fc.constantFrom("alpha", "alpha.1", "beta.2", "rc.1", "0"), { nil: undefined }))
  .map(([a, b, c, pre]) => `${a}.${b}.${c}${pre ? `-${pre}` : ""}`);
const pypiVersion = fc
  .tuple(numericVersion, fc.constantFrom("", "a1", "b2", "rc1", ".post1", ".dev0", "rc1.dev2", ".post1.dev1"))
  .map(([release, suffix]) => `${release}${suffix}`);
const dpkgVersion = fc
  .tuple(fc.constantFrom("", "1:"), numericVersion, fc.constantFrom("", "~rc1", "~~", "+dfsg"), fc.constantFrom("-1", "-2", "-1+deb12u1", "-1+deb12u10", "-1~bpo1"))
  .map(([epoch, upstream, tilde, revision]) => `${epoch}${upstream}${tilde}${revision}`);

function range(...events: [RangeEvent["kind"], string][]): AdvisoryRange {
  return { type: "ECOSYSTEM", events: events.map(([kind, version]) => ({ kind, version })) };
}

const schemes: [string, VersionScheme, fc.Arbitrary<string>][] = [
  ["a numeric scheme", NUMERIC, numericVersion],
  ["npm", NPM_SCHEME, semverVersion],
  ["PEP 440", PYPI_SCHEME, pypiVersion],
  ["dpkg", DPKG_SCHEME, dpkgVersion],
];

describe("OSV range semantics (properties)", () => {
  for (const [label, scheme, version] of schemes) {
    it(`${label}: introduced A, fixed B affects v exactly when A <= v < B`, () => {
      fc.assert(
        fc.property(version, version, version, (a, b, v) => {
          fc.pre(scheme.compare(a, b) < 0);
          const verdict = evaluateRange(range(["fixed", b], ["introduced", a]), v, scheme);
          const expected = scheme.compare(a, v) <= 0 && scheme.compare(v, b) < 0;
          assert.deepEqual(verdict, expected ? { affected: true, fixed: b } : { affected: false }, `${a} <= ${v} < ${b}`);
        }),
        { numRuns: 400, seed: 14 },
      );
    });

    it(`${label}: introduced 0, last_affected L affects v exactly when v <= L; limit L when v < L`, () => {
      fc.assert(
        fc.property(version, version, (l, v) => {
          assert.equal(evaluateRange(range(["introduced", "0"], ["last_affected", l]), v, scheme).affected, scheme.compare(v, l) <= 0);
          assert.equal(evaluateRange(range(["limit", l], ["introduced", "0"]), v, scheme).affected, scheme.compare(v, l) < 0);
        }),
        { numRuns: 300, seed: 15 },
      );
    });
  }

  it("two stretches: v is affected when inside either, and the fix given is the one ending its stretch", () => {
    fc.assert(
      fc.property(fc.uniqueArray(numericVersion, { minLength: 5, maxLength: 5, comparator: (x, y) => NUMERIC.compare(x, y) === 0 }), ([p, q, r, s, v]) => {
        const [a, b, c, d] = [p, q, r, s].sort(NUMERIC.compare);
        const verdict = evaluateRange(range(["introduced", c], ["fixed", b], ["fixed", d], ["introduced", a]), v, NUMERIC);
        const inFirst = NUMERIC.compare(a, v) <= 0 && NUMERIC.compare(v, b) < 0;
        const inSecond = NUMERIC.compare(c, v) <= 0 && NUMERIC.compare(v, d) < 0;
        assert.deepEqual(verdict, inFirst ? { affected: true, fixed: b } : inSecond ? { affected: true, fixed: d } : { affected: false });
      }),
      { numRuns: 400, seed: 16 },
    );
  });

  it("never throws on versions or bounds its scheme cannot read: the range is undecidable", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), (a, b, v) => {
        for (const scheme of [NUMERIC, NPM_SCHEME, PYPI_SCHEME, DPKG_SCHEME, SEMVER_SCHEME]) {
          const verdict = evaluateRange(range(["introduced", a || "0"], ["fixed", b || "1"]), v, scheme);
          const readable = [v, a || "0", b || "1"].every((x) => x === "0" || scheme.problem(x) === undefined);
          if (!readable) assert.equal(verdict.affected, "undecidable");
        }
      }),
      { numRuns: 300, seed: 17 },
    );
    const verdict = evaluateRange(range(["introduced", "0"], ["fixed", "1.x"]), "1.0", NUMERIC);
    assert.deepEqual(verdict, { affected: "undecidable", reason: 'its ECOSYSTEM range has fixed "1.x", which is not a numeric version: it is not digits separated by dots' });
  });

  it("explicit versions match as written or as an equal version; GIT ranges decide nothing", () => {
    const rules = { ecosystem: NUMERIC, semver: SEMVER_SCHEME };
    const entry = { ranges: [{ type: "GIT", events: [{ kind: "introduced" as const, version: "0" }, { kind: "fixed" as const, version: "abc123" }] }], versions: ["1.5", "garbage"] };
    assert.equal(evaluateAffected(entry, "1.5.0", rules).affected, true);
    assert.equal(evaluateAffected(entry, "1.4", rules).affected, false);
    assert.equal(evaluateAffected(entry, "garbage", rules).affected, true);
    assert.deepEqual(evaluateAffected(entry, "1.4", rules).undecidable, []);
    // an undecidable range is reported only when nothing else matched
    const mixed = { ranges: [range(["introduced", "0"], ["fixed", "x"]), range(["introduced", "1"], ["fixed", "2"])], versions: [] };
    assert.deepEqual(evaluateAffected(mixed, "1.5", rules), { affected: true, fixed: ["2"], lastAffected: [], undecidable: [] });
    assert.equal(evaluateAffected(mixed, "3", rules).undecidable.length, 1);
  });

  it("SEMVER ranges use semantic versioning, with or without a leading v", () => {
    const rules = { ecosystem: NUMERIC, semver: SEMVER_SCHEME, leadingV: true };
    const entry = { ranges: [{ type: "SEMVER", events: [{ kind: "introduced" as const, version: "0" }, { kind: "fixed" as const, version: "1.2.4" }] }], versions: [] };
    assert.deepEqual(evaluateAffected(entry, "v1.2.3", rules), { affected: true, fixed: ["1.2.4"], lastAffected: [], undecidable: [] });
    assert.equal(evaluateAffected(entry, "1.2.4-rc.1", rules).affected, true);
    assert.equal(evaluateAffected(entry, "v1.2.4", rules).affected, false);
  });
});
