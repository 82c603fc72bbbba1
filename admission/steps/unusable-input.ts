// An input the admission cannot work with (a manifest, SBOM, database, stack or image that is missing or
// broken): the command says why and exits 2 before anything is stood up.
export class UnusableAdmissionInput extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnusableAdmissionInput";
  }
}
