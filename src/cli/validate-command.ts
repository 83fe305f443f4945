/** `neurocompare validate <files...>`: check scenario files without running them. */
import { isUserError } from "../core/errors.js";
import { loadAnyScenario } from "../scenario/load.js";
import { isJsonSchemaDocument } from "./schema-document.js";

/** Returns the exit code: 0 when every file is valid, 2 otherwise. */
export function validateCommand(files: readonly string[]): number {
  let bad = 0;
  for (const f of files) {
    if (isJsonSchemaDocument(f)) {
      process.stdout.write(`${f}: skipped (a JSON Schema document, not a scenario)\n`);
      continue;
    }
    try {
      const a = loadAnyScenario(f);
      const what =
        a.kind === "network"
          ? `network of ${a.scenario.groups.length} group(s), ${a.scenario.durationMs} ms`
          : `${a.scenario.learners.length} learner(s) on ${a.scenario.task.type}, ${a.scenario.epochs} epoch(s)`;
      process.stdout.write(`${f}: ok (${a.scenario.name}: ${what}, ${a.scenario.seeds.length} seed(s))\n`);
    } catch (e) {
      if (!isUserError(e)) throw e;
      bad++;
      process.stderr.write(`${e.message}\n`);
    }
  }
  return bad === 0 ? 0 : 2;
}
