/**
 * `neurocompare bench cuba`: builds CUBA (src/snn/cuba.ts) at a given size,
 * runs it, and reports counts, times and peak memory. Brian2 2.5.1's C++
 * standalone does the same network in 0.09 s at N = 4,000 (12 MB peak RSS)
 * and 2.47 s at N = 100,000 (240 MB), measured on a 2-core x86-64 machine;
 * bench/cuba-vs-brian2.mjs runs both side by side. The LIF state and
 * arithmetic are float64 (as Brian2's) unless `precision: "float32"` is
 * asked for; the result always says which.
 */
import { buildCuba } from "../snn/cuba.js";
import type { LifPrecision } from "../snn/neurons/lif.js";

export interface CubaBenchOptions {
  neurons?: number;
  durationS?: number;
  seed?: number;
  /** LIF state and arithmetic; default "float64". "float32" is opt-in (faster, moves spikes) and reported as such. */
  precision?: LifPrecision;
}

export interface CubaBenchResult {
  neurons: number;
  /** The LIF state and arithmetic this run used ("float64" unless asked otherwise). */
  precision: LifPrecision;
  synapses: number;
  spikes: number;
  meanRateHz: number;
  /** Building the network (connectivity, initial state), ms. */
  buildMs: number;
  /** The simulation loop only, ms (wall clock). */
  simMs: number;
  /**
   * The simulation loop only, ms of this process's CPU time (user + system, all threads): the measure
   * Brian2's standalone timer uses (std::clock() in its network.cpp), so the like-for-like comparison.
   */
  simCpuMs: number;
  /** Peak resident set size of this process, MB (maxRSS, so it includes everything run before). */
  peakRssMb: number;
}

export function runCubaBench(opts: CubaBenchOptions = {}): CubaBenchResult {
  const durationS = opts.durationS ?? 1;
  const t0 = performance.now();
  const cuba = buildCuba({ neurons: opts.neurons, seed: opts.seed, keepSpikes: false, precision: opts.precision });
  const c1 = process.cpuUsage();
  const t1 = performance.now();
  cuba.network.run(durationS * 1000);
  const t2 = performance.now();
  const cpu = process.cpuUsage(c1);
  const spikes = cuba.spikes.totalSpikes();
  return {
    neurons: cuba.neurons,
    precision: cuba.group.precision,
    synapses: cuba.synapses,
    spikes,
    meanRateHz: spikes / cuba.neurons / durationS,
    buildMs: t1 - t0,
    simMs: t2 - t1,
    simCpuMs: (cpu.user + cpu.system) / 1000,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}
