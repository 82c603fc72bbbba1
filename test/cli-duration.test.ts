// cli/duration.ts: the one duration syntax of the commands (--observe, --timeout).
import { strict as assert } from "node:assert";
import { describe, it } from "node:test";
import fc from "fast-check";
import { UsageError } from "../cli/args";
import { durationMs, formatDuration, parseDurationOption } from "../cli/duration";

const RANGE = { minMs: 1000, maxMs: 3_600_000 };

describe("durations of the commands", () => {
  it("reads whole numbers with units, parts added up", () => {
    assert.equal(durationMs("60s"), 60_000);
    assert.equal(durationMs("2m"), 120_000);
    assert.equal(durationMs("1m30s"), 90_000);
    assert.equal(durationMs("1500ms"), 1500);
    assert.equal(durationMs(" 1h "), 3_600_000);
    for (const bad of ["", "60", "1x", "s", "-5s", "1.5s", "1 m", "m1", "1m 30s"]) assert.equal(durationMs(bad), undefined, bad);
  });

  it("prints what it reads: formatDuration and durationMs are inverse", () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 48 * 3_600_000 }), (ms) => durationMs(formatDuration(ms)) === ms));
    assert.equal(formatDuration(90_000), "1m30s");
    assert.equal(formatDuration(6 * 3_600_000), "6h");
    assert.equal(formatDuration(1500), "1500ms");
  });

  it("refuses a bare number, garbage and out-of-range values, naming the option, the value and the range", () => {
    const refusal = (text: string) => {
      try {
        parseDurationOption("timeout", text, RANGE);
      } catch (error) {
        assert.ok(error instanceof UsageError, text);
        return error.message;
      }
      assert.fail(`${JSON.stringify(text)} was taken`);
    };
    assert.equal(refusal("45"), '--timeout "45" has no unit: give a whole number with a unit, e.g. 60s, 2m or 1m30s (from 1s to 1h)');
    assert.equal(refusal("soon"), '--timeout "soon" is not a duration: give a whole number with a unit, e.g. 60s, 2m or 1m30s (from 1s to 1h)');
    assert.equal(refusal("500ms"), "--timeout 500ms is out of range: give a whole number with a unit, e.g. 60s, 2m or 1m30s (from 1s to 1h)");
    for (const bad of ["", "0s", "61m", "2h", "-1s"]) assert.match(refusal(bad), /^--timeout .*\(from 1s to 1h\)$/, bad);
    assert.equal(parseDurationOption("timeout", "1h", RANGE), 3_600_000);
    assert.equal(parseDurationOption("timeout", "1s", RANGE), 1000);
  });
});
