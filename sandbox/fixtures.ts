// Things on the host the probes aim at, removed by close(): a marker file no container may read, and
// a TCP listener on every host address (what an app could reach through its bridge gateway if the
// host were routable from app networks).
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { AddressInfo, createServer } from "node:net";

export interface HostFixtures {
  hostMarker: { path: string; nonce: string };
  hostListener: { port: number };
  close(): Promise<void>;
}

export async function createHostFixtures(runId: string): Promise<HostFixtures> {
  const dir = `/tmp/platform-sandbox-${runId}`;
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  const nonce = randomBytes(12).toString("hex");
  const path = `${dir}/host-marker`;
  writeFileSync(path, `${nonce}\n`, { mode: 0o644 });
  const server = createServer((socket) => {
    // a probe that reaches it may reset the connection at once (ECONNRESET): not an error of the run's
    socket.on("error", () => undefined);
    socket.end("platform-sandbox-host\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "0.0.0.0", () => resolve());
  });
  return {
    hostMarker: { path, nonce },
    hostListener: { port: (server.address() as AddressInfo).port },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
