import { StackRule } from "../rule";
import { list, text } from "../read";
import { ContainerNode, topology } from "./topology";

export interface AppOauthClientConfig {
  /** env variable that carries the app's OAuth2 client id (must equal the app name) */
  clientIdEnv: string;
  /** env variable that carries the app's OAuth2 client secret */
  clientSecretEnv: string;
}

/** Client ids of the realm imports uploaded into identity-provider containers (Keycloak realm JSON). */
function registeredClients(identities: ContainerNode[]): Set<string> | undefined {
  let realmSeen = false;
  const clients = new Set<string>();
  for (const identity of identities) {
    for (const upload of list(identity.resource.props.uploads)) {
      const content = text(upload?.content);
      if (!content || !content.trimStart().startsWith("{")) continue;
      let realm: unknown;
      try {
        realm = JSON.parse(content);
      } catch {
        continue;
      }
      const declared = (realm as { clients?: unknown })?.clients;
      if (!Array.isArray(declared)) continue;
      realmSeen = true;
      for (const client of declared) if (typeof client?.clientId === "string") clients.add(client.clientId);
    }
  }
  return realmSeen ? clients : undefined;
}

function envOf(container: ContainerNode): Map<string, string> {
  const env = new Map<string, string>();
  for (const entry of list(container.resource.props.envs)) {
    if (typeof entry !== "string") continue;
    const eq = entry.indexOf("=");
    if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return env;
}

export const appOauthClient: StackRule<AppOauthClientConfig> = {
  kind: "stack",
  id: "stack-app-oauth-client",
  description: "Every app has its own OAuth2 client: registered in the identity provider's realm, and handed to the app as its client id and secret.",
  severity: "high",
  remediation: "Register a client-credentials client named after the app in the realm import, and pass its id and secret to the app container as secret env.",
  enforcementLevel: "mandatory",
  defaults: { clientIdEnv: "PLATFORM_OAUTH_CLIENT_ID", clientSecretEnv: "PLATFORM_OAUTH_CLIENT_SECRET" },
  configSchema: {
    properties: {
      clientIdEnv: { type: "string", default: "PLATFORM_OAUTH_CLIENT_ID" },
      clientSecretEnv: { type: "string", default: "PLATFORM_OAUTH_CLIENT_SECRET" },
    },
  },
  check(resources, config, report) {
    const topo = topology(resources);
    const apps = topo.containers.filter((c) => c.role === "app" && c.app);
    if (apps.length === 0) return;
    const registered = registeredClients(topo.containers.filter((c) => c.role === "identity"));
    const fix = (app: string) => `register OAuth2 client ${app} in the identity provider's realm and set ${config.clientIdEnv}=${app} and ${config.clientSecretEnv} (as secrets)`;
    for (const container of apps) {
      const app = container.app!;
      if (registered === undefined) {
        report({ resource: container.resource, field: "OAuth2 client", found: "is missing (no identity provider container with a realm import is in the stack)", fix: fix(app) });
      } else if (!registered.has(app)) {
        report({ resource: container.resource, field: "OAuth2 client", found: `is missing (the identity provider's realm has no client ${JSON.stringify(app)})`, fix: fix(app) });
      }
      const env = envOf(container);
      const clientId = env.get(config.clientIdEnv);
      if (clientId !== app) {
        report({
          resource: container.resource,
          field: "envs",
          found: clientId === undefined ? `has no ${config.clientIdEnv}` : `sets ${config.clientIdEnv} to ${JSON.stringify(clientId)}, not the app's own client ${JSON.stringify(app)}`,
          fix: fix(app),
        });
      } else if (!env.get(config.clientSecretEnv)) {
        report({ resource: container.resource, field: "envs", found: `has no ${config.clientSecretEnv}`, fix: fix(app) });
      }
    }
  },
};
