// Layers run one way: config → plan → render → components → index.ts, with the tools on top. A file may
// import its own folder and any layer below it, never one above; the policy pack imports nothing outside
// policies/ (`pulumi policy publish` ships only that folder); devDependencies stay out of the program.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { REPO_ROOT } from "./support/stack-config";

const LAYER: Record<string, number> = { config: 0, plan: 1, render: 2, components: 3, "index.ts": 4 };
const TOOLS = new Set(["mock-runner", "policies", "checker", "sandbox", "monitor", "cli", "scripts", "bench", "deps", "topology", "admission", "preflight"]);
/** What each tool may import besides the program's layers (tools never import test/ or bench/). */
const TOOL_IMPORTS: Record<string, string[]> = {
  "mock-runner": [],
  policies: [],
  cli: [],
  checker: ["mock-runner", "policies", "cli"],
  sandbox: ["mock-runner", "cli"],
  monitor: ["cli"],
  scripts: ["cli"],
  deps: ["cli"],
  topology: ["cli"],
  preflight: ["cli"],
  admission: ["sandbox", "monitor", "deps", "checker", "topology", "policies", "cli"],
  bench: ["mock-runner", "policies", "checker", "sandbox", "monitor", "cli", "deps", "admission", "test"],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(join(REPO_ROOT, dir)).flatMap((entry) => {
    const path = join(dir, entry);
    if (entry === "node_modules") return [];
    if (statSync(join(REPO_ROOT, path)).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

const top = (path: string) => path.split("/")[0];
const files = ["index.ts", ...[...Object.keys(LAYER), ...TOOLS].filter((d) => d !== "index.ts").flatMap(sourceFiles)];
const imports = files.flatMap((file) =>
  [...readFileSync(join(REPO_ROOT, file), "utf8").matchAll(/(?:from|import\()\s*["'](\.{1,2}\/[^"']+)["']/g)].map((m) => ({ file, target: normalize(join(dirname(file), m[1])) })),
);

test("the architecture test sees the whole program and every tool", () => {
  for (const folder of [...Object.keys(LAYER), ...TOOLS]) assert.ok(files.some((f) => top(f) === folder), `no source file found in ${folder}`);
  assert.ok(imports.length > 200, `only ${imports.length} relative imports found`);
});

test("the program's layers import only themselves and the layers below", () => {
  const upward = imports.filter(({ file, target }) => top(file) in LAYER && !(top(target) in LAYER && LAYER[top(target)] <= LAYER[top(file)]));
  assert.deepEqual(upward.map(({ file, target }) => `${file} → ${target}`), []);
});

test("tools import the program's layers and only the tools they sit on", () => {
  const wrong = imports.filter(({ file, target }) => TOOLS.has(top(file)) && top(target) !== top(file) && !(top(target) in LAYER) && !TOOL_IMPORTS[top(file)].includes(top(target)));
  assert.deepEqual(wrong.map(({ file, target }) => `${file} → ${target}`), []);
});

test("the policy pack imports nothing outside policies/", () => {
  const outside = imports.filter(({ file, target }) => top(file) === "policies" && top(target) !== "policies");
  assert.deepEqual(outside.map(({ file, target }) => `${file} → ${relative(REPO_ROOT, join(REPO_ROOT, target))}`), []);
});

test("the program and the commands load no devDependency", () => {
  const dev = Object.keys(JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")).devDependencies ?? {});
  const loaded = files
    .filter((f) => !f.startsWith("bench/"))
    .flatMap((file) => [...readFileSync(join(REPO_ROOT, file), "utf8").matchAll(/(?:from|require\(|import\()\s*["']((?:@[^/"']+\/)?[^./"'][^/"']*)/g)].map((m) => ({ file, module: m[1] })));
  assert.deepEqual(loaded.filter(({ module }) => dev.includes(module) && !module.startsWith("@types/")).map(({ file, module }) => `${file} loads ${module}`), []);
});

test("the policy pack spells the platform's labels as plan/names.ts does", async () => {
  const { PLATFORM_LABEL } = await import("../plan/names");
  const { PACK_LABEL } = await import("../policies/rules/read");
  assert.deepEqual(PACK_LABEL, PLATFORM_LABEL);
});
