// fast-check generators for squid.conf inputs: valid platforms and hostile whitelist values.
import fc from "fast-check";
import { formatCidr } from "../../config/cidr";
import type { SquidApp, SquidConfInput } from "../../render/squid";
import { sampleInput } from "./squid-fixtures";

const BASE = { network: (10 << 24) + (208 << 16), prefixLength: 16 };

export const appName = fc.stringMatching(/^[a-z][a-z0-9-]{0,14}[a-z0-9]$/);
export const validDomain = fc.tuple(fc.boolean(), fc.domain()).map(([suffix, domain]) => (suffix ? `.${domain}` : domain));

/** Characters that end a token, a line or a value in squid.conf, or open a macro/comment/quote. */
const DANGEROUS = ["\n", "\r", " ", "\t", "#", "%", "\"", "'", "\\", "{", "}", "\0", ";", "=", "/", ":", "[", "]", "\u2028", "é"];
const directiveLike = fc.constantFrom("http_access allow all", "acl all src all", "ssl_bump bump all", "include /etc/passwd", "cache_peer evil.example 3128");

/** Strings built to break out of an ACL value: valid domains glued to separators and directives. */
export const hostileDomain = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.tuple(validDomain, fc.constantFrom(...DANGEROUS), fc.oneof(validDomain, directiveLike)).map(([a, sep, b]) => `${a}${sep}${b}`),
  fc.tuple(fc.constantFrom(...DANGEROUS), validDomain).map(([sep, d]) => `${sep}${d}`),
  fc.ipV4(),
  fc.ipV6(),
  validDomain.map((d) => d.toUpperCase()),
);

export const squidApps = (options: { hostile: boolean }) =>
  fc
    .uniqueArray(fc.record({ name: appName, slot: fc.integer({ min: 0, max: 4095 }) }), {
      minLength: 1,
      maxLength: 6,
      selector: (a) => a.name,
    })
    .filter((apps) => new Set(apps.map((a) => a.slot)).size === apps.length)
    .chain((apps) =>
      fc.tuple(
        ...apps.map((app) =>
          fc.array(options.hostile ? fc.oneof({ weight: 4, arbitrary: validDomain }, { weight: 1, arbitrary: hostileDomain }) : validDomain, { maxLength: 6 }).map(
            (egress): SquidApp => ({ name: app.name, subnet: formatCidr({ network: BASE.network + app.slot * 16, prefixLength: 28 }), egress }),
          ),
        ),
      ),
    );

export const squidInput = (options: { hostile: boolean }) =>
  fc
    .record({
      apps: squidApps(options),
      httpPorts: fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { minLength: 1, maxLength: 3 }),
      connectPorts: fc.uniqueArray(fc.integer({ min: 1, max: 65535 }), { minLength: 1, maxLength: 3 }),
      port: fc.integer({ min: 1024, max: 65535 }),
    })
    .map(({ apps, httpPorts, connectPorts, port }): SquidConfInput => sampleInput({ apps, httpPorts, connectPorts, listen: { port }, baseCidr: formatCidr(BASE) }));
