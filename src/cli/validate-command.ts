/** `neurocompare validate <files...>`: check scenario files without running them. */
import { isUserError } from "../core/errors.js";
import { loadScenario } from "../scenario/parse.js";

/** Returns the exit code: 0 when every file is valid, 2 otherwise. */
export function validateCommand(files: readonly string[]): number {
  let bad = 0;
  for (const f of files) {
    try {
      const s = loadScenario(f);
      process.stdout.write(`${f}: ok (${s.name}: ${s.learners.length} learner(s) on ${s.task.type}, ${s.epochs} epoch(s), ${s.seeds.length} seed(s))\n`);
    } catch (e) {
      if (!isUserError(e)) throw e;
      bad++;
      process.stderr.write(`${e.message}\n`);
    }
  }
  return bad === 0 ? 0 : 2;
}
