import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseLogLine, parseLogTime } from "../monitor/events/parse";
import { LineSplitter } from "../monitor/events/line-splitter";
import { MalformedLines } from "../monitor/events/malformed";

const squidLine = {
  source: "egress",
  time: "1795435200.123",
  app: "forecast-widget",
  client: "10.208.4.20",
  method: "CONNECT",
  host: "evil.example.org",
  port: 443,
  url: "evil.example.org:443",
  status: 403,
  result: "TCP_DENIED",
  duration_ms: 0,
};
const envoyLine = {
  source: "gateway",
  time: "2026-11-23T12:00:00.250Z",
  app: "forecast-widget",
  client: "10.208.4.20",
  peer: "spiffe://dev.platform.example/app/forecast-widget",
  method: "GET",
  path: "/v1/forecast",
  service: "weather",
  status: 401,
  flags: "UAEX",
  duration_ms: 2,
  extra_field: "allowed by the contract",
};

test("parses the egress format of docs/log-formats.md", () => {
  const result = parseLogLine(JSON.stringify(squidLine));
  assert.ok(result.ok);
  assert.deepEqual(result.event, {
    source: "egress",
    timeMs: 1795435200123,
    app: "forecast-widget",
    client: "10.208.4.20",
    method: "CONNECT",
    status: 403,
    durationMs: 0,
    host: "evil.example.org",
    port: "443",
    url: "evil.example.org:443",
    result: "TCP_DENIED",
    denied: true,
  });
  const allowed = parseLogLine(JSON.stringify({ ...squidLine, result: "TCP_TUNNEL", status: 200, port: "443" }));
  assert.ok(allowed.ok && allowed.event.source === "egress" && !allowed.event.denied && allowed.event.port === "443");
});

test("parses the gateway format, unknown extra fields allowed", () => {
  const result = parseLogLine(JSON.stringify(envoyLine));
  assert.ok(result.ok && result.event.source === "gateway");
  assert.equal(result.event.timeMs, Date.parse("2026-11-23T12:00:00.250Z"));
  assert.equal(result.event.flags, "UAEX");
  assert.equal(result.event.peer, envoyLine.peer);
});

test("time: ISO-8601 and epoch seconds with millis, nothing else", () => {
  assert.equal(parseLogTime("1795435200.123"), 1795435200123);
  assert.equal(parseLogTime(1795435200.5), 1795435200500);
  assert.equal(parseLogTime("2026-11-23T12:00:00Z"), Date.parse("2026-11-23T12:00:00Z"));
  for (const bad of ["", "yesterday", "23/11/2026", "2026-13-45T99:00:00Z", null, {}, -1]) assert.equal(parseLogTime(bad), undefined, String(bad));
});

test("bad lines yield a reason that names the problem", () => {
  const cases: [string, RegExp][] = [
    ["", /empty/],
    ["plain text", /not a JSON object/],
    ["{not json", /invalid JSON/],
    ["[1,2]", /not a JSON object/],
    [JSON.stringify({ ...squidLine, source: "syslog" }), /"source" must be/],
    [JSON.stringify({ ...squidLine, status: "forbidden" }), /"status"/],
    [JSON.stringify({ ...squidLine, app: 7 }), /"app"/],
    [JSON.stringify({ ...squidLine, time: "later" }), /"time"/],
    [JSON.stringify({ ...squidLine, host: undefined }), /"host"/],
    [JSON.stringify({ ...squidLine, port: null }), /"port"/],
    [JSON.stringify({ ...envoyLine, method: "" }), /"method"/],
    ["x".repeat(70_000), /limit/],
  ];
  for (const [line, reason] of cases) {
    const result = parseLogLine(line);
    assert.ok(!result.ok, line.slice(0, 60));
    assert.match(result.reason, reason);
  }
});

test("property: parsing never throws, whatever the line", () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.json(), fc.jsonValue().map((v) => JSON.stringify({ ...squidLine, ...(typeof v === "object" && v !== null && !Array.isArray(v) ? v : { time: v }) }))), (line) => {
      const result = parseLogLine(line);
      assert.equal(typeof result.ok, "boolean");
    }),
    { numRuns: 2000 },
  );
});

test("line splitter: lines across chunk boundaries, CRLF, final line without newline, oversized lines skipped", () => {
  const lines: string[] = [];
  const oversized: string[] = [];
  const splitter = new LineSplitter((l) => lines.push(l), (p) => oversized.push(p), 10);
  splitter.push("ab");
  splitter.push("c\r\nde");
  splitter.push("f\n0123456789ABCDEF");
  splitter.push("GHIJ\nok\nlast");
  splitter.end();
  assert.deepEqual(lines, ["abc", "def", "ok", "last"]);
  assert.equal(oversized.length, 1);
});

test("property: any chunking of a text yields the same lines", () => {
  fc.assert(
    fc.property(fc.array(fc.string({ maxLength: 20 }).filter((s) => !s.includes("\n") && !s.endsWith("\r")), { maxLength: 30 }), fc.array(fc.nat(50), { maxLength: 20 }), (input, cuts) => {
      const text = input.map((l) => `${l}\n`).join("");
      const lines: string[] = [];
      const splitter = new LineSplitter((l) => lines.push(l), () => assert.fail("nothing is oversized"));
      let offset = 0;
      for (const cut of cuts) {
        splitter.push(text.slice(offset, offset + cut));
        offset += cut;
      }
      splitter.push(text.slice(offset));
      splitter.end();
      assert.deepEqual(lines, input);
    }),
  );
});

test("malformed lines are counted per origin; samples are bounded", () => {
  const malformed = new MalformedLines(3);
  const logged = [];
  for (let i = 0; i < 2500; i++) {
    const sample = malformed.record(i % 2 ? "egress:a" : "gateway:b", "bad", `line ${i}`);
    if (sample) logged.push(sample);
  }
  assert.equal(malformed.total, 2500);
  assert.equal(malformed.byOrigin.get("egress:a"), 1250);
  assert.equal(logged.length, 5 + 5 + 1 + 1, "first five of each origin, then every 1000th");
  assert.equal(malformed.samples.length, 3);
});
