// Pulumi's secret envelope, as mock inputs and `pulumi stack export` files carry it.
import { UNKNOWN } from "./runtime";

export const SECRET_SIG = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";

/**
 * Removes secret envelopes and says whether any was found. A value the file keeps only as
 * ciphertext becomes an unknown value, so rules report it as an advisory rather than pass it.
 */
export function unwrapSecrets(value: unknown): { value: unknown; secret: boolean } {
  if (Array.isArray(value)) {
    const items = value.map(unwrapSecrets);
    return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
  }
  if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record[SECRET_SIG] === SECRET_SIG_VALUE) {
      if ("value" in record) return { value: unwrapSecrets(record.value).value, secret: true };
      if (typeof record.plaintext === "string") return { value: unwrapSecrets(JSON.parse(record.plaintext)).value, secret: true };
      return { value: UNKNOWN.object, secret: true };
    }
    let secret = false;
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(record)) {
      const unwrapped = unwrapSecrets(inner);
      out[key] = unwrapped.value;
      secret ||= unwrapped.secret;
    }
    return { value: out, secret };
  }
  return { value, secret: false };
}
