// Colour in the commands' text output: on for a terminal, off for a pipe or with NO_COLOR, and the
// sandbox's table paints each verdict without changing its text.
import { test } from "node:test";
import assert from "node:assert/strict";
import { painter, wantsColor } from "../cli/terminal";
import { formatTable } from "../sandbox/report";
import type { ProbeResult } from "../sandbox/probes/types";

const ANSI = /\u001b\[[0-9;]*m/g;
const result = (verdict: ProbeResult["verdict"]): ProbeResult => ({ probe: `p-${verdict}`, category: "dos", target: "app", verdict, evidence: "e", durationMs: 1 });

test("colour only for a terminal, and never with NO_COLOR", () => {
  assert.equal(wantsColor({ isTTY: true }, {}), true);
  assert.equal(wantsColor({ isTTY: true }, { NO_COLOR: "1" }), false);
  assert.equal(wantsColor({ isTTY: false }, {}), false);
  assert.equal(painter(false)("x", "red"), "x");
  assert.equal(painter(true)("x", "bold", "red"), "\u001b[1;31mx\u001b[0m");
});

test("the sandbox's table paints verdicts (NOT STOPPED and FAILED in bold red) and reads the same without colour", () => {
  const results = (["stopped", "NOT STOPPED", "FAILED", "ok", "skipped"] as const).map(result);
  const plain = formatTable(results, 110, false);
  const coloured = formatTable(results, 110, true);
  assert.doesNotMatch(plain, ANSI);
  assert.equal(coloured.replace(ANSI, ""), plain);
  assert.match(coloured, /\u001b\[1;31mNOT STOPPED\s*\u001b\[0m/);
  assert.match(coloured, /\u001b\[1;31mFAILED\s*\u001b\[0m/);
  assert.match(coloured, /\u001b\[32mstopped\s*\u001b\[0m/);
  assert.match(coloured, /\u001b\[33mskipped\s*\u001b\[0m/);
});
