// Golden tests of OSV matching: hand-written advisories (test/golden/deps-osv/db, one folder per
// ecosystem, as osv.dev exports them unpacked) against components from package URLs, asserting exactly
// which advisory ids each component matches, with the ecosystems' own version rules (deps/versions).
import assert from "node:assert/strict";
import { join } from "node:path";
import { before, describe, it } from "node:test";
import { componentFromPurl } from "../deps/ecosystems";
import type { Component } from "../deps/model";
import { AdvisoryDatabase, loadAdvisoryDatabase } from "../deps/osv/load";
import { ComponentMatch, matchComponent, matchComponents } from "../deps/osv/match";
import { severityOf } from "../deps/osv/severity";
import { REPO_ROOT } from "./support/stack-config";

const DB_DIR = join(REPO_ROOT, "test/golden/deps-osv/db");

function component(purl: string): Component {
  const result = componentFromPurl(purl, { kind: "sbom" });
  assert.equal(typeof result, "object", `test purl ${purl} does not parse: ${String(result)}`);
  return result as Component;
}

/** purl → the primary ids of the vulnerabilities it must match (most severe first, then by id), nothing else */
const EXPECTED: Record<string, string[]> = {
  // Debian: binary packages through their source, +debNuM, epochs, ~, releases
  "pkg:deb/debian/libc6@2.36-9%2Bdeb12u3?arch=amd64&distro=debian-12&upstream=glibc": ["DSA-9001-1"],
  "pkg:deb/debian/libc-bin@2.36-9%2Bdeb12u3?arch=amd64&distro=debian-12&upstream=glibc": ["DSA-9001-1"],
  "pkg:deb/debian/libc6@2.36-9%2Bdeb12u4?arch=amd64&distro=debian-12&upstream=glibc": [],
  "pkg:deb/debian/libc6@2.36-9%2Bdeb12u10?arch=amd64&distro=debian-12&upstream=glibc": [],
  "pkg:deb/debian/libc6@2.31-13%2Bdeb11u5?arch=amd64&distro=debian-11&upstream=glibc": ["DLA-9002-1"],
  "pkg:deb/debian/glibc@2.36-9%2Bdeb12u3?distro=debian-12": ["DSA-9001-1"],
  "pkg:deb/debian/epochpkg@1%3A2.0-1?distro=debian-12": [],
  "pkg:deb/debian/epochpkg@2.0-1?distro=debian-12": ["DSA-9003-1"],
  "pkg:deb/debian/tildepkg@1.0~rc1-1?distro=debian-12": ["DSA-9004-1"],
  "pkg:deb/debian/tildepkg@1.0~rc2-1?distro=debian-12": [],
  "pkg:deb/debian/tildepkg@1.0-1?distro=debian-12": [],
  "pkg:deb/debian/openssh-client@1%3A9.2p1-2%2Bdeb12u2?distro=debian-12&upstream=openssh": ["DSA-9005-1"],
  "pkg:deb/debian/openssh-client@9.9p1-1?distro=debian-12&upstream=openssh": ["DSA-9005-1"],
  "pkg:deb/debian/openssh-client@1%3A9.2p1-2%2Bdeb12u3?distro=debian-12&upstream=openssh": [],
  // PyPI: PEP 503 names on both sides, pre/post/dev releases, zero padding, listed versions, aliases
  "pkg:pypi/Django_REST.framework@3.0": ["PYSEC-2099-2"],
  "pkg:pypi/django-rest-framework@3.1.0": [],
  "pkg:pypi/djangorestframework@2.5": ["PYSEC-2099-1"],
  "pkg:pypi/DjangoRestFramework@1.5": ["PYSEC-2099-1"],
  "pkg:pypi/postpkg@1.0": ["PYSEC-2099-3"],
  "pkg:pypi/postpkg@1.0.post0": ["PYSEC-2099-3"],
  "pkg:pypi/postpkg@1.0.post1.dev1": ["PYSEC-2099-3"],
  "pkg:pypi/postpkg@1.0.post1": [],
  "pkg:pypi/prepkg@2.0rc1": ["PYSEC-2099-4"],
  "pkg:pypi/prepkg@2.0.dev1": ["PYSEC-2099-4"],
  "pkg:pypi/prepkg@2.0": [],
  "pkg:pypi/prepkg@1.0a1": [],
  "pkg:pypi/prepkg@1.0.dev1": [],
  "pkg:pypi/padpkg@1.0": [],
  "pkg:pypi/padpkg@0.9": ["PYSEC-2099-5"],
  "pkg:pypi/listedpkg@1.5.0": ["PYSEC-2099-6"],
  "pkg:pypi/listedpkg@1.7rc1": ["PYSEC-2099-6"],
  "pkg:pypi/listedpkg@1.6": [],
  // npm: pre-releases inside a range, last_affected, limit, two stretches, versions[] beside a GIT range, withdrawn
  "pkg:npm/%40scope/pkg@1.0.0-beta.2": ["GHSA-npm1-beta-0001"],
  "pkg:npm/%40scope/pkg@1.0.0-beta.1": ["GHSA-npm1-beta-0001"],
  "pkg:npm/%40scope/pkg@1.0.0-alpha": [],
  "pkg:npm/%40scope/pkg@1.0.0": [],
  "pkg:npm/lastpkg@2.3.0": ["GHSA-npm2-last-0001"],
  "pkg:npm/lastpkg@2.3.1": [],
  "pkg:npm/limitpkg@1.5.0": ["GHSA-npm3-limt-0001"],
  "pkg:npm/limitpkg@2.0.0": [],
  "pkg:npm/limitpkg@0.9.0": [],
  "pkg:npm/multipkg@1.1.0": ["GHSA-npm4-mult-0001"],
  "pkg:npm/multipkg@1.5.0": [],
  "pkg:npm/multipkg@2.0.1": ["GHSA-npm4-mult-0001"],
  "pkg:npm/multipkg@2.0.5": [],
  "pkg:npm/listpkg@1.2.3": ["GHSA-npm6-list-0001"],
  "pkg:npm/listpkg@1.2.4": [],
  "pkg:npm/sevpkg@1.0.0": ["GHSA-npm7-cvs4-0001", "GHSA-npmc-cvs2-0001", "GHSA-npma-ovrd-0001", "GHSA-npm8-badv-0001", "GHSA-npmb-zero-0001", "GHSA-npm9-none-0001"],
  "pkg:npm/sevpkg@1.0.3": ["GHSA-npmc-cvs2-0001", "GHSA-npma-ovrd-0001", "GHSA-npmb-zero-0001"],
  "pkg:npm/chainpkg@2.0.0": ["GHSA-tr01-0000-0001", "GHSA-tr04-0000-0001"],
  "pkg:npm/chainpkg@0.5.0": ["GHSA-tr01-0000-0001", "GHSA-tr04-0000-0001"],
  "pkg:npm/chainpkg@2.7.0": ["GHSA-tr01-0000-0001", "GHSA-tr04-0000-0001"],
  "pkg:npm/chainpkg@9.0.0": [],
  "pkg:npm/badboundpkg@1.0.0": [],
  // Maven: group:artifact, SNAPSHOT and RC before the release, 1.2 == 1.2.0
  "pkg:maven/org.example/lib@2.0.0-RC1": ["GHSA-mvn1-snap-0001"],
  "pkg:maven/org.example/lib@1.9": ["GHSA-mvn1-snap-0001"],
  "pkg:maven/org.example/lib@2.0.0-SNAPSHOT": [],
  "pkg:maven/org.example/lib@2.0.0": [],
  "pkg:maven/org.example/other@1.2-SNAPSHOT": ["GHSA-mvn2-ga00-0001"],
  "pkg:maven/org.example/other@1.2.0": [],
  "pkg:maven/org.example/other@1.0-RC1": [],
  "pkg:maven/com.example/lib@1.0": [],
  // Go: the component's v1.2.3 against the records' 1.2.4
  "pkg:golang/github.com/example/mod@v1.2.3": ["GO-2099-0001"],
  "pkg:golang/github.com/example/mod@v0.9.0": ["GO-2099-0001"],
  "pkg:golang/github.com/example/mod@v1.2.4": [],
  // Alpine: through the origin package, release-keyed
  "pkg:apk/alpine/libssl3@3.1.4-r0?distro=alpine-3.19.0&upstream=openssl": ["ALPINE-CVE-2099-5000"],
  "pkg:apk/alpine/libssl3@3.1.4-r1?distro=alpine-3.19.0&upstream=openssl": [],
  "pkg:apk/alpine/libssl3@3.1.4-r0?distro=alpine-3.18.4&upstream=openssl": [],
};

describe("OSV matching: golden advisories per ecosystem", () => {
  let db: AdvisoryDatabase;
  const byPurl = new Map<string, ComponentMatch>();

  before(() => {
    db = loadAdvisoryDatabase(DB_DIR);
    for (const match of matchComponents(db, Object.keys(EXPECTED).map(component))) byPurl.set(match.component.purl, match);
  });

  const match = (purl: string) => {
    const found = byPurl.get(purl) ?? matchComponent(db, component(purl));
    return found;
  };
  const vulnerability = (purl: string, id: string) => {
    const found = match(purl).vulnerabilities.find((v) => v.id === id);
    assert.ok(found, `${purl} should match ${id}`);
    return found;
  };

  it("loads the golden database with its withdrawn record counted apart", () => {
    assert.equal(db.stats.records, 33);
    assert.equal(db.stats.withdrawn, 1);
    assert.deepEqual(db.stats.broken, []);
    assert.deepEqual(db.stats.perEcosystem, { "Alpine:v3.19": 1, "Debian:11": 1, "Debian:12": 4, Go: 2, Maven: 2, PyPI: 7, npm: 16 });
    assert.equal(db.stats.newestModified, "2099-03-01T00:00:00Z");
  });

  it("matches every component with exactly the expected advisories", () => {
    const actual = Object.fromEntries(Object.keys(EXPECTED).map((purl) => [purl, match(purl).vulnerabilities.map((v) => v.id)]));
    assert.deepEqual(actual, EXPECTED);
  });

  it("reports no problem except where a record's bound cannot be read", () => {
    const withProblems = [...byPurl.values()].filter((m) => m.problems.length).map((m) => m.component.purl);
    assert.deepEqual(withProblems, ["pkg:npm/badboundpkg@1.0.0"]);
    const problem = match("pkg:npm/badboundpkg@1.0.0").problems[0];
    assert.match(problem, /^GHSA-npmd-bad-0001: cannot tell whether badboundpkg@1\.0\.0 is affected: .*fixed "not-a-version", which is not a SemVer 2\.0 version/);
    assert.equal(match("pkg:npm/badboundpkg@1.0.0").unchecked, false);
  });

  it("Debian: matches a binary through its source name and version, fixed version as the advisory writes it", () => {
    const found = vulnerability("pkg:deb/debian/libc6@2.36-9%2Bdeb12u3?arch=amd64&distro=debian-12&upstream=glibc", "DSA-9001-1");
    assert.deepEqual(found.fixed, ["2.36-9+deb12u4"]);
    assert.deepEqual(found.aliases, ["CVE-2099-0001"]);
    assert.equal(found.summary, "glibc: buffer overflow");
    assert.equal(found.url, "https://osv.dev/vulnerability/DSA-9001-1");
    assert.deepEqual(vulnerability("pkg:deb/debian/openssh-client@1%3A9.2p1-2%2Bdeb12u2?distro=debian-12&upstream=openssh", "DSA-9005-1").fixed, ["1:9.2p1-2+deb12u3"]);
  });

  it("PyPI: merges PYSEC and GHSA linked through a CVE, with the highest known severity and the union of ids", () => {
    const found = vulnerability("pkg:pypi/djangorestframework@2.5", "PYSEC-2099-1");
    assert.deepEqual(found.aliases, ["CVE-2099-1000", "GHSA-aaaa-bbbb-cccc"]);
    assert.deepEqual(found.severity, { level: "critical", score: 9.8, vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", source: "CVSS v3.1" });
    assert.deepEqual(found.fixed, ["3.1.0"]);
    // below the GHSA's range only the PYSEC record matches: no merge, and its severity is unknown (not low)
    const alone = vulnerability("pkg:pypi/DjangoRestFramework@1.5", "PYSEC-2099-1");
    assert.deepEqual(alone.aliases, ["CVE-2099-1000"]);
    assert.equal(alone.severity.level, "unknown");
  });

  it("npm: last_affected is reported instead of a fix, and only the fix closing the version's stretch is given", () => {
    const last = vulnerability("pkg:npm/lastpkg@2.3.0", "GHSA-npm2-last-0001");
    assert.deepEqual(last.fixed, []);
    assert.deepEqual(last.lastAffected, ["2.3.0"]);
    assert.deepEqual(vulnerability("pkg:npm/multipkg@1.1.0", "GHSA-npm4-mult-0001").fixed, ["1.2.0"]);
    assert.deepEqual(vulnerability("pkg:npm/multipkg@2.0.1", "GHSA-npm4-mult-0001").fixed, ["2.0.5"]);
    assert.deepEqual(vulnerability("pkg:npm/limitpkg@1.5.0", "GHSA-npm3-limt-0001").fixed, []);
  });

  it("merges aliases transitively, only among the advisories that matched", () => {
    const all = vulnerability("pkg:npm/chainpkg@2.0.0", "GHSA-tr01-0000-0001");
    assert.deepEqual(all.aliases, ["CVE-2099-3001", "CVE-2099-3002", "GHSA-tr02-0000-0001", "GHSA-tr03-0000-0001"]);
    assert.deepEqual(all.fixed, ["2.5.0", "3.0.0"]);
    assert.deepEqual(all.severity, { level: "high", source: "database_specific.severity" });
    assert.deepEqual(vulnerability("pkg:npm/chainpkg@0.5.0", "GHSA-tr01-0000-0001").aliases, ["CVE-2099-3001", "CVE-2099-3002", "GHSA-tr02-0000-0001"]);
    const late = vulnerability("pkg:npm/chainpkg@2.7.0", "GHSA-tr01-0000-0001");
    assert.deepEqual(late.aliases, ["CVE-2099-3001"]);
    assert.equal(late.severity.level, "low");
    assert.deepEqual(vulnerability("pkg:npm/chainpkg@2.0.0", "GHSA-tr04-0000-0001").aliases, ["CVE-2099-3999"]);
  });

  it("Go: the GO id is primary over the GHSA it is linked with, fixed as the record writes it", () => {
    const found = vulnerability("pkg:golang/github.com/example/mod@v1.2.3", "GO-2099-0001");
    assert.deepEqual(found.aliases, ["CVE-2099-4000", "GHSA-goex-0000-0001"]);
    assert.deepEqual(found.fixed, ["1.2.4"]);
    assert.deepEqual(found.severity, { level: "medium", score: 5.5, vector: "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N", source: "CVSS v3.1" });
  });

  it("severity: v4 over v3, per-package over the record's, v2 bands, none at 0, a broken vector falls back, unknown never low", () => {
    const purl = "pkg:npm/sevpkg@1.0.0";
    assert.deepEqual(vulnerability(purl, "GHSA-npm7-cvs4-0001").severity, { level: "critical", score: 9.3, vector: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", source: "CVSS v4.0" });
    assert.deepEqual(vulnerability(purl, "GHSA-npma-ovrd-0001").severity, { level: "medium", score: 6.1, vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", source: "CVSS v3.1" });
    assert.deepEqual(vulnerability(purl, "GHSA-npmc-cvs2-0001").severity, { level: "high", score: 7.5, vector: "AV:N/AC:L/Au:N/C:P/I:P/A:P", source: "CVSS v2" });
    assert.deepEqual(vulnerability(purl, "GHSA-npmb-zero-0001").severity, { level: "none", score: 0, vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", source: "CVSS v3.1" });
    const broken = vulnerability(purl, "GHSA-npm8-badv-0001").severity;
    assert.equal(broken.level, "medium");
    assert.equal(broken.source, "database_specific.severity");
    assert.equal(broken.notes?.length, 1);
    assert.match(broken.notes![0], /CVSS_V3 "CVSS:3\.1\/AV:N\/AC:L\/PR:N\/UI:N\/S:U\/C:H\/I:H\/A:Q" is not a valid CVSS v3\.1 vector/);
    assert.deepEqual(vulnerability(purl, "GHSA-npm9-none-0001").severity, { level: "unknown", source: "none stated" });
  });

  it("does not match components that carry a problem, have no ecosystem, or a version their ecosystem cannot read", () => {
    const cargo = match("pkg:cargo/foo@1.0");
    assert.equal(cargo.unchecked, true);
    assert.match(cargo.problems[0], /purl type "cargo"/);
    const noRelease = match("pkg:deb/debian/libc6@2.36-9%2Bdeb12u3?upstream=glibc");
    assert.equal(noRelease.unchecked, true);
    assert.match(noRelease.problems[0], /Debian release is unknown/);
    const badVersion = match("pkg:npm/lastpkg@latest");
    assert.deepEqual(badVersion.vulnerabilities, []);
    assert.equal(badVersion.unchecked, true);
    assert.match(badVersion.problems[0], /^version "latest" is not a npm \(semver\) version: .*; not checked$/);
    const noEcosystem: Component = { purl: "pkg:generic/x@1", type: "generic", name: "x", version: "1", origin: { kind: "sbom" } };
    assert.match(matchComponent(db, noEcosystem).problems[0], /no OSV ecosystem is known for purl type "generic"/);
  });

  it("matches identical components once and keeps distinct ones apart", () => {
    const a = component("pkg:npm/lastpkg@2.3.0");
    const sameAgain = component("pkg:npm/lastpkg@2.3.0");
    const elsewhere: Component = { ...a, origin: { kind: "image", path: "usr/lib/node_modules/lastpkg/package.json" } };
    const matches = matchComponents(db, [a, sameAgain, elsewhere]);
    assert.equal(matches.length, 2);
    assert.equal(matches[0].component, a);
    assert.equal(matches[1].component, elsewhere);
    assert.deepEqual(matches[1].vulnerabilities, matches[0].vulnerabilities);
  });

  it("scores known CVSS vectors as their specifications do", () => {
    const cases: [string, string, number, string][] = [
      ["CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8, "critical"],
      ["CVSS_V3", "CVSS:3.0/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1, "medium"],
      ["CVSS_V3", "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 5.9, "medium"],
      ["CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5, "high"],
      ["CVSS_V3", "CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.6, "low"],
      ["CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N", 9.3, "critical"],
      ["CVSS_V4", "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U", 9.3, "critical"],
      ["CVSS_V2", "AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5, "high"],
      ["CVSS_V2", "AV:N/AC:M/Au:N/C:N/I:P/A:N", 4.3, "medium"],
      ["CVSS_V2", "AV:L/AC:H/Au:N/C:N/I:N/A:P", 1.2, "low"],
    ];
    for (const [type, vector, score, level] of cases) {
      const severity = severityOf({ scores: [{ type, score: vector }] });
      assert.equal(severity.score, score, vector);
      assert.equal(severity.level, level, vector);
    }
    // an incomplete vector has no base score: noted, and the next source is used
    const partial = severityOf({ scores: [{ type: "CVSS_V3", score: "CVSS:3.1/AV:N/AC:L" }], databaseSeverity: "LOW" });
    assert.equal(partial.level, "low");
    assert.match(partial.notes![0], /lacks some base metrics/);
    assert.equal(severityOf({ scores: [{ type: "CVSS_V3", score: "garbage" }] }).level, "unknown");
    assert.equal(severityOf({ scores: [{ type: "Ubuntu", score: "high" }] }).level, "high");
    assert.equal(severityOf({ scores: [], databaseSeverity: "whatever" }).level, "unknown");
  });
});
