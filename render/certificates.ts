// What each workload's certificate says (subject, SANs, usage), from the plan: the one source for the
// engine components and the Swarm wiring, which issue them from the platform CA.
import { infraAddress, type AppPlan, type PlatformPlan, type ServicePlan } from "../plan/plan";
import { gatewayAddresses, gatewaySpiffeId } from "./envoy/from-plan";
import { identityHostname } from "./keycloak/oidc";

export interface CertificateRequest {
  commonName: string;
  uris?: string[];
  dnsNames?: string[];
  ipAddresses?: string[];
  usage: "server" | "client" | "server-and-client";
}

/** An app's client certificate: its SPIFFE id is what its gateway filter chain accepts. */
export const appCertificate = (app: AppPlan): CertificateRequest => ({ commonName: app.config.name, uris: [app.spiffeId], usage: "client" });

/** A backend service's server certificate, for the gateway's upstream TLS (SAN and pin checked). */
export const serviceCertificate = (service: ServicePlan): CertificateRequest => ({ commonName: service.config.name, uris: [service.spiffeId], dnsNames: [service.hostname], usage: "server" });

/** Keycloak's: its pinned hostname, the alias "identity" (Swarm) and its static address (one engine). */
export function identityCertificate(plan: PlatformPlan): CertificateRequest {
  const hostname = identityHostname(plan.config.trustDomain);
  return { commonName: hostname, dnsNames: [hostname, "identity"], ipAddresses: [infraAddress(plan.networks.identity, "identity")], usage: "server" };
}

/** The gateway's: a server to the apps (the alias "gateway" and its addresses), a client to the services and Keycloak. */
export function gatewayCertificate(plan: PlatformPlan): CertificateRequest {
  const addresses = gatewayAddresses(plan);
  return { commonName: "gateway", uris: [gatewaySpiffeId(plan.config.trustDomain)], dnsNames: addresses.dnsNames, ipAddresses: addresses.ips, usage: "server-and-client" };
}
