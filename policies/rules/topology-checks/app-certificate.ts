// stack-app-certificate and swarm-app-certificate: every app holds a client certificate from the
// internal CA, and gets it and its key as the files its env names. The forms differ in how a file
// reaches the workload (an upload seed; a Swarm secret or config) and in the words for it.
import { z } from "zod";
import { appSpiffeId, ClientCertificates } from "../client-certificates";
import type { Report, Workload } from "./workload";

export const APP_CERTIFICATE_SETTINGS = {
  /** when set, the URI SAN must be exactly spiffe://<trustDomain>/app/<name> */
  trustDomain: z.string().default(""),
  /** env variables naming the certificate and key files, which must reach the app */
  certFileEnv: z.string().default("PLATFORM_CERT_FILE"),
  keyFileEnv: z.string().default("PLATFORM_KEY_FILE"),
};

interface Settings {
  trustDomain: string;
  certFileEnv: string;
  keyFileEnv: string;
}

export type CertificateFile = "certificate" | "key";

/** How one form names its workloads and delivers their files. */
export interface CertificateDelivery<W extends Workload> {
  /** the workload in the fix for a missing platform.app label: "container", "service" */
  noun: string;
  env(workload: W): ReadonlyMap<string, string>;
  /** the env's input path, for violation fields */
  envField: string;
  /** how to name app's `what` file in `envName` and deliver it; `file` once the env names one */
  fix(app: string, what: CertificateFile, envName: string, file?: string): string;
  /** the delivery check for one app workload: reports what keeps `file` (named by `envName`) from reaching it */
  delivery(workload: W): (file: string, envName: string, fix: string, what: CertificateFile) => void;
}

export function checkAppCertificates<W extends Workload>(workloads: readonly W[], certificates: ClientCertificates, config: Settings, form: CertificateDelivery<W>, report: Report): void {
  for (const workload of workloads) {
    if (workload.role !== "app") continue;
    const app = workload.app;
    if (!app) {
      report({ resource: workload.resource, field: "labels", found: "has platform.role=app but no platform.app label", fix: `label the ${form.noun} platform.app=<app name>` });
      continue;
    }
    if (!certificates.signed(app)) {
      const want = appSpiffeId(config.trustDomain, app);
      report({
        resource: workload.resource,
        field: "client certificate",
        found: certificates.requests(app) === 0 ? `is missing (no certificate request in the stack has URI SAN ${want})` : `is missing (a certificate request has URI SAN ${want}, but no client_auth certificate is signed from it)`,
        fix: `issue app ${app} a client certificate from the internal CA with URI SAN ${want}`,
      });
    }
    // The certificate is useless unless the app can read it. Only where the files come from is read:
    // their contents are unknown at preview.
    const env = form.env(workload);
    const deliver = form.delivery(workload);
    const files: [CertificateFile, string][] = [["certificate", config.certFileEnv], ["key", config.keyFileEnv]];
    for (const [what, envName] of files) {
      const file = env.get(envName);
      if (!file) {
        report({ resource: workload.resource, field: form.envField, found: `has no ${envName} (the app's client ${what} file)`, fix: form.fix(app, what, envName) });
        continue;
      }
      deliver(file, envName, form.fix(app, what, envName, file), what);
    }
  }
}
