// stack-app-oauth-client and swarm-app-oauth-client: every app has its own OAuth2 client, registered
// in the identity provider's realm, named by the app's env, with its own secret delivered as the file
// its env names. The forms differ in how files reach a workload (an upload seed; a Swarm secret) and
// in the words for it.
import { z } from "zod";
import type { ResourceView } from "../rule";
import type { Report, Workload } from "./workload";

export const APP_OAUTH_CLIENT_SETTINGS = {
  /** env variable that carries the app's OAuth2 client id (must equal the app name; not a secret) */
  clientIdEnv: z.string().default("PLATFORM_OAUTH_CLIENT_ID"),
  /** env variable that names the file holding the app's OAuth2 client secret (uploaded by its seed, or mounted from a Swarm secret) */
  clientSecretFileEnv: z.string().default("PLATFORM_OAUTH_CLIENT_SECRET_FILE"),
};

interface Settings {
  clientIdEnv: string;
  clientSecretFileEnv: string;
}

/** One copy of the app's client secret where the app reads it. */
export interface SecretCopy {
  resource: ResourceView;
  field: string;
  /** its content, read only when needed (undefined where there is none to read) */
  read(): string | undefined;
}

/** How one form delivers files to its workloads, and its words for that. */
export interface SecretDelivery<W extends Workload> {
  /** the contents of the files an identity provider gets, its realm import among them */
  identityFiles(identity: W): (string | undefined)[];
  env(workload: W): ReadonlyMap<string, string>;
  /** the env's input path, for violation fields */
  envField: string;
  /** `found` when no identity provider gets a realm import */
  noRealm: string;
  /** how client `app`'s secret reaches `file`, the end of every fix */
  deliverFix(app: string, file: string): string;
  /** reports what keeps `file` from reaching the app; returns the copies that reach it */
  copies(workload: W, file: string, fix: string): SecretCopy[];
  /** `found` for a copy with no content, where every copy must hold the secret; without it a copy is read only to compare */
  emptyCopy?: string;
  /** `found` for a copy holding another secret than the app's own: another app's client's (`owner`), or none the realm names */
  wrongSecret(app: string, owner: string | undefined): string;
}

/**
 * client id → its secret (undefined when the realm gives none), from the realm imports among
 * `files`; undefined when none of them is one.
 */
function realmClients(files: readonly (string | undefined)[]): Map<string, string | undefined> | undefined {
  let realmSeen = false;
  const clients = new Map<string, string | undefined>();
  for (const content of files) {
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
  return realmSeen ? clients : undefined;
}

export function checkAppOauthClients<W extends Workload>(workloads: readonly W[], config: Settings, form: SecretDelivery<W>, report: Report): void {
  const apps = workloads.filter((w) => w.role === "app" && w.app);
  if (apps.length === 0) return;
  const registered = realmClients(workloads.filter((w) => w.role === "identity").flatMap((identity) => form.identityFiles(identity)));
  const fix = (app: string, file = "<file>") =>
    `register OAuth2 client ${app} in the identity provider's realm, set ${config.clientIdEnv}=${app} and ${config.clientSecretFileEnv}=${file}, and ${form.deliverFix(app, file)}`;
  for (const workload of apps) {
    const app = workload.app!;
    if (registered === undefined) {
      report({ resource: workload.resource, field: "OAuth2 client", found: form.noRealm, fix: fix(app) });
    } else if (!registered.has(app)) {
      report({ resource: workload.resource, field: "OAuth2 client", found: `is missing (the identity provider's realm has no client ${JSON.stringify(app)})`, fix: fix(app) });
    }
    const env = form.env(workload);
    const clientId = env.get(config.clientIdEnv);
    const secretFile = env.get(config.clientSecretFileEnv);
    if (clientId !== app) {
      report({
        resource: workload.resource,
        field: form.envField,
        found: clientId === undefined ? `has no ${config.clientIdEnv}` : `sets ${config.clientIdEnv} to ${JSON.stringify(clientId)}, not the app's own client ${JSON.stringify(app)}`,
        fix: fix(app, secretFile),
      });
      continue;
    }
    if (!secretFile) {
      report({ resource: workload.resource, field: form.envField, found: `has no ${config.clientSecretFileEnv}`, fix: fix(app) });
      continue;
    }
    // Only when the realm states the secrets can they be compared; the values are never echoed.
    const own = registered?.get(app);
    for (const copy of form.copies(workload, secretFile, fix(app, secretFile))) {
      // read only where it is judged (a value unknown at preview stops the rule where it is read)
      const content = form.emptyCopy !== undefined || own !== undefined ? copy.read() : undefined;
      if (form.emptyCopy !== undefined && !content) {
        report({ resource: copy.resource, field: copy.field, found: form.emptyCopy, fix: fix(app, secretFile) });
        continue;
      }
      if (own === undefined || content === undefined || content === own) continue;
      const owner = [...(registered?.entries() ?? [])].find(([, secret]) => secret === content)?.[0];
      report({ resource: copy.resource, field: copy.field, found: form.wrongSecret(app, owner), fix: fix(app, secretFile) });
    }
  }
}
