// Peaks of one container's resource use during the observation, from the Engine API's stats stream
// (about one sample a second): memory, CPU as cores used, and the number of processes.
import type Docker from "dockerode";
import { readLines } from "./bounded-stream";

export interface ResourcePeaks {
  /**
   * The highest memory use as the kernel counts it against the limit (page cache included). On cgroup v1
   * the engine also reports the kernel's own high-water mark since the container (re)started, which is
   * taken too, so a peak between two samples (such as the moment before an OOM kill) is not missed.
   */
  memoryPeakBytes: number;
  /** the container's memory limit; absent when it has none */
  memoryLimitBytes?: number;
  /** the highest CPU use between two samples, in cores (1.5 = one and a half CPUs busy) */
  cpuPeakCores: number;
  pidsPeak: number;
  /** samples taken while the container ran */
  samples: number;
}

interface CpuStats {
  cpu_usage?: { total_usage?: number; percpu_usage?: number[] };
  system_cpu_usage?: number;
  online_cpus?: number;
}

/** The fields of one stats sample this watch reads (the engine sends many more). */
interface StatsSample {
  memory_stats?: { usage?: number; max_usage?: number };
  cpu_stats?: CpuStats;
  precpu_stats?: CpuStats;
  pids_stats?: { current?: number };
}

const count = (value: unknown): number | undefined => (typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined);

/** Cores used between the previous sample and this one; undefined when there is no usable previous sample. */
export function coresUsed(cpu: CpuStats | undefined, previous: CpuStats | undefined): number | undefined {
  const total = count(cpu?.cpu_usage?.total_usage);
  const system = count(cpu?.system_cpu_usage);
  const previousTotal = count(previous?.cpu_usage?.total_usage);
  const previousSystem = count(previous?.system_cpu_usage);
  if (total === undefined || system === undefined || previousTotal === undefined || !previousSystem) return undefined;
  const cpuDelta = total - previousTotal;
  const systemDelta = system - previousSystem;
  // a restart resets the container's counter: that pair of samples says nothing
  if (cpuDelta < 0 || systemDelta <= 0) return undefined;
  const cpus = count(cpu?.online_cpus) || cpu?.cpu_usage?.percpu_usage?.length || 1;
  return (cpuDelta / systemDelta) * cpus;
}

/** Folds stats samples into peaks; a sample of a stopped container (no memory figures) is skipped. */
export class ResourcePeakTracker {
  private memoryPeak = 0;
  private cpuPeak = 0;
  private pidsPeak = 0;
  private samples = 0;

  add(raw: unknown): void {
    if (typeof raw !== "object" || raw === null) return;
    const sample = raw as StatsSample;
    const usage = count(sample.memory_stats?.usage);
    if (usage === undefined) return;
    this.samples++;
    this.memoryPeak = Math.max(this.memoryPeak, usage, count(sample.memory_stats?.max_usage) ?? 0);
    this.pidsPeak = Math.max(this.pidsPeak, count(sample.pids_stats?.current) ?? 0);
    this.cpuPeak = Math.max(this.cpuPeak, coresUsed(sample.cpu_stats, sample.precpu_stats) ?? 0);
  }

  /** The peaks, or undefined when no sample was taken while the container ran. */
  result(memoryLimitBytes: number | undefined): ResourcePeaks | undefined {
    if (this.samples === 0) return undefined;
    return {
      memoryPeakBytes: this.memoryPeak,
      ...(memoryLimitBytes ? { memoryLimitBytes } : {}),
      cpuPeakCores: Math.round(this.cpuPeak * 1000) / 1000,
      pidsPeak: this.pidsPeak,
      samples: this.samples,
    };
  }
}

interface WatchOptions {
  /** container id */
  container: string;
  /** its memory limit in bytes (HostConfig.Memory; 0 = none) */
  memoryLimitBytes: number;
  untilMs: number;
  /** at most this many samples are read (the engine sends about one a second) */
  maxSamples: number;
}

/** how many times a stats stream that ended early (the engine restarting it, a hiccup) is reopened */
const MAX_REOPENS = 20;
const REOPEN_DELAY_MS = 500;
/** a stats sample is a few KiB; a longer line is not one */
const MAX_SAMPLE_LENGTH = 1024 * 1024;

/** Samples the container's stats until `untilMs`; problems say why no or fewer samples were read. */
export async function watchResources(docker: Docker, options: WatchOptions): Promise<{ peaks?: ResourcePeaks; problems: string[] }> {
  const tracker = new ResourcePeakTracker();
  const problems: string[] = [];
  const name = options.container.slice(0, 12);
  let lines = 0;
  let lastEnd = "";
  for (let attempt = 0; attempt <= MAX_REOPENS && Date.now() < options.untilMs && lines < options.maxSamples; attempt++) {
    let stream: NodeJS.ReadableStream;
    try {
      stream = await docker.getContainer(options.container).stats({ stream: true });
    } catch (error) {
      lastEnd = `the engine refused its stats (${(error as Error).message})`;
      break;
    }
    const end = await readLines({
      source: stream,
      limits: { deadlineMs: options.untilMs, maxBytes: options.maxSamples * MAX_SAMPLE_LENGTH, maxLines: options.maxSamples - lines, maxLineLength: MAX_SAMPLE_LENGTH },
      onLine: (line) => {
        lines++;
        try {
          tracker.add(JSON.parse(line));
        } catch {
          // not JSON: the engine never sends that; skipped rather than ending the watch
        }
      },
    });
    if (end === "deadline" || end === "lines") break;
    // the engine ended the stream (the container restarting or going away): try again shortly
    lastEnd = end === "ended" ? "the engine ended the stats stream" : `the stats stream failed (${end.slice("error: ".length)})`;
    await new Promise((resolve) => setTimeout(resolve, Math.min(REOPEN_DELAY_MS, Math.max(0, options.untilMs - Date.now()))));
  }
  // a second of slack: the last sample of a window is due about then anyway
  const unsampled = options.untilMs - Date.now() - 1000;
  if (lines >= options.maxSamples && unsampled > 0) problems.push(`resource samples of container ${name} stopped after ${options.maxSamples} samples, ${Math.round(unsampled / 1000)} s before the window ended`);
  else if (unsampled > 0) problems.push(`resource samples of container ${name} stopped ${Math.round(unsampled / 1000)} s before the window ended: ${lastEnd}`);
  const peaks = tracker.result(options.memoryLimitBytes);
  if (!peaks) problems.push(`no resource sample of container ${name} was taken: it did not run during the window, so its resource use is unknown`);
  return { peaks, problems };
}
