// A Swarm stack is probed only once it has converged: every service with as many running tasks as it
// declares replicas, every such task's container healthy on its node, and every gateway replica holding
// Keycloak's signing keys (each replica fetches the JWKS on its own). Bounded; a stack that does not get
// there fails with the service's name and the engine's word on its tasks.
import { ReadinessError, waitForGatewayKeys, WaitOptions } from "../readiness";
import type { SwarmMirror } from "./swarm-mirror";
import { runningTasks, taskTrouble, tasksOf, TaskView } from "./tasks";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ServiceToConverge {
  name: string;
  replicas: number;
}

/** The running tasks of the service whose container is healthy (or has no healthcheck) on its node. */
async function healthyTasks(mirror: SwarmMirror, tasks: TaskView[]): Promise<{ healthy: TaskView[]; states: string[] }> {
  const healthy: TaskView[] = [];
  const states: string[] = [];
  for (const task of runningTasks(tasks)) {
    const info = await mirror.engineOf(task.nodeId).getContainer(task.containerId!).inspect();
    const test = info.Config.Healthcheck?.Test;
    const status = test && test.length && test[0] !== "NONE" ? (info.State.Health?.Status ?? "starting") : "running";
    if (status === "healthy" || status === "running") healthy.push(task);
    else states.push(status);
  }
  return { healthy, states };
}

/** Waits until each service has `replicas` healthy running tasks; returns them by service. */
export async function waitConverged(mirror: SwarmMirror, services: ServiceToConverge[], options: WaitOptions = {}): Promise<Map<string, TaskView[]>> {
  const timeoutMs = options.timeoutMs ?? 300_000;
  const started = Date.now();
  const done = new Map<string, TaskView[]>();
  let lastProgress = 0;
  for (;;) {
    const waiting: string[] = [];
    for (const service of services.filter((s) => !done.has(s.name))) {
      const tasks = await tasksOf(mirror.manager, service.name);
      const { healthy, states } = await healthyTasks(mirror, tasks);
      if (healthy.length >= service.replicas) {
        done.set(service.name, healthy);
        options.log?.(`converged ${service.name}: ${healthy.length}/${service.replicas} after ${Math.round((Date.now() - started) / 1000)} s`);
        continue;
      }
      const line = `${service.name} (${healthy.length}/${service.replicas} healthy${states.length ? `, others ${states.join(", ")}` : ""})`;
      if (Date.now() - started > timeoutMs) {
        throw new ReadinessError(`${service.name} did not converge within ${Math.round(timeoutMs / 1000)} s: ${healthy.length} of ${service.replicas} tasks healthy; ${taskTrouble(tasks)}`);
      }
      waiting.push(line);
    }
    if (done.size === services.length) return done;
    if (Date.now() - lastProgress >= 10_000) {
      lastProgress = Date.now();
      options.log?.(`waiting   ${Math.round((Date.now() - started) / 1000)} s: ${waiting.join(", ")}`);
    }
    await sleep(options.intervalMs ?? 2_000);
  }
}

/** Every gateway replica has fetched Keycloak's JWKS for every chain. */
export async function waitForReplicaKeys(mirror: SwarmMirror, gatewayTasks: TaskView[], adminPort: number, options: WaitOptions = {}): Promise<void> {
  for (const task of gatewayTasks) {
    await waitForGatewayKeys(mirror.engineOf(task.nodeId), { containerId: task.containerId!, adminPort }, { log: options.log, timeoutMs: options.timeoutMs });
  }
}
