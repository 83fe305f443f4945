/**
 * Unsupervised STDP learner after Diehl & Cook (2015), "Unsupervised learning
 * of digit recognition using spike-timing-dependent plasticity":
 *
 *   image --Poisson, rate = intensity · maxRateHz--> 784 inputs --STDP--> N excitatory
 *   neurons (conductance LIF, adaptive threshold) <--> N inhibitory neurons (winner-take-all)
 *   --spike counts--> label assignment (no trained read-out)
 *
 * trainBatch presents each image with STDP and threshold adaptation on
 * (weights normalised to `weightSum` per neuron before every image) and records
 * the response for label assignment; labels are assigned from the training
 * images of the current epoch only (never the test set). evaluate presents with
 * STDP off (and theta frozen unless `fixThetaAtTest` is false) and predicts the
 * class whose assigned neurons respond most. The network itself is
 * src/learners/diehl-cook/network.ts.
 *
 * Loss: there is no trained objective; the reported loss is a proxy, the
 * fraction of a sample's excitatory spikes fired by neurons not assigned to its
 * label (0 best, 1 worst), under the assignment in force at the time.
 */
import { z } from "zod";
import type { Param } from "../ann/layer.js";
import type { Rng } from "../core/rng.js";
import { UserError } from "../core/errors.js";
import { WeightTracker } from "../metrics/weights.js";
import { DenseColumnNormalizer } from "../plasticity/normalization.js";
import type { TaskShape } from "../tasks/task.js";
import { LabelAssigner } from "./diehl-cook/assignment.js";
import { DiehlCookNetwork } from "./diehl-cook/network.js";
import { diehlCookStructure } from "./diehl-cook/structure.js";
import { pruningConfigSchema } from "../plasticity/pruning/config.js";
import type { StructuralPlasticity } from "../plasticity/pruning/structural.js";
import type { BatchResult, InferenceCosts, Learner, LearnerStats, ReceptiveFields } from "./learner.js";
import { CostCounter, nonZeroPerRow, spikeOps } from "../metrics/costs.js";
import { chooseUnits } from "./silence.js";

export const diehlCookConfigSchema = z.strictObject({
  type: z.literal("stdp"),
  name: z.string().min(1).optional().describe("label in results; defaults to the type"),
  excitatory: z.int().min(1).max(10_000).default(100).describe("excitatory neurons (each has one inhibitory partner)"),
  dtMs: z.number().positive().max(2).default(0.5),
  presentationMs: z
    .number()
    .positive()
    .max(10_000)
    .default(350)
    .describe(
      "time each image is shown (paper: 350 ms). Shorter (e.g. 250) is proportionally faster; fewer spikes per image make STDP and the read-out noisier",
    ),
  restMs: z
    .number()
    .min(0)
    .max(10_000)
    .default(150)
    .describe("rest after each image with the input off (paper: 150 ms)"),
  restMode: z
    .enum(["simulate", "reset"])
    .default("simulate")
    .describe(
      "simulate: run the rest period (paper); reset: skip it and set v, conductances and traces to rest instead (saves restMs of simulation per image, 30% at 350 + 150 ms; theta and weights are kept; restMs is then unused)",
    ),
  maxRateHz: z
    .number()
    .positive()
    .max(1000)
    .default(63.75)
    .describe("Poisson rate of a pixel of intensity 1 (paper: pixel/4 Hz on 0..255)"),
  boostRateHz: z
    .number()
    .min(0)
    .max(1000)
    .default(31.875)
    .describe(
      "rate added per unit intensity each time an image elicits fewer than minSpikes spikes and is shown again (paper: +pixel/8 Hz)",
    ),
  minSpikes: z.int().min(0).default(5),
  maxBoosts: z.int().min(0).max(100).default(10).describe("at most this many re-presentations per image"),
  etaPre: z.number().min(0).default(1e-4).describe("depression per input spike, times the post trace"),
  etaPost: z.number().min(0).default(1e-2).describe("potentiation per output spike, times pre trace · slow post trace"),
  tauPreMs: z.number().positive().default(20),
  tauPost1Ms: z.number().positive().default(20),
  tauPost2Ms: z.number().positive().default(40),
  wMax: z.number().positive().default(1),
  weightSum: z
    .number()
    .positive()
    .default(78)
    .describe("each neuron's input weights are rescaled to this sum before every training image"),
  initWeightMax: z.number().positive().default(0.3).describe("initial weights (U[0,1) + 0.01) · initWeightMax"),
  thetaPlusMv: z.number().min(0).default(0.05).describe("threshold increase per spike"),
  tauThetaMs: z
    .number()
    .positive()
    .default(1e7)
    .describe(
      "decay of theta (paper: 1e7 ms). Theta settles near thetaPlus · (spikes per neuron per second) · tauTheta, which grows as N shrinks: with 100 neurons and 1e7 ms it passes 40 mV within 10,000 images and the network falls silent (accuracy collapses in the second epoch); on the 8,000-image split, measured: N=100 with 2.5e6 ms reaches 82.1% after 5 epochs; N=400 with 1e7 plateaus at 85.3-85.4% (epochs 3-6), with 5e6 reaches 86.6% after 3",
    ),
  fixThetaAtTest: z
    .boolean()
    .default(true)
    .describe(
      "true (paper's test phase): theta is frozen during evaluate; false: it keeps adapting on the test images",
    ),
  excToInhWeight: z.number().min(0).default(10.4),
  inhToExcWeight: z.number().min(0).default(17),
  assignmentWindow: z
    .int()
    .min(1)
    .max(100_000)
    .default(10_000)
    .describe("labels are assigned from at most this many of the epoch's most recent training images (paper: 10,000)"),
  batchSize: z
    .int()
    .min(1)
    .max(4096)
    .default(100)
    .describe("images per trainBatch call (learning is online; this only sets progress granularity)"),
  pruning: pruningConfigSchema
    .optional()
    .describe(
      "prune (and grow) the input synapses while learning: magnitude, activity (decaying pre×post co-activity) or random; pruned synapses stay 0 through STDP and normalisation and are skipped by the simulation",
    ),
});
export type DiehlCookConfig = z.infer<typeof diehlCookConfigSchema>;

export class DiehlCookLearner implements Learner {
  readonly name: string;
  readonly type = "stdp";
  readonly maxBatch: number;
  readonly network: DiehlCookNetwork;
  private readonly c: DiehlCookConfig;
  private readonly inputSize: number;
  private readonly image: { height: number; width: number };
  private readonly normalizer: DenseColumnNormalizer;
  private readonly assigner: LabelAssigner;
  private readonly weightParam: Param;
  private phase: "train" | "eval" = "eval";
  private samples = 0;
  /** neuronRatesHz: spikes of each excitatory, then each inhibitory neuron, and presentations, over the latest evaluate call. */
  private readonly rateSpikes: Float64Array;
  private ratePresentations = 0;
  private readonly weightTracker = new WeightTracker();
  /** Draws of the random pruning criterion (a fork: never shifts the initial weights or the input noise). */
  private readonly pruneRng: Rng;

  constructor(config: DiehlCookConfig, shape: TaskShape, rng: Rng) {
    if (shape.featureRange.min < 0 || shape.featureRange.max > 1) {
      throw new UserError(
        "E_CONFIG_INVALID",
        `learner stdp: inputs must be intensities in [0, 1], the task's features range over [${shape.featureRange.min}, ${shape.featureRange.max}]`,
      );
    }
    this.c = config;
    this.name = config.name ?? "stdp";
    this.maxBatch = config.batchSize;
    this.inputSize = shape.inputSize;
    this.image = shape.image ?? { height: 1, width: shape.inputSize };
    this.network = new DiehlCookNetwork({ ...config, inputs: shape.inputSize }, rng);
    this.normalizer = new DenseColumnNormalizer(shape.inputSize, config.excitatory, {
      targetSum: config.weightSum,
      wMax: config.wMax,
    });
    this.assigner = new LabelAssigner(config.excitatory, shape.classes, config.assignmentWindow);
    this.weightParam = { name: "input-weights", value: this.network.weights, grad: new Float32Array(0), decay: true };
    this.pruneRng = rng.fork("prune");
    this.rateSpikes = new Float64Array(2 * config.excitatory);
  }

  trainBatch(x: Float32Array, y: Int32Array, batch: number): BatchResult {
    if (this.phase === "eval") {
      this.assigner.clear();
      this.phase = "train";
    }
    const net = this.network;
    let loss = 0;
    let correct = 0;
    for (let b = 0; b < batch; b++) {
      this.normalizeWeights();
      net.present(x, b * this.inputSize, true, true);
      const label = y[b]!;
      if (this.assigner.predict(net.counts) === label) correct++;
      loss += this.assigner.offLabelFraction(net.counts, label);
      this.assigner.record(net.counts, label);
    }
    this.assigner.assign();
    this.samples += batch;
    return { loss: loss / Math.max(1, batch), correct };
  }

  evaluate(x: Float32Array, y: Int32Array, batch: number, predictions?: Int32Array): BatchResult {
    if (this.phase === "train") {
      this.assigner.assign();
      this.phase = "eval";
    }
    const net = this.network;
    const adapt = !this.c.fixThetaAtTest;
    let loss = 0;
    let correct = 0;
    const N = net.n;
    this.rateSpikes.fill(0);
    net.excSpikeCounts = this.rateSpikes.subarray(0, N);
    net.inhSpikeCounts = this.rateSpikes.subarray(N, 2 * N);
    const presentations0 = net.presentations;
    try {
      for (let b = 0; b < batch; b++) {
        net.present(x, b * this.inputSize, false, adapt);
        const label = y[b]!;
        const pred = this.assigner.predict(net.counts);
        if (pred === label) correct++;
        if (predictions !== undefined) predictions[b] = pred;
        loss += this.assigner.offLabelFraction(net.counts, label);
      }
    } finally {
      net.excSpikeCounts = null;
      net.inhSpikeCounts = null;
      this.ratePresentations = net.presentations - presentations0;
    }
    this.samples += batch;
    return { loss: loss / Math.max(1, batch), correct };
  }

  /**
   * Firing rates over the most recent `evaluate` call (counting restarts at
   * every call; training and cost measurement never touch it): the N
   * excitatory neurons, then their N inhibitory partners (length 2N). As in
   * meanFiringRateHz, a neuron's spikes over every simulated step
   * (re-presentations and rest periods included) divided by the presentation
   * time, presentations × presentationMs. All zeros before the first evaluate.
   */
  neuronRatesHz(): Float32Array {
    const seconds = (Math.max(1, this.ratePresentations) * this.c.presentationMs) / 1000;
    const rates = new Float32Array(this.rateSpikes.length);
    for (let i = 0; i < rates.length; i++) rates[i] = this.rateSpikes[i]! / seconds;
    return rates;
  }

  /** Rescales each excitatory neuron's input weights to sum to weightSum (bounded by wMax); done before every training image. */
  normalizeWeights(): void {
    // After pruning, only the live synapses are walked (pruned weights are 0 either way).
    if (this.network.normalizeLive(this.c.weightSum, this.c.wMax)) return;
    this.normalizer.apply(this.network.weights);
  }

  /** The class each excitatory neuron is assigned (-1: none yet). */
  get assignment(): Int32Array {
    return this.assigner.assignment;
  }

  collectStats(): LearnerStats {
    const net = this.network;
    const n = Math.max(1, this.samples);
    const weights = [net.weights];
    const w = this.weightTracker.stats(weights);
    let thetaSum = 0;
    for (let j = 0; j < net.n; j++) thetaSum += net.theta[j]!;
    const presentationS = (net.presentations * this.c.presentationMs) / 1000;
    const stats: LearnerStats = {
      ...w,
      meanFiringRateHz: presentationS > 0 ? net.excSpikes / net.n / presentationS : 0,
      spikesPerSample: net.excSpikes / n,
      inhibitorySpikesPerSample: net.inhSpikes / n,
      inputSpikesPerSample: net.inputSpikes / n,
      synapticEventsPerSample: net.synapticEvents / n,
      boostsPerSample: net.boosts / n,
      meanThetaMv: thetaSum / net.n,
      assignedNeurons: this.assigner.assignment.reduce((a, c) => a + (c >= 0 ? 1 : 0), 0),
      synapseCount: net.liveCount(),
      connectionDensity: net.liveCount() / net.weights.length,
    };
    this.samples = 0;
    net.resetCounters();
    return stats;
  }

  params(): readonly Param[] {
    return [this.weightParam];
  }

  /** Saves the network (neuron state, theta, input noise stream, counters) and the sample count. */
  saveState(): () => void {
    const restore = this.network.saveState();
    const samples = this.samples;
    return () => {
      restore();
      this.samples = samples;
    };
  }

  /** The input synapses as prunable and growable (magnitude, activity, random); see diehl-cook/structure.ts. */
  structure(): StructuralPlasticity {
    return diehlCookStructure(this.network, this.pruneRng, this.c.initWeightMax);
  }

  /** Each excitatory neuron's input weights as an image: data[j·H·W + pixel]. */
  receptiveFields(): ReceptiveFields {
    const N = this.network.n;
    const P = this.inputSize;
    const w = this.network.weights;
    const data = new Float32Array(N * P);
    for (let i = 0; i < P; i++) {
      const row = i * N;
      for (let j = 0; j < N; j++) data[j * P + i] = w[row + j]!;
    }
    return { width: this.image.width, height: this.image.height, count: N, data };
  }

  /**
   * Inference costs (src/metrics/costs.ts): each sample presented as
   * `evaluate` does (STDP off, re-presentations and rest periods included),
   * starting with the neurons at rest and input spikes drawn from the side
   * stream "costs" (so the same model and inputs give the same costs); every
   * piece of network state is put back afterwards. Per simulated step the dense count is
   * inputs·N + N (excitatory → inhibitory) + N·(N − 1) (lateral inhibition).
   * ACs: input spikes × non-zero weights of their row, excitatory spikes × 1,
   * inhibitory spikes × (N − 1). Activations: both populations × steps.
   * Membrane updates: excitatory neurons × steps plus the inhibitory updates
   * actually done (event-driven), 3 state variables each (v, ge, gi).
   */
  measureCosts(x: Float32Array, batch: number): InferenceCosts {
    const net = this.network;
    const N = net.n;
    const P = this.inputSize;
    const restore = net.saveState();
    const inputCounts = new Int32Array(P);
    net.inputSpikeCounts = inputCounts;
    net.startCostMeasurement();
    const steps0 = net.stepsRun,
      exc0 = net.excSpikes,
      inh0 = net.inhSpikes,
      updI0 = net.inhibitoryUpdates;
    const adapt = !this.c.fixThetaAtTest;
    let steps = 0,
      exc = 0,
      inh = 0,
      updatesI = 0;
    try {
      for (let b = 0; b < batch; b++) net.present(x, b * P, false, adapt);
      steps = net.stepsRun - steps0;
      exc = net.excSpikes - exc0;
      inh = net.inhSpikes - inh0;
      updatesI = net.inhibitoryUpdates - updI0;
    } finally {
      net.inputSpikeCounts = null;
      restore();
    }
    const counter = new CostCounter();
    counter.denseOps = steps * (P * N + N + N * (N - 1));
    counter.effectiveAcs =
      spikeOps(inputCounts, nonZeroPerRow(net.weights, P, N)) +
      (this.c.excToInhWeight !== 0 ? exc : 0) +
      (this.c.inhToExcWeight !== 0 ? inh * (N - 1) : 0);
    counter.addSpikes(2 * N * steps, exc + inh);
    counter.addMembraneUpdates(N * steps + updatesI, 3);
    return counter.finish(batch, net.inferenceBytes());
  }

  /** Silences a random share of the excitatory neurons: they never spike (so never drive their inhibitory partner). */
  silenceUnits(fraction: number, rng: Rng): () => void {
    const silenced = this.network.silenced;
    const before = silenced.slice();
    for (const u of chooseUnits(this.network.n, fraction, rng)) silenced[u] = 1;
    return () => silenced.set(before);
  }
}
