// Pulumi's secret envelope, as mock inputs and `pulumi stack export` files carry it.

export const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";

/**
 * Removes secret envelopes and says whether any was found. A value a file keeps only as ciphertext
 * becomes `ciphertext` (the offline checker passes the policy runtime's unknown value, so rules
 * report it as an advisory rather than pass it; a mock run never holds ciphertext).
 */
export function unwrapSecrets(value: unknown, ciphertext: unknown = undefined): { value: unknown; secret: boolean } {
  if (Array.isArray(value)) {
    const items = value.map((item) => unwrapSecrets(item, ciphertext));
    return { value: items.map((i) => i.value), secret: items.some((i) => i.secret) };
  }
  if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if (record[SECRET_SIG] === SECRET_SIG_VALUE) {
      if ("value" in record) return { value: unwrapSecrets(record.value, ciphertext).value, secret: true };
      if (typeof record.plaintext === "string") return { value: unwrapSecrets(JSON.parse(record.plaintext), ciphertext).value, secret: true };
      return { value: ciphertext, secret: true };
    }
    let secret = false;
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(record)) {
      const unwrapped = unwrapSecrets(inner, ciphertext);
      out[key] = unwrapped.value;
      secret ||= unwrapped.secret;
    }
    return { value: out, secret };
  }
  return { value, secret: false };
}
