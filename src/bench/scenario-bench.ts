/**
 * `neurocompare bench scenario <file> --jobs 1,2`: the wall time of a whole
 * run (units, tables and report, as `neurocompare run` does it) for each
 * `--jobs` setting, in interleaved rounds (round r runs every setting once,
 * in the order given), each run into a fresh temporary folder.
 *
 * Reported per setting: the fastest and the median wall time, the median CPU
 * time of the process (process.cpuUsage: every thread, so the worker pool's
 * too) and the speed-up against the first setting, from the fastest runs
 * (on a shared machine other jobs only ever add time, so each setting's best
 * is what it can do) and from the medians; the load average before and
 * after; and whether metrics.csv was the same for every setting (timing rows
 * aside), which `--jobs` must never change.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "../api/run.js";
import { median } from "./median.js";

export interface ScenarioBenchOptions {
  file: string;
  /** `--jobs` settings, compared with the first. */
  jobs: readonly number[];
  rounds: number;
  seeds?: number[];
  /** Called after each run (progress on stderr). */
  onRun?: (jobs: number, round: number, wallMs: number) => void;
}

export interface JobsFigures {
  jobs: number;
  wallMs: number[];
  cpuMs: number[];
  fastestMs: number;
  medianMs: number;
  cpuMedianMs: number;
  /** Fastest of the first setting / fastest of this one (higher is faster), and the same for the medians. */
  speedupFastest: number;
  speedupMedian: number;
}

export interface ScenarioBench {
  scenario: string;
  units: number;
  rounds: number;
  cores: number;
  settings: JobsFigures[];
  /** metrics.csv the same for every setting, timing rows aside. */
  identical: boolean;
  loadBefore: number[];
  loadAfter: number[];
}

/** metrics.csv without its wall-clock rows (wallMs, trainingTimeMs; buildMs, simMs for networks). */
function withoutTiming(dir: string): string {
  return readFileSync(join(dir, "metrics.csv"), "utf8")
    .split("\n")
    .filter((l) => !/,(wallMs|trainingTimeMs|buildMs|simMs),/.test(l))
    .join("\n");
}

export async function runScenarioBench(o: ScenarioBenchOptions): Promise<ScenarioBench> {
  const wall = new Map<number, number[]>(o.jobs.map((j) => [j, []]));
  const cpu = new Map<number, number[]>(o.jobs.map((j) => [j, []]));
  const outputs = new Map<number, string>();
  let scenario = "";
  let units = 0;
  const loadBefore = loadavg();
  for (let round = 1; round <= o.rounds; round++) {
    for (const jobs of o.jobs) {
      const dir = mkdtempSync(join(tmpdir(), `neurocompare-bench-jobs${jobs}-`));
      try {
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        const outcome = await run(o.file, { out: dir, jobs, ...(o.seeds !== undefined ? { seeds: o.seeds } : {}) });
        const ms = performance.now() - t0;
        const c = process.cpuUsage(c0);
        wall.get(jobs)!.push(ms);
        cpu.get(jobs)!.push((c.user + c.system) / 1000);
        scenario = outcome.summary.scenario.name;
        units = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")).units.length;
        const text = withoutTiming(dir);
        if (!outputs.has(jobs)) outputs.set(jobs, text);
        else if (outputs.get(jobs) !== text) outputs.set(jobs, "(differs between rounds)");
        o.onRun?.(jobs, round, ms);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }
  const first = o.jobs[0]!;
  const base = { fastest: Math.min(...wall.get(first)!), median: median(wall.get(first)!) };
  const settings = o.jobs.map((jobs): JobsFigures => {
    const w = wall.get(jobs)!;
    const fastestMs = Math.min(...w);
    const medianMs = median(w);
    return {
      jobs,
      wallMs: w,
      cpuMs: cpu.get(jobs)!,
      fastestMs,
      medianMs,
      cpuMedianMs: median(cpu.get(jobs)!),
      speedupFastest: base.fastest / fastestMs,
      speedupMedian: base.median / medianMs,
    };
  });
  const texts = [...outputs.values()];
  return {
    scenario,
    units,
    rounds: o.rounds,
    cores: availableParallelism(),
    settings,
    identical: texts.every((t) => t === texts[0] && t !== "(differs between rounds)"),
    loadBefore,
    loadAfter: loadavg(),
  };
}

export function formatScenarioBench(b: ScenarioBench): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const first = b.settings[0]!.jobs;
  const lines = [
    `scenario ${b.scenario}: ${b.units} units, ${b.rounds} interleaved round(s), ${b.cores} cores`,
    ...b.settings.map(
      (f) =>
        `--jobs ${String(f.jobs).padEnd(3)} fastest ${s(f.fastestMs)}, median ${s(f.medianMs)}, CPU median ${s(f.cpuMedianMs)}` +
        (f.jobs === first
          ? ""
          : `; speed-up ×${f.speedupFastest.toFixed(2)} (fastest), ×${f.speedupMedian.toFixed(2)} (median) vs --jobs ${first}`),
    ),
    `load average before ${b.loadBefore.map((x) => x.toFixed(2)).join(" ")}, after ${b.loadAfter.map((x) => x.toFixed(2)).join(" ")}`,
    `metrics.csv identical across settings (timing rows aside): ${b.identical ? "yes" : "NO"}`,
  ];
  return lines.join("\n");
}
