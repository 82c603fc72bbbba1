// The CrossGuard policy pack: `pulumi preview --policy-pack policies`. Constructing PolicyPack starts
// the analyzer server, so nothing else (tests, the checker) imports this file.
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./registry";

new PolicyPack("secure-app-platform", {
  description: "Rejects insecure third-party app deployments: CIS Docker Benchmark 1.6 container and Swarm service checks, network isolation and platform topology.",
  enforcementLevel: "mandatory",
  policies,
});
