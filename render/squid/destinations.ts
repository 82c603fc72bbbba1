// Destinations no app may reach through the egress proxy, whatever name it asked for.
// Squid resolves a whitelisted name before connecting; if any address it resolves to is in one of
// these ranges the request is denied (DNS rebinding / SSRF into the platform or the host).
// Ranges do not overlap: Squid ignores an IP ACL entry that is covered by another (with a warning).
// Squid stores IPv4 as IPv4-mapped IPv6, so ::ffff:0:0/96 would mean "all of IPv4": it is left out
// on purpose; mapped addresses are matched by the IPv4 entries.
// Not listed: the documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
// 2001:db8::/32). They are never routed, so they cannot lead into the platform; the end-to-end test
// uses one as its stand-in for the internet.
import { containsCidr, parseCidr } from "../../config/cidr";

export const DENIED_IPV4_RANGES: readonly string[] = [
  "0.0.0.0/8", // "this network"
  "10.0.0.0/8", // RFC 1918
  "100.64.0.0/10", // CGNAT (RFC 6598)
  "127.0.0.0/8", // loopback
  "169.254.0.0/16", // link-local, cloud metadata endpoints
  "172.16.0.0/12", // RFC 1918
  "192.0.0.0/24", // IETF protocol assignments
  "192.168.0.0/16", // RFC 1918
  "198.18.0.0/15", // benchmarking
  "224.0.0.0/4", // multicast
  "240.0.0.0/4", // reserved, limited broadcast
];

export const DENIED_IPV6_RANGES: readonly string[] = [
  "::/128", // unspecified
  "::1/128", // loopback
  "64:ff9b::/96", // NAT64: embeds an IPv4 address
  "64:ff9b:1::/48", // local-use NAT64
  "100::/64", // discard-only
  "2001::/32", // Teredo: embeds an IPv4 address
  "2002::/16", // 6to4: embeds an IPv4 address
  "fc00::/7", // unique local
  "fe80::/10", // link-local
  "fec0::/10", // deprecated site-local
  "ff00::/8", // multicast
];

/**
 * The fixed ranges plus the platform's own base CIDR. A base CIDR inside a fixed range is already
 * covered (the schema keeps it inside RFC 1918); one that is not replaces the fixed ranges it contains.
 */
export function deniedDestinations(baseCidr: string): string[] {
  const base = parseCidr(baseCidr);
  if (base === undefined) throw new Error(`baseCidr ${JSON.stringify(baseCidr)} is not an IPv4 CIDR`);
  const fixed = DENIED_IPV4_RANGES.map((text) => ({ text, cidr: parseCidr(text)! }));
  if (fixed.some((range) => containsCidr(range.cidr, base))) return [...DENIED_IPV4_RANGES, ...DENIED_IPV6_RANGES];
  const outside = fixed.filter((range) => !containsCidr(base, range.cidr)).map((range) => range.text);
  return [...outside, baseCidr, ...DENIED_IPV6_RANGES];
}
