// Where JSON.parse gave up, as a line and column a vendor can find in an editor. V8 names an offset for
// most syntax errors ("... in JSON at position 42") but not for an unexpected character ("Unexpected
// token '}', "..." is not valid JSON"); that offset is then found by parsing prefixes of the text.

/** 1-based line and column; the column counts characters (code points), not UTF-16 units. */
export interface TextPosition {
  line: number;
  column: number;
}

/** The line and column of a UTF-16 offset; `\n`, `\r\n` and a lone `\r` each end a line. */
export function positionAt(text: string, offset: number): TextPosition {
  const end = Math.max(0, Math.min(offset, text.length));
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x0a || (code === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) {
      line++;
      lineStart = i + 1;
    }
  }
  let column = 1;
  for (let i = lineStart; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code < 0xdc00 || code > 0xdfff) column++; // the low half of a surrogate pair is not a character of its own
  }
  return { line, column };
}

const AT_POSITION = / in JSON at position (\d+)/;

/** Does parsing the first `length` UTF-16 units fail on a character inside them (not merely at their end)? */
function failsBefore(text: string, length: number): boolean {
  try {
    JSON.parse(text.slice(0, length));
    return false;
  } catch (error) {
    const message = (error as Error).message;
    if (message.startsWith("Unexpected end of JSON input")) return false;
    const at = AT_POSITION.exec(message);
    return at ? Number(at[1]) < length : true;
  }
}

/** The offset `c` parsing stopped at is the one where the first `c` units do not fail inside and the first `c + 1` do. */
const stopsAt = (text: string, offset: number) => !failsBefore(text, offset) && failsBefore(text, offset + 1);

const ECHO = /^Unexpected token '([\s\S]{1,2})', \.\.\."([\s\S]*)"(?:\.\.\.)? is not valid JSON$/;
const ECHO_CANDIDATES = 16;

/**
 * Far into a long text, V8 echoes a few characters around the unexpected one: where they occur in the
 * text is a guess, each checked (two parses) before it is believed.
 */
function offsetFromEcho(text: string, message: string): number | undefined {
  const echo = ECHO.exec(message);
  if (!echo) return undefined;
  const [, token, around] = echo;
  let checked = 0;
  for (let start = text.indexOf(around); start >= 0 && checked < ECHO_CANDIDATES; start = text.indexOf(around, start + 1)) {
    for (let k = around.indexOf(token); k >= 0 && checked < ECHO_CANDIDATES; k = around.indexOf(token, k + 1)) {
      checked++;
      if (stopsAt(text, start + k)) return start + k;
    }
  }
  return undefined;
}

/**
 * The offset of the character JSON.parse stopped at, for the SyntaxError it threw on `text`. When its
 * message has no position, the shortest prefix that fails inside itself ends just after that character:
 * prefixes up to it are valid JSON or merely incomplete, longer ones contain it. Bisecting for it takes
 * about 26 parses for 64 MiB (15 s for an error at the end), so V8's echo of the input is tried first.
 */
export function jsonErrorOffset(text: string, error: Error): number {
  const message = error.message;
  const at = AT_POSITION.exec(message);
  if (at) return Number(at[1]);
  if (message.startsWith("Unexpected end of JSON input") || !failsBefore(text, text.length)) return text.length;
  const echoed = offsetFromEcho(text, message);
  if (echoed !== undefined) return echoed;
  let valid = 0;
  let failing = text.length;
  while (failing - valid > 1) {
    const middle = valid + Math.floor((failing - valid) / 2);
    if (failsBefore(text, middle)) failing = middle;
    else valid = middle;
  }
  return failing - 1;
}

/**
 * JSON.parse's message without its echo of the input or its offset, followed by the line and column:
 * `Unexpected token '}' (line 3, column 8)`.
 */
export function describeJsonError(text: string, error: Error): string {
  const { line, column } = positionAt(text, jsonErrorOffset(text, error));
  const reason = error.message
    .replace(/^(Unexpected token '[\s\S]{1,2}'), [\s\S]* is not valid JSON$/, "$1")
    .replace(AT_POSITION, "")
    .replace(/ \(line \d+ column \d+\)$/, "");
  return `${reason} (line ${line}, column ${column})`;
}
