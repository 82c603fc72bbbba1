// Which apps hold a client certificate from the internal CA: a CertRequest with URI SAN
// spiffe://<trust domain>/app/<name>, signed by a client_auth LocallySignedCert. The same on one
// engine and on Swarm (stack-app-certificate, swarm-app-certificate).
import type { ResourceView } from "./rule";
import { list } from "./read";

const CERT_REQUEST_TYPE = "tls:index/certRequest:CertRequest";
const LOCALLY_SIGNED_CERT_TYPE = "tls:index/locallySignedCert:LocallySignedCert";

export interface ClientCertificates {
  /** certificate requests naming the app */
  requests(app: string): number;
  /** whether one of them is signed as a client certificate */
  signed(app: string): boolean;
}

export function clientCertificates(resources: readonly ResourceView[], trustDomain: string): ClientCertificates {
  const appOfUri = (uri: string): string | undefined => {
    const match = /^spiffe:\/\/([^/]+)\/app\/([^/]+)$/.exec(uri);
    return match && (!trustDomain || match[1] === trustDomain) ? match[2] : undefined;
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
  return {
    requests: (app) => requestsByApp.get(app)?.length ?? 0,
    signed: (app) => (requestsByApp.get(app) ?? []).some(isSigned),
  };
}

/** `spiffe://dev.platform.example/app/alpha`, or with a placeholder when no trust domain is configured. */
export function appSpiffeId(trustDomain: string, app: string): string {
  return trustDomain ? `spiffe://${trustDomain}/app/${app}` : `spiffe://<trust domain>/app/${app}`;
}
