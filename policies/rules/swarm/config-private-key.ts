import { resourceRule, SERVICE_CONFIG_TYPE } from "../rule";
import { text } from "../read";

const MARKER = "PRIVATE KEY";

/** The provider takes `data` base64-encoded; a plain-text value is read as it is too. */
function decoded(data: string): string {
  const compact = data.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) return data;
  return Buffer.from(compact, "base64").toString("utf8");
}

export const configNoPrivateKey = resourceRule({
  id: "swarm-config-no-private-key",
  resourceType: SERVICE_CONFIG_TYPE,
  description: "A Swarm config holds no private key and no Pulumi secret: configs are stored unencrypted and shown by docker config inspect.",
  severity: "critical",
  remediation: "Make the file a docker.Secret (mounted through containerSpec.secrets) instead of a docker.ServiceConfig.",
  enforcementLevel: "mandatory",
  check(resource, _config, report) {
    // read before the data: an exported secret is encrypted, and the mark alone is the violation
    if (resource.isSecret("data")) {
      report({ field: "data", found: "is a Pulumi secret (a config shows it to anyone with manager access)", fix: "create it as a docker.Secret instead" });
      return;
    }
    const data = text(resource.props.data);
    if (data === undefined) return;
    const content = decoded(data);
    if (content.includes(MARKER) || data.includes(MARKER)) {
      report({ field: "data", found: `holds a private key (${MARKER} marker)`, fix: "create it as a docker.Secret instead, and rotate the key: it was readable" });
    }
  },
});
