import { stackRule } from "../rule";
import { clientCertificates } from "../client-certificates";
import { APP_CERTIFICATE_SETTINGS, checkAppCertificates } from "../topology-checks/app-certificate";
import { envOf, seedDelivery, topology } from "./topology";

export const appCertificate = stackRule({
  id: "stack-app-certificate",
  description:
    "Every app has a client certificate from the internal CA with URI SAN spiffe://<trust domain>/app/<name>, delivered with its key as files that its upload seed writes into a volume the app mounts.",
  severity: "high",
  remediation:
    "Issue the app a client certificate (InternalCa.issue with usage \"client\" and uris [spiffe://<trust domain>/app/<name>]), name its certificate and key files in the app's env, and upload both through the app's seed container (createWorkloadContainer does all of this).",
  enforcementLevel: "mandatory",
  settings: APP_CERTIFICATE_SETTINGS,
  check(resources, config, report) {
    const certificates = clientCertificates(resources, config.trustDomain);
    const topo = topology(resources);
    checkAppCertificates(topo.containers, certificates, config, {
      noun: "container",
      env: envOf,
      envField: "envs",
      fix: (app, what, envName, file = "<file>") => `name the ${what} file in ${envName}=${file} and upload it through app ${app}'s seed container into a volume the app mounts at the same path`,
      delivery: (container) => seedDelivery(topo, container, report),
    }, report);
  },
});
