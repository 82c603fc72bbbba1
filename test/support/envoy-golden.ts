// Golden files: compared byte for byte; `UPDATE_GOLDEN=1` rewrites them (review the diff before committing).
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const GOLDEN_DIR = join(__dirname, "..", "golden");

export function assertGolden(relativePath: string, actual: string): void {
  const file = join(GOLDEN_DIR, relativePath);
  if (process.env.UPDATE_GOLDEN === "1" || !existsSync(file)) {
    if (process.env.UPDATE_GOLDEN !== "1") assert.fail(`golden file ${relativePath} is missing: run with UPDATE_GOLDEN=1 to create it, then review it`);
    writeFileSync(file, actual);
    return;
  }
  assert.equal(actual, readFileSync(file, "utf8"), `${relativePath} differs from the rendered output (UPDATE_GOLDEN=1 rewrites it)`);
}
