import { SERVICE_TYPE, stackRule } from "../rule";
import { clientCertificates } from "../client-certificates";
import { APP_CERTIFICATE_SETTINGS, CertificateFile, checkAppCertificates } from "../topology-checks/app-certificate";
import { MountedFile, mountedFiles, serviceEnv, swarmObjectOf, swarmTopology } from "./topology";

/** Where each file may come from: a key only from a secret; the certificate is public. */
const SOURCES: Record<CertificateFile, readonly MountedFile["kind"][]> = { certificate: ["secret", "config"], key: ["secret"] };

export const swarmAppCertificate = stackRule({
  id: "swarm-app-certificate",
  description:
    "Every app service has a client certificate from the internal CA with URI SAN spiffe://<trust domain>/app/<name>, mounted with its key (from a Swarm secret) at the files its env names.",
  severity: "high",
  remediation:
    "Issue the app a client certificate (InternalCa.issue, usage \"client\"), name the certificate and key files in its env, and mount the key from a docker.Secret and the certificate from a secret or config at those paths (components/swarm does all of this).",
  enforcementLevel: "mandatory",
  subjectTypes: [SERVICE_TYPE],
  settings: APP_CERTIFICATE_SETTINGS,
  check(resources, config, report) {
    const certificates = clientCertificates(resources, config.trustDomain);
    checkAppCertificates(swarmTopology(resources).services, certificates, config, {
      noun: "service",
      env: serviceEnv,
      envField: "taskSpec.containerSpec.env",
      fix: (_app, what, envName) => `name the ${what} file in ${envName} and mount it from a ${what === "key" ? "docker.Secret" : "docker.Secret or docker.ServiceConfig"} at that path`,
      delivery: (service) => {
        const files = mountedFiles(service);
        return (file, envName, fix, what) => {
          const mounted = files.filter((f) => f.fileName === file);
          const usable = mounted.filter((f) => SOURCES[what].includes(f.kind));
          if (usable.length === 0) {
            const found = mounted.length > 0 ? `mounts ${file} (named by ${envName}) from a config, not a secret` : `mounts no file ${file} (named by ${envName})`;
            report({ resource: service.resource, field: mounted[0]?.field ?? "taskSpec.containerSpec.secrets", found, fix });
            return;
          }
          for (const f of usable) {
            if (swarmObjectOf(resources, f) === undefined) {
              report({ resource: service.resource, field: f.field, found: `mounts ${file} from ${f.kind} ${JSON.stringify(f.name ?? f.id)}, which this stack does not declare`, fix });
            }
          }
        };
      },
    }, report);
  },
});
