import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { spkiPinFromPem } from "../render/envoy/spki";

export interface InternalCaArgs {
  commonName: string;
  /** validity of the CA certificate itself */
  validityHours: number;
  /** defaults for the leaf certificates this CA issues */
  leafValidityHours: number;
  earlyRenewalHours: number;
}

export type CertificateUsage = "server" | "client" | "server-and-client";

export interface LeafCertificateArgs {
  commonName: string;
  uris?: string[];
  dnsNames?: string[];
  ipAddresses?: string[];
  usage: CertificateUsage;
  validityHours?: number;
  earlyRenewalHours?: number;
}

/** Each named public key's SPKI pin (what the gateway pins), once the keys exist. */
export function spkiPins(entries: [string, pulumi.Output<string>][]): pulumi.Output<Record<string, string>> {
  return pulumi.all(Object.fromEntries(entries)).apply((keys) => Object.fromEntries(Object.entries(keys).map(([n, pem]) => [n, spkiPinFromPem(pem)])));
}

/** A leaf key pair and its CA-signed certificate. `privateKeyPem` is a Pulumi secret. */
export interface LeafCertificate {
  key: tls.PrivateKey;
  certificate: tls.LocallySignedCert;
  privateKeyPem: pulumi.Output<string>;
  publicKeyPem: pulumi.Output<string>;
  certPem: pulumi.Output<string>;
}

const USAGES: Record<CertificateUsage, string[]> = {
  server: ["digital_signature", "key_encipherment", "server_auth"],
  client: ["digital_signature", "key_encipherment", "client_auth"],
  "server-and-client": ["digital_signature", "key_encipherment", "server_auth", "client_auth"],
};

/** The platform's own certificate authority (paper IV-B: an internal PKI, the platform is not reachable from the internet). */
export class InternalCa extends pulumi.ComponentResource {
  readonly key: tls.PrivateKey;
  readonly certificate: tls.SelfSignedCert;
  readonly certPem: pulumi.Output<string>;
  private readonly defaults: InternalCaArgs;

  constructor(name: string, args: InternalCaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("platform:pki:InternalCa", name, {}, opts);
    this.defaults = args;
    this.key = new tls.PrivateKey(`${name}-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, { parent: this });
    this.certificate = new tls.SelfSignedCert(
      `${name}-cert`,
      {
        privateKeyPem: this.key.privateKeyPem,
        isCaCertificate: true,
        maxPathLength: 0,
        setSubjectKeyId: true,
        subject: { commonName: args.commonName, organization: "platform" },
        validityPeriodHours: args.validityHours,
        allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
      },
      { parent: this },
    );
    this.certPem = this.certificate.certPem;
    this.registerOutputs({ certPem: this.certPem });
  }

  /** Issues a leaf certificate; its resources are children of `parent` (the workload that owns it). */
  issue(name: string, args: LeafCertificateArgs, parent: pulumi.Resource): LeafCertificate {
    const key = new tls.PrivateKey(`${name}-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, { parent });
    const request = new tls.CertRequest(
      `${name}-csr`,
      {
        privateKeyPem: key.privateKeyPem,
        subject: { commonName: args.commonName, organization: "platform" },
        uris: args.uris,
        dnsNames: args.dnsNames,
        ipAddresses: args.ipAddresses,
      },
      { parent },
    );
    const certificate = new tls.LocallySignedCert(
      `${name}-cert`,
      {
        certRequestPem: request.certRequestPem,
        caPrivateKeyPem: this.key.privateKeyPem,
        caCertPem: this.certificate.certPem,
        validityPeriodHours: args.validityHours ?? this.defaults.leafValidityHours,
        earlyRenewalHours: args.earlyRenewalHours ?? this.defaults.earlyRenewalHours,
        allowedUses: USAGES[args.usage],
        setSubjectKeyId: true,
      },
      { parent },
    );
    return {
      key,
      certificate,
      privateKeyPem: pulumi.secret(key.privateKeyPem),
      publicKeyPem: key.publicKeyPem,
      certPem: certificate.certPem,
    };
  }
}
