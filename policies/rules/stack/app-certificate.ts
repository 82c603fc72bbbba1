import { z } from "zod";
import { stackRule } from "../rule";
import { appSpiffeId, clientCertificates } from "../client-certificates";
import { deliveredUploads, envOf, missingSeed, quoteNames, seedsOf, seedUploadsNamed, topology } from "./topology";

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
    const certificates = clientCertificates(resources, config.trustDomain);
    const topo = topology(resources);
    for (const container of topo.containers) {
      if (container.role !== "app") continue;
      const app = container.app;
      if (!app) {
        report({ resource: container.resource, field: "labels", found: "has platform.role=app but no platform.app label", fix: "label the container platform.app=<app name>" });
        continue;
      }
      if (!certificates.signed(app)) {
        const want = appSpiffeId(config.trustDomain, app);
        report({
          resource: container.resource,
          field: "client certificate",
          found: certificates.requests(app) === 0 ? `is missing (no certificate request in the stack has URI SAN ${want})` : `is missing (a certificate request has URI SAN ${want}, but no client_auth certificate is signed from it)`,
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
