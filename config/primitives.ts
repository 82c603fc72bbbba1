// Field-level schemas shared by stack config, app manifests and policies.
// Values that end up inside proxy configs (names, domains, paths) are restricted to
// characters that cannot start a new directive, comment or quoted string there.
import { z } from "zod";

export const DNS_LABEL = /^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/;
const HOST_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export const dnsLabel = z
  .string({ error: "expected a string: a lowercase DNS label" })
  .regex(DNS_LABEL, {
    error: (issue) =>
      `${JSON.stringify(issue.input)} is not a lowercase DNS label: use 1-63 characters a-z, 0-9 and '-', starting with a letter and not ending with '-'`,
  });

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
  if (/^\d+$/.test(labels[labels.length - 1])) return "IP literals are not allowed: name the host";
  if (labels[labels.length - 1] === "localhost") return "localhost names are never reachable through the platform";
  return undefined;
}

export const dnsName = z.string({ error: "expected a string: a DNS name" }).superRefine((value, ctx) => {
  const problem = hostnameProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: `${JSON.stringify(value)}: ${problem}` });
});

/** An egress whitelist entry: `api.example.com`, or `.example.com` for the domain and all its subdomains. */
export const egressDomain = z.string({ error: "expected a string: a host name or .suffix" }).superRefine((value, ctx) => {
  const isSuffix = value.startsWith(".");
  const host = isSuffix ? value.slice(1) : value;
  const problem = hostnameProblem(host);
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

export function isPinnedImage(image: string): boolean {
  return DIGEST.test(image) || IMAGE_ID.test(image);
}

export const imageReference = z.string({ error: "expected a string: an image reference" }).superRefine((value, ctx) => {
  if (!IMAGE_ID.test(value) && !IMAGE_REFERENCE.test(value)) {
    ctx.addIssue({
      code: "custom",
      message: `${JSON.stringify(value)} is not an image reference: use name@sha256:<64 hex digits> (or a local image ID sha256:<64 hex>)`,
    });
  }
});

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Names that look like credentials: those never go into plain-text config. */
const SECRET_ENV_NAME = /PASSWORD|PASSWD|SECRET|TOKEN|KEY|CREDENTIAL/i;
/** Variables the platform sets itself; a manifest may not override them. */
const RESERVED_ENV_NAME = /^(HTTPS?_PROXY|NO_PROXY|https?_proxy|no_proxy|PLATFORM_.*)$/;

export const envMap = z
  .record(z.string(), z.string({ error: "expected a string value" }))
  .superRefine((env, ctx) => {
    for (const [name, value] of Object.entries(env)) {
      if (!ENV_NAME.test(name)) {
        ctx.addIssue({ code: "custom", path: [name], message: `${JSON.stringify(name)} is not a valid variable name: use A-Z, a-z, 0-9 and '_', not starting with a digit` });
      } else if (RESERVED_ENV_NAME.test(name)) {
        ctx.addIssue({ code: "custom", path: [name], message: `${name} is set by the platform and cannot be overridden: remove it` });
      } else if (SECRET_ENV_NAME.test(name)) {
        ctx.addIssue({ code: "custom", path: [name], message: `${name} looks like a credential: plain-text config is stored unencrypted, so remove it (the platform injects each app's own OAuth2 credentials as secrets)` });
      }
      if (/[\0\n\r]/.test(value)) {
        ctx.addIssue({ code: "custom", path: [name], message: `value of ${name} contains a NUL or line break: remove it` });
      }
    }
  });

const PATH_PREFIX = /^\/[A-Za-z0-9._~\-/]*$/;
export const pathPrefix = z.string({ error: "expected a string: a URL path prefix" }).superRefine((value, ctx) => {
  if (!PATH_PREFIX.test(value) || value.includes("//") || /(^|\/)\.\.?(\/|$)/.test(value)) {
    ctx.addIssue({
      code: "custom",
      message: `${JSON.stringify(value)} is not a path prefix: start with '/', use only A-Z a-z 0-9 . _ ~ - /, no '//' or dot segments`,
    });
  }
});

export const HTTP_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;

/** A number within bounds whose error message says which bounds. */
export function boundedNumber(what: string, min: number, max: number, options: { integer?: boolean; exclusiveMin?: boolean } = {}) {
  const kind = options.integer ? "an integer" : "a number";
  const lower = options.exclusiveMin ? `greater than ${min}` : `at least ${min}`;
  const message = `${what} must be ${kind} ${lower} and at most ${max}`;
  let schema = z.number({ error: message });
  if (options.integer) schema = schema.int({ error: message });
  schema = options.exclusiveMin ? schema.gt(min, { error: message }) : schema.gte(min, { error: message });
  return schema.lte(max, { error: message });
}

export const healthcheck = z.strictObject({
  /** exec form, first element CMD or CMD-SHELL as in Docker */
  command: z
    .array(z.string().min(1), { error: "expected a list of strings, e.g. [\"CMD\", \"/app/healthcheck\"]" })
    .min(2, { error: "give the test as [\"CMD\", program, args...] or [\"CMD-SHELL\", \"shell command\"]" })
    .refine((cmd) => cmd[0] === "CMD" || cmd[0] === "CMD-SHELL", {
      error: "the first element must be \"CMD\" or \"CMD-SHELL\"",
    }),
  intervalSeconds: boundedNumber("intervalSeconds", 1, 3600, { integer: true }).default(15),
  timeoutSeconds: boundedNumber("timeoutSeconds", 1, 600, { integer: true }).default(5),
  retries: boundedNumber("retries", 1, 100, { integer: true }).default(3),
  startPeriodSeconds: boundedNumber("startPeriodSeconds", 0, 3600, { integer: true }).default(10),
});
export type Healthcheck = z.output<typeof healthcheck>;
