// A generated OSV database shaped like osv.dev's exports (one all.zip per ecosystem), and components
// to check against it: most named in the database at random versions, some not, so the matcher pays
// for hits, misses, range walks and alias merging. Deterministic (seeded) so runs compare.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { zipSync, strToU8 } from "fflate";

const CVSS = ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.1/AV:N/AC:H/PR:L/UI:R/S:U/C:L/I:L/A:N", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N"];

/** A small, fast, seeded generator (mulberry32). */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface EcosystemShape {
  ecosystem: string;
  share: number;
  name: (i: number) => string;
  version: (random: () => number) => string;
  purl: (name: string, version: string) => string;
}

const int = (random: () => number, n: number) => Math.floor(random() * n);

export const ECOSYSTEMS: EcosystemShape[] = [
  { ecosystem: "npm", share: 0.3, name: (i) => (i % 7 === 0 ? `@scope${i % 50}/pkg-${i}` : `pkg-${i}`), version: (r) => `${int(r, 5)}.${int(r, 20)}.${int(r, 30)}`, purl: (n, v) => `pkg:npm/${n.replace("@", "%40")}@${v}` },
  { ecosystem: "PyPI", share: 0.2, name: (i) => `py-package-${i}`, version: (r) => `${int(r, 5)}.${int(r, 20)}${r() < 0.2 ? `rc${int(r, 3) + 1}` : `.${int(r, 10)}`}`, purl: (n, v) => `pkg:pypi/${n}@${v}` },
  { ecosystem: "Debian:12", share: 0.25, name: (i) => `deb-src-${i}`, version: (r) => `${r() < 0.1 ? "1:" : ""}${int(r, 5)}.${int(r, 20)}-${int(r, 5) + 1}${r() < 0.5 ? `+deb12u${int(r, 12) + 1}` : ""}`, purl: (n, v) => `pkg:deb/debian/${n}@${v}?distro=debian-12` },
  { ecosystem: "Maven", share: 0.15, name: (i) => `org.example${i % 100}:artifact-${i}`, version: (r) => `${int(r, 5)}.${int(r, 20)}.${int(r, 10)}${r() < 0.1 ? "-RC1" : ""}`, purl: (n, v) => `pkg:maven/${n.replace(":", "/")}@${v}` },
  { ecosystem: "Go", share: 0.1, name: (i) => `example.com/mod${i % 100}/pkg${i}`, version: (r) => `${int(r, 3)}.${int(r, 20)}.${int(r, 10)}`, purl: (n, v) => `pkg:golang/${n}@v${v}` },
];

/** Packages per ecosystem: about four advisories per package, as popular packages collect several. */
const packagesFor = (advisories: number) => Math.max(1, Math.floor(advisories / 4));

function record(shape: EcosystemShape, index: number, packages: number, random: () => number): object {
  const name = shape.name(int(random, packages));
  const introduced = random() < 0.3 ? "0" : shape.version(random);
  const fixed = shape.version(random);
  const id = `${shape.ecosystem.startsWith("Debian") ? "DSA" : "GHSA"}-${index.toString(36)}-${int(random, 1e6).toString(36)}`;
  const cve = `CVE-20${20 + int(random, 7)}-${10000 + index}`;
  return {
    schema_version: "1.6.0",
    id,
    modified: `2026-${String(1 + int(random, 11)).padStart(2, "0")}-${String(1 + int(random, 28)).padStart(2, "0")}T00:00:00Z`,
    published: "2025-06-01T00:00:00Z",
    aliases: [cve],
    summary: `Generated advisory ${index} for ${name}`,
    details: "A generated record for the benchmark: the shape of an osv.dev export entry, with ranges, aliases, severity and references. ".repeat(2),
    ...(random() < 0.7 ? { severity: [{ type: CVSS[int(random, CVSS.length)].startsWith("CVSS:4") ? "CVSS_V4" : "CVSS_V3", score: CVSS[int(random, CVSS.length)] }] } : {}),
    affected: [
      {
        package: { ecosystem: shape.ecosystem, name, purl: shape.purl(name, "").replace(/@(\?|$)/, "$1") },
        ranges: [{ type: shape.ecosystem === "npm" || shape.ecosystem === "Go" ? "SEMVER" : "ECOSYSTEM", events: random() < 0.15 ? [{ introduced }, { last_affected: fixed }] : [{ introduced }, { fixed }] }],
        ...(random() < 0.1 ? { versions: [shape.version(random), shape.version(random)] } : {}),
        database_specific: { source: "generated" },
      },
    ],
    references: [{ type: "ADVISORY", url: `https://advisories.example/${id}` }],
    database_specific: { severity: ["LOW", "MODERATE", "HIGH", "CRITICAL"][int(random, 4)] },
  };
}

/** Writes `<dir>/<Ecosystem>/all.zip` for `total` advisories; returns the bytes of JSON written. */
export function writeOsvCorpus(dir: string, total: number, seed = 14): { files: number; jsonBytes: number } {
  const random = seeded(seed);
  let index = 0;
  let jsonBytes = 0;
  for (const shape of ECOSYSTEMS) {
    const entries: Record<string, Uint8Array> = {};
    const count = Math.round(total * shape.share);
    for (let i = 0; i < count; i++, index++) {
      const body = record(shape, index, packagesFor(count), random) as { id: string };
      const text = JSON.stringify(body);
      jsonBytes += text.length;
      entries[`${body.id}.json`] = strToU8(text);
    }
    const folder = join(dir, shape.ecosystem.split(":")[0]);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, "all.zip"), zipSync(entries, { level: 1 }));
  }
  return { files: ECOSYSTEMS.length, jsonBytes };
}

/** Package URLs to check: `hitShare` of them named in the corpus (at random versions), the rest not. */
export function componentPurls(count: number, total: number, hitShare = 0.75, seed = 15): string[] {
  const random = seeded(seed);
  return Array.from({ length: count }, (_, i) => {
    let pick = random();
    const shape = ECOSYSTEMS.find((s) => (pick -= s.share) < 0) ?? ECOSYSTEMS[0];
    const known = random() < hitShare;
    const name = known ? shape.name(int(random, packagesFor(Math.round(total * shape.share)))) : shape.name(10_000_000 + i);
    return shape.purl(name, shape.version(random));
  });
}
