// Merging the stack's node requirements into a node's existing daemon.json, pure. The rules:
//   - a key the requirements set and the file lacks is added;
//   - a scalar key the requirements set ("no-new-privileges", "default-ipc-mode", "default-cgroupns-mode")
//     with another value is changed to the required one: every such value is weaker than the requirement
//     (false, "shareable"/"host"), and the operator runs the setup to get the requirement;
//   - "default-ulimits" is merged per limit: a limit the stack sets with another soft or hard value is a
//     conflict, higher or lower. Higher weakens the bound every task relies on; lower starves the
//     workloads that need the value (nproc 512 for the gateway and Keycloak), and the preflight checks
//     the exact value. The operator chose that number for this node, so it is theirs to change. Limits the
//     stack does not set are kept;
//   - "seccomp-profile": "unconfined" is a conflict (it turns the seccomp requirement off); a profile file
//     is kept with a warning (the preflight sees that a filter is on, not which one);
//   - every other key is kept as it is.
// A conflict refuses the whole merge: nothing is written.

export type DaemonJson = Record<string, unknown>;

export interface DaemonJsonChange {
  /** the key, with the limit for default-ulimits entries: `default-ulimits.nofile` */
  key: string;
  kind: "added" | "changed";
  before?: unknown;
  after: unknown;
}

export interface DaemonJsonConflict {
  key: string;
  found: unknown;
  required: string;
  fix: string;
}

export interface DaemonJsonMerge {
  merged: DaemonJson;
  changes: DaemonJsonChange[];
  conflicts: DaemonJsonConflict[];
  /** kept as they are, but worth a look */
  warnings: string[];
}

interface Ulimit {
  Name: string;
  Soft: number;
  Hard: number;
}

const ULIMITS = "default-ulimits";
const SECCOMP = "seccomp-profile";

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function isUlimit(value: unknown): value is Ulimit {
  return isObject(value) && typeof value.Soft === "number" && typeof value.Hard === "number";
}

/** Merges the stack's `required` keys into `existing` (the node's daemon.json; {} when there is none). */
export function mergeDaemonJson(existing: DaemonJson, required: DaemonJson): DaemonJsonMerge {
  const merged: DaemonJson = { ...existing };
  const changes: DaemonJsonChange[] = [];
  const conflicts: DaemonJsonConflict[] = [];
  const warnings: string[] = [];

  const seccomp = existing[SECCOMP];
  if (seccomp === "unconfined") {
    conflicts.push({
      key: SECCOMP,
      found: seccomp,
      required: "unset (Docker's built-in profile) or a profile at least as strict",
      fix: `remove "${SECCOMP}" from the file (or point it at a stricter profile file), then run this again`,
    });
  } else if (seccomp !== undefined && seccomp !== "builtin") {
    warnings.push(`"${SECCOMP}": ${JSON.stringify(seccomp)} is kept: make sure that profile is at least as strict as Docker's default (the preflight sees only that a filter is on)`);
  }

  for (const [key, value] of Object.entries(required)) {
    if (key === ULIMITS) {
      mergeUlimits(existing[ULIMITS], value as Record<string, Ulimit>, merged, changes, conflicts);
    } else if (!(key in existing)) {
      merged[key] = value;
      changes.push({ key, kind: "added", after: value });
    } else if (!same(existing[key], value)) {
      merged[key] = value;
      changes.push({ key, kind: "changed", before: existing[key], after: value });
    }
  }
  return { merged, changes, conflicts, warnings };
}

function mergeUlimits(found: unknown, required: Record<string, Ulimit>, merged: DaemonJson, changes: DaemonJsonChange[], conflicts: DaemonJsonConflict[]): void {
  if (found !== undefined && !isObject(found)) {
    conflicts.push({ key: ULIMITS, found, required: "an object of limits by name", fix: `make "${ULIMITS}" an object ({"nofile": {"Name": "nofile", "Soft": 1024, "Hard": 1024}}) or remove it` });
    return;
  }
  const limits: Record<string, unknown> = { ...(found ?? {}) };
  for (const [name, limit] of Object.entries(required)) {
    const key = `${ULIMITS}.${name}`;
    const current = limits[name];
    if (current === undefined) {
      limits[name] = limit;
      changes.push({ key, kind: "added", after: limit });
    } else if (!isUlimit(current) || current.Soft !== limit.Soft || current.Hard !== limit.Hard) {
      const direction = isUlimit(current) ? (current.Hard > limit.Hard ? "higher than" : current.Hard < limit.Hard ? "lower than" : "different from") : "not a limit like";
      conflicts.push({
        key,
        found: current,
        required: `soft ${limit.Soft}, hard ${limit.Hard}`,
        fix: `${direction} the stack's limit: set "${ULIMITS}"."${name}" to ${JSON.stringify(limit)} by hand (it applies to every container on the node), then run this again`,
      });
    }
  }
  merged[ULIMITS] = limits;
}

/** The merge as lines: `+ key: value` added, `~ key: before -> after` changed; `= unchanged` when there is nothing to do. */
export function formatChanges(changes: readonly DaemonJsonChange[]): string[] {
  if (changes.length === 0) return ["= nothing to change: every required key is already set"];
  return changes.map((c) =>
    c.kind === "added" ? `+ ${c.key}: ${JSON.stringify(c.after)}` : `~ ${c.key}: ${JSON.stringify(c.before)} -> ${JSON.stringify(c.after)}`,
  );
}

/** One line per conflict, naming the key, what the file has, what the stack needs and the fix. */
export function formatConflicts(file: string, conflicts: readonly DaemonJsonConflict[]): string[] {
  return conflicts.map((c) => `${file}: "${c.key}" is ${JSON.stringify(c.found)}, the stack needs ${c.required}; ${c.fix}`);
}
