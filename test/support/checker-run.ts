// Runs the checker's CLI in-process with its output captured, and keeps test files in a temporary folder.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { main } from "../../checker/cli";

export async function runChecker(args: string[], color?: boolean): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const code = await main(args, { stdout: (t) => (out += `${t}\n`), stderr: (t) => (err += `${t}\n`) }, color);
  return { code, out, err };
}

/** A temporary folder removed after the enclosing suite, and a writer of files into it. */
export function scratchFiles(prefix: string): { dir: string; file: (name: string, content: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return {
    dir,
    file: (name, content) => {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
  };
}
