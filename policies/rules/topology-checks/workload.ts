// What the topology checks shared by the engine's rules (stack/) and their Swarm forms
// (swarm-topology/) need of a workload: a container or a service, by its platform.* labels.
import type { ResourceView, Violation } from "../rule";

export interface Workload {
  resource: ResourceView;
  role: string | undefined;
  app: string | undefined;
}

/** A stack rule's `report`: a violation of one resource of the stack. */
export type Report = (violation: Violation & { resource: ResourceView }) => void;
