// The renderer's last line of defence: the schema validates config first, but squid.conf is a
// line- and whitespace-separated language, so every value is re-checked here against a shape that
// cannot start a new token, directive or comment. All problems are reported at once; nothing is rendered.
import { cidrsOverlap, containsCidr, parseCidr, parseIpv4 } from "../../config/cidr";
import { DNS_LABEL, hostnameProblem } from "../../config/primitives";
import { appAclNames, SQUID_ACL_NAME_MAX } from "./acl-names";
import type { SquidConfInput } from "./types";

export class SquidConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`refusing to render squid.conf (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "SquidConfigError";
  }
}

// A file path or `stdio:`/`daemon:` log destination with no whitespace, quotes, '#' or '%'.
const SAFE_PATH = /^(?:(?:stdio|daemon):)?\/[A-Za-z0-9_./-]+$/;
const show = (value: unknown) => JSON.stringify(value);

function portProblem(where: string, value: unknown): string | undefined {
  return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 65535 ? undefined : `${where} ${show(value)} must be an integer port 1-65535`;
}

export function egressDomainProblem(value: unknown): string | undefined {
  if (typeof value !== "string") return "is not a string";
  const host = value.startsWith(".") ? value.slice(1) : value;
  return hostnameProblem(host);
}

export function squidInputProblems(input: SquidConfInput): string[] {
  const problems: string[] = [];
  const base = typeof input.baseCidr === "string" ? parseCidr(input.baseCidr) : undefined;
  if (!base) problems.push(`baseCidr ${show(input.baseCidr)} is not an IPv4 CIDR with no host bits set, e.g. 10.208.0.0/16`);

  const names = new Set<string>();
  const aclOwners = new Map<string, string>();
  const subnets: { name: string; cidr: NonNullable<ReturnType<typeof parseCidr>> }[] = [];
  input.apps.forEach((app, i) => {
    const validName = typeof app.name === "string" && DNS_LABEL.test(app.name);
    // problems name the app when its name is safe to show, its position otherwise
    const label = validName ? `app ${show(app.name)}` : `apps[${i}]`;
    if (!validName) problems.push(`apps[${i}].name ${show(app.name)} is not a lowercase DNS label (a-z, 0-9, '-'; starts with a letter)`);
    else if (names.has(app.name)) problems.push(`${label}: the name is used twice; app names must be unique`);
    else names.add(app.name);
    if (validName) {
      const acls = appAclNames(app.name);
      for (const acl of [acls.source, acls.domains]) {
        const holder = aclOwners.get(acl);
        if (acl.length > SQUID_ACL_NAME_MAX) problems.push(`${label}: its ACL name ${acl} is longer than Squid's ${SQUID_ACL_NAME_MAX} characters`);
        else if (holder !== undefined && holder !== app.name) problems.push(`${label}: its ACL name ${acl} is also app ${show(holder)}'s`);
        aclOwners.set(acl, app.name);
      }
    }

    const cidr = typeof app.subnet === "string" ? parseCidr(app.subnet) : undefined;
    if (!cidr) {
      problems.push(`${label}: subnet ${show(app.subnet)} is not an IPv4 CIDR with no host bits set`);
    } else {
      if (base && !containsCidr(base, cidr)) problems.push(`${label}: subnet ${app.subnet} is outside baseCidr ${input.baseCidr}`);
      const clash = subnets.find((other) => cidrsOverlap(other.cidr, cidr));
      if (clash) problems.push(`${label}: subnet ${app.subnet} overlaps the subnet of app ${show(clash.name)}; a source address must identify exactly one app`);
      subnets.push({ name: String(app.name), cidr });
    }

    if (!Array.isArray(app.egress)) problems.push(`${label}: egress must be a list of domains`);
    else
      app.egress.forEach((domain, j) => {
        const problem = egressDomainProblem(domain);
        if (problem) problems.push(`${label}: egress[${j}] ${show(domain)} is not a host name or .suffix (${problem}); it would not be a single Squid ACL value`);
      });
  });

  const listenProblem = portProblem("listen.port", input.listen.port);
  if (listenProblem) problems.push(listenProblem);
  if (input.listen.address !== undefined && parseIpv4(input.listen.address) === undefined) {
    problems.push(`listen.address ${show(input.listen.address)} is not an IPv4 address`);
  }
  for (const key of ["httpPorts", "connectPorts"] as const) {
    const ports = input[key];
    if (!Array.isArray(ports) || ports.length === 0) problems.push(`${key} must list at least one port`);
    else ports.forEach((port, i) => {
      const problem = portProblem(`${key}[${i}]`, port);
      if (problem) problems.push(problem);
    });
  }
  const paths: [string, unknown][] = [
    ["log.accessLog", input.log.accessLog],
    ["log.cacheLog", input.log.cacheLog],
  ];
  if (input.runtime.pidFile !== "none") paths.push(["runtime.pidFile", input.runtime.pidFile]);
  if (input.runtime.hostsFile !== undefined) paths.push(["runtime.hostsFile", input.runtime.hostsFile]);
  for (const [where, value] of paths) {
    if (typeof value !== "string" || !SAFE_PATH.test(value) || value.split("/").includes("..")) {
      problems.push(`${where} ${show(value)} must be an absolute path of A-Z a-z 0-9 _ . - / (optionally stdio: or daemon:), with no '..'`);
    }
  }
  (input.runtime.dnsNameservers ?? []).forEach((server, i) => {
    if (typeof server !== "string" || parseIpv4(server) === undefined) problems.push(`runtime.dnsNameservers[${i}] ${show(server)} is not an IPv4 address`);
  });
  const lifetime = input.runtime.shutdownLifetimeSeconds;
  if (!Number.isInteger(lifetime) || lifetime < 0 || lifetime > 300) problems.push(`runtime.shutdownLifetimeSeconds ${show(lifetime)} must be an integer 0-300`);
  if (typeof input.runtime.visibleHostname !== "string" || !/^[a-z0-9]([a-z0-9.-]{0,61}[a-z0-9])?$/.test(input.runtime.visibleHostname)) {
    problems.push(`runtime.visibleHostname ${show(input.runtime.visibleHostname)} must be a lowercase host name`);
  }
  return problems;
}
