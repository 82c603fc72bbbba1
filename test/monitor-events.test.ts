import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseLogLine, parseLogTime } from "../monitor/events/parse";
import { LineSplitter } from "../monitor/events/line-splitter";
import { MalformedLines } from "../monitor/events/malformed";
import { isRateLimited, isSecurityEvent } from "../monitor/events/types";

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

// Real lines, verbatim, from the platform's own gateway (platform/envoy:1.40.0 running the rendered
// bootstrap of the dev stack, brought up by the sandbox in a base CIDR of its own, 10.178.0.0/16).
// Envoy ≥ 1.33 keeps value types in json_format: status, duration_ms and byte counts are numbers, and a
// value Envoy does not have is null (never "-"); tokens are never logged (token_client is the JWT's azp).
const REAL_ENVOY_LINES = {
  // no token, valid mTLS: jwt_authn answers 401 (what the authFailures rule counts)
  noToken: `{"app":"forecast-widget","bytes_received":0,"bytes_sent":14,"client":"10.178.144.68","details":"jwt_authn_access_denied{Jwt_is_missing}","duration_ms":0,"flags":"-","method":"GET","path":"/weather/v1/forecast","peer":"spiffe://dev.platform.example/app/forecast-widget","request_id":"e6de7ef9-46d0-4687-8560-ac538bebbf30","service":"weather","source":"gateway","status":401,"time":"2026-11-30T01:28:34.548Z","token_client":null,"upstream_host":null}`,
  badToken: `{"app":"forecast-widget","bytes_received":0,"bytes_sent":29,"client":"10.178.144.68","details":"jwt_authn_access_denied{Jwt_header_is_an_invalid_JSON}","duration_ms":0,"flags":"-","method":"GET","path":"/weather/v1/current","peer":"spiffe://dev.platform.example/app/forecast-widget","request_id":"cd1929f5-363e-4fbe-92a5-d87d011ee009","service":"weather","source":"gateway","status":401,"time":"2026-11-30T01:29:34.745Z","token_client":null,"upstream_host":null}`,
  // the token route through the gateway to Keycloak
  token: `{"app":"backup-agent","bytes_received":107,"bytes_sent":1019,"client":"10.178.190.116","details":"via_upstream","duration_ms":88,"flags":"-","method":"POST","path":"/realms/platform/protocol/openid-connect/token","peer":"spiffe://dev.platform.example/app/backup-agent","request_id":"6dd3f271-f61d-4058-83ec-60aee2bcee2e","service":"platform.identity","source":"gateway","status":200,"time":"2026-11-30T01:29:45.158Z","token_client":null,"upstream_host":"10.178.1.4:8443"}`,
  granted: `{"app":"backup-agent","bytes_received":0,"bytes_sent":18,"client":"10.178.190.116","details":"via_upstream","duration_ms":3,"flags":"-","method":"GET","path":"/weather/v1/current/","peer":"spiffe://dev.platform.example/app/backup-agent","request_id":"dbc33ec5-d270-4e00-b0f0-80213b7c3036","service":"weather","source":"gateway","status":200,"time":"2026-11-30T01:29:45.255Z","token_client":"backup-agent","upstream_host":"10.178.0.128:8080"}`,
  // RBAC denies a service the app was not granted: no route was taken, so service is null
  ungranted: `{"app":"forecast-widget","bytes_received":0,"bytes_sent":19,"client":"10.178.144.68","details":"rbac_access_denied_matched_policy[none]","duration_ms":0,"flags":"-","method":"GET","path":"/storage/v1/buckets/backup-agent","peer":"spiffe://dev.platform.example/app/forecast-widget","request_id":"2b4e0898-71f0-4b55-bbdb-ee34d57925e4","service":null,"source":"gateway","status":403,"time":"2026-11-30T01:29:34.732Z","token_client":"forecast-widget","upstream_host":null}`,
  rateLimited: `{"app":"forecast-widget","bytes_received":0,"bytes_sent":18,"client":"10.178.144.68","details":"local_rate_limited","duration_ms":0,"flags":"RL","method":"GET","path":"/weather/v1/forecast","peer":"spiffe://dev.platform.example/app/forecast-widget","request_id":"02e2d3f6-c85a-4616-9451-f7aa125a832c","service":"weather","source":"gateway","status":429,"time":"2026-11-30T01:29:53.693Z","token_client":null,"upstream_host":null}`,
  // garbage over TLS: Envoy answers 400 before it has a request line, so method, path and request_id are null
  codecError: `{"app":"forecast-widget","bytes_received":0,"bytes_sent":11,"client":"10.178.144.68","details":"http1.invalid_characters","duration_ms":0,"flags":"DPE","method":null,"path":null,"peer":"spiffe://dev.platform.example/app/forecast-widget","request_id":null,"service":null,"source":"gateway","status":400,"time":"2026-11-30T01:29:34.792Z","token_client":null,"upstream_host":null}`,
  // the app hung up in the middle of its request headers: no response, status 0
  halfRequest: `{"app":"backup-agent","bytes_received":0,"bytes_sent":0,"client":"10.178.190.116","details":"downstream_remote_disconnect","duration_ms":160,"flags":"DC","method":null,"path":null,"peer":"spiffe://dev.platform.example/app/backup-agent","request_id":null,"service":null,"source":"gateway","status":0,"time":"2026-11-30T01:29:45.316Z","token_client":null,"upstream_host":null}`,
};

test("parses every kind of line the real Envoy 1.40 gateway writes (numbers stay numbers, missing values are null)", () => {
  const parsed = Object.fromEntries(
    Object.entries(REAL_ENVOY_LINES).map(([name, line]) => {
      const result = parseLogLine(line);
      assert.ok(result.ok, `${name}: ${result.ok ? "" : result.reason}`);
      assert.equal(result.event.source, "gateway");
      return [name, result.event];
    }),
  );
  assert.deepEqual(parsed.noToken, {
    source: "gateway",
    timeMs: Date.parse("2026-11-30T01:28:34.548Z"),
    app: "forecast-widget",
    client: "10.178.144.68",
    method: "GET",
    status: 401,
    durationMs: 0,
    peer: "spiffe://dev.platform.example/app/forecast-widget",
    path: "/weather/v1/forecast",
    service: "weather",
    flags: "-",
  });
  assert.equal(parsed.token.durationMs, 88);
  assert.equal(parsed.ungranted.service, "-", "service null (no route) reads as -");
  assert.deepEqual([parsed.codecError.method, parsed.codecError.path, parsed.codecError.service, parsed.codecError.status], ["-", "", "-", 400]);
  assert.deepEqual([parsed.halfRequest.method, parsed.halfRequest.status, parsed.halfRequest.flags, parsed.halfRequest.durationMs], ["-", 0, "DC", 160]);
  // what the monitor audits and counts
  const security = Object.entries(parsed).filter(([, event]) => isSecurityEvent(event)).map(([name]) => name);
  assert.deepEqual(security, ["noToken", "badToken", "ungranted", "rateLimited"]);
  assert.deepEqual(Object.entries(parsed).filter(([, event]) => isRateLimited(event)).map(([name]) => name), ["rateLimited"]);
});

test("gateway: null is 'no value' only where Envoy writes it; other wrong types are malformed", () => {
  const base = JSON.parse(REAL_ENVOY_LINES.noToken) as Record<string, unknown>;
  const line = (change: Record<string, unknown>) => JSON.stringify({ ...base, ...change });
  for (const field of ["peer", "path", "service", "flags"]) {
    assert.ok(parseLogLine(line({ [field]: null })).ok, `${field}: null`);
    const wrong = parseLogLine(line({ [field]: 7 }));
    assert.ok(!wrong.ok && new RegExp(`"${field}"`).test(wrong.reason), `${field}: 7`);
  }
  for (const field of ["time", "app", "client", "status"]) {
    const result = parseLogLine(line({ [field]: null }));
    assert.ok(!result.ok && new RegExp(`"${field}"`).test(result.reason), `${field}: null is malformed`);
  }
  assert.ok(parseLogLine(line({ duration_ms: null })).ok, "duration_ms: null reads as 0");
  // older Envoy (json_format before 1.33) wrote every value as a string
  const legacy = parseLogLine(line({ status: "401", duration_ms: "2", peer: "-", service: "-" }));
  assert.ok(legacy.ok && legacy.event.status === 401 && legacy.event.durationMs === 2);
  // Squid always has a method: null is malformed in the egress format
  const egress = parseLogLine(JSON.stringify({ ...squidLine, method: null }));
  assert.ok(!egress.ok && /"method"/.test(egress.reason));
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
