// The sockets an app has to addresses outside its own networks, from the kernel's socket tables of its
// network namespace (/proc/<pid>/net/tcp, tcp6, udp, udp6). On an app network only the gateway and the
// egress proxy are reachable, so a socket to any other address (a service's, another app's, the internet's)
// is an attempt to go around them. Such a connect never reaches a proxy's log: on the platform's networks
// it sits in SYN_SENT for about 3 s until ARP for the network's unowned gateway address gives up.
import { readFile } from "node:fs/promises";
import type Docker from "dockerode";
import type { OffNetworkSocket } from "./report/model";

export interface Subnet {
  /** the network address as a 32-bit number */
  base: number;
  prefix: number;
}

/** The kernel's TCP states (include/net/tcp_states.h), by the hex code the tables show. */
const TCP_STATES: Record<string, string> = {
  "01": "ESTABLISHED",
  "02": "SYN_SENT",
  "03": "SYN_RECV",
  "04": "FIN_WAIT1",
  "05": "FIN_WAIT2",
  "06": "TIME_WAIT",
  "07": "CLOSE",
  "08": "CLOSE_WAIT",
  "09": "LAST_ACK",
  "0A": "LISTEN",
  "0B": "CLOSING",
  "0C": "NEW_SYN_RECV",
};

const ipv4Number = (address: string) => address.split(".").reduce((n, octet) => n * 256 + Number(octet), 0);

export function subnetOf(address: string, prefix: number): Subnet {
  const size = 2 ** (32 - prefix);
  return { base: Math.floor(ipv4Number(address) / size) * size, prefix };
}

function inSubnet(address: string, subnet: Subnet): boolean {
  const size = 2 ** (32 - subnet.prefix);
  return Math.floor(ipv4Number(address) / size) * size === subnet.base;
}

/** The IPv4 subnets of every network the container is attached to. */
export function ownSubnets(info: Pick<Docker.ContainerInspectInfo, "NetworkSettings">): Subnet[] {
  return Object.values(info.NetworkSettings?.Networks ?? {})
    .filter((n) => n.IPAddress && n.IPPrefixLen)
    .map((n) => subnetOf(n.IPAddress, n.IPPrefixLen));
}

/** A little-endian 32-bit word of the table (how x86 and arm64 kernels print addresses) as 4 bytes. */
function wordBytes(hex: string): number[] {
  return [6, 4, 2, 0].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

/** `0100007F:0035` → 127.0.0.1:53; a 32-digit IPv6 address → its text, or the IPv4 one it maps. */
export function decodeAddress(field: string): { address: string; port: number; family: 4 | 6 } | undefined {
  const match = /^([0-9A-F]{8}|[0-9A-F]{32}):([0-9A-F]{4})$/i.exec(field);
  if (!match) return undefined;
  const [, hex, portHex] = match;
  const port = parseInt(portHex, 16);
  if (hex.length === 8) return { address: wordBytes(hex).join("."), port, family: 4 };
  const bytes = [0, 8, 16, 24].flatMap((i) => wordBytes(hex.slice(i, i + 8)));
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (mapped) return { address: bytes.slice(12).join("."), port, family: 4 };
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] << 8) | bytes[i + 1]).toString(16));
  return { address: groups.join(":").replace(/(^|:)0(:0)+(:|$)/, "::"), port, family: 6 };
}

export interface TableEntry {
  remote: string;
  remoteAddress: string;
  family: 4 | 6;
  state: string;
}

/** The sockets of one table with a remote end (listening and unconnected sockets have none). */
export function parseSocketTable(text: string, protocol: "tcp" | "udp"): TableEntry[] {
  const entries: TableEntry[] = [];
  for (const line of text.split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 4) continue;
    const remote = decodeAddress(fields[2]);
    if (!remote || remote.port === 0) continue;
    const state = protocol === "tcp" ? (TCP_STATES[fields[3].toUpperCase()] ?? `state ${fields[3]}`) : "connected";
    entries.push({ remote: remote.family === 6 ? `[${remote.address}]:${remote.port}` : `${remote.address}:${remote.port}`, remoteAddress: remote.address, family: remote.family, state });
  }
  return entries;
}

function isLocal(entry: TableEntry): boolean {
  return entry.family === 4 ? entry.remoteAddress.startsWith("127.") : entry.remoteAddress === "::1";
}

/** The sockets of one namespace (its /proc/<pid>/net directory) to addresses in none of `subnets`. */
export async function offNetworkSockets(netDir: string, subnets: readonly Subnet[]): Promise<OffNetworkSocket[]> {
  const found = new Map<string, OffNetworkSocket>();
  for (const [file, protocol] of [["tcp", "tcp"], ["tcp6", "tcp"], ["udp", "udp"], ["udp6", "udp"]] as const) {
    let text: string;
    try {
      text = await readFile(`${netDir}/${file}`, "utf8");
    } catch (error) {
      // a kernel without IPv6 has no tcp6/udp6; the IPv4 tables are always there
      if ((error as NodeJS.ErrnoException).code === "ENOENT" && file.endsWith("6")) continue;
      throw error;
    }
    for (const entry of parseSocketTable(text, protocol)) {
      if (isLocal(entry) || (entry.family === 4 && subnets.some((s) => inSubnet(entry.remoteAddress, s)))) continue;
      const key = `${protocol} ${entry.remote}`;
      const seen = found.get(key);
      if (seen) seen.states = [...new Set([...seen.states, entry.state])];
      else found.set(key, { protocol, remote: entry.remote, states: [entry.state] });
    }
  }
  return [...found.values()];
}
