// The real Squid 5.7 with a rendered squid.conf, on loopback. A test-owned TEST-NET-3 address on `lo`
// plays the internet (HTTP :80, HTTPS :443, raw TCP on another port); Squid resolves names from a
// hosts file this test writes (hosts_file), so no real DNS name is ever used. Each case uses its own
// source address inside an app's subnet, which lets the JSON log line of every decision be checked.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { renderSquidConf } from "../render/squid";
import { sampleInput } from "./support/squid-fixtures";
import { httpsGetOverTunnel, proxyConnect, proxyGet } from "./support/squid-client";
import {
  addTestAddress,
  freePort,
  Origin,
  realSquidUnavailable,
  removeDir,
  RunningSquid,
  selfSignedCertificate,
  squidWorkDir,
  startOrigin,
  startSquid,
} from "./support/squid-harness";

const skip = realSquidUnavailable();
const ROOT = `e${process.pid}.e2e.example`;
const host = (label: string) => `${label}.${ROOT}`;
const ALPHA = { name: "alpha", subnet: "127.0.10.0/28", egress: [host("ok"), `.suffix.${ROOT}`, host("rebind"), host("metadata")] };
const BETA = { name: "beta", subnet: "127.0.20.0/28", egress: [host("b-only")] };
const STRANGER = "127.0.30.5";
const OTHER_PORT = 8443;

interface Expected {
  client: string;
  app: string;
  method: string;
  status: number;
  rule: string;
  denied: boolean;
}

describe("egress proxy end to end (real Squid)", { skip }, () => {
  let dir = "";
  let origin: Origin | undefined;
  let removeAddress: (() => void) | undefined;
  let squid: RunningSquid | undefined;
  let proxyPort = 0;
  let originAddress = "";
  let ca = "";
  const expected: Expected[] = [];
  const expect = (entry: Expected) => expected.push(entry);

  before(async () => {
    dir = squidWorkDir();
    const added = addTestAddress();
    removeAddress = added.remove;
    originAddress = added.address;
    const tls = selfSignedCertificate(dir, [host("ok"), host("other"), host("b-only")]);
    ca = tls.cert;
    origin = await startOrigin(originAddress, tls, OTHER_PORT);
    const hostsFile = join(dir, "hosts");
    writeFileSync(
      hostsFile,
      [
        `${originAddress} ${host("ok")} ${host("other")} ${host("b-only")} deep.sub.suffix.${ROOT}`,
        `127.0.0.1 ${host("rebind")}`, // a whitelisted name pointing into the host
        `169.254.169.254 ${host("metadata")}`, // ... or at a cloud metadata endpoint
        "",
      ].join("\n"),
    );
    proxyPort = await freePort();
    const conf = renderSquidConf(
      sampleInput({
        apps: [ALPHA, BETA],
        baseCidr: "127.0.0.0/8",
        listen: { address: "127.0.0.1", port: proxyPort },
        runtime: { pidFile: join(dir, "squid.pid"), hostsFile, dnsNameservers: ["127.0.0.1"], shutdownLifetimeSeconds: 0, visibleHostname: "egress" },
      }),
    );
    squid = await startSquid(dir, conf, proxyPort);
  }, { timeout: 60_000 });

  after(async () => {
    await squid?.stop();
    await origin?.close();
    removeAddress?.();
    if (dir) removeDir(dir);
  }, { timeout: 30_000 });

  it("lets an app reach a whitelisted name over plain HTTP", { timeout: 20_000 }, async () => {
    const res = await proxyGet(proxyPort, `http://${host("ok")}/plain`, "127.0.10.2");
    assert.equal(res.status, 200);
    assert.equal(res.body, `origin-http ${host("ok")} /plain`);
    expect({ client: "127.0.10.2", app: "alpha", method: "GET", status: 200, rule: "allowed", denied: false });
  });

  it("lets an app open a CONNECT tunnel to a whitelisted name on 443, with TLS end to end (no interception)", { timeout: 20_000 }, async () => {
    const tunnel = await proxyConnect(proxyPort, `${host("ok")}:443`, "127.0.10.3");
    assert.equal(tunnel.status, 200);
    // the origin's own certificate verifies: nothing in between re-signed it
    const res = await httpsGetOverTunnel(tunnel.socket!, host("ok"), ca, "/secure");
    assert.equal(res.body, `origin-https ${host("ok")} /secure`);
    expect({ client: "127.0.10.3", app: "alpha", method: "CONNECT", status: 200, rule: "allowed", denied: false });
  });

  it("matches a .suffix entry for names below it", { timeout: 20_000 }, async () => {
    const res = await proxyGet(proxyPort, `http://deep.sub.suffix.${ROOT}/`, "127.0.10.4");
    assert.equal(res.status, 200);
    expect({ client: "127.0.10.4", app: "alpha", method: "GET", status: 200, rule: "allowed", denied: false });
  });

  it("answers 403 for a name that is not whitelisted (HTTP and CONNECT), although it resolves", { timeout: 20_000 }, async () => {
    assert.equal((await proxyGet(proxyPort, `http://${host("other")}/`, "127.0.10.5")).status, 403);
    assert.equal((await proxyConnect(proxyPort, `${host("other")}:443`, "127.0.10.6")).status, 403);
    expect({ client: "127.0.10.5", app: "alpha", method: "GET", status: 403, rule: "not-whitelisted", denied: true });
    expect({ client: "127.0.10.6", app: "alpha", method: "CONNECT", status: 403, rule: "not-whitelisted", denied: true });
  });

  it("denies a whitelisted name that resolves to an internal address (loopback, metadata)", { timeout: 20_000 }, async () => {
    assert.equal((await proxyGet(proxyPort, `http://${host("rebind")}/`, "127.0.10.7")).status, 403);
    assert.equal((await proxyConnect(proxyPort, `${host("rebind")}:443`, "127.0.10.8")).status, 403);
    assert.equal((await proxyGet(proxyPort, `http://${host("metadata")}/latest/meta-data/`, "127.0.10.9")).status, 403);
    for (const [client, method] of [["127.0.10.7", "GET"], ["127.0.10.8", "CONNECT"], ["127.0.10.9", "GET"]]) {
      expect({ client, app: "alpha", method, status: 403, rule: "internal-destination", denied: true });
    }
  });

  it("denies IP-literal requests, even to the origin's public address", { timeout: 20_000 }, async () => {
    assert.equal((await proxyGet(proxyPort, `http://${originAddress}/`, "127.0.10.10")).status, 403);
    assert.equal((await proxyConnect(proxyPort, `${originAddress}:443`, "127.0.10.11")).status, 403);
    expect({ client: "127.0.10.10", app: "alpha", method: "GET", status: 403, rule: "ip-literal", denied: true });
    expect({ client: "127.0.10.11", app: "alpha", method: "CONNECT", status: 403, rule: "ip-literal", denied: true });
  });

  it("denies CONNECT to a port other than 443 and plain HTTP to a port other than 80", { timeout: 20_000 }, async () => {
    assert.equal((await proxyConnect(proxyPort, `${host("ok")}:${OTHER_PORT}`, "127.0.10.12")).status, 403);
    assert.equal((await proxyGet(proxyPort, `http://${host("ok")}:${OTHER_PORT}/`, "127.0.10.13")).status, 403);
    expect({ client: "127.0.10.12", app: "alpha", method: "CONNECT", status: 403, rule: "port", denied: true });
    expect({ client: "127.0.10.13", app: "alpha", method: "GET", status: 403, rule: "port", denied: true });
  });

  it("never lets one app's source use another app's whitelist", { timeout: 20_000 }, async () => {
    assert.equal((await proxyGet(proxyPort, `http://${host("ok")}/`, "127.0.20.2")).status, 403, "beta using alpha's whitelist (HTTP)");
    assert.equal((await proxyConnect(proxyPort, `${host("ok")}:443`, "127.0.20.3")).status, 403, "beta using alpha's whitelist (CONNECT)");
    assert.equal((await proxyGet(proxyPort, `http://${host("b-only")}/`, "127.0.20.4")).status, 200, "beta using its own whitelist");
    assert.equal((await proxyGet(proxyPort, `http://${host("b-only")}/`, "127.0.10.14")).status, 403, "alpha using beta's whitelist");
    expect({ client: "127.0.20.2", app: "beta", method: "GET", status: 403, rule: "not-whitelisted", denied: true });
    expect({ client: "127.0.20.3", app: "beta", method: "CONNECT", status: 403, rule: "not-whitelisted", denied: true });
    expect({ client: "127.0.20.4", app: "beta", method: "GET", status: 200, rule: "allowed", denied: false });
    expect({ client: "127.0.10.14", app: "alpha", method: "GET", status: 403, rule: "not-whitelisted", denied: true });
  });

  it("denies a source outside every app subnet, and the manager interface", { timeout: 20_000 }, async () => {
    assert.equal((await proxyGet(proxyPort, `http://${host("ok")}/`, STRANGER)).status, 403);
    assert.equal((await proxyGet(proxyPort, `http://egress:${proxyPort}/squid-internal-mgr/menu`, "127.0.20.5")).status, 403);
    expect({ client: STRANGER, app: "-", method: "GET", status: 403, rule: "not-whitelisted", denied: true });
    expect({ client: "127.0.20.5", app: "beta", method: "GET", status: 403, rule: "manager", denied: true });
  });

  it("logs every decision as one JSON line on stdout, naming the right app", { timeout: 20_000 }, async () => {
    const clients = new Set(expected.map((e) => e.client));
    assert.equal(clients.size, expected.length, "each case has its own source address");
    // tunnels are logged when they close: wait (bounded) until every case has its line
    const deadline = Date.now() + 10_000;
    let lines = squid!.logLines().filter((line) => clients.has(String(line.client)));
    while (lines.length < expected.length && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      lines = squid!.logLines().filter((line) => clients.has(String(line.client)));
    }
    assert.equal(lines.length, expected.length, `log:\n${squid!.rawLog()}`);
    for (const want of expected) {
      const line = lines.find((l) => l.client === want.client)!;
      const context = JSON.stringify(line);
      assert.equal(line.source, "egress", context);
      assert.equal(line.app, want.app, context);
      assert.equal(line.method, want.method, context);
      assert.equal(line.status, want.status, context);
      assert.equal(line.rule, want.rule, context);
      assert.equal(String(line.result).includes("DENIED"), want.denied, context);
      assert.equal(typeof line.duration_ms, "number", context);
      assert.match(String(line.time), /^\d+\.\d{3}$/, context);
      assert.doesNotMatch(String(line.host), /:/, `host has no port: ${context}`);
      if (want.method === "CONNECT") assert.equal(line.url, `${line.host}:${line.port}`, context);
    }
    const tunnel = lines.find((l) => l.client === "127.0.10.3")!;
    assert.equal(tunnel.result, "TCP_TUNNEL");
    assert.equal(tunnel.port, "443");
  });
});
