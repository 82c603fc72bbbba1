import { z } from "zod";
import { SERVICE_TYPE, stackRule } from "../rule";
import { appSpiffeId, clientCertificates } from "../client-certificates";
import { mountedFiles, serviceEnv, swarmObjectOf, swarmTopology } from "./topology";

export const swarmAppCertificate = stackRule({
  id: "swarm-app-certificate",
  description:
    "Every app service has a client certificate from the internal CA with URI SAN spiffe://<trust domain>/app/<name>, mounted with its key (from a Swarm secret) at the files its env names.",
  severity: "high",
  remediation:
    "Issue the app a client certificate (InternalCa.issue, usage \"client\"), name the certificate and key files in its env, and mount the key from a docker.Secret and the certificate from a secret or config at those paths (components/swarm does all of this).",
  enforcementLevel: "mandatory",
  subjectTypes: [SERVICE_TYPE],
  settings: {
    /** when set, the URI SAN must be exactly spiffe://<trustDomain>/app/<name> */
    trustDomain: z.string().default(""),
    /** env variables naming the certificate and key files */
    certFileEnv: z.string().default("PLATFORM_CERT_FILE"),
    keyFileEnv: z.string().default("PLATFORM_KEY_FILE"),
  },
  check(resources, config, report) {
    const certificates = clientCertificates(resources, config.trustDomain);
    for (const service of swarmTopology(resources).services) {
      if (service.role !== "app") continue;
      const app = service.app;
      if (!app) {
        report({ resource: service.resource, field: "labels", found: "has platform.role=app but no platform.app label", fix: "label the service platform.app=<app name>" });
        continue;
      }
      const want = appSpiffeId(config.trustDomain, app);
      if (!certificates.signed(app)) {
        report({
          resource: service.resource,
          field: "client certificate",
          found: certificates.requests(app) === 0 ? `is missing (no certificate request in the stack has URI SAN ${want})` : `is missing (a certificate request has URI SAN ${want}, but no client_auth certificate is signed from it)`,
          fix: `issue app ${app} a client certificate from the internal CA with URI SAN ${want}`,
        });
      }
      const env = serviceEnv(service);
      const files = mountedFiles(service);
      for (const [what, envName, kinds] of [["certificate", config.certFileEnv, ["secret", "config"]], ["key", config.keyFileEnv, ["secret"]]] as const) {
        const fix = `name the ${what} file in ${envName} and mount it from a ${what === "key" ? "docker.Secret" : "docker.Secret or docker.ServiceConfig"} at that path`;
        const file = env.get(envName);
        if (!file) {
          report({ resource: service.resource, field: "taskSpec.containerSpec.env", found: `has no ${envName} (the app's client ${what} file)`, fix });
          continue;
        }
        const mounted = files.filter((f) => f.fileName === file);
        const usable = mounted.filter((f) => (kinds as readonly string[]).includes(f.kind));
        if (usable.length === 0) {
          const found = mounted.length > 0 ? `mounts ${file} (named by ${envName}) from a config, not a secret` : `mounts no file ${file} (named by ${envName})`;
          report({ resource: service.resource, field: mounted[0]?.field ?? "taskSpec.containerSpec.secrets", found, fix });
          continue;
        }
        for (const f of usable) {
          if (swarmObjectOf(resources, f) === undefined) {
            report({ resource: service.resource, field: f.field, found: `mounts ${file} from ${f.kind} ${JSON.stringify(f.name ?? f.id)}, which this stack does not declare`, fix });
          }
        }
      }
    }
  },
});
