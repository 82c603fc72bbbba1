// Maven version ordering, as Maven's ComparableVersion (maven-artifact 3.8) orders versions; checked
// against the real class in test/deps-versions-real-tools.test.ts.
//
// A version (lower-cased) splits into items at '.', at '-' and where digits and letters meet. '-' and a
// digit/letter change open a nested list, so "1.0-rc-1" is [1, [rc, [1]]]. Numbers compare as numbers;
// words are qualifiers: alpha < beta < milestone < rc = cr < snapshot < "" = ga = final = release < sp, then
// any other word, alphabetically; a single a, b or m directly followed by a digit means alpha, beta,
// milestone. Trailing nulls (0, "", empty lists) are dropped from each list, so 1 == 1.0 == 1.0.0 == 1-ga.
// Where the kinds differ: number > list > word (1.1 > 1-1 > 1-sp), and a missing item compares like a
// null one (1-rc < 1 < 1-sp, 1 < 1.1).
//
// Every string is a Maven version; only an empty one, one with whitespace or control characters, and one
// with digits other than 0-9 (which Java would read as digits) are problems here.
import type { VersionRules } from "./index";

const enum Kind {
  Number,
  Word,
  List,
}

/**
 * ComparableVersion keeps up to 9 digits as int, up to 18 as long, more as BigInteger (after dropping
 * leading zeros, unless all are zeros), and orders int < long < BigInteger before looking at the values.
 * That only shows for runs of 10 or more zeros (1.0000000000.1 > 1.5 in Maven); it is kept for fidelity.
 */
const enum Size {
  Int,
  Long,
  Big,
}

type Item =
  | { kind: Kind.Number; size: Size; /** digits without leading zeros ("0" for zero) */ digits: string }
  | { kind: Kind.Word; /** the qualifier's sort key, compared as text as Maven does */ key: string }
  | ListItem;

interface ListItem {
  kind: Kind.List;
  items: Item[];
}

export type MavenVersion = ListItem;

const QUALIFIERS = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
const ALIASES: Record<string, string> = { ga: "", final: "", release: "", cr: "rc" };
const SHORTHANDS: Record<string, string> = { a: "alpha", b: "beta", m: "milestone" };
/** The sort key of the release itself (""), which a missing item compares like. */
const RELEASE_KEY = String(QUALIFIERS.indexOf(""));

function word(text: string, followedByDigit: boolean): Item {
  const expanded = followedByDigit && text.length === 1 ? SHORTHANDS[text] ?? text : text;
  const value = Object.prototype.hasOwnProperty.call(ALIASES, expanded) ? ALIASES[expanded] : expanded;
  const index = QUALIFIERS.indexOf(value);
  return { kind: Kind.Word, key: index < 0 ? `${QUALIFIERS.length}-${value}` : String(index) };
}

function numberItem(digits: string): Item {
  const stripped = digits.replace(/^0+/, "");
  const kept = stripped === "" ? digits : stripped; // Maven keeps an all-zero run as it is, for its size
  const size = kept.length <= 9 ? Size.Int : kept.length <= 18 ? Size.Long : Size.Big;
  return { kind: Kind.Number, size, digits: stripped === "" ? "0" : stripped };
}

const ZERO = numberItem("0");

function item(isDigit: boolean, text: string): Item {
  return isDigit ? numberItem(text) : word(text, false);
}

function isNull(item: Item): boolean {
  switch (item.kind) {
    case Kind.Number:
      return item.digits === "0";
    case Kind.Word:
      return item.key === RELEASE_KEY;
    case Kind.List:
      return item.items.length === 0;
  }
}

/** Drops trailing null items, looking through (but not into) lists that are not null. */
function normalise(list: ListItem): void {
  for (let i = list.items.length - 1; i >= 0; i--) {
    const last = list.items[i];
    if (isNull(last)) list.items.splice(i, 1);
    else if (last.kind !== Kind.List) break;
  }
}

const DOT = 46;
const HYPHEN = 45;
const ZERO_CODE = 48;
const NINE_CODE = 57;
const OTHER_DIGIT = /(?![0-9])\p{Nd}/u;

function parse(version: string): MavenVersion | string {
  if (version === "") return "it is empty; a Maven version looks like 1.2.3, 2.0-rc1 or 1.0-SNAPSHOT";
  if (/[\s\p{Cc}]/u.test(version)) return "it contains whitespace or control characters; remove them";
  if (OTHER_DIGIT.test(version)) return "it contains digits other than 0-9; write the version with 0-9";
  const text = version.toLowerCase();
  const root: ListItem = { kind: Kind.List, items: [] };
  const opened: ListItem[] = [root];
  let list = root;
  const openList = () => {
    const next: ListItem = { kind: Kind.List, items: [] };
    list.items.push(next);
    opened.push(next);
    list = next;
  };
  let isDigit = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === DOT || c === HYPHEN) {
      list.items.push(i === start ? ZERO : item(isDigit, text.slice(start, i)));
      start = i + 1;
      if (c === HYPHEN) openList();
    } else if (c >= ZERO_CODE && c <= NINE_CODE) {
      if (!isDigit && i > start) {
        // a word directly followed by a number: the word starts a list (unless the list is still empty), the number another
        if (list.items.length > 0) openList();
        list.items.push(word(text.slice(start, i), true));
        start = i;
        openList();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.items.push(numberItem(text.slice(start, i)));
        start = i;
        openList();
      }
      isDigit = false;
    }
  }
  if (text.length > start) {
    if (!isDigit && list.items.length > 0) openList();
    list.items.push(item(isDigit, text.slice(start)));
  }
  // innermost first, as each list's trailing nulls may include the emptied list inside it
  for (let i = opened.length - 1; i >= 0; i--) normalise(opened[i]);
  return root;
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** ComparableVersion's Item.compareTo, with undefined for a missing item. */
function compareItem(a: Item, b: Item | undefined): number {
  switch (a.kind) {
    case Kind.Number:
      if (b === undefined) return a.digits === "0" ? 0 : 1;
      if (b.kind !== Kind.Number) return 1;
      if (a.size !== b.size) return a.size - b.size;
      return a.digits.length !== b.digits.length ? a.digits.length - b.digits.length : compareText(a.digits, b.digits);
    case Kind.Word:
      if (b === undefined) return compareText(a.key, RELEASE_KEY);
      return b.kind === Kind.Word ? compareText(a.key, b.key) : -1;
    case Kind.List:
      if (b === undefined) {
        for (const inner of a.items) {
          const order = compareItem(inner, undefined);
          if (order !== 0) return order;
        }
        return 0;
      }
      if (b.kind === Kind.Number) return -1;
      if (b.kind === Kind.Word) return 1;
      for (let i = 0; i < a.items.length || i < b.items.length; i++) {
        const left = a.items[i];
        const right = b.items[i];
        const order = left === undefined ? -compareItem(right, undefined) : compareItem(left, right);
        if (order !== 0) return order;
      }
      return 0;
  }
}

export const mavenRules: VersionRules<MavenVersion> = {
  name: "Maven",
  parse,
  compare: (a, b) => compareItem(a, b),
};
