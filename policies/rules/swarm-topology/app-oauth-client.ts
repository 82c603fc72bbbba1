import { SERVICE_TYPE, stackRule } from "../rule";
import { APP_OAUTH_CLIENT_SETTINGS, checkAppOauthClients } from "../topology-checks/app-oauth-client";
import { decodedData, mountedFiles, serviceEnv, swarmObjectOf, swarmTopology } from "./topology";

export const swarmAppOauthClient = stackRule({
  id: "swarm-app-oauth-client",
  description:
    "Every app service has its own OAuth2 client: registered in the identity provider's realm import, named by its client id env, and its own client secret mounted from a Swarm secret at the file its env names.",
  severity: "high",
  remediation:
    "Register a client-credentials client named after the app in the realm import, set the client id env to the app name, and mount that client's secret from a docker.Secret at the file the secret-file env names.",
  enforcementLevel: "mandatory",
  subjectTypes: [SERVICE_TYPE],
  settings: APP_OAUTH_CLIENT_SETTINGS,
  check(resources, config, report) {
    checkAppOauthClients(swarmTopology(resources).services, config, {
      // the realm import is mounted into the identity provider's service as a Swarm secret
      identityFiles: (identity) =>
        mountedFiles(identity).map((file) => {
          const object = file.kind === "secret" ? swarmObjectOf(resources, file) : undefined;
          return object ? decodedData(object) : undefined;
        }),
      env: serviceEnv,
      envField: "taskSpec.containerSpec.env",
      noRealm: "is missing (no identity provider service in the stack mounts a realm import from a secret)",
      deliverFix: (app, file) => `mount client ${app}'s secret at ${file} from a docker.Secret`,
      copies: (service, file, fix) => {
        const mounted = mountedFiles(service).filter((f) => f.fileName === file);
        const secret = mounted.find((f) => f.kind === "secret");
        if (!secret) {
          const found = mounted.length > 0 ? `mounts ${file} from a config, not a secret` : `mounts no file ${file} (named by ${config.clientSecretFileEnv})`;
          report({ resource: service.resource, field: mounted[0]?.field ?? "taskSpec.containerSpec.secrets", found, fix });
          return [];
        }
        const object = swarmObjectOf(resources, secret);
        if (!object) {
          report({ resource: service.resource, field: secret.field, found: `mounts ${file} from secret ${JSON.stringify(secret.name ?? secret.id)}, which this stack does not declare`, fix });
          return [];
        }
        return [{ resource: service.resource, field: secret.field, read: () => decodedData(object) }];
      },
      wrongSecret: (app, owner) => (owner === undefined ? `mounts a secret that is not the realm's client ${JSON.stringify(app)}'s` : `mounts the secret of another app's client ${JSON.stringify(owner)}`),
    }, report);
  },
});
