// The quick start's deploy command must fail clearly, and early, when a prerequisite is missing.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { REPO_ROOT } from "./support/stack-config";

/** A PATH holding only the named real tools plus fake ones written as shell scripts. */
function pathWith(real: string[], fakes: Record<string, string>): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), "deploy-test-"));
  for (const tool of real) {
    const found = spawnSync("bash", ["-c", `command -v ${tool}`], { encoding: "utf8" }).stdout.trim();
    if (found) symlinkSync(found, join(dir, tool));
  }
  for (const [tool, body] of Object.entries(fakes)) {
    writeFileSync(join(dir, tool), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, tool), 0o755);
  }
  return { dir, path: dir };
}

function deploy(path: string) {
  return spawnSync("/bin/bash", [join(REPO_ROOT, "scripts", "deploy.sh")], { cwd: REPO_ROOT, encoding: "utf8", env: { PATH: path, HOME: tmpdir() } });
}

const BASICS = ["dirname", "head", "base64", "grep", "mkdir", "cat", "env", "node", "npm", "npx"];

describe("scripts/deploy.sh", () => {
  it("stops with a clear message when the Pulumi CLI is missing", () => {
    const { dir, path } = pathWith(BASICS, {});
    try {
      const result = deploy(path);
      assert.equal(result.status, 1);
      assert.match(result.stderr, /^deploy: the Pulumi CLI is not installed\. Install it \(https:\/\/www\.pulumi\.com\/docs\/install\/\), then run this again\.$/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("stops with a clear message when no Docker engine answers", () => {
    const { dir, path } = pathWith(BASICS, { pulumi: "exit 0", docker: 'echo "Cannot connect to the Docker daemon" >&2; exit 1' });
    try {
      const result = deploy(path);
      assert.equal(result.status, 1);
      assert.match(result.stderr, /^deploy: no Docker engine answers\. Start it/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
