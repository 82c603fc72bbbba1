// IPv4 address and CIDR arithmetic, kept tiny and exact (addresses as unsigned 32-bit integers).

export interface Ipv4Cidr {
  /** network address as an unsigned 32-bit integer */
  readonly network: number;
  readonly prefixLength: number;
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

export function parseIpv4(text: string): number | undefined {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) return undefined;
  return parts.reduce((acc, p) => acc * 256 + Number(p), 0);
}

export function formatIpv4(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join(".");
}

/** Parses "a.b.c.d/n"; undefined when malformed or when host bits are set. */
export function parseCidr(text: string): Ipv4Cidr | undefined {
  const match = /^([0-9.]+)\/(\d{1,2})$/.exec(text);
  if (!match) return undefined;
  const address = parseIpv4(match[1]);
  const prefixLength = Number(match[2]);
  if (address === undefined || prefixLength > 32) return undefined;
  if (address % blockSize(prefixLength) !== 0) return undefined;
  return { network: address, prefixLength };
}

export function formatCidr(cidr: Ipv4Cidr): string {
  return `${formatIpv4(cidr.network)}/${cidr.prefixLength}`;
}

export function blockSize(prefixLength: number): number {
  return 2 ** (32 - prefixLength);
}

/** The `index`-th block of `prefixLength` inside `parent`. */
export function subBlock(parent: Ipv4Cidr, prefixLength: number, index: number): Ipv4Cidr {
  const count = blockCount(parent, prefixLength);
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new RangeError(`block ${index} of /${prefixLength} is outside ${formatCidr(parent)} (${count} blocks)`);
  }
  return { network: parent.network + index * blockSize(prefixLength), prefixLength };
}

export function blockCount(parent: Ipv4Cidr, prefixLength: number): number {
  return prefixLength < parent.prefixLength ? 0 : 2 ** (prefixLength - parent.prefixLength);
}

export function hostAddress(cidr: Ipv4Cidr, offset: number): string {
  if (offset <= 0 || offset >= blockSize(cidr.prefixLength) - 1) {
    throw new RangeError(`host offset ${offset} does not fit in ${formatCidr(cidr)}`);
  }
  return formatIpv4(cidr.network + offset);
}

export function containsCidr(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
  return (
    inner.prefixLength >= outer.prefixLength &&
    inner.network >= outer.network &&
    inner.network + blockSize(inner.prefixLength) <= outer.network + blockSize(outer.prefixLength)
  );
}

export function cidrsOverlap(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return a.network < b.network + blockSize(b.prefixLength) && b.network < a.network + blockSize(a.prefixLength);
}

/** RFC 1918 private ranges: the only ranges a platform base CIDR may come from. */
export const PRIVATE_RANGES: readonly Ipv4Cidr[] = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map(
  (text) => parseCidr(text)!,
);
