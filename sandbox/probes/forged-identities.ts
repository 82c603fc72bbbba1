// Client certificates an attacker could present, made on the host for one run (openssl, as the mock
// runner makes the platform's own): each differs from the app's real certificate in exactly one thing the
// gateway must check.
//   rogue CA:  a CA of the attacker's, the app's own SPIFFE ID as URI SAN  → chain of trust
//   wrong key: the platform CA (its key from the program's resources), the app's SPIFFE ID, a fresh key → SPKI pin
import { caSignedCertificate, generateKey, selfSignedCertificate } from "../../mock-runner/key-material";

interface Identity {
  cert: string;
  key: string;
}

const CLIENT_USES = ["digital_signature", "key_encipherment", "client_auth"];
const made = new Map<string, Identity>();

function leaf(spiffeId: string, ca: { certPem: string; privateKeyPem: string }): Identity {
  const key = generateKey("ECDSA", "P256").privateKeyPem;
  const cert = caSignedCertificate({ privateKeyPem: key, subject: { commonName: spiffeId.split("/").pop(), organization: "sandbox attacker" }, uris: [spiffeId] }, { validityPeriodHours: 24, allowedUses: CLIENT_USES }, ca);
  return { cert, key };
}

/** A certificate for `spiffeId` from a CA the platform has never seen. */
export function rogueCaIdentity(spiffeId: string): Identity {
  const cacheKey = `rogue ${spiffeId}`;
  if (!made.has(cacheKey)) {
    const caKey = generateKey("ECDSA", "P256").privateKeyPem;
    const caCert = selfSignedCertificate({ privateKeyPem: caKey, subject: { commonName: "Sandbox Rogue CA", organization: "sandbox attacker" } }, { validityPeriodHours: 24, allowedUses: ["cert_signing", "crl_signing", "digital_signature"], isCaCertificate: true });
    made.set(cacheKey, leaf(spiffeId, { certPem: caCert, privateKeyPem: caKey }));
  }
  return made.get(cacheKey)!;
}

/** A certificate for `spiffeId` signed by the platform CA itself, for a key that is not the app's. */
export function wrongKeyIdentity(spiffeId: string, ca: { certPem: string; keyPem: string }): Identity {
  const cacheKey = `wrong-key ${spiffeId}`;
  if (!made.has(cacheKey)) made.set(cacheKey, leaf(spiffeId, { certPem: ca.certPem, privateKeyPem: ca.keyPem }));
  return made.get(cacheKey)!;
}
