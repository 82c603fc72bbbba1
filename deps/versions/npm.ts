// npm version ordering: strict Semantic Versioning 2.0 as node-semver (npm's own library) reads it.
// Loose forms npm never publishes ("1.0", "01.2.3", "=1.2.3") are not versions here.
import { semverRulesNamed } from "./semver";

export const npmRules = semverRulesNamed("npm (semver)", "4.17.21 or 1.0.0-beta.2");
