// Debian version ordering, as dpkg compares versions ([epoch:]upstream[-revision]): epochs numerically,
// then upstream and revision each by dpkg's character ordering ('~' before everything, even the end; then
// the end; then letters; then other characters; digit runs compared as numbers). Checked against the real
// `dpkg --compare-versions` in test/deps-versions-real-tools.test.ts.
//
// Which strings are versions: what dpkg compares without an error, less what it warns about as invalid
// characters. So: no empty version, no whitespace (dpkg trims the ends, but a version from an SBOM or an
// advisory with spaces is broken input), an epoch of digits only up to 2147483647, a non-empty upstream
// and revision, and only letters, digits and `.+~` (and `-` and `:` in the upstream). An upstream not
// starting with a digit is accepted: dpkg only warns about it and orders it like any other.
import type { VersionRules } from "./index";

export interface DpkgVersion {
  epoch: number;
  upstream: string;
  /** "" when the version has none, which dpkg orders like "0" */
  revision: string;
}

const EPOCH_MAX = 2147483647;
const UPSTREAM = /^[A-Za-z0-9.+~:-]+$/;
const REVISION = /^[A-Za-z0-9.+~]+$/;

function parse(version: string): DpkgVersion | string {
  if (version === "") return "it is empty; a Debian version looks like [epoch:]upstream[-revision], e.g. 1:2.36-9+deb12u4";
  if (/\s/.test(version)) return "it contains whitespace; remove it";
  const colon = version.indexOf(":");
  let epoch = 0;
  let rest = version;
  if (colon >= 0) {
    const digits = version.slice(0, colon);
    if (!/^[0-9]+$/.test(digits)) return `the epoch before ':' must be a number, not ${JSON.stringify(digits)}`;
    epoch = Number(digits);
    if (epoch > EPOCH_MAX) return `the epoch ${digits} is larger than dpkg allows (${EPOCH_MAX})`;
    rest = version.slice(colon + 1);
    if (rest === "") return "nothing follows the epoch's ':'";
  }
  const hyphen = rest.lastIndexOf("-");
  const upstream = hyphen < 0 ? rest : rest.slice(0, hyphen);
  const revision = hyphen < 0 ? "" : rest.slice(hyphen + 1);
  if (upstream === "") return "the upstream version (before the revision's '-') is empty";
  if (hyphen >= 0 && revision === "") return "the Debian revision after the last '-' is empty; drop the '-' or add a revision";
  if (!UPSTREAM.test(upstream)) return `the upstream version ${JSON.stringify(upstream)} may only hold letters, digits and . + ~ - :`;
  if (revision !== "" && !REVISION.test(revision)) return `the Debian revision ${JSON.stringify(revision)} may only hold letters, digits and . + ~`;
  return { epoch, upstream, revision };
}

const CODE_0 = 48;
const CODE_9 = 57;
const TILDE = 126;

function isDigit(code: number): boolean {
  return code >= CODE_0 && code <= CODE_9;
}

/** dpkg's weight of a non-digit character (the end of the string, and a digit, weigh 0). */
function weight(code: number): number {
  if ((code >= 65 && code <= 90) || (code >= 97 && code <= 122)) return code;
  if (code === TILDE) return -1;
  return code + 256;
}

/** dpkg's comparison of one part (upstream or revision): alternating non-digit and digit runs. */
export function compareDpkgPart(a: string, b: string): number {
  let i = 0;
  let j = 0;
  // each round consumes at least one character of a or b, so this ends within a.length + b.length rounds
  while (i < a.length || j < b.length) {
    // the non-digit run, character by character
    while ((i < a.length && !isDigit(a.charCodeAt(i))) || (j < b.length && !isDigit(b.charCodeAt(j)))) {
      const wa = i < a.length && !isDigit(a.charCodeAt(i)) ? weight(a.charCodeAt(i)) : 0;
      const wb = j < b.length && !isDigit(b.charCodeAt(j)) ? weight(b.charCodeAt(j)) : 0;
      if (wa !== wb) return wa - wb;
      i++;
      j++;
    }
    // the digit run, as a number: skip leading zeros, then the longer run is larger, else the first difference
    while (a.charCodeAt(i) === CODE_0) i++;
    while (b.charCodeAt(j) === CODE_0) j++;
    let firstDifference = 0;
    while (isDigit(a.charCodeAt(i)) && isDigit(b.charCodeAt(j))) {
      if (firstDifference === 0) firstDifference = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (isDigit(a.charCodeAt(i))) return 1;
    if (isDigit(b.charCodeAt(j))) return -1;
    if (firstDifference !== 0) return firstDifference;
  }
  return 0;
}

export const dpkgRules: VersionRules<DpkgVersion> = {
  name: "dpkg",
  parse,
  compare(a, b) {
    if (a.epoch !== b.epoch) return a.epoch - b.epoch;
    return compareDpkgPart(a.upstream, b.upstream) || compareDpkgPart(a.revision, b.revision);
  },
};
