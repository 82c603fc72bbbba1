// A stand-in for the internet: a listener on a network of its own, reachable only by containers placed
// on that network (as a container with a route off the platform's networks would be). The network is
// internal too, so no probe traffic can ever leave this machine. Created through the mirror, so the
// run's teardown removes it.
import type Docker from "dockerode";
import { ProviderMirror } from "./provider-mirror/docker-resources";
import { freeCidr } from "./provider-mirror/free-subnet";
import type { Endpoint } from "./probes/types";
import { PLATFORM_LABEL } from "../plan/names";

const OUTSIDE_PORT = 18443;
const LISTENER = `import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("0.0.0.0", ${OUTSIDE_PORT})); s.listen(16)
while True:
    c, _ = s.accept(); c.sendall(b"platform-sandbox-outside\\n"); c.close()`;

export async function createOutsideStandIn(mirror: ProviderMirror, prefix: string, image: string): Promise<{ network: string; endpoint: Endpoint }> {
  const subnet = await freeCidr(mirror.docker as Docker, 24, "10.240.0.0/12");
  const base = subnet.split("/")[0].split(".").slice(0, 3).join(".");
  const network = `${prefix}-outside`;
  await mirror.createNetwork("outside-net", { name: network, driver: "bridge", internal: true, ipamConfigs: [{ subnet, gateway: `${base}.1` }] });
  await mirror.createContainer("outside", {
    name: `${prefix}-outside`,
    image,
    command: ["python3", "-c", LISTENER],
    user: "65534:65534",
    capabilities: { drops: ["ALL"] },
    networksAdvanced: [{ name: network, ipv4Address: `${base}.10` }],
    labels: [{ label: PLATFORM_LABEL.role, value: "sandbox-outside" }],
  });
  return { network, endpoint: { name: "outside", ip: `${base}.10`, port: OUTSIDE_PORT } };
}
