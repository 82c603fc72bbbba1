// The CrossGuard runtime's own unknown-value machinery, shared so the offline engine and the tests
// mirror `pulumi preview` exactly. `@pulumi/policy` marks these @internal (its proxy.d.ts is empty),
// so the types are declared here; the module is the same one the policy server uses, which keeps
// `instanceof UnknownValueError` true across both.
interface PolicyProxyModule {
  unknownCheckingProxy<T extends object>(props: T): T;
  UnknownValueError: new (sentinel: string, props: string[]) => Error & { props: string[] };
  unknownBooleanValue: string;
  unknownNumberValue: string;
  unknownStringValue: string;
  unknownArrayValue: string;
  unknownObjectValue: string;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const proxy = require("@pulumi/policy/proxy") as PolicyProxyModule;

export const unknownCheckingProxy = proxy.unknownCheckingProxy;
export const UnknownValueError = proxy.UnknownValueError;
/** Sentinels the engine sends for values that are unknown during preview. */
export const UNKNOWN = {
  boolean: proxy.unknownBooleanValue,
  number: proxy.unknownNumberValue,
  string: proxy.unknownStringValue,
  array: proxy.unknownArrayValue,
  object: proxy.unknownObjectValue,
} as const;

export function isUnknownValueError(error: unknown): error is Error & { props: string[] } {
  return error instanceof UnknownValueError;
}

/** What `args.notApplicable(reason)` throws in the runtime (its class is private to the server). */
export class NotApplicableError extends Error {
  constructor(readonly reason?: string) {
    super(reason ?? "Policy does not apply");
  }
}
