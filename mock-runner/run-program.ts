// Evaluates the real Pulumi program without the Pulumi CLI, under the SDK's mocks, and records every
// resource with its inputs. Used by the tests, the policy checker, the sandbox and the benchmarks.
import * as pulumi from "@pulumi/pulumi";
import { unwrapSecrets } from "./secret-envelope";
import { caSignedCertificate, generateKey, publicKeyOf, randomString, selfSignedCertificate } from "./key-material";


export interface RecordedResource {
  type: string;
  name: string;
  custom: boolean;
  id: string;
  /** inputs with secret wrappers removed */
  inputs: Record<string, any>;
  /** top-level input names that held a secret (anywhere inside) */
  secretInputs: string[];
  /** what the mock answered as the provider's state */
  state: Record<string, any>;
  /** the URN the engine gave it; its type part names the parent's type (`Parent$Type`) */
  urn?: string;
  /** the type of the parent resource, or undefined for a root resource */
  parentType?: string;
  /** URNs of the resources whose replacement replaces this one (the `replaceWith` option) */
  replaceWith?: string[];
}

type Material = "real" | "fast";

export interface ProgramRun {
  resources: RecordedResource[];
  /** the program module's exports (stack outputs), resolved */
  outputs: Record<string, unknown>;
  ofType(type: string): RecordedResource[];
}

export interface RunOptions {
  /** flat stack config, e.g. `{"platform:apps": [...]}`; non-string values are JSON-encoded as Pulumi does */
  config: Record<string, unknown>;
  stack?: string;
  project?: string;
  preview?: boolean;
  /** "real": real keys and CA-signed certificates (openssl); "fast": real keys, placeholder certificates */
  material?: Material;
  /**
   * Private keys the provider already holds, by the tls.PrivateKey resource's logical name: what a
   * stack's state keeps across `pulumi up` runs (certificates renewed, keys kept). Others are generated.
   */
  keys?: Record<string, { privateKeyPem: string; publicKeyPem: string }>;
}

/** Plays the providers' part: computes the outputs a real provider would. */
export class ProviderModel {
  private readonly keys = new Map<string, string>(); // public key PEM → private key PEM
  constructor(
    private readonly material: Material,
    private readonly presetKeys: NonNullable<RunOptions["keys"]> = {},
  ) {}

  state(type: string, name: string, inputs: Record<string, any>): Record<string, any> {
    switch (type) {
      case "docker:index/network:Network":
      case "docker:index/volume:Volume":
      case "docker:index/container:Container":
        return { ...inputs, name: inputs.name ?? name };
      case "tls:index/privateKey:PrivateKey": {
        const pair = this.presetKeys[name] ?? generateKey(inputs.algorithm, inputs.ecdsaCurve, inputs.rsaBits);
        this.keys.set(pair.publicKeyPem, pair.privateKeyPem);
        return { ...inputs, ...pair };
      }
      case "tls:index/selfSignedCert:SelfSignedCert":
        return { ...inputs, certPem: this.certificate(inputs, undefined) };
      case "tls:index/certRequest:CertRequest":
        // The request is kept as JSON: LocallySignedCert below turns it into a real certificate.
        return { ...inputs, certRequestPem: JSON.stringify({ subject: inputs.subject, uris: inputs.uris, dnsNames: inputs.dnsNames, ipAddresses: inputs.ipAddresses, publicKeyPem: publicKeyOf(inputs.privateKeyPem) }) };
      case "tls:index/locallySignedCert:LocallySignedCert": {
        const request = JSON.parse(inputs.certRequestPem);
        if (this.material === "fast") return { ...inputs, certPem: this.certificate({ ...inputs, ...request }, undefined) };
        const privateKeyPem = this.keys.get(request.publicKeyPem);
        if (!privateKeyPem) throw new Error(`${name}: certificate request for an unknown key`);
        return { ...inputs, certPem: this.certificate({ ...inputs, ...request, privateKeyPem }, { certPem: inputs.caCertPem, privateKeyPem: inputs.caPrivateKeyPem }) };
      }
      case "random:index/randomPassword:RandomPassword":
      case "random:index/randomString:RandomString":
        return { ...inputs, result: randomString(inputs as { length: number }) };
      default:
        return { ...inputs };
    }
  }

  private certificate(inputs: Record<string, any>, ca: { certPem: string; privateKeyPem: string } | undefined): string {
    if (this.material === "fast") {
      return `-----BEGIN CERTIFICATE-----\n(placeholder for ${inputs.subject?.commonName ?? "unnamed"})\n-----END CERTIFICATE-----\n`;
    }
    const request = { privateKeyPem: inputs.privateKeyPem, subject: inputs.subject, uris: inputs.uris, dnsNames: inputs.dnsNames, ipAddresses: inputs.ipAddresses };
    const options = { validityPeriodHours: inputs.validityPeriodHours, allowedUses: inputs.allowedUses ?? [], isCaCertificate: inputs.isCaCertificate, maxPathLength: inputs.maxPathLength };
    return ca ? caSignedCertificate(request, options, ca) : selfSignedCertificate(request, options);
  }
}

/** Config as the Pulumi runtime stores it: every value a string. */
export function flattenConfig(config: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(config).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]));
}

/**
 * Runs `program` (a function that declares resources, or a module path to require) under mocks.
 * Resolves once every resource registration has completed.
 */
export async function runProgram(program: string | (() => unknown), options: RunOptions): Promise<ProgramRun> {
  const resources: RecordedResource[] = [];
  const provider = new ProviderModel(options.material ?? "real", options.keys ?? {});
  let counter = 0;
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const inputs: Record<string, any> = {};
        const secretInputs: string[] = [];
        for (const [key, value] of Object.entries(args.inputs ?? {})) {
          const unwrapped = unwrapSecrets(value);
          inputs[key] = unwrapped.value;
          if (unwrapped.secret) secretInputs.push(key);
        }
        const custom = args.custom !== false;
        const state = custom ? provider.state(args.type, args.name, inputs) : {};
        const id = custom ? `${args.name}-id-${++counter}` : "";
        resources.push({ type: args.type, name: args.name, custom, id, inputs, secretInputs, state });
        return { id: custom ? id : undefined, state };
      },
      call(args) {
        return args.inputs;
      },
    },
    options.project ?? "secure-app-platform",
    options.stack ?? "dev",
    options.preview ?? false,
  );
  const replaceWith = recordReplaceWith();
  pulumi.runtime.setAllConfig(flattenConfig(options.config));
  let exported: Record<string, unknown> = {};
  if (typeof program === "string") {
    const resolved = require.resolve(program);
    delete require.cache[resolved];
    exported = require(resolved);
  } else {
    const result = await program();
    if (result && typeof result === "object") exported = result as Record<string, unknown>;
  }
  const outputs = await resolveOutputs(exported);
  await waitForRegistrations();
  attachUrns(resources);
  for (const resource of resources) resource.replaceWith = replaceWith.get(`${resource.type}::${resource.name}`);
  return { resources, outputs, ofType: (type) => resources.filter((r) => r.type === type) };
}

/** The mock monitor sees each registration's options; this keeps the `replaceWith` URNs by type and name. */
function recordReplaceWith(): Map<string, string[]> {
  const recorded = new Map<string, string[]>();
  const settings = require("@pulumi/pulumi/runtime/settings") as { getMonitor(): { registerResource(req: any, callback: unknown): unknown } };
  const monitor = settings.getMonitor();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: unknown) => {
    const urns: string[] = req.getReplaceWithList?.() ?? [];
    if (urns.length > 0) recorded.set(`${req.getType()}::${req.getName()}`, urns);
    return register(req, callback);
  };
  return recorded;
}

async function waitForRegistrations(): Promise<void> {
  // The SDK's RPC queue drains when every registration (and its outputs) has been answered.
  const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs?: () => Promise<void> };
  if (settings.waitForRPCs) await settings.waitForRPCs();
}

function attachUrns(resources: RecordedResource[]): void {
  const settings = require("@pulumi/pulumi/runtime/settings") as { getMonitor(): { resources?: Map<string, { urn: string }> } };
  const byKey = new Map<string, string>();
  for (const urn of settings.getMonitor().resources?.keys() ?? []) {
    const [, , qualifiedType, name] = urn.split("::");
    byKey.set(`${qualifiedType.split("$").pop()}::${name}`, urn);
  }
  for (const resource of resources) {
    resource.urn = byKey.get(`${resource.type}::${resource.name}`);
    const chain = resource.urn?.split("::")[2].split("$") ?? [];
    resource.parentType = chain.length > 1 ? chain[chain.length - 2] : undefined;
  }
}

async function resolveOutputs(value: unknown): Promise<any> {
  if (pulumi.Output.isInstance(value)) {
    return new Promise((resolve) => (value as pulumi.Output<unknown>).apply(async (inner) => resolve(await resolveOutputs(inner))));
  }
  if (value instanceof Promise) return resolveOutputs(await value);
  if (Array.isArray(value)) return Promise.all(value.map(resolveOutputs));
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = await Promise.all(Object.entries(value).map(async ([k, v]) => [k, await resolveOutputs(v)] as const));
    return Object.fromEntries(entries);
  }
  return value;
}
