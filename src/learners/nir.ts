/**
 * The "nir" learner: a network read from a `.nir` file, run by the NIR
 * executor (snn/nir/executor.ts) for inference only, so that a learning
 * scenario can evaluate a model trained elsewhere (snnTorch, Norse, Sinabs,
 * or this project's exported surrogate networks) on a task, with every cost
 * metric. It does not learn: `trainBatch` evaluates.
 *
 * Input: "direct" puts the feature values on the Input node at every step
 * (a constant current); "poisson" draws a Bernoulli spike per input and step
 * with p = gain·(x − min)/(max − min), as the surrogate learner does.
 * Read-out over the steps, on the Output node: "spike-count" (the most
 * spikes; ties broken by the summed membrane of the neuron node that feeds
 * the Output), "membrane" (the mean membrane) or "membrane-max". dt, steps,
 * encoding, gain and read-out default to the file's metadata where this
 * project wrote them, else to 1 ms, 25, "direct", 1, "spike-count".
 *
 * The file is read when the learner is built, synchronously: call
 * `await nirReady()` once before (the CLI does, for scenarios with a "nir"
 * learner), since h5wasm starts asynchronously.
 */
import { z } from "zod";
import type { Param } from "../ann/layer.js";
import { softmaxCrossEntropy } from "../ann/loss.js";
import { UserError } from "../core/errors.js";
import type { Rng } from "../core/rng.js";
import { xorshiftNext } from "../core/xorshift.js";
import { NirExecutor } from "../snn/nir/executor.js";
import { readNirSync } from "../snn/nir/hdf5.js";
import type { NirGraph } from "../snn/nir/graph.js";
import type { TaskShape } from "../tasks/task.js";
import { CostCounter } from "../metrics/costs.js";
import { WeightTracker } from "../metrics/weights.js";
import type { BatchResult, InferenceCosts, Learner, LearnerStats } from "./learner.js";

export const nirConfigSchema = z.strictObject({
  type: z.literal("nir"),
  name: z.string().min(1).optional().describe("label in results; defaults to the type"),
  path: z.string().min(1).describe("the .nir file (relative to the scenario file)"),
  dtMs: z.number().positive().max(1000).optional().describe("the step; default the file's metadata dt, else 1 ms"),
  steps: z.int().min(1).max(10_000).optional().describe("steps per sample; default the file's metadata, else 25"),
  encoding: z.enum(["direct", "poisson"]).optional().describe("default the file's metadata, else direct"),
  gain: z.number().positive().max(1000).optional(),
  readout: z.enum(["spike-count", "membrane", "membrane-max"]).optional(),
  batchSize: z.int().min(1).max(4096).default(128),
});
export type NirConfig = z.infer<typeof nirConfigSchema>;

/** Reads the metadata value `key` if it has the wanted type. */
function meta<T extends string | number>(g: NirGraph, key: string, kind: "string" | "number"): T | undefined {
  const v = g.metadata[key];
  return typeof v === kind ? (v as T) : undefined;
}

export class NirLearner implements Learner {
  readonly name: string;
  readonly type = "nir";
  readonly maxBatch: number;
  readonly dtMs: number;
  readonly steps: number;
  readonly encoding: "direct" | "poisson";
  readonly readout: "spike-count" | "membrane" | "membrane-max";
  readonly graph: NirGraph;
  private readonly exec: NirExecutor;
  private readonly gain: number;
  private readonly classes: number;
  private readonly inputSize: number;
  private readonly featureMin: number;
  private readonly featureScale: number;
  private readonly noise: Uint32Array;
  private readonly costNoise: Uint32Array;
  private readonly logits: Float32Array;
  private readonly memSum: Float32Array;
  private readonly paramList: Param[];
  private readonly weightTracker = new WeightTracker();
  private samples = 0;
  private spikes = 0;
  private synapticEvents = 0;

  constructor(config: NirConfig, shape: TaskShape, rng: Rng, graph?: NirGraph) {
    this.name = config.name ?? "nir";
    const g = graph ?? readNirSync(config.path);
    this.graph = g;
    const dtS = config.dtMs !== undefined ? config.dtMs / 1000 : (meta<number>(g, "dt", "number") ?? 1e-3);
    this.dtMs = dtS * 1000;
    this.steps = config.steps ?? meta<number>(g, "steps", "number") ?? 25;
    const enc = config.encoding ?? meta<string>(g, "encoding", "string");
    this.encoding = enc === "poisson" ? "poisson" : "direct";
    this.gain = config.gain ?? meta<number>(g, "gain", "number") ?? 1;
    const ro = config.readout ?? meta<string>(g, "readout", "string");
    this.readout = ro === "membrane" || ro === "membrane-max" ? ro : "spike-count";
    this.maxBatch = config.batchSize;
    this.exec = new NirExecutor(g, config.path, {
      dtS,
      maxBatch: this.maxBatch,
      constantInput: this.encoding === "direct",
    });
    if (this.exec.inputSize !== shape.inputSize) {
      throw new UserError(
        "E_CONFIG_INVALID",
        `learner "${this.name}": ${config.path} takes ${this.exec.inputSize} inputs, the task gives ${shape.inputSize}`,
      );
    }
    if (this.exec.outputSize !== shape.classes) {
      throw new UserError(
        "E_CONFIG_INVALID",
        `learner "${this.name}": ${config.path} has ${this.exec.outputSize} outputs, the task has ${shape.classes} classes`,
      );
    }
    this.classes = shape.classes;
    this.inputSize = shape.inputSize;
    this.featureMin = shape.featureRange.min;
    const span = shape.featureRange.max - shape.featureRange.min;
    this.featureScale = span > 0 ? 1 / span : 1;
    this.noise = rng.fork("noise").uint32Seeds(4);
    this.costNoise = rng.fork("costs").uint32Seeds(4);
    this.logits = new Float32Array(this.maxBatch * this.classes);
    this.memSum = new Float32Array(this.maxBatch * this.classes);
    this.paramList = [...this.exec.weights].map(([name, value]) => ({
      name,
      value,
      grad: new Float32Array(0),
      decay: true,
    }));
  }

  /** Runs `batch` samples through the graph; fills logits (read-out) and memSum. */
  private run(x: Float32Array, batch: number, noise: Uint32Array): void {
    const ex = this.exec;
    const k = this.classes;
    const n = batch * k;
    const logits = this.logits;
    const memSum = this.memSum;
    logits.fill(this.readout === "membrane-max" ? Number.NEGATIVE_INFINITY : 0, 0, n);
    memSum.fill(0, 0, n);
    ex.reset();
    const input = ex.inputBuffer;
    const size = this.inputSize;
    const source = ex.outputSource;
    const membrane = source !== ex.outputName ? ex.membraneBeforeReset(source) : null;
    if (this.encoding === "direct") input.set(x.subarray(0, batch * size));
    for (let t = 0; t < this.steps; t++) {
      if (this.encoding === "poisson") {
        const gain = this.gain * this.featureScale;
        for (let i = 0; i < batch * size; i++) {
          const p = (x[i]! - this.featureMin) * gain;
          input[i] = p <= 0 ? 0 : p >= 1 || xorshiftNext(noise) < p ? 1 : 0;
        }
      }
      const out = ex.step(batch);
      if (membrane !== null) for (let i = 0; i < n; i++) memSum[i]! += membrane[i]!;
      if (this.readout === "spike-count") for (let i = 0; i < n; i++) logits[i]! += out[i]!;
      else if (this.readout === "membrane-max" && membrane !== null)
        for (let i = 0; i < n; i++) logits[i] = Math.max(logits[i]!, membrane[i]!);
    }
    if (this.readout === "membrane") for (let i = 0; i < n; i++) logits[i] = memSum[i]! / this.steps;
  }

  private score(y: Int32Array, offset: number, batch: number, into: Int32Array | null): BatchResult {
    const k = this.classes;
    const { loss } = softmaxCrossEntropy(this.logits, y, offset, batch, k, null);
    let correct = 0;
    for (let b = 0; b < batch; b++) {
      const o = b * k;
      let arg = 0;
      for (let j = 1; j < k; j++) {
        const v = this.logits[o + j]!;
        const best = this.logits[o + arg]!;
        if (v > best || (v === best && this.memSum[o + j]! > this.memSum[o + arg]!)) arg = j;
      }
      if (into !== null) into[offset + b] = arg;
      if (arg === y[offset + b]) correct++;
    }
    return { loss, correct };
  }

  /** No learning: scores the batch. */
  trainBatch(x: Float32Array, y: Int32Array, batch: number): BatchResult {
    const r = this.evaluate(x, y, batch);
    this.samples += batch;
    return r;
  }

  evaluate(x: Float32Array, y: Int32Array, batch: number, predictions?: Int32Array): BatchResult {
    let loss = 0;
    let correct = 0;
    const size = this.inputSize;
    for (let start = 0; start < batch; start += this.maxBatch) {
      const n = Math.min(this.maxBatch, batch - start);
      const before = this.exec.spikes;
      const events = this.exec.accumulates;
      this.run(x.subarray(start * size, (start + n) * size), n, this.noise);
      this.spikes += this.exec.spikes - before;
      this.synapticEvents += this.exec.accumulates - events;
      const r = this.score(y, start, n, predictions ?? null);
      loss += r.loss * n;
      correct += r.correct;
    }
    return { loss: loss / Math.max(1, batch), correct };
  }

  collectStats(): LearnerStats {
    const n = Math.max(1, this.samples);
    const seconds = (this.steps * this.dtMs) / 1000;
    const stats: LearnerStats = {
      ...this.weightTracker.stats(this.paramList.map((p) => p.value)),
      spikesPerSample: this.spikes / n,
      meanFiringRateHz: this.spikes / n / Math.max(1, this.exec.neurons) / seconds,
      synapticEventsPerSample: this.synapticEvents / n,
      denseOpsPerSample: this.exec.denseOpsPerStep * this.steps,
    };
    this.samples = 0;
    this.spikes = 0;
    this.synapticEvents = 0;
    return stats;
  }

  params(): readonly Param[] {
    return this.paramList;
  }

  /** Saves the input noise stream (Poisson encoding), the only state `evaluate` changes. */
  saveState(): () => void {
    const s = this.noise.slice();
    return () => this.noise.set(s);
  }

  /**
   * Inference costs, counted by the executor as a step-by-step machine:
   * every non-zero input through its fan-out (an accumulate when the input is
   * a spike, a multiply-accumulate otherwise; direct input counts at every
   * step), activations of every neuron at every step, one membrane update per
   * neuron and step (two state variables for CubaLIF and CubaLI).
   */
  measureCosts(x: Float32Array, batch: number): InferenceCosts {
    const counter = new CostCounter();
    const ex = this.exec;
    const noise = this.costNoise.slice();
    const size = this.inputSize;
    for (let start = 0; start < batch; start += this.maxBatch) {
      const n = Math.min(this.maxBatch, batch - start);
      const [acs, macs, spikes, updates] = [ex.accumulates, ex.macs, ex.spikes, ex.neuronUpdates];
      this.run(x.subarray(start * size, (start + n) * size), n, noise);
      counter.effectiveMacs += ex.macs - macs;
      counter.effectiveAcs += ex.accumulates - acs;
      counter.addSpikes(ex.neuronUpdates - updates, ex.spikes - spikes);
      counter.addMembraneUpdates(ex.neuronUpdates - updates, 1);
      counter.denseOps += n * this.steps * ex.denseOpsPerStep;
    }
    return counter.finish(batch, ex.footprintBytes);
  }
}
