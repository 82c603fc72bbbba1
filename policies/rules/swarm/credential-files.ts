import { resourceRule, SERVICE_TYPE } from "../rule";
import { list, show, text } from "../read";
import { looksLikeCredential } from "../container/env-secrets";
import { containerSpecOf, SPEC } from "../swarm-read";

/** Extensions of files that hold keys whatever they are called. */
const KEY_FILE_EXTENSIONS = [".key", ".p12", ".pfx", ".jks", ".keystore", ".kdbx"];

/** `/etc/platform/tls/key.pem` (words KEY, PEM), `oauth-client-secret`, `server.p12`; not `cert.pem` or `envoy.yaml`. */
export function looksLikeCredentialFile(path: string): boolean {
  const base = path.replace(/^.*\//, "");
  const lower = base.toLowerCase();
  return KEY_FILE_EXTENSIONS.some((ext) => lower.endsWith(ext)) || looksLikeCredential(base);
}

export const serviceCredentialFiles = resourceRule({
  id: "service-credential-files-as-secrets",
  resourceType: SERVICE_TYPE,
  description: "Swarm services receive keys, passwords and tokens as secrets, never as configs (a config is stored unencrypted and shown by docker config inspect).",
  severity: "high",
  remediation: "Create the file as a docker.Secret and list it in taskSpec.containerSpec.secrets (render/swarm/files.ts makes every file not known to be public a secret).",
  enforcementLevel: "mandatory",
  check({ props }, _config, report) {
    list(containerSpecOf(props).configs).forEach((config, i) => {
      const fileName = text(config?.fileName);
      if (fileName && looksLikeCredentialFile(fileName)) {
        report({ field: `${SPEC}.configs[${i}].fileName`, found: `is ${show(fileName)}, a credential's file delivered as a config`, fix: "deliver that file as a Swarm secret (containerSpec.secrets) instead" });
      }
    });
  },
});
