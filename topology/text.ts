// Text helpers shared by the model (short labels) and the renderers (what may reach a picture at all).

const ELLIPSIS = "…";

/**
 * The text as it may be shown: control characters, line separators, U+FFFE/U+FFFF and lone surrogates
 * become U+FFFD. XML forbids most of them in SVG, and a line break would break a DOT or Mermaid line.
 */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
}

/** At most `max` characters (UTF-16 units, never splitting a pair), an ellipsis marking a cut. */
export function shorten(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  if (/[\ud800-\udbff]/.test(text[end - 1] ?? "")) end -= 1;
  return `${text.slice(0, end)}${ELLIPSIS}`;
}

/** The first `shown` items joined by `separator`, and how many more there are: keeps an edge label short. */
export function listed(items: readonly string[], shown: number, separator = ", "): string {
  const head = items.slice(0, shown).join(separator);
  return items.length > shown ? `${head}${separator}+${items.length - shown} more` : head;
}
