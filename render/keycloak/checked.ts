// The realm and its agreement with the gateway, checked the same way by both wirings before they
// declare anything: each function returns what it checked or throws one RenderCheckError that
// lists every problem (the wirings turn it into a ResourceError on their component).
import type { PlatformPlan } from "../../plan/plan";
import { crossCheckRealmAndGateway } from "./cross-check";
import { realmInput } from "./from-plan";
import { renderRealm, renderRealmJson } from "./realm";
import { checkRealm, checkRealmImport, realmSchema } from "./realm-schema";

/** A rendered configuration Keycloak or Envoy would reject, or that they would read differently. */
export class RenderCheckError extends Error {
  constructor(what: string, problems: string[]) {
    super(`${what}:\n  ${problems.join("\n  ")}`);
    this.name = "RenderCheckError";
  }
}

export type Realm = ReturnType<typeof renderRealm>;

/** The plan's realm, free of secrets, checked against Keycloak's import schema. */
export function checkedRealm(plan: PlatformPlan): Realm {
  const realm = renderRealm(realmInput(plan));
  const problems = checkRealm(realm);
  if (problems.length > 0) throw new RenderCheckError(`realm ${plan.config.identity.realm} is invalid`, problems);
  return realm;
}

/** The realm import file as uploaded, with each app's client secret, checked again with the secrets' shape. */
export function checkedRealmImport(plan: PlatformPlan, clientSecrets: Readonly<Record<string, string>>): string {
  const json = renderRealmJson(realmInput(plan), clientSecrets);
  const problems = checkRealmImport(JSON.parse(json));
  if (problems.length > 0) throw new RenderCheckError(`realm import ${plan.config.identity.realm} is invalid`, problems);
  return json;
}

/** Throws when the gateway's bootstrap and the realm disagree (issuer, audience, clients, scopes). */
export function checkGatewayAgreesWithRealm(realm: Realm, bootstrap: Record<string, unknown>): void {
  const mismatches = crossCheckRealmAndGateway(realmSchema.parse(realm), bootstrap);
  if (mismatches.length > 0) throw new RenderCheckError("gateway and realm disagree", mismatches);
}
