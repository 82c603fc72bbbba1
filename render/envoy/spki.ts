// The SPKI pin Envoy's `verify_certificate_spki` compares: base64(SHA-256(DER SubjectPublicKeyInfo)).
import { createHash, createPublicKey, X509Certificate } from "node:crypto";

/** Pin of a PEM public key, private key or certificate (44 characters of base64). */
export function spkiPinFromPem(pem: string): string {
  const key = pem.includes("BEGIN CERTIFICATE") ? new X509Certificate(pem).publicKey : createPublicKey(pem);
  return spkiPinFromDer(key.export({ type: "spki", format: "der" }));
}

export function spkiPinFromDer(spkiDer: Buffer): string {
  return createHash("sha256").update(spkiDer).digest("base64");
}
