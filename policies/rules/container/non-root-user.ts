import { CONTAINER_TYPE, resourceRule, Violation } from "../rule";
import { show, text } from "../read";

/** `root`, `0`, `root:<group>` and `0:<group>` all run the workload as UID 0. */
export function isRoot(user: string): boolean {
  const uid = user.split(":")[0].trim();
  return uid === "root" || /^0+$/.test(uid);
}

/** The container's and the Swarm service's check of one `user` field (`field` is its input path). */
export function userViolation(field: string, user: unknown): Violation | undefined {
  const fix = "set user to a non-zero UID:GID such as \"20001:20001\"";
  if (text(user) === undefined || (user as string).trim() === "") return { field, found: "is unset (the image's USER applies, root by default)", fix };
  if (isRoot(user as string)) return { field, found: `is ${show(user)} (UID 0)`, fix };
  return undefined;
}

export const nonRootUser = resourceRule({
  id: "cis-4.1-non-root-user",
  resourceType: CONTAINER_TYPE,
  description: "Containers run as a non-root user.",
  severity: "high",
  cis: "4.1",
  remediation: "Set user to a non-zero UID and GID, e.g. \"20001:20001\" (the platform assigns one UID per app).",
  enforcementLevel: "mandatory",
  check({ props }, _config, report) {
    const violation = userViolation("user", props.user);
    if (violation) report(violation);
  },
});
