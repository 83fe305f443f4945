/**
 * The surrogate-gradient learner: a feed-forward (optionally recurrent)
 * network of leaky integrate-and-fire layers unrolled over `steps` time steps
 * and trained end to end by backpropagation through time, with a smooth
 * surrogate standing in for the derivative of the spike (Neftci, Mostafa &
 * Zenke 2019; snnTorch tutorial 5; norse). See ann/spiking/lif-layer.ts for
 * the neuron equations and their gradients, ann/spiking/surrogate.ts for the
 * surrogate shapes.
 *
 *   input --encode--> x[t] --LIF(hidden[0])--> ... --LIF(classes)--> readout --> softmax CE
 *
 * Encoding. "direct": the feature value is a constant input current every
 * step (the first layer then computes W·x once per sample). "poisson": at
 * every step each input spikes with probability p = gain·(x − min)/(max − min)
 * (clipped to 1), a Bernoulli draw from an xorshift128 stream seeded from the
 * learner's Rng (fork "noise", which also draws the dropout masks).
 * "sequence" (sequence tasks only, TaskShape.sequence = S steps × F features):
 * the first layer has F inputs and the network runs T = S × stepsPerElement
 * steps (the `steps` option is ignored); at step t the input current is
 * sequence element floor(t / stepsPerElement), real-valued (direct current).
 * With `recurrent: true` this is a recurrent spiking network (RSNN), as in
 * Bellec et al. 2018's sequential MNIST.
 *
 * Loss, on the output layer over the steps:
 *   "spike-count"   softmax cross-entropy of the spike counts Σ_t s[t] (snnTorch's
 *                   `ce_count_loss`); prediction: the most spikes, ties broken by Σ_t U[t]
 *   "membrane"      softmax cross-entropy of the mean membrane (1/T)·Σ_t U[t];
 *                   prediction: argmax of the same
 *   "membrane-max"  softmax cross-entropy of max_t U[t] (the read-out of norse's MNIST
 *                   example, there on a non-spiking cell); prediction: argmax of the same
 *   "membrane-step" Σ_t CE(U[t]), the loss of snnTorch tutorial 5 (summed over steps,
 *                   as there); prediction: argmax of Σ_t U[t]
 * All are averaged over the batch; Adam (or SGD) from ann/optimizer.ts.
 *
 * Dropout (optional, training only): each hidden neuron is silenced for a
 * whole sample with probability p, the same neuron at every step; the
 * survivors' spikes reach the next layer scaled by 1/(1 − p), and the
 * gradient flows back through the same mask.
 *
 * Polyak averaging (optional, `averageDecay` d > 0): after every optimiser
 * step a ← d·a + (1 − d)·w for every parameter (a starts at 0); `evaluate`
 * runs with the bias-corrected average a/(1 − dⁿ) after n steps in place of
 * w, then puts w back. Training, and the weight statistics, use w.
 *
 * Costs (collectStats, counted over the training samples of the epoch; one
 * step reads as `dtMs` of biological time, 1 ms by default, for rates):
 *   meanFiringRateHz        hidden spikes per hidden neuron per second
 *   spikesPerSample         hidden + output spikes per sample (also each apart)
 *   synapticEventsPerSample accumulates: every spike (input spikes when Poisson)
 *                           times its fan-out, recurrent synapses included
 *   effectiveMacsPerSample  direct encoding: non-zero inputs × fan-out × steps, the
 *                           multiply-accumulates of a step-by-step machine (this
 *                           implementation does them once per sample); sequence:
 *                           non-zero sequence elements × fan-out × stepsPerElement;
 *                           0 for Poisson
 *   denseOpsPerSample       NeuroBench dense count: steps × every synapse
 */
import { z } from "zod";
import { initNames } from "../ann/init.js";
import type { Param } from "../ann/layer.js";
import { softmaxCrossEntropy } from "../ann/loss.js";
import { createOptimizer, type Optimizer } from "../ann/optimizer.js";
import { LifLayer } from "../ann/spiking/lif-layer.js";
import { countNonZero } from "../ann/spiking/spike-kernels.js";
import { defaultSlope } from "../ann/spiking/surrogate.js";
import { UserError } from "../core/errors.js";
import type { Rng } from "../core/rng.js";
import { xorshiftNext } from "../core/xorshift.js";
import { WeightTracker } from "../metrics/weights.js";
import type { TaskShape } from "../tasks/task.js";
import { optimizerSchema } from "./common-schema.js";
import { pruningConfigSchema } from "../plasticity/pruning/config.js";
import { applyMasks, maskCounts } from "../plasticity/pruning/mask-pruning.js";
import { maskStructure, type StructuralPlasticity } from "../plasticity/pruning/structural.js";
import type { BatchResult, InferenceCosts, Learner, LearnerStats, ReceptiveFields } from "./learner.js";
import { CostCounter, effectiveRowOps, nonZeroPerRow, paramBytes } from "../metrics/costs.js";
import { WeightPatch, chooseUnits } from "./silence.js";
import { lesionSynapses } from "./lesion.js";

export const surrogateConfigSchema = z.strictObject({
  type: z.literal("surrogate"),
  name: z.string().min(1).optional().describe("label in results; defaults to the type"),
  hidden: z.array(z.int().min(1).max(100_000)).min(1).default([128]).describe("LIF neurons per hidden layer"),
  steps: z
    .int()
    .min(1)
    .max(1000)
    .default(25)
    .describe('time steps each sample is presented for (ignored with encoding "sequence")'),
  beta: z.number().min(0).max(1).default(0.95).describe("membrane decay per step"),
  threshold: z.number().positive().default(1),
  reset: z
    .enum(["subtract", "zero"])
    .default("subtract")
    .describe("after a spike: subtract the threshold, or set the membrane to zero"),
  detachReset: z.boolean().default(true).describe("leave the reset out of the gradient (as snnTorch)"),
  surrogate: z
    .enum(["fast-sigmoid", "arctan"])
    .default("fast-sigmoid")
    .describe("fast-sigmoid: 1/(1+k|U−θ|)²; arctan: (α/2)/(1+(πα(U−θ)/2)²)"),
  slope: z.number().positive().max(1000).optional().describe("k or α; default 25 (fast-sigmoid) or 2 (arctan)"),
  encoding: z
    .enum(["direct", "poisson", "sequence"])
    .default("direct")
    .describe(
      "direct: the input value as a constant current each step; poisson: a Bernoulli spike per step; sequence (sequence tasks only): one sequence element per stepsPerElement steps as input current, sequence steps × stepsPerElement steps in all",
    ),
  stepsPerElement: z
    .int()
    .min(1)
    .max(1000)
    .default(1)
    .describe('encoding "sequence": time steps each sequence element is presented for'),
  gain: z
    .number()
    .positive()
    .max(1000)
    .default(1)
    .describe("poisson: spike probability per step = gain × scaled input"),
  loss: z
    .enum(["spike-count", "membrane", "membrane-max", "membrane-step"])
    .default("spike-count")
    .describe("softmax cross-entropy of output spike counts, of the mean or max output membrane, or summed over steps"),
  recurrent: z.boolean().default(false).describe("recurrent synapses within each hidden layer"),
  init: z
    .enum(initNames)
    .default("pytorch")
    .describe(
      "pytorch (default, snnTorch's networks are torch.nn.Linear layers): weights and biases U(±1/√fan-in), recurrent weights U(±1/√units); glorot-* or he-*: those weights, zero biases",
    ),
  dropout: z
    .number()
    .min(0)
    .max(0.9)
    .default(0)
    .describe(
      "training only: silence each hidden neuron for a whole sample with this probability (survivors' spikes scaled by 1/(1−p))",
    ),
  dtMs: z.number().positive().max(1000).default(1).describe("biological time per step, for firing rates"),
  averageDecay: z
    .number()
    .min(0)
    .max(0.99999)
    .default(0)
    .describe(
      "evaluate with a bias-corrected exponential moving average of the parameters (Polyak averaging), this decay per batch; 0: off",
    ),
  optimizer: optimizerSchema.default({ type: "adam", learningRate: 5e-4 }),
  batchSize: z.int().min(1).max(4096).default(128),
  pruning: pruningConfigSchema
    .optional()
    .describe(
      "prune (and grow) the synaptic weights while learning through masks: magnitude or random; graph measures when not recurrent",
    ),
});
export type SurrogateConfig = z.infer<typeof surrogateConfigSchema>;

/** Encoding "sequence": the most time steps (sequence steps × stepsPerElement) a network may run. */
const MAX_SEQUENCE_STEPS = 10_000;

/** Options beyond the scenario config (tests only). */
export interface SurrogateLearnerOptions {
  /**
   * Test only: every LIF layer spikes with the surrogate's smooth primitive
   * (LifLayerOptions.smoothSpikes), so that finite differences can check the
   * learner's gradients end to end. Never used for training.
   */
  smoothSpikes?: boolean;
}

export class SurrogateLearner implements Learner {
  readonly name: string;
  readonly type = "surrogate";
  readonly maxBatch: number;
  readonly layers: readonly LifLayer[];
  private readonly c: SurrogateConfig;
  private readonly inputSize: number;
  private readonly image: TaskShape["image"];
  private readonly classes: number;
  private readonly steps: number;
  /** Encoding "sequence": the task's sequence shape (else null). */
  private readonly sequence: { readonly steps: number; readonly features: number } | null;
  private readonly featureMin: number;
  private readonly featureScale: number;
  private readonly optimizer: Optimizer;
  private readonly allParams: readonly Param[];
  private readonly rngState: Uint32Array;
  /** Read-out per sample [maxBatch × classes], its gradient, the tie-breaking membrane sum. */
  private readonly logits: Float32Array;
  private readonly dLogits: Float32Array;
  private readonly memSum: Float32Array;
  /** dLoss/ds or dLoss/dU of the output layer, [steps × maxBatch × classes]. */
  private readonly gOut: Float32Array;
  private readonly predictions: Int32Array;
  /** Polyak averaging: the running averages of the parameters, a copy of the live values, the update count. */
  private readonly averages: Float32Array[];
  private readonly live: Float32Array[];
  private averageSteps = 0;
  /** Dropout: per hidden layer, the mask [maxBatch × units]. */
  private readonly dropMasks: Float32Array[];
  private readonly weightTracker = new WeightTracker();
  /** Draws of the random pruning criterion (a fork: never shifts the initial weights or the noise). */
  private readonly pruneRng: Rng;
  /** Seed of the noise stream measureCosts draws from (fork "costs"; restarted at each call). */
  private readonly costNoise: Uint32Array;
  // Counters since the last collectStats (training samples only).
  private samples = 0;
  private hiddenSpikes = 0;
  private outputSpikes = 0;
  private inputSpikes = 0;
  private inputNonZero = 0;
  private synapticEvents = 0;
  /** neuronRatesHz: spikes of each hidden neuron (all hidden layers in order) and samples, over the latest evaluate call. */
  private readonly rateSpikes: Float64Array;
  private rateSamples = 0;

  constructor(config: SurrogateConfig, shape: TaskShape, rng: Rng, options: SurrogateLearnerOptions = {}) {
    this.c = config;
    this.name = config.name ?? "surrogate";
    this.maxBatch = config.batchSize;
    this.inputSize = shape.inputSize;
    this.image = shape.image;
    this.classes = shape.classes;
    this.sequence = null;
    if (config.encoding === "sequence") {
      const seq = shape.sequence;
      if (seq === undefined) {
        throw new UserError(
          "E_CONFIG_INVALID",
          `learner "${this.name}" (type "surrogate", encoding "sequence") needs a sequence task (steps × features per sample, such as "mnist-rows" or "cue-recall"), but the task gives flat inputs of ${shape.inputSize} values; use encoding "direct" or "poisson"`,
        );
      }
      if (seq.steps * seq.features !== shape.inputSize) {
        throw new Error(
          `task shape: sequence ${seq.steps}×${seq.features} does not match inputSize ${shape.inputSize}`,
        );
      }
      this.sequence = seq;
      if (seq.steps * config.stepsPerElement > MAX_SEQUENCE_STEPS) {
        throw new UserError(
          "E_CONFIG_INVALID",
          `learner "${this.name}" (type "surrogate", encoding "sequence"): ${seq.steps} sequence steps × stepsPerElement ${config.stepsPerElement} = ${seq.steps * config.stepsPerElement} time steps, more than the ${MAX_SEQUENCE_STEPS} allowed; lower stepsPerElement`,
        );
      }
    }
    this.steps = this.sequence !== null ? this.sequence.steps * config.stepsPerElement : config.steps;
    this.featureMin = shape.featureRange.min;
    const span = shape.featureRange.max - shape.featureRange.min;
    this.featureScale = span > 0 ? 1 / span : 1;
    const slope = config.slope ?? defaultSlope[config.surrogate];
    const sizes = [...config.hidden, shape.classes];
    const layers: LifLayer[] = [];
    let inSize = this.sequence !== null ? this.sequence.features : shape.inputSize;
    sizes.forEach((units, i) => {
      const last = i === sizes.length - 1;
      layers.push(
        new LifLayer(
          {
            inSize,
            outSize: units,
            steps: this.steps,
            maxBatch: this.maxBatch,
            input: i === 0 && config.encoding === "direct" ? "constant" : "sequence",
            beta: config.beta,
            threshold: config.threshold,
            reset: config.reset,
            detachReset: config.detachReset,
            surrogate: config.surrogate,
            slope,
            recurrent: config.recurrent && !last,
            init: config.init,
            inputGrad: i > 0,
            smoothSpikes: options.smoothSpikes === true,
          },
          rng.fork(last ? "output" : `lif${i}`),
        ),
      );
      inSize = units;
    });
    this.layers = layers;
    this.allParams = layers.flatMap((l) => [...l.params()]);
    this.optimizer = createOptimizer(config.optimizer);
    this.rngState = rng.fork("noise").uint32Seeds(4);
    this.pruneRng = rng.fork("prune");
    this.costNoise = rng.fork("costs").uint32Seeds(4);
    this.logits = new Float32Array(this.maxBatch * this.classes);
    this.dLogits = new Float32Array(this.maxBatch * this.classes);
    this.memSum = new Float32Array(this.maxBatch * this.classes);
    this.gOut = new Float32Array(this.steps * this.maxBatch * this.classes);
    this.predictions = new Int32Array(this.maxBatch);
    const avg = config.averageDecay > 0;
    this.averages = this.allParams.map((p) => new Float32Array(avg ? p.value.length : 0));
    this.live = this.allParams.map((p) => new Float32Array(avg ? p.value.length : 0));
    const drop = config.dropout > 0;
    this.dropMasks = config.hidden.map((u) => new Float32Array(drop ? this.maxBatch * u : 0));
    this.rateSpikes = new Float64Array(config.hidden.reduce((a, b) => a + b, 0));
  }

  /** The configuration the learner was built with, defaults filled in. */
  get config(): Readonly<SurrogateConfig> {
    return this.c;
  }

  /** Runs `f` with the parameters `evaluate` uses in place (the Polyak averages when those are on). */
  withInferenceParameters<T>(f: () => T): T {
    const averaged = this.c.averageDecay > 0 && this.averageSteps > 0;
    if (averaged) this.swapInAverages();
    try {
      return f();
    } finally {
      if (averaged) this.restoreLive();
    }
  }

  trainBatch(x: Float32Array, y: Int32Array, batch: number): BatchResult {
    const inputSpikes = this.forward(x, batch, true);
    const loss = this.lossAndGradient(y, 0, batch, true);
    const out = this.layers[this.layers.length - 1]!;
    const membraneLoss = this.c.loss !== "spike-count";
    let g: Float32Array | null = out.backward(membraneLoss ? null : this.gOut, membraneLoss ? this.gOut : null, batch);
    for (let l = this.layers.length - 2; l >= 0; l--) {
      // Through the dropout mask: ds/ds_kept = mask.
      if (g !== null && this.c.dropout > 0)
        applyMask(g, this.dropMasks[l]!, this.steps, batch * this.layers[l]!.outSize);
      g = this.layers[l]!.backward(g, null, batch);
    }
    this.optimizer.step(this.allParams);
    if (this.c.averageDecay > 0) this.updateAverages();
    this.count(x, batch, inputSpikes);
    return { loss, correct: this.predict(y, 0, batch, null) };
  }

  evaluate(x: Float32Array, y: Int32Array, batch: number, predictions?: Int32Array): BatchResult {
    const averaged = this.c.averageDecay > 0 && this.averageSteps > 0;
    if (averaged) this.swapInAverages();
    let loss = 0;
    let correct = 0;
    const size = this.inputSize;
    this.rateSpikes.fill(0);
    this.rateSamples = 0;
    for (let start = 0; start < batch; start += this.maxBatch) {
      const n = Math.min(this.maxBatch, batch - start);
      this.forward(x.subarray(start * size, (start + n) * size), n, false);
      this.countRates(n);
      loss += this.lossAndGradient(y, start, n, false) * n;
      correct += this.predict(y, start, n, predictions ?? null);
    }
    if (averaged) this.restoreLive();
    return { loss: loss / Math.max(1, batch), correct };
  }

  /**
   * Each hidden neuron's firing rate over the most recent `evaluate` call
   * (counting restarts at every call; training never touches it): spikes /
   * (samples × steps × dtMs / 1000), hidden layers in order, then neurons in
   * order. The output layer is left out, as in meanFiringRateHz. All zeros
   * before the first evaluate.
   */
  neuronRatesHz(): Float32Array {
    const seconds = (Math.max(1, this.rateSamples) * this.steps * this.c.dtMs) / 1000;
    const rates = new Float32Array(this.rateSpikes.length);
    for (let i = 0; i < rates.length; i++) rates[i] = this.rateSpikes[i]! / seconds;
    return rates;
  }

  collectStats(): LearnerStats {
    const n = Math.max(1, this.samples);
    const weights = this.allParams.filter((p) => p.decay).map((p) => p.value);
    const w = this.weightTracker.stats(weights);
    const hiddenNeurons = this.c.hidden.reduce((a, b) => a + b, 0);
    const seconds = (this.steps * this.c.dtMs) / 1000;
    let dense = 0;
    for (const l of this.layers) {
      dense += l.inSize * l.outSize + (l.recurrentWeight !== null ? l.outSize * l.outSize : 0);
    }
    const stats: LearnerStats = {
      ...w,
      meanFiringRateHz: this.hiddenSpikes / n / hiddenNeurons / seconds,
      spikesPerSample: (this.hiddenSpikes + this.outputSpikes) / n,
      hiddenSpikesPerSample: this.hiddenSpikes / n,
      outputSpikesPerSample: this.outputSpikes / n,
      inputSpikesPerSample: this.inputSpikes / n,
      synapticEventsPerSample: this.synapticEvents / n,
      effectiveMacsPerSample:
        this.c.encoding === "direct"
          ? (this.inputNonZero / n) * this.layers[0]!.outSize * this.steps
          : this.c.encoding === "sequence"
            ? (this.inputNonZero / n) * this.layers[0]!.outSize * this.c.stepsPerElement
            : 0,
      denseOpsPerSample: dense * this.steps,
    };
    const synapses = maskCounts(this.allParams.filter((p) => p.decay));
    stats.synapseCount = synapses.remaining;
    stats.connectionDensity = synapses.total === 0 ? 0 : synapses.remaining / synapses.total;
    this.samples = 0;
    this.hiddenSpikes = 0;
    this.outputSpikes = 0;
    this.inputSpikes = 0;
    this.inputNonZero = 0;
    this.synapticEvents = 0;
    return stats;
  }

  params(): readonly Param[] {
    return this.allParams;
  }

  /** Saves the noise stream (Poisson input spikes, dropout masks): the only state evaluate changes. */
  saveState(): () => void {
    const state = this.rngState.slice();
    return () => this.rngState.set(state);
  }

  /** Lesions the live weights and, when evaluation uses Polyak averages, the averages at the same synapses. */
  lesionSynapses(fraction: number, rng: Rng): () => void {
    const idx: number[] = [];
    this.allParams.forEach((p, i) => {
      if (p.decay) idx.push(i);
    });
    const mirrors = this.averageSteps > 0 ? idx.map((i) => this.averages[i]!) : undefined;
    return lesionSynapses(
      idx.map((i) => this.allParams[i]!.value),
      fraction,
      rng,
      mirrors,
    );
  }

  /** Masked pruning and growth of the feed-forward (and recurrent) weights; a chain of layers for the graph measures unless recurrent. */
  structure(): StructuralPlasticity {
    const recurrent = this.layers.some((l) => l.recurrentWeight !== null);
    const weights = this.allParams.filter((p) => p.decay);
    const averages = weights.map((p) => this.averages[this.allParams.indexOf(p)]!);
    return maskStructure({
      weights,
      all: this.allParams,
      shapes: recurrent ? null : this.layers.map((l) => [l.inSize, l.outSize] as const),
      rng: this.pruneRng,
      onRewind: () => {
        this.optimizer.reset();
        // The averages belong to the trained weights: start averaging afresh from the rewound ones.
        for (const a of this.averages) a.fill(0);
        this.averageSteps = 0;
      },
      // A grown synapse's average starts at its weight (bias-corrected: a = w·(1 − dⁿ)), not at
      // whatever the position averaged before it was pruned, so evaluation sees the grown weight.
      onGrown: (k, i) => {
        const a = averages[k]!;
        if (a.length > 0) a[i] = weights[k]!.value[i]! * (1 - this.c.averageDecay ** this.averageSteps);
      },
    });
  }

  /**
   * Each first-layer neuron's input weights as an image (the task's image
   * shape, one channel; otherwise a 1 × inputSize strip; encoding "sequence":
   * a 1 × features strip, the weights from one sequence element, shared by
   * every step): data[j·P + pixel].
   */
  receptiveFields(): ReceptiveFields {
    const first = this.layers[0]!;
    const n = first.outSize;
    const p = first.inSize;
    const w = first.weight.value;
    const data = new Float32Array(n * p);
    for (let i = 0; i < p; i++) {
      const row = i * n;
      for (let j = 0; j < n; j++) data[j * p + i] = w[row + j]!;
    }
    const img = this.image;
    const square = img !== undefined && img.channels === 1 && img.width * img.height === p;
    return { width: square ? img.width : p, height: square ? img.height : 1, count: n, data };
  }

  /**
   * Inference costs (src/metrics/costs.ts), with the parameters `evaluate`
   * uses (Polyak averages when on) and, for Poisson encoding, spikes drawn
   * from the side stream "costs" (the training stream is put back). Counted
   * as a step-by-step machine: direct encoding gives non-zero inputs ×
   * non-zero fan-out MACs at every step, sequence encoding the non-zero
   * features of the element presented at each step × their non-zero
   * fan-out; every spike (Poisson input, hidden,
   * and on recurrent synapses those of steps 0..T-2) gives ACs through its
   * non-zero fan-out. Activations: every LIF neuron at every step. Membrane
   * updates: LIF neurons × steps, one state variable (U). Footprint:
   * parameters plus U and the previous spike (float32) per neuron.
   */
  measureCosts(x: Float32Array, batch: number): InferenceCosts {
    const averaged = this.c.averageDecay > 0 && this.averageSteps > 0;
    if (averaged) this.swapInAverages();
    const saved = this.rngState.slice();
    this.rngState.set(this.costNoise);
    const layers = this.layers;
    const T = this.steps;
    const size = this.inputSize;
    const counter = new CostCounter();
    try {
      const nnzW = layers.map((l) => nonZeroPerRow(l.weight.value, l.inSize, l.outSize));
      const nnzV = layers.map((l) =>
        l.recurrentWeight !== null ? nonZeroPerRow(l.recurrentWeight.value, l.outSize, l.outSize) : null,
      );
      for (const l of layers)
        counter.denseOps +=
          batch * T * (l.inSize * l.outSize + (l.recurrentWeight !== null ? l.outSize * l.outSize : 0));
      for (let start = 0; start < batch; start += this.maxBatch) {
        const n = Math.min(this.maxBatch, batch - start);
        const xs = x.subarray(start * size, (start + n) * size);
        this.forward(xs, n, false);
        const first = layers[0]!;
        if (this.c.encoding === "direct") counter.effectiveMacs += T * effectiveRowOps(xs, n, size, nnzW[0]!);
        else if (this.c.encoding === "sequence")
          counter.effectiveMacs += effectiveRowOps(first.input, T * n, first.inSize, nnzW[0]!);
        else counter.effectiveAcs += effectiveRowOps(first.input, T * n, size, nnzW[0]!);
        for (let l = 0; l < layers.length; l++) {
          const layer = layers[l]!;
          const out = layer.outSize;
          if (l + 1 < layers.length) counter.effectiveAcs += effectiveRowOps(layer.spikes, T * n, out, nnzW[l + 1]!);
          const v = nnzV[l];
          if (v !== null && v !== undefined) counter.effectiveAcs += effectiveRowOps(layer.spikes, (T - 1) * n, out, v);
          counter.addSpikes(T * n * out, layer.spikeCount);
          counter.addMembraneUpdates(T * n * out, 1);
        }
      }
    } finally {
      this.rngState.set(saved);
      if (averaged) this.restoreLive();
    }
    const neurons = layers.reduce((a, l) => a + l.outSize, 0);
    return counter.finish(batch, paramBytes(this.allParams) + 8 * neurons);
  }

  /**
   * Silences a random share of each hidden layer's neurons: their outgoing
   * weights (rows of the next layer's W and of the recurrent V, and their
   * Polyak averages) are zeroed, so their spikes reach nobody.
   */
  silenceUnits(fraction: number, rng: Rng): () => void {
    const patch = new WeightPatch();
    const layers = this.layers;
    const zeroRow = (p: Param, row: number, cols: number) => {
      patch.zero(p.value, row * cols, cols);
      const a = this.averages[this.allParams.indexOf(p)];
      if (a !== undefined && a.length > 0) patch.zero(a, row * cols, cols);
    };
    for (let l = 0; l + 1 < layers.length; l++) {
      const layer = layers[l]!;
      const next = layers[l + 1]!;
      for (const u of chooseUnits(layer.outSize, fraction, rng.fork(`layer${l}`))) {
        zeroRow(next.weight, u, next.outSize);
        if (layer.recurrentWeight !== null) zeroRow(layer.recurrentWeight, u, layer.outSize);
      }
    }
    return () => patch.undo();
  }

  /** Encodes the batch into the first layer's input and runs every layer; returns the input spikes (Poisson). */
  private forward(x: Float32Array, batch: number, training: boolean): number {
    const first = this.layers[0]!;
    let h: Float32Array;
    let inputSpikes = 0;
    if (this.c.encoding === "direct") {
      h = first.forward(x, batch);
    } else if (this.c.encoding === "sequence") {
      this.encodeSequence(x, batch, first.input);
      h = first.forward(first.input, batch);
    } else {
      inputSpikes = this.encodePoisson(x, batch, first.input);
      h = first.forward(first.input, batch);
    }
    const drop = training && this.c.dropout > 0;
    for (let l = 1; l < this.layers.length; l++) {
      const next = this.layers[l]!;
      // The masked spikes go straight into the next layer's input buffer.
      if (drop) h = this.dropout(h, l - 1, batch, next.input);
      h = next.forward(h, batch);
    }
    return inputSpikes;
  }

  /** Draws layer l's mask for this batch (one draw per sample and neuron); writes the masked spikes into `out`. */
  private dropout(spikes: Float32Array, l: number, batch: number, out: Float32Array): Float32Array {
    const mask = this.dropMasks[l]!;
    const n = batch * this.layers[l]!.outSize;
    const p = this.c.dropout;
    const keep = 1 / (1 - p);
    const s = this.rngState;
    for (let i = 0; i < n; i++) mask[i] = xorshiftNext(s) < p ? 0 : keep;
    for (let t = 0; t < this.steps; t++) {
      const o = t * n;
      for (let i = 0; i < n; i++) out[o + i] = spikes[o + i]! * mask[i]!;
    }
    return out;
  }

  /**
   * Sequence encoding: x is [batch × S × F] (step-major per sample); writes
   * the time-major input [T × batch × F] with row t·batch + b = element
   * floor(t / stepsPerElement) of sample b.
   */
  private encodeSequence(x: Float32Array, batch: number, out: Float32Array): void {
    const seq = this.sequence!;
    const F = seq.features;
    const per = seq.steps * F;
    const k = this.c.stepsPerElement;
    for (let t = 0; t < this.steps; t++) {
      const e = Math.floor(t / k) * F;
      for (let b = 0; b < batch; b++) {
        const src = b * per + e;
        const dst = (t * batch + b) * F;
        for (let f = 0; f < F; f++) out[dst + f] = x[src + f]!;
      }
    }
  }

  /** Bernoulli spikes, time-major [steps × batch × inputs], p = gain·scaled x (≤ 1). */
  private encodePoisson(x: Float32Array, batch: number, out: Float32Array): number {
    const size = this.inputSize;
    const gain = this.c.gain * this.featureScale;
    const lo = this.featureMin;
    const s = this.rngState;
    const stepLen = batch * size;
    let spikes = 0;
    for (let t = 0; t < this.steps; t++) {
      const o = t * stepLen;
      for (let i = 0; i < stepLen; i++) {
        const p = (x[i]! - lo) * gain;
        if (p <= 0) {
          out[o + i] = 0;
        } else if (p >= 1 || xorshiftNext(s) < p) {
          out[o + i] = 1;
          spikes++;
        } else {
          out[o + i] = 0;
        }
      }
    }
    return spikes;
  }

  /**
   * Builds the read-out of the output layer into `logits` (and the membrane
   * sums for tie-breaks), returns the mean loss over the batch and, when
   * `withGrad`, writes dLoss/ds or dLoss/dU of the output layer into gOut.
   */
  private lossAndGradient(y: Int32Array, offset: number, batch: number, withGrad: boolean): number {
    const out = this.layers[this.layers.length - 1]!;
    const T = this.steps;
    const k = this.classes;
    const n = batch * k;
    const mem = out.membrane;
    const spk = out.spikes;
    const logits = this.logits;
    const memSum = this.memSum;
    memSum.fill(0, 0, n);
    for (let t = 0; t < T; t++) {
      const o = t * n;
      for (let i = 0; i < n; i++) memSum[i]! += mem[o + i]!;
    }
    const dLogits = withGrad ? this.dLogits : null;
    const g = this.gOut;
    const mode = this.c.loss;
    if (mode === "membrane-step") {
      let loss = 0;
      for (let t = 0; t < T; t++) {
        const o = t * n;
        for (let i = 0; i < n; i++) logits[i] = mem[o + i]!;
        loss += softmaxCrossEntropy(logits, y, offset, batch, k, dLogits).loss;
        if (dLogits !== null) for (let i = 0; i < n; i++) g[o + i] = dLogits[i]!;
      }
      for (let i = 0; i < n; i++) logits[i] = memSum[i]!;
      return loss;
    }
    if (mode === "spike-count") {
      logits.fill(0, 0, n);
      for (let t = 0; t < T; t++) {
        const o = t * n;
        for (let i = 0; i < n; i++) logits[i]! += spk[o + i]!;
      }
    } else if (mode === "membrane") {
      for (let i = 0; i < n; i++) logits[i] = memSum[i]! / T;
    } else {
      for (let i = 0; i < n; i++) {
        let mx = mem[i]!;
        for (let t = 1; t < T; t++) mx = Math.max(mx, mem[t * n + i]!);
        logits[i] = mx;
      }
    }
    const loss = softmaxCrossEntropy(logits, y, offset, batch, k, dLogits).loss;
    if (dLogits === null) return loss;
    // dLoss/ds[t] = dLoss/dcount (spike-count); dLoss/dU[t] = dLoss/dmean / T (membrane);
    // dLoss/dU[t*] at the step of the maximum only (membrane-max).
    if (mode === "spike-count" || mode === "membrane") {
      const scale = mode === "membrane" ? 1 / T : 1;
      for (let t = 0; t < T; t++) {
        const o = t * n;
        for (let i = 0; i < n; i++) g[o + i] = dLogits[i]! * scale;
      }
    } else {
      g.fill(0, 0, T * n);
      for (let i = 0; i < n; i++) {
        let best = 0;
        for (let t = 1; t < T; t++) if (mem[t * n + i]! > mem[best * n + i]!) best = t;
        g[best * n + i] = dLogits[i]!;
      }
    }
    return loss;
  }

  /** Predicted classes from `logits` (ties broken by the membrane sum); returns the number correct. */
  private predict(y: Int32Array, offset: number, batch: number, into: Int32Array | null): number {
    const k = this.classes;
    const logits = this.logits;
    const memSum = this.memSum;
    const pred = this.predictions;
    let correct = 0;
    for (let b = 0; b < batch; b++) {
      const o = b * k;
      let arg = 0;
      for (let j = 1; j < k; j++) {
        const v = logits[o + j]!;
        const best = logits[o + arg]!;
        if (v > best || (v === best && memSum[o + j]! > memSum[o + arg]!)) arg = j;
      }
      pred[b] = arg;
      if (into !== null) into[offset + b] = arg;
      if (arg === y[offset + b]) correct++;
    }
    return correct;
  }

  /** a ← d·a + (1 − d)·w for every parameter, after each optimiser step. */
  private updateAverages(): void {
    const d = this.c.averageDecay;
    this.averageSteps++;
    for (let k = 0; k < this.allParams.length; k++) {
      const w = this.allParams[k]!.value;
      const a = this.averages[k]!;
      for (let i = 0; i < w.length; i++) a[i] = d * a[i]! + (1 - d) * w[i]!;
    }
  }

  /** Keeps the live parameters aside and puts the bias-corrected averages a/(1 − dⁿ) in their place. */
  private swapInAverages(): void {
    const scale = 1 / (1 - this.c.averageDecay ** this.averageSteps);
    for (let k = 0; k < this.allParams.length; k++) {
      const w = this.allParams[k]!.value;
      const a = this.averages[k]!;
      this.live[k]!.set(w);
      for (let i = 0; i < w.length; i++) w[i] = a[i]! * scale;
    }
    // A pruned weight's average decays towards 0 but never reaches it: evaluate with it at 0.
    applyMasks(this.allParams);
  }

  private restoreLive(): void {
    for (let k = 0; k < this.allParams.length; k++) this.allParams[k]!.value.set(this.live[k]!);
  }

  /** Adds the last training batch's spikes and synaptic events to the counters. */
  private count(x: Float32Array, batch: number, inputSpikes: number): void {
    this.samples += batch;
    const layers = this.layers;
    let events = inputSpikes * layers[0]!.outSize;
    this.inputSpikes += inputSpikes;
    if (this.c.encoding !== "poisson") this.inputNonZero += countNonZero(x, batch * this.inputSize);
    for (let l = 0; l < layers.length; l++) {
      const layer = layers[l]!;
      const s = layer.spikeCount;
      if (l === layers.length - 1) {
        this.outputSpikes += s;
      } else {
        this.hiddenSpikes += s;
        events += s * layers[l + 1]!.outSize;
        if (layer.recurrentWeight !== null) events += s * layer.outSize;
      }
    }
    this.synapticEvents += events;
  }

  /** Adds each hidden neuron's spikes of the last forward pass (n samples) to the neuronRatesHz counts. */
  private countRates(n: number): void {
    const counts = this.rateSpikes;
    let base = 0;
    for (let l = 0; l + 1 < this.layers.length; l++) {
      const layer = this.layers[l]!;
      const perNeuron = layer.countSpikesPerNeuron(n);
      for (let j = 0; j < layer.outSize; j++) counts[base + j]! += perNeuron[j]!;
      base += layer.outSize;
    }
    this.rateSamples += n;
  }
}

/** g[t·n + i] *= mask[i] for every step t: a per-sample mask held over the steps. */
function applyMask(g: Float32Array, mask: Float32Array, steps: number, n: number): void {
  for (let t = 0; t < steps; t++) {
    const o = t * n;
    for (let i = 0; i < n; i++) g[o + i]! *= mask[i]!;
  }
}
