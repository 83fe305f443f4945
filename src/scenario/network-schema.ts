/**
 * The "network" scenario kind: a spiking network run with no task, for
 * prototyping models (as a Brian2 script would): neuron groups, spike
 * sources, synapses, injected currents, monitors, a duration and a time step.
 * Its report draws a raster, the population rate, ISI and firing-rate
 * histograms and voltage traces.
 */
import { z } from "zod";
import { CURRENT_FORMAT } from "./format.js";
import { groupSchema, synapsesSchema } from "../learners/network/description.js";

export {
  initialValueSchema,
  neuronModelSchema,
  type InitialValue,
  type NeuronModelConfig,
} from "../learners/network/description.js";

const finite = z.number();
const positive = z.number().positive();

const currentSchema = z.strictObject({
  target: z.string(),
  variable: z.string().default("iExt"),
  amplitude: finite,
  indices: z.array(z.int().min(0)).optional(),
  steps: z
    .strictObject({ timesMs: z.array(z.number().min(0)), levels: z.array(finite) })
    .optional()
    .describe("level k applies from timesMs[k] on; omitted: constant"),
});

export const networkChartNames = [
  "raster",
  "population-rate",
  "isi-histogram",
  "rate-distribution",
  "voltage-traces",
  "weight-distribution",
] as const;
export type NetworkChartName = (typeof networkChartNames)[number];

export const networkScenarioSchema = z.strictObject({
  $schema: z.string().optional(),
  format: z.literal(CURRENT_FORMAT).optional().describe("the scenario format version the file is written in"),
  kind: z.literal("network"),
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, "a lower-case name of letters, digits, '.', '_' or '-'"),
  description: z
    .string()
    .default("")
    .describe(
      "one line, shown by `neurocompare list` and in the report; default empty (`list` then describes the groups and duration)",
    ),
  dtMs: positive
    .max(10)
    .default(0.1)
    .describe("the time step of the whole network, ms: every group, input, synapse and monitor uses it"),
  precision: z
    .enum(["float64", "float32"])
    .default("float64")
    .describe("state and arithmetic of every neuron group: float64 (as Brian2) or float32 (faster, moves spike times)"),
  durationMs: positive.max(3_600_000),
  seeds: z
    .array(
      z
        .int()
        .min(0)
        .max(2 ** 31 - 1),
    )
    .min(1)
    .default([0]),
  groups: z.array(groupSchema).min(1),
  synapses: z.array(synapsesSchema).default([]),
  currents: z.array(currentSchema).default([]),
  monitors: z
    .strictObject({
      spikes: z.array(z.string()).optional().describe("groups whose spikes are recorded; default: every group"),
      state: z
        .array(
          z.strictObject({
            group: z.string(),
            variables: z.array(z.string()).min(1),
            indices: z.array(z.int().min(0)).default([0]),
            everySteps: z.int().min(1).default(1),
          }),
        )
        .default([]),
    })
    .default({ state: [] }),
  charts: z.array(z.enum(networkChartNames)).default([...networkChartNames]),
});
/** A network scenario after validation and defaults: every field present. */
export type NetworkScenario = z.output<typeof networkScenarioSchema>;
/** A network scenario as written in a file (defaults optional). */
export type NetworkScenarioInput = z.input<typeof networkScenarioSchema>;
