// The offline checker: the three input kinds, malformed input, output formats and exit codes.
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import type { CheckReport } from "../checker/report";
import { CONTAINER, hardenedAppProps } from "./fixtures/policy/resources";
import { runChecker } from "./support/checker-run";

const REPO = join(__dirname, "..");
const FIXTURES = join(__dirname, "fixtures", "policy");
const fixture = (name: string) => join(FIXTURES, name);

const run = (args: string[]) => runChecker(args);

async function runJson(args: string[]): Promise<{ code: number; report: CheckReport }> {
  const result = await run(["--format", "json", ...args]);
  return { code: result.code, report: JSON.parse(result.out) };
}

describe("platform-policy-check", () => {
  const dir = mkdtempSync(join(tmpdir(), "policy-checker-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe("app manifests", () => {
    it("admits a manifest whose container would be compliant (YAML)", async () => {
      const { code, report } = await runJson([fixture("app-manifest.yaml")]);
      assert.equal(code, 0);
      assert.equal(report.files[0].kind, "app-manifest");
      assert.equal(report.files[0].resources, 2, "the app's network and container");
      assert.deepEqual(report.files[0].findings, []);
    });

    it("rejects an unpinned image with the rule, field and fix", async () => {
      const { code, report } = await runJson([fixture("app-manifest-unpinned.yaml")]);
      assert.equal(code, 1);
      assert.deepEqual(
        report.files[0].findings.map((f) => [f.ruleId, f.field, f.message]),
        [["cis-5.28-image-pinned", "image", 'container "plat-vetting-app-weather-widget": image is "registry.example/vendor/weather-widget:latest" (not pinned by digest: the tag can move). Fix: reference the image as name@sha256:<64 hex digits>']],
      );
    });

    it("rejects what the schema forbids, naming each manifest path (JSON)", async () => {
      const { code, report } = await runJson([fixture("app-manifest-escalation.json")]);
      assert.equal(code, 1);
      assert.deepEqual(report.files[0].findings.map((f) => [f.ruleId, f.field]).sort(), [
        ["manifest-schema", "app:env.DB_PASSWORD"],
        ["manifest-schema", "app:privileged"],
        ["manifest-schema", "app:resources.memoryMb"],
      ]);
    });
  });

  describe("app manifests vetted inside a stack (--stack)", { timeout: 120_000 }, () => {
    const devStack = join(REPO, "Pulumi.dev.yaml");
    const devConfig = join(REPO, "policies", "config", "dev.json");

    it("checks every resource of the dev stack with the app admitted, stack rules included", async () => {
      const { code, report } = await runJson(["--stack", devStack, "--config", devConfig, fixture("app-manifest.yaml")]);
      const file = report.files[0];
      assert.equal(file.error, undefined);
      assert.equal(code, 0, JSON.stringify(file.findings.filter((f) => f.enforcementLevel === "mandatory")));
      const names = new Set(file.findings.map((f) => f.resourceName));
      assert.ok(file.resources > 20, `the whole stack is checked (${file.resources} resources)`);
      assert.ok(!names.has("platform-app-weather-widget-container"), "the vetted app itself has no finding (its image is pinned)");
    });

    it("rejects a manifest that grants a service the stack does not have, naming the manifest's own path", async () => {
      const manifest = join(dir, "needs-billing.yaml");
      writeFileSync(manifest, `name: invoicer\nimage: registry.example/invoicer@sha256:${"e".repeat(64)}\nservices:\n  - name: billing\n`);
      const { code, report } = await runJson(["--stack", devStack, manifest]);
      assert.equal(code, 1);
      assert.deepEqual(
        report.files[0].findings.map((f) => [f.ruleId, f.field]),
        [["manifest-schema", "app:services[0].name"]],
      );
    });
  });

  describe("stack exports", () => {
    it("checks every resource's inputs, with the stack rules, and exits 1", async () => {
      const { code, out } = await run([fixture("insecure-stack.export.json")]);
      assert.equal(code, 1);
      assert.match(out, /^  container "platform-app-alpha-container" \(docker:index\/container:Container\)$/m);
      assert.match(out, /^    MANDATORY critical cis-5\.5-privileged \[CIS 5\.5\]\n      privileged is true\. Fix: remove privileged or set it to false$/m);
      // a "seed" that would start on the app network is reported, not mistaken for a harmless seed
      assert.match(out, /^  container "platform-app-alpha-container-seed" \(docker:index\/container:Container\)\n    MANDATORY medium cis-5\.13-read-only-root \[CIS 5\.13\]\n/m);
      assert.match(out, /^    MANDATORY critical stack-seed-isolation\n      networks include "plat-dev-app-alpha" \(app network of alpha\), but an upload seed joins no network\. /m);
      assert.match(out, /^REJECTED: 1 file, 8 resources, 29 mandatory violations, 0 advisories$/m);
    });

    it("treats an encrypted secret as a secret: env rules pass, rules that must read it give an advisory", async () => {
      const secret = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "AAABAC..." };
      const props = { ...hardenedAppProps(), labels: [{ label: "platform.role", value: "service" }], envs: secret, user: secret };
      const file = join(dir, "secret.export.json");
      const urn = "urn:pulumi:dev::p::docker:index/container:Container::svc";
      writeFileSync(file, JSON.stringify({ version: 3, deployment: { resources: [{ urn, type: CONTAINER, custom: true, inputs: props }] } }));
      const { code, report } = await runJson([file]);
      assert.equal(code, 0);
      assert.deepEqual(
        report.files[0].findings.map((f) => [f.ruleId, f.enforcementLevel, f.unknown, f.message]),
        [["cis-4.1-non-root-user", "advisory", true, "container \"svc\": can't run policy 'cis-4.1-non-root-user' during preview: Object value at .user can't be known during preview; it runs again when the value is known"]],
      );
    });
  });

  describe("resource arrays", () => {
    it("passes the platform's hardened container and rejects a privileged one", async () => {
      const file = join(dir, "resources.json");
      writeFileSync(file, JSON.stringify([{ type: CONTAINER, name: "svc", props: { ...hardenedAppProps(), labels: [{ label: "platform.role", value: "service" }] } }]));
      assert.equal((await run([file])).code, 0);
      writeFileSync(file, JSON.stringify([{ type: CONTAINER, name: "svc", props: { ...hardenedAppProps(), labels: [], privileged: true } }]));
      const { code, report } = await runJson([file]);
      assert.equal(code, 1);
      assert.deepEqual(report.files[0].findings.map((f) => f.ruleId), ["cis-5.5-privileged"]);
      assert.deepEqual(report.summary, { files: 1, resources: 1, mandatory: 1, advisory: 0, unreadable: 0 });
    });

    it("applies the pack config (--config), as --policy-pack-config does", async () => {
      const file = join(dir, "priv.json");
      writeFileSync(file, JSON.stringify([{ type: CONTAINER, name: "svc", props: { ...hardenedAppProps(), labels: [], privileged: true } }]));
      const config = join(dir, "pack-config.json");
      writeFileSync(config, JSON.stringify({ "cis-5.5-privileged": "advisory" }));
      const { code, report } = await runJson(["--config", config, file]);
      assert.equal(code, 0);
      assert.equal(report.summary.advisory, 1);
    });

    it("refuses a pack config with an unknown rule id or level (exit 2)", async () => {
      const config = join(dir, "typo-config.json");
      writeFileSync(config, JSON.stringify({ "cis-5.5-privilegd": "advisory" }));
      const typo = await run(["--config", config, fixture("app-manifest.yaml")]);
      assert.equal(typo.code, 2);
      assert.match(typo.err, /unknown rule id "cis-5\.5-privilegd"/);
      writeFileSync(config, JSON.stringify({ "cis-5.5-privileged": "optional" }));
      const level = await run(["--config", config, fixture("app-manifest.yaml")]);
      assert.equal(level.code, 2);
      assert.match(level.err, /cis-5\.5-privileged: enforcementLevel must be one of advisory, mandatory, remediate, disabled, not "optional"/);
    });

    it("rejects an element without props as unreadable (exit 2)", async () => {
      const file = join(dir, "bad-array.json");
      writeFileSync(file, JSON.stringify([{ type: CONTAINER, name: "x" }]));
      const { code, report } = await runJson([file]);
      assert.equal(code, 2);
      assert.equal(report.files[0].error, "[0].props: expected an object of resource inputs");
    });
  });

  describe("malformed input", () => {
    it("JSON: exit 2 with the parse error and its line and column", async () => {
      const { code, out } = await run([fixture("malformed.export.json")]);
      assert.equal(code, 2);
      assert.match(out, /^  invalid JSON at line 5, column 34: expected a property name in double quotes after ',', found '\}'$/m);
    });

    it("YAML: exit 2 with the parse error and its line and column", async () => {
      const { code, report } = await runJson([fixture("malformed-manifest.yaml")]);
      assert.equal(code, 2);
      assert.match(report.files[0].error ?? "", /^invalid YAML at line 3, column 1: /);
    });

    it("unrecognized documents, missing files and bad usage exit 2", async () => {
      const file = join(dir, "other.json");
      writeFileSync(file, JSON.stringify({ hello: "world" }));
      assert.match((await runJson([file])).report.files[0].error ?? "", /^unrecognized input: expected an app manifest/);
      assert.equal((await run([join(dir, "missing.yaml")])).code, 2);
      const noFiles = await run([]);
      assert.equal(noFiles.code, 2);
      assert.match(noFiles.err, /^platform-policy-check: missing FILE\n\nusage: platform-policy-check /);
      const badFormat = await run(["--format", "xml", file]);
      assert.equal(badFormat.code, 2);
      assert.match(badFormat.err, /^platform-policy-check: --format must be text or json, not "xml"\n/);
    });

    it("unreadable input wins over violations in another file", async () => {
      assert.equal((await run([fixture("insecure-stack.export.json"), fixture("malformed.export.json")])).code, 2);
    });
  });

  describe("the bin shim", { timeout: 60_000 }, () => {
    it("runs the CLI through tsx with real exit codes", async () => {
      const bin = join(REPO, "checker", "bin.js");
      assert.match(execFileSync(process.execPath, [bin, fixture("app-manifest.yaml")], { encoding: "utf8" }), /^passed: 1 file, 2 resources, 0 mandatory violations, 0 advisories$/m);
      assert.equal(spawnSync(process.execPath, [bin, fixture("insecure-stack.export.json")]).status, 1);
      assert.equal(spawnSync(process.execPath, [bin, fixture("malformed.export.json")]).status, 2);
      // without dev.json every unpinned image is mandatory, the vendor's included
      const inStack = spawnSync(process.execPath, [bin, "--stack", join(REPO, "Pulumi.dev.yaml"), fixture("app-manifest-unpinned.yaml")], { encoding: "utf8" });
      assert.equal(inStack.status, 1, inStack.stderr);
      assert.match(inStack.stdout, /^  container "platform-app-weather-widget-container" \(docker:index\/container:Container\)\n    MANDATORY high cis-5\.28-image-pinned \[CIS 5\.28\]$/m);
    });
  });
});
