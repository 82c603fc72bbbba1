// Picks /24 subnets no existing Docker network uses, so sandbox runs and tests do not collide with
// other networks on the same engine.
import type Docker from "dockerode";

function overlaps(a: string, b: string): boolean {
  const parse = (cidr: string) => {
    const [ip, bits] = cidr.split("/");
    const value = ip.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
    const size = 2 ** (32 - Number(bits));
    const start = Math.floor(value / size) * size;
    return [start, start + size - 1] as const;
  };
  const [a0, a1] = parse(a);
  const [b0, b1] = parse(b);
  return a0 <= b1 && b0 <= a1;
}

/** Existing IPv4 subnets of all Docker networks. */
async function usedSubnets(docker: Docker): Promise<string[]> {
  const networks = await docker.listNetworks();
  return networks.flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet).filter((s): s is string => !!s && s.includes(".")));
}

/** A random free CIDR of the given prefix length inside `within` (e.g. a /16 inside 10.0.0.0/8). */
export async function freeCidr(docker: Docker, prefix: number, within = "10.0.0.0/8", attempts = 200): Promise<string> {
  const used = await usedSubnets(docker);
  const [base, bits] = within.split("/");
  const baseValue = base.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const slots = 2 ** (prefix - Number(bits));
  for (let i = 0; i < attempts; i++) {
    const value = baseValue + Math.floor(Math.random() * slots) * 2 ** (32 - prefix);
    const cidr = `${[24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".")}/${prefix}`;
    if (!used.some((u) => overlaps(u, cidr))) return cidr;
  }
  throw new Error(`no free /${prefix} found in ${within} after ${attempts} attempts`);
}

/** The subnets of existing Docker networks that overlap `cidr` (none: it is free to use). */
export async function overlappingSubnets(docker: Docker, cidr: string): Promise<string[]> {
  return (await usedSubnets(docker)).filter((used) => overlaps(used, cidr));
}
