/**
 * A liquid-state style spiking learner (Maass, Natschläger & Markram 2002):
 *
 *   input features --encode--> Poisson spike trains (population or rate code)
 *     --random fixed synapses (voltage jumps)--> a pool of leaky
 *     integrate-and-fire neurons with sparse random recurrent synapses
 *     --hidden spike counts--> a linear softmax readout trained by gradient descent.
 *
 * The pool is simulated, not approximated: each time step of `dtMs` the
 * membrane relaxes exactly towards its resting drive,
 *   v(t+dt) = vDrive + (v(t) - vDrive)·exp(-dt/τ),  vDrive = El + iExt,
 * arriving spikes add their weights to v, a neuron whose v exceeds vThresh
 * spikes, is reset to vReset and held there for the refractory period.
 * Only the readout learns; the pool's synapses stay fixed (the "liquid").
 */
import { z } from "zod";
import { Dense } from "../ann/dense.js";
import type { Param } from "../ann/layer.js";
import { computeLoss, softmaxCrossEntropy } from "../ann/loss.js";
import { createOptimizer, type Optimizer } from "../ann/optimizer.js";
import type { Rng } from "../core/rng.js";
import { xorshiftNext } from "../core/xorshift.js";
import { weightStats } from "../metrics/weights.js";
import type { TaskShape } from "../tasks/task.js";
import { optimizerSchema } from "./common-schema.js";
import type { BatchResult, Learner, LearnerStats } from "./learner.js";

export const lsmConfigSchema = z.strictObject({
  type: z.literal("lsm"),
  name: z.string().min(1).optional().describe("label in results; defaults to the type"),
  hidden: z.int().min(1).max(100_000).default(200).describe("LIF neurons in the pool"),
  encoding: z.enum(["population", "rate"]).default("population")
    .describe("population: Gaussian tuning curves per feature; rate: one channel per feature, rate ∝ value"),
  neuronsPerFeature: z.int().min(1).max(100).default(10).describe("input channels per feature (population code)"),
  maxRateHz: z.number().positive().max(1000).default(200).describe("peak input rate"),
  durationMs: z.number().positive().max(10_000).default(100).describe("presentation time per sample"),
  dtMs: z.number().positive().max(10).default(1),
  tauMs: z.number().positive().default(20).describe("membrane time constant"),
  elMv: z.number().default(-65).describe("resting potential"),
  vThreshMv: z.number().default(-50),
  vResetMv: z.number().default(-65),
  refractoryMs: z.number().min(0).default(2),
  inputWeightMv: z.number().default(3).describe("std of input synaptic weights (voltage jump, mV)"),
  inputConnectivity: z.number().gt(0).max(1).default(0.5).describe("probability of an input→pool synapse"),
  recurrentConnectivity: z.number().min(0).max(1).default(0.1),
  recurrentWeightMv: z.number().min(0).default(1).describe("std of recurrent weights (mV)"),
  driveMv: z.array(z.number()).length(2).default([5, 14])
    .describe("each neuron's constant drive R·I is uniform in this range (mV above rest)"),
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
  private readonly channels: number;
  private readonly hidden: number;
  private readonly steps: number;
  private readonly refractorySteps: number;
  private readonly decay: number;
  // Encoder: each channel's preferred value and tuning width (population code).
  private readonly centre: Float32Array;
  private readonly width: number;
  private readonly featureMin: number;
  private readonly featureSpan: number;
  // Synapses, dense by presynaptic row (a spike walks one row).
  private readonly wIn: Float32Array;
  private readonly wRec: Float32Array;
  private readonly recTargets: Int32Array;
  private readonly recRowPtr: Int32Array;
  // Pool state, struct of arrays.
  private readonly v: Float32Array;
  private readonly vDrive: Float32Array;
  private readonly refractoryLeft: Int32Array;
  private readonly counts: Float32Array;
  private readonly spikedNow: Int32Array;
  private readonly spikedPrev: Int32Array;
  private readonly channelProb: Float32Array;
  private readonly features: Float32Array;
  private readonly readout: Dense;
  private readonly dLogits: Float32Array;
  private readonly optimizer: Optimizer;
  private readonly noise: Uint32Array;
  // Per-epoch counters.
  private samples = 0;
  private hiddenSpikes = 0;
  private inputSpikes = 0;
  private synapticEvents = 0;
  private lastWeights: Float32Array[] | null = null;

  constructor(config: LsmConfig, shape: TaskShape, rng: Rng) {
    this.c = config;
    this.name = config.name ?? "lsm";
    this.maxBatch = config.batchSize;
    this.inputSize = shape.inputSize;
    const perFeature = config.encoding === "population" ? config.neuronsPerFeature : 1;
    this.channels = shape.inputSize * perFeature;
    this.hidden = config.hidden;
    this.steps = Math.max(1, Math.round(config.durationMs / config.dtMs));
    this.refractorySteps = Math.round(config.refractoryMs / config.dtMs);
    this.decay = Math.exp(-config.dtMs / config.tauMs);
    this.featureMin = shape.featureRange.min;
    this.featureSpan = Math.max(1e-9, shape.featureRange.max - shape.featureRange.min);

    // Population code: centres evenly spaced over [0, 1] of the scaled feature.
    this.centre = new Float32Array(this.channels);
    for (let f = 0; f < shape.inputSize; f++) {
      for (let k = 0; k < perFeature; k++) {
        this.centre[f * perFeature + k] = perFeature === 1 ? 1 : k / (perFeature - 1);
      }
    }
    this.width = perFeature > 1 ? 1 / (perFeature - 1) : 1;

    const synRng = rng.fork("synapses");
    const H = this.hidden;
    this.wIn = new Float32Array(this.channels * H);
    for (let i = 0; i < this.wIn.length; i++) {
      this.wIn[i] = synRng.next() < config.inputConnectivity ? config.inputWeightMv * synRng.normal() : 0;
    }
    // Sparse recurrent synapses in CSR (no self-connections).
    const targets: number[] = [];
    const weights: number[] = [];
    this.recRowPtr = new Int32Array(H + 1);
    const recRng = rng.fork("recurrent");
    for (let i = 0; i < H; i++) {
      for (let j = 0; j < H; j++) {
        if (i !== j && recRng.next() < config.recurrentConnectivity) {
          targets.push(j);
          weights.push(config.recurrentWeightMv * recRng.normal());
        }
      }
      this.recRowPtr[i + 1] = targets.length;
    }
    this.recTargets = Int32Array.from(targets);
    this.wRec = Float32Array.from(weights);

    this.v = new Float32Array(H);
    this.vDrive = new Float32Array(H);
    const driveRng = rng.fork("drive");
    const [lo, hi] = config.driveMv as [number, number];
    for (let i = 0; i < H; i++) this.vDrive[i] = config.elMv + driveRng.uniform(lo, hi);
    this.refractoryLeft = new Int32Array(H);
    this.counts = new Float32Array(H);
    this.spikedNow = new Int32Array(H);
    this.spikedPrev = new Int32Array(H);
    this.channelProb = new Float32Array(this.channels);
    this.features = new Float32Array(this.maxBatch * H);
    this.readout = new Dense(H, shape.classes, this.maxBatch, rng.fork("readout"));
    this.dLogits = new Float32Array(this.maxBatch * shape.classes);
    this.optimizer = createOptimizer(config.optimizer);
    this.noise = rng.fork("poisson").uint32Seeds(4);
  }

  /** Sets each input channel's per-step spike probability from one sample. */
  private encode(x: Float32Array, offset: number): void {
    const perFeature = this.channels / this.inputSize;
    const pMax = (this.c.maxRateHz * this.c.dtMs) / 1000;
    const w2 = 2 * this.width * this.width;
    for (let f = 0; f < this.inputSize; f++) {
      let u = (x[offset + f]! - this.featureMin) / this.featureSpan;
      u = u < 0 ? 0 : u > 1 ? 1 : u;
      for (let k = 0; k < perFeature; k++) {
        const ch = f * perFeature + k;
        if (perFeature === 1) {
          this.channelProb[ch] = pMax * u;
        } else {
          const d = u - this.centre[ch]!;
          this.channelProb[ch] = pMax * Math.exp(-(d * d) / w2);
        }
      }
    }
  }

  /** Simulates one sample and writes its hidden spike rates (units of 100 Hz) into features[row]. */
  private simulate(x: Float32Array, sample: number, row: number): void {
    this.encode(x, sample * this.inputSize);
    const H = this.hidden;
    const C = this.channels;
    const v = this.v;
    const vDrive = this.vDrive;
    const refr = this.refractoryLeft;
    const counts = this.counts;
    const wIn = this.wIn;
    const wRec = this.wRec;
    const recTargets = this.recTargets;
    const recRowPtr = this.recRowPtr;
    const prob = this.channelProb;
    const noise = this.noise;
    const decay = this.decay;
    const vThresh = this.c.vThreshMv;
    const vReset = this.c.vResetMv;
    const refSteps = this.refractorySteps;
    let spikedPrev = this.spikedPrev;
    let spikedNow = this.spikedNow;
    let nPrev = 0;
    let inputSpikes = 0;
    let events = 0;
    // Each sample starts from rest: no memory of the previous one.
    v.fill(this.c.elMv);
    refr.fill(0);
    counts.fill(0);
    for (let step = 0; step < this.steps; step++) {
      // 1. integrate: exact relaxation towards the drive; refractory neurons hold v.
      for (let i = 0; i < H; i++) {
        if (refr[i]! > 0) continue;
        v[i] = vDrive[i]! + (v[i]! - vDrive[i]!) * decay;
      }
      // 2. deliver input spikes drawn this step (Bernoulli with p = rate·dt).
      for (let ch = 0; ch < C; ch++) {
        if (xorshiftNext(noise) >= prob[ch]!) continue;
        inputSpikes++;
        events += H;
        const row = ch * H;
        for (let i = 0; i < H; i++) if (refr[i] === 0) v[i]! += wIn[row + i]!;
      }
      // 3. deliver recurrent spikes of the previous step (one-step delay).
      for (let s = 0; s < nPrev; s++) {
        const pre = spikedPrev[s]!;
        const end = recRowPtr[pre + 1]!;
        events += end - recRowPtr[pre]!;
        for (let k = recRowPtr[pre]!; k < end; k++) {
          const post = recTargets[k]!;
          if (refr[post] === 0) v[post]! += wRec[k]!;
        }
      }
      // 4. threshold, reset, refractory countdown.
      let nNow = 0;
      for (let i = 0; i < H; i++) {
        if (refr[i]! > 0) {
          refr[i]!--;
          continue;
        }
        if (v[i]! > vThresh) {
          v[i] = vReset;
          refr[i] = refSteps;
          counts[i]!++;
          spikedNow[nNow++] = i;
        }
      }
      const t = spikedPrev;
      spikedPrev = spikedNow;
      spikedNow = t;
      nPrev = nNow;
    }
    const toRate = 1000 / (this.steps * this.c.dtMs) / 100;
    let total = 0;
    const f = this.features;
    for (let i = 0; i < H; i++) {
      total += counts[i]!;
      f[row * H + i] = counts[i]! * toRate;
    }
    this.hiddenSpikes += total;
    this.inputSpikes += inputSpikes;
    this.synapticEvents += events;
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
    for (let start = 0; start < batch; start += this.maxBatch) {
      const n = Math.min(this.maxBatch, batch - start);
      for (let b = 0; b < n; b++) this.simulate(x, start + b, b);
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

  collectStats(): LearnerStats {
    const n = Math.max(1, this.samples);
    const weights = [this.readout.weight.value];
    const w = weightStats(weights, this.lastWeights);
    this.lastWeights = weights.map((a) => a.slice());
    const stats: LearnerStats = {
      ...w,
      spikesPerSample: this.hiddenSpikes / n,
      inputSpikesPerSample: this.inputSpikes / n,
      meanFiringRateHz: this.hiddenSpikes / n / this.hidden / (this.steps * this.c.dtMs / 1000),
      synapticEventsPerSample: this.synapticEvents / n,
    };
    this.samples = 0;
    this.hiddenSpikes = 0;
    this.inputSpikes = 0;
    this.synapticEvents = 0;
    return stats;
  }

  params(): readonly Param[] {
    return this.readout.params();
  }
}
