export { renderSquidConf, GENERATED_HEADER } from "./squid-conf";
export { SquidConfigError, squidInputProblems } from "./validate";
export { DENIED_IPV4_RANGES, DENIED_IPV6_RANGES, deniedDestinations } from "./destinations";
export { DECISION_RULES, LOG_FIELDS, LOG_FORMAT_NAME } from "./log-format";
export { normalizeWhitelist } from "./whitelist";
export { SQUID_DEFAULTS } from "./types";
export type { SquidApp, SquidConfInput } from "./types";
export { squidInputFromPlan } from "./from-plan";
export { egressContainer, egressHealthcheck, EGRESS_ALIAS, SQUID_CONF_FILE } from "./container";
