/**
 * The `network` learner: a spiking network written as data (the network
 * scenario format: groups of any neuron model, equations included; synapses
 * with connection rules, weights, delays and plasticity) learning a task on
 * the general engine (src/snn + src/plasticity). The learner orchestrates:
 * it shows each sample through its input stage, runs the engine's Network
 * for the presentation and the rest (or resets it), reads the spike counts of
 * one group, and hands them to a readout. Every step of simulation and
 * learning is the engine's own typed-array kernels: the groups' integration,
 * CSR delivery, the STDP rules, adaptive thresholds; the learner adds no
 * per-neuron objects and no closures to the step.
 *
 * Per training sample: synaptic normalisation (where a synapse population
 * asks for it), presentation (repeated with a stronger input while the
 * readout group fires fewer than `retry.minSpikes`), rest or reset; then the
 * readout's prediction, the reward of reward-stdp synapses (`reward.correct`
 * when the prediction was right, `reward.wrong` otherwise), and the readout's
 * learning (labels recorded, or a gradient step per batch). Evaluation runs
 * the same presentations with plasticity off and, unless `fixAtTest` is
 * false, thresholds frozen.
 *
 * A Monitor gate at the end of each step runs the plasticity rules (and the
 * pruning criterion's co-activity scores) only while learning; adaptive
 * thresholds are Monitors of their own, enabled or not by phase.
 *
 * Randomness, from the learner's stream: the description's groups and
 * synapses fork("network") (./build.ts), the input spikes fork("poisson"),
 * the linear readout fork("readout"), random pruning fork("prune"), cost
 * measurement's input spikes fork("costs").
 */
import type { Param } from "../../ann/layer.js";
import { UserError } from "../../core/errors.js";
import type { Rng } from "../../core/rng.js";
import { captureState, restoreState } from "../../core/snapshot.js";
import { WeightTracker } from "../../metrics/weights.js";
import type { AdaptiveThreshold } from "../../plasticity/homeostasis.js";
import type { StructuralPlasticity } from "../../plasticity/pruning/structural.js";
import { RewardStdp } from "../../plasticity/reward-stdp.js";
import type { NeuronGroup, StateArray } from "../../snn/group.js";
import { SpikeMonitor } from "../../snn/monitors.js";
import { Network } from "../../snn/network.js";
import { NEVER_SPIKED } from "../../snn/neurons/common.js";
import type { TaskShape } from "../../tasks/task.js";
import type { BatchResult, InferenceCosts, Learner, LearnerStats, ReceptiveFields } from "../learner.js";
import { chooseUnits, WeightPatch } from "../silence.js";
import { measureNetworkCosts } from "./costs.js";
import type { InputStage } from "./input-stage.js";
import { AssignmentReadout, LinearReadout, type Readout } from "./readout.js";
import type { NetworkLearnerConfig } from "./schema.js";
import { LearningGate, type LearnerSynapses, type NetworkLearnerParts } from "./parts.js";
import { networkStructure } from "./structure.js";
import { assembleNetwork } from "./assemble.js";

/** A state array restored by a reset, with its value after construction. */
interface Resettable {
  array: StateArray;
  initial: StateArray;
}

export class NetworkLearner implements Learner, NetworkLearnerParts {
  readonly name: string;
  readonly type = "network";
  readonly maxBatch: number;
  readonly config: NetworkLearnerConfig;
  readonly network: Network;
  readonly input: InputStage;
  /** Every group the network steps: the input stage's source first, then the description's, then inhibitory ones. */
  readonly groups: NeuronGroup[];
  /** The groups whose neurons count as hidden units (all but the input source). */
  readonly hidden: NeuronGroup[];
  readonly synapses: LearnerSynapses[];
  readonly gate: LearningGate;
  readonly thresholds: { threshold: AdaptiveThreshold; fixAtTest: boolean }[];
  readonly readoutGroup: NeuronGroup;
  readonly readout: Readout;
  /** Spike counts of the readout group during the counted presentation of the latest sample. */
  readonly counts: Int32Array;
  /** Steps of a presentation and of a rest. */
  readonly presentSteps: number;
  readonly restSteps: number;
  /** Spike counts per group (hidden groups, then the input source when there is one) since the last collectStats. */
  readonly monitors: SpikeMonitor[];
  private readonly readoutMonitor: SpikeMonitor;
  /** Features per sample. */
  readonly inputSize: number;
  private readonly image: { height: number; width: number };
  private readonly resettable: Resettable[];
  private readonly rewardRules: RewardStdp[];
  private readonly weightTracker = new WeightTracker();
  private readonly pruneRng: Rng;
  /** The input stream's state at the start of every cost measurement (fork "costs", as the fused learner's). */
  readonly costSeeds: Uint32Array;
  // Counters since the last collectStats.
  private samples = 0;
  private presentations = 0;
  private boosts = 0;
  private stepsAtCollect = 0;
  /** neuronRatesHz: hidden spikes per neuron over the latest evaluate call, and its presentations. */
  private readonly rateSpikes: Float64Array;
  private ratePresentations = 0;

  constructor(config: NetworkLearnerConfig, shape: TaskShape, rng: Rng) {
    this.config = config;
    this.name = config.name ?? "network";
    this.maxBatch = config.batchSize;
    this.inputSize = shape.inputSize;
    this.image = shape.image ?? { height: 1, width: shape.inputSize };
    const where = `learner "${this.name}" (type network)`;
    const dt = config.dtMs;
    const p = config.presentation;
    this.presentSteps = Math.max(1, Math.round(p.presentationMs / dt));
    this.restSteps = Math.max(0, Math.round(p.restMs / dt));

    const parts = assembleNetwork(config, shape, rng, where);
    this.input = parts.input;
    this.synapses = parts.synapses;
    this.thresholds = parts.thresholds;
    const inputGroup = this.input.group;
    const table = parts.groups;
    const readoutGroup = table.get(config.readout.group);
    if (readoutGroup === undefined || readoutGroup === inputGroup)
      throw new UserError(
        "E_CONFIG_INVALID",
        `${where}.readout.group: expected a group of the network (${parts.hidden.map((g) => g.name).join(", ")}), found "${config.readout.group}"`,
      );
    this.readoutGroup = readoutGroup;
    this.counts = new Int32Array(readoutGroup.size);
    this.readout =
      config.readout.type === "assignment"
        ? new AssignmentReadout(readoutGroup.size, shape.classes, config.readout.window, config.readout.voting)
        : new LinearReadout(
            readoutGroup.size,
            shape.classes,
            config.batchSize,
            config.readout,
            this.presentSteps,
            dt,
            rng.fork("readout"),
          );

    this.groups = [...(inputGroup !== null ? [inputGroup] : []), ...parts.hidden];
    this.hidden = parts.hidden;
    this.gate = new LearningGate(this.synapses.flatMap((s) => (s.rule === null ? [] : [s.rule])));
    this.rewardRules = this.gate.rules.filter((r): r is RewardStdp => r instanceof RewardStdp);
    this.readoutMonitor = new SpikeMonitor(readoutGroup, dt, { keepSpikes: false });
    this.monitors = [...this.hidden, ...(inputGroup !== null ? [inputGroup] : [])].map(
      (g) => new SpikeMonitor(g, dt, { keepSpikes: false }),
    );
    this.network = new Network({
      dtMs: dt,
      groups: this.groups,
      synapses: this.synapses.map((s) => s.synapses),
      monitors: [this.gate, ...this.thresholds.map((t) => t.threshold), this.readoutMonitor, ...this.monitors],
    });
    // What a reset puts back: every hidden state variable as built, except the adaptive thresholds.
    const kept = new Set<StateArray>(this.thresholds.map((t) => t.threshold.theta));
    this.resettable = this.hidden.flatMap((g) =>
      Object.values(g.state)
        .filter((a) => !kept.has(a))
        .map((a) => ({ array: a, initial: a.slice() })),
    );
    this.rateSpikes = new Float64Array(this.hidden.reduce((n, g) => n + g.size, 0));
    this.pruneRng = rng.fork("prune");
    this.costSeeds = rng.fork("costs").uint32Seeds(4);
  }

  /** The synapse population named `name` (undefined when there is none). */
  synapsesNamed(name: string): LearnerSynapses | undefined {
    return this.synapses.find((s) => s.name === name);
  }

  /** The group named `name` (undefined when there is none). */
  group(name: string): NeuronGroup | undefined {
    return this.groups.find((g) => g.name === name);
  }

  /** Sets learning (plasticity, co-activity scores) and threshold adaptation: on in training, off in evaluation. */
  setLearning(training: boolean): void {
    this.gate.learning = training;
    for (const t of this.thresholds) t.threshold.enabled = training || !t.fixAtTest;
  }

  /**
   * Presents one sample (x[offset ..]) and then rests or resets: see
   * `presentOnly`. Returns the counted presentation's total.
   */
  present(x: Float32Array, offset: number): number {
    const total = this.presentOnly(x, offset);
    this.restOrReset();
    return total;
  }

  /**
   * Shows one sample (x[offset ..]) for the presentation time, repeated with
   * a stronger input while the readout group fires fewer than
   * retry.minSpikes times (at most maxBoosts times; each repetition after the
   * rest or reset). Fills `counts` from the last presentation, returns its
   * total, and leaves the network as it ended: the caller reads the readout,
   * gives the reward, then calls `restOrReset`.
   */
  presentOnly(x: Float32Array, offset: number): number {
    const retry = this.config.presentation.retry;
    const maxBoosts = retry?.maxBoosts ?? 0;
    const net = this.network;
    let total = 0;
    for (let attempt = 0; ; attempt++) {
      this.input.show(x, offset, net.step, attempt * (retry?.boostRateHz ?? 0));
      this.readoutMonitor.clear();
      net.runSteps(this.presentSteps);
      this.counts.set(this.readoutMonitor.counts);
      total = 0;
      for (let j = 0; j < this.counts.length; j++) total += this.counts[j]!;
      this.presentations++;
      this.input.silence(net.step);
      if (retry === undefined || total >= retry.minSpikes || attempt >= maxBoosts) return total;
      this.restOrReset();
      this.boosts++;
    }
  }

  /** After a presentation: the rest period with the input off, or a reset (`presentation.between`). */
  restOrReset(): void {
    if (this.config.presentation.between === "rest") {
      this.network.runSteps(this.restSteps);
      return;
    }
    this.resetState();
    // The reset stands in for the rest: slow variables (adaptive thresholds) decay over its time.
    for (const t of this.thresholds) t.threshold.elapse(this.restSteps * this.config.dtMs);
  }

  /**
   * Puts every hidden group back to its state after construction (adaptive
   * thresholds kept), neurons out of refractoriness, plasticity and
   * co-activity traces cleared, delayed spikes dropped. Weights are kept.
   */
  resetState(): void {
    for (const r of this.resettable) r.array.set(r.initial);
    for (const g of this.hidden) {
      const last: unknown = Reflect.get(g, "lastSpikeStep");
      if (last instanceof Int32Array) last.fill(NEVER_SPIKED);
    }
    for (const s of this.synapses) s.synapses.clearPending();
    for (const r of this.gate.rules) r.resetTraces();
    for (const c of this.gate.criteria) {
      c.pre.reset();
      c.post.reset();
    }
  }

  /**
   * From now on a reset puts every hidden group back to its present state
   * (for a network whose state was set in code after it was built).
   */
  rememberState(): void {
    for (const r of this.resettable) r.initial.set(r.array);
  }

  /** True when every hidden state variable is finite (a diverging model makes the loss NaN). */
  private stateFinite(): boolean {
    for (const r of this.resettable) {
      const a = r.array;
      for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i]!)) return false;
    }
    return true;
  }

  /** Applies each synapse population's normalisation (before every training sample). */
  normalizeWeights(): void {
    for (const s of this.synapses) s.normalizer?.apply();
  }

  trainBatch(x: Float32Array, y: Int32Array, batch: number): BatchResult {
    this.setLearning(true);
    const readout = this.readout;
    if (readout.kind === "assignment") readout.startTraining();
    const reward = this.config.reward;
    let loss = 0;
    let correct = 0;
    let finite = true;
    for (let b = 0; b < batch; b++) {
      this.normalizeWeights();
      this.presentOnly(x, b * this.inputSize);
      if (!this.stateFinite()) finite = false;
      const label = y[b]!;
      if (readout.kind === "assignment") {
        const pred = readout.predict(this.counts);
        if (pred === label) correct++;
        loss += readout.loss(this.counts, label);
        readout.record(this.counts, label);
        this.giveReward(pred === label ? reward.correct : reward.wrong);
      } else {
        readout.setFeatures(b, this.counts);
        if (this.rewardRules.length > 0)
          this.giveReward(readout.predictRow(b) === label ? reward.correct : reward.wrong);
      }
      this.restOrReset();
    }
    if (readout.kind === "assignment") readout.endBatch();
    else {
      const r = readout.train(y, batch);
      loss = r.loss * batch;
      correct = r.correct;
    }
    this.samples += batch;
    this.setLearning(false);
    return { loss: finite ? loss / Math.max(1, batch) : NaN, correct };
  }

  private giveReward(reward: number): void {
    for (const r of this.rewardRules) r.reward(reward, this.network.step);
  }

  evaluate(x: Float32Array, y: Int32Array, batch: number, predictions?: Int32Array): BatchResult {
    this.setLearning(false);
    const readout = this.readout;
    if (readout.kind === "assignment") readout.startEvaluation();
    const base = this.hiddenCounts();
    const presentations0 = this.presentations;
    let loss = 0;
    let correct = 0;
    for (let start = 0; start < batch; start += this.maxBatch) {
      const n = Math.min(this.maxBatch, batch - start);
      for (let b = 0; b < n; b++) {
        this.present(x, (start + b) * this.inputSize);
        if (readout.kind === "assignment") {
          const label = y[start + b]!;
          const pred = readout.predict(this.counts);
          if (pred === label) correct++;
          if (predictions !== undefined) predictions[start + b] = pred;
          loss += readout.loss(this.counts, label);
        } else readout.setFeatures(b, this.counts);
      }
      if (readout.kind === "linear") {
        const r = readout.evaluate(y, start, n, predictions);
        loss += r.loss;
        correct += r.correct;
      }
    }
    const after = this.hiddenCounts();
    for (let i = 0; i < after.length; i++) this.rateSpikes[i] = after[i]! - base[i]!;
    this.ratePresentations = this.presentations - presentations0;
    this.samples += batch;
    return { loss: loss / Math.max(1, batch), correct };
  }

  /** Spikes of every hidden neuron (groups concatenated) counted since the last collectStats. */
  private hiddenCounts(): Float64Array {
    const out = new Float64Array(this.rateSpikes.length);
    let o = 0;
    for (let g = 0; g < this.hidden.length; g++) {
      const c = this.monitors[g]!.counts;
      for (let i = 0; i < c.length; i++) out[o++] = c[i]!;
    }
    return out;
  }

  /**
   * Each hidden neuron's firing rate (groups in order: the description's, then
   * the inhibitory populations) over the most recent `evaluate` call: its
   * spikes over every simulated step (repetitions and rests included) divided
   * by the presentation time, presentations × presentationMs, as the fused
   * Diehl & Cook learner reports them. All zeros before the first evaluate.
   */
  neuronRatesHz(): Float32Array {
    const seconds = (Math.max(1, this.ratePresentations) * this.config.presentation.presentationMs) / 1000;
    const rates = new Float32Array(this.rateSpikes.length);
    for (let i = 0; i < rates.length; i++) rates[i] = this.rateSpikes[i]! / seconds;
    return rates;
  }

  collectStats(): LearnerStats {
    const n = Math.max(1, this.samples);
    const weights = this.synapses.filter((s) => s.rule !== null).map((s) => s.synapses.matrix.weight);
    const stats: LearnerStats = { ...this.weightTracker.stats(weights) };
    let hiddenSpikes = 0;
    let hiddenNeurons = 0;
    for (let g = 0; g < this.hidden.length; g++) {
      hiddenSpikes += this.monitors[g]!.totalSpikes();
      hiddenNeurons += this.hidden[g]!.size;
    }
    const readoutIndex = this.hidden.indexOf(this.readoutGroup);
    const readoutSpikes = this.monitors[readoutIndex]!.totalSpikes();
    const presentationS = (this.presentations * this.config.presentation.presentationMs) / 1000;
    stats.meanFiringRateHz = presentationS > 0 ? readoutSpikes / this.readoutGroup.size / presentationS : 0;
    stats.spikesPerSample = readoutSpikes / n;
    stats.hiddenSpikesPerSample = hiddenSpikes / n;
    stats.hiddenNeurons = hiddenNeurons;
    if (this.input.group !== null) stats.inputSpikesPerSample = this.monitors[this.hidden.length]!.totalSpikes() / n;
    let events = 0;
    let count = 0;
    let possible = 0;
    for (const s of this.synapses) {
      events += s.synapses.events;
      s.synapses.events = 0;
      count += s.synapses.matrix.count;
      possible += s.synapses.matrix.nPre * s.synapses.matrix.nPost;
    }
    stats.synapticEventsPerSample = events / n;
    stats.synapseCount = count;
    stats.connectionDensity = possible > 0 ? count / possible : 0;
    stats.plasticityUpdatesPerSample = this.gate.rules.reduce((a, r) => a + r.updates, 0) / n;
    if (this.config.presentation.retry !== undefined) stats.boostsPerSample = this.boosts / n;
    for (const t of this.thresholds) {
      let sum = 0;
      for (let i = 0; i < t.threshold.theta.length; i++) sum += t.threshold.theta[i]!;
      stats.meanThetaMv = sum / Math.max(1, t.threshold.theta.length);
    }
    if (this.readout.kind === "assignment")
      stats.assignedNeurons = this.readout.assigner.assignment.reduce((a, c) => a + (c >= 0 ? 1 : 0), 0);
    stats.simulatedMsPerSample = ((this.network.step - this.stepsAtCollect) * this.config.dtMs) / n;
    this.stepsAtCollect = this.network.step;
    for (const r of this.gate.rules) Reflect.set(r, "updates", 0);
    for (const m of this.monitors) m.clear();
    this.samples = 0;
    this.presentations = 0;
    this.boosts = 0;
    return stats;
  }

  /** The plastic synapses' weights (and a linear readout's parameters). */
  params(): readonly Param[] {
    const plastic: Param[] = this.synapses
      .filter((s) => s.rule !== null)
      .map((s) => ({ name: s.name, value: s.synapses.matrix.weight, grad: new Float32Array(0), decay: true }));
    return this.readout.kind === "linear" ? [...plastic, ...this.readout.params()] : plastic;
  }

  /** Every synapse population's weights (fixed ones too), and a linear readout's weights. */
  synapticWeights(): Float32Array[] {
    const w = this.synapses.map((s) => s.synapses.matrix.weight.subarray(0, s.synapses.matrix.count));
    return this.readout.kind === "linear" ? [...w, this.readout.layer.weight.value] : w;
  }

  /** The plastic populations' live weights and a linear readout's weights: what learning changes. */
  learnedWeights(): Float32Array[] {
    const w = this.synapses
      .filter((s) => s.rule !== null)
      .map((s) => s.synapses.matrix.weight.subarray(0, s.synapses.matrix.count));
    return this.readout.kind === "linear" ? [...w, this.readout.layer.weight.value] : w;
  }

  /** Every pair each population could connect (the CSR holds only the present ones), plus the readout's weights. */
  possibleSynapses(): number {
    const n = this.synapses.reduce((a, s) => a + s.synapses.matrix.nPre * s.synapses.matrix.nPost, 0);
    return this.readout.kind === "linear" ? n + this.readout.layer.weight.value.length : n;
  }

  /**
   * Each readout-group neuron's input weights from the input stage's source
   * as an image (absent synapses 0): the first synapse population from the
   * input to the readout group.
   */
  receptiveFields(): ReceptiveFields {
    const src = this.input.group;
    const pop = this.synapses.find((s) => s.synapses.source === src && s.synapses.target === this.readoutGroup);
    const N = this.readoutGroup.size;
    const P = this.inputSize;
    const data = new Float32Array(N * P);
    if (pop !== undefined && pop.synapses.matrix.nPre === P) {
      const m = pop.synapses.matrix;
      for (let i = 0; i < P; i++) {
        for (let s = m.rowPtr[i]!; s < m.rowPtr[i + 1]!; s++) data[m.target[s]! * P + i] = m.weight[s]!;
      }
    }
    return { width: this.image.width, height: this.image.height, count: N, data };
  }

  /** Silences a random share of the hidden neurons: their outgoing synapses and their readout contribution are zeroed. */
  silenceUnits(fraction: number, rng: Rng): () => void {
    const patch = new WeightPatch();
    const offsets: number[] = [];
    let total = 0;
    for (const g of this.hidden) {
      offsets.push(total);
      total += g.size;
    }
    const muted = new Int32Array(this.readoutGroup.size);
    for (const u of chooseUnits(total, fraction, rng)) {
      let g = 0;
      while (g + 1 < this.hidden.length && u >= offsets[g + 1]!) g++;
      const group = this.hidden[g]!;
      const i = u - offsets[g]!;
      for (const s of this.synapses) {
        if (s.synapses.source !== group) continue;
        const m = s.synapses.matrix;
        patch.zero(m.weight, m.rowPtr[i]!, m.rowPtr[i + 1]! - m.rowPtr[i]!);
      }
      if (group === this.readoutGroup) muted[i] = 1;
    }
    if (this.readout.kind === "linear") {
      const w = this.readout.layer.weight.value;
      const C = this.readout.classes;
      for (let i = 0; i < muted.length; i++) if (muted[i] === 1) patch.zero(w, i * C, C);
      return () => patch.undo();
    }
    // Assignment readout: a silenced neuron's counts never reach the vote.
    const assignment = this.readout.assigner.assignment;
    const before = assignment.slice();
    for (let i = 0; i < muted.length; i++) if (muted[i] === 1) assignment[i] = -1;
    return () => {
      patch.undo();
      assignment.set(before);
    };
  }

  /** The pruning block's view of the synapses (CSR criteria, compaction, regrowth); see ./structure.ts. */
  structure(): StructuralPlasticity {
    return networkStructure(this, this.pruneRng);
  }

  /** Inference costs, measured on `batch` samples with every piece of state put back afterwards (./costs.ts). */
  measureCosts(x: Float32Array, batch: number): InferenceCosts {
    return measureNetworkCosts(this, x, batch);
  }

  /** One presentation as `evaluate` makes it (plasticity off, thresholds as in the test phase), for cost measurement. */
  evaluatePresentation(x: Float32Array, offset: number): void {
    this.setLearning(false);
    this.present(x, offset);
  }

  /**
   * Saves the simulation (every group's state, the input stage and its
   * random stream, synaptic delay rings, plasticity traces, monitors, the
   * step counter; weights and thresholds with them) and the counters; the
   * returned function puts all of it back, so an evaluation made in between
   * leaves no trace (core/snapshot.ts walks the network's object graph).
   */
  saveState(): () => void {
    const sim = { network: this.network, input: this.input, counts: this.counts };
    const snap = captureState(sim);
    const { samples, presentations, boosts, stepsAtCollect, ratePresentations } = this;
    const rateSpikes = this.rateSpikes.slice();
    return () => {
      restoreState(sim, snap);
      Object.assign(this, { samples, presentations, boosts, stepsAtCollect, ratePresentations });
      this.rateSpikes.set(rateSpikes);
    };
  }
}
