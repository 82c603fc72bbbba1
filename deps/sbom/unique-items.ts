// `uniqueItems` in linear time. ajv compares every pair of items of an array of objects (fast-deep-equal
// on n²/2 pairs): the CycloneDX schemas put `uniqueItems` on `components`, so 100,000 components took
// over five minutes to validate. Here each item becomes one canonical JSON text (object keys sorted,
// which is JSON Schema's equality for parsed JSON) and the texts go through a Map.
import type Ajv from "ajv";
import type { SchemaValidateFunction } from "ajv/dist/types";

/** JSON text with object keys sorted, so two values are equal exactly when their texts are. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(record[key])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

const checkUnique: SchemaValidateFunction = (schema: boolean, data: unknown[]): boolean => {
  checkUnique.errors = [];
  if (!schema) return true;
  const seen = new Map<string, number>();
  for (let i = 0; i < data.length; i++) {
    const text = canonicalJson(data[i]);
    const first = seen.get(text);
    if (first !== undefined) {
      checkUnique.errors = [{ keyword: "uniqueItems", message: `must NOT have duplicate items (items ${first} and ${i} are identical)`, params: { i, j: first } }];
      return false;
    }
    seen.set(text, i);
  }
  return true;
};

/** Swap ajv's quadratic `uniqueItems` for the linear one above (same verdicts). */
export function useLinearUniqueItems(ajv: Ajv): Ajv {
  ajv.removeKeyword("uniqueItems");
  return ajv.addKeyword({ keyword: "uniqueItems", type: "array", schemaType: "boolean", errors: true, validate: checkUnique });
}
