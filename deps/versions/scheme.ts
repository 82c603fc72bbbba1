// How an ecosystem orders its versions. One implementation per ecosystem (npm, PyPI, Debian, Maven, Go,
// Alpine), each from a well-kept library or checked against the ecosystem's own tool in the tests.

export interface VersionScheme {
  /** the rules' name, for messages: "npm (semver)", "PEP 440", "dpkg", "Maven", "Go (semver)", "apk" */
  readonly name: string;
  /** why `version` is not a version of this ecosystem, or undefined when it is */
  problem(version: string): string | undefined;
  /** negative, zero or positive as a orders before, equal to or after b; throws VersionError when either is not a version here */
  compare(a: string, b: string): number;
  /** `version` read once, to be compared many times with compareRead (a range's bounds); undefined when it is not a version here */
  read(version: string): ReadVersion | undefined;
  /** compare, on versions this scheme's read() gave */
  compareRead(a: ReadVersion, b: ReadVersion): number;
}

/** A version as its scheme read it: opaque outside the scheme. */
export type ReadVersion = object;

/** A version an ecosystem cannot parse: names the version and the ecosystem's rules. */
export class VersionError extends Error {
  constructor(
    readonly version: string,
    readonly scheme: string,
    readonly reason: string,
  ) {
    super(`${JSON.stringify(version)} is not a ${scheme} version: ${reason}`);
    this.name = "VersionError";
  }
}
