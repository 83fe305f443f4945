/**
 * A spiking network as data: neuron groups (any built-in model, a model
 * written as equations, NIR's primitives, spike sources), synapse
 * populations with connection rules, weights, delays and a plasticity rule.
 * One format for both places a network is written: a network scenario
 * (src/scenario/network-schema.ts: the network run with no task) and the
 * `network` learner (./schema.ts: the network learning a task).
 */
import { z } from "zod";
import { plasticityConfigSchema } from "../../plasticity/index.js";
import { IZHIKEVICH_PRESETS } from "../../snn/neurons/izhikevich.js";

const finite = z.number();
const positive = z.number().positive();

/** An initial value for a state variable: a constant or a distribution over neurons. */
export const initialValueSchema = z.union([
  finite,
  z.strictObject({ uniform: z.tuple([finite, finite]).describe("[low, high)") }),
  z.strictObject({ normal: z.tuple([finite, z.number().min(0)]).describe("[mean, std]") }),
]);
export type InitialValue = z.infer<typeof initialValueSchema>;

const lifModel = z.strictObject({
  type: z.literal("lif").describe("current-based LIF: dv/dt = (ge + gi + iExt - (v - El))/tau, exact integration"),
  tauMs: positive.default(20),
  elMv: finite.default(-60),
  vThreshMv: finite.default(-50),
  vResetMv: finite.default(-60),
  refractoryMs: z.number().min(0).default(5),
  tauEMs: positive.default(5),
  tauIMs: positive.default(10),
});

const conductanceLifModel = z.strictObject({
  type: z
    .literal("conductance-lif")
    .describe("LIF with excitatory and inhibitory conductances and reversal potentials"),
  tauMs: positive.default(20),
  elMv: finite.default(-60),
  eExcMv: finite.default(0),
  eInhMv: finite.default(-80),
  vThreshMv: finite.default(-50),
  vResetMv: finite.default(-60),
  refractoryMs: z.number().min(0).default(5),
  tauEMs: positive.default(5),
  tauIMs: positive.default(10),
  method: z.enum(["exponential-euler", "euler"]).default("exponential-euler"),
});

const presetNames = Object.keys(IZHIKEVICH_PRESETS) as [
  keyof typeof IZHIKEVICH_PRESETS,
  ...(keyof typeof IZHIKEVICH_PRESETS)[],
];
const izhikevichModel = z.strictObject({
  type: z.literal("izhikevich").describe("Izhikevich 2003: a preset or explicit a, b, c, d"),
  preset: z.enum(presetNames).optional(),
  a: finite.optional(),
  b: finite.optional(),
  c: finite.optional(),
  d: finite.optional(),
  vPeakMv: finite.default(30),
  method: z.enum(["izhikevich-2003", "euler"]).default("izhikevich-2003"),
});

const adexModel = z.strictObject({
  type: z.literal("adex").describe("adaptive exponential IF (Brette & Gerstner 2005 defaults)"),
  method: z.enum(["rk4", "euler"]).default("rk4"),
});

const hhModel = z.strictObject({
  type: z.literal("hodgkin-huxley").describe("Hodgkin-Huxley squid axon, exponential Euler"),
  method: z.enum(["exponential-euler", "euler"]).default("exponential-euler"),
});

const equationsModel = z.strictObject({
  type: z.literal("equations").describe("a model written as Brian2-style equations, with or without units"),
  equations: z.string().min(1),
  parameters: z
    .record(z.string(), z.union([finite, z.string().min(1)]))
    .default({})
    .describe('numbers, or expressions with units such as "20*ms", "-50*mV", "C/gL"'),
  threshold: z.string().min(1),
  reset: z.string().default(""),
  refractoryMs: z.number().min(0).optional(),
  refractory: z
    .string()
    .min(1)
    .optional()
    .describe('the refractory period as an expression, e.g. "5*ms" or a parameter name (instead of refractoryMs)'),
  method: z.enum(["exact", "euler", "rk4", "exponential-euler"]).optional(),
});

/** A NIR parameter: one value for every neuron, or one per neuron. */
const perNeuron = z.union([finite, z.array(finite).min(1)]);

// The neuron primitives of NIR (Pedersen et al. 2024), as groups: what `neurocompare export --format nir`
// writes and `neurocompare import` reads. Time constants in ms; a spike into v (or into I for the Cuba
// types) adds the weight as NIR's current would over one step (see src/scenario/nir-network.ts).
const nirLifModel = z.strictObject({
  type: z
    .literal("nir-lif")
    .describe("NIR's LIF: tau dv/dt = (v_leak - v) + r·(I + bias); spike v > v_threshold, v = v_reset"),
  tauMs: perNeuron,
  r: perNeuron.default(1),
  vLeak: perNeuron.default(0),
  vThreshold: perNeuron,
  vReset: perNeuron.default(0),
  bias: perNeuron.default(0).describe("a constant input current (NIR: the bias of the Affine node feeding the group)"),
});
const nirCubaLifModel = z.strictObject({
  type: z.literal("nir-cuba-lif").describe("NIR's CubaLIF: tau_syn dI/dt = -I + w_in·(S + bias); LIF driven by r·I"),
  tauSynMs: perNeuron,
  tauMemMs: perNeuron,
  r: perNeuron.default(1),
  vLeak: perNeuron.default(0),
  vThreshold: perNeuron,
  vReset: perNeuron.default(0),
  wIn: perNeuron.default(1),
  bias: perNeuron.default(0),
});
const nirLiModel = z.strictObject({
  type: z.literal("nir-li").describe("NIR's leaky integrator LI (no spikes)"),
  tauMs: perNeuron,
  r: perNeuron.default(1),
  vLeak: perNeuron.default(0),
  bias: perNeuron.default(0),
});
const nirCubaLiModel = z.strictObject({
  type: z.literal("nir-cuba-li").describe("NIR's CubaLI: a synaptic current into a leaky integrator (no spikes)"),
  tauSynMs: perNeuron,
  tauMemMs: perNeuron,
  r: perNeuron.default(1),
  vLeak: perNeuron.default(0),
  wIn: perNeuron.default(1),
  bias: perNeuron.default(0),
});
const nirIfModel = z.strictObject({
  type: z.literal("nir-if").describe("NIR's IF: v += r·I per step; spike v > v_threshold, v = v_reset"),
  r: perNeuron.default(1),
  vThreshold: perNeuron,
  vReset: perNeuron.default(0),
  bias: perNeuron.default(0),
});
const nirIModel = z.strictObject({
  type: z.literal("nir-i").describe("NIR's integrator I: v += r·I per step (no spikes)"),
  r: perNeuron.default(1),
  bias: perNeuron.default(0),
});

const poissonModel = z.strictObject({
  type: z.literal("poisson").describe("independent Poisson spike trains"),
  rateHz: z.number().min(0),
});

const generatorModel = z.strictObject({
  type: z.literal("spike-generator").describe("spikes at given (index, time) pairs"),
  indices: z.array(z.int().min(0)),
  timesMs: z.array(z.number().min(0)),
});

export const neuronModelSchema = z.discriminatedUnion("type", [
  lifModel,
  conductanceLifModel,
  izhikevichModel,
  adexModel,
  hhModel,
  equationsModel,
  poissonModel,
  generatorModel,
  nirLifModel,
  nirCubaLifModel,
  nirLiModel,
  nirCubaLiModel,
  nirIfModel,
  nirIModel,
]);
export type NeuronModelConfig = z.infer<typeof neuronModelSchema>;

export const groupSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z_][\w-]*$/, "a name of letters, digits, '_' or '-'"),
  size: z.int().min(1).max(10_000_000),
  model: neuronModelSchema,
  initial: z
    .record(z.string(), initialValueSchema)
    .default({})
    .describe('initial state per variable, e.g. {"v": {"uniform": [-60, -50]}}'),
});

export const weightSchema = z.union([
  finite,
  z.strictObject({
    dist: z.literal("normal"),
    mean: finite,
    std: z.number().min(0),
    min: finite.optional(),
    max: finite.optional(),
  }),
  z.strictObject({ dist: z.literal("uniform"), lo: finite, hi: finite }),
]);

export const connectSchema = z.discriminatedUnion("rule", [
  z.strictObject({
    rule: z.literal("probability"),
    p: z.number().min(0).max(1),
    allowSelf: z.boolean().default(false),
  }),
  z.strictObject({ rule: z.literal("fixed-in-degree"), k: z.int().min(0), allowSelf: z.boolean().default(false) }),
  z.strictObject({ rule: z.literal("one-to-one") }),
  z.strictObject({ rule: z.literal("all-to-all"), allowSelf: z.boolean().default(false) }),
  z.strictObject({ rule: z.literal("explicit"), pre: z.array(z.int().min(0)), post: z.array(z.int().min(0)) }),
]);

export const synapsesSchema = z.strictObject({
  name: z.string().optional(),
  source: z.string().describe("a group name"),
  target: z.string().describe("a group name"),
  targetVar: z.string().describe("the target variable the weight is added to: v (voltage jump), ge, gi, iExt..."),
  sourceRange: z
    .tuple([z.int().min(0), z.int().min(0)])
    .optional()
    .describe("only sources lo <= i < hi connect"),
  connect: connectSchema,
  weight: z
    .union([weightSchema, z.array(finite)])
    .default(1)
    .describe('a constant, a distribution, or (rule "explicit") one weight per listed pair'),
  delayMs: z.number().min(0).default(0).describe("rounded to whole steps"),
  plasticity: plasticityConfigSchema
    .optional()
    .describe(
      "a plasticity rule on these synapses: pair-stdp, triplet-stdp or reward-stdp (no reward signal in a network run)",
    ),
});

/** A neuron group as written: name, size, model and initial values. */
export type GroupConfig = z.infer<typeof groupSchema>;
/** A synapse population as written (after defaults). */
export type SynapsesDescription = z.infer<typeof synapsesSchema>;
