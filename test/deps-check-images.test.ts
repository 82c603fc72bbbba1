// deps:check --image on the repo's own images: a Debian-based image (dpkg database) and a busybox-based
// one (no package database), each against an SBOM that matches what the image holds and one that
// deliberately leaves a package out. A vulnerable package the SBOM hides is still found in the image.
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import Docker from "dockerode";
import { inventoryImage } from "../deps/inventory/image";
import type { Component } from "../deps/model";
import { dockerUnavailableSync } from "../sandbox/docker-availability";
import { CRITICAL_CVSS, cyclonedx, runDeps, scratchDir, scratchStack, writeOsvDatabase } from "./support/deps-fixtures";
import { minimalConfig } from "./support/stack-config";

const DEBIAN_IMAGE = "platform/debian-minbase:bookworm";
const BUSYBOX_IMAGE = "platform/demo-app:dev";
const skip = dockerUnavailableSync([DEBIAN_IMAGE, BUSYBOX_IMAGE]);

describe("deps:check --image on the repo's own images", { skip }, () => {
  const work = scratchDir("deps-images");
  let debian: Component[] = [];
  let glibc: Component;
  let database: string;
  const sbom = (name: string, components: readonly { purl: string }[]) => {
    const file = join(work, name);
    writeFileSync(file, JSON.stringify(cyclonedx(components.map((c) => c.purl))));
    return file;
  };

  before(async () => {
    debian = (await inventoryImage(new Docker(), DEBIAN_IMAGE)).components;
    glibc = debian.find((c) => c.name === "libc6")!;
    assert.ok(glibc?.source?.name === "glibc", "libc6 is built from glibc");
    // an advisory fixed just after the image's own glibc: the image is affected, whatever its exact version
    database = writeOsvDatabase(join(work, "osv"), [
      { id: "DSA-9999-1", ecosystem: "Debian:12", name: "glibc", fixed: `${glibc.source!.version}+1`, aliases: ["CVE-2099-0001"], cvss: CRITICAL_CVSS },
      { id: "DSA-9998-1", ecosystem: "Debian:12", name: "not-in-this-image", fixed: "1.0-1" },
    ]);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it("an SBOM that lists what the Debian image holds: no difference, and glibc's advisory found in both", () => {
    const run = runDeps("check", ["--sbom", sbom("debian-full.json", debian), "--image", DEBIAN_IMAGE, "--vuln-db", database, "--format", "json"]);
    assert.equal(run.status, 1, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.deepEqual(report.inventoryDiff, { missingFromSbom: [], missingFromImage: [], versionDiffers: [] });
    assert.equal(report.image.distribution, "debian 12");
    assert.equal(report.summary.componentsUnchecked, 0);
    const glibcBuilt = report.findings.filter((f: { source?: { name: string } }) => f.source?.name === "glibc");
    assert.ok(glibcBuilt.some((f: { name: string }) => f.name === "libc6"));
    for (const finding of glibcBuilt) {
      assert.deepEqual(finding.foundIn, ["sbom", "image"]);
      assert.equal(finding.vulnerabilities[0].id, "DSA-9999-1");
    }
  });

  it("an SBOM that leaves libc6 out: the image still gives it away, it is named as missing, and it rejects", () => {
    const incomplete = debian.filter((c) => c.name !== "libc6");
    const run = runDeps("check", ["--sbom", sbom("debian-incomplete.json", incomplete), "--image", DEBIAN_IMAGE, "--vuln-db", database]);
    assert.equal(run.status, 1, run.stderr);
    assert.match(run.stdout, /In the image but not in the SBOM \(1\):\n\n- pkg:deb\/debian\/libc6@/);
    assert.match(run.stdout, new RegExp(`- libc6 ${glibc.version.replace(/[.+]/g, "\\$&")} \\(Debian:12\\): DSA-9999-1 \\(CVE-2099-0001\\): severity critical`));
    assert.match(run.stdout, /\| libc6 [^|]*\| image \| DSA-9999-1 \|/);
  });

  it("with platform:admission.incompleteSbom: reject, the missing package is a reason of its own", () => {
    const { stack, remove } = scratchStack({ ...minimalConfig(), admission: { incompleteSbom: "reject" } });
    try {
      const clean = writeOsvDatabase(join(work, "osv-clean"), [{ id: "DSA-9998-1", ecosystem: "Debian:12", name: "not-in-this-image", fixed: "1.0-1" }]);
      const run = runDeps("check", ["--sbom", join(work, "debian-incomplete.json"), "--image", DEBIAN_IMAGE, "--vuln-db", clean, "--stack", stack]);
      assert.equal(run.status, 1, run.stderr);
      assert.match(run.stdout, /- the image holds 1 package its SBOM leaves out \(platform:admission\.incompleteSbom: reject\): pkg:deb\/debian\/libc6@/);
      const lenient = runDeps("check", ["--sbom", join(work, "debian-incomplete.json"), "--image", DEBIAN_IMAGE, "--vuln-db", clean]);
      assert.equal(lenient.status, 0, "the default policy reports it and admits");
    } finally {
      remove();
    }
  });

  it("a busybox-based image holds no package database: an SBOM that claims a package is contradicted, and nothing is passed off as read from the image", () => {
    const run = runDeps("check", ["--sbom", sbom("busybox.json", [{ purl: "pkg:npm/left-pad@1.3.0" }]), "--image", BUSYBOX_IMAGE, "--vuln-db", database, "--format", "json"]);
    assert.equal(run.status, 0, run.stderr);
    const report = JSON.parse(run.stdout);
    assert.equal(report.image.components, 0);
    assert.deepEqual(report.inventoryDiff.missingFromImage, ["pkg:npm/left-pad@1.3.0"]);
    assert.ok(report.inputProblems.some((p: { input: string; problem: string }) => p.input === "image" && /dpkg/.test(p.problem)), JSON.stringify(report.inputProblems));
  });

  it("leaves no inventory container behind", async () => {
    const left = await new Docker().listContainers({ all: true, filters: { label: ["platform.deps-inventory"] } });
    assert.deepEqual(left.map((c) => c.Id), []);
  });
});
