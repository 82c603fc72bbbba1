// Go module version ordering: semantic versions written with a leading "v" (v1.2.3). OSV's Go records
// give them without it, so both forms are read and compare equal. Pseudo-versions
// (v0.0.0-20191109021931-daa7c04131f5, v1.2.4-0.20191109021931-daa7c04131f5) are pre-releases and order
// by their timestamp; "+incompatible" is build metadata and does not order. Go's shorthands v1 and v1.2
// are not module versions and are refused.
import { semverRulesNamed } from "./semver";

export const goRules = semverRulesNamed("Go (semver)", "v1.2.3 or 1.2.3, v0.0.0-20191109021931-daa7c04131f5");
