/**
 * A liquid-state style spiking learner (Maass, Natschläger & Markram 2002),
 * built from the spiking engine (src/snn):
 *
 *   input features --encode--> PoissonGroup (population or rate code)
 *     --Synapses, random fixed weights onto ge--> LifGroup "pool" of leaky
 *     integrate-and-fire neurons, with sparse random recurrent Synapses
 *     (one-step delay) --hidden spike counts--> a linear softmax readout
 *     trained by gradient descent.
 *
 * The pool is simulated, not approximated: LifGroup integrates
 *   dv/dt = (ge + gi + iExt - (v - El)) / τ,  dge/dt = -ge / τe
 * exactly over each dt, with threshold, reset and a refractory period during
 * which v is held. Each neuron gets a constant drive iExt (uniform in
 * `driveMv`). Only the readout learns; the pool's synapses stay fixed (the
 * "liquid"). Each sample starts from rest (v = El, no synaptic current, no
 * delayed spikes in flight), so samples do not leak into each other.
 */
import { z } from "zod";
import { Dense } from "../ann/dense.js";
import type { Param } from "../ann/layer.js";
import { computeLoss, softmaxCrossEntropy } from "../ann/loss.js";
import { createOptimizer, type Optimizer } from "../ann/optimizer.js";
import type { Rng } from "../core/rng.js";
import { WeightTracker } from "../metrics/weights.js";
import { PopulationCode } from "../snn/inputs/encoders.js";
import { PoissonGroup } from "../snn/inputs/poisson.js";
import { SpikeMonitor } from "../snn/monitors.js";
import { Network } from "../snn/network.js";
import { NEVER_SPIKED } from "../snn/neurons/common.js";
import { LifGroup } from "../snn/neurons/lif.js";
import { Synapses } from "../snn/synapses/synapses.js";
import type { TaskShape } from "../tasks/task.js";
import { optimizerSchema } from "./common-schema.js";
import type { BatchResult, InferenceCosts, Learner, LearnerStats } from "./learner.js";
import {
  CostCounter,
  csrBytes,
  nonZeroFanOut,
  nonZeroPerRow,
  paramBytes,
  spikeOps,
  typedBytes,
} from "../metrics/costs.js";
import { WeightPatch, chooseUnits } from "./silence.js";

export const lsmConfigSchema = z.strictObject({
  type: z.literal("lsm"),
  name: z.string().min(1).optional().describe("label in results; defaults to the type"),
  hidden: z.int().min(1).max(100_000).default(200).describe("LIF neurons in the pool"),
  encoding: z
    .enum(["population", "rate"])
    .default("population")
    .describe("population: Gaussian tuning curves per feature; rate: one channel per feature, rate ∝ value"),
  neuronsPerFeature: z.int().min(1).max(100).default(10).describe("input channels per feature (population code)"),
  maxRateHz: z.number().positive().max(1000).default(200).describe("peak input rate"),
  durationMs: z.number().positive().max(10_000).default(100).describe("presentation time per sample"),
  dtMs: z.number().positive().max(10).default(1),
  precision: z
    .enum(["float64", "float32"])
    .default("float64")
    .describe("state and arithmetic of the pool's LIF neurons: float64 (as Brian2) or float32 (faster)"),
  tauMs: z.number().positive().default(20).describe("membrane time constant"),
  synapseTauMs: z.number().positive().default(5).describe("decay of the synaptic current ge"),
  elMv: z.number().default(-65).describe("resting potential"),
  vThreshMv: z.number().default(-50),
  vResetMv: z.number().default(-65),
  refractoryMs: z.number().min(0).default(2),
  inputWeightMv: z.number().default(12).describe("std of input synaptic weights (jump of ge, mV)"),
  inputConnectivity: z.number().gt(0).max(1).default(0.5).describe("probability of an input→pool synapse"),
  recurrentConnectivity: z.number().min(0).max(1).default(0.1),
  recurrentWeightMv: z.number().min(0).default(4).describe("std of recurrent weights (jump of ge, mV)"),
  driveMv: z
    .array(z.number())
    .length(2)
    .default([5, 14])
    .describe("each neuron's constant drive iExt is uniform in this range (mV above rest)"),
  optimizer: optimizerSchema.default({ type: "adam", learningRate: 0.01 }),
  batchSize: z.int().min(1).max(4096).default(16),
});
export type LsmConfig = z.infer<typeof lsmConfigSchema>;

export class LsmLearner implements Learner {
  readonly name: string;
  readonly type = "lsm";
  readonly maxBatch: number;
  private readonly c: LsmConfig;
  private readonly inputSize: number;
  private readonly perFeature: number;
  private readonly hidden: number;
  private readonly steps: number;
  /** Encoder: each channel's preferred value and tuning width (population code). */
  private readonly code: PopulationCode;
  private readonly rates: Float32Array;
  // The simulated network.
  private readonly input: PoissonGroup;
  private readonly pool: LifGroup;
  private readonly synapses: Synapses[];
  private readonly network: Network;
  private readonly poolSpikes: SpikeMonitor;
  private readonly inputSpikes: SpikeMonitor;
  private readonly features: Float32Array;
  private readonly readout: Dense;
  private readonly dLogits: Float32Array;
  private readonly optimizer: Optimizer;
  // Per-epoch counters.
  private samples = 0;
  private hiddenSpikeTotal = 0;
  private inputSpikeTotal = 0;
  private eventsAtLastCollect = 0;
  /** neuronRatesHz: each pool neuron's spikes and the samples, over the latest evaluate call. */
  private readonly rateSpikes: Float64Array;
  private rateSamples = 0;
  private readonly weightTracker = new WeightTracker();
  /** measureCosts draws its Poisson input from this fork, never from the training stream. */
  private readonly costRng: Rng;

  constructor(config: LsmConfig, shape: TaskShape, rng: Rng) {
    this.c = config;
    this.name = config.name ?? "lsm";
    this.maxBatch = config.batchSize;
    this.inputSize = shape.inputSize;
    this.perFeature = config.encoding === "population" ? config.neuronsPerFeature : 1;
    const channels = shape.inputSize * this.perFeature;
    this.hidden = config.hidden;
    this.steps = Math.max(1, Math.round(config.durationMs / config.dtMs));
    // Population code: centres evenly spaced over [0, 1] of the scaled feature.
    this.code = new PopulationCode(shape.inputSize, this.perFeature, config.maxRateHz, shape.featureRange);
    this.rates = new Float32Array(channels);

    const dt = config.dtMs;
    this.input = new PoissonGroup("input", channels, 0, dt, rng.fork("poisson"));
    this.pool = new LifGroup(
      "pool",
      this.hidden,
      {
        tauMs: config.tauMs,
        elMv: config.elMv,
        vThreshMv: config.vThreshMv,
        vResetMv: config.vResetMv,
        refractoryMs: config.refractoryMs,
        tauEMs: config.synapseTauMs,
        tauIMs: config.synapseTauMs,
      },
      dt,
      { precision: config.precision },
    );
    const [lo, hi] = config.driveMv as [number, number];
    rng.fork("drive").fillUniform(this.pool.iExt, lo, hi);
    const inputSynapses = new Synapses({
      name: "input->pool",
      source: this.input,
      target: this.pool,
      targetVar: "ge",
      connect: { rule: "probability", p: config.inputConnectivity },
      weight: { dist: "normal", mean: 0, std: config.inputWeightMv },
      rng: rng.fork("synapses"),
    });
    this.synapses = [inputSynapses];
    if (config.recurrentConnectivity > 0 && config.recurrentWeightMv > 0) {
      this.synapses.push(
        new Synapses({
          name: "pool->pool",
          source: this.pool,
          target: this.pool,
          targetVar: "ge",
          connect: { rule: "probability", p: config.recurrentConnectivity, allowSelf: false },
          weight: { dist: "normal", mean: 0, std: config.recurrentWeightMv },
          delaySteps: 1,
          rng: rng.fork("recurrent"),
        }),
      );
    }
    this.poolSpikes = new SpikeMonitor(this.pool, dt, { keepSpikes: false });
    this.inputSpikes = new SpikeMonitor(this.input, dt, { keepSpikes: false });
    this.network = new Network({
      dtMs: dt,
      groups: [this.input, this.pool],
      synapses: this.synapses,
      monitors: [this.poolSpikes, this.inputSpikes],
    });
    this.features = new Float32Array(this.maxBatch * this.hidden);
    this.readout = new Dense(this.hidden, shape.classes, this.maxBatch, rng.fork("readout"));
    this.dLogits = new Float32Array(this.maxBatch * shape.classes);
    this.optimizer = createOptimizer(config.optimizer);
    this.costRng = rng.fork("costs");
    this.rateSpikes = new Float64Array(this.hidden);
  }

  /** Sets each input channel's rate from one sample. */
  private encode(x: Float32Array, offset: number): void {
    this.code.encode(x, offset, this.rates);
    this.input.setRates(this.rates);
  }

  /** Simulates one sample from rest and writes its pool spike rates (units of 100 Hz) into features[row]. */
  private simulate(x: Float32Array, sample: number, row: number): void {
    this.encode(x, sample * this.inputSize);
    const pool = this.pool;
    pool.v.fill(this.c.elMv);
    pool.ge.fill(0);
    pool.gi.fill(0);
    pool.lastSpikeStep.fill(NEVER_SPIKED);
    for (const s of this.synapses) s.clearPending();
    this.poolSpikes.clear();
    this.inputSpikes.clear();
    this.network.runSteps(this.steps);
    const counts = this.poolSpikes.counts;
    const H = this.hidden;
    const toRate = 1000 / (this.steps * this.c.dtMs) / 100;
    let total = 0;
    for (let i = 0; i < H; i++) {
      total += counts[i]!;
      this.features[row * H + i] = counts[i]! * toRate;
    }
    this.hiddenSpikeTotal += total;
    this.inputSpikeTotal += this.inputSpikes.totalSpikes();
  }

  trainBatch(x: Float32Array, y: Int32Array, batch: number): BatchResult {
    for (let b = 0; b < batch; b++) this.simulate(x, b, b);
    const logits = this.readout.forward(this.features, batch);
    const r = softmaxCrossEntropy(logits, y, 0, batch, this.readout.outSize, this.dLogits);
    this.readout.backward(this.dLogits, batch);
    this.optimizer.step(this.readout.params());
    this.samples += batch;
    return r;
  }

  evaluate(x: Float32Array, y: Int32Array, batch: number, predictions?: Int32Array): BatchResult {
    let loss = 0;
    let correct = 0;
    const classes = this.readout.outSize;
    const rateSpikes = this.rateSpikes;
    rateSpikes.fill(0);
    this.rateSamples = batch;
    for (let start = 0; start < batch; start += this.maxBatch) {
      const n = Math.min(this.maxBatch, batch - start);
      for (let b = 0; b < n; b++) {
        this.simulate(x, start + b, b);
        const counts = this.poolSpikes.counts;
        for (let i = 0; i < this.hidden; i++) rateSpikes[i]! += counts[i]!;
      }
      const logits = this.readout.forward(this.features, n);
      const r = computeLoss("softmax-cross-entropy", logits, y, start, n, classes, null);
      loss += r.loss * n;
      correct += r.correct;
      if (predictions !== undefined) {
        for (let b = 0; b < n; b++) {
          let arg = 0;
          for (let j = 1; j < classes; j++) if (logits[b * classes + j]! > logits[b * classes + arg]!) arg = j;
          predictions[start + b] = arg;
        }
      }
      this.samples += n;
    }
    return { loss: loss / Math.max(1, batch), correct };
  }

  /**
   * Each pool neuron's firing rate over the most recent `evaluate` call
   * (counting restarts at every call; training never touches it): spikes /
   * (samples × durationMs), the simulated time, as meanFiringRateHz. All
   * zeros before the first evaluate.
   */
  neuronRatesHz(): Float32Array {
    const seconds = (Math.max(1, this.rateSamples) * this.steps * this.c.dtMs) / 1000;
    const rates = new Float32Array(this.hidden);
    for (let i = 0; i < rates.length; i++) rates[i] = this.rateSpikes[i]! / seconds;
    return rates;
  }

  collectStats(): LearnerStats {
    const n = Math.max(1, this.samples);
    const weights = [this.readout.weight.value];
    const w = this.weightTracker.stats(weights);
    const events = this.synapses.reduce((a, s) => a + s.events, 0);
    const stats: LearnerStats = {
      ...w,
      spikesPerSample: this.hiddenSpikeTotal / n,
      inputSpikesPerSample: this.inputSpikeTotal / n,
      meanFiringRateHz: this.hiddenSpikeTotal / n / this.hidden / ((this.steps * this.c.dtMs) / 1000),
      synapticEventsPerSample: (events - this.eventsAtLastCollect) / n,
      synapseCount: this.synapses.reduce((a, s) => a + s.matrix.count, 0),
    };
    this.eventsAtLastCollect = events;
    this.samples = 0;
    this.hiddenSpikeTotal = 0;
    this.inputSpikeTotal = 0;
    return stats;
  }

  params(): readonly Param[] {
    return this.readout.params();
  }

  /** Every input→pool and pool→pool pair (the CSR stores only the drawn ones) plus the read-out's weights. */
  possibleSynapses(): number {
    return this.synapses.reduce((n, s) => n + s.matrix.nPre * s.matrix.nPost, 0) + this.readout.weight.value.length;
  }

  /** Saves the Poisson input generator (each sample is simulated from rest, so it is all evaluate changes). */
  saveState(): () => void {
    const state = this.input.generatorState();
    return () => this.input.setGeneratorState(state);
  }

  /** The read-out weights: the pool's synapses never change. */
  learnedWeights(): Float32Array[] {
    return [this.readout.weight.value];
  }

  /** The fixed input and recurrent synapses of the pool (live CSR entries) and the trained read-out weights. */
  synapticWeights(): Float32Array[] {
    return [...this.synapses.map((s) => s.matrix.weight.subarray(0, s.matrix.count)), this.readout.weight.value];
  }

  /**
   * Inference costs (src/metrics/costs.ts), each sample simulated from rest
   * as in `evaluate`, in a side network that shares the pool, the synapse
   * matrices and the read-out but has its own Poisson input (drawn from the
   * fork "costs", the same numbers at every call) and monitors, so training's
   * spike trains and counters are untouched. ACs: input spikes and pool
   * spikes × non-zero fan-out; MACs: the read-out of non-zero spike rates.
   * Activations: pool neurons × steps. Membrane updates: pool neurons ×
   * steps, 3 state variables (v, ge, gi). Footprint: read-out, CSR synapses,
   * pool state (v, ge, gi, iExt, last spike), delay rings, input rates.
   */
  measureCosts(x: Float32Array, batch: number): InferenceCosts {
    const c = this.c;
    const pool = this.pool;
    const H = this.hidden;
    const steps = this.steps;
    const input = new PoissonGroup("input", this.input.size, 0, c.dtMs, this.costRng.fork("poisson"));
    const inputSyn = new Synapses(
      {
        name: "input->pool",
        source: input,
        target: pool,
        targetVar: "ge",
        connect: { rule: "probability", p: c.inputConnectivity },
      },
      this.synapses[0]!.matrix,
    );
    const recurrent = this.synapses.slice(1);
    const eventsBefore = recurrent.map((s) => s.events);
    const poolMon = new SpikeMonitor(pool, c.dtMs, { keepSpikes: false });
    const inputMon = new SpikeMonitor(input, c.dtMs, { keepSpikes: false });
    const synapses = [inputSyn, ...recurrent];
    const net = new Network({ dtMs: c.dtMs, groups: [input, pool], synapses, monitors: [poolMon, inputMon] });
    const fanIn = nonZeroFanOut(inputSyn.matrix);
    const fanRec = recurrent.map((s) => nonZeroFanOut(s.matrix));
    const classes = this.readout.outSize;
    const nnzOut = nonZeroPerRow(this.readout.weight.value, H, classes);
    const counter = new CostCounter();
    const stored = synapses.reduce((a, s) => a + s.matrix.count, 0);
    counter.denseOps = batch * (steps * stored + H * classes);
    for (let b = 0; b < batch; b++) {
      this.encode(x, b * this.inputSize);
      input.setRates(this.rates);
      pool.v.fill(c.elMv);
      pool.ge.fill(0);
      pool.gi.fill(0);
      pool.lastSpikeStep.fill(NEVER_SPIKED);
      for (const s of synapses) s.clearPending();
      poolMon.clear();
      inputMon.clear();
      net.runSteps(steps);
      const counts = poolMon.counts;
      let spikes = 0;
      for (let j = 0; j < H; j++) {
        const k = counts[j]!;
        spikes += k;
        if (k !== 0) counter.effectiveMacs += nnzOut[j]!;
      }
      counter.effectiveAcs += spikeOps(inputMon.counts, fanIn);
      for (const fan of fanRec) counter.effectiveAcs += spikeOps(counts, fan);
      counter.addSpikes(H * steps, spikes);
      counter.addMembraneUpdates(H * steps, 3);
    }
    recurrent.forEach((s, i) => {
      s.events = eventsBefore[i]!;
    });
    let footprint =
      paramBytes(this.readout.params()) +
      typedBytes(pool.v, pool.ge, pool.gi, pool.iExt, pool.lastSpikeStep, this.input.rateHz) +
      16;
    for (const s of synapses) {
      footprint += csrBytes(s.matrix);
      const slots = s.matrix.maxDelaySteps() + 1;
      if (slots > 1) footprint += slots * (4 * pool.size + 1);
    }
    return counter.finish(batch, footprint);
  }

  /** Silences a random share of the pool: their recurrent synapses and read-out rows are zeroed. */
  silenceUnits(fraction: number, rng: Rng): () => void {
    const patch = new WeightPatch();
    const recurrent = this.synapses.slice(1);
    const w = this.readout.weight.value;
    const classes = this.readout.outSize;
    for (const u of chooseUnits(this.hidden, fraction, rng)) {
      for (const s of recurrent) {
        const start = s.matrix.rowPtr[u]!;
        patch.zero(s.matrix.weight, start, s.matrix.rowPtr[u + 1]! - start);
      }
      patch.zero(w, u * classes, classes);
    }
    return () => patch.undo();
  }
}
