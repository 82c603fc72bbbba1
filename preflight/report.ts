// The verdict as text: the nodes, a table of requirement × node, then every FAIL with what was seen and
// the fix, the nodes not probed and why, what to check by hand, and the result line. Pure.
import type { CellStatus, PreflightVerdict } from "./verdict";

const CELL: Record<CellStatus, string> = { pass: "pass", FAIL: "FAIL", manual: "by hand", "n/a": "n/a", "not probed": "not probed" };

function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column])).join("  ").trimEnd());
}

export function formatVerdict(verdict: PreflightVerdict): string[] {
  const { nodes } = verdict;
  const lines = [`swarm preflight: stack ${verdict.stack}, probe image ${verdict.image}, ${nodes.length} node(s), ${verdict.probedNodes} probed`, ""];
  for (const v of nodes) {
    lines.push(`  ${v.node.hostname}  ${v.node.id.slice(0, 12)}  ${v.node.role}, ${v.node.state}, ${v.node.availability}: ${v.probed ? "probed" : `not probed (${v.reason})`}`);
  }
  lines.push("");
  const requirements = nodes[0]?.cells.map((c) => c.requirement) ?? [];
  const rows = [["requirement", ...nodes.map((v) => v.node.hostname)]];
  requirements.forEach((id, i) => rows.push([id, ...nodes.map((v) => CELL[v.cells[i].status])]));
  if (nodes.length) lines.push(...table(rows), "");

  const cells = nodes.flatMap((v) => v.cells);
  for (const c of cells.filter((c) => c.status === "FAIL")) lines.push(`FAIL ${c.node} ${c.requirement}: ${c.detail}; fix: ${c.fix}`);
  const manual = new Map(cells.filter((c) => c.status === "manual").map((c) => [c.requirement, c.detail]));
  if (manual.size) {
    lines.push("not verifiable from a task, check by hand on every node:");
    for (const [id, detail] of manual) lines.push(`  ${id}: ${detail}`);
  }
  for (const finding of verdict.findings) lines.push(`FAIL ${finding}`);
  lines.push("", resultLine(verdict));
  return lines;
}

function resultLine(verdict: PreflightVerdict): string {
  const unprobed = verdict.nodes.filter((v) => !v.probed).map((v) => v.node.hostname);
  const notProbed = unprobed.length ? `; not probed: ${unprobed.join(", ")}` : "";
  if (verdict.exitCode === 0) return `result: pass: every probed requirement passed on ${verdict.probedNodes} node(s)${notProbed}`;
  if (verdict.exitCode === 2) return `result: no node probed${notProbed}: nothing is verified`;
  const failed = [...new Set(verdict.nodes.filter((v) => v.cells.some((c) => c.status === "FAIL")).map((v) => v.node.hostname))];
  const parts = [
    ...(verdict.failures ? [`${verdict.failures} FAIL on ${failed.join(", ")}`] : []),
    ...(verdict.findings.length ? [`${verdict.findings.length} swarm finding(s)`] : []),
  ];
  return `result: FAIL: ${parts.join(", ") || "not every node was probed"}${notProbed}`;
}
