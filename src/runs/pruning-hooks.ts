/**
 * The `pruning` block of a learner config, carried out during training as
 * TrainingHooks (hooks.ts): the learner never knows it is being pruned; it
 * only offers its synapses through `Learner.structure()`
 * (plasticity/pruning/structural.ts).
 *
 *   when built       sparse start (`initialDensity`: keep a uniform random
 *                    share), the co-activity trace turned on for the activity
 *                    criterion, the initial weights saved for a lottery ticket;
 *   afterBatch       schedules with `every: {samples: k}`: one application per
 *                    multiple of k training samples crossed;
 *   endOfEpoch       schedules with `every: "epoch"`: one application; iterative
 *                    rounds: at epochs firstEpoch + k·retrainEpochs, down to
 *                    densities[k] overall, or each layer to layerDensities[k]
 *                    (then rewound when asked: to the initial values, or after
 *                    the last round of `rewind: "reinit"` to freshly drawn
 *                    ones, from a learner of the same config built on the
 *                    stream fork("reinit")); then the metrics;
 *   afterTest        iterative rounds: the test accuracy of each epoch before
 *                    the first round (the dense network; the best of them is
 *                    denseTestAccuracy) and after the last, from which
 *                    epochsToDense counts the epochs after the last round
 *                    until the test accuracy first reaches denseTestAccuracy
 *                    (NaN while it has not: a censored seed).
 *
 * An application grows, then prunes, the counts of scheduleStep (schedule.ts)
 * with densities taken over all possible synapses; with `regrowth`, a share
 * of what it pruned grows back at random free positions.
 *
 * Metrics each epoch: synapseCount, connectionDensity, prunedCount and
 * grownCount (during that epoch), and with `graphMeasures` the routing of the
 * input→output graph (metrics/graph.ts, Navlakha et al. 2015): a chain of
 * layers, or for a network learner its populations with every synapse
 * population, recurrent ones included (input channels → readout group):
 * graphEfficiency (mean 1/d over pairs), graphMeanPathLength (over connected
 * pairs), graphConnectedFraction, robustnessSynapses and robustnessNeurons
 * (fraction of the pairs still connected after removing `damageFraction` of
 * the synapses or neurons at random, mean over `damageTrials`).
 */
import { UserError } from "../core/errors.js";
import { createLearner } from "../learners/registry.js";
import { iterativeRounds } from "../plasticity/pruning/config.js";
import {
  layeredGraph,
  populationGraph,
  reverseGraph,
  robustness,
  routingStats,
  type ConnectivityGraph,
} from "../metrics/graph.js";
import type { PruningConfig } from "../plasticity/pruning/config.js";
import { rewindWeights, snapshotWeights, type WeightSnapshot } from "../plasticity/pruning/lottery-ticket.js";
import { applicationsDue, scheduleLength, scheduleStep, type ScheduleContext } from "../plasticity/pruning/schedule.js";
import type { StructuralPlasticity } from "../plasticity/pruning/structural.js";
import type { Rng } from "../core/rng.js";
import type { Learner } from "../learners/learner.js";
import type { HookContext, TrainingHooks } from "./hooks.js";

/** The learner types whose config accepts a `pruning` block (for messages). */
const PRUNABLE_TYPES = "mlp, cnn, stdp, surrogate, network";

function pruningOf(config: HookContext["config"]): PruningConfig | undefined {
  return "pruning" in config ? config.pruning : undefined;
}

/** The hook factory for the `pruning` block; null when the learner's config has none. */
export function pruningHooks(ctx: HookContext): TrainingHooks | null {
  const cfg = pruningOf(ctx.config);
  if (cfg === undefined) return null;
  const where = `learner "${ctx.learner.name}" (type ${ctx.config.type}): pruning`;
  const s = ctx.learner.structure?.();
  if (s === undefined) {
    throw new UserError(
      "E_CONFIG_INVALID",
      `${where}: this learner type cannot be pruned or grown (types that can: ${PRUNABLE_TYPES})`,
    );
  }
  if (!s.criteria.includes(cfg.criterion)) {
    throw new UserError(
      "E_CONFIG_INVALID",
      `${where}.criterion: expected one of ${s.criteria.map((c) => `"${c}"`).join(", ")} for this learner type, found "${cfg.criterion}"` +
        (cfg.criterion === "activity"
          ? " (the activity criterion needs spike co-activity: an stdp or network learner)"
          : ""),
    );
  }
  if (!s.scopes.includes(cfg.scope)) {
    throw new UserError(
      "E_CONFIG_INVALID",
      `${where}.scope: expected one of ${s.scopes.map((c) => `"${c}"`).join(", ")} for this learner type, found "${cfg.scope}"`,
    );
  }
  if (cfg.graphMeasures && s.connectivity() === null && (s.populations?.() ?? null) === null) {
    throw new UserError(
      "E_CONFIG_INVALID",
      `${where}.graphMeasures: this learner's synapses are neither a chain of layers nor a network of populations from an input to an output (convolutions); set it to false`,
    );
  }
  const it = cfg.iterative;
  if (it !== undefined && it.rewind !== "none" && s.rewindable() === null) {
    throw new UserError(
      "E_CONFIG_INVALID",
      `${where}.iterative.rewind: "${it.rewind}" (lottery ticket) needs a learner trained by gradient descent, found type ${ctx.config.type}; use "none"`,
    );
  }
  if (it?.layerDensities !== undefined) {
    const layers = s.layers?.();
    if (layers === undefined || s.pruneLayer === undefined)
      throw new UserError(
        "E_CONFIG_INVALID",
        `${where}.iterative.layerDensities: this learner type cannot prune its layers one by one; use densities`,
      );
    if (cfg.scope !== "per-layer")
      throw new UserError(
        "E_CONFIG_INVALID",
        `${where}.scope: expected "per-layer" with iterative.layerDensities, found "${cfg.scope}"`,
      );
    if (it.layerDensities[0]!.length !== layers.length)
      throw new UserError(
        "E_CONFIG_INVALID",
        `${where}.iterative.layerDensities[0]: expected one density per prunable layer (${layers.length} here), found ${it.layerDensities[0]!.length}`,
      );
  }
  if (it !== undefined) {
    const last = it.firstEpoch + (iterativeRounds(it) - 1) * it.retrainEpochs;
    if (last > ctx.epochs) {
      throw new UserError(
        "E_CONFIG_INVALID",
        `${where}.iterative: the last round falls at the end of epoch ${last}, but the learner trains for ${ctx.epochs} epochs`,
      );
    }
  }
  const schedule = cfg.schedule;
  if (schedule !== undefined) {
    const needed = scheduleLength(schedule);
    const available = schedule.every === "epoch" ? ctx.epochs : Math.floor(ctx.trainSamples / schedule.every.samples);
    if (needed > available) {
      const unit = schedule.every === "epoch" ? "epochs" : `multiples of ${schedule.every.samples} training samples`;
      throw new UserError(
        "E_CONFIG_INVALID",
        `${where}.schedule: needs ${needed} applications but training gives only ${available} (${unit})`,
      );
    }
  }
  return new PruningRun(cfg, s, ctx.rng.fork("pruning"), () =>
    createLearner(ctx.config, ctx.task.shape, ctx.rng.fork("pruning").fork("reinit")),
  );
}

class PruningRun implements TrainingHooks {
  private readonly cfg: PruningConfig;
  private readonly s: StructuralPlasticity;
  private readonly rng: Rng;
  private readonly growthWeight: number;
  private readonly scheduleContext: ScheduleContext;
  private readonly snapshot: WeightSnapshot | null;
  private readonly freshLearner: () => Learner;
  private application = 0;
  private samplesBefore = 0;
  private pruned = 0;
  private grown = 0;
  /** Iterative rounds: the best test accuracy before the first round, the epoch of the last round, and when it was matched. */
  private denseAccuracy = Number.NEGATIVE_INFINITY;
  private lastRoundEpoch = 0;
  private epochsToDense = Number.NaN;

  constructor(cfg: PruningConfig, s: StructuralPlasticity, rng: Rng, freshLearner: () => Learner) {
    this.cfg = cfg;
    this.s = s;
    this.rng = rng;
    this.freshLearner = freshLearner;
    this.growthWeight = cfg.growthWeight ?? s.defaultGrowthWeight;
    if (cfg.criterion === "activity") s.trackActivity?.(cfg.activityTauMs);
    const rewindable = s.rewindable();
    this.snapshot =
      cfg.iterative !== undefined && cfg.iterative.rewind !== "none" && rewindable !== null
        ? snapshotWeights(rewindable)
        : null;
    const { remaining, possible } = s.counts();
    if (cfg.initialDensity !== undefined) {
      const keep = Math.round(cfg.initialDensity * possible);
      if (keep < remaining) s.prune({ criterion: "random", count: remaining - keep });
    }
    this.scheduleContext = { initialCount: s.counts().remaining, possibleCount: possible };
  }

  afterBatch(samplesSeen: number): void {
    const schedule = this.cfg.schedule;
    if (schedule !== undefined && schedule.every !== "epoch") {
      const due = applicationsDue(schedule.every, this.samplesBefore, samplesSeen, false);
      for (let k = 0; k < due; k++) this.apply();
    }
    this.samplesBefore = samplesSeen;
  }

  endOfEpoch(epoch: number): Record<string, number> {
    const schedule = this.cfg.schedule;
    if (schedule !== undefined && schedule.every === "epoch") this.apply();
    const it = this.cfg.iterative;
    if (it !== undefined) {
      const k = (epoch - it.firstEpoch) / it.retrainEpochs;
      const rounds = iterativeRounds(it);
      if (Number.isInteger(k) && k >= 0 && k < rounds) {
        this.round(k, k === rounds - 1);
        if (k === rounds - 1) this.lastRoundEpoch = epoch;
      }
    }
    const { remaining, possible } = this.s.counts();
    const metrics: Record<string, number> = {
      synapseCount: remaining,
      connectionDensity: possible === 0 ? 0 : remaining / possible,
      prunedCount: this.pruned,
      grownCount: this.grown,
    };
    this.pruned = 0;
    this.grown = 0;
    if (this.cfg.graphMeasures) Object.assign(metrics, this.graphMetrics(epoch));
    return metrics;
  }

  /** One application of the schedule: grow, then prune (then regrow a share of it). */
  private apply(): void {
    const schedule = this.cfg.schedule!;
    const i = this.application++;
    if (i >= scheduleLength(schedule)) return;
    const step = scheduleStep(schedule, i, this.scheduleContext);
    if (step.grow > 0) this.grown += this.s.grow(step.grow, this.growthWeight, this.rng.fork(`grow:${i}`));
    if (step.prune > 0) {
      const r = this.s.prune({ criterion: this.cfg.criterion, count: step.prune, scope: this.cfg.scope });
      this.pruned += r.removed;
      const regrow = Math.round((this.cfg.regrowth?.fraction ?? 0) * r.removed);
      if (regrow > 0) this.grown += this.s.grow(regrow, this.growthWeight, this.rng.fork(`regrow:${i}`));
    }
  }

  /**
   * Iterative round k: prune down to densities[k] of the possible synapses,
   * or each layer to layerDensities[k][layer], then rewind when asked.
   */
  private round(k: number, last: boolean): void {
    const it = this.cfg.iterative!;
    const criterion = this.cfg.criterion;
    if (it.layerDensities !== undefined) {
      const targets = it.layerDensities[k]!;
      this.s.layers!().forEach(({ remaining, possible }, l) => {
        const count = remaining - Math.round(targets[l]! * possible);
        if (count > 0) this.pruned += this.s.pruneLayer!(l, { criterion, count }).removed;
      });
    } else {
      const { remaining, possible } = this.s.counts();
      const count = remaining - Math.round(it.densities![k]! * possible);
      if (count > 0) this.pruned += this.s.prune({ criterion, count, scope: this.cfg.scope }).removed;
    }
    if (this.snapshot !== null) {
      const params = this.s.rewindable()!;
      // The ticket's control: the same mask, but freshly drawn values in place of the initial ones.
      const values =
        last && it.rewind === "reinit"
          ? snapshotWeights(this.freshLearner().structure!().rewindable()!)
          : this.snapshot;
      rewindWeights(params, values);
      this.s.rewound?.(); // stale momentum or weight averages would belong to the trained network
    }
  }

  afterTest(epoch: number, testAccuracy: number): Record<string, number> {
    const it = this.cfg.iterative;
    if (it === undefined) return {};
    if (epoch < it.firstEpoch) {
      this.denseAccuracy = Math.max(this.denseAccuracy, testAccuracy);
      return {};
    }
    if (this.lastRoundEpoch === 0 || !Number.isFinite(this.denseAccuracy)) return {};
    if (Number.isNaN(this.epochsToDense) && epoch > this.lastRoundEpoch && testAccuracy >= this.denseAccuracy)
      this.epochsToDense = epoch - this.lastRoundEpoch;
    return { denseTestAccuracy: this.denseAccuracy, epochsToDense: this.epochsToDense };
  }

  private graphMetrics(epoch: number): Record<string, number> {
    const layers = this.s.connectivity();
    const populations = layers === null ? (this.s.populations?.() ?? null) : null;
    let g: ConnectivityGraph;
    if (layers !== null) g = layeredGraph(layers);
    else if (populations !== null) g = populationGraph(populations);
    else return {};
    // Fewer BFS sources: routing from the outputs backwards gives the same figures.
    if (g.outputs.length < g.inputs.length) g = reverseGraph(g);
    const r = routingStats(g);
    const damage = [this.cfg.damageFraction];
    const rng = this.rng.fork(`graph:${epoch}`);
    const trials = this.cfg.damageTrials;
    const bySynapse = robustness(g, { remove: "synapses", fractions: damage, trials, rng: rng.fork("synapses") })[0]!;
    const byNeuron = robustness(g, { remove: "neurons", fractions: damage, trials, rng: rng.fork("neurons") })[0]!;
    return {
      graphEfficiency: r.efficiency,
      graphMeanPathLength: r.meanPathLength,
      graphConnectedFraction: r.connectedFraction,
      robustnessSynapses: bySynapse.connectedFraction,
      robustnessNeurons: byNeuron.connectedFraction,
    };
  }
}
