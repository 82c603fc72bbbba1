// The realm import (Keycloak's RealmRepresentation JSON) from a narrow input. `renderRealm` holds no
// secret (golden-testable, shared with the gateway's cross-check); `renderRealmJson` adds each
// client's secret for the upload, which is a Pulumi secret. Keycloak's container gets no secret env.
import { serviceScope } from "./oidc";

interface RealmApp {
  name: string;
  /** names of the services granted to this app */
  services: readonly string[];
}

export interface RealmRenderInput {
  realm: string;
  /** the audience the gateway requires (see gatewayAudience) */
  audience: string;
  accessTokenLifespanSeconds: number;
  apps: readonly RealmApp[];
  /** every platform service: one client scope each */
  services: readonly string[];
}

const NO_CONSENT = { "display.on.consent.screen": "false" };

/** `basic` must be declared: declaring any client scope drops Keycloak's built-ins, and with them `sub`. */
function basicScope() {
  return {
    name: "basic",
    description: "OpenID Connect basic claims: sub and auth_time",
    protocol: "openid-connect",
    attributes: { ...NO_CONSENT, "include.in.token.scope": "false" },
    protocolMappers: [
      { name: "sub", protocol: "openid-connect", protocolMapper: "oidc-sub-mapper", consentRequired: false, config: { "access.token.claim": "true", "introspection.token.claim": "true" } },
      {
        name: "auth_time",
        protocol: "openid-connect",
        protocolMapper: "oidc-usersessionmodel-note-mapper",
        consentRequired: false,
        config: { "user.session.note": "AUTH_TIME", "claim.name": "auth_time", "jsonType.label": "long", "access.token.claim": "true", "introspection.token.claim": "true" },
      },
    ],
  };
}

function serviceClientScope(service: string) {
  return {
    name: serviceScope(service),
    description: `Calls to the ${service} service through the gateway`,
    protocol: "openid-connect",
    attributes: { ...NO_CONSENT, "include.in.token.scope": "true" },
  };
}

function appClient(input: RealmRenderInput, app: RealmApp) {
  return {
    clientId: app.name,
    name: app.name,
    description: `Third-party app ${app.name}: client credentials only`,
    enabled: true,
    protocol: "openid-connect",
    publicClient: false,
    bearerOnly: false,
    clientAuthenticatorType: "client-secret",
    // client credentials only: no browser flows, no password grant, no device or CIBA flows
    serviceAccountsEnabled: true,
    standardFlowEnabled: false,
    implicitFlowEnabled: false,
    directAccessGrantsEnabled: false,
    frontchannelLogout: false,
    consentRequired: false,
    fullScopeAllowed: false,
    redirectUris: [],
    webOrigins: [],
    attributes: {
      "access.token.lifespan": String(input.accessTokenLifespanSeconds),
      "oauth2.device.authorization.grant.enabled": "false",
      "oidc.ciba.grant.enabled": "false",
      "client_credentials.use_refresh_token": "false",
      "use.refresh.tokens": "false",
    },
    defaultClientScopes: ["basic", ...[...new Set(app.services)].sort().map(serviceScope)],
    optionalClientScopes: [],
    protocolMappers: [
      {
        name: "gateway-audience",
        protocol: "openid-connect",
        protocolMapper: "oidc-audience-mapper",
        consentRequired: false,
        config: { "included.custom.audience": input.audience, "access.token.claim": "true", "id.token.claim": "false", "introspection.token.claim": "true" },
      },
    ],
  };
}

type RealmRepresentation = ReturnType<typeof renderRealm>;

export function renderRealm(input: RealmRenderInput) {
  const services = [...new Set(input.services)].sort();
  const known = new Set(services);
  for (const app of input.apps) {
    for (const service of app.services) {
      if (!known.has(service)) throw new Error(`realm: app ${app.name} is granted unknown service ${JSON.stringify(service)} (services: ${services.join(", ") || "none"})`);
    }
  }
  const apps = [...input.apps].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return {
    realm: input.realm,
    enabled: true,
    sslRequired: "all",
    accessTokenLifespan: input.accessTokenLifespanSeconds,
    registrationAllowed: false,
    resetPasswordAllowed: false,
    rememberMe: false,
    loginWithEmailAllowed: false,
    bruteForceProtected: true,
    revokeRefreshToken: true,
    clientScopes: [basicScope(), ...services.map(serviceClientScope)],
    defaultDefaultClientScopes: ["basic"],
    defaultOptionalClientScopes: [],
    clients: apps.map((app) => appClient(input, app)),
  };
}

/** app name → its client secret */
type ClientSecrets = Readonly<Record<string, string>>;

/** The realm with each client's secret: exactly one per client, none for a client that does not exist. */
export function withClientSecrets(realm: RealmRepresentation, secrets: ClientSecrets) {
  const clients = new Set(realm.clients.map((c) => c.clientId));
  const missing = [...clients].filter((id) => !Object.hasOwn(secrets, id));
  const unknown = Object.keys(secrets).filter((id) => !clients.has(id));
  if (missing.length > 0 || unknown.length > 0) {
    throw new Error(`realm ${realm.realm}: client secrets must match the clients one to one (missing: ${missing.join(", ") || "none"}; unknown: ${unknown.join(", ") || "none"})`);
  }
  return { ...realm, clients: realm.clients.map((c) => ({ ...c, secret: secrets[c.clientId] })) };
}

/** The realm import file as uploaded: holds every client's secret, so the upload must be a Pulumi secret. */
export function renderRealmJson(input: RealmRenderInput, secrets: ClientSecrets): string {
  return JSON.stringify(withClientSecrets(renderRealm(input), secrets), null, 2) + "\n";
}
