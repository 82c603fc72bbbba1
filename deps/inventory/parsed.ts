// What every inventory parser returns: the packages it could read, and one problem per entry it could
// not (a bad stanza or manifest never hides the rest of the file).
import type { InputProblem } from "../model";

export interface Parsed<T> {
  packages: T[];
  problems: InputProblem[];
}
