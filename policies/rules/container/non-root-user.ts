import { CONTAINER_TYPE, resourceRule } from "../rule";
import { show, text } from "../read";

/** `root`, `0`, `root:<group>` and `0:<group>` all run the workload as UID 0. */
function isRoot(user: string): boolean {
  const uid = user.split(":")[0].trim();
  return uid === "root" || /^0+$/.test(uid);
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
    const user = props.user;
    if (text(user) === undefined || user.trim() === "") {
      report({ field: "user", found: "is unset (the image's USER applies, root by default)", fix: "set user to a non-zero UID:GID such as \"20001:20001\"" });
    } else if (isRoot(user)) {
      report({ field: "user", found: `is ${show(user)} (UID 0)`, fix: "set user to a non-zero UID:GID such as \"20001:20001\"" });
    }
  },
});
