// A strict walker over the JSON/YAML form of a protobuf message, as Envoy parses its bootstrap:
// field names in snake_case or their lowerCamel JSON names, proto3 JSON mapping for scalars and
// well-known types, `@type` resolved in Any, and the protoc-gen-validate rules Envoy enforces
// (a useful subset). protobufjs' own fromObject drops unknown fields and rejects "5s" durations,
// which is why this exists.
import * as protobuf from "protobufjs";

export type IssueKind =
  | "unknown-field"
  | "duplicate-field"
  | "wrong-type"
  | "bad-enum"
  | "bad-duration"
  | "bad-timestamp"
  | "oneof-conflict"
  | "oneof-required"
  | "unknown-any-type"
  | "constraint"
  | "deprecated"
  | "missing-cluster"
  | "bad-spki-pin"
  | "client-cert-not-required"
  | "admin-not-loopback";

export interface ConfigIssue {
  /** JSON path, e.g. `static_resources.clusters[0].connect_timeout` */
  path: string;
  kind: IssueKind;
  message: string;
}

/** Called for every message node with its resolved type, after its fields were checked. */
export type MessageVisitor = (typeName: string, value: Record<string, unknown>, path: string) => void;

const TYPE_URL_PREFIX = /^[^/]*(?:\/[^/]+)*\//;
// proto3 JSON: up to 9 fractional digits; Envoy's YAML loader goes through the same parser.
const DURATION = /^-?\d+(?:\.\d{1,9})?s$/;
const MAX_DURATION_SECONDS = 315_576_000_000;
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;
const INTEGER_STRING = /^-?\d+$/;

const WRAPPER_SCALAR: Record<string, string> = {
  ".google.protobuf.DoubleValue": "double",
  ".google.protobuf.FloatValue": "float",
  ".google.protobuf.Int64Value": "int64",
  ".google.protobuf.UInt64Value": "uint64",
  ".google.protobuf.Int32Value": "int32",
  ".google.protobuf.UInt32Value": "uint32",
  ".google.protobuf.BoolValue": "bool",
  ".google.protobuf.StringValue": "string",
  ".google.protobuf.BytesValue": "bytes",
};

/** Well-known types whose JSON form is not an object of fields; inside Any they sit under "value". */
const SPECIAL_JSON_TYPES = new Set([
  ".google.protobuf.Duration",
  ".google.protobuf.Timestamp",
  ".google.protobuf.Struct",
  ".google.protobuf.Value",
  ".google.protobuf.ListValue",
  ".google.protobuf.FieldMask",
  ...Object.keys(WRAPPER_SCALAR),
]);

const INT_RANGES: Record<string, [bigint, bigint]> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  sint32: [-(2n ** 31n), 2n ** 31n - 1n],
  sfixed32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  fixed32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  sint64: [-(2n ** 63n), 2n ** 63n - 1n],
  sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  fixed64: [0n, 2n ** 64n - 1n],
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value)}`;
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}

function lowerCamel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

function join(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/** Field lookup by proto name and by JSON name, built once per type. */
const fieldIndexCache = new WeakMap<protobuf.Type, Map<string, protobuf.Field>>();
function fieldIndex(type: protobuf.Type): Map<string, protobuf.Field> {
  let index = fieldIndexCache.get(type);
  if (!index) {
    index = new Map();
    for (const field of type.fieldsArray) {
      index.set(field.name, field);
      index.set(lowerCamel(field.name), field);
    }
    fieldIndexCache.set(type, index);
  }
  return index;
}

export class ProtoWalker {
  readonly issues: ConfigIssue[] = [];

  constructor(
    private readonly root: protobuf.Root,
    private readonly visit?: MessageVisitor,
  ) {}

  private report(path: string, kind: IssueKind, message: string): void {
    this.issues.push({ path: path || "(root)", kind, message });
  }

  /** Walk `value` as a message of `typeName` (fully qualified, with or without the leading dot). */
  walkMessage(typeName: string, value: unknown, path = ""): void {
    const type = this.root.lookupType(typeName);
    this.message(type, value, path);
  }

  private message(type: protobuf.Type, value: unknown, path: string): void {
    const name = type.fullName;
    if (name in WRAPPER_SCALAR) return this.scalar(WRAPPER_SCALAR[name], value, path, undefined);
    switch (name) {
      case ".google.protobuf.Duration":
        return this.duration(value, path);
      case ".google.protobuf.Timestamp":
        if (typeof value !== "string" || !RFC3339.test(value)) this.report(path, "bad-timestamp", `expected an RFC 3339 timestamp string like "2026-01-01T00:00:00Z", got ${describe(value)}`);
        return;
      case ".google.protobuf.Struct":
        if (!isPlainObject(value)) this.report(path, "wrong-type", `expected an object (google.protobuf.Struct), got ${describe(value)}`);
        return;
      case ".google.protobuf.Value":
        return; // any JSON value
      case ".google.protobuf.ListValue":
        if (!Array.isArray(value)) this.report(path, "wrong-type", `expected an array (google.protobuf.ListValue), got ${describe(value)}`);
        return;
      case ".google.protobuf.FieldMask":
        if (typeof value !== "string") this.report(path, "wrong-type", `expected a comma-separated field mask string, got ${describe(value)}`);
        return;
      case ".google.protobuf.Any":
        return this.any(value, path);
    }
    if (!isPlainObject(value)) {
      this.report(path, "wrong-type", `expected an object (${name.slice(1)}), got ${describe(value)}`);
      return;
    }
    this.fields(type, value, path, new Set());
  }

  private fields(type: protobuf.Type, value: Record<string, unknown>, path: string, ignoredKeys: Set<string>): void {
    const index = fieldIndex(type);
    const seen = new Map<protobuf.Field, string>();
    for (const [key, fieldValue] of Object.entries(value)) {
      if (ignoredKeys.has(key)) continue;
      const fieldPath = join(path, key);
      const field = index.get(key);
      if (!field) {
        const known = type.fieldsArray.map((f) => f.name).join(", ");
        this.report(fieldPath, "unknown-field", `unknown field "${key}" in ${type.fullName.slice(1)}; known fields: ${known || "(none)"}`);
        continue;
      }
      const previousKey = seen.get(field);
      if (previousKey !== undefined) {
        this.report(fieldPath, "duplicate-field", `"${key}" and "${previousKey}" both set field ${field.name}; keep one`);
        continue;
      }
      seen.set(field, key);
      if (field.options?.deprecated === true) {
        this.report(fieldPath, "deprecated", `${type.fullName.slice(1)}.${field.name} is deprecated; use its replacement`);
      }
      this.field(field, fieldValue, fieldPath);
    }
    for (const oneof of type.oneofsArray) {
      const set = oneof.fieldsArray.filter((f) => seen.has(f));
      if (set.length > 1) {
        this.report(path, "oneof-conflict", `only one of ${oneof.fieldsArray.map((f) => f.name).join(", ")} may be set (oneof ${oneof.name}); found ${set.map((f) => f.name).join(" and ")}`);
      } else if (set.length === 0 && oneof.options?.["(validate.required)"] === true) {
        this.report(path, "oneof-required", `one of ${oneof.fieldsArray.map((f) => f.name).join(", ")} is required (oneof ${oneof.name})`);
      }
    }
    for (const field of type.fieldsArray) {
      // absence rules on oneof members apply only to the member that is set
      if (seen.has(field) || field.partOf) continue;
      const options = field.options ?? {};
      if (options["(validate.rules).message.required"] === true || options["(validate.rules).duration.required"] === true || options["(validate.rules).any.required"] === true) {
        this.report(join(path, field.name), "constraint", `${field.name} is required in ${type.fullName.slice(1)}`);
      }
      if (options["(validate.rules).repeated.ignore_empty"] === true || options["(validate.rules).string.ignore_empty"] === true) continue;
      if (field.repeated && typeof options["(validate.rules).repeated.min_items"] === "number" && options["(validate.rules).repeated.min_items"] > 0) {
        this.report(join(path, field.name), "constraint", `${field.name} needs at least ${options["(validate.rules).repeated.min_items"]} item(s)`);
      }
      if (!field.repeated && field.type === "string" && typeof options["(validate.rules).string.min_len"] === "number" && options["(validate.rules).string.min_len"] > 0) {
        this.report(join(path, field.name), "constraint", `${field.name} must be a non-empty string`);
      }
    }
    this.visit?.(type.fullName.slice(1), value, path);
  }

  private field(field: protobuf.Field, value: unknown, path: string): void {
    if (value === null) {
      if (field.resolvedType?.fullName !== ".google.protobuf.Value") {
        this.report(path, "wrong-type", `null is not a value for ${field.name}; omit the field instead`);
      }
      return;
    }
    if (field.map) {
      if (!isPlainObject(value)) {
        this.report(path, "wrong-type", `expected an object (map) for ${field.name}, got ${describe(value)}`);
        return;
      }
      for (const [key, item] of Object.entries(value)) this.single(field, item, join(path, key));
      return;
    }
    if (field.repeated) {
      if (!Array.isArray(value)) {
        this.report(path, "wrong-type", `expected an array for repeated field ${field.name}, got ${describe(value)}`);
        return;
      }
      this.repeatedRules(field, value, path);
      value.forEach((item, i) => this.single(field, item, join(path, i)));
      return;
    }
    this.single(field, value, path);
  }

  private single(field: protobuf.Field, value: unknown, path: string): void {
    const resolved = field.resolvedType;
    const wrapped = resolved instanceof protobuf.Type ? WRAPPER_SCALAR[resolved.fullName] : undefined;
    if (wrapped) this.scalar(wrapped, value, path, field);
    else if (resolved instanceof protobuf.Type) {
      this.message(resolved, value, path);
      if (resolved.fullName === ".google.protobuf.Duration" && typeof value === "string" && DURATION.test(value)) this.durationRules(field, value, path);
    }
    else if (resolved instanceof protobuf.Enum) this.enumValue(resolved, value, path);
    else {
      this.scalar(field.type, value, path, field);
    }
  }

  private repeatedRules(field: protobuf.Field, value: unknown[], path: string): void {
    const options = field.options ?? {};
    const min = options["(validate.rules).repeated.min_items"];
    if (typeof min === "number" && value.length < min) this.report(path, "constraint", `${field.name} needs at least ${min} item(s), got ${value.length}`);
    const max = options["(validate.rules).repeated.max_items"];
    if (typeof max === "number" && value.length > max) this.report(path, "constraint", `${field.name} allows at most ${max} item(s), got ${value.length}`);
    const itemMin = options["(validate.rules).repeated.items.string.min_len"] ?? options["(validate.rules).repeated.items.string.min_bytes"];
    const itemMax = options["(validate.rules).repeated.items.string.max_bytes"] ?? options["(validate.rules).repeated.items.string.max_len"];
    value.forEach((item, i) => {
      if (typeof item !== "string") return;
      if (typeof itemMin === "number" && item.length < itemMin) this.report(join(path, i), "constraint", `each ${field.name} item must be at least ${itemMin} characters, got ${item.length}`);
      if (typeof itemMax === "number" && item.length > itemMax) this.report(join(path, i), "constraint", `each ${field.name} item must be at most ${itemMax} characters, got ${item.length}`);
    });
  }

  private enumValue(type: protobuf.Enum, value: unknown, path: string): void {
    const names = Object.keys(type.values);
    if (typeof value === "string") {
      if (!(value in type.values)) this.report(path, "bad-enum", `"${value}" is not a value of ${type.fullName.slice(1)}; expected one of ${names.join(", ")}`);
      return;
    }
    if (typeof value === "number" && Number.isInteger(value)) {
      if (!Object.values(type.values).includes(value)) this.report(path, "bad-enum", `${value} is not a defined number of ${type.fullName.slice(1)}; use one of ${names.join(", ")}`);
      return;
    }
    this.report(path, "bad-enum", `expected an enum name of ${type.fullName.slice(1)} (${names.join(", ")}), got ${describe(value)}`);
  }

  private scalar(protoType: string, value: unknown, path: string, field: protobuf.Field | undefined): void {
    const ok = this.scalarType(protoType, value, path);
    if (ok && field) this.scalarRules(protoType, field, value, path);
  }

  private scalarType(protoType: string, value: unknown, path: string): boolean {
    switch (protoType) {
      case "string":
        if (typeof value === "string") return true;
        break;
      case "bool":
        if (typeof value === "boolean") return true;
        break;
      case "bytes":
        if (typeof value === "string" && (BASE64.test(value) || BASE64URL.test(value))) return true;
        this.report(path, "wrong-type", `expected base64-encoded bytes, got ${describe(value)}`);
        return false;
      case "double":
      case "float":
        if (typeof value === "number" && Number.isFinite(value)) return true;
        if (typeof value === "string" && (["NaN", "Infinity", "-Infinity"].includes(value) || (value.trim() !== "" && Number.isFinite(Number(value))))) return true;
        break;
      default: {
        const range = INT_RANGES[protoType];
        if (!range) break;
        let asBig: bigint | undefined;
        if (typeof value === "number" && Number.isInteger(value)) asBig = BigInt(value);
        else if (typeof value === "string" && INTEGER_STRING.test(value)) asBig = BigInt(value);
        if (asBig === undefined) break;
        if (asBig < range[0] || asBig > range[1]) {
          this.report(path, "wrong-type", `${String(value)} is out of range for ${protoType} (${range[0]}..${range[1]})`);
          return false;
        }
        return true;
      }
    }
    this.report(path, "wrong-type", `expected ${protoType}, got ${describe(value)}`);
    return false;
  }

  private scalarRules(protoType: string, field: protobuf.Field, value: unknown, path: string): void {
    const options = field.options ?? {};
    if (typeof value === "string" && protoType === "string") {
      const minLen = options["(validate.rules).string.min_len"] ?? options["(validate.rules).string.min_bytes"];
      if (typeof minLen === "number" && value.length < minLen) this.report(path, "constraint", `${field.name} must be at least ${minLen} character(s)`);
      const maxLen = options["(validate.rules).string.max_len"] ?? options["(validate.rules).string.max_bytes"];
      if (typeof maxLen === "number" && value.length > maxLen) this.report(path, "constraint", `${field.name} must be at most ${maxLen} character(s)`);
      return;
    }
    if (!(protoType in INT_RANGES) && protoType !== "double" && protoType !== "float") return;
    const n = Number(value);
    const kind = protoType;
    const bound = (rule: string) => options[`(validate.rules).${kind}.${rule}`];
    const checks: [string, (limit: number) => boolean, string][] = [
      ["gt", (l) => n > l, "greater than"],
      ["gte", (l) => n >= l, "at least"],
      ["lt", (l) => n < l, "less than"],
      ["lte", (l) => n <= l, "at most"],
    ];
    for (const [rule, holds, words] of checks) {
      const limit = bound(rule);
      if (typeof limit === "number" && !holds(limit)) this.report(path, "constraint", `${field.name} must be ${words} ${limit}, got ${String(value)}`);
    }
  }

  private durationRules(field: protobuf.Field, value: string, path: string): void {
    const options = field.options ?? {};
    const seconds = parseFloat(value);
    const bound = (rule: string): number | undefined => {
      const s = options[`(validate.rules).duration.${rule}.seconds`];
      const n = options[`(validate.rules).duration.${rule}.nanos`];
      if (typeof s !== "number" && typeof n !== "number") return undefined;
      return (typeof s === "number" ? s : 0) + (typeof n === "number" ? n : 0) / 1e9;
    };
    const checks: [string, (limit: number) => boolean, string][] = [
      ["gt", (l) => seconds > l, "longer than"],
      ["gte", (l) => seconds >= l, "at least"],
      ["lt", (l) => seconds < l, "shorter than"],
      ["lte", (l) => seconds <= l, "at most"],
    ];
    for (const [rule, holds, words] of checks) {
      const limit = bound(rule);
      if (limit !== undefined && !holds(limit)) this.report(path, "constraint", `${field.name} must be ${words} ${limit}s, got ${value}`);
    }
  }

  private duration(value: unknown, path: string): void {
    if (typeof value !== "string" || !DURATION.test(value)) {
      this.report(path, "bad-duration", `expected a duration string like "1s" or "0.250s", got ${describe(value)}`);
      return;
    }
    if (Math.abs(parseFloat(value)) > MAX_DURATION_SECONDS) this.report(path, "bad-duration", `${value} is outside the protobuf Duration range (±${MAX_DURATION_SECONDS}s)`);
  }

  private any(value: unknown, path: string): void {
    if (!isPlainObject(value)) {
      this.report(path, "wrong-type", `expected an object with "@type" (google.protobuf.Any), got ${describe(value)}`);
      return;
    }
    const typeUrl = value["@type"];
    if (typeof typeUrl !== "string" || !typeUrl.includes("/")) {
      this.report(join(path, "@type"), "unknown-any-type", `an Any needs "@type": "type.googleapis.com/<message>", got ${describe(typeUrl)}`);
      return;
    }
    const typeName = typeUrl.replace(TYPE_URL_PREFIX, "");
    let type: protobuf.Type;
    try {
      type = this.root.lookupType(typeName);
    } catch {
      this.report(join(path, "@type"), "unknown-any-type", `unknown message type "${typeName}" in @type; check the spelling and the API version (v3)`);
      return;
    }
    if (SPECIAL_JSON_TYPES.has(type.fullName)) {
      const extra = Object.keys(value).filter((k) => k !== "@type" && k !== "value");
      for (const k of extra) this.report(join(path, k), "unknown-field", `an Any holding ${typeName} takes only "@type" and "value"`);
      this.message(type, value.value, join(path, "value"));
      return;
    }
    this.fields(type, value, path, new Set(["@type"]));
  }
}
