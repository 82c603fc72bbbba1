// Where a JSON text first breaks, and what was expected there, in the checker's own words: the same
// on every Node version, and without echoing the file's bytes (a manifest or an export can hold
// secrets, and reports end up in CI logs). Iterative, so no nesting depth can exhaust the stack.

interface JsonSyntaxError {
  /** offset of the first character that cannot continue a valid document */
  offset: number;
  message: string;
}

/** A character as a message may show it: JSON punctuation itself, anything else by its kind only. */
function found(text: string, offset: number): string {
  if (offset >= text.length) return "the end of the file";
  const c = text[offset];
  if (/[{}[\],:"'#/\\=;]/.test(c)) return `'${c}'`;
  if (/[A-Za-z]/.test(c)) return "a letter";
  if (/[0-9]/.test(c)) return "a digit";
  if (c < " " || c === "\x7f") return "a control character";
  if (c > "\x7f") return "a non-ASCII character";
  return "a punctuation character";
}

const WHITESPACE = new Set([" ", "\t", "\n", "\r"]);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;

/** The first syntax error of `text` as JSON, or undefined when it is valid JSON. */
export function jsonSyntaxError(text: string): JsonSyntaxError | undefined {
  let i = 0;
  const fail = (message: string, at = i): JsonSyntaxError => ({ offset: at, message: `${message}, found ${found(text, at)}` });
  const skip = () => {
    while (i < text.length && WHITESPACE.has(text[i])) i++;
  };
  /** scans a string at i (which is '"'); returns an error or undefined */
  const string = (): JsonSyntaxError | undefined => {
    const start = i;
    i++;
    while (i < text.length) {
      const c = text[i];
      if (c === '"') {
        i++;
        return undefined;
      }
      if (c === "\\") {
        ESCAPE.lastIndex = i;
        if (!ESCAPE.test(text)) return { offset: i, message: "invalid escape sequence in a string (valid: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)" };
        i = ESCAPE.lastIndex;
        continue;
      }
      if (c < " ") return { offset: i, message: "control character (such as a line break) inside a string: escape it" };
      i++;
    }
    return { offset: start, message: "a string starting here is never closed with '\"'" };
  };
  /** scans `"name":` at i, up to the value */
  const member = (context: string): JsonSyntaxError | undefined => {
    if (text[i] !== '"') return fail(`expected a property name in double quotes${context}`);
    const error = string();
    if (error) return error;
    skip();
    if (text[i] !== ":") return fail("expected ':' after a property name");
    i++;
    return undefined;
  };
  // what each open container expects next
  const stack: ("array" | "object")[] = [];
  let expectValue = true;
  skip();
  if (i >= text.length) return { offset: 0, message: "the file is empty" };
  while (true) {
    skip();
    if (expectValue) {
      const c = text[i];
      if (c === "{" || c === "[") {
        stack.push(c === "{" ? "object" : "array");
        i++;
        skip();
        const close = c === "{" ? "}" : "]";
        if (text[i] === close) {
          stack.pop();
          i++;
          expectValue = false;
          continue;
        }
        const error = c === "{" ? member("") : undefined;
        if (error) return error;
        continue;
      }
      if (c === '"') {
        const error = string();
        if (error) return error;
      } else if (text.startsWith("true", i) || text.startsWith("null", i)) {
        i += 4;
      } else if (text.startsWith("false", i)) {
        i += 5;
      } else {
        NUMBER.lastIndex = i;
        if (!(c === "-" || (c >= "0" && c <= "9")) || !NUMBER.test(text)) return fail("expected a value (an object, a list, a string, a number, true, false or null)");
        i = NUMBER.lastIndex;
      }
      expectValue = false;
      continue;
    }
    // after a value
    const open = stack[stack.length - 1];
    if (open === undefined) {
      if (i < text.length) return fail("unexpected content after the end of the document");
      return undefined;
    }
    const close = open === "object" ? "}" : "]";
    if (text[i] === close) {
      stack.pop();
      i++;
      continue;
    }
    if (text[i] !== ",") return fail(open === "object" ? "expected ',' or '}' after a property value" : "expected ',' or ']' after a list item");
    i++;
    skip();
    const error = open === "object" ? member(" after ','") : undefined;
    if (error) return error;
    expectValue = true;
  }
}

/** 1-based line and column of an offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === "\n") {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}
