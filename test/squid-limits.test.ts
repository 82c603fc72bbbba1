// squid.conf within Squid's own limits, whatever the schema accepts: ACL names of at most 62 characters
// (Squid 5.7 defines a 63-character ACL but cannot find it from http_access) that still tell apps apart,
// and lines short enough that Squid never cuts a whitelist entry in two (it reads 8191 bytes per line).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { appAclNames, normalizeWhitelist, renderSquidConf, SQUID_ACL_NAME_MAX, SQUID_LINE_MAX } from "../render/squid";
import { labelOfLength, validEgress } from "./support/config-arbitraries";
import { sampleInput, squidParse, squidUnavailable } from "./support/squid-fixtures";

const anyName = fc.integer({ min: 1, max: 63 }).chain((n) => labelOfLength(n));

describe("Squid's limits", () => {
  it("app ACL names stay readable up to 50 characters, within Squid's limit always, and never shared (property)", () => {
    assert.deepEqual(appAclNames("weather-app"), { source: "app_weather-app_src", domains: "app_weather-app_domains" });
    fc.assert(
      fc.property(anyName, anyName, (a, b) => {
        const acls = appAclNames(a);
        for (const acl of [acls.source, acls.domains]) assert.ok(acl.length <= SQUID_ACL_NAME_MAX, `${acl} (${acl.length})`);
        if (a.length <= 50) assert.equal(acls.source, `app_${a}_src`);
        else assert.ok(acls.source.startsWith(`app_${a.slice(0, 20)}`));
        if (a !== b) {
          const other = appAclNames(b);
          assert.notEqual(acls.source, other.source);
          assert.notEqual(acls.domains, other.domains);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("two 63-character apps that share their first 60 characters: Squid reads the config", { skip: squidUnavailable(), timeout: 30_000 }, () => {
    const stem = `a${"b".repeat(59)}`;
    const conf = renderSquidConf(
      sampleInput({
        apps: [
          { name: `${stem}-c1`, subnet: "10.208.4.16/28", egress: ["api.example.com"] },
          { name: `${stem}-c2`, subnet: "10.208.4.32/28", egress: [".example.org"] },
        ],
      }),
    );
    const result = squidParse(conf);
    assert.ok(result.ok, result.output);
    assert.deepEqual(result.warnings, []);
  });

  it("a whitelist is spread over acl lines of at most SQUID_LINE_MAX bytes, every entry whole and once (property)", () => {
    fc.assert(
      fc.property(fc.uniqueArray(validEgress, { maxLength: 120 }), (egress) => {
        const conf = renderSquidConf(sampleInput({ apps: [{ name: "app", subnet: "10.208.4.16/28", egress }] }));
        const lines = conf.split("\n").filter((l) => l.startsWith("acl app_app_domains "));
        for (const line of lines) {
          assert.ok(line.length <= SQUID_LINE_MAX, `${line.length} bytes`);
          assert.match(line, /^acl app_app_domains dstdomain -n \S/);
        }
        assert.deepEqual(lines.flatMap((l) => l.split(" ").slice(4)), normalizeWhitelist(egress));
      }),
      { numRuns: 200 },
    );
  });
});
