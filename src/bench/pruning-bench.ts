/**
 * Does pruning buy simulation time? A feed-forward spiking layer (inputs
 * all-to-all onto LIF neurons through ge) is built twice from one seed; the
 * second copy loses a fraction of its synapses by magnitude, its CSR is
 * compacted (so the removed synapses cost nothing: zero-weight placeholders
 * would still be walked) and each neuron's surviving weights are scaled back
 * to its old total (synaptic scaling: both copies then receive the same mean
 * drive and fire at similar rates). The two are timed alternately on the same
 * input, so load on a shared machine falls on both alike. Target: pruned time
 * at most 60% of the unpruned time at 50% pruning.
 *
 * Which network: time per step = per-neuron work (input generation, LIF
 * integration) + per-synapse work (one accumulate per synapse of every input
 * spike). Pruning removes only the second, so the ratio can fall to 0.5 only
 * as far as synaptic work dominates, i.e. as far as K·r·dt, the synaptic
 * events per neuron per step, is large. The old default, 1000 Poisson inputs
 * at 20 Hz onto 1000 neurons with dt 0.1 ms, gives K·r·dt = 2 and one Poisson
 * draw per input per step, and measured 0.69-0.75: per-neuron work dominated.
 * A cortical pyramidal neuron receives several thousand synapses (about
 * 10^3-10^4; Braitenberg & Schüz 1998), so the default here is K = 5000
 * inputs per neuron at 20 Hz (K·r·dt = 10), and the input spike trains are
 * drawn before timing and replayed (SpikeGeneratorGroup), as recorded or
 * upstream-simulated activity would be, so generating them costs per spike,
 * not per input per step. `input: "poisson"` restores on-line Poisson draws.
 *
 * The breakdown times the parts apart on a third copy per density: the input
 * alone, the input and the LIF layer with no synapses, and the full network;
 * synaptic delivery is the full time minus the input-and-neurons time.
 *
 *   inputs → layer:  ge += w, w ~ uniform [0, wMaxMv]
 *   layer LIF:       tau 20 ms, El -65 mV, Vt -50 mV, Vr -65 mV, refractory 2 ms,
 *                    tauE 5 ms, tauI 10 ms; dt 0.1 ms
 */
import { Rng } from "../core/rng.js";
import { pruneSynapsesByMagnitude } from "../plasticity/pruning/csr-criteria.js";
import { PoissonGroup } from "../snn/inputs/poisson.js";
import { SpikeGeneratorGroup } from "../snn/inputs/spike-generator.js";
import type { NeuronGroup } from "../snn/group.js";
import { SpikeMonitor } from "../snn/monitors.js";
import { Network } from "../snn/network.js";
import { LifGroup, type LifParams } from "../snn/neurons/lif.js";
import type { SynapseMatrix } from "../snn/synapses/csr.js";
import { Synapses } from "../snn/synapses/synapses.js";

export interface PruningBenchOptions {
  /** Inputs, each connected to every neuron: K synapses per neuron (default 5000). */
  inputs?: number;
  /** LIF neurons (default 1000). */
  neurons?: number;
  /** Input rate, Hz (default 20). */
  rateHz?: number;
  /** "replay" (default): spike trains drawn before timing and replayed; "poisson": drawn on line each step. */
  input?: "replay" | "poisson";
  /** Largest initial weight, mV (default 0.064 · 5000 / inputs: the neurons fire at a few tens of Hz). */
  wMaxMv?: number;
  /** Biological time per sample, ms (default 100). */
  sampleMs?: number;
  /** Timed samples per measurement (default 15, after one untimed warm-up sample). */
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
  /** Synaptic delivery, ms per sample: this network's time minus the input-and-neurons time (breakdown). */
  synapticMsPerSample: number;
}

/** Where the time of one sample goes (medians, ms), from the parts timed apart. */
export interface PruningBenchBreakdown {
  /** Input spike generation alone. */
  inputMs: number;
  /** LIF integration, thresholds, resets (input-and-neurons minus input). */
  neuronMs: number;
  /** Synaptic delivery of the unpruned and the pruned network. */
  synapticFullMs: number;
  synapticPrunedMs: number;
  /** Synaptic events per neuron per step, K·r·dt of the unpruned network. */
  eventsPerNeuronStep: number;
}

export interface PruningBenchResult {
  inputs: number;
  neurons: number;
  input: "replay" | "poisson";
  full: PruningBenchPhase;
  pruned: PruningBenchPhase;
  breakdown: PruningBenchBreakdown;
  /** Pruning, compaction and rescaling, ms. */
  pruneMs: number;
  /** pruned.msPerSample / full.msPerSample. */
  timeRatio: number;
  /** pruned.cpuMsPerSample / full.cpuMsPerSample. */
  cpuTimeRatio: number;
}

const LAYER: Readonly<LifParams> = {
  tauMs: 20,
  elMv: -65,
  vThreshMv: -50,
  vResetMv: -65,
  refractoryMs: 2,
  tauEMs: 5,
  tauIMs: 10,
};

interface BenchNet {
  net: Network;
  syn: Synapses | null;
  spikes: SpikeMonitor | null;
}

/** Poisson spike trains of `n` inputs over `durationMs`, at most one spike per input per step (exponential intervals). */
function drawTrains(
  n: number,
  rateHz: number,
  durationMs: number,
  dtMs: number,
  rng: Rng,
): { indices: Int32Array; timesMs: Float64Array } {
  const indices: number[] = [];
  const times: number[] = [];
  const meanMs = 1000 / rateHz;
  for (let i = 0; i < n; i++) {
    let t = -Math.log(1 - rng.next()) * meanMs;
    let lastStep = -1;
    while (t < durationMs) {
      const step = Math.round(t / dtMs);
      if (step !== lastStep && step * dtMs < durationMs) {
        indices.push(i);
        times.push(step * dtMs);
        lastStep = step;
      }
      t += -Math.log(1 - rng.next()) * meanMs;
    }
  }
  return { indices: Int32Array.from(indices), timesMs: Float64Array.from(times) };
}

interface BuildSpec {
  nIn: number;
  n: number;
  rateHz: number;
  wMaxMv: number;
  dtMs: number;
  seed: number;
  input: "replay" | "poisson";
  trains: { indices: Int32Array; timesMs: Float64Array } | null;
}

/** One copy of the network (or of its parts); copies from the same spec are identical. */
function buildNet(b: BuildSpec, parts: "input" | "neurons" | "all"): BenchNet {
  const rng = Rng.fromSeed(b.seed).fork("pruning-bench");
  const input: NeuronGroup =
    b.input === "poisson"
      ? new PoissonGroup("input", b.nIn, b.rateHz, b.dtMs, rng.fork("input"))
      : new SpikeGeneratorGroup("input", b.nIn, b.trains!.indices, b.trains!.timesMs, b.dtMs);
  if (parts === "input") return { net: new Network({ dtMs: b.dtMs, groups: [input] }), syn: null, spikes: null };
  const layer = new LifGroup("layer", b.n, LAYER, b.dtMs);
  const spikes = new SpikeMonitor(layer, b.dtMs, { keepSpikes: false });
  if (parts === "neurons")
    return { net: new Network({ dtMs: b.dtMs, groups: [input, layer], monitors: [spikes] }), syn: null, spikes };
  const syn = new Synapses({
    name: "input->layer",
    source: input,
    target: layer,
    targetVar: "ge",
    connect: { rule: "all-to-all" },
    weight: { dist: "uniform", lo: 0, hi: b.wMaxMv },
    rng: rng.fork("synapses"),
  });
  return {
    net: new Network({ dtMs: b.dtMs, groups: [input, layer], synapses: [syn], monitors: [spikes] }),
    syn,
    spikes,
  };
}

/** Incoming weight sum per target neuron. */
function incomingSums(m: SynapseMatrix): Float64Array {
  const sums = new Float64Array(m.nPost);
  for (let s = 0; s < m.count; s++) sums[m.target[s]!]! += m.weight[s]!;
  return sums;
}

/**
 * Builds the network twice from one seed, prunes, compacts and rescales the
 * second copy, then times samples of the two alternately (after one untimed
 * sample each), with the input-only and input-and-neurons parts timed in the
 * same rotation; reports medians.
 */
export function runPruningBench(opts: PruningBenchOptions = {}): PruningBenchResult {
  const nIn = opts.inputs ?? 5000;
  const n = opts.neurons ?? 1000;
  const dtMs = opts.dtMs ?? 0.1;
  const sampleMs = opts.sampleMs ?? 100;
  const samples = opts.samples ?? 15;
  const rateHz = opts.rateHz ?? 20;
  const input = opts.input ?? "replay";
  const seed = opts.seed ?? 0;
  const trains =
    input === "replay"
      ? drawTrains(nIn, rateHz, (samples + 1) * sampleMs, dtMs, Rng.fromSeed(seed).fork("pruning-bench").fork("trains"))
      : null;
  const spec: BuildSpec = { nIn, n, rateHz, wMaxMv: opts.wMaxMv ?? (0.064 * 5000) / nIn, dtMs, seed, input, trains };
  const full = buildNet(spec, "all");
  const pruned = buildNet(spec, "all");
  const inputOnly = buildNet(spec, "input");
  const neuronsOnly = buildNet(spec, "neurons");
  const t0 = performance.now();
  const m = pruned.syn!.matrix;
  const before = incomingSums(m);
  pruneSynapsesByMagnitude(m, Math.round((opts.pruneFraction ?? 0.5) * m.count));
  m.compact();
  // Synaptic scaling: every neuron's surviving weights carry its old total.
  const after = incomingSums(m);
  for (let s = 0; s < m.count; s++) {
    const j = m.target[s]!;
    if (after[j]! > 0) m.weight[s] = m.weight[s]! * (before[j]! / after[j]!);
  }
  const pruneMs = performance.now() - t0;

  const nets = [full, pruned, inputOnly, neuronsOnly];
  for (const b of nets) b.net.run(sampleMs); // warm-up (JIT, caches)
  const times: number[][] = nets.map(() => []);
  const cpuTimes: number[][] = nets.map(() => []);
  const events0 = nets.map((b) => b.syn?.events ?? 0);
  const spikes0 = nets.map((b) => b.spikes?.totalSpikes() ?? 0);
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
  const inputMs = median(cpuTimes[2]!);
  const inputAndNeuronsMs = median(cpuTimes[3]!);
  const phase = (i: number): PruningBenchPhase => {
    const b = nets[i]!;
    return {
      synapses: b.syn!.matrix.count,
      msPerSample: median(times[i]!),
      cpuMsPerSample: median(cpuTimes[i]!),
      eventsPerSample: (b.syn!.events - events0[i]!) / samples,
      outputRateHz: (b.spikes!.totalSpikes() - spikes0[i]!) / n / ((samples * sampleMs) / 1000),
      synapticMsPerSample: median(cpuTimes[i]!) - inputAndNeuronsMs,
    };
  };
  const f = phase(0);
  const p = phase(1);
  const steps = sampleMs / dtMs;
  return {
    inputs: nIn,
    neurons: n,
    input,
    full: f,
    pruned: p,
    pruneMs,
    breakdown: {
      inputMs,
      neuronMs: inputAndNeuronsMs - inputMs,
      synapticFullMs: f.synapticMsPerSample,
      synapticPrunedMs: p.synapticMsPerSample,
      eventsPerNeuronStep: f.eventsPerSample / n / steps,
    },
    timeRatio: p.msPerSample / f.msPerSample,
    cpuTimeRatio: p.cpuMsPerSample / f.cpuMsPerSample,
  };
}

/** The result as lines of text, with the breakdown (for a console). */
export function formatPruningBench(r: PruningBenchResult): string {
  const b = r.breakdown;
  const ms = (v: number) => v.toFixed(2);
  return [
    `network      ${r.inputs} inputs (${r.input}) all-to-all onto ${r.neurons} LIF neurons: ${r.full.synapses} synapses, ${b.eventsPerNeuronStep.toFixed(2)} synaptic events per neuron per step`,
    `unpruned     ${ms(r.full.cpuMsPerSample)} ms CPU per sample (wall ${ms(r.full.msPerSample)}), ${Math.round(r.full.eventsPerSample)} events, output ${r.full.outputRateHz.toFixed(1)} Hz`,
    `pruned       ${ms(r.pruned.cpuMsPerSample)} ms CPU per sample (wall ${ms(r.pruned.msPerSample)}), ${r.pruned.synapses} synapses, ${Math.round(r.pruned.eventsPerSample)} events, output ${r.pruned.outputRateHz.toFixed(1)} Hz`,
    `breakdown    input ${ms(b.inputMs)} + neurons ${ms(b.neuronMs)} + synapses ${ms(b.synapticFullMs)} (unpruned) / ${ms(b.synapticPrunedMs)} (pruned) ms per sample`,
    `ratio        pruned / unpruned: CPU ${r.cpuTimeRatio.toFixed(3)}, wall ${r.timeRatio.toFixed(3)} (target <= 0.60 at 50% pruning)`,
  ].join("\n");
}

function median(xs: readonly number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
