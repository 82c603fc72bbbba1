// Shared helpers for the squid.conf tests: sample inputs and the real `squid -k parse`.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SquidConfInput } from "../../render/squid";

export const SQUID_BINARY = "/usr/sbin/squid";

/** Why Squid-backed tests cannot run here, or undefined when they can. */
export function squidUnavailable(): string | undefined {
  if (!existsSync(SQUID_BINARY)) return `${SQUID_BINARY} is missing: install Debian's squid package (scripts/setup-host.sh does)`;
  return undefined;
}

/** A valid two-app input; callers override what they test. */
export function sampleInput(overrides: Partial<SquidConfInput> = {}): SquidConfInput {
  return {
    apps: [
      { name: "weather-app", subnet: "10.208.4.16/28", egress: ["api.open-meteo.example", ".tiles.example.org"] },
      { name: "billing", subnet: "10.208.9.0/28", egress: ["payments.example.net"] },
    ],
    baseCidr: "10.208.0.0/16",
    listen: { port: 3128 },
    httpPorts: [80],
    connectPorts: [443],
    log: { accessLog: "stdio:/dev/stdout", cacheLog: "/dev/stderr" },
    runtime: { pidFile: "none", shutdownLifetimeSeconds: 5, visibleHostname: "egress" },
    ...overrides,
  };
}

export interface ParseResult {
  ok: boolean;
  status: number | null;
  /** Squid's diagnostics, without the per-line "Processing:" echo */
  output: string;
  warnings: string[];
}

/** Runs the real `squid -k parse -f <file>` on a config text. */
export function squidParse(conf: string): ParseResult {
  const dir = mkdtempSync(join(tmpdir(), "squid-parse-"));
  try {
    const file = join(dir, "squid.conf");
    writeFileSync(file, conf);
    const run = spawnSync(SQUID_BINARY, ["-k", "parse", "-f", file], { encoding: "utf8", timeout: 20_000 });
    const output = `${run.stdout}${run.stderr}`
      .split("\n")
      .filter((line) => !/\| Processing: /.test(line))
      .join("\n");
    const warnings = output
      .split("\n")
      .filter((line) => /WARNING|ERROR|FATAL/.test(line))
      // expected: `via off` is what the platform wants (apps' traffic must not reveal the proxy)
      .filter((line) => !/WARNING: HTTP requires the use of Via/.test(line));
    return { ok: run.status === 0 && !/FATAL|Bungled/.test(output), status: run.status, output, warnings };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
