// Deterministic, stable subnet slots for apps.
// An app's slot depends on its name only (or an explicit subnetIndex), so adding or removing
// another app never moves it. Two names can hash to the same slot: that is reported with a
// free slot to pin, never resolved by silently moving one of them.
import { createHash } from "node:crypto";
import { blockCount, blockSize, formatCidr, Ipv4Cidr, subBlock } from "./cidr";

/** The base CIDR starts with this many /24 blocks for platform networks; apps share the rest. */
export const INFRA_PREFIX_LENGTH = 24;
export const INFRA_BLOCKS = 4;
const INFRA_NETWORKS = ["services", "identity", "outbound", "reserved"] as const;
export type InfraNetwork = (typeof INFRA_NETWORKS)[number];

export function infraSubnet(base: Ipv4Cidr, network: InfraNetwork): Ipv4Cidr {
  return subBlock(base, INFRA_PREFIX_LENGTH, INFRA_NETWORKS.indexOf(network));
}

function appPoolStart(base: Ipv4Cidr): number {
  return base.network + INFRA_BLOCKS * blockSize(INFRA_PREFIX_LENGTH);
}

export function appSlotCount(base: Ipv4Cidr, appPrefixLength: number): number {
  const poolBlocks = blockCount(base, INFRA_PREFIX_LENGTH) - INFRA_BLOCKS;
  return Math.max(0, poolBlocks) * 2 ** (appPrefixLength - INFRA_PREFIX_LENGTH);
}

export function appSubnetForSlot(base: Ipv4Cidr, appPrefixLength: number, slot: number): Ipv4Cidr {
  return { network: appPoolStart(base) + slot * blockSize(appPrefixLength), prefixLength: appPrefixLength };
}

export function hashedSlot(name: string, slotCount: number): number {
  const digest = createHash("sha256").update(`platform-app-subnet:${name}`).digest();
  return digest.readUIntBE(0, 6) % slotCount;
}

interface SlotProblem {
  appIndex: number;
  field: "name" | "subnetIndex";
  message: string;
}

interface SlotAllocation {
  slots: number[];
  slotCount: number;
  problems: SlotProblem[];
}

export function allocateAppSlots(
  apps: readonly { name: string; subnetIndex?: number }[],
  base: Ipv4Cidr,
  appPrefixLength: number,
): SlotAllocation {
  const slotCount = appSlotCount(base, appPrefixLength);
  const problems: SlotProblem[] = [];
  if (slotCount === 0) {
    return { slots: [], slotCount, problems: apps.map((_, appIndex) => ({ appIndex, field: "name", message: `no room for app subnets in ${formatCidr(base)}` })) };
  }
  const slots = apps.map((app) => app.subnetIndex ?? hashedSlot(app.name, slotCount));
  const used = new Set(slots);
  const owner = new Map<number, number>();
  // Explicit pins win over hashed slots, so a pin is never the one asked to move.
  const order = apps.map((_, i) => i).sort((a, b) => Number(apps[b].subnetIndex !== undefined) - Number(apps[a].subnetIndex !== undefined) || a - b);
  for (const i of order) {
    const slot = slots[i];
    const explicit = apps[i].subnetIndex !== undefined;
    if (slot >= slotCount) {
      problems.push({ appIndex: i, field: "subnetIndex", message: `subnetIndex ${slot} is out of range: ${formatCidr(base)} has ${slotCount} app slots of /${appPrefixLength} (0-${slotCount - 1})` });
      continue;
    }
    const holder = owner.get(slot);
    if (holder === undefined) {
      owner.set(slot, i);
      continue;
    }
    const free = firstFreeSlot(used, slot, slotCount);
    const subnet = formatCidr(appSubnetForSlot(base, appPrefixLength, slot));
    const fix = free === undefined ? "no slot is free: use a larger base CIDR or a longer appPrefixLength" : `set subnetIndex: ${free} on app ${JSON.stringify(apps[i].name)}`;
    if (free !== undefined) used.add(free);
    problems.push({
      appIndex: i,
      field: explicit ? "subnetIndex" : "name",
      message: `app ${JSON.stringify(apps[i].name)} and app ${JSON.stringify(apps[holder].name)} both get subnet slot ${slot} (${subnet}): ${fix}`,
    });
  }
  return { slots, slotCount, problems };
}

function firstFreeSlot(used: Set<number>, from: number, slotCount: number): number | undefined {
  for (let step = 1; step < slotCount; step++) {
    const candidate = (from + step) % slotCount;
    if (!used.has(candidate)) return candidate;
  }
  return undefined;
}
