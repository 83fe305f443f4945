/**
 * The `pruning` block of a learner's config: what a scenario file writes to
 * have a learner pruned (and grown) while it learns. One schema shared by
 * every learner that supports it (mlp, cnn, stdp, surrogate, network); the hook
 * that carries it out is src/runs/pruning-hooks.ts.
 *
 * Two ways to say when synapses go:
 *   schedule   gradual pruning (and growth) interleaved with learning, at a
 *              constant, increasing or decreasing rate (Navlakha et al. 2015)
 *              or as a developmental programme (Huttenlocher 1979), applied
 *              every epoch or every k training samples (schedule.ts);
 *   iterative  rounds at given epochs, each down to a given density, with
 *              retraining in between (Han et al. 2015) and optionally the
 *              survivors rewound to their initial values (the lottery ticket,
 *              Frankle & Carbin 2019); one density is one-shot pruning.
 */
import { z } from "zod";
import { pruningScheduleSchema } from "./schedule.js";

const decreasing = (d: readonly number[]) => d.every((x, i) => i === 0 || x < d[i - 1]!);

export const iterativePruningSchema = z
  .strictObject({
    densities: z
      .array(z.number().gt(0).max(1))
      .min(1)
      .refine(decreasing, {
        message: "strictly decreasing densities|densities that do not decrease",
      })
      .optional()
      .describe(
        "connection density (live / possible synapses) after each round, strictly decreasing; one entry is one-shot pruning. Give this or layerDensities",
      ),
    layerDensities: z
      .array(z.array(z.number().gt(0).max(1)).min(1))
      .min(1)
      .refine((rounds) => rounds.every((r) => r.length === rounds[0]!.length), {
        message: "the same number of layers in every round|rounds of different lengths",
      })
      .refine(
        (rounds) =>
          rounds.every((r, k) => k === 0 || r.every((d, l) => d <= rounds[k - 1]![l]!)) &&
          rounds.every((r, k) => k === 0 || r.some((d, l) => d < rounds[k - 1]![l]!)),
        { message: "per layer, densities that never rise and fall in every round|a round that does not prune" },
      )
      .optional()
      .describe(
        "per round, one density per prunable layer, inputs first (Han et al. 2015 prune each layer to its own density: LeNet-300-100's to 8%, 9% and 26%); needs scope per-layer. Give this or densities",
      ),
    firstEpoch: z
      .int()
      .min(1)
      .describe("the first round prunes at the end of this epoch's training (before its test evaluation)"),
    retrainEpochs: z
      .int()
      .min(1)
      .default(1)
      .describe("epochs of retraining between rounds: round k prunes at the end of epoch firstEpoch + k·retrainEpochs"),
    rewind: z
      .enum(["none", "init", "reinit"])
      .default("none")
      .describe(
        "init: after each round the surviving weights (and biases) go back to their initial values, pruned ones stay 0 (lottery ticket, Frankle & Carbin 2019); reinit: the same rounds, so the same masks, but after the last round the survivors get freshly drawn initial values (the ticket's control); none: keep training from the trained weights (Han et al. 2015)",
      ),
  })
  .refine((it) => (it.densities === undefined) !== (it.layerDensities === undefined), {
    message: "exactly one of `densities` and `layerDensities`|both or neither",
  });

/** The number of pruning rounds an iterative config runs. */
export function iterativeRounds(it: IterativePruningConfig): number {
  return it.densities?.length ?? it.layerDensities!.length;
}

export type IterativePruningConfig = z.infer<typeof iterativePruningSchema>;

export const pruningConfigSchema = z
  .strictObject({
    criterion: z
      .enum(["magnitude", "activity", "random"])
      .default("magnitude")
      .describe(
        'which synapses go: magnitude = smallest |w|; activity = least pre×post co-activity over recent learning ("use it or lose it", spiking learners with a co-activity trace: stdp, network); random = uniform control',
      ),
    scope: z
      .enum(["per-layer", "global", "per-neuron"])
      .default("per-layer")
      .describe(
        "per-layer: every layer loses the same fraction; global: one ranking over all layers; per-neuron (stdp, network): each neuron loses the same fraction of its own input synapses, ranked among themselves (competition between a neuron's synapses)",
      ),
    schedule: pruningScheduleSchema
      .optional()
      .describe("gradual pruning (and growth) interleaved with learning; give this or `iterative`"),
    iterative: iterativePruningSchema
      .optional()
      .describe(
        "pruning rounds at given epochs down to given densities, with retraining between; give this or `schedule`",
      ),
    initialDensity: z
      .number()
      .gt(0)
      .max(1)
      .optional()
      .describe(
        "before training, keep only this fraction of the possible synapses, chosen uniformly at random (a sparse start, e.g. before developmental synaptogenesis)",
      ),
    regrowth: z
      .strictObject({
        fraction: z
          .number()
          .min(0)
          .max(1)
          .describe(
            "after each pruning step, grow this fraction of the removed count back at free positions drawn uniformly",
          ),
      })
      .optional()
      .describe(
        "synapse turnover: regrow part of what each pruning step removed (the density then falls more slowly than the schedule says)",
      ),
    growthWeight: z
      .number()
      .min(0)
      .optional()
      .describe(
        "weight of every new synapse (growth and regrowth); default 0 for artificial networks and surrogate, 0.1·initWeightMax for stdp, 0.1 × the mean initial |w| of the pruned populations for network",
      ),
    activityTauMs: z
      .number()
      .positive()
      .default(10_000)
      .describe("activity criterion: decay time constant of each synapse's co-activity score (ms of simulated time)"),
    graphMeasures: z
      .boolean()
      .default(false)
      .describe(
        "also report graph measures of the input→output connectivity each epoch: graphEfficiency, graphMeanPathLength, graphConnectedFraction, robustnessSynapses, robustnessNeurons (Navlakha et al. 2015). A chain of layers, or for a network learner every group and synapse population, recurrent ones included, with routes from the input channels to the readout group",
      ),
    damageFraction: z
      .number()
      .min(0)
      .max(1)
      .default(0.5)
      .describe(
        "robustness: fraction of synapses (robustnessSynapses) or neurons (robustnessNeurons) removed at random before counting the input-output pairs still connected",
      ),
    damageTrials: z.int().min(1).max(1000).default(10).describe("robustness: random damage patterns averaged"),
  })
  .refine((p) => (p.schedule === undefined) !== (p.iterative === undefined), {
    message: "exactly one of `schedule` and `iterative`|both or neither",
  });
export type PruningConfig = z.infer<typeof pruningConfigSchema>;
