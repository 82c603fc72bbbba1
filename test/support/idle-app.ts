// A hardened app container that idles until stopped, rendered by the platform's own hardenedContainer,
// for tests and benchmarks that need a real workload in the engine without a platform around it.
import { HardeningInput, hardenedContainer } from "../../render/hardening";
import { DEFAULT_APP_HEALTHCHECK } from "../../render/workloads";

const IDLE_COMMAND = ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"];

type IdleAppInput = Omit<HardeningInput, "command" | "networks" | "healthcheck" | "env" | "labels"> &
  Partial<Pick<HardeningInput, "healthcheck" | "env" | "labels">> & { network: string; ip: string; aliases: string[] };

/** The declared container (no volumes: nothing is uploaded into it). */
export function idleApp({ network, ip, aliases, ...input }: IdleAppInput) {
  const spec = hardenedContainer({
    env: {},
    labels: { "platform.role": "app" },
    healthcheck: DEFAULT_APP_HEALTHCHECK,
    ...input,
    command: IDLE_COMMAND,
    networks: [{ name: network, ipv4Address: ip, aliases }],
  });
  return { ...spec, volumes: [] as unknown[] };
}
