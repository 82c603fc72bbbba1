// Every resource the sandbox creates carries these labels, so a run's leftovers can be found and removed.
export const SANDBOX_LABEL = "platform.sandbox";
export const SANDBOX_PID_LABEL = "platform.sandbox.pid";

export function sandboxLabels(runId: string, pid = process.pid): Record<string, string> {
  return { [SANDBOX_LABEL]: runId, [SANDBOX_PID_LABEL]: String(pid) };
}
