import { z } from "zod";
import { ResourceView, SERVICE_TYPE, stackRule } from "../rule";
import { decodedData, mountedFiles, serviceEnv, ServiceNode, swarmObjectOf, swarmTopology } from "./topology";

/**
 * client id → its secret (undefined when the realm gives none), from the realm imports mounted into
 * the identity provider's service as Swarm secrets; undefined when none is found.
 */
function registeredClients(resources: readonly ResourceView[], identities: ServiceNode[]): Map<string, string | undefined> | undefined {
  let realmSeen = false;
  const clients = new Map<string, string | undefined>();
  for (const identity of identities) {
    for (const file of mountedFiles(identity)) {
      const object = file.kind === "secret" ? swarmObjectOf(resources, file) : undefined;
      const content = object ? decodedData(object) : undefined;
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
      for (const client of declared) if (typeof client?.clientId === "string") clients.set(client.clientId, typeof client.secret === "string" ? client.secret : undefined);
    }
  }
  return realmSeen ? clients : undefined;
}

export const swarmAppOauthClient = stackRule({
  id: "swarm-app-oauth-client",
  description:
    "Every app service has its own OAuth2 client: registered in the identity provider's realm import, named by its client id env, and its own client secret mounted from a Swarm secret at the file its env names.",
  severity: "high",
  remediation:
    "Register a client-credentials client named after the app in the realm import, set the client id env to the app name, and mount that client's secret from a docker.Secret at the file the secret-file env names.",
  enforcementLevel: "mandatory",
  subjectTypes: [SERVICE_TYPE],
  settings: {
    /** env variable that carries the app's OAuth2 client id (must equal the app name; not a secret) */
    clientIdEnv: z.string().default("PLATFORM_OAUTH_CLIENT_ID"),
    /** env variable that names the mounted file holding the app's OAuth2 client secret */
    clientSecretFileEnv: z.string().default("PLATFORM_OAUTH_CLIENT_SECRET_FILE"),
  },
  check(resources, config, report) {
    const topo = swarmTopology(resources);
    const apps = topo.services.filter((s) => s.role === "app" && s.app);
    if (apps.length === 0) return;
    const registered = registeredClients(resources, topo.services.filter((s) => s.role === "identity"));
    const fix = (app: string, file = "<file>") =>
      `register OAuth2 client ${app} in the identity provider's realm, set ${config.clientIdEnv}=${app} and ${config.clientSecretFileEnv}=${file}, and mount client ${app}'s secret at ${file} from a docker.Secret`;
    for (const service of apps) {
      const app = service.app!;
      if (registered === undefined) {
        report({ resource: service.resource, field: "OAuth2 client", found: "is missing (no identity provider service in the stack mounts a realm import from a secret)", fix: fix(app) });
      } else if (!registered.has(app)) {
        report({ resource: service.resource, field: "OAuth2 client", found: `is missing (the identity provider's realm has no client ${JSON.stringify(app)})`, fix: fix(app) });
      }
      const env = serviceEnv(service);
      const clientId = env.get(config.clientIdEnv);
      const secretFile = env.get(config.clientSecretFileEnv);
      if (clientId !== app) {
        report({
          resource: service.resource,
          field: "taskSpec.containerSpec.env",
          found: clientId === undefined ? `has no ${config.clientIdEnv}` : `sets ${config.clientIdEnv} to ${JSON.stringify(clientId)}, not the app's own client ${JSON.stringify(app)}`,
          fix: fix(app, secretFile),
        });
        continue;
      }
      if (!secretFile) {
        report({ resource: service.resource, field: "taskSpec.containerSpec.env", found: `has no ${config.clientSecretFileEnv}`, fix: fix(app) });
        continue;
      }
      const mounted = mountedFiles(service).filter((f) => f.fileName === secretFile);
      const secret = mounted.find((f) => f.kind === "secret");
      if (!secret) {
        const found = mounted.length > 0 ? `mounts ${secretFile} from a config, not a secret` : `mounts no file ${secretFile} (named by ${config.clientSecretFileEnv})`;
        report({ resource: service.resource, field: mounted[0]?.field ?? "taskSpec.containerSpec.secrets", found, fix: fix(app, secretFile) });
        continue;
      }
      const object = swarmObjectOf(resources, secret);
      if (!object) {
        report({ resource: service.resource, field: secret.field, found: `mounts ${secretFile} from secret ${JSON.stringify(secret.name ?? secret.id)}, which this stack does not declare`, fix: fix(app, secretFile) });
        continue;
      }
      // Only when the realm states the secrets can they be compared; the values are never echoed.
      const own = registered?.get(app);
      if (own === undefined) continue;
      const mountedSecret = decodedData(object);
      if (mountedSecret === undefined || mountedSecret === own) continue;
      const owner = [...(registered?.entries() ?? [])].find(([, value]) => value === mountedSecret)?.[0];
      report({
        resource: service.resource,
        field: secret.field,
        found: owner === undefined ? `mounts a secret that is not the realm's client ${JSON.stringify(app)}'s` : `mounts the secret of another app's client ${JSON.stringify(owner)}`,
        fix: fix(app, secretFile),
      });
    }
  },
});
