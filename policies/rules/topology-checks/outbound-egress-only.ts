// stack-outbound-egress-only and swarm-outbound-egress-only: nothing but the egress proxy joins the
// outbound network. The forms differ only in how they name an attachment.
import type { Report, Workload } from "./workload";

/** The part of a topology the check reads: networks by Docker name, and who joins each. */
interface Networks<W extends Workload> {
  networks: ReadonlyMap<string, { dockerName: string; kind: string | undefined }>;
  members: ReadonlyMap<string, readonly W[]>;
}

export interface Attachments<W extends Workload> {
  /** the violation field of the workload's attachment to the network */
  field(workload: W, network: string): string;
  /** what that field holds, as `found` opens: `includes "plat-dev-outbound" (outbound network)` */
  joined(network: string): string;
}

export function checkOutboundEgressOnly<W extends Workload>(topo: Networks<W>, attachments: Attachments<W>, report: Report): void {
  for (const network of topo.networks.values()) {
    if (network.kind !== "outbound") continue;
    for (const member of topo.members.get(network.dockerName) ?? []) {
      if (member.role === "egress") continue;
      report({
        resource: member.resource,
        field: attachments.field(member, network.dockerName),
        found: `${attachments.joined(network.dockerName)} although its platform.role is ${member.role ?? "unset"}`,
        fix: "remove that attachment; only the egress proxy (platform.role=egress) may join the outbound network",
      });
    }
  }
}
