// Alpine version ordering, as apk-tools (2.14 and 3.x) compares versions:
//   digits{.digits}...{letter}{_suffix{digits}}...{~commit}{-rN}
// Tokens are compared in turn. The first number and suffix/revision numbers compare as numbers; a later
// dotted number compares as a number unless either side starts with 0, then as text (so 1.01 < 1.1); a
// letter by its character; suffixes _alpha < _beta < _pre < _rc < (none) < _cvs < _svn < _git < _hg < _p;
// a commit hash as text. When one version runs out of tokens first, the longer one is greater unless it
// goes on with a pre-release suffix; when they go on with different kinds of token, the kind that comes
// earlier in the grammar is greater (1.2.1 > 1.2a > 1.2_p1 > 1.2~ab > 1.2-r1 > 1.2).
// Strings apk-tools would not accept as versions (upper case, 1a2, unknown suffix, -1 instead of -r1)
// are problems here. Numbers are compared exactly, where apk-tools wraps them past 2^64.
import type { VersionRules } from "./index";

const enum Token {
  InitialDigit = 0,
  Digit = 1,
  Letter = 2,
  Suffix = 3,
  SuffixNumber = 4,
  CommitHash = 5,
  Revision = 6,
  End = 7,
}

/** apk-tools' suffix order; NONE (5) is where a version without suffix stands. */
const SUFFIXES: ReadonlyMap<string, number> = new Map(Object.entries({ alpha: 1, beta: 2, pre: 3, rc: 4, cvs: 6, svn: 7, git: 8, hg: 9, p: 10 }));
const SUFFIX_NONE = 5;

interface ApkToken {
  kind: Token;
  /** the token's text: digits, a letter, a suffix word or a commit hash */
  text: string;
  /** for suffixes, the suffix's rank */
  rank: number;
}

export interface ApkVersion {
  tokens: ApkToken[];
}

const FORMAT = "an Alpine version looks like digits{.digits}{letter}{_suffix{N}}{~commit}{-rN}, e.g. 1.36.1-r2 or 2.4_rc1-r0";

function run(version: string, from: number, pattern: RegExp): string {
  pattern.lastIndex = from;
  return pattern.exec(version)?.[0] ?? "";
}
const DIGITS = /[0-9]*/y;
const LOWER = /[a-z]*/y;
const HEX = /[0-9a-f]*/y;

function parse(version: string): ApkVersion | string {
  if (version === "") return `it is empty; ${FORMAT}`;
  const first = run(version, 0, DIGITS);
  if (first === "") return `it must start with a digit; ${FORMAT}`;
  const tokens: ApkToken[] = [{ kind: Token.InitialDigit, text: first, rank: 0 }];
  let at = first.length;
  let previous: Token = Token.InitialDigit;
  const wrong = (what: string) => `${what} at position ${at + 1} (${JSON.stringify(version.slice(at, at + 8))}); ${FORMAT}`;
  // each round consumes at least one character, so this ends within version.length rounds
  while (at < version.length) {
    const c = version[at];
    let token: ApkToken;
    if (c >= "a" && c <= "z") {
      if (previous > Token.Digit) return wrong("a letter may only follow a number");
      token = { kind: Token.Letter, text: c, rank: 0 };
      at += 1;
    } else if (c === "." || (c >= "0" && c <= "9")) {
      const kind = previous <= Token.Digit && c === "." ? Token.Digit : previous === Token.Suffix && c !== "." ? Token.SuffixNumber : undefined;
      if (kind === undefined) return wrong(c === "." ? "a '.' may only follow a number" : "a number may only follow '.' or a suffix");
      const start = c === "." ? at + 1 : at;
      const digits = run(version, start, DIGITS);
      if (digits === "") return wrong("'.' must be followed by a number");
      token = { kind, text: digits, rank: 0 };
      at = start + digits.length;
    } else if (c === "_") {
      if (previous > Token.SuffixNumber) return wrong("a suffix may not follow a commit hash or revision");
      const word = run(version, at + 1, LOWER);
      const rank = SUFFIXES.get(word);
      if (rank === undefined) return wrong(`unknown suffix "_${word}" (known: ${[...SUFFIXES.keys()].map((s) => `_${s}`).join(" ")})`);
      token = { kind: Token.Suffix, text: word, rank };
      at += 1 + word.length;
    } else if (c === "~") {
      if (previous >= Token.CommitHash) return wrong("a '~commit' may not follow another or a revision");
      const hash = run(version, at + 1, HEX);
      if (hash === "") return wrong("'~' must be followed by a lower-case hexadecimal commit hash");
      token = { kind: Token.CommitHash, text: hash, rank: 0 };
      at += 1 + hash.length;
    } else if (c === "-") {
      if (previous >= Token.Revision) return wrong("only one revision may be given");
      if (version[at + 1] !== "r") return wrong("a '-' must start the revision '-rN'");
      const digits = run(version, at + 2, DIGITS);
      if (digits === "") return wrong("'-r' must be followed by the revision number");
      token = { kind: Token.Revision, text: digits, rank: 0 };
      at += 2 + digits.length;
    } else {
      return wrong(`unexpected character ${JSON.stringify(c)}`);
    }
    tokens.push(token);
    previous = token.kind;
  }
  return { tokens };
}

/** Two runs of digits as numbers, whatever their length. */
function compareNumbers(a: string, b: string): number {
  const x = a.replace(/^0+/, "");
  const y = b.replace(/^0+/, "");
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Two tokens of the same kind. */
function compareTokens(a: ApkToken, b: ApkToken): number {
  switch (a.kind) {
    case Token.Digit:
      if (a.text.startsWith("0") || b.text.startsWith("0")) return compareText(a.text, b.text);
      return compareNumbers(a.text, b.text);
    case Token.InitialDigit:
    case Token.SuffixNumber:
    case Token.Revision:
      return compareNumbers(a.text, b.text);
    case Token.Letter:
    case Token.CommitHash:
      return compareText(a.text, b.text);
    case Token.Suffix:
      return a.rank - b.rank;
    default:
      return 0;
  }
}

const END: ApkToken = { kind: Token.End, text: "", rank: 0 };

export const apkRules: VersionRules<ApkVersion> = {
  name: "apk",
  parse,
  compare(a, b) {
    let i = 0;
    for (; i < a.tokens.length && i < b.tokens.length && a.tokens[i].kind === b.tokens[i].kind; i++) {
      const order = compareTokens(a.tokens[i], b.tokens[i]);
      if (order !== 0) return order;
    }
    const ta = a.tokens[i] ?? END;
    const tb = b.tokens[i] ?? END;
    if (ta.kind === tb.kind) return 0;
    if (ta.kind === Token.Suffix && ta.rank < SUFFIX_NONE) return -1;
    if (tb.kind === Token.Suffix && tb.rank < SUFFIX_NONE) return 1;
    return ta.kind > tb.kind ? -1 : 1;
  },
};
