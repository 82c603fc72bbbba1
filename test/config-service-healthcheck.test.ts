// A service without healthPath or healthcheck gets a TCP connect to its port (render/workloads.ts
// defaultServiceHealthcheck). It must work in the images the platform uses: BusyBox (the demo service:
// its nc) and Debian (bash's /dev/tcp). Run for real, the way Docker runs it: /bin/sh -c, as a
// non-root user, no capabilities, read-only root, no network but loopback.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import { defaultServiceHealthcheck } from "../render/workloads";
import { dockerUnavailableSync } from "../sandbox/docker-availability";

const IMAGES = {
  busybox: { image: "platform/demo-service:dev", listen: "nc -l -p PORT >/dev/null &" },
  debian: { image: "platform/probe:dev", listen: "python3 -c 'import socket,time;s=socket.socket();s.bind((\"127.0.0.1\",PORT));s.listen();time.sleep(30)' &" },
};

/** Starts a listener on `port` inside a hardened container and runs the healthcheck against `probe`. */
function healthcheckExit(image: string, listen: string, port: number, probe: number): number | null {
  const [kind, shellCommand] = defaultServiceHealthcheck(probe).command;
  assert.equal(kind, "CMD-SHELL");
  const script = `${listen.replace("PORT", String(port))} sleep 1; /bin/sh -c "$0"`;
  const run = spawnSync(
    "docker",
    ["run", "--rm", "--network", "none", "--read-only", "--user", "10001:10001", "--cap-drop", "ALL", "--security-opt", "no-new-privileges:true", image, "/bin/sh", "-c", script, shellCommand],
    { encoding: "utf8", timeout: 60_000 },
  );
  return run.status;
}

for (const [name, { image, listen }] of Object.entries(IMAGES)) {
  describe(`the default service healthcheck in ${name} (${image})`, { skip: dockerUnavailableSync([image]), timeout: 120_000 }, () => {
    it("passes when the service's port accepts connections", () => assert.equal(healthcheckExit(image, listen, 8080, 8080), 0));
    it("fails when nothing listens on the port", () => assert.notEqual(healthcheckExit(image, listen, 8080, 8081), 0));
  });
}
