// Docker's opts.ParseCPUs as the provider uses it for `cpus`: a rational number of CPUs → NanoCpus,
// rejected when it cannot be expressed in whole nano-CPUs.
export function parseCpus(text: string): number {
  const decimal = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!decimal) throw new Error(`failed to parse ${JSON.stringify(text)} as a decimal number of CPUs`);
  const [, whole, fraction = ""] = decimal;
  if (fraction.replace(/0+$/, "").length > 9) throw new Error(`cpus ${text}: value is too precise (at most 9 decimal places)`);
  return Number(whole) * 1e9 + Number((fraction + "000000000").slice(0, 9));
}
