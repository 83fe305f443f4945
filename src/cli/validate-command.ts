/**
 * `neurocompare validate <files...> [--max-memory SIZE]`: check scenario files
 * without running them. Each file goes through the schema and then through
 * the build phase `run` starts with (resource bounds and the memory estimate,
 * the task's data, every learner or the network, a trial of a few steps), so
 * a file `validate` accepts is one `run` starts on.
 */
import { availableParallelism } from "node:os";
import { isUserError } from "../core/errors.js";
import { formatBytes, READ_LIMITS } from "../core/read-file.js";
import { checkScenarioBuild, prepareScenarioBuild } from "../runs/build-check.js";
import { planLearningUnits, planRoutingUnits } from "../runs/plan.js";
import { parseAnyScenarioText, type AnyScenario } from "../scenario/load.js";
import { readTextFile } from "../scenario/parse.js";
import { parseMemorySize } from "./options.js";
import { isJsonSchemaDocument } from "./schema-document.js";

export interface ValidateOptions {
  maxMemory?: string;
}

/** "3 runs per seed (ticket at 2 sweep points, random-pruning)": the runs of a seed, by learner in scenario order. */
function perSeed(names: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const n of names) counts.set(n, (counts.get(n) ?? 0) + 1);
  const parts = [...counts].map(([n, k]) => (k === 1 ? n : `${n} at ${k} sweep points`));
  return `${names.length} runs per seed (${parts.join(", ")})`;
}

/**
 * What a scenario runs, as `validate` prints it: its learners (or strategies,
 * or the network), the units each seed holds once sweep points are counted,
 * and the units in all.
 */
export function describeRuns(a: AnyScenario): string {
  const seeds = a.scenario.seeds;
  const first = seeds.slice(0, 1);
  const all = (perSeedUnits: number) => `${seeds.length} seed(s), ${perSeedUnits * seeds.length} unit(s) in all`;
  if (a.kind === "network")
    return `network of ${a.scenario.groups.length} group(s), ${a.scenario.durationMs} ms, ${all(1)}`;
  if (a.kind === "routing") {
    const s = a.scenario;
    const units = planRoutingUnits(s, first);
    const runs =
      units.length === s.strategies.length
        ? `${s.strategies.length} routing strategies`
        : `${s.strategies.length} routing strategies at ${units.length / s.strategies.length} sweep points, ${units.length} runs per seed`;
    return `${runs} on ${s.task.nodes} nodes, ${s.training.intervals} interval(s), ${all(units.length)}`;
  }
  const s = a.scenario;
  const units = planLearningUnits(s, first);
  const runs =
    units.length === s.learners.length
      ? `${s.learners.length} learner(s)`
      : `${s.learners.length} learner(s), ${perSeed(units.map((u) => u.learner.base))}`;
  return `${runs} on ${s.task.type}, ${s.epochs} epoch(s)${s.continual === undefined ? "" : " per phase"}, ${all(units.length)}`;
}

/** Returns the exit code: 0 when every file is valid, 2 otherwise. */
export async function validateCommand(files: readonly string[], opts: ValidateOptions = {}): Promise<number> {
  const maxMemoryBytes = parseMemorySize(opts.maxMemory, "--max-memory");
  let bad = 0;
  for (const f of files) {
    if (isJsonSchemaDocument(f)) {
      process.stdout.write(`${f}: skipped (a JSON Schema document, not a scenario)\n`);
      continue;
    }
    try {
      const text = readTextFile(f, "scenario file", READ_LIMITS.scenario);
      // "nir" learners read their files when built: paths resolved against the scenario file, h5wasm started.
      const a = await prepareScenarioBuild(parseAnyScenarioText(text, f), f, text);
      const { estimate, budget } = checkScenarioBuild(a, f, {
        text,
        // As `run` lays the units out by default: one per core at once.
        jobs: availableParallelism(),
        ...(maxMemoryBytes !== undefined ? { maxMemoryBytes } : {}),
      });
      process.stdout.write(
        `${f}: ok (${a.scenario.name}: ${describeRuns(a)}; estimated peak memory ${formatBytes(estimate.totalBytes)} of ${formatBytes(budget.bytes)})\n`,
      );
    } catch (e) {
      if (!isUserError(e)) throw e;
      bad++;
      process.stderr.write(`${e.message}\n`);
    }
  }
  return bad === 0 ? 0 : 2;
}
