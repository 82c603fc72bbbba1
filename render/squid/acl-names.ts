// The names of each app's ACLs in squid.conf. Squid 5.7 refuses, fatally, an ACL name of 64 characters
// or more (ACL_NAME_SZ) where it is defined, and one of 63 where http_access refers to it; an app name
// may have 63 characters.
import { createHash } from "node:crypto";

/** The longest ACL name Squid accepts both in `acl` and in `http_access`. */
export const SQUID_ACL_NAME_MAX = 62;
const APP_ACL_SUFFIXES = { source: "_src", domains: "_domains" } as const;
const LONGEST_SUFFIX = Math.max(...Object.values(APP_ACL_SUFFIXES).map((s) => s.length));
const READABLE_NAME_MAX = SQUID_ACL_NAME_MAX - "app_".length - LONGEST_SUFFIX;

/**
 * The ACL names of an app: `app_<name>_src` and `app_<name>_domains` when they fit Squid's limit; a
 * longer name keeps its first characters and adds 16 hex digits of its SHA-256 after a '_', which no
 * app name contains, so a shortened name never equals a readable one.
 */
export function appAclNames(name: string): { source: string; domains: string } {
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 16);
  const base = name.length <= READABLE_NAME_MAX ? `app_${name}` : `app_${name.slice(0, READABLE_NAME_MAX - hash.length - 1)}_${hash}`;
  return { source: `${base}${APP_ACL_SUFFIXES.source}`, domains: `${base}${APP_ACL_SUFFIXES.domains}` };
}
