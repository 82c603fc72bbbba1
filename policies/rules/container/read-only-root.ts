import { CONTAINER_TYPE, resourceRule } from "../rule";
import { labelsOf, SEED_CONTRACT, seedRunReasons, show, PACK_LABEL } from "../read";

const FIX = "set readOnly to true; add tmpfs entries (e.g. /tmp) for paths that must be writable";

export const readOnlyRoot = resourceRule({
  id: "cis-5.13-read-only-root",
  resourceType: CONTAINER_TYPE,
  description: "Containers mount their root filesystem read-only, except an upload seed that is never started and has no network.",
  severity: "medium",
  cis: "5.13",
  remediation:
    `Set readOnly to true and give the process tmpfs or volumes for the paths it must write; only an upload seed that truly never runs (${SEED_CONTRACT}) may keep a writable root.`,
  enforcementLevel: "mandatory",
  check({ props }, _config, report) {
    if (props.readOnly === true) return;
    const found = props.readOnly === undefined ? "is unset (the root filesystem is writable)" : `is ${show(props.readOnly)}`;
    // Docker copies `uploads` to "/" and refuses that on a read-only root, even when the files land in
    // a volume: a seed container receives them instead. It runs no process and is reachable by nothing,
    // so its writable root is never mounted by a running container.
    const reasons = seedRunReasons(props);
    if (reasons.length === 0) return;
    const claimsSeed = labelsOf(props).get(PACK_LABEL.role) === "seed" || props.start === false;
    if (claimsSeed) {
      report({ field: "readOnly", found: `${found}, and this is not a seed that never runs: ${reasons.join(", ")}`, fix: `make it a seed that never runs (${SEED_CONTRACT}), or ${FIX}` });
    } else {
      report({ field: "readOnly", found, fix: FIX });
    }
  },
});
