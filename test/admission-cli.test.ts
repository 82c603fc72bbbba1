// `npm run admit` on inputs it cannot use: exit 2, one message that names the input and the fix, no stack
// trace, and nothing stood up in the engine. (The admissions themselves: test/admission-e2e-*.test.ts.)
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { stringify } from "yaml";
import { dockerUnavailableSync } from "../sandbox/docker-availability";
import { REPO_ROOT } from "./support/stack-config";

const work = mkdtempSync(join(tmpdir(), "admission-cli-"));
after(() => rmSync(work, { recursive: true, force: true }));

const EXAMPLE = join(REPO_ROOT, "examples/vendor-app/manifest.yaml");
const file = (name: string, text: string) => {
  writeFileSync(join(work, name), text);
  return join(work, name);
};
const emptyDb = () => {
  const dir = mkdtempSync(join(work, "osv-"));
  return dir;
};

function admit(args: string[]) {
  const run = spawnSync(process.execPath, ["--import", "tsx", join(REPO_ROOT, "admission/cli.ts"), ...args], { cwd: REPO_ROOT, encoding: "utf8", timeout: 120_000, env: { ...process.env, NO_COLOR: "1" } });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr, all: `${run.stdout}\n${run.stderr}` };
}

describe("admit refuses unusable input with exit 2", () => {
  const cases: [string, () => string[], RegExp][] = [
    ["a manifest that is not there", () => [join(work, "absent.yaml")], /manifest .*absent\.yaml: cannot be read \(ENOENT/],
    ["a manifest that is not YAML", () => [file("broken.yaml", "name: [unclosed\n")], /broken\.yaml: invalid YAML at line 2, column 1/],
    ["a manifest the schema refuses, at the manifest's own path", () => [file("schema.yaml", "name: Bad App\nimage: x\n")], /invalid app manifest .*schema\.yaml \(1 problem\); nothing was run:\n {2}- app:name: "Bad App" is not a lowercase DNS label/],
    ["a bare --observe number", () => [EXAMPLE, "--observe", "60"], /--observe "60" has no unit: give a whole number with a unit, e\.g\. 60s/],
    ["a --report that is not FILE.json", () => [EXAMPLE, "--report", join(work, "r.html")], /--report .*r\.html: give a file name ending in \.json/],
    ["a stack that does not exist", () => [EXAMPLE, "--stack", "nope"], /--stack nope: there is no .*Pulumi\.nope\.yaml: give one of this project's stacks \(.*dev/],
    ["no vulnerability database", () => [EXAMPLE], /--vuln-db is required \(or set platform:admission\.vulnDb in the stack\)/],
    ["a vulnerability database that is not a directory", () => [EXAMPLE, "--vuln-db", join(work, "nothing")], /vulnerability database .*nothing is not a directory/],
    ["a policy config with an unknown rule", () => [EXAMPLE, "--policy-config", file("pack.json", JSON.stringify({ "no-such-rule": "advisory" }))], /unknown rule id "no-such-rule"/],
  ];
  for (const [name, args, message] of cases) {
    it(name, () => {
      const run = admit(args());
      assert.equal(run.status, 2, run.all);
      assert.match(run.all, message);
      assert.doesNotMatch(run.all, /\n\s+at .*\.ts:\d+:\d+/, "no stack trace");
      assert.doesNotMatch(run.stdout, /^(ADMITTED|REJECTED):/m, "no verdict on unusable input");
    });
  }

  const noEngine = dockerUnavailableSync(["platform/busybox:dev"]);
  it("an image that is not in the local engine: named with how to get it there, nothing pulled", { skip: noEngine }, () => {
    const manifest = file("absent-image.yaml", stringify({ name: "absent-image", image: "platform-test/never-built:1" }));
    const run = admit([manifest, "--vuln-db", emptyDb()]);
    assert.equal(run.status, 2, run.all);
    assert.match(run.stderr, /image platform-test\/never-built:1 \(app:image\) is not in the local Docker engine: build it .* or load the vendor's archive \(docker load -i FILE\)/);
    assert.match(run.stdout, /NOT ADMITTED: unusable input .*nothing was stood up/);
  });

  it("--help prints the usage with every option, exit 0", () => {
    const run = admit(["--help"]);
    assert.equal(run.status, 0);
    for (const option of ["--sbom", "--vuln-db", "--stack", "--observe", "--report", "--policy-config", "--keep"]) assert.ok(run.stdout.includes(option), option);
  });
});
