import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { normalizeWhitelist, renderSquidConf, SquidConfigError, type SquidConfInput } from "../render/squid";
import { egressDomainProblem } from "../render/squid/validate";
import { squidInput } from "./support/squid-arbitraries";

/** Every directive the renderer may emit: anything else in the output was injected. */
const GENERATED_DIRECTIVES = new Set([
  "http_port", "visible_hostname", "httpd_suppress_version_string", "pid_filename", "shutdown_lifetime", "coredump_dir",
  "netdb_filename", "pinger_enable", "icp_port", "htcp_port", "hosts_file", "dns_nameservers", "cache", "cache_mem", "via",
  "forwarded_for", "logformat", "access_log", "cache_log", "logfile_rotate", "acl", "note", "http_access",
]);
const FIXED_ACLS = new Set(["platform_internal_dst", "platform_healthcheck", "platform_http_ports", "platform_connect_ports", "platform_http_scheme", "platform_ip_literal"]);

const directives = (conf: string) => conf.split("\n").filter((line) => line !== "" && !line.startsWith("#"));

/** The exact lines the renderer must produce for each app; any injected token changes them. */
function expectedAppLines(input: SquidConfInput): Map<string, string[]> {
  return new Map(
    input.apps.map((app) => {
      const egress = normalizeWhitelist(app.egress);
      return [
        app.name,
        [
          `acl app_${app.name}_src src ${app.subnet}`,
          ...(egress.length ? [`acl app_${app.name}_domains dstdomain -n ${egress.join(" ")}`] : []),
          `note app ${app.name} app_${app.name}_src`,
        ],
      ];
    }),
  );
}

describe("squid.conf properties", () => {
  it("never emits a directive or ACL it did not generate, even for hostile whitelist values", { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(squidInput({ hostile: true }), (input) => {
        const invalid = input.apps.flatMap((app) => app.egress.map((domain, j) => ({ app: app.name, j, domain, problem: egressDomainProblem(domain) }))).filter((x) => x.problem);
        let conf: string;
        try {
          conf = renderSquidConf(input);
        } catch (error) {
          assert.ok(error instanceof SquidConfigError, String(error));
          assert.ok(invalid.length > 0, `refused a valid input: ${(error as Error).message}`);
          for (const bad of invalid) assert.ok(error.message.includes(`app "${bad.app}": egress[${bad.j}] ${JSON.stringify(bad.domain)}`), error.message);
          return;
        }
        assert.equal(invalid.length, 0, "rendered although a value was invalid");
        const lines = directives(conf);
        for (const line of lines) assert.ok(GENERATED_DIRECTIVES.has(line.split(" ")[0]), `unexpected directive: ${line}`);
        const aclNames = lines.filter((l) => l.startsWith("acl ")).map((l) => l.split(" ")[1]);
        const appAcls = new Set(input.apps.flatMap((app) => [`app_${app.name}_src`, `app_${app.name}_domains`]));
        for (const name of aclNames) assert.ok(FIXED_ACLS.has(name) || name.startsWith("platform_rule_") || appAcls.has(name), `unexpected acl ${name}`);
        // the app sections are exactly the expected lines, so nothing was split or appended
        const expected = expectedAppLines(input);
        const appLines = lines.filter((l) => /^(acl app_|note )/.test(l));
        assert.deepEqual(appLines.sort(), [...expected.values()].flat().sort());
      }),
      { numRuns: 400 },
    );
  });

  it("scopes every allow rule to exactly one app's own subnet and whitelist, followed by deny all", { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(squidInput({ hostile: false }), (input) => {
        const lines = directives(renderSquidConf(input));
        const srcOf = new Map(lines.filter((l) => / src /.test(l) && l.startsWith("acl app_")).map((l) => [l.split(" ")[1], l.split(" ")[3]]));
        const access = lines.filter((l) => l.startsWith("http_access "));
        const allows = access.filter((l) => l.startsWith("http_access allow "));
        const withWhitelist = input.apps.filter((app) => app.egress.length > 0);
        assert.equal(allows.length, withWhitelist.length);
        for (const allow of allows) {
          const match = /^http_access allow app_(.+)_src app_(.+)_domains platform_rule_allowed$/.exec(allow);
          assert.ok(match, allow);
          assert.equal(match[1], match[2], `allow mixes two apps: ${allow}`);
          const app = input.apps.find((a) => a.name === match[1])!;
          assert.equal(srcOf.get(`app_${app.name}_src`), app.subnet);
          // its internal-destination denial comes right before it
          assert.equal(access[access.indexOf(allow) - 1], `http_access deny app_${app.name}_src app_${app.name}_domains platform_internal_dst platform_rule_internal_destination`);
        }
        assert.equal(access[access.length - 1], "http_access deny all platform_rule_not_whitelisted");
      }),
      { numRuns: 300 },
    );
  });

  it("is deterministic: any permutation of apps and domains gives the same bytes", { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(squidInput({ hostile: false }), fc.integer(), (input, seed) => {
        const rotate = <T>(xs: T[]) => (xs.length ? [...xs.slice(Math.abs(seed) % xs.length), ...xs.slice(0, Math.abs(seed) % xs.length)] : xs);
        const permuted = { ...input, apps: rotate(input.apps).map((app) => ({ ...app, egress: rotate([...app.egress].reverse()) })) };
        assert.equal(renderSquidConf(permuted), renderSquidConf(input));
      }),
      { numRuns: 200 },
    );
  });
});
