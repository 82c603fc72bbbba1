// `platform:monitor`: the security monitor's thresholds, windows, report mode and audit key source.
import { z } from "zod";
import { boundedNumber, flag, imageReference } from "./primitives";

export const RULE_NAMES = ["authFailures", "requestRate", "egressDenials", "rateLimited"] as const;
export type RuleName = (typeof RULE_NAMES)[number];

export interface RuleSetting {
  enabled: boolean;
  /** ban when the count within the window is greater than this */
  threshold: number;
  windowSeconds: number;
}
export type RuleSettings = Record<RuleName, RuleSetting>;

/** The monitor's ban rules and their defaults; stack config (`platform:monitor.rules`) overrides them per rule. */
export const DEFAULT_RULES: RuleSettings = {
  // repeated 401/403 at the gateway: credential guessing or probing services it was not granted
  authFailures: { enabled: true, threshold: 20, windowSeconds: 10 },
  // the paper's example: 1000 calls in five seconds (gateway and egress requests together)
  requestRate: { enabled: true, threshold: 1000, windowSeconds: 5 },
  // requests to destinations off the app's egress whitelist
  egressDenials: { enabled: true, threshold: 50, windowSeconds: 10 },
  // an app that keeps hammering after the gateway's own rate limiter answered 429
  rateLimited: { enabled: true, threshold: 200, windowSeconds: 10 },
};

const rule = (name: string, defaults: RuleSetting) =>
  z
    .strictObject({
      enabled: flag.default(defaults.enabled),
      threshold: boundedNumber(`${name}.threshold`, 0, 10_000_000, { integer: true }).default(defaults.threshold),
      windowSeconds: boundedNumber(`${name}.windowSeconds`, 1, 86_400, { integer: true }).default(defaults.windowSeconds),
    })
    .prefault({});

export const monitorConfig = z
  .strictObject({
    /** deploy the monitor as a platform container */
    enabled: flag.default(false),
    image: imageReference.optional(),
    /** report mode: log and audit what would be banned, act on nothing */
    dryRun: flag.default(false),
    statsWindowSeconds: boundedNumber("statsWindowSeconds", 1, 3600, { integer: true }).default(60),
    /** how the deployed monitor reaches the Docker API (it follows logs and disconnects banned apps) */
    docker: z
      .strictObject({
        socketPath: z.string().regex(/^\/[^\s:]*$/, { error: "expected an absolute path without spaces or ':'" }).default("/var/run/docker.sock"),
        /** the group owning the socket on the Docker host (`stat -c %g /var/run/docker.sock`) */
        socketGroupId: boundedNumber("socketGroupId", 0, 2 ** 31 - 1, { integer: true }).optional(),
      })
      .prefault({}),
    rules: z
      .strictObject({
        authFailures: rule("authFailures", DEFAULT_RULES.authFailures),
        requestRate: rule("requestRate", DEFAULT_RULES.requestRate),
        egressDenials: rule("egressDenials", DEFAULT_RULES.egressDenials),
        rateLimited: rule("rateLimited", DEFAULT_RULES.rateLimited),
      })
      .prefault({}),
    audit: z
      .strictObject({
        /** "generated": a random key kept as a Pulumi secret in the stack state; "config": `key` below, set with `pulumi config set --secret --path platform:monitor.audit.key` */
        keySource: z.enum(["generated", "config"], { error: 'expected "generated" or "config"' }).default("generated"),
        key: z
          .string()
          .regex(/^([0-9a-fA-F]{2}){32,}$/, { error: "expected at least 64 hex characters (32 bytes); set it as a secret" })
          .optional(),
        syncIntervalMs: boundedNumber("syncIntervalMs", 1, 10_000, { integer: true }).default(100),
        checkpointEveryRecords: boundedNumber("checkpointEveryRecords", 1, 1_000_000, { integer: true }).default(1000),
        checkpointIntervalSeconds: boundedNumber("checkpointIntervalSeconds", 1, 3600, { integer: true }).default(5),
      })
      .prefault({})
      .superRefine((audit, ctx) => {
        if (audit.keySource === "config" && !audit.key) {
          ctx.addIssue({ code: "custom", path: ["key"], message: 'keySource is "config": set the key with `pulumi config set --secret --path platform:monitor.audit.key <64+ hex characters>`' });
        }
        if (audit.keySource === "generated" && audit.key) {
          ctx.addIssue({ code: "custom", path: ["keySource"], message: 'a key is set but keySource is "generated": set keySource: config, or remove the key' });
        }
      }),
  })
  .prefault({})
  .superRefine((monitor, ctx) => {
    if (monitor.enabled && !monitor.image) {
      ctx.addIssue({ code: "custom", path: ["image"], message: "the monitor is enabled: set monitor.image (an image with Node.js and this repository's monitor/, see docs/monitor.md)" });
    }
    if (monitor.enabled && monitor.docker.socketGroupId === undefined) {
      ctx.addIssue({ code: "custom", path: ["docker", "socketGroupId"], message: "the monitor is enabled: set the group id owning the Docker socket on the host (stat -c %g /var/run/docker.sock), so the monitor can run as a non-root user" });
    }
  });

export type MonitorConfig = z.output<typeof monitorConfig>;
