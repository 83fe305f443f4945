/**
 * Runs a network scenario once per seed: build, simulate `durationMs`, and
 * collect per-group statistics (spikes, mean rate, ISI CV, active fraction).
 * The first seed's recordings (spikes, population rate, state traces) are kept
 * for the charts. Pure apart from the observer callback. As a stored unit
 * (runNetworkUnitAsync), a seed runs in slices with checkpoints.
 */
import { interSpikeIntervals, spikeCounts } from "../metrics/spike-stats.js";
import { captureState, decodeSnapshot, encodeSnapshot, restoreState } from "../core/snapshot.js";
import { buildNetwork, type BuiltNetwork } from "../scenario/build-network.js";
import type { NetworkScenario } from "../scenario/network-schema.js";

/** One group's firing in one seed: spikes, mean rate, ISI irregularity and the share of neurons that fired. */
export interface GroupStats {
  group: string;
  size: number;
  spikes: number;
  meanRateHz: number;
  /** Mean over neurons (≥ 3 spikes) of the coefficient of variation of their ISIs. */
  meanIsiCv: number;
  /** Fraction of neurons that spiked at least once. */
  activeFraction: number;
}

/** One plastic synapse population's final weights in one seed. */
export interface SynapseStats {
  name: string;
  rule: string;
  count: number;
  meanWeight: number;
  weightStd: number;
}

/** One seed of a network run: synapses, build and simulation times, per-group firing figures and plastic weights. */
export interface SeedRun {
  seed: number;
  /** Final weight statistics of the plastic synapse populations. */
  plastic: SynapseStats[];
  synapses: number;
  buildMs: number;
  simMs: number;
  groups: GroupStats[];
}

/** What the monitors recorded in the first seed: spikes, population rates, state traces and final plastic weights. */
export interface Recordings {
  spikes: { group: string; size: number; indices: Int32Array; timesMs: Float64Array }[];
  rates: { group: string; rateHz: Float32Array }[];
  traces: { group: string; variable: string; neuron: number; timesMs: Float64Array; values: Float64Array }[];
  /** Final weights of plastic synapse populations (not rebuilt by `report`). */
  weights: { name: string; rule: string; values: Float32Array }[];
}

/** Everything a network run produced, in memory. */
export interface NetworkRunResult {
  scenario: NetworkScenario;
  seeds: number[];
  runs: SeedRun[];
  /** Recordings of the first seed. */
  recordings: Recordings;
}

/** One unit of a network scenario: one seed built and simulated; its recordings when `record` (the first seed). */
export function runNetworkSeed(
  s: NetworkScenario,
  file: string,
  seed: number,
  record: boolean,
): { run: SeedRun; recordings: Recordings | null } {
  const t0 = performance.now();
  const built = buildNetwork(s, seed, file);
  const t1 = performance.now();
  built.network.run(Math.round(s.durationMs / s.dtMs) * s.dtMs);
  const t2 = performance.now();
  return seedResult(s, built, seed, record, t1 - t0, t2 - t1);
}

/** Slices a network unit's simulation is cut into: progress events, Ctrl-C checks and checkpoints fall between them. */
export const NETWORK_SLICES = 100;
/**
 * Least wall time between two checkpoints of a network unit. Capturing a
 * network is cheap but not free (measured: 64 ms and 5.8 MB before
 * compression for CUBA's 4,000 neurons and 320,000 synapses, most of it the
 * synapse arrays), so checkpoints are taken by elapsed time rather than at
 * every slice: a killed unit loses at most this much simulation, plus a slice.
 */
export const NETWORK_CHECKPOINT_MS = 5_000;

interface NetworkCheckpointMeta {
  kind: "network-checkpoint";
  seed: number;
  step: number;
  buildMs: number;
  simMs: number;
}

/** What runNetworkUnitAsync needs: the unit, its last checkpoint, and how to save the next one. */
export interface NetworkUnitContext {
  scenario: NetworkScenario;
  file: string;
  seed: number;
  /** Keep the recordings (the first seed). */
  record: boolean;
  checkpoint: Uint8Array | null;
  saveCheckpoint(bytes: Uint8Array): void;
  shouldStop(): boolean;
  /** Fraction of the simulation done, after every slice. */
  onProgress?(fraction: number): void;
  /** Least wall time between checkpoints (default NETWORK_CHECKPOINT_MS). */
  checkpointEveryMs?: number;
}

export type NetworkUnitOutcome =
  | { status: "stopped" }
  | { status: "finished"; run: SeedRun; recordings: Recordings | null };

/**
 * One network unit with checkpoints: builds the network (or rebuilds it and
 * puts back the state of its last checkpoint: every neuron, synapse, monitor
 * and random stream, core/snapshot.ts), simulates it slice by slice, and
 * saves a checkpoint when `checkpointEveryMs` have passed since the last one,
 * or when asked to stop. The step counter carries across slices, so a
 * simulation cut into slices, or interrupted and resumed, gives the same
 * spikes, traces and weights bit for bit as one run. The event loop turns
 * after every slice, so a Ctrl-C handler runs between them.
 */
export async function runNetworkUnitAsync(ctx: NetworkUnitContext): Promise<NetworkUnitOutcome> {
  const { scenario: s, seed } = ctx;
  const t0 = performance.now();
  const built = buildNetwork(s, seed, ctx.file);
  let buildMs = performance.now() - t0;
  let simMs = 0;
  if (ctx.checkpoint !== null) {
    const { snap, meta } = decodeSnapshot(ctx.checkpoint);
    const m = meta as Partial<NetworkCheckpointMeta> | null;
    if (m?.kind !== "network-checkpoint" || m.seed !== seed)
      throw new Error(`internal: checkpoint of ${m?.kind} seed ${m?.seed} offered to network seed ${seed}`);
    restoreState(built, snap);
    buildMs = m.buildMs ?? buildMs;
    simMs = m.simMs ?? 0;
  }
  const net = built.network;
  const total = Math.round(s.durationMs / s.dtMs);
  const slice = Math.max(1, Math.ceil(total / NETWORK_SLICES));
  const every = ctx.checkpointEveryMs ?? NETWORK_CHECKPOINT_MS;
  const save = () => {
    const meta: NetworkCheckpointMeta = { kind: "network-checkpoint", seed, step: net.step, buildMs, simMs };
    ctx.saveCheckpoint(encodeSnapshot(captureState(built), meta));
  };
  let lastSave = performance.now();
  const resumedAt = net.step;
  while (net.step < total) {
    if (ctx.shouldStop()) {
      if (net.step > resumedAt) save();
      return { status: "stopped" };
    }
    const t = performance.now();
    net.runSteps(Math.min(slice, total - net.step));
    simMs += performance.now() - t;
    ctx.onProgress?.(net.step / total);
    if (net.step < total && performance.now() - lastSave >= every) {
      save();
      lastSave = performance.now();
    }
    await new Promise((done) => setImmediate(done));
  }
  return { status: "finished", ...seedResult(s, built, seed, ctx.record, buildMs, simMs) };
}

/** A simulated seed's figures (and its recordings when `record`). */
function seedResult(
  s: NetworkScenario,
  built: BuiltNetwork,
  seed: number,
  record: boolean,
  buildMs: number,
  simMs: number,
): { run: SeedRun; recordings: Recordings | null } {
  const durationS = s.durationMs / 1000;
  const groups: GroupStats[] = built.spikeMonitors.map((m) => {
    const size = m.source.size;
    const times = m.timesMs();
    const counts = spikeCounts(m.indices, size);
    let active = 0;
    for (let i = 0; i < size; i++) if (counts[i]! > 0) active++;
    return {
      group: m.source.name,
      size,
      spikes: m.count,
      meanRateHz: m.count / size / durationS,
      meanIsiCv: interSpikeIntervals(m.indices, times, size).meanCv,
      activeFraction: active / size,
    };
  });
  const plastic: SynapseStats[] = built.plastic.map((p) => {
    const w = p.synapses.matrix.weight.subarray(0, p.synapses.matrix.count);
    let sum = 0;
    let sq = 0;
    for (let k = 0; k < w.length; k++) {
      sum += w[k]!;
      sq += w[k]! * w[k]!;
    }
    const mean = w.length > 0 ? sum / w.length : 0;
    return {
      name: p.name,
      rule: p.rule.rule,
      count: w.length,
      meanWeight: mean,
      weightStd: Math.sqrt(Math.max(0, w.length > 0 ? sq / w.length - mean * mean : 0)),
    };
  });
  const run: SeedRun = {
    seed,
    plastic,
    synapses: built.synapses.reduce((a, syn) => a + syn.matrix.count, 0),
    buildMs,
    simMs,
    groups,
  };
  if (!record) return { run, recordings: null };
  const recordings: Recordings = {
    spikes: built.spikeMonitors.map((m) => ({
      group: m.source.name,
      size: m.source.size,
      indices: m.indices.slice(),
      timesMs: m.timesMs(),
    })),
    rates: built.rateMonitors.map((m) => ({ group: m.source.name, rateHz: m.rateHz.slice() })),
    traces: built.stateMonitors.flatMap(({ group, monitor }) =>
      monitor.vars.flatMap((variable) =>
        Array.from(monitor.indices, (neuron, k) => ({
          group,
          variable,
          neuron,
          timesMs: monitor.timesMs(),
          values: monitor.trace(variable, k).slice(),
        })),
      ),
    ),
    weights: built.plastic.map((p) => ({
      name: p.name,
      rule: p.rule.rule,
      values: p.synapses.matrix.weight.slice(0, p.synapses.matrix.count),
    })),
  };
  return { run, recordings };
}

/**
 * Builds and simulates a validated network scenario once per seed, in memory (no files written).
 *
 * @param file - names the scenario in messages.
 */
export function runNetworkScenario(
  s: NetworkScenario,
  file: string,
  options: { seeds?: number[]; onSeed?: (run: SeedRun) => void } = {},
): NetworkRunResult {
  const seeds = options.seeds ?? s.seeds;
  const runs: SeedRun[] = [];
  let recordings: Recordings | null = null;
  for (const seed of seeds) {
    const r = runNetworkSeed(s, file, seed, recordings === null);
    runs.push(r.run);
    options.onSeed?.(r.run);
    recordings ??= r.recordings;
  }
  return { scenario: s, seeds, runs, recordings: recordings! };
}
