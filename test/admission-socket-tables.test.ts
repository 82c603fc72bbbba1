// The kernel's socket tables as the admission reads them (admission/socket-tables.ts): addresses in the
// kernel's little-endian hex, states by code, and which sockets go outside the app's own networks.
import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { it } from "node:test";
import { decodeAddress, offNetworkSockets, parseSocketTable, subnetOf } from "../admission/socket-tables";

const HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";
// lines in the format of this host's /proc/net/tcp: a listener, a TIME_WAIT to 192.168.112.7, and a SYN_SENT to 10.208.1.10:8080
const TCP = [
  HEADER,
  "   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1060 1 00000000c306fcb0 100 0 0 10 0",
  "   1: 0170A8C0:9CAB 0770A8C0:C7DC 06 00000000:00000000 03:00001294 00000000     0        0 0 3 00000000e7648fd9",
  "   2: 0B20D00A:A1B2 0A01D00A:1F90 02 00000001:00000000 01:00000064 00000002 10001        0 77 1 0000000000000000 100 0 0 10 0",
  "   3: 0100007F:8F2A 0B00007F:0035 01 00000000:00000000 00:00000000 00000000 10001        0 78 1 0000000000000000 20 4 30 10 -1",
].join("\n");

it("decodes the kernel's little-endian addresses, IPv4, IPv4-mapped IPv6 and IPv6", () => {
  assert.deepEqual(decodeAddress("0100007F:0035"), { address: "127.0.0.1", port: 53, family: 4 });
  assert.deepEqual(decodeAddress("0A01D00A:1F90"), { address: "10.208.1.10", port: 8080, family: 4 });
  assert.deepEqual(decodeAddress("0000000000000000FFFF00000A01D00A:1F90"), { address: "10.208.1.10", port: 8080, family: 4 });
  assert.deepEqual(decodeAddress("00000000000000000000000001000000:0050"), { address: "::1", port: 80, family: 6 });
  assert.equal(decodeAddress("nonsense"), undefined);
});

it("lists the sockets with a remote end and their TCP state by name", () => {
  assert.deepEqual(parseSocketTable(TCP, "tcp").map((e) => `${e.remote} ${e.state}`), ["192.168.112.7:51164 TIME_WAIT", "10.208.1.10:8080 SYN_SENT", "127.0.0.11:53 ESTABLISHED"]);
});

it("keeps only sockets outside the app's own subnets and loopback", async () => {
  const dir = mkdtempSync(join(tmpdir(), "socket-tables-"));
  try {
    writeFileSync(join(dir, "tcp"), TCP);
    writeFileSync(join(dir, "udp"), `${HEADER} ref pointer drops\n  10: 0B20D00A:9C40 0200D00A:0035 01 00000000:00000000 00:00000000 00000000 10001 0 79 2 0 0`);
    // no tcp6/udp6: a kernel without IPv6 is fine
    const appSubnet = subnetOf("10.208.32.11", 24);
    assert.deepEqual(await offNetworkSockets(dir, [appSubnet, subnetOf("192.168.112.1", 20)]), [
      { protocol: "tcp", remote: "10.208.1.10:8080", states: ["SYN_SENT"] },
      { protocol: "udp", remote: "10.208.0.2:53", states: ["connected"] },
    ]);
    assert.deepEqual(await offNetworkSockets(dir, [subnetOf("10.208.0.0", 16), subnetOf("192.168.112.1", 20)]), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
