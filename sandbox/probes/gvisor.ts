// Under gVisor (runtime runsc) the app must see gVisor's kernel, not the host's.
import type { Probe } from "./probe";
import { kernelSeen } from "./runner";

export const gvisorKernel: Probe = {
  id: "gvisor.kernel",
  category: "gvisor",
  title: "an app declared with runtime runsc runs on gVisor's kernel (control)",
  async run(target) {
    if (target.runtime !== "runsc") return { verdict: "skipped", evidence: `runtime ${target.runtime || "runc"}: not a gVisor app` };
    const { release, log } = await kernelSeen(target);
    // gVisor reports the fixed release 4.4.0 and a kernel log of its own ("Starting gVisor...")
    const gvisor = release === "4.4.0" || /gVisor/i.test(log);
    return { verdict: gvisor ? "ok" : "FAILED", evidence: `uname -r: ${release}${log ? `; dmesg: ${log.slice(0, 80)}` : ""}` };
  },
};
