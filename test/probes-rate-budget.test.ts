// Gateway probes under a low rate limit: an exchange of more requests than the app's burst is split into
// parts that each fit it, so the probes' own control requests are never refused with 429.
import { strict as assert } from "node:assert";
import { it } from "node:test";
import { plannedRequests, type GatewayExchange } from "../sandbox/probes/gateway-client";
import { splitForBucket } from "../sandbox/probes/gateway";

const call = (id: string) => ({ id, token: "own" as const, method: "GET", path: "/weather/v1/forecast/" });

it("splits plain requests into parts within the burst, each with its own token fetch, keeping every step once and in order", () => {
  const exchange: GatewayExchange = { steps: ["a0", "a1", "a2", "a3", "a4", "a5", "control"].map(call) };
  assert.equal(plannedRequests(exchange), 8);
  for (const burst of [2, 3, 5]) {
    const parts = splitForBucket(exchange, burst);
    assert.ok(parts.length > 1, `burst ${burst}`);
    for (const part of parts) assert.ok(plannedRequests(part) <= burst, `burst ${burst}: a part plans ${plannedRequests(part)}`);
    assert.deepEqual(parts.flatMap((p) => p.steps.map((s) => s.id)), exchange.steps.map((s) => s.id));
  }
});

it("keeps an exchange whole when it fits, floods or carries a token from step to step", () => {
  const fits: GatewayExchange = { steps: [call("attack"), call("control")] };
  assert.deepEqual(splitForBucket(fits, 5), [fits]);
  const flood: GatewayExchange = { steps: [call("control"), { ...call("flood"), repeat: 40 }] };
  assert.deepEqual(splitForBucket(flood, 5), [flood]);
  const linked: GatewayExchange = { steps: [{ id: "t", token_request: "own", store_token: "stolen" }, ...["a", "b", "c", "d", "e", "f"].map(call)] };
  assert.deepEqual(splitForBucket(linked, 3), [linked]);
});
