// Certificates as the platform issues them: components/internal-ca.ts (InternalCa and its issue())
// evaluated under the mock runner with real key material (real ECDSA P-256 keys, CA-signed X.509 via
// openssl). Keys come back in the form @pulumi/tls writes them (SEC1 "EC PRIVATE KEY").
import { createPrivateKey } from "node:crypto";
import { InternalCa, type InternalCaArgs, type LeafCertificateArgs } from "../../components/internal-ca";
import { runProgram } from "../../mock-runner/run-program";

export interface IssuedLeaf {
  certPem: string;
  keyPem: string;
  publicKeyPem: string;
}

export async function issueCertificates<N extends string>(stack: string, ca: InternalCaArgs, leaves: Record<N, LeafCertificateArgs>): Promise<{ caPem: string; leaves: Record<N, IssuedLeaf> }> {
  const names = Object.keys(leaves) as N[];
  const run = await runProgram(
    () => {
      const authority = new InternalCa("bench-ca", ca);
      const outputs: Record<string, unknown> = { caPem: authority.certPem };
      for (const name of names) {
        const leaf = authority.issue(`bench-${name}`, leaves[name], authority);
        Object.assign(outputs, { [`${name}.cert`]: leaf.certPem, [`${name}.key`]: leaf.privateKeyPem, [`${name}.public`]: leaf.publicKeyPem });
      }
      return outputs;
    },
    { config: {}, stack, material: "real" },
  );
  const out = run.outputs as Record<string, string>;
  const sec1 = (pem: string) => createPrivateKey(pem).export({ type: "sec1", format: "pem" }).toString();
  const issued = Object.fromEntries(names.map((name) => [name, { certPem: out[`${name}.cert`], keyPem: sec1(out[`${name}.key`]), publicKeyPem: out[`${name}.public`] }])) as Record<N, IssuedLeaf>;
  return { caPem: out.caPem, leaves: issued };
}
