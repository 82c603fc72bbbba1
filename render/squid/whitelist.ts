// Squid refuses a dstdomain ACL in which one entry covers another ("'api.example.com' is a
// subdomain of '.example.com'" is fatal in 5.7), so each app's list is reduced to the entries
// that no other entry covers, deduplicated and sorted for byte-identical output.

/** True when the whitelist entry `outer` already matches every host `inner` matches. */
export function covers(outer: string, inner: string): boolean {
  if (outer === inner) return true;
  if (!outer.startsWith(".")) return false;
  // `.example.com` matches example.com itself and every name ending in .example.com
  const host = inner.startsWith(".") ? inner.slice(1) : inner;
  return host === outer.slice(1) || host.endsWith(outer);
}

export function normalizeWhitelist(domains: readonly string[]): string[] {
  const unique = [...new Set(domains)];
  const kept = unique.filter((domain) => !unique.some((other) => other !== domain && covers(other, domain)));
  return kept.sort();
}
