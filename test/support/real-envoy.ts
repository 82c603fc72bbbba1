// The authority on whether Envoy accepts a config: the real binary of the platform's own image
// (platform/envoy:<ENVOY_VERSION of images/envoy/version.env>, built by `npm run images`), run as
// `envoy --mode validate`. Many configs are validated in ONE container (starting one costs as much as
// validating a dozen or so): no network, read-only root, the gateway's UID, and throwaway TLS material
// mounted where rendered configs expect it (render/hardening.ts TLS_DIR).
//
// Validate mode builds the whole server without connecting anywhere, so it logs, and ignores, errors like
// "fetch pubkey ... cluster = platform.identity is not configured" for a remote JWKS; the verdict is the
// exit status ("configuration '...' OK" on success).
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { caSignedCertificate, generateKey, selfSignedCertificate } from "../../mock-runner/key-material";
import { TLS_DIR } from "../../render/hardening";
import { dockerUnavailableSync } from "../../sandbox/docker-availability";
import { REPO_ROOT } from "./stack-config";

export interface EnvoyConfigFile {
  /** a label for reports; need not be unique */
  name: string;
  /** the bootstrap as YAML text, or as an object (serialized here) */
  yaml: string | object;
}

export interface EnvoyVerdict {
  name: string;
  /** envoy --mode validate exited 0 */
  ok: boolean;
  /** the critical/error lines when rejected (empty when ok) */
  error: string;
  /** every log line that mentions a deprecation (Envoy logs them at warning level) */
  deprecations: string[];
  /** everything Envoy printed at warning level and above */
  log: string;
}

function envoyVersion(): string {
  const text = readFileSync(join(REPO_ROOT, "images", "envoy", "version.env"), "utf8");
  const version = /^ENVOY_VERSION=(\S+)\s*$/m.exec(text)?.[1];
  if (!version) throw new Error("images/envoy/version.env has no ENVOY_VERSION= line");
  return version;
}

export const REAL_ENVOY_IMAGE = `platform/envoy:${envoyVersion()}`;
/** the gateway's UID (render/envoy/from-plan.ts), which the image's USER also is */
const ENVOY_UID = "9100";
const BEGIN = "@@envoy-validate-begin";
const END = "@@envoy-validate-end";

/** Why the real Envoy cannot run here (the shared wording of sandbox/docker-availability.ts), or undefined. */
export function envoyImageAbsentReason(): string | undefined {
  return dockerUnavailableSync([REAL_ENVOY_IMAGE]);
}

function writeReadable(file: string, content: string): void {
  writeFileSync(file, content);
  chmodSync(file, 0o644);
}

/** A CA, and a gateway certificate and key it signed, as ca.pem, cert.pem and key.pem in `dir`. */
function writeTlsMaterial(dir: string): void {
  const ca = generateKey("ECDSA");
  const caPem = selfSignedCertificate({ privateKeyPem: ca.privateKeyPem, subject: { commonName: "real-envoy test ca" } }, { validityPeriodHours: 24, allowedUses: ["cert_signing"], isCaCertificate: true });
  const gateway = generateKey("ECDSA");
  const certPem = caSignedCertificate({ privateKeyPem: gateway.privateKeyPem, dnsNames: ["gateway"] }, { validityPeriodHours: 24, allowedUses: ["digital_signature", "server_auth", "client_auth"] }, { certPem: caPem, privateKeyPem: ca.privateKeyPem });
  writeReadable(join(dir, "ca.pem"), caPem);
  writeReadable(join(dir, "cert.pem"), certPem);
  writeReadable(join(dir, "key.pem"), gateway.privateKeyPem);
}

// one envoy per file (at most a minute each), framed by markers carrying its file name and exit status
const VALIDATE_EACH = `for f in /cfg/*.yaml; do
  echo "${BEGIN} $f"
  timeout 60 envoy --mode validate -c "$f" --log-level warn 2>&1
  echo "${END} $f $?"
done`;

function verdictsFrom(output: string, files: string[], names: string[]): EnvoyVerdict[] {
  return files.map((file, i) => {
    const opening = `${BEGIN} /cfg/${file}\n`;
    const begin = output.indexOf(opening);
    const closing = new RegExp(`^${END} /cfg/${file.replace(/\./g, "\\.")} (\\d+)$`, "m").exec(output);
    if (begin < 0 || !closing || closing.index < begin) throw new Error(`real envoy: no verdict for ${names[i]} (${file}) in:\n${output.slice(-4000)}`);
    const log = output.slice(begin + opening.length, closing.index).trimEnd();
    const lines = log.split("\n").filter(Boolean);
    const ok = closing[1] === "0";
    return {
      name: names[i],
      ok,
      error: ok ? "" : lines.filter((l) => /\]\[(critical|error)\]|^[^[]/.test(l)).join("\n") || log,
      deprecations: lines.filter((l) => /deprecat/i.test(l)),
      log,
    };
  });
}

/**
 * Validates every config with the real Envoy in one `docker run`; the verdicts come back in order.
 * Throws when the container itself fails (not when Envoy rejects a config).
 */
export function validateWithRealEnvoy(configs: readonly EnvoyConfigFile[], timeoutMs = 60_000 + 3_000 * configs.length): EnvoyVerdict[] {
  if (configs.length === 0) return [];
  const root = mkdtempSync(join(tmpdir(), "real-envoy-"));
  try {
    const cfg = join(root, "cfg");
    const tls = join(root, "tls");
    for (const dir of [root, cfg, tls]) {
      mkdirSync(dir, { recursive: true });
      chmodSync(dir, 0o755);
    }
    writeTlsMaterial(tls);
    const files = configs.map((_, i) => `${String(i).padStart(4, "0")}.yaml`);
    configs.forEach((c, i) => writeReadable(join(cfg, files[i]), typeof c.yaml === "string" ? c.yaml : stringify(c.yaml)));
    const container = `real-envoy-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
    const args = ["run", "--rm", "--name", container, "--read-only", "--user", ENVOY_UID, "--network", "none", "--cap-drop", "ALL", "--security-opt", "no-new-privileges:true"];
    args.push("-v", `${cfg}:/cfg:ro`, "-v", `${tls}:${TLS_DIR}:ro`, REAL_ENVOY_IMAGE, "bash", "-c", VALIDATE_EACH);
    const run = spawnSync("docker", args, { encoding: "utf8", timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
    if (run.error || run.status !== 0) {
      spawnSync("docker", ["rm", "--force", container], { timeout: 20_000 }); // a timed-out client leaves its container running
      throw new Error(`docker run ${REAL_ENVOY_IMAGE} failed (${run.error?.message ?? `exit ${run.status ?? run.signal}`}):\n${run.stderr}\n${(run.stdout ?? "").slice(-4000)}`);
    }
    return verdictsFrom(run.stdout, files, configs.map((c) => c.name));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** A compact report of the verdicts that are not "accepted without deprecations", for assertion messages. */
export function describeVerdicts(verdicts: readonly EnvoyVerdict[]): string {
  return verdicts
    .filter((v) => !v.ok || v.deprecations.length > 0)
    .map((v) => `${v.name}: ${v.ok ? "accepted" : "REJECTED"}\n  ${[v.error, ...v.deprecations].filter(Boolean).join("\n  ")}`)
    .join("\n");
}
