// Small hand-written inputs for the dependency checks: OSV records written as a database directory,
// CycloneDX SBOMs from package URLs, a throwaway stack file, and the two commands run as a user runs them.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { REPO_ROOT } from "./stack-config";

export interface OsvFixture {
  id: string;
  ecosystem: string;
  name: string;
  introduced?: string;
  fixed?: string;
  aliases?: string[];
  cvss?: string;
  databaseSeverity?: string;
  modified?: string;
}

export function osvRecord(f: OsvFixture): object {
  return {
    schema_version: "1.6.0",
    id: f.id,
    modified: f.modified ?? "2026-11-01T00:00:00Z",
    ...(f.aliases ? { aliases: f.aliases } : {}),
    summary: `test advisory ${f.id}`,
    ...(f.cvss ? { severity: [{ type: f.cvss.startsWith("CVSS:4") ? "CVSS_V4" : "CVSS_V3", score: f.cvss }] } : {}),
    affected: [{ package: { ecosystem: f.ecosystem, name: f.name }, ranges: [{ type: "ECOSYSTEM", events: [{ introduced: f.introduced ?? "0" }, ...(f.fixed ? [{ fixed: f.fixed }] : [])] }] }],
    ...(f.databaseSeverity ? { database_specific: { severity: f.databaseSeverity } } : {}),
  };
}

/** A database directory laid out like osv.dev's unpacked exports: `<Ecosystem>/<id>.json`. */
export function writeOsvDatabase(dir: string, fixtures: readonly OsvFixture[]): string {
  for (const f of fixtures) {
    const folder = join(dir, f.ecosystem.split(":")[0]);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `${f.id}.json`), JSON.stringify(osvRecord(f)));
  }
  return dir;
}

export function cyclonedx(purls: readonly string[], specVersion = "1.5"): object {
  return {
    bomFormat: "CycloneDX",
    specVersion,
    version: 1,
    metadata: { component: { type: "application", name: "vendor-app", version: "1.0.0" } },
    components: purls.map((purl, i) => {
      const name = decodeURIComponent(purl.replace(/^pkg:[^/]+\//, "").split("@")[0].split("/").pop() ?? `c${i}`);
      const version = decodeURIComponent(purl.split("@").pop()!.split("?")[0]);
      return { type: "library", "bom-ref": `c${i}`, name, version, purl };
    }),
  };
}

export const CRITICAL_CVSS = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
export const MEDIUM_CVSS = "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:L";

export function scratchDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `${prefix}-`));
}

/** A `Pulumi.<stack>.yaml` in the project (the commands read stacks from there); remove() deletes it. */
export function scratchStack(platform: Record<string, unknown>): { stack: string; remove: () => void } {
  const stack = `deps-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const file = join(REPO_ROOT, `Pulumi.${stack}.yaml`);
  const config = Object.fromEntries(Object.entries(platform).map(([k, v]) => [`platform:${k}`, v]));
  writeFileSync(file, stringify({ config }));
  return { stack, remove: () => rmSync(file, { force: true }) };
}

export interface CommandRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run deps:check -- ...` / `npm run deps:recheck -- ...`, without npm's own output. */
export function runDeps(command: "check" | "recheck", args: readonly string[], env: Record<string, string> = {}, timeoutMs = 120_000): CommandRun {
  const result = spawnSync(process.execPath, ["--import", "tsx", join(REPO_ROOT, "deps", "cli", `${command}.ts`), ...args], { cwd: REPO_ROOT, encoding: "utf8", timeout: timeoutMs, env: { ...process.env, ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
