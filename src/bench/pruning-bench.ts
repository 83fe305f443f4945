/**
 * Does pruning buy simulation time? Builds a feed-forward spiking layer
 * (Poisson inputs, all-to-all onto LIF neurons through ge), measures the
 * simulation time per sample at full density, prunes a fraction of the
 * synapses by magnitude, compacts the CSR (so the removed synapses cost
 * nothing: zero-weight placeholders would still be walked), and measures
 * again on the same input statistics (two copies built from one seed, timed
 * alternately). Synaptic delivery walks one row per
 * input spike, so its cost falls with the synapse count; the per-neuron
 * updates (Poisson draws, LIF integration) do not. Target: pruned time at
 * most 60% of the unpruned time at 50% pruning.
 *
 *   inputs → layer:  ge += w, w ~ uniform [0, wMaxMv]
 *   layer LIF:       tau 20 ms, El -65 mV, Vt -50 mV, Vr -65 mV, refractory 2 ms,
 *                    tauE 5 ms, tauI 10 ms; dt 0.1 ms
 */
import { Rng } from "../core/rng.js";
import { pruneSynapsesByMagnitude } from "../plasticity/pruning/csr-criteria.js";
import { PoissonGroup } from "../snn/inputs/poisson.js";
import { SpikeMonitor } from "../snn/monitors.js";
import { Network } from "../snn/network.js";
import { LifGroup, type LifParams } from "../snn/neurons/lif.js";
import { Synapses } from "../snn/synapses/synapses.js";

export interface PruningBenchOptions {
  /** Poisson inputs (default 1000). */
  inputs?: number;
  /** LIF neurons (default 1000). */
  neurons?: number;
  /** Input rate, Hz (default 20). */
  rateHz?: number;
  /** Largest initial weight, mV (default 0.5: both copies keep firing). */
  wMaxMv?: number;
  /** Biological time per sample, ms (default 100). */
  sampleMs?: number;
  /** Timed samples per measurement (default 10, after one untimed warm-up sample). */
  samples?: number;
  /** Fraction of synapses removed (default 0.5). */
  pruneFraction?: number;
  dtMs?: number;
  seed?: number;
}

export interface PruningBenchPhase {
  synapses: number;
  /** Wall time per sample, ms (median of the timed samples). */
  msPerSample: number;
  /** Process CPU time (user + system) per sample, ms (median): less sensitive than wall time to other load on the machine. */
  cpuMsPerSample: number;
  /** Synaptic events (accumulates) per sample. */
  eventsPerSample: number;
  /** Mean output rate, Hz. */
  outputRateHz: number;
}

export interface PruningBenchResult {
  inputs: number;
  neurons: number;
  full: PruningBenchPhase;
  pruned: PruningBenchPhase;
  /** Pruning and compaction, ms. */
  pruneMs: number;
  /** pruned.msPerSample / full.msPerSample. */
  timeRatio: number;
  /** pruned.cpuMsPerSample / full.cpuMsPerSample. */
  cpuTimeRatio: number;
}

const LAYER: Readonly<LifParams> = { tauMs: 20, elMv: -65, vThreshMv: -50, vResetMv: -65, refractoryMs: 2, tauEMs: 5, tauIMs: 10 };

interface BenchNet {
  net: Network;
  syn: Synapses;
  spikes: SpikeMonitor;
}

/** One copy of the network; two copies from the same seed are identical. */
function buildNet(nIn: number, n: number, rateHz: number, wMaxMv: number, dtMs: number, seed: number): BenchNet {
  const rng = Rng.fromSeed(seed).fork("pruning-bench");
  const input = new PoissonGroup("input", nIn, rateHz, dtMs, rng.fork("input"));
  const layer = new LifGroup("layer", n, LAYER, dtMs);
  const syn = new Synapses({
    name: "input->layer", source: input, target: layer, targetVar: "ge",
    connect: { rule: "all-to-all" }, weight: { dist: "uniform", lo: 0, hi: wMaxMv }, rng: rng.fork("synapses"),
  });
  const spikes = new SpikeMonitor(layer, dtMs, { keepSpikes: false });
  return { net: new Network({ dtMs, groups: [input, layer], synapses: [syn], monitors: [spikes] }), syn, spikes };
}

/**
 * Builds the network twice from one seed, prunes and compacts the second
 * copy, then times samples of the two alternately (after one untimed sample
 * each), so load on a shared machine falls on both alike; reports medians.
 */
export function runPruningBench(opts: PruningBenchOptions = {}): PruningBenchResult {
  const nIn = opts.inputs ?? 1000;
  const n = opts.neurons ?? 1000;
  const dtMs = opts.dtMs ?? 0.1;
  const sampleMs = opts.sampleMs ?? 100;
  const samples = opts.samples ?? 10;
  const build = () => buildNet(nIn, n, opts.rateHz ?? 20, opts.wMaxMv ?? 0.5, dtMs, opts.seed ?? 0);
  const full = build();
  const pruned = build();
  const t0 = performance.now();
  pruneSynapsesByMagnitude(pruned.syn.matrix, Math.round((opts.pruneFraction ?? 0.5) * pruned.syn.matrix.count));
  pruned.syn.matrix.compact();
  const pruneMs = performance.now() - t0;

  const nets = [full, pruned];
  for (const b of nets) b.net.run(sampleMs); // warm-up (JIT, caches)
  const times: number[][] = [[], []];
  const cpuTimes: number[][] = [[], []];
  const events0 = nets.map((b) => b.syn.events);
  const spikes0 = nets.map((b) => b.spikes.totalSpikes());
  for (let k = 0; k < samples; k++) {
    nets.forEach((b, i) => {
      const c = process.cpuUsage();
      const t = performance.now();
      b.net.run(sampleMs);
      times[i]!.push(performance.now() - t);
      const used = process.cpuUsage(c);
      cpuTimes[i]!.push((used.user + used.system) / 1000);
    });
  }
  const phase = (i: number): PruningBenchPhase => {
    const b = nets[i]!;
    return {
      synapses: b.syn.matrix.count,
      msPerSample: median(times[i]!),
      cpuMsPerSample: median(cpuTimes[i]!),
      eventsPerSample: (b.syn.events - events0[i]!) / samples,
      outputRateHz: (b.spikes.totalSpikes() - spikes0[i]!) / n / ((samples * sampleMs) / 1000),
    };
  };
  const f = phase(0);
  const p = phase(1);
  return {
    inputs: nIn, neurons: n, full: f, pruned: p, pruneMs,
    timeRatio: p.msPerSample / f.msPerSample, cpuTimeRatio: p.cpuMsPerSample / f.cpuMsPerSample,
  };
}

function median(xs: readonly number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
