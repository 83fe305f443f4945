/**
 * The `network` learner's config: a network description in the format of
 * network scenarios (./description.ts: groups of any neuron model, synapses
 * with connection rules, weights, delays and plasticity), plus what a task
 * needs: an input stage that turns a sample into activity, presentation and
 * rest times (or a reset between samples), homeostasis, lateral inhibition,
 * synaptic normalisation, a readout, and the reward that reward-modulated
 * STDP learns from.
 */
import { z } from "zod";
import { pruningConfigSchema } from "../../plasticity/pruning/config.js";
import { optimizerSchema } from "../common-schema.js";
import { groupSchema, neuronModelSchema, synapsesSchema } from "./description.js";

const groupName = z.string().regex(/^[A-Za-z_][\w-]*$/, "a name of letters, digits, '_' or '-'");

const rateInput = z.strictObject({
  coding: z
    .literal("rate")
    .describe(
      "Poisson rate coding: input channel i fires at x_i · maxRateHz (features scaled to [0, 1]); one channel per feature",
    ),
  group: groupName.default("input").describe("the name the input channels go by in `synapses`"),
  maxRateHz: z
    .number()
    .positive()
    .max(1000)
    .default(63.75)
    .describe("rate of a feature at its maximum (Diehl & Cook: pixel/4 Hz on 0..255, i.e. 63.75)"),
});

const populationInput = z.strictObject({
  coding: z
    .literal("population")
    .describe(
      "population coding: each feature drives neuronsPerFeature Poisson channels with Gaussian tuning curves over its range",
    ),
  group: groupName.default("input"),
  neuronsPerFeature: z.int().min(1).max(100).default(10),
  maxRateHz: z.number().positive().max(1000).default(200).describe("peak rate of a channel"),
});

const latencyInput = z.strictObject({
  coding: z
    .literal("latency")
    .describe("latency (time-to-first-spike) coding: one spike per feature above threshold, stronger features earlier"),
  group: groupName.default("input"),
  tMaxMs: z
    .number()
    .positive()
    .optional()
    .describe("latest spike time, ms after the presentation starts; default the presentation time"),
  form: z
    .enum(["linear", "log"])
    .default("linear")
    .describe("linear: t = tMax·(1 − x); log: an RC membrane's charging time to the threshold (snnTorch)"),
  threshold: z.number().min(0).max(1).optional().describe("features at or below it do not spike (log: default 0.2)"),
  tauMs: z.number().positive().optional().describe("RC time constant of the log form; default tMaxMs / 5"),
});

const currentInput = z.strictObject({
  coding: z
    .literal("current")
    .describe(
      "injected current: during the presentation, neuron i of the target group gets scale · x_i in `variable` (0 at rest)",
    ),
  target: groupName.describe("a group of the network with one neuron per feature"),
  variable: z.string().default("iExt").describe("the variable written, e.g. iExt (mV of drive for LIF models)"),
  scale: z.number().default(20).describe("value written for a feature at 1 (features scaled to [0, 1])"),
});

export const inputStageSchema = z
  .discriminatedUnion("coding", [rateInput, populationInput, latencyInput, currentInput])
  .describe("how a sample becomes activity of the network");
export type InputStageConfig = z.infer<typeof inputStageSchema>;

export const presentationSchema = z
  .strictObject({
    presentationMs: z.number().positive().max(10_000).default(350).describe("time each sample is shown"),
    restMs: z.number().min(0).max(10_000).default(150).describe("time with the input off after each presentation"),
    between: z
      .enum(["rest", "reset"])
      .default("rest")
      .describe(
        "rest: simulate restMs with the input off; reset: skip the rest and put every group back to its initial state (kept: weights and adaptive thresholds, which decay as over restMs), traces and delayed spikes cleared",
      ),
    retry: z
      .strictObject({
        minSpikes: z.int().min(1).default(5).describe("a presentation with fewer readout spikes than this is repeated"),
        boostRateHz: z
          .number()
          .min(0)
          .max(1000)
          .default(31.875)
          .describe("rate added to maxRateHz at each repetition (Diehl & Cook: +pixel/8 Hz)"),
        maxBoosts: z.int().min(0).max(100).default(10).describe("at most this many repetitions per sample"),
      })
      .optional()
      .describe("Diehl & Cook's re-presentation of samples that elicit too few spikes (rate and population codings)"),
  })
  .default({ presentationMs: 350, restMs: 150, between: "rest" });

export const homeostasisSchema = z.strictObject({
  group: groupName,
  variable: z
    .string()
    .default("theta")
    .describe(
      "the group's threshold offset: theta of conductance-lif, or a per-neuron variable an equation model's threshold reads",
    ),
  thetaPlusMv: z.number().min(0).default(0.05).describe("increase per spike"),
  tauThetaMs: z.number().positive().default(1e7).describe("decay time constant (Diehl & Cook: 1e7 ms)"),
  fixAtTest: z.boolean().default(true).describe("frozen while the learner is evaluated (Diehl & Cook's test phase)"),
});

export const lateralInhibitionSchema = z.discriminatedUnion("via", [
  z.strictObject({
    via: z
      .literal("population")
      .describe(
        "an inhibitory population of the same size: neuron i drives its partner i, which inhibits every other neuron of the group (Diehl & Cook)",
      ),
    group: groupName,
    name: groupName.optional().describe("the inhibitory group's name; default <group>-inh"),
    model: neuronModelSchema.describe("the inhibitory neurons' model"),
    initial: groupSchema.shape.initial,
    excToInhWeight: z.number().default(10.4),
    inhToExcWeight: z.number().default(17),
    excTargetVar: z.string().default("ge"),
    inhTargetVar: z.string().default("gi"),
  }),
  z.strictObject({
    via: z
      .literal("direct")
      .describe("winner-take-all without interneurons: each spike adds `weight` to every other neuron's targetVar"),
    group: groupName,
    weight: z.number().describe("added per spike (negative for a current-based inhibitory jump)"),
    targetVar: z.string().default("gi"),
  }),
]);

export const learnerSynapsesSchema = synapsesSchema.extend({
  normalize: z
    .strictObject({
      targetSum: z.number().positive().describe("each target neuron's incoming weights are rescaled to sum to this"),
      wMax: z.number().positive().optional().describe("upper weight bound kept while rescaling (water filling)"),
    })
    .optional()
    .describe("synaptic normalisation before every training sample (Diehl & Cook: 78 over 784 inputs)"),
});

export const readoutSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z
      .literal("assignment")
      .describe(
        "no trained weights: each neuron of `group` is labelled with the class it responds to most (training samples of the current epoch), a sample gets the class whose neurons respond most",
      ),
    group: groupName,
    voting: z
      .enum(["all", "proportion"])
      .default("all")
      .describe(
        "all: mean spike count of each class's neurons (Diehl & Cook); proportion: every neuron votes with its spike count times its share of responses to each class",
      ),
    window: z
      .int()
      .min(1)
      .max(100_000)
      .default(10_000)
      .describe("labels come from at most this many of the epoch's latest training samples"),
  }),
  z.strictObject({
    type: z
      .literal("linear")
      .describe("a softmax layer trained by gradient descent on the spike rates of `group` (the liquid-state readout)"),
    group: groupName,
    optimizer: optimizerSchema.default({ type: "adam", learningRate: 0.01 }),
  }),
]);
export type ReadoutConfig = z.infer<typeof readoutSchema>;

export const networkLearnerConfigSchema = z.strictObject({
  type: z.literal("network"),
  name: z.string().min(1).optional().describe("label in results; defaults to the type"),
  dtMs: z.number().positive().max(10).default(0.5).describe("the time step of the whole network"),
  precision: z
    .enum(["float64", "float32"])
    .default("float64")
    .describe("state and arithmetic of every neuron group: float64 (as Brian2) or float32 (faster)"),
  input: inputStageSchema,
  groups: z.array(groupSchema).min(1).describe("neuron groups, as in a network scenario"),
  synapses: z.array(learnerSynapsesSchema).default([]).describe("synapse populations, as in a network scenario"),
  lateralInhibition: z.array(lateralInhibitionSchema).default([]),
  homeostasis: z.array(homeostasisSchema).default([]).describe("adaptive thresholds (Diehl & Cook)"),
  presentation: presentationSchema,
  readout: readoutSchema,
  reward: z
    .strictObject({
      correct: z.number().default(1),
      wrong: z.number().default(-1),
    })
    .default({ correct: 1, wrong: -1 })
    .describe(
      "the reward reward-stdp synapses learn from, given after each training sample from whether the readout was right",
    ),
  batchSize: z.int().min(1).max(4096).default(100).describe("samples per training batch (the readout's batch)"),
  pruning: pruningConfigSchema
    .optional()
    .describe(
      "prune (and grow) synapses while learning through the CSR criteria: pruned synapses leave the matrices (no time, no memory)",
    ),
  prunable: z
    .array(z.string().min(1))
    .min(1)
    .optional()
    .describe("names of the synapse populations the pruning block acts on; default the plastic ones, or all"),
});
export type NetworkLearnerConfig = z.infer<typeof networkLearnerConfigSchema>;
