import { StackRule } from "../rule";
import { list, text } from "../read";
import { ContainerNode, topology } from "./topology";

export interface AppOauthClientConfig {
  /** env variable that carries the app's OAuth2 client id (must equal the app name; not a secret) */
  clientIdEnv: string;
  /** env variable that names the uploaded file holding the app's OAuth2 client secret */
  clientSecretFileEnv: string;
}

/** client id → its secret (undefined when the realm gives none), from the realm imports uploaded into identity-provider containers. */
function registeredClients(identities: ContainerNode[]): Map<string, string | undefined> | undefined {
  let realmSeen = false;
  const clients = new Map<string, string | undefined>();
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
      for (const client of declared) if (typeof client?.clientId === "string") clients.set(client.clientId, text(client.secret));
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
  description:
    "Every app has its own OAuth2 client: registered in the identity provider's realm, and handed to the app as its client id (env) and its own client secret (an uploaded file, never env).",
  severity: "high",
  remediation:
    "Register a client-credentials client named after the app in the realm import, set the client id env to the app name, and upload that client's secret as a file named by the secret-file env.",
  enforcementLevel: "mandatory",
  defaults: { clientIdEnv: "PLATFORM_OAUTH_CLIENT_ID", clientSecretFileEnv: "PLATFORM_OAUTH_CLIENT_SECRET_FILE" },
  configSchema: {
    properties: {
      clientIdEnv: { type: "string", default: "PLATFORM_OAUTH_CLIENT_ID" },
      clientSecretFileEnv: { type: "string", default: "PLATFORM_OAUTH_CLIENT_SECRET_FILE" },
    },
  },
  check(resources, config, report) {
    const topo = topology(resources);
    const apps = topo.containers.filter((c) => c.role === "app" && c.app);
    if (apps.length === 0) return;
    const registered = registeredClients(topo.containers.filter((c) => c.role === "identity"));
    const fix = (app: string, file = "<file>") =>
      `register OAuth2 client ${app} in the identity provider's realm, set ${config.clientIdEnv}=${app} and ${config.clientSecretFileEnv}=${file}, and upload client ${app}'s secret to ${file} (as a Pulumi secret, never as env)`;
    for (const container of apps) {
      const app = container.app!;
      if (registered === undefined) {
        report({ resource: container.resource, field: "OAuth2 client", found: "is missing (no identity provider container with a realm import is in the stack)", fix: fix(app) });
      } else if (!registered.has(app)) {
        report({ resource: container.resource, field: "OAuth2 client", found: `is missing (the identity provider's realm has no client ${JSON.stringify(app)})`, fix: fix(app) });
      }
      const env = envOf(container);
      const clientId = env.get(config.clientIdEnv);
      const secretFile = env.get(config.clientSecretFileEnv);
      if (clientId !== app) {
        report({
          resource: container.resource,
          field: "envs",
          found: clientId === undefined ? `has no ${config.clientIdEnv}` : `sets ${config.clientIdEnv} to ${JSON.stringify(clientId)}, not the app's own client ${JSON.stringify(app)}`,
          fix: fix(app, secretFile),
        });
        continue;
      }
      if (!secretFile) {
        report({ resource: container.resource, field: "envs", found: `has no ${config.clientSecretFileEnv}`, fix: fix(app) });
        continue;
      }
      const uploads = list(container.resource.props.uploads);
      const index = uploads.findIndex((u) => text(u?.file) === secretFile);
      if (index === -1) {
        report({ resource: container.resource, field: "uploads", found: `has no file ${secretFile} (named by ${config.clientSecretFileEnv})`, fix: fix(app, secretFile) });
        continue;
      }
      const uploaded = text(uploads[index]?.content);
      if (!uploaded) {
        report({ resource: container.resource, field: `uploads[${index}].content`, found: "is empty", fix: fix(app, secretFile) });
        continue;
      }
      // Only when the realm states the secrets can they be compared; the values are never echoed.
      const own = registered?.get(app);
      if (own === undefined || uploaded === own) continue;
      const owner = [...(registered?.entries() ?? [])].find(([, secret]) => secret === uploaded)?.[0];
      report({
        resource: container.resource,
        field: `uploads[${index}].content`,
        found: owner === undefined ? `is not the secret of the realm's client ${JSON.stringify(app)}` : `is the secret of another app's client ${JSON.stringify(owner)}`,
        fix: fix(app, secretFile),
      });
    }
  },
};
