// PyPI version ordering, PEP 440: [N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local], with PEP 440's spelling
// variants (alpha, beta, c, pre, preview, rev, r, 1.0-1, separators - _ ., upper case, a leading v,
// surrounding whitespace) read as their normal form. Which strings are versions, and how each part reads,
// is @renovatebot/pep440's grammar (its VERSION_PATTERN, case-insensitive as its `valid`); the sort key is
// PEP 440's, built here so that each version is parsed once, numbers of any length compare exactly, and a
// local segment is a number only when it is all digits (the library reads "1e5" as 100000). The tests
// check that this order agrees with the library's own `compare` everywhere else.
import { VERSION_PATTERN } from "@renovatebot/pep440/lib/version";
import type { VersionRules } from "./index";

const GROUPS = new RegExp(`^${VERSION_PATTERN}$`, "i");

/** Pre-release ranks: a dev release of a final version sorts before its alphas, a final version after its rcs. */
const DEV_OF_FINAL = -1;
const PRE_RANK: Record<string, number> = { a: 0, alpha: 0, b: 1, beta: 1, c: 2, rc: 2, pre: 2, preview: 2 };
const NO_PRE = 3;

/** A local version label's part: text sorts before any number. */
type LocalPart = { number: string } | { text: string };

export interface Pep440Version {
  epoch: string;
  /** release numbers without leading zeros, trailing zero numbers removed (1.0 == 1.0.0) */
  release: string[];
  preRank: number;
  preNumber: string;
  /** undefined without a post-release */
  post?: string;
  /** undefined without a dev release */
  dev?: string;
  /** undefined without a local version label */
  local?: LocalPart[];
}

/** A run of digits in its shortest form, comparable by length then text. */
function number(digits: string | undefined): string {
  return digits ? digits.replace(/^0+(?=\d)/, "") : "0";
}

function parse(raw: string): Pep440Version | string {
  const version = raw.trim();
  if (version === "") return "it is empty; a PEP 440 version looks like 1.2.3, 2.0rc1, 1.0.post1, 1!2.0 or 1.0+local";
  const groups = GROUPS.exec(version)?.groups;
  if (!groups) return "it does not follow PEP 440 ([N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local], e.g. 1.2.3, 2.0rc1, 1.0.post1)";
  const release = groups.release.split(".").map(number);
  while (release.length > 0 && release[release.length - 1] === "0") release.pop();
  const hasPost = groups.post !== undefined;
  const hasDev = groups.dev !== undefined;
  const preLetter = groups.pre_l?.toLowerCase();
  const preRank = preLetter !== undefined ? PRE_RANK[preLetter] : !hasPost && hasDev ? DEV_OF_FINAL : NO_PRE;
  const parsed: Pep440Version = { epoch: number(groups.epoch), release, preRank, preNumber: number(groups.pre_n) };
  if (hasPost) parsed.post = number(groups.post_n1 ?? groups.post_n2);
  if (hasDev) parsed.dev = number(groups.dev_n);
  if (groups.local !== undefined) {
    parsed.local = groups.local.toLowerCase().split(/[-_.]/).map((part) => (/^[0-9]+$/.test(part) ? { number: number(part) } : { text: part }));
  }
  return parsed;
}

function compareNumbers(a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareRelease(a: string[], b: string[]): number {
  for (let i = 0; i < a.length && i < b.length; i++) {
    const order = compareNumbers(a[i], b[i]);
    if (order !== 0) return order;
  }
  return a.length - b.length;
}

/** Absent sorts first (post-releases, local labels). */
function compareOptional<T>(a: T | undefined, b: T | undefined, present: (x: T, y: T) => number): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  return present(a, b);
}

/** A dev release sorts before the same version without one. */
function compareDev(a: string | undefined, b: string | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
  return compareNumbers(a, b);
}

function compareLocal(a: LocalPart[], b: LocalPart[]): number {
  for (let i = 0; i < a.length && i < b.length; i++) {
    const x = a[i];
    const y = b[i];
    if ("number" in x && "number" in y) {
      const order = compareNumbers(x.number, y.number);
      if (order !== 0) return order;
    } else if ("text" in x && "text" in y) {
      if (x.text !== y.text) return x.text < y.text ? -1 : 1;
    } else {
      return "text" in x ? -1 : 1;
    }
  }
  return a.length - b.length;
}

export const pypiRules: VersionRules<Pep440Version> = {
  name: "PEP 440",
  parse,
  compare(a, b) {
    return (
      compareNumbers(a.epoch, b.epoch) ||
      compareRelease(a.release, b.release) ||
      a.preRank - b.preRank ||
      (a.preRank >= 0 && a.preRank < NO_PRE ? compareNumbers(a.preNumber, b.preNumber) : 0) ||
      compareOptional(a.post, b.post, compareNumbers) ||
      compareDev(a.dev, b.dev) ||
      compareOptional(a.local, b.local, compareLocal)
    );
  },
};
