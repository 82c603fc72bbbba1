import { stackRule } from "../rule";
import { text } from "../read";
import { APP_OAUTH_CLIENT_SETTINGS, checkAppOauthClients } from "../topology-checks/app-oauth-client";
import { deliveredUploads, envOf, seedDelivery, topology } from "./topology";

export const appOauthClient = stackRule({
  id: "stack-app-oauth-client",
  description:
    "Every app has its own OAuth2 client: registered in the identity provider's realm, and handed to the app as its client id (env) and its own client secret (an uploaded file, never env).",
  severity: "high",
  remediation:
    "Register a client-credentials client named after the app in the realm import, set the client id env to the app name, and upload that client's secret as a file named by the secret-file env.",
  enforcementLevel: "mandatory",
  settings: APP_OAUTH_CLIENT_SETTINGS,
  check(resources, config, report) {
    const topo = topology(resources);
    checkAppOauthClients(topo.containers, config, {
      // the realm import reaches the identity provider through its upload seeds, like any file
      identityFiles: (identity) => deliveredUploads(topo, identity).map(({ upload }) => text(upload?.content)),
      env: envOf,
      envField: "envs",
      noRealm: "is missing (no identity provider container in the stack gets a realm import from its upload seed)",
      deliverFix: (app, file) => `upload client ${app}'s secret to ${file} (as a Pulumi secret, never as env)`,
      copies: (container, file, fix) =>
        seedDelivery(topo, container, report)(file, config.clientSecretFileEnv, fix).map(({ seed, index, upload }) => ({
          resource: seed.resource,
          field: `uploads[${index}].content`,
          read: () => text(upload?.content),
        })),
      emptyCopy: "is empty",
      wrongSecret: (app, owner) => (owner === undefined ? `is not the secret of the realm's client ${JSON.stringify(app)}` : `is the secret of another app's client ${JSON.stringify(owner)}`),
    }, report);
  },
});
