// `pulumi up` must load with production dependencies alone (`npm ci --omit=dev`): a user who installs
// only those, or consumes the package, must not crash on a module that only the tests install. The
// program is compiled to JavaScript into a scratch folder with its own prod-only node_modules (module
// resolution from there never reaches this repo's node_modules), then evaluated under Pulumi's mocks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "./support/stack-config";

const run = (command: string, args: string[], cwd: string) => spawnSync(command, args, { cwd, encoding: "utf8", timeout: 300_000 });

test("the program loads and declares the dev stack with production dependencies only", { timeout: 600_000 }, (t) => {
  const scratch = mkdtempSync(join(tmpdir(), "platform-prod-"));
  t.after(() => rmSync(scratch, { recursive: true, force: true }));
  copyFileSync(join(REPO_ROOT, "package.json"), join(scratch, "package.json"));
  copyFileSync(join(REPO_ROOT, "package-lock.json"), join(scratch, "package-lock.json"));
  const install = run("npm", ["ci", "--omit=dev", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline"], scratch);
  assert.equal(install.status, 0, `npm ci --omit=dev failed:\n${install.stderr}`);
  for (const devOnly of ["fast-check", "protobufjs", "@grpc/grpc-js-xds"]) assert.ok(!existsSync(join(scratch, "node_modules", devOnly)), `${devOnly} is a devDependency and must not be installed`);

  // The Pulumi CLI compiles index.ts itself; here tsc (a devDependency of this repo) does it.
  const tsc = run(
    process.execPath,
    [join(REPO_ROOT, "node_modules/typescript/bin/tsc"), "--outDir", join(scratch, "dist"), "--rootDir", REPO_ROOT, "--module", "commonjs", "--target", "ES2022", "--esModuleInterop", "--resolveJsonModule", "--skipLibCheck", "--types", "node", "--typeRoots", join(REPO_ROOT, "node_modules/@types"), join(REPO_ROOT, "index.ts"), join(REPO_ROOT, "mock-runner/run-program.ts")],
    REPO_ROOT,
  );
  assert.equal(tsc.status, 0, `tsc failed:\n${tsc.stdout}${tsc.stderr}`);
  assert.ok(existsSync(join(scratch, "dist/index.js")));

  const script = join(scratch, "evaluate.js");
  writeFileSync(
    script,
    `const { readFileSync } = require("node:fs");
const { parse } = require("yaml");
const { runProgram } = require("./dist/mock-runner/run-program");
const config = parse(readFileSync(${JSON.stringify(join(REPO_ROOT, "Pulumi.dev.yaml"))}, "utf8")).config;
runProgram(require.resolve("./dist/index.js"), { config, stack: "dev", material: "fast" }).then(
  (run) => { console.log(JSON.stringify({ resources: run.resources.length, containers: run.ofType("docker:index/container:Container").length, outputs: Object.keys(run.outputs).sort() })); },
  (error) => { console.error(error); process.exit(1); },
);`,
  );
  const evaluated = run(process.execPath, [script], scratch);
  assert.equal(evaluated.status, 0, `the program failed with production dependencies only:\n${evaluated.stderr}`);
  const summary = JSON.parse(evaluated.stdout.trim().split("\n").pop()!);
  assert.ok(summary.containers >= 8, `expected the dev stack's containers, got ${evaluated.stdout}`);
  assert.deepEqual(summary.outputs, ["apps", "caCertificatePem", "egressProxy", "gateway", "identity", "networks", "services"]);
});
