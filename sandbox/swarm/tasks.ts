// A service's tasks as the manager reports them: where each runs, its container, its addresses on
// each overlay network, and why a task that is not running is not.
import type Docker from "dockerode";

export interface TaskView {
  id: string;
  service: string;
  nodeId: string;
  /** the task's current state (new … running, failed, rejected, shutdown) */
  state: string;
  desired: string;
  containerId?: string;
  /** the engine's own words for a failed or rejected task ("no suitable node", "No such image: …") */
  error?: string;
  /** network name → the task's address there (without prefix length) */
  addresses: Record<string, string>;
  updatedAt: string;
}

export async function tasksOf(manager: Docker, service: string): Promise<TaskView[]> {
  const tasks = (await manager.listTasks({ filters: { service: [service] } })) as any[];
  return tasks.map((t) => ({
    id: t.ID,
    service,
    nodeId: t.NodeID ?? "",
    state: t.Status?.State ?? "",
    desired: t.DesiredState ?? "",
    containerId: t.Status?.ContainerStatus?.ContainerID || undefined,
    error: t.Status?.Err || undefined,
    addresses: Object.fromEntries(((t.NetworksAttachments ?? []) as any[]).map((a) => [a.Network?.Spec?.Name ?? a.Network?.ID, String(a.Addresses?.[0] ?? "").split("/")[0]])),
    updatedAt: t.UpdatedAt ?? "",
  }));
}

/** Tasks the scheduler keeps running now (desired running, state running). */
export const runningTasks = (tasks: TaskView[]) => tasks.filter((t) => t.desired === "running" && t.state === "running" && t.containerId);

/** The latest word on a task that did not get to running, for an error message. */
export function taskTrouble(tasks: TaskView[]): string {
  const failed = tasks.filter((t) => t.error || (t.state !== "running" && t.desired === "running")).sort((a, b) => (a.updatedAt < b.updatedAt ? 1 : -1));
  if (!failed.length) return "no task reported an error";
  const t = failed[0];
  return `task ${t.id.slice(0, 12)} ${t.state}${t.nodeId ? ` on node ${t.nodeId.slice(0, 12)}` : ""}${t.error ? `: ${t.error}` : ""}`;
}
