// Field-level schemas shared by stack config, app manifests and policies.
// Values that end up inside proxy configs (names, domains, paths) are restricted to
// characters that cannot start a new directive, comment or quoted string there.
// Values are taken as Pulumi stores them: `pulumi config set --path` keeps "0.25" as a string and
// 8080 or true as a number or a boolean, so numbers and flags accept their text, and text (env
// values, command arguments) accepts numbers and booleans.
import { parse as parseDomain } from "tldts";
import { z } from "zod";
import { looksLikeCredential } from "./credential-names";
import { RESERVED_NAMES, RESERVED_REALMS, SEED_SUFFIX } from "./reserved";

export const DNS_LABEL = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
const HOST_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export const dnsLabel = z
  .string({ error: "expected a string: a lowercase DNS label" })
  .regex(DNS_LABEL, {
    error: (issue) =>
      `${JSON.stringify(issue.input)} is not a lowercase DNS label: use 1-63 characters a-z, 0-9 and '-', starting with a letter and not ending with '-'`,
  });

/**
 * The name of an app or a service: a DNS label that is not one of the platform's own names and does
 * not end like a name the platform derives from another one (see config/reserved.ts).
 */
export const workloadName = dnsLabel.superRefine((name, ctx) => {
  const reserved = RESERVED_NAMES[name];
  if (reserved !== undefined) {
    ctx.addIssue({ code: "custom", message: `${JSON.stringify(name)} is reserved (${reserved}): choose another name` });
  } else if (name.endsWith(`-${SEED_SUFFIX}`)) {
    ctx.addIssue({
      code: "custom",
      message: `${JSON.stringify(name)} ends in "-${SEED_SUFFIX}": the platform names each container's upload seed <container>-${SEED_SUFFIX}, so this name would take the Docker name of ${JSON.stringify(name.slice(0, -SEED_SUFFIX.length - 1))}'s seed; choose another name`,
    });
  }
});

/** A Keycloak realm of the platform's own. */
export const realmName = dnsLabel.superRefine((name, ctx) => {
  const reserved = RESERVED_REALMS[name];
  if (reserved !== undefined) ctx.addIssue({ code: "custom", message: `${JSON.stringify(name)} is reserved (${reserved}): choose another realm name` });
});

/**
 * IPv4 in any form a resolver or URL parser accepts: the host "ends in a number" (WHATWG URL), i.e.
 * its last label is decimal digits or 0x and hex digits (127.0.0.1, 127.1, 0x7f.1, 0177.0.0.1, 127.0.0.0x1).
 */
function endsInANumber(labels: readonly string[]): boolean {
  const last = labels[labels.length - 1];
  return /^\d+$/.test(last) || /^0x[0-9a-f]*$/i.test(last);
}

/** A fully qualified host name: at least two labels, lowercase, no IP literals. */
export function hostnameProblem(value: string): string | undefined {
  if (value.length === 0 || value.length > 253) return "must be 1-253 characters long";
  if (/[^\x21-\x7e]/.test(value)) return "contains whitespace, control or non-ASCII characters";
  if (value !== value.toLowerCase()) return `must be lowercase: write ${JSON.stringify(value.toLowerCase())}`;
  const labels = value.split(".");
  if (labels.length < 2) return "must have at least two labels (e.g. api.example.com)";
  const bad = labels.find((label) => !HOST_LABEL.test(label));
  if (bad !== undefined) {
    return `label ${JSON.stringify(bad)} is invalid: labels are 1-63 characters a-z, 0-9 and '-', not starting or ending with '-'`;
  }
  if (endsInANumber(labels)) return "IP literals are not allowed: name the host (a name ending in a number, such as 10.0.0.1, 10.1 or 0xa.0.0.1, is an IPv4 address)";
  if (labels[labels.length - 1] === "localhost") return "localhost names are never reachable through the platform";
  return undefined;
}

export const dnsName = z.string({ error: "expected a string: a DNS name" }).superRefine((value, ctx) => {
  const problem = hostnameProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: `${JSON.stringify(value)}: ${problem}` });
});

/** Names of the Docker engine itself (Docker Desktop resolves host.docker.internal to the host). */
const ENGINE_DOMAINS = ["docker.internal"];

/**
 * Why an egress entry covers more than one organisation's hosts or the engine's own names, or
 * undefined. Public suffixes come from the Public Suffix List (tldts), private section included: a
 * `.github.io` or `.co.uk` suffix would whitelist every registrant below it.
 */
function egressScopeProblem(host: string, isSuffix: boolean): string | undefined {
  const engine = ENGINE_DOMAINS.find((domain) => host === domain || host.endsWith(`.${domain}`));
  if (engine) return `${engine} names the Docker engine's host, never an internet service`;
  if (!isSuffix) return undefined;
  const parsed = parseDomain(host, { allowPrivateDomains: true });
  if (parsed.publicSuffix === host && (parsed.isIcann || parsed.isPrivate)) {
    return `${host} is a public suffix (Public Suffix List), so .${host} would cover every organisation registered under it: list the organisation's own domain, e.g. .example.${host}`;
  }
  return undefined;
}

/** Problems with an egress whitelist entry on its own; undefined when it is a valid entry. */
export function egressEntryProblem(value: string): string | undefined {
  const isSuffix = value.startsWith(".");
  const host = isSuffix ? value.slice(1) : value;
  return hostnameProblem(host) ?? egressScopeProblem(host, isSuffix);
}

/** An egress whitelist entry: `api.example.com`, or `.example.com` for the domain and all its subdomains. */
export const egressDomain = z.string({ error: "expected a string: a host name or .suffix" }).superRefine((value, ctx) => {
  const problem = egressEntryProblem(value);
  if (problem) {
    ctx.addIssue({
      code: "custom",
      message: `${JSON.stringify(value)} is not an allowed egress domain (${problem}); use a host name like api.example.com or a suffix like .example.com`,
    });
  }
});

const DIGEST = /@sha256:[0-9a-f]{64}$/;
const IMAGE_ID = /^sha256:[0-9a-f]{64}$/;
// [registry[:port]/]path[:tag][@sha256:digest], per the distribution reference grammar (lowercase path).
const IMAGE_REFERENCE =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9.-]*[a-zA-Z0-9])?(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$/;
/** The distribution spec's limit on a repository name (registry and path, without tag and digest). */
const IMAGE_NAME_MAX = 255;

export function isPinnedImage(image: string): boolean {
  return DIGEST.test(image) || IMAGE_ID.test(image);
}

export const imageReference = z.string({ error: "expected a string: an image reference" }).superRefine((value, ctx) => {
  if (!IMAGE_ID.test(value) && !IMAGE_REFERENCE.test(value)) {
    ctx.addIssue({
      code: "custom",
      message: `${JSON.stringify(value.length > 300 ? `${value.slice(0, 300)}...` : value)} is not an image reference: use name@sha256:<64 hex digits> (or a local image ID sha256:<64 hex>)`,
    });
  } else if (value.replace(/@sha256:[0-9a-f]{64}$/, "").replace(/:[A-Za-z0-9_][A-Za-z0-9_.-]*$/, "").length > IMAGE_NAME_MAX) {
    ctx.addIssue({ code: "custom", message: `the image's repository name is longer than ${IMAGE_NAME_MAX} characters, which registries and Docker refuse` });
  }
});

/** A number as YAML or JSON gives it, or as text the way Pulumi keeps non-integers ("0.25"). */
const NUMERIC_TEXT = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const fromNumericText = (value: unknown) => (typeof value === "string" && NUMERIC_TEXT.test(value.trim()) ? Number(value.trim()) : value);

/** true or false, also as the text "true" / "false" (as `pulumi config set` without --path keeps it). */
export const flag = z.preprocess(
  (value) => (value === "true" ? true : value === "false" ? false : value),
  z.boolean({ error: "expected true or false" }),
);

/** Text, also from a number or a boolean (`--path ...env.PORT 8080` is stored as the number 8080). */
const text = (what: string) =>
  z.preprocess((value) => (typeof value === "number" || typeof value === "boolean" ? String(value) : value), z.string({ error: `expected a string ${what}` }));

/** A number within bounds whose error message says which bounds. */
export function boundedNumber(what: string, min: number, max: number, options: { integer?: boolean; exclusiveMin?: boolean } = {}) {
  const kind = options.integer ? "an integer" : "a number";
  const lower = options.exclusiveMin ? `greater than ${min}` : `at least ${min}`;
  const range = `${what} must be ${kind} ${lower} and at most ${max}`;
  const message = (issue: { input?: unknown }) => `${range}, got ${issue.input}`;
  let schema = z.number({ error: `expected ${kind}` });
  if (options.integer) schema = schema.int({ error: message });
  schema = options.exclusiveMin ? schema.gt(min, { error: message }) : schema.gte(min, { error: message });
  return z.preprocess(fromNumericText, schema.lte(max, { error: message }));
}

/** Bounds of what a container's environment and command may hold: it must fit execve's argument space. */
export const ENV_LIMITS = { variables: 256, valueLength: 32768, totalBytes: 262144 } as const;
export const COMMAND_LIMITS = { args: 256, argLength: 32768, totalBytes: 262144 } as const;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Variables the platform sets itself; a manifest may not override them. */
const RESERVED_ENV_NAME = /^(HTTPS?_PROXY|NO_PROXY|https?_proxy|no_proxy|PLATFORM_.*)$/;

export const envMap = z
  .record(z.string(), text("value"))
  .superRefine((env, ctx) => {
    const entries = Object.entries(env);
    if (entries.length > ENV_LIMITS.variables) {
      ctx.addIssue({ code: "custom", message: `${entries.length} variables are more than the ${ENV_LIMITS.variables} a workload may get: pass configuration in a file instead` });
      return;
    }
    let total = 0;
    for (const [name, value] of entries) {
      total += name.length + value.length + 2;
      if (!ENV_NAME.test(name) || name.length > 255) {
        ctx.addIssue({ code: "custom", path: [name], message: `${JSON.stringify(name.slice(0, 80))} is not a valid variable name: use up to 255 characters A-Z, a-z, 0-9 and '_', not starting with a digit` });
      } else if (RESERVED_ENV_NAME.test(name)) {
        ctx.addIssue({ code: "custom", path: [name], message: `${name} is set by the platform and cannot be overridden: remove it` });
      } else if (looksLikeCredential(name)) {
        ctx.addIssue({ code: "custom", path: [name], message: `${name} looks like a credential: plain-text config is stored unencrypted, so remove it (the platform injects each app's own OAuth2 credentials as secrets)` });
      }
      if (/[\0\n\r]/.test(value)) {
        ctx.addIssue({ code: "custom", path: [name], message: `value of ${name} contains a NUL or line break: remove it` });
      } else if (value.length > ENV_LIMITS.valueLength) {
        ctx.addIssue({ code: "custom", path: [name], message: `value of ${name} is ${value.length} characters long, more than ${ENV_LIMITS.valueLength}: pass it in a file instead` });
      }
    }
    if (total > ENV_LIMITS.totalBytes) {
      ctx.addIssue({ code: "custom", message: `the variables take ${total} bytes, more than ${ENV_LIMITS.totalBytes} (the kernel refuses to start a process with an environment that large): pass configuration in a file instead` });
    }
  });

/** A container's command (exec form): bounded so the kernel can start it. */
export const commandArgs = z
  .array(text("argument"), { error: "expected a list of strings, e.g. [\"/app/server\", \"--port\", \"8080\"]" })
  .min(1, { error: "give the program and its arguments, e.g. [\"/app/server\"], or remove command" })
  .max(COMMAND_LIMITS.args, { error: `give at most ${COMMAND_LIMITS.args} arguments` })
  .superRefine((args, ctx) => {
    args.forEach((arg, i) => {
      if (arg.includes("\0")) ctx.addIssue({ code: "custom", path: [i], message: "contains a NUL character: remove it" });
      else if (arg.length > COMMAND_LIMITS.argLength) ctx.addIssue({ code: "custom", path: [i], message: `is ${arg.length} characters long, more than ${COMMAND_LIMITS.argLength}` });
    });
    const total = args.reduce((sum, arg) => sum + arg.length + 1, 0);
    if (total > COMMAND_LIMITS.totalBytes) ctx.addIssue({ code: "custom", message: `the arguments take ${total} bytes, more than ${COMMAND_LIMITS.totalBytes}` });
  });

const PATH_PREFIX = /^\/[A-Za-z0-9._~\-/]*$/;
const PATH_PREFIX_MAX = 1024;
export const pathPrefix = z.string({ error: "expected a string: a URL path prefix" }).superRefine((value, ctx) => {
  if (!PATH_PREFIX.test(value) || value.includes("//") || /(^|\/)\.\.?(\/|$)/.test(value)) {
    ctx.addIssue({
      code: "custom",
      message: `${JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}...` : value)} is not a path prefix: start with '/', use only A-Z a-z 0-9 . _ ~ - /, no '//' or dot segments`,
    });
  } else if (value.length > PATH_PREFIX_MAX) {
    ctx.addIssue({ code: "custom", message: `is ${value.length} characters long, more than ${PATH_PREFIX_MAX}: grant a shorter prefix` });
  }
});

export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

export const healthcheck = z.strictObject({
  /** exec form, first element CMD or CMD-SHELL as in Docker */
  command: z
    .array(text("element").pipe(z.string().min(1, { error: "an element of the test may not be empty" })), { error: "expected a list of strings, e.g. [\"CMD\", \"/app/healthcheck\"]" })
    .min(2, { error: "give the test as [\"CMD\", program, args...] or [\"CMD-SHELL\", \"shell command\"]" })
    .max(COMMAND_LIMITS.args, { error: `give at most ${COMMAND_LIMITS.args} elements` })
    .refine((cmd) => cmd[0] === "CMD" || cmd[0] === "CMD-SHELL", {
      error: "the first element must be \"CMD\" or \"CMD-SHELL\"",
    })
    .refine((cmd) => cmd.every((arg) => !arg.includes("\0") && arg.length <= COMMAND_LIMITS.argLength), {
      error: `elements may not contain NUL characters or be longer than ${COMMAND_LIMITS.argLength} characters`,
    }),
  intervalSeconds: boundedNumber("intervalSeconds", 1, 3600, { integer: true }).default(15),
  timeoutSeconds: boundedNumber("timeoutSeconds", 1, 600, { integer: true }).default(5),
  retries: boundedNumber("retries", 1, 100, { integer: true }).default(3),
  startPeriodSeconds: boundedNumber("startPeriodSeconds", 0, 3600, { integer: true }).default(10),
});
export type Healthcheck = z.output<typeof healthcheck>;
