// A schema violation as one error a vendor can act on: the first few places (JSON pointer and what is
// wrong there) and how many there are in all.
import type { ErrorObject } from "ajv";
import { UnusableInputError } from "../model";

export const SHOWN_SCHEMA_ERRORS = 5;
const SHOWN_ALLOWED_VALUES = 8;

/** ajv's message, with the names its generic messages leave out (which property, which values). */
export function schemaErrorMessage(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "additionalProperties":
      return `must NOT have the property ${JSON.stringify(params.additionalProperty)} (not in the schema)`;
    case "enum": {
      const allowed = (params.allowedValues as unknown[]) ?? [];
      const shown = allowed.slice(0, SHOWN_ALLOWED_VALUES).map((value) => JSON.stringify(value)).join(", ");
      return `must be one of ${shown}${allowed.length > SHOWN_ALLOWED_VALUES ? `, … (${allowed.length} values)` : ""}`;
    }
    case "const":
      return `must be ${JSON.stringify(params.allowedValue)}`;
    default:
      return error.message ?? error.keyword;
  }
}

/**
 * `does not follow the CycloneDX 1.6 JSON schema (7 errors): /components/0: must have required property 'name'; …`;
 * `partial`, when `errors` is not the whole list, says so in place of the count.
 */
export function schemaViolation(source: string, schemaName: string, errors: ErrorObject[], partial?: string): UnusableInputError {
  const shown = errors.slice(0, SHOWN_SCHEMA_ERRORS).map((error) => `${error.instancePath || "(document root)"}: ${schemaErrorMessage(error)}`);
  const more = errors.length > SHOWN_SCHEMA_ERRORS ? `; and ${errors.length - SHOWN_SCHEMA_ERRORS} more` : "";
  const count = partial ?? `${errors.length} error${errors.length === 1 ? "" : "s"}`;
  return new UnusableInputError(source, `does not follow the ${schemaName} JSON schema (${count}): ${shown.join("; ")}${more}. Fix the SBOM, or ask its vendor for one that passes validation`);
}

/** Runs a validator, turning the stack overflow of a too deeply nested document into an error about the input. */
export function validateBounded(source: string, validate: () => ErrorObject[]): ErrorObject[] {
  try {
    return validate();
  } catch (error) {
    if (error instanceof RangeError) throw new UnusableInputError(source, `is nested too deeply to check against its schema (${error.message}): flatten it`);
    throw error;
  }
}
