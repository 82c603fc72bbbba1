// The one shell script a probe task runs, and the parsing of what it printed. Pure.
// Every section is fenced by lines that start with a per-run marker, so nothing a probe prints can be
// taken for a fence:
//   <marker> tools missing: <names>      (tools the probes need that the image lacks; empty when none)
//   <marker> begin <requirement>
//   ...the probe's stdout and stderr...
//   <marker> end <requirement> <exit status>
//   <marker> done
import type { NodeRequirement } from "../render/swarm/node-requirements";

export interface ProbeSection {
  /** the probe's output, lines joined by \n with a final \n (as `docker exec` returns it) */
  output: string;
  /** the probe's exit status; undefined when the end fence never came */
  status?: number;
}

export interface ParsedProbeOutput {
  /** tools the probes need that the image lacks */
  missingTools: string[];
  sections: Record<string, ProbeSection>;
  /** the script ran to its last line */
  done: boolean;
}

const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

/** Requirements a task can check: those with a probe. */
export function probedRequirements(requirements: readonly NodeRequirement[]): NodeRequirement[] {
  return requirements.filter((r) => r.probe !== undefined);
}

/** A marker no probe output starts a line with: `::platform-preflight:<nonce>::`. */
export function probeMarker(nonce: string): string {
  if (!/^[a-z0-9]+$/.test(nonce)) throw new Error(`probeMarker: nonce must be [a-z0-9]+, got ${JSON.stringify(nonce)}`);
  return `::platform-preflight:${nonce}::`;
}

/** The script for `sh -c`: every probe of `requirements` in one shell, stderr folded into stdout. */
export function probeScript(requirements: readonly NodeRequirement[], marker: string): string {
  const probes = probedRequirements(requirements);
  const tools = [...new Set(probes.map((r) => r.probe!.command[0]))].sort();
  const lines = [
    "exec 2>&1",
    `missing=''; for tool in ${tools.map(quote).join(" ")}; do command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"; done`,
    `echo ${quote(marker)}" tools missing:$missing"`,
  ];
  for (const r of probes) {
    lines.push(`echo ${quote(`${marker} begin ${r.id}`)}`);
    lines.push(r.probe!.command.map(quote).join(" "));
    lines.push(`echo ${quote(`${marker} end ${r.id}`)}" $?"`);
  }
  lines.push(`echo ${quote(`${marker} done`)}`);
  return lines.join("\n");
}

/** Splits the task's output at the marker's fences. Lines outside a section are ignored. */
export function parseProbeOutput(text: string, marker: string): ParsedProbeOutput {
  const result: ParsedProbeOutput = { missingTools: [], sections: {}, done: false };
  let current: { id: string; lines: string[] } | undefined;
  const close = (status?: number) => {
    if (!current) return;
    result.sections[current.id] = { output: current.lines.length ? `${current.lines.join("\n")}\n` : "", ...(status !== undefined ? { status } : {}) };
    current = undefined;
  };
  for (const line of text.replace(/\r\n/g, "\n").split("\n")) {
    if (!line.startsWith(`${marker} `)) {
      current?.lines.push(line);
      continue;
    }
    const fence = line.slice(marker.length + 1);
    let m: RegExpExecArray | null;
    if ((m = /^tools missing:(.*)$/.exec(fence))) {
      result.missingTools = m[1].split(" ").filter(Boolean);
    } else if ((m = /^begin (\S+)$/.exec(fence))) {
      close();
      current = { id: m[1], lines: [] };
    } else if ((m = /^end (\S+) (\d+)$/.exec(fence)) && current?.id === m[1]) {
      close(Number(m[2]));
    } else if (fence === "done") {
      close();
      result.done = true;
    }
  }
  // a section cut off (task killed, logs incomplete) keeps what it printed, without a status
  close();
  return result;
}

/**
 * The Engine's log stream of a container without a TTY: frames of [stream (1 = stdout, 2 = stderr),
 * 0, 0, 0, big-endian length] + payload. Text that does not start with a frame header is returned as is.
 */
export function demuxDockerLogs(buffer: Buffer): string {
  const chunks: Buffer[] = [];
  let offset = 0;
  while (offset + 8 <= buffer.length) {
    const stream = buffer[offset];
    if (stream > 2 || buffer[offset + 1] !== 0 || buffer[offset + 2] !== 0 || buffer[offset + 3] !== 0) break;
    const length = buffer.readUInt32BE(offset + 4);
    if (offset + 8 + length > buffer.length) break;
    chunks.push(buffer.subarray(offset + 8, offset + 8 + length));
    offset += 8 + length;
  }
  if (offset === 0) return buffer.toString("utf8");
  return Buffer.concat(chunks).toString("utf8") + buffer.subarray(offset).toString("utf8");
}
