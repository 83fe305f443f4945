/** `neurocompare list [dir]`: the scenarios in a folder with their one-line descriptions. */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { isUserError } from "../core/errors.js";
import { learnerDescriptions } from "../learners/registry.js";
import { loadAnyScenario } from "../scenario/load.js";

/** The package's own scenarios/ folder, for when the current folder has none. */
export function bundledScenariosDir(): string {
  return fileURLToPath(new URL("../../scenarios", import.meta.url));
}

export function listCommand(dir: string | undefined, opts: { learners?: boolean }): number {
  if (opts.learners) {
    for (const [type, d] of Object.entries(learnerDescriptions)) process.stdout.write(`${type.padEnd(10)} ${d}\n`);
    return 0;
  }
  const folder = dir ?? (existsSync("scenarios") ? "scenarios" : bundledScenariosDir());
  const files = readdirSync(folder)
    .filter((f) => f.endsWith(".json") && f !== "schema.json")
    .sort();
  const width = Math.max(8, ...files.map((f) => f.length - 5));
  let bad = 0;
  for (const f of files) {
    const path = join(folder, f);
    try {
      const { scenario } = loadAnyScenario(path);
      process.stdout.write(`${scenario.name.padEnd(width)}  ${scenario.description}\n`);
    } catch (e) {
      if (!isUserError(e)) throw e;
      bad++;
      process.stdout.write(`${f.slice(0, -5).padEnd(width)}  (invalid: run \`neurocompare validate ${path}\`)\n`);
    }
  }
  process.stdout.write(`\nRun one with: neurocompare run ${join(folder, "<name>.json")}\n`);
  return bad === 0 ? 0 : 2;
}
