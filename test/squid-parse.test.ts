// Rendered configs are checked by the real Squid (Debian's 5.7): `squid -k parse` must accept them
// without a single warning (besides `via off`, which is deliberate).
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import fc from "fast-check";
import { renderSquidConf, squidInputFromPlan } from "../render/squid";
import { loadStackFile } from "../config/load";
import { buildPlan } from "../plan/plan";
import { squidInput } from "./support/squid-arbitraries";
import { sampleInput, squidParse, squidUnavailable } from "./support/squid-fixtures";
import { REPO_ROOT } from "./support/stack-config";

const skip = squidUnavailable();

describe("squid -k parse", { skip }, () => {
  it("accepts the two-app sample without warnings", { timeout: 30_000 }, () => {
    const result = squidParse(renderSquidConf(sampleInput()));
    assert.ok(result.ok, result.output);
    assert.deepEqual(result.warnings, []);
  });

  it("accepts the dev stack's config without warnings", { timeout: 30_000 }, () => {
    const { config } = loadStackFile(join(REPO_ROOT, "Pulumi.dev.yaml"));
    const result = squidParse(renderSquidConf(squidInputFromPlan(buildPlan(config, "dev"))));
    assert.ok(result.ok, result.output);
    assert.deepEqual(result.warnings, []);
  });

  it("accepts random valid platforms without warnings (overlapping whitelists included)", { timeout: 120_000 }, () => {
    fc.assert(
      fc.property(squidInput({ hostile: false }), (input) => {
        const result = squidParse(renderSquidConf(input));
        assert.ok(result.ok, result.output);
        assert.deepEqual(result.warnings, []);
      }),
      { numRuns: 15 },
    );
  });

  it("rejects what the renderer must never produce (the check can fail)", { timeout: 30_000 }, () => {
    const conf = renderSquidConf(sampleInput());
    const bumped = squidParse(conf.replace("http_port 3128", "http_port 3128 ssl-bump"));
    assert.equal(bumped.ok, false, "Debian's GnuTLS Squid cannot bump TLS at all");
    const covered = squidParse(conf.replace("dstdomain -n .tiles.example.org", "dstdomain -n a.tiles.example.org .tiles.example.org"));
    assert.equal(covered.ok, false, "an entry covered by a .suffix is fatal in Squid 5.7");
  });
});
