import { z } from "zod";
import { ResourceView, stackRule } from "../rule";
import { list } from "../read";
import { deliveredUploads, envOf, missingSeed, quoteNames, seedsOf, seedUploadsNamed, topology } from "./topology";

const CERT_REQUEST_TYPE = "tls:index/certRequest:CertRequest";
const LOCALLY_SIGNED_CERT_TYPE = "tls:index/locallySignedCert:LocallySignedCert";

export const appCertificate = stackRule({
  id: "stack-app-certificate",
  description:
    "Every app has a client certificate from the internal CA with URI SAN spiffe://<trust domain>/app/<name>, delivered with its key as files that its upload seed writes into a volume the app mounts.",
  severity: "high",
  remediation:
    "Issue the app a client certificate (InternalCa.issue with usage \"client\" and uris [spiffe://<trust domain>/app/<name>]), name its certificate and key files in the app's env, and upload both through the app's seed container (createWorkloadContainer does all of this).",
  enforcementLevel: "mandatory",
  settings: {
    /** when set, the URI SAN must be exactly spiffe://<trustDomain>/app/<name> */
    trustDomain: z.string().default(""),
    /** env variables naming the certificate and key files, which the app's upload seed must deliver */
    certFileEnv: z.string().default("PLATFORM_CERT_FILE"),
    keyFileEnv: z.string().default("PLATFORM_KEY_FILE"),
  },
  check(resources, config, report) {
    const appOfUri = (uri: string): string | undefined => {
      const match = /^spiffe:\/\/([^/]+)\/app\/([^/]+)$/.exec(uri);
      return match && (!config.trustDomain || match[1] === config.trustDomain) ? match[2] : undefined;
    };
    // Indexed once, so a stack with thousands of apps stays linear.
    const requestsByApp = new Map<string, ResourceView[]>();
    for (const r of resources) {
      if (r.type !== CERT_REQUEST_TYPE) continue;
      for (const uri of list(r.props.uris)) {
        const app = typeof uri === "string" ? appOfUri(uri) : undefined;
        if (app) requestsByApp.set(app, [...(requestsByApp.get(app) ?? []), r]);
      }
    }
    const clientCertNames = new Set<string>();
    const clientCertDependencies = new Set<string>();
    for (const r of resources) {
      if (r.type !== LOCALLY_SIGNED_CERT_TYPE || !list(r.props.allowedUses).includes("client_auth")) continue;
      clientCertNames.add(r.name);
      for (const urn of r.dependencies ?? []) clientCertDependencies.add(urn);
    }
    // A certificate belongs to a request when it depends on it, or (without dependency data) by the
    // InternalCa naming convention `<n>-csr` / `<n>-cert`.
    const isSigned = (request: ResourceView) => clientCertDependencies.has(request.urn) || clientCertNames.has(request.name.replace(/-csr$/, "-cert"));
    const topo = topology(resources);
    for (const container of topo.containers) {
      if (container.role !== "app") continue;
      const app = container.app;
      if (!app) {
        report({ resource: container.resource, field: "labels", found: "has platform.role=app but no platform.app label", fix: "label the container platform.app=<app name>" });
        continue;
      }
      const matching = requestsByApp.get(app) ?? [];
      if (!matching.some(isSigned)) {
        const want = config.trustDomain ? `spiffe://${config.trustDomain}/app/${app}` : `spiffe://<trust domain>/app/${app}`;
        report({
          resource: container.resource,
          field: "client certificate",
          found: matching.length === 0 ? `is missing (no certificate request in the stack has URI SAN ${want})` : `is missing (a certificate request has URI SAN ${want}, but no client_auth certificate is signed from it)`,
          fix: `issue app ${app} a client certificate from the internal CA with URI SAN ${want}`,
        });
      }
      // The certificate is useless unless the app can read it: its seed uploads the files into a
      // volume the app mounts (only the file names are read: the contents are unknown at preview).
      const env = envOf(container);
      const deliveryFix = (what: string, file = "<file>") => `name the ${what} file in ${what === "certificate" ? config.certFileEnv : config.keyFileEnv}=${file} and upload it through app ${app}'s seed container into a volume the app mounts at the same path`;
      const files: [string, string][] = [["certificate", config.certFileEnv], ["key", config.keyFileEnv]];
      const seeds = seedsOf(topo, container);
      let seedReported = false;
      for (const [what, envName] of files) {
        const file = env.get(envName);
        if (!file) {
          report({ resource: container.resource, field: "envs", found: `has no ${envName} (the app's client ${what} file)`, fix: deliveryFix(what) });
          continue;
        }
        if (seeds.length === 0) {
          if (!seedReported) report({ resource: container.resource, field: "upload seed", found: missingSeed(container), fix: deliveryFix(what, file) });
          seedReported = true;
          continue;
        }
        if (deliveredUploads(topo, container, file).length > 0) continue;
        const stray = seedUploadsNamed(topo, container, file);
        if (stray.length > 0) {
          for (const { seed, index } of stray) {
            report({ resource: seed.resource, field: `uploads[${index}].file`, found: `is ${file}, which lies in no volume that app ${app} mounts at the same path`, fix: deliveryFix(what, file) });
          }
        } else {
          report({ resource: container.resource, field: `uploads of its seed ${quoteNames(seeds)}`, found: `have no file ${file} (named by ${envName})`, fix: deliveryFix(what, file) });
        }
      }
    }
  },
});
