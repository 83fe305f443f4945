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
import { parseAnyScenarioText } from "../scenario/load.js";
import { readTextFile } from "../scenario/parse.js";
import { parseMemorySize } from "./options.js";
import { isJsonSchemaDocument } from "./schema-document.js";

export interface ValidateOptions {
  maxMemory?: string;
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
      const what =
        a.kind === "network"
          ? `network of ${a.scenario.groups.length} group(s), ${a.scenario.durationMs} ms`
          : a.kind === "routing"
            ? `${a.scenario.strategies.length} routing strategies on ${a.scenario.task.nodes} nodes, ${a.scenario.training.intervals} interval(s)`
            : `${a.scenario.learners.length} learner(s) on ${a.scenario.task.type}, ${a.scenario.epochs} epoch(s)`;
      process.stdout.write(
        `${f}: ok (${a.scenario.name}: ${what}, ${a.scenario.seeds.length} seed(s); estimated peak memory ${formatBytes(estimate.totalBytes)} of ${formatBytes(budget.bytes)})\n`,
      );
    } catch (e) {
      if (!isUserError(e)) throw e;
      bad++;
      process.stderr.write(`${e.message}\n`);
    }
  }
  return bad === 0 ? 0 : 2;
}
