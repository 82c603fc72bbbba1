import { ResourceView, StackRule } from "../rule";
import { list } from "../read";
import { topology } from "./topology";

export const CERT_REQUEST_TYPE = "tls:index/certRequest:CertRequest";
export const LOCALLY_SIGNED_CERT_TYPE = "tls:index/locallySignedCert:LocallySignedCert";

export interface AppCertificateConfig {
  /** when set, the URI SAN must be exactly spiffe://<trustDomain>/app/<name> */
  trustDomain: string;
}

export const appCertificate: StackRule<AppCertificateConfig> = {
  kind: "stack",
  id: "stack-app-certificate",
  description: "Every app has a client certificate from the internal CA with URI SAN spiffe://<trust domain>/app/<name>.",
  severity: "high",
  remediation: "Issue the app a client certificate (InternalCa.issue with usage \"client\" and uris [spiffe://<trust domain>/app/<name>]).",
  enforcementLevel: "mandatory",
  defaults: { trustDomain: "" },
  configSchema: { properties: { trustDomain: { type: "string", default: "" } } },
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
    for (const container of topology(resources).containers) {
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
    }
  },
};
