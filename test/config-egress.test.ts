// Egress whitelist entries: IP literals are refused in every notation a resolver or URL parser accepts,
// a .suffix may not cover a whole public suffix (Public Suffix List, via tldts) nor the platform's own
// names, and the Docker engine's names for its host are refused.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { egressEntryProblem } from "../config/primitives";
import { configProblems } from "./support/config-render";

function verdict(entries: string[], trustDomain?: string): { path: string; message: string }[] {
  return configProblems((config) => {
    if (trustDomain) config.trustDomain = trustDomain;
    config.apps[0].egress = entries;
  });
}

/** An IPv4 address written the ways inet_aton and URL parsers read: 1-4 parts, each decimal, octal or hex. */
const ipv4Notation = fc
  .tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 2, max: 4 }), fc.array(fc.constantFrom("dec", "oct", "hex", "HEX"), { minLength: 4, maxLength: 4 }))
  .map(([address, parts, styles]) => {
    const bytes = [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256);
    const values = [...bytes.slice(0, parts - 1), bytes.slice(parts - 1).reduce((acc, b) => acc * 256 + b, 0)];
    return values
      .map((value, i) => {
        switch (styles[i]) {
          case "oct":
            return `0${value.toString(8)}`;
          case "hex":
            return `0x${value.toString(16)}`;
          case "HEX":
            return `0X${value.toString(16).toUpperCase()}`;
          default:
            return String(value);
        }
      })
      .join(".");
  });

describe("egress entries that are IP literals", () => {
  it("are refused in every IPv4 notation, as hosts and as .suffixes (property)", () => {
    fc.assert(
      fc.property(ipv4Notation, fc.boolean(), (ip, suffix) => {
        const entry = suffix ? `.${ip}` : ip;
        const found = verdict([entry]);
        assert.ok(
          found.some((p) => p.path === "platform:apps[0].egress[0]" && /IP literals are not allowed|must be lowercase/.test(p.message)),
          `${entry}: ${found.map((p) => p.message).join("; ") || "accepted"}`,
        );
      }),
      { numRuns: 1000 },
    );
  });

  it("single-number forms and IPv6 literals are refused too", () => {
    for (const entry of ["2130706433", "0x7f000001", "017700000001", "::1", "[::1]", "::ffff:127.0.0.1", "fe80::1%25eth0", "[2001:db8::1]"]) {
      assert.ok(verdict([entry]).some((p) => p.path === "platform:apps[0].egress[0]"), entry);
    }
  });

  it("names that merely contain numbers are names", () => {
    for (const entry of ["1.example.com", "123.example.com", "0x1.example.com", "api.v1-2.example.com", ".10-0-0-1.nip.example"]) {
      assert.deepEqual(verdict([entry]), [], entry);
    }
  });
});

describe("egress entries that cover more than one organisation's hosts", () => {
  const suffixes = ["co.uk", "com.au", "github.io", "s3.amazonaws.com", "herokuapp.com", "blogspot.com", "b.ck", "pvt.k12.ma.us"];

  it("a .suffix that is a public suffix is refused; one organisation's domain below it is accepted (property)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...suffixes), fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/), (suffix, org) => {
        const refused = verdict([`.${suffix}`]);
        assert.ok(refused.some((p) => p.path === "platform:apps[0].egress[0]" && p.message.includes("is a public suffix (Public Suffix List)")), `.${suffix}`);
        assert.deepEqual(verdict([`.${org}.${suffix}`, `api.${org}.${suffix}`]).map((p) => p.message), [], `${org}.${suffix}`);
      }),
      { numRuns: 200 },
    );
  });

  it("a .suffix may not cover the platform's own trust domain, and no entry may lie inside it", () => {
    const trustDomain = "dev.platform.example.com";
    assert.match(verdict([".example.com"], trustDomain)[0]?.message ?? "", /covers the platform's own trust domain dev\.platform\.example\.com/);
    assert.match(verdict([".platform.example.com"], trustDomain)[0]?.message ?? "", /covers the platform's own trust domain/);
    assert.match(verdict([".dev.platform.example.com"], trustDomain)[0]?.message ?? "", /inside the platform's own trust domain/);
    assert.match(verdict(["identity.dev.platform.example.com"], trustDomain)[0]?.message ?? "", /inside the platform's own trust domain/);
    assert.deepEqual(verdict(["api.example.com", ".other.example.com", "platform.example.com"], trustDomain), []);
  });

  it("the engine's names for its host are refused", () => {
    for (const entry of ["host.docker.internal", "gateway.docker.internal", ".docker.internal", "docker.internal"]) {
      assert.match(egressEntryProblem(entry) ?? "", /Docker engine's host/, entry);
    }
  });
});
