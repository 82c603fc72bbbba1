import { z } from "zod";
import { stackRule } from "../rule";
import { text } from "../read";
import { ContainerNode, deliveredUploads, envOf, missingSeed, quoteNames, seedsOf, seedUploadsNamed, Topology, topology } from "./topology";

/**
 * client id → its secret (undefined when the realm gives none), from the realm imports that the
 * identity provider's upload seeds deliver into its volumes.
 */
function registeredClients(topo: Topology, identities: ContainerNode[]): Map<string, string | undefined> | undefined {
  let realmSeen = false;
  const clients = new Map<string, string | undefined>();
  for (const identity of identities) {
    for (const { upload } of deliveredUploads(topo, identity)) {
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

export const appOauthClient = stackRule({
  id: "stack-app-oauth-client",
  description:
    "Every app has its own OAuth2 client: registered in the identity provider's realm, and handed to the app as its client id (env) and its own client secret (an uploaded file, never env).",
  severity: "high",
  remediation:
    "Register a client-credentials client named after the app in the realm import, set the client id env to the app name, and upload that client's secret as a file named by the secret-file env.",
  enforcementLevel: "mandatory",
  settings: {
    /** env variable that carries the app's OAuth2 client id (must equal the app name; not a secret) */
    clientIdEnv: z.string().default("PLATFORM_OAUTH_CLIENT_ID"),
    /** env variable that names the uploaded file holding the app's OAuth2 client secret */
    clientSecretFileEnv: z.string().default("PLATFORM_OAUTH_CLIENT_SECRET_FILE"),
  },
  check(resources, config, report) {
    const topo = topology(resources);
    const apps = topo.containers.filter((c) => c.role === "app" && c.app);
    if (apps.length === 0) return;
    const registered = registeredClients(topo, topo.containers.filter((c) => c.role === "identity"));
    const fix = (app: string, file = "<file>") =>
      `register OAuth2 client ${app} in the identity provider's realm, set ${config.clientIdEnv}=${app} and ${config.clientSecretFileEnv}=${file}, and upload client ${app}'s secret to ${file} (as a Pulumi secret, never as env)`;
    for (const container of apps) {
      const app = container.app!;
      if (registered === undefined) {
        report({ resource: container.resource, field: "OAuth2 client", found: "is missing (no identity provider container in the stack gets a realm import from its upload seed)", fix: fix(app) });
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
      // The file reaches the app through its upload seed (a read-only root refuses uploads).
      const seeds = seedsOf(topo, container);
      if (seeds.length === 0) {
        report({ resource: container.resource, field: "upload seed", found: missingSeed(container), fix: fix(app, secretFile) });
        continue;
      }
      const delivered = deliveredUploads(topo, container, secretFile);
      if (delivered.length === 0) {
        const stray = seedUploadsNamed(topo, container, secretFile);
        if (stray.length > 0) {
          for (const { seed, index } of stray) {
            report({ resource: seed.resource, field: `uploads[${index}].file`, found: `is ${secretFile}, which lies in no volume that app ${app} mounts at the same path`, fix: fix(app, secretFile) });
          }
        } else {
          report({ resource: container.resource, field: `uploads of its seed ${quoteNames(seeds)}`, found: `have no file ${secretFile} (named by ${config.clientSecretFileEnv})`, fix: fix(app, secretFile) });
        }
        continue;
      }
      for (const { seed, index, upload } of delivered) {
        const uploaded = text(upload?.content);
        if (!uploaded) {
          report({ resource: seed.resource, field: `uploads[${index}].content`, found: "is empty", fix: fix(app, secretFile) });
          continue;
        }
        // Only when the realm states the secrets can they be compared; the values are never echoed.
        const own = registered?.get(app);
        if (own === undefined || uploaded === own) continue;
        const owner = [...(registered?.entries() ?? [])].find(([, secret]) => secret === uploaded)?.[0];
        report({
          resource: seed.resource,
          field: `uploads[${index}].content`,
          found: owner === undefined ? `is not the secret of the realm's client ${JSON.stringify(app)}` : `is the secret of another app's client ${JSON.stringify(owner)}`,
          fix: fix(app, secretFile),
        });
      }
    }
  },
});
