// Under gVisor (runtime runsc) the app must see gVisor's kernel, not the host's.
import { execIn } from "../exec";
import type { Probe } from "./probe";

export const gvisorKernel: Probe = {
  id: "gvisor.kernel",
  category: "gvisor",
  title: "an app declared with runtime runsc runs on gVisor's kernel (control)",
  async run(target) {
    if (target.runtime !== "runsc") return { verdict: "skipped", evidence: `runtime ${target.runtime || "runc"}: not a gVisor app` };
    const result = await execIn(target.container, ["sh", "-c", "uname -r; dmesg 2>/dev/null | head -2 | tr '\\n' ' '"], { timeoutMs: 10_000 });
    const [release, ...rest] = result.stdout.trim().split("\n");
    // gVisor reports the fixed release 4.4.0 and a dmesg of its own ("Starting gVisor...")
    const gvisor = release === "4.4.0" || /gVisor/i.test(rest.join(" "));
    return { verdict: gvisor ? "ok" : "FAILED", evidence: `uname -r: ${release}${rest.length ? `; dmesg: ${rest.join(" ").slice(0, 80)}` : ""}` };
  },
};
