// Real key material for resources evaluated without the Pulumi CLI (tests and the sandbox):
// real ECDSA keys, real CA-signed X.509 certificates (via the openssl CLI), real random secrets.
import { execFileSync } from "node:child_process";
import { createPublicKey, generateKeyPairSync, randomInt } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

interface KeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
}

export function generateKey(algorithm: string, ecdsaCurve = "P256", rsaBits = 2048): KeyPair {
  const { privateKey, publicKey } =
    algorithm === "RSA"
      ? generateKeyPairSync("rsa", { modulusLength: rsaBits })
      : algorithm === "ECDSA"
        ? generateKeyPairSync("ec", { namedCurve: { P224: "P-224", P256: "P-256", P384: "P-384", P521: "P-521" }[ecdsaCurve] ?? "P-256" })
        : generateKeyPairSync("ed25519");
  return {
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKeyPem: publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

export function publicKeyOf(privateKeyPem: string): string {
  return createPublicKey(privateKeyPem).export({ type: "spki", format: "pem" }).toString();
}

interface CertificateRequest {
  privateKeyPem: string;
  subject?: { commonName?: string; organization?: string };
  uris?: string[];
  dnsNames?: string[];
  ipAddresses?: string[];
}

interface CertificateOptions {
  validityPeriodHours: number;
  allowedUses: string[];
  isCaCertificate?: boolean;
  maxPathLength?: number;
}

const KEY_USAGE: Record<string, string> = {
  digital_signature: "digitalSignature",
  key_encipherment: "keyEncipherment",
  cert_signing: "keyCertSign",
  crl_signing: "cRLSign",
  content_commitment: "nonRepudiation",
  data_encipherment: "dataEncipherment",
  key_agreement: "keyAgreement",
};
const EXTENDED_USAGE: Record<string, string> = { server_auth: "serverAuth", client_auth: "clientAuth", code_signing: "codeSigning" };

function subjectArg(subject: CertificateRequest["subject"]): string {
  const clean = (value: string) => value.replace(/[/=\\]/g, "_");
  const parts = [subject?.organization ? `/O=${clean(subject.organization)}` : "", subject?.commonName ? `/CN=${clean(subject.commonName)}` : ""];
  return parts.join("") || "/CN=unnamed";
}

function extensions(request: CertificateRequest, options: CertificateOptions): string {
  const lines: string[] = [];
  lines.push(options.isCaCertificate ? `basicConstraints=critical,CA:TRUE${options.maxPathLength !== undefined ? `,pathlen:${options.maxPathLength}` : ""}` : "basicConstraints=critical,CA:FALSE");
  const usage = options.allowedUses.map((u) => KEY_USAGE[u]).filter(Boolean);
  if (usage.length) lines.push(`keyUsage=critical,${usage.join(",")}`);
  const extended = options.allowedUses.map((u) => EXTENDED_USAGE[u]).filter(Boolean);
  if (extended.length) lines.push(`extendedKeyUsage=${extended.join(",")}`);
  const sans = [...(request.uris ?? []).map((u) => `URI:${u}`), ...(request.dnsNames ?? []).map((d) => `DNS:${d}`), ...(request.ipAddresses ?? []).map((ip) => `IP:${ip}`)];
  if (sans.length) lines.push(`subjectAltName=${sans.join(",")}`);
  lines.push("subjectKeyIdentifier=hash");
  return lines.join("\n") + "\n";
}

function withScratch<T>(work: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), "platform-pki-"));
  try {
    return work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const days = (hours: number) => String(Math.max(1, Math.ceil(hours / 24)));

export function selfSignedCertificate(request: CertificateRequest, options: CertificateOptions): string {
  return withScratch((dir) => {
    writeFileSync(join(dir, "key.pem"), request.privateKeyPem, { mode: 0o600 });
    // a config of our own, so the host's openssl.cnf adds no extensions we did not ask for
    writeFileSync(join(dir, "req.cnf"), `[req]\ndistinguished_name = dn\nx509_extensions = v3\n[dn]\n[v3]\n${extensions(request, options)}`);
    return execFileSync(
      "openssl",
      ["req", "-x509", "-new", "-key", join(dir, "key.pem"), "-subj", subjectArg(request.subject), "-days", days(options.validityPeriodHours), "-sha256", "-config", join(dir, "req.cnf")],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
  });
}

/** A certificate for `request`'s key, signed by the CA. */
export function caSignedCertificate(request: CertificateRequest, options: CertificateOptions, ca: { certPem: string; privateKeyPem: string }): string {
  return withScratch((dir) => {
    const file = (name: string, content: string) => {
      writeFileSync(join(dir, name), content, { mode: 0o600 });
      return join(dir, name);
    };
    const key = file("key.pem", request.privateKeyPem);
    const csr = execFileSync("openssl", ["req", "-new", "-key", key, "-subj", subjectArg(request.subject)], { encoding: "utf8" });
    const serial = BigInt(randomInt(1, 2 ** 47)) * BigInt(2 ** 16) + BigInt(randomInt(0, 2 ** 16));
    return execFileSync(
      "openssl",
      ["x509", "-req", "-in", file("req.csr", csr), "-CA", file("ca.pem", ca.certPem), "-CAkey", file("ca.key", ca.privateKeyPem), "-set_serial", `0x${serial.toString(16)}`, "-days", days(options.validityPeriodHours), "-sha256", "-extfile", file("ext.cnf", extensions(request, options))],
      { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
  });
}

const CHARSETS = {
  lower: "abcdefghijklmnopqrstuvwxyz",
  upper: "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
  numeric: "0123456789",
  special: "!@#$%&*()-_=+[]{}<>:?",
};

/** Mirrors random.RandomPassword/RandomString inputs (length, lower, upper, numeric, special, overrideSpecial). */
export function randomString(inputs: { length: number; lower?: boolean; upper?: boolean; numeric?: boolean; special?: boolean; overrideSpecial?: string }): string {
  const special = inputs.overrideSpecial ?? CHARSETS.special;
  const alphabet = (inputs.lower !== false ? CHARSETS.lower : "") + (inputs.upper !== false ? CHARSETS.upper : "") + (inputs.numeric !== false ? CHARSETS.numeric : "") + (inputs.special !== false ? special : "");
  if (!alphabet) throw new Error("random string with an empty character set");
  return Array.from({ length: inputs.length }, () => alphabet[randomInt(alphabet.length)]).join("");
}
