/**
 * The scenario file format, as a zod schema: the single source from which the
 * validator runs and from which `scenarios/schema.json` (JSON Schema, for
 * editors) is generated. Defaults fill in everything a file leaves out, so a
 * parsed scenario is complete ("normalized").
 */
import { z } from "zod";
import { learnerConfigSchema } from "../learners/registry.js";
import { taskClassCount, taskConfigSchema } from "../tasks/registry.js";
import { CURRENT_FORMAT } from "./format.js";
import { networkScenarioSchema } from "./network-schema.js";
import { routingScenarioSchema } from "./routing-schema.js";
import { expandSweep } from "./sweep.js";

/** Every chart a learning scenario can ask for, in report order. */
export const chartNames = [
  "learning-curve",
  "loss-curve",
  "train-accuracy",
  "spikes-per-sample",
  "weight-change",
  "weight-histogram",
  "accuracy-vs-energy",
  "accuracy-vs-connections",
  "lesion-curve",
  "silence-curve",
  "noise-curve",
  "forgetting",
  "firing-rate-distribution",
  "synapse-count",
] as const;
/** The charts a learning scenario can ask for (`charts`). */
export type ChartName = (typeof chartNames)[number];

const fractions = z.array(z.number().min(0).max(1)).max(50);

export const evaluationSchema = z
  .strictObject({
    costSamples: z
      .int()
      .min(0)
      .max(100_000)
      .default(100)
      .describe(
        "test samples on which inference costs (operations, sparsity, energy) are measured after each epoch; 0 turns cost metrics off",
      ),
    criterionAccuracy: z
      .number()
      .gt(0)
      .max(1)
      .optional()
      .describe(
        "test accuracy that defines samplesToCriterion: the training samples seen when a learner first reaches it (NaN when never)",
      ),
    robustness: z
      .strictObject({
        lesion: fractions.default([]).describe("fractions of synapses (weights) removed at random, no retraining"),
        silence: fractions.default([]).describe("fractions of hidden neurons silenced at random, no retraining"),
        noise: z
          .array(z.number().min(0).max(100))
          .max(50)
          .default([])
          .describe(
            "standard deviations of Gaussian noise added to the test inputs (clipped to the task's feature range)",
          ),
        samples: z.int().min(1).max(100_000).default(1000).describe("test samples used for each robustness point"),
        repeats: z.int().min(1).max(100).default(1).describe("independent random lesions per point, averaged"),
      })
      .optional()
      .describe("accuracy of each trained learner under damage and noise, every seed (robustness.csv)"),
  })
  .default({ costSamples: 100 })
  .describe("what is measured besides accuracy");

export const continualSchema = z
  .strictObject({
    phases: z
      .array(
        z.strictObject({
          name: z
            .string()
            .min(1)
            .max(40)
            .regex(/^[^,\n"]*$/, "a name without commas, quotes or newlines"),
          classes: z.array(z.int().min(0)).min(1).describe("class labels whose training samples make up this phase"),
        }),
      )
      .min(2)
      .describe(
        "trained in order, each for the scenario's `epochs`; every phase's test accuracy is recorded after every epoch",
      ),
  })
  .describe(
    "continual learning: a task sequence, and forgetting = accuracy on each earlier phase just after learning it minus at the end",
  );

export const sweepSchema = z
  .array(
    z.strictObject({
      learner: z.string().min(1).describe("the learner's name (or type when it has no name)"),
      parameter: z
        .string()
        .min(1)
        .regex(
          /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/,
          'a dotted config path such as "hidden" or "optimizer.learningRate"',
        )
        .refine(
          (p) => !p.split(".").some((k) => ["__proto__", "prototype", "constructor"].includes(k)),
          "a config key (not __proto__, prototype or constructor)",
        )
        .describe("a setting of that learner, as a dotted path into its config"),
      values: z
        .array(z.union([z.number(), z.string(), z.boolean(), z.array(z.number())]))
        .min(1)
        .max(100),
    }),
  )
  .default([])
  .describe(
    "a grid over learner settings: each learner runs once per combination of its swept values, with every seed",
  );

export const scenarioSchema = z
  .strictObject({
    $schema: z.string().optional().describe("path to scenarios/schema.json, for editors"),
    format: z
      .literal(CURRENT_FORMAT)
      .optional()
      .describe("the scenario format version the file is written in; `neurocompare migrate` updates older files"),
    kind: z.literal("learning").optional().describe('a learning comparison (the default); see also kind "network"'),
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]*$/, "a lower-case name of letters, digits, '.', '_' or '-'")
      .describe("names the results folder: results/<name>/"),
    description: z
      .string()
      .default("")
      .describe(
        "one line, shown by `neurocompare list` and in the report; default empty (`list` then describes the task, learners and epochs)",
      ),
    task: taskConfigSchema,
    learners: z.array(learnerConfigSchema).min(1).describe("trained side by side on the same data and seeds"),
    epochs: z.int().min(1).max(100_000),
    seeds: z
      .array(
        z
          .int()
          .min(0)
          .max(2 ** 31 - 1),
      )
      .min(1)
      .default([0])
      .describe("every learner runs once per seed; several seeds give confidence bands"),
    charts: z.array(z.enum(chartNames)).default(["learning-curve", "loss-curve", "weight-histogram"]),
    evaluation: evaluationSchema,
    continual: continualSchema.optional(),
    sweep: sweepSchema,
  })
  .superRefine((s, ctx) => {
    const seen = new Map<string, number>();
    s.learners.forEach((l, i) => {
      const name = l.name ?? l.type;
      const first = seen.get(name);
      if (first !== undefined) {
        ctx.addIssue({
          code: "custom",
          path: ["learners", i, "name"],
          message: `a learner name not used by learners[${first}]|"${name}" is already the name of learners[${first}]; give each learner a distinct "name"`,
        });
      } else seen.set(name, i);
    });
    for (const p of expandSweep(s.learners, s.sweep).problems)
      ctx.addIssue({ code: "custom", path: p.path, message: p.message });
    const classes = taskClassCount(s.task);
    s.continual?.phases.forEach((phase, i) => {
      const bad = classes === undefined ? -1 : phase.classes.findIndex((c) => c >= classes);
      if (bad >= 0) {
        ctx.addIssue({
          code: "custom",
          path: ["continual", "phases", i, "classes", bad],
          message: `a class label below ${classes} (task "${s.task.type}" has ${classes} classes)|${phase.classes[bad]}`,
        });
      }
      if (s.continual!.phases.findIndex((q) => q.name === phase.name) !== i) {
        ctx.addIssue({
          code: "custom",
          path: ["continual", "phases", i, "name"],
          message: `a phase name not used before|"${phase.name}" twice`,
        });
      }
    });
    const dupSeed = s.seeds.find((x, i) => s.seeds.indexOf(x) !== i);
    if (dupSeed !== undefined) {
      ctx.addIssue({ code: "custom", path: ["seeds"], message: `distinct seeds|seed ${dupSeed} twice` });
    }
  });

/** A scenario as written in a file (defaults optional). */
export type ScenarioInput = z.input<typeof scenarioSchema>;
/** A scenario after validation and defaults: every field present. */
export type Scenario = z.output<typeof scenarioSchema>;

/** JSON Schema for editors: a learning scenario or a network scenario. */
export function scenarioJsonSchema(): Record<string, unknown> {
  const strip = (s: Record<string, unknown>) => {
    const { $schema: _drop, ...rest } = s;
    return rest;
  };
  const learning = strip(
    z.toJSONSchema(scenarioSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>,
  );
  const network = strip(
    z.toJSONSchema(networkScenarioSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>,
  );
  const routing = strip(
    z.toJSONSchema(routingScenarioSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>,
  );
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://neurocompare.invalid/scenario.schema.json",
    title: "neurocompare scenario",
    description:
      'A learning comparison (a task, learners trained side by side, epochs, seeds, charts); with "kind": "network", a spiking network run with no task; or with "kind": "routing", routing networks built by pruning, growth or at random (Navlakha et al. 2015).',
    anyOf: [
      { title: "learning scenario", ...learning },
      { title: "network scenario", ...network },
      { title: "routing scenario", ...routing },
    ],
  };
}
