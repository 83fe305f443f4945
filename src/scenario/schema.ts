/**
 * The scenario file format, as a zod schema: the single source from which the
 * validator runs and from which `scenarios/schema.json` (JSON Schema, for
 * editors) is generated. Defaults fill in everything a file leaves out, so a
 * parsed scenario is complete ("normalized").
 */
import { z } from "zod";
import { learnerConfigSchema } from "../learners/registry.js";
import { taskConfigSchema } from "../tasks/registry.js";
import { networkScenarioSchema } from "./network-schema.js";

export const chartNames = ["learning-curve", "loss-curve", "train-accuracy", "spikes-per-sample", "weight-change", "weight-histogram"] as const;
export type ChartName = (typeof chartNames)[number];

export const scenarioSchema = z.strictObject({
  $schema: z.string().optional().describe("path to scenarios/schema.json, for editors"),
  kind: z.literal("learning").optional().describe("a learning comparison (the default); see also kind \"network\""),
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, "a lower-case name of letters, digits, '.', '_' or '-'")
    .describe("names the results folder: results/<name>/"),
  description: z.string().min(1).describe("one line, shown by `neurocompare list`"),
  task: taskConfigSchema,
  learners: z.array(learnerConfigSchema).min(1).describe("trained side by side on the same data and seeds"),
  epochs: z.int().min(1).max(100_000),
  seeds: z.array(z.int().min(0).max(2 ** 31 - 1)).min(1).default([0])
    .describe("every learner runs once per seed; several seeds give confidence bands"),
  charts: z.array(z.enum(chartNames)).default(["learning-curve", "loss-curve", "weight-histogram"]),
}).superRefine((s, ctx) => {
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
  const learning = strip(z.toJSONSchema(scenarioSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>);
  const network = strip(z.toJSONSchema(networkScenarioSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>);
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://neurocompare.invalid/scenario.schema.json",
    title: "neurocompare scenario",
    description: "Either a learning comparison (a task, learners trained side by side, epochs, seeds, charts) or, with \"kind\": \"network\", a spiking network run with no task.",
    anyOf: [
      { title: "learning scenario", ...learning },
      { title: "network scenario", ...network },
    ],
  };
}
