// The OIDC names the gateway and the realm must agree on, in one place: issuer, endpoints, scopes,
// audience. Keycloak's issuer is `<hostname URL>/realms/<realm>`; its hostname is pinned so the
// issuer never depends on how a request reached it.

interface IdentityEndpointInput {
  /** the pinned Keycloak hostname, e.g. identity.dev.platform.example */
  hostname: string;
  /** Keycloak's HTTPS port */
  port: number;
  realm: string;
}

interface OidcEndpoints {
  /** the URL Keycloak is started with as `--hostname` */
  hostnameUrl: string;
  issuer: string;
  tokenPath: string;
  jwksPath: string;
  jwksUri: string;
}

export function oidcEndpoints(input: IdentityEndpointInput): OidcEndpoints {
  const hostnameUrl = `https://${input.hostname}:${input.port}`;
  const realmPath = `/realms/${input.realm}`;
  return {
    hostnameUrl,
    issuer: `${hostnameUrl}${realmPath}`,
    tokenPath: `${realmPath}/protocol/openid-connect/token`,
    jwksPath: `${realmPath}/protocol/openid-connect/certs`,
    jwksUri: `${hostnameUrl}${realmPath}/protocol/openid-connect/certs`,
  };
}

/** The OAuth2 scope that grants access to one platform service (one Keycloak client scope). */
export function serviceScope(service: string): string {
  return `service.${service}`;
}

/** The audience every access token carries and the gateway requires. */
export function gatewayAudience(trustDomain: string): string {
  return `gateway.${trustDomain}`;
}

/** Keycloak's pinned hostname inside the platform. */
export function identityHostname(trustDomain: string): string {
  return `identity.${trustDomain}`;
}
